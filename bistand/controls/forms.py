"""Forms for checks and the unit's requirements (every form derives from core.forms.Form)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bistand.cases.forms import MonthField
from bistand.core.forms import Form
from bistand.households.models import Person

from .models import (
    MANUAL_SOURCES,
    REGISTER_SOURCES,
    Assessment,
    DecisionKind,
    PersonScope,
    Source,
)


def _people(case):
    return Person.objects.filter(memberships__household_id=case.household_id).distinct()


class _CheckForm(Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    period_from = MonthField(label=_("Period från"))
    period_to = MonthField(label=_("Period till"))

    def __init__(self, *args, case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people(case)
        self.fields["person"].label_from_instance = lambda p: p.full_name


class RegisterCheckForm(_CheckForm):
    source = forms.ChoiceField(
        label=_("Källa"), choices=[(s.value, s.label) for s in REGISTER_SOURCES]
    )


class ManualCheckForm(_CheckForm):
    source = forms.ChoiceField(
        label=_("Handling"), choices=[(s.value, s.label) for s in MANUAL_SOURCES]
    )
    stated = forms.CharField(label=_("Uppgivet i ansökan"), max_length=200, required=False)
    found = forms.CharField(label=_("Handlingen visar"), max_length=400)
    discrepancy = forms.BooleanField(label=_("Avviker från ansökan"), required=False)
    assessment = forms.ChoiceField(label=_("Bedömning"), choices=Assessment.choices)
    note = forms.CharField(label=_("Motivering"), widget=forms.Textarea(attrs={"rows": 2}),
                           required=False)  # fmt: skip


class AssessForm(Form):
    assessment = forms.ChoiceField(label=_("Bedömning"), choices=Assessment.choices)
    note = forms.CharField(label=_("Motivering"), widget=forms.Textarea(attrs={"rows": 3}),
                           required=False)  # fmt: skip


class RequirementForm(Form):
    decision_kind = forms.ChoiceField(label=_("Beslut"), choices=DecisionKind.choices)
    case_types = forms.CharField(label=_("Ärendetyper (tomt = alla)"), max_length=3, required=False)
    source = forms.ChoiceField(label=_("Källa"), choices=Source.choices)
    persons = forms.ChoiceField(label=_("För vem"), choices=PersonScope.choices)
    every_months = forms.IntegerField(label=_("Var N:e månad"), min_value=1, max_value=12,
                                      initial=1)  # fmt: skip


RequirementFormSet = forms.formset_factory(RequirementForm, extra=3, max_num=30, can_delete=True)


class RequirementSetForm(Form):
    valid_from = MonthField(label=_("Gäller från månad"))
    note = forms.CharField(label=_("Anteckning"), widget=forms.Textarea(attrs={"rows": 2}),
                           required=False)  # fmt: skip
