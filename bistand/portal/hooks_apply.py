"""The e-service on the staff pages: what the household filed online and the completion
requests on the case page (`cases.views.CASE_PANELS`), and Nytt från sökande on the start page
(`cases.views.HOME_SECTIONS`), registered from `PortalConfig.ready()`."""

from __future__ import annotations

from bistand.cases import selectors as case_selectors
from bistand.cases.models import CaseStatus
from bistand.organisation.permissions import can

from . import selectors_apply, staff_notices


def case_panel(request, case) -> dict:
    rows = selectors_apply.completion_rows(case)
    return {
        "title": "E-tjänsten",
        "template": "portal/apply/_case_panel.html",
        "context": {
            "case": case,
            "submitted": selectors_apply.submitted_of(case),
            "requests": rows,
            "overdue": sum(1 for row in rows if row.overdue),
            "can_request": can(request.user, "handle_application")
            and case.status != CaseStatus.CLOSED,
        },
    }


def home_section(request) -> dict | None:
    """Start page: Nytt från sökande, the cases where the applicant sent something the user
    has not read (registered in `cases.views.HOME_SECTIONS`). The list read is logged."""
    count, rows = staff_notices.home_news(request.user)
    if not count:
        return None
    case_selectors.log_case_list_read(request.user, "applicant_news", [row.case for row in rows])
    return {
        "title": "Nytt från sökande",
        "template": "portal/staff/_home_news.html",
        "context": {"count": count, "rows": rows},
    }
