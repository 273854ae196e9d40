"""Forms of the plan pages. They only shape input; the rules are in workplans.services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bistand.cases.models import CaseType
from bistand.core.codes import support_obstacles_valid_on
from bistand.core.forms import Form
from bistand.core.text import LONG_TEXT

from .models import (
    ActivityParty,
    AssessmentArea,
    AssessmentRating,
    Attendance,
    ConsentMethod,
    DeviationResolution,
    FollowUpMethod,
    InterventionResult,
    InterventionTarget,
    ProgrammeKind,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_field(label, required=False, **kwargs):
    return forms.DateField(label=label, required=required, widget=DateInput(), **kwargs)


class PlanPeriodForm(Form):
    valid_from = _date_field(_("Planen gäller från"), required=True)
    valid_to = _date_field(_("Planen gäller till"), required=True)
    notes = forms.CharField(
        label=_("Övrigt (t.ex. hur länge C-handläggningen gäller)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class GoalForm(Form):
    text = forms.CharField(label=_("Mål"), max_length=500, required=False)
    target_on = _date_field(_("Uppnått senast"))


class ActivityForm(Form):
    text = forms.CharField(label=_("Vad ska göras"), max_length=500, required=False)
    party = forms.ChoiceField(
        label=_("Vem gör det"),
        choices=ActivityParty.choices,
        initial=ActivityParty.CLIENT,
        required=False,
    )
    partner = forms.CharField(label=_("Samarbetspart"), max_length=200, required=False)
    due_on = _date_field(_("Senast"))


class PlannedFollowUpForm(Form):
    on = _date_field(_("Datum"))
    method = forms.ChoiceField(
        label=_("Hur"), choices=FollowUpMethod.choices, initial=FollowUpMethod.VISIT, required=False
    )


GoalFormSet = forms.formset_factory(GoalForm, extra=2, max_num=20)
ActivityFormSet = forms.formset_factory(ActivityForm, extra=3, max_num=30)
PlannedFollowUpFormSet = forms.formset_factory(PlannedFollowUpForm, extra=2, max_num=20)


class ConsentForm(Form):
    consent_on = _date_field(_("Klienten godkände planen den"), required=True)
    method = forms.ChoiceField(label=_("Hur"), choices=ConsentMethod.choices)
    note = forms.CharField(label=_("Anteckning"), max_length=300, required=False)


def _obstacle_choices():
    return [("", _("– inget nytt –"))] + [
        (o.code, o.label) for o in support_obstacles_valid_on(timezone.localdate())
    ]


class FollowUpForm(Form):
    held_on = _date_field(_("Datum"), required=True)
    method = forms.ChoiceField(label=_("Hur"), choices=FollowUpMethod.choices)
    took_place = forms.TypedChoiceField(
        label=_("Genomfördes uppföljningen?"),
        choices=[("1", _("Ja")), ("0", _("Nej, klienten uteblev"))],
        coerce=lambda v: v == "1",
        initial="1",
    )
    outcome = forms.CharField(
        label=_("Resultat: hur går det mot målen?"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_on = _date_field(_("Nästa uppföljning"), required=True)
    next_method = forms.ChoiceField(label=_("Hur nästa gång"), choices=FollowUpMethod.choices)
    income_change = forms.CharField(
        label=_("Inkomstförändring (kr/månad, t.ex. 2500 eller -800)"),
        max_length=20,
        required=False,
    )
    new_support_obstacle = forms.ChoiceField(
        label=_("Nytt försörjningshinder"), choices=(), required=False
    )
    corrects = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_support_obstacle"].choices = _obstacle_choices()


class ReferralForm(Form):
    person = forms.TypedChoiceField(label=_("Vem"), coerce=int, choices=())
    target = forms.ChoiceField(label=_("Anvisas till"), choices=InterventionTarget.choices)
    programme = forms.ModelChoiceField(
        label=_("Arbetsmarknadsinsats"), queryset=None, required=False
    )
    referred_on = _date_field(_("Anvisningsdatum"))
    purpose = forms.CharField(
        label=_("Syfte"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, adults=(), programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.full_name) for p in adults]
        self.fields["programme"].queryset = programmes


class StartInterventionForm(Form):
    started_on = _date_field(_("Startade"), required=True)


class EndInterventionForm(Form):
    ended_on = _date_field(_("Avslutades"), required=True)
    attendance = forms.ChoiceField(
        label=_("Närvaro"), choices=[("", _("– välj –")), *Attendance.choices]
    )
    result = forms.ChoiceField(
        label=_("Resultat"), choices=[("", _("– välj –")), *InterventionResult.choices]
    )
    note = forms.CharField(label=_("Kommentar"), max_length=500, required=False)


class TripartiteMeetingForm(Form):
    held_on = _date_field(_("Mötesdatum"), required=True)
    partner = forms.ChoiceField(label=_("Samarbetspart"), choices=InterventionTarget.choices)
    partner_name = forms.CharField(
        label=_("Part (kontor, kontaktperson)"), max_length=200, required=False
    )
    participants = forms.CharField(
        label=_("Deltagare (en per rad)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    agreements = forms.CharField(
        label=_("Överenskommelser"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssessmentForm(Form):
    person = forms.TypedChoiceField(label=_("Vem bedöms"), coerce=int, choices=())
    assessed_on = _date_field(_("Bedömningsdatum"), required=True)
    summary = forms.CharField(
        label=_("Sammanfattande bedömning av förutsättningar för arbete"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, adults=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.full_name) for p in adults]
        for area in AssessmentArea:
            self.fields[f"rating_{area.value}"] = forms.TypedChoiceField(
                label=area.label,
                choices=[("", _("– välj –")), *AssessmentRating.choices],
                coerce=int,
                empty_value=None,
            )
            self.fields[f"comment_{area.value}"] = forms.CharField(
                label=_("Kommentar"), max_length=1000, required=False
            )

    def area_rows(self):
        return [
            {
                "label": area.label,
                "rating": self[f"rating_{area.value}"],
                "comment": self[f"comment_{area.value}"],
            }
            for area in AssessmentArea
        ]

    def areas(self) -> dict:
        data = self.cleaned_data
        return {
            area.value: {
                "rating": data.get(f"rating_{area.value}"),
                "comment": data.get(f"comment_{area.value}", ""),
            }
            for area in AssessmentArea
        }


class ResolveDeviationForm(Form):
    resolution = forms.ChoiceField(label=_("Beslut"), choices=DeviationResolution.choices)
    note = forms.CharField(label=_("Motivering"), max_length=300, required=False)


class CaseTypeSettingForm(Form):
    case_type = forms.ChoiceField(label=_("Ärendetyp"), choices=CaseType.choices)
    contact_interval_days = forms.IntegerField(label=_("Kontakt minst var (dagar)"), min_value=1)
    follow_up_interval_days = forms.IntegerField(
        label=_("Uppföljning minst var (dagar)"), min_value=1
    )
    plan_period_months = forms.IntegerField(label=_("Planens giltighetstid (månader)"), min_value=1)
    income_change_limit = forms.DecimalField(
        label=_("Gräns för inkomstförändring i C-ärenden (kr/månad)"), min_value=0, decimal_places=2
    )
    reason = forms.CharField(label=_("Skäl till ändringen"), max_length=300, required=False)


class ProgrammeForm(Form):
    name = forms.CharField(label=_("Namn"), max_length=100)
    kind = forms.ChoiceField(label=_("Typ"), choices=ProgrammeKind.choices)
    description = forms.CharField(label=_("Beskrivning"), max_length=300, required=False)


def form_errors(*forms_) -> str:
    """All field errors of the forms as one Swedish line."""
    lines = []
    for form in forms_:
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            lines += [f"{label}: {e}" if label else str(e) for e in errors]
    return " ".join(str(line) for line in lines)
