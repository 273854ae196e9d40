"""What the activity requirement adds to the pages of cases (registered in
ActivityConfig.ready): a panel on the case page per adult, and a link on the start page for
the section's handlers and heads."""

from __future__ import annotations

from django.utils import timezone

from bistand.cases.models import CaseStatus

from . import rules, selectors
from .permissions import can


def case_panel(request, case) -> dict:
    today = timezone.localdate()
    return {
        "title": "Aktivitetskrav",
        "template": "activity/_case_panel.html",
        "context": {
            "adults": selectors.case_adults(case, today),
            "rules_from": rules.RULES_APPLY_FROM,
            "can_record": can(request.user, "record_exemption")
            and case.status != CaseStatus.CLOSED,
        },
    }


def home_section(request) -> dict | None:
    """Start page: a link to the section's list of people who become covered next month."""
    if not can(request.user, "view_section_coverage"):
        return None
    return {
        "title": "Aktivitetskrav",
        "template": "activity/_home_link.html",
        "context": {},
    }
