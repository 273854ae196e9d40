"""What the controls app's monthly sample (stickprov) reads of decisions, asked through
`DecisionsConfig` (controls sits beside decisions and may not import it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bistand.core.dates import add_months, month_start

from .models import Decision, DecisionStatus


def sample_candidates(unit_id: int, month: dt.date) -> list[dict]:
    """The unit's final decisions made in `month`: [{"id", "case_id", "decided_by_id"}]."""
    start = month_start(month)
    return list(
        Decision.objects.filter(
            case__unit_id=unit_id,
            status=DecisionStatus.FINAL,
            decided_on__gte=start,
            decided_on__lt=add_months(start, 1),
        )
        .order_by("id")
        .values("id", "case_id", "decided_by_id")
    )


def sample_decision_summaries(decision_ids: list[int]) -> dict[int, dict]:
    """For the reviewer: the decision's facts, lines and the evidence it rests on."""
    decisions = (
        Decision.objects.filter(pk__in=decision_ids)
        .select_related("case", "decided_by")
        .prefetch_related("lines")
    )
    summaries = {}
    for decision in decisions:
        lines = list(decision.lines.all())
        summaries[decision.pk] = {
            "id": decision.pk,
            "reference": decision.reference,
            "case_id": decision.case_id,
            "case_reference": decision.case.reference,
            "case_type": decision.case.case_type,
            "month": decision.month,
            "decided_on": decision.decided_on,
            "decided_by": decision.decided_by.get_full_name() or decision.decided_by.username
            if decision.decided_by
            else "",
            "automatic": decision.automatic,
            "outcome": decision.get_outcome_display(),
            "delegation_points": decision.delegation_points,
            "has_children": decision.has_children,
            "child_perspective_recorded": decision.child_perspective_version_id is not None,
            "investigation_recorded": decision.investigation_version_id is not None,
            "replaces": decision.replaces_id,
            "granted_total": sum((line.amount_granted for line in lines), Decimal("0")),
            "lines": [
                {
                    "kind": line.get_kind_display(),
                    "description": line.description,
                    "outcome": line.get_outcome_display(),
                    "applied": line.amount_applied,
                    "granted": line.amount_granted,
                    "legal_basis": line.legal_basis,
                }
                for line in lines
            ],
        }
    return summaries
