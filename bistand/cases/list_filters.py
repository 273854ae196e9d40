"""The case work lists' filters and sort keys (bistand.core.worklist): Mina ärenden, the inbox,
a worker's cases, unassigned cases and the person search."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bistand.core.worklist import ListFilterForm, SortKey
from bistand.organisation.models import Role, User

from .forms import DateInput
from .models import ApplicationKind, ApplicationStatus, CaseStatus, CaseType
from .selectors import applicant_sort_name, case_search_q, person_search_q

ALL = ("", _("Alla"))
NO_CASE_TYPE = "none"
DATE_ERROR = _("Ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-03-01.")
CHOICE_ERROR = _("Värdet ”%(value)s” finns inte bland valen.")


def search_field() -> forms.CharField:
    return forms.CharField(
        label=_("Sök"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Namn, personnummer eller ärendenummer")}
        ),
    )


def choice_field(label, choices) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[ALL, *choices],
        required=False,
        error_messages={"invalid_choice": CHOICE_ERROR},
    )


def date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=DateInput(),
        error_messages={"invalid": DATE_ERROR},
    )


class FollowUp:
    OVERDUE = "overdue"
    WEEK = "week"
    NONE = "none"
    CHOICES = [
        (OVERDUE, _("Försenad")),
        (WEEK, _("Inom 7 dagar")),
        (NONE, _("Ingen planerad")),
    ]


OPEN_STATUSES = [(s.value, s.label) for s in CaseStatus if s != CaseStatus.CLOSED]
CASE_TYPES = [*CaseType.choices, (NO_CASE_TYPE, _("Ingen ärendetyp"))]


def _case_filters(queryset: QuerySet, data: dict[str, Any], path: str = "") -> QuerySet:
    """The filters the case lists share: search, status, case type, next follow-up."""
    if data.get("q"):
        queryset = queryset.filter(case_search_q(data["q"], path))
    if data.get("status"):
        queryset = queryset.filter(**{f"{path}status": data["status"]})
    if data.get("case_type") == NO_CASE_TYPE:
        queryset = queryset.filter(**{f"{path}case_type": ""})
    elif data.get("case_type"):
        queryset = queryset.filter(**{f"{path}case_type": data["case_type"]})
    follow_up = data.get("follow_up")
    today = timezone.localdate()
    if follow_up == FollowUp.OVERDUE:
        queryset = queryset.filter(**{f"{path}next_follow_up_on__lt": today})
    elif follow_up == FollowUp.WEEK:
        queryset = queryset.filter(
            **{
                f"{path}next_follow_up_on__gte": today,
                f"{path}next_follow_up_on__lte": today + dt.timedelta(days=7),
            }
        )
    elif follow_up == FollowUp.NONE:
        queryset = queryset.filter(**{f"{path}next_follow_up_on__isnull": True})
    return queryset


class MyCasesFilter(ListFilterForm):
    q = search_field()
    status = choice_field(_("Status"), OPEN_STATUSES)
    case_type = choice_field(_("Ärendetyp"), CASE_TYPES)
    follow_up = choice_field(_("Nästa uppföljning"), FollowUp.CHOICES)
    role = choice_field(
        _("Min roll"), [("handler", _("Handläggare")), ("assistant", _("Biträder"))]
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def filter_queryset(self, queryset, data):
        queryset = _case_filters(queryset, data)
        if data.get("role") == "handler":
            queryset = queryset.filter(handler=self.user)
        elif data.get("role") == "assistant":
            queryset = queryset.filter(assistant=self.user)
        return queryset


CASE_SORTS = {
    "case": SortKey(_("Ärende"), ("id",)),
    "applicant": SortKey(_("Sökande"), ("sort_name",), {"sort_name": applicant_sort_name()}),
    "type": SortKey(_("Typ"), ("case_type",)),
    "status": SortKey(_("Status"), ("status",)),
    "section": SortKey(_("Sektion"), ("section__name",)),
    "follow_up": SortKey(_("Nästa uppföljning"), ("next_follow_up_on",)),
    # Fewest days since the last contact first: the latest contact first.
    "contact": SortKey(_("Dagar sedan kontakt"), ("-last_contact_on",)),
    "opened": SortKey(_("Öppnat"), ("opened_on",)),
}


def staff_choices(unit_id, section_id=None) -> list[tuple[str, str]]:
    """Handlers of the unit (of the section, if given) as filter choices, in one query."""
    staff = User.objects.filter(
        unit_id=unit_id, role__in=[Role.SOCIAL_WORKER, Role.BENEFIT_ADMINISTRATOR]
    )
    if section_id:
        staff = staff.filter(section_id=section_id)
    return [
        (str(user.pk), user.get_full_name() or user.username)
        for user in staff.order_by("last_name", "first_name")
    ]


class InboxFilter(ListFilterForm):
    scope_fields = ("section",)
    section = forms.ChoiceField(
        label=_("Sektion"), required=False, error_messages={"invalid_choice": CHOICE_ERROR}
    )
    q = search_field()
    status = choice_field(
        _("Status"),
        [(s, s.label) for s in (ApplicationStatus.RECEIVED, ApplicationStatus.COMPLETE)],
    )
    kind = choice_field(_("Ansökan"), ApplicationKind.choices)
    handler = forms.ChoiceField(
        label=_("Handläggare"), required=False, error_messages={"invalid_choice": CHOICE_ERROR}
    )
    waiting = choice_field(_("Väntetid"), [("5", _("Mer än 5 dagar")), ("7", _("Mer än 7 dagar"))])
    received_from = date_field(_("Inkom från"))
    received_to = date_field(_("Inkom till och med"))

    def __init__(self, *args, sections, default_section, staff: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(str(s.pk), s.name) for s in sections]
        self.fields["section"].initial = str(default_section or "")
        self.default_section = default_section
        self.fields["handler"].choices = [ALL, ("none", _("Ej tilldelad")), *staff]

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("Slutdatumet ligger före startdatumet."))
        return data

    def filter_queryset(self, queryset, data):
        # One section at a time: the chosen one, else the user's own (a bad value included).
        section_id = int(data.get("section") or self.default_section or 0)
        queryset = queryset.filter(case__section_id=section_id)
        if data.get("q"):
            queryset = queryset.filter(case_search_q(data["q"], "case__"))
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("handler") == "none":
            queryset = queryset.filter(case__handler__isnull=True)
        elif data.get("handler"):
            queryset = queryset.filter(case__handler_id=int(data["handler"]))
        if data.get("waiting"):
            days = int(data["waiting"])
            queryset = queryset.filter(
                received_on__lt=timezone.localdate() - dt.timedelta(days=days)
            )
        if data.get("received_from"):
            queryset = queryset.filter(received_on__gte=data["received_from"])
        if data.get("received_to"):
            queryset = queryset.filter(received_on__lte=data["received_to"])
        return queryset


INBOX_SORTS = {
    "received": SortKey(_("Inkom"), ("received_on",)),
    "waiting": SortKey(_("Dagar"), ("-received_on",)),
    "kind": SortKey(_("Ansökan"), ("kind",)),
    "month": SortKey(_("Månad"), ("month",)),
    "applicant": SortKey(
        _("Hushåll"), ("sort_name",), {"sort_name": applicant_sort_name("case__household_id")}
    ),
    "case": SortKey(_("Ärende"), ("case_id",)),
    "handler": SortKey(_("Handläggare"), ("case__handler__last_name", "case__handler__first_name")),
    "status": SortKey(_("Status"), ("status",)),
}


class WorkerCasesFilter(ListFilterForm):
    q = search_field()
    status = choice_field(_("Status"), OPEN_STATUSES)
    case_type = choice_field(_("Ärendetyp"), CASE_TYPES)
    follow_up = choice_field(_("Nästa uppföljning"), FollowUp.CHOICES)

    def filter_queryset(self, queryset, data):
        return _case_filters(queryset, data)


class UnassignedFilter(ListFilterForm):
    q = search_field()
    section = forms.ChoiceField(
        label=_("Sektion"), required=False, error_messages={"invalid_choice": CHOICE_ERROR}
    )
    status = choice_field(_("Status"), OPEN_STATUSES)
    opened_from = date_field(_("Öppnat från"))

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [ALL, *((str(s.pk), s.name) for s in sections)]

    def filter_queryset(self, queryset, data):
        queryset = _case_filters(queryset, data)
        if data.get("section"):
            queryset = queryset.filter(section_id=int(data["section"]))
        if data.get("opened_from"):
            queryset = queryset.filter(opened_on__gte=data["opened_from"])
        return queryset


class PersonSearchFilter(ListFilterForm):
    submit_label = _("Sök")
    live_search = False  # every search is logged: search when the user asks
    q = forms.CharField(
        label=_("Personnummer eller namn"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autofocus": True}),
    )

    def clean_q(self):
        query = (self.cleaned_data.get("q") or "").strip()
        if query and len(query) < 2:
            raise forms.ValidationError(_("Skriv minst två tecken."))
        return query

    def filter_queryset(self, queryset, data):
        if not data.get("q"):
            return queryset.none()
        return queryset.filter(person_search_q(data["q"]))


PERSON_SORTS = {
    "name": SortKey(_("Namn"), ("last_name", "first_name")),
    "born": SortKey(_("Född"), ("birth_date",)),
}


__all__ = [
    "CASE_SORTS",
    "INBOX_SORTS",
    "PERSON_SORTS",
    "InboxFilter",
    "MyCasesFilter",
    "PersonSearchFilter",
    "UnassignedFilter",
    "WorkerCasesFilter",
]
