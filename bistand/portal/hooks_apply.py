"""The e-service on the staff case page: what the household filed online and the completion
requests (registered in `cases.views.CASE_PANELS` from `PortalConfig.ready()`)."""

from __future__ import annotations

from bistand.cases.models import CaseStatus
from bistand.organisation.permissions import can

from . import selectors_apply


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
