"""The risk-group work lists (issue 17): open cases of the board's risk groups, for section and
unit heads, on the shared work-list mechanism (bistand.core.worklist, docs/worklists.md).

Unlike the figures, the rows name clients: each page shown writes one access-log row naming
its cases and applicants, as the other client lists do.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bistand.cases.list_filters import ALL, CASE_TYPES, CHOICE_ERROR, NO_CASE_TYPE, search_field
from bistand.cases.selectors import (
    applicant_sort_name,
    case_search_q,
    log_case_list_read,
    with_protection,
)
from bistand.core.errors import DomainError
from bistand.core.views import handle_domain_errors
from bistand.core.worklist import (
    ListFilterForm,
    SortKey,
    render_work_list,
    wants_list_only,
    work_list,
)
from bistand.households.selectors import attach_applicants
from bistand.organisation.models import Role

from .access import allowed_handlers, allowed_sections, require_statistics_access
from .birth_country import BIRTH_COUNTRY_TEXTS, household_birth_country
from .outcomes import outcomes
from .periods import Period, month_key, month_label
from .risk_groups import (
    BY_SLUG,
    NO_PLAN,
    RISK_GROUPS,
    missing_plan_q,
    next_step,
    overdue_plan_q,
    reference_month,
    risk_group_cases,
    risk_group_counts,
    young_adult_ages,
)


class RiskGroupFilter(ListFilterForm):
    """Search, section (unit head), handler (or unassigned), case type; on the plan list also
    the plan's state. Every choice is within what the user may see."""

    q = search_field()
    section = forms.ChoiceField(
        label=_("Sektion"), required=False, error_messages={"invalid_choice": CHOICE_ERROR}
    )
    handler = forms.ChoiceField(
        label=_("Handläggare"), required=False, error_messages={"invalid_choice": CHOICE_ERROR}
    )
    case_type = forms.ChoiceField(
        label=_("Ärendetyp"),
        choices=[ALL, *CASE_TYPES],
        required=False,
        error_messages={"invalid_choice": CHOICE_ERROR},
    )
    plan = forms.ChoiceField(
        label=_("Plan"),
        choices=[ALL, ("missing", _("Ingen plan")), ("overdue", _("Försenad uppföljning"))],
        required=False,
        error_messages={"invalid_choice": CHOICE_ERROR},
    )

    def __init__(self, *args, user, group, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        if user.role == Role.SECTION_HEAD:
            del self.fields["section"]  # their own section is the list
        else:
            self.fields["section"].choices = [
                ALL,
                *((str(s.pk), s.name) for s in allowed_sections(user).order_by("name")),
            ]
        self.fields["handler"].choices = [
            ALL,
            ("none", _("Ej tilldelad")),
            *((str(u.pk), u.get_full_name() or u.username) for u in allowed_handlers(user)),
        ]
        if group.key != NO_PLAN:
            del self.fields["plan"]

    def filter_queryset(self, queryset, data):
        if data.get("q"):
            queryset = queryset.filter(case_search_q(data["q"]))
        if data.get("section"):
            queryset = queryset.filter(section_id=int(data["section"]))
        if data.get("handler") == "none":
            queryset = queryset.filter(handler__isnull=True)
        elif data.get("handler"):
            queryset = queryset.filter(handler_id=int(data["handler"]))
        if data.get("case_type") == NO_CASE_TYPE:
            queryset = queryset.filter(case_type="")
        elif data.get("case_type"):
            queryset = queryset.filter(case_type=data["case_type"])
        if data.get("plan") == "missing":
            queryset = queryset.filter(missing_plan_q())
        elif data.get("plan") == "overdue":
            queryset = queryset.filter(overdue_plan_q(self.today))
        return queryset


RISK_SORTS = {
    "case": SortKey(_("Ärende"), ("id",)),
    "applicant": SortKey(_("Sökande"), ("sort_name",), {"sort_name": applicant_sort_name()}),
    "handler": SortKey(_("Handläggare"), ("handler__last_name", "handler__first_name")),
    "section": SortKey(_("Sektion"), ("section__name",)),
    # The longest spells first: those closest to long-term.
    "months": SortKey(_("Månader i följd"), ("-months_in_row",)),
    "next": SortKey(_("Nästa steg"), ("plan_due_on",)),
}


def _page_log(page) -> dict:
    return {"list": dict(page.params)} if page.params else {}


@login_required
@handle_domain_errors
def risk_list(request, group: str):
    """One risk group's open cases, with tabs (and counts) for the others."""
    require_statistics_access(request.user)
    risk_group = BY_SLUG.get(group)
    if risk_group is None:
        raise Http404
    today = timezone.localdate()
    month = reference_month(today)
    cases = with_protection(risk_group_cases(request.user, risk_group, month, today))
    page = work_list(
        request,
        cases,
        RiskGroupFilter,
        sorts=RISK_SORTS,
        default_sort="months" if risk_group.uses_month else "next",
        form_kwargs={"user": request.user, "group": risk_group, "today": today},
    )
    rows = page.rows
    attach_applicants(case.household for case in rows)
    ages = young_adult_ages([case.pk for case in rows], month)
    born_abroad = household_birth_country(rows, today)
    for case in rows:
        case.next_state, case.next_text = next_step(case, today)
        case.young_adult_ages = ages.get(case.pk, [])
        case.birth_country = BIRTH_COUNTRY_TEXTS[born_abroad.get(case.pk)]
    log_case_list_read(request.user, f"risk_group:{risk_group.key}", rows, **_page_log(page))
    context = {
        "group": risk_group,
        "cases": rows,
        "page": page,
        "month": month,
        "month_label": month_label(month) if month else "",
        "today": today,
    }
    if not wants_list_only(request):  # the tabs are not redrawn by a filter
        counts = risk_group_counts(request.user, month, today)
        context["groups"] = [(g, counts[g.key]) for g in RISK_GROUPS]
    return render_work_list(
        request, "statistics/risk_list.html", "statistics/_risk_rows.html", context
    )


@login_required
@handle_domain_errors
def outcomes_view(request):
    """Outcomes per handler and section for a period (heads only; small counts suppressed
    outside the unit head's view of the whole unit)."""
    require_statistics_access(request.user)
    today = timezone.localdate()
    notices = []
    try:
        period = Period.parse(
            request.GET.get("month"), request.GET.get("from"), request.GET.get("to"), today
        )
    except DomainError as error:
        notices.append(
            _("Perioden används inte: %(error)s Förra månaden visas.") % {"error": error.message}
        )
        period = Period.parse(None, None, None, today)
    figures = outcomes(request.user, period, today)
    return render(
        request,
        "statistics/outcomes.html",
        {
            "figures": figures,
            "notices": notices,
            "period_label": month_label(period.start)
            if period.start == period.end
            else f"{month_label(period.start)} – {month_label(period.end)}",
            "from_value": month_key(period.start),
            "to_value": month_key(period.end),
        },
    )
