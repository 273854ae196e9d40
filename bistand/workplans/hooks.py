"""What workplans adds to the pages of cases (registered in WorkplansConfig.ready): a panel on
the case page, the handover panel, a start-page section, timeline items and the reaction to a
reassignment."""

from __future__ import annotations

from django.utils import timezone

from bistand.cases.models import CaseStatus
from bistand.organisation.models import Role

from . import selectors, services
from .models import PlanState
from .permissions import can


def case_panel(request, case) -> dict:
    """The plan on the case page: state, goals, next follow-up and what needs doing."""
    today = timezone.localdate()
    plan = selectors.plan_of(case)
    version = (plan.latest_confirmed() or plan.draft()) if plan else None
    state = selectors.plan_state(case, plan, today)
    return {
        "title": "Arbetsplan",
        "template": "workplans/_case_panel.html",
        "context": {
            "state": state,
            "state_label": PlanState(state).label,
            "plan": plan,
            "version": version,
            "open_items": selectors.open_items(case, plan, today),
            "reentry": selectors.reentry_for(case),
            "can_edit": can(request.user, "edit_plan", case) and case.status != CaseStatus.CLOSED,
        },
    }


def handover_panel(request, case) -> dict:
    """On the reassignment page: where the client stands, for the new handler."""
    return {
        "title": "Arbetsplan",
        "template": "workplans/_handover_panel.html",
        "context": {"summary": selectors.handover_summary(case)},
    }


def home_section(request) -> dict | None:
    """Start page: the worker's follow-ups due or overdue and flagged C cases; for heads, how
    many plans in the section are overdue."""
    user = request.user
    today = timezone.localdate()
    if user.role in (Role.SOCIAL_WORKER, Role.BENEFIT_ADMINISTRATOR):
        due, flagged = selectors.my_follow_ups(user, today)
        if not due and not flagged:
            return None
        return {
            "title": "Uppföljningar",
            "template": "workplans/_home_due.html",
            "context": {"due": due, "flagged": flagged, "today": today},
        }
    if user.role in (Role.SECTION_HEAD, Role.UNIT_HEAD):
        return {
            "title": "Planer",
            "template": "workplans/_home_head.html",
            "context": {"overdue": selectors.section_overdue_count(user, today)},
        }
    return None


def on_assignment_saved(sender, instance, created, **kwargs) -> None:
    if created:
        services.on_case_assigned(instance)
