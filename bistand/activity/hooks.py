"""What the activity requirement adds to the pages of cases and decisions (registered in
ActivityConfig.ready): a panel on the case page per adult, the start page's link and
certificate follow-ups, and a notice on the decision page."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from bistand.cases.models import CaseStatus
from bistand.core.dates import add_months, month_start

from . import rules, selectors
from .permissions import can


def case_panel(request, case) -> dict:
    today = timezone.localdate()
    adults = selectors.case_adults(case, today)
    certificates = selectors.certificates_by_person(a.person.pk for a in adults)
    for adult in adults:
        adult.certificates = certificates.get(adult.person.pk, [])
    missing = selectors.illness_without_certificate(
        case,
        today,
        today,
        certificates=certificates,
        persons={a.person.pk: a.person for a in adults},
    )
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
        },
    }


def home_section(request) -> dict | None:
    """Start page: certificates ending within 14 days in the user's cases (a follow-up), and
    a link to the section's list of people who become covered next month."""
    user = request.user
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
        },
    }


def decide_notice(request, application) -> dict | None:
    """On the decision page, before a decision: adults whose support obstacle is illness with
    no medical certificate for any day of the application's month."""
    first = month_start(application.month)
    last = add_months(first, 1) - dt.timedelta(days=1)
    missing = selectors.illness_without_certificate(application.case, first, last)
    if not missing:
        return None
    return {
        "template": "activity/_decide_notice.html",
        "context": {"missing": missing, "month": first, "case": application.case},
    }
