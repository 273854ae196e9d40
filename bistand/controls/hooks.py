"""What controls adds to pages owned by other apps: the check panel on the case page and on
the decision form (registered in ControlsConfig.ready / asked through it)."""

from __future__ import annotations

from bistand.cases.models import UNDECIDED_STATUSES, CaseStatus

from . import rules, selectors
from .forms import ManualCheckForm, RegisterCheckForm
from .permissions import can


def _month_statuses(case) -> list[dict]:
    """Each undecided application's checks status, read set-wise (no queries per month)."""
    applications = sorted(
        (a for a in case.applications.all() if a.status in UNDECIDED_STATUSES),
        key=lambda a: a.month,
        reverse=True,
    )
    statuses = rules.status_for_many(applications)
    return [
        {"application": application, "status": statuses[application.pk]}
        for application in applications
    ]


def case_panel(request, case) -> dict:
    """ "Kontroller" on the case page: what the undecided applications need, the checks made."""
    may_check = can(request.user, "check") and case.status != CaseStatus.CLOSED
    return {
        "title": "Kontroller",
        "template": "controls/_case_panel.html",
        "context": {
            "case": case,
            "months": _month_statuses(case),
            "checks": list(selectors.checks_of_case(case)[:50]),
            "can_check": may_check,
            "register_form": RegisterCheckForm(case=case) if may_check else None,
            "manual_form": ManualCheckForm(case=case) if may_check else None,
        },
    }


def decision_form_panel(request, application) -> dict:
    """On the decision form: the required checks of the month and the answers, side by side."""
    status = rules.status_for(application)
    return {
        "template": "controls/_decision_panel.html",
        "context": {
            "case": application.case,
            "application": application,
            "status": status,
            "can_check": can(request.user, "check"),
        },
    }
