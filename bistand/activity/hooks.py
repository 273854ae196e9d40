"""What the activity requirement adds to the pages of cases and decisions (registered in
ActivityConfig.ready): a panel on the case page per adult, the start page's link and
certificate follow-ups, and a notice on the decision page."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from bistand.cases.models import CaseStatus
from bistand.core.dates import add_months, month_start

from . import rules, selectors, selectors_places
from .permissions import can


def case_panel(request, case) -> dict:
    today = timezone.localdate()
    adults = selectors.case_adults(case, today)
    certificates = selectors.certificates_by_person(a.person.pk for a in adults)
    levels = selectors.language_levels_by_person(a.person.pk for a in adults)
    for adult in adults:
        adult.certificates = certificates.get(adult.person.pk, [])
        adult.language_levels = levels.get(adult.person.pk, [])
        adult.language_level = next(
            (level for level in adult.language_levels if level.level_on <= today), None
        )
    missing = selectors.illness_without_certificate(
        case,
        today,
        today,
        certificates=certificates,
        persons={a.person.pk: a.person for a in adults},
    )
    placements = selectors_places.case_placements(case)
    return {
        "title": "Aktivitetskrav",
        "template": "activity/_case_panel.html",
        "context": {
            "adults": adults,
            "rules_from": rules.RULES_APPLY_FROM,
            "missing_certificates": missing,
            "today": today,
            "can_record": can(request.user, "record_exemption")
            and case.status != CaseStatus.CLOSED,
            "placements": placements,
            # Absences and assessments hang on placements: no placement, no query.
            "absences": selectors_places.absences_to_assess(case) if placements else [],
            "assessments": selectors_places.assessments_of(case) if placements else [],
            "plans": selectors_places.current_plans(case),
            "af_notices": selectors.coverage_notices(case),
            "can_assign": can(request.user, "assign_activity") and case.status != CaseStatus.CLOSED,
            "can_assess": can(request.user, "assess_absence") and case.status != CaseStatus.CLOSED,
        },
    }


def home_section(request) -> dict | None:
    """Start page: certificates ending within 14 days in the user's cases (a follow-up), and
    a link to the section's list of people who become covered next month."""
    user = request.user
    if can(user, "record_attendance"):
        return {
            "title": "Aktiviteter",
            "template": "activity/_home_coordinator.html",
            "context": {"activities": selectors_places.activities_for(user)},
        }
    if not (can(user, "view_section_coverage") or can(user, "record_exemption")):
        return None
    today = timezone.localdate()
    ending = list(selectors.certificates_ending(user, today))
    return {
        "title": "Aktivitetskrav",
        "template": "activity/_home_link.html",
        "context": {
            "ending": ending,
            "today": today,
            "within": selectors.CERTIFICATE_ENDING_DAYS,
            "show_list": can(user, "view_section_coverage"),
            "absences": selectors_places.absences_for_handler(user),
        },
    }


def decide_notice(request, application) -> dict | None:
    """On the decision page, before a decision: adults whose support obstacle is illness with
    no medical certificate for any day of the application's month."""
    first = month_start(application.month)
    last = add_months(first, 1) - dt.timedelta(days=1)
    missing = selectors.illness_without_certificate(application.case, first, last)
    proposals = selectors_places.proposals_for_month(application.case, first)
    if not missing and not proposals:
        return None
    return {
        "template": "activity/_decide_notice.html",
        "context": {
            "missing": missing,
            "month": first,
            "case": application.case,
            "proposals": proposals,
            "basis": consequence_basis(timezone.localdate()),
        },
    }


def consequence_basis(day: dt.date) -> str:
    """The lagrum a refusal for not taking part cites, from the legal period in force (the
    same text the decision letter prints for the ground "labour_market"), or a notice."""
    from bistand.core.errors import DomainError
    from bistand.decisions.legal import legal_basis

    try:
        return legal_basis("income_support", day, "labour_market")
    except (DomainError, KeyError):
        return "ingen verifierad lagperiod för dagens datum (Regelverk)"
