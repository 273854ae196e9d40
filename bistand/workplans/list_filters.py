"""The head's plan overview as a work list (bistand.core.worklist): filters and sort keys."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bistand.cases.list_filters import (
    ALL,
    CASE_TYPES,
    CHOICE_ERROR,
    NO_CASE_TYPE,
    choice_field,
    search_field,
    staff_choices,
)
from bistand.cases.selectors import applicant_sort_name, case_search_q
from bistand.core.worklist import ListFilterForm, SortKey

from .models import PlanState

FLAGGED = "flagged"


class PlanOverviewFilter(ListFilterForm):
    """A unit head chooses a section (or the whole unit); a section head has only their own.
    Every filter narrows the cases `overview_cases` gave."""

    scope_fields = ("section",)
    section = forms.ChoiceField(
        label=_("Sektion"), required=False, error_messages={"invalid_choice": CHOICE_ERROR}
    )
    q = search_field()
    state = choice_field(_("Plan"), PlanState.choices)
    handler = forms.ChoiceField(
        label=_("Handläggare"), required=False, error_messages={"invalid_choice": CHOICE_ERROR}
    )
    case_type = choice_field(_("Ärendetyp"), CASE_TYPES)
    signal = choice_field(_("Signaler"), [(FLAGGED, _("C-ärenden att överlämna"))])

    def __init__(self, *args, sections, unit_id, **kwargs):
        super().__init__(*args, **kwargs)
        if len(sections) > 1:
            self.fields["section"].choices = [
                ("", _("Hela enheten")),
                *((str(s.pk), s.name) for s in sections),
            ]
        else:
            del self.fields["section"]
        section_id = sections[0].pk if len(sections) == 1 else None
        self.fields["handler"].choices = [
            ALL,
            ("none", _("Ej tilldelad")),
            *staff_choices(unit_id, section_id),
        ]

    def filter_queryset(self, queryset, data):
        if data.get("section"):
            queryset = queryset.filter(section_id=int(data["section"]))
        if data.get("q"):
            queryset = queryset.filter(case_search_q(data["q"]))
        if data.get("state"):
            queryset = queryset.filter(plan_state=data["state"])
        if data.get("handler") == "none":
            queryset = queryset.filter(handler__isnull=True)
        elif data.get("handler"):
            queryset = queryset.filter(handler_id=int(data["handler"]))
        if data.get("case_type") == NO_CASE_TYPE:
            queryset = queryset.filter(case_type="")
        elif data.get("case_type"):
            queryset = queryset.filter(case_type=data["case_type"])
        if data.get("signal") == FLAGGED:
            queryset = queryset.filter(plan_flagged=True)
        return queryset


PLAN_OVERVIEW_SORTS = {
    "handler": SortKey(_("Handläggare"), ("handler__last_name", "handler__first_name")),
    "case": SortKey(_("Ärende"), ("id",)),
    "applicant": SortKey(_("Sökande"), ("sort_name",), {"sort_name": applicant_sort_name()}),
    "type": SortKey(_("Typ"), ("case_type",)),
    "state": SortKey(_("Plan"), ("plan_state",)),
    "due": SortKey(_("Uppföljning senast"), ("work_plan__due_on",)),
}
