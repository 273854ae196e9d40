"""What decisions adds to pages owned by other apps: the case panel, the start page, the case
timeline and the menu. Registered from DecisionsConfig.ready()."""

from __future__ import annotations

from django.db.models.fields.json import KeyTransform
from django.urls import reverse
from django.utils import timezone

from bistand.cases import history
from bistand.cases.models import ENDED_WITHOUT_DECISION, UNDECIDED_STATUSES
from bistand.cases.selectors import TimelineItem

from . import selectors
from .models import Appeal, Calculation, Decision, DecisionStatus
from .permissions import can


def _case_appeals(case) -> list[Appeal]:
    """The case's appeals, read once per case object (the panel and the timeline show them)."""
    cached = getattr(case, "_bistand_case_appeals", None)
    if cached is None:
        cached = case._bistand_case_appeals = list(
            Appeal.objects.filter(case=case).select_related("decision")
        )
    return cached


def _case_decisions(case) -> list[Decision]:
    """The case's decisions and drafts, read once per case object (the panel and the timeline
    show them)."""
    cached = getattr(case, "_bistand_case_decisions", None)
    if cached is None:
        cached = case._bistand_case_decisions = selectors.case_decisions(case)
    return cached


CALCULATION_BULK = ("members", "costs", "incomes", "norm_adjustments", "input", "result", "error")


def case_panel(request, case) -> dict:
    """The 'Beräkning och beslut' panel on the case page."""
    today = timezone.localdate()
    # The panel shows each calculation's date, amount and warnings: the inputs and the
    # result (JSON, the bulk of a row) stay in the database, the warnings come as one key.
    calculations = list(
        Calculation.objects.filter(case=case)
        .defer(*CALCULATION_BULK)
        .annotate(result_warnings=KeyTransform("warnings", "result"))
        .order_by("-created_at", "-id")
        .select_related("saved_by")
    )
    decisions = _case_decisions(case)
    replaced = {d.replaces_id for d in decisions if d.status == DecisionStatus.FINAL}
    rows = []
    # newest month first, as ORDER BY month DESC, id DESC (sorted here: the case page has
    # the case's applications prefetched)
    applications = sorted(case.applications.all(), key=lambda a: (a.month, a.id), reverse=True)
    times = selectors.decision_times(
        [a for a in applications if a.status not in ENDED_WITHOUT_DECISION],
        today,
        decisions=decisions,
    )
    for application in applications:
        mine = [c for c in calculations if c.application_id == application.pk]
        own = [d for d in decisions if d.application_id == application.pk]
        final = [d for d in own if d.status == DecisionStatus.FINAL]
        rows.append(
            {
                "application": application,
                "draft": next((c for c in mine if c.saved_at is None), None),
                "saved": next((c for c in mine if c.saved_at is not None), None),
                "in_force": next((d for d in final if d.pk not in replaced), None),
                "drafts": [
                    d for d in own if d.status in (DecisionStatus.PREPARED, DecisionStatus.REFERRED)
                ],
                "time": times.get(application.pk),
            }
        )
    # The history window (cases.history): older months only while something is left to do.
    since = history.history_since(request)
    rows, hidden_rows = history.split(
        rows,
        since,
        day=lambda row: row["application"].month,
        keep=lambda row: (
            row["application"].status in UNDECIDED_STATUSES
            or row["draft"] is not None
            or bool(row["drafts"])
        ),
    )
    finals, hidden_finals = history.split(
        [d for d in decisions if d.status == DecisionStatus.FINAL],
        since,
        day=lambda d: max(d.month, d.decided_on or d.month),
    )
    return {
        "title": "Beräkning och beslut",
        "template": "decisions/_case_panel.html",
        "context": {
            "case": case,
            "rows": rows,
            "hidden": hidden_rows + hidden_finals,
            "history": history.links(request.GET),
            "decisions": finals,
            "appeals": _case_appeals(case),
            "can_calculate": can(request.user, "calculate"),
            "can_decide": can(request.user, "decide"),
            "target_days": selectors.DECISION_TARGET_DAYS,
        },
    }


def home_section(request):
    """On the start page: decisions waiting for the user, and appeal deadlines for heads."""
    user = request.user
    if not can(user, "decide"):
        return None
    referrals = list(selectors.referrals_for(user)[:20])
    prepared = list(selectors.prepared_for(user)[:20])
    returned = list(selectors.returned_to(user))
    deadlines = (
        selectors.appeal_deadlines(user, due_only=True, limit=10)
        if can(user, "view_decision_overview")
        else []
    )
    if not (referrals or prepared or returned or deadlines):
        return None
    return {
        "title": "Beslut",
        "template": "decisions/_home_section.html",
        "context": {
            "referrals": referrals,
            "prepared": prepared,
            "returned": returned,
            "deadlines": deadlines[:10],
            "is_head": can(user, "view_decision_overview"),
        },
    }


def timeline(case, since=None) -> list[TimelineItem]:
    """The case's final decisions and appeals (read once with the panel: `since` unused)."""
    items = []
    for decision in (d for d in _case_decisions(case) if d.status == DecisionStatus.FINAL):
        label = f"Beslut: {decision.get_outcome_display()}"
        if decision.replaces_id:
            label += " (ändrat beslut)"
        items.append(
            TimelineItem(
                decision.decided_on,
                decision.decided_at,
                "decision",
                label,
                decision,
                text=f"{decision.reference} – {decision.month:%Y-%m}, beviljat {decision.total_granted} kr",
                url=reverse("decisions:decision", args=[decision.pk]),
            )
        )
    for appeal in _case_appeals(case):
        items.append(
            TimelineItem(
                appeal.received_on,
                appeal.registered_at,
                "appeal",
                "Överklagande",
                appeal,
                text=f"Överklagande av {appeal.decision.reference} – {appeal.get_status_display()}",
                url=reverse("decisions:appeal", args=[appeal.pk]),
            )
        )
    return items
