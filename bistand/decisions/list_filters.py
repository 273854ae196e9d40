"""*Fortsatta ansökningar* as a work list (bistand.core.worklist): the month's undecided repeat
applications, paged, so that only the page's rows are assessed (issue #15: the assessment
runs a calculation per application; the whole month is assessed only when the batch runs)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bistand.cases.list_filters import ALL, CHOICE_ERROR, search_field, staff_choices
from bistand.cases.selectors import applicant_sort_name, case_search_q
from bistand.core.dates import month_start
from bistand.core.worklist import ListFilterForm, SortKey

from .models import Outcome

MONTH_ERROR = _("Ange månaden som ÅÅÅÅ-MM.")


class BatchFilter(ListFilterForm):
    scope_fields = ("month",)
    month = forms.CharField(
        label=_("Månad"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "ÅÅÅÅ-MM"}),
    )
    q = search_field()
    section = forms.ChoiceField(
        label=_("Sektion"), required=False, error_messages={"invalid_choice": CHOICE_ERROR}
    )
    handler = forms.ChoiceField(
        label=_("Handläggare"), required=False, error_messages={"invalid_choice": CHOICE_ERROR}
    )

    def __init__(self, *args, sections, unit_id, **kwargs):
        super().__init__(*args, **kwargs)
        if len(sections) > 1:
            self.fields["section"].choices = [ALL, *((str(s.pk), s.name) for s in sections)]
        else:
            del self.fields["section"]
        section_id = sections[0].pk if len(sections) == 1 else None
        self.fields["handler"].choices = [
            ALL,
            ("none", _("Ej tilldelad")),
            *staff_choices(unit_id, section_id),
        ]

    def clean_month(self) -> dt.date | None:
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            return dt.date(year, month, 1)
        except (TypeError, ValueError):
            raise forms.ValidationError(MONTH_ERROR) from None

    def chosen_month(self) -> dt.date:
        return (getattr(self, "cleaned_data", {}) or {}).get("month") or month_start(
            timezone.localdate()
        )

    def filter_queryset(self, queryset, data):
        queryset = queryset.filter(month=data.get("month") or month_start(timezone.localdate()))
        if data.get("q"):
            queryset = queryset.filter(case_search_q(data["q"], "case__"))
        if data.get("section"):
            queryset = queryset.filter(case__section_id=int(data["section"]))
        if data.get("handler") == "none":
            queryset = queryset.filter(case__handler__isnull=True)
        elif data.get("handler"):
            queryset = queryset.filter(case__handler_id=int(data["handler"]))
        return queryset


BATCH_SORTS = {
    "section": SortKey(_("Sektion"), ("case__section__name", "case_id")),
    "case": SortKey(_("Ärende"), ("case_id",)),
    "applicant": SortKey(
        _("Sökande"), ("sort_name",), {"sort_name": applicant_sort_name("case__household_id")}
    ),
    "handler": SortKey(_("Handläggare"), ("case__handler__last_name", "case__handler__first_name")),
    "received": SortKey(_("Inkom"), ("received_on",)),
}


class ReferralFilter(ListFilterForm):
    """*Att besluta* on the heads' decision overview: the decisions sent to the user (the unit
    head also sees the unit's unaddressed ones), searched and filtered by outcome and month."""

    q = search_field()
    outcome = forms.ChoiceField(
        label=_("Förslag"),
        required=False,
        choices=[ALL, *Outcome.choices],
        error_messages={"invalid_choice": CHOICE_ERROR},
    )
    month = forms.CharField(
        label=_("Månad"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "ÅÅÅÅ-MM"}),
    )

    def clean_month(self) -> dt.date | None:
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            return dt.date(year, month, 1)
        except (TypeError, ValueError):
            raise forms.ValidationError(MONTH_ERROR) from None

    def filter_queryset(self, queryset, data):
        if data.get("q"):
            queryset = queryset.filter(case_search_q(data["q"], "case__"))
        if data.get("outcome"):
            queryset = queryset.filter(outcome=data["outcome"])
        if data.get("month"):
            queryset = queryset.filter(month=data["month"])
        return queryset


REFERRAL_SORTS = {
    "referred": SortKey(_("Skickat"), ("referred_at",)),
    "case": SortKey(_("Ärende"), ("case_id",)),
    "month": SortKey(_("Månad"), ("month", "referred_at")),
    "total": SortKey(_("Belopp"), ("total_granted",)),
}
