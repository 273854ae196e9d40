"""Deciding an application, previewing the decision first, and replacing (correcting) a
final decision with a new one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from bistand.cases.models import Application
from bistand.cases.services import atomic_service
from bistand.core.errors import DomainError

from .. import register_checks
from ..models import Appeal, AppealStatus, Calculation, Decision
from ..permissions import require
from .common import _require_case
from .decision_common import (
    LineDecision,
    _check_delegation,
    _decision_in_force,
    _finalise_new,
    _lock_application,
    _validate_decision,
)


@atomic_service
def decide_application(
    actor,
    application: Application,
    *,
    calculation: Calculation,
    lines: Mapping[str, LineDecision],
    support_obstacles: Mapping[int, str],
    reasons: str = "",
) -> Decision:
    """Decide the application from its signed investigation and saved calculation.

    Refused, with nothing written, when a rule is not met or the decision is outside the
    actor's delegation (OutsideDelegation names who may make it: see refer_decision).
    """
    require(actor, "decide")
    application = _lock_application(actor, application)
    calculation = Calculation.objects.get(pk=calculation.pk)
    today = timezone.localdate()
    validated = _validate_decision(
        application, calculation, lines, support_obstacles, decided_on=today
    )
    checked = _check_delegation(actor, validated)
    return _finalise_new(actor, validated, checked, reasons=reasons.strip())


@dataclass
class DecisionPreview:
    """What a decision would say, shown for confirmation before it is made (nothing written)."""

    lines: list[dict]
    outcome: str
    total: Decimal
    obstacles: list[dict]


def preview_decision(
    actor,
    application: Application,
    *,
    calculation: Calculation,
    lines: Mapping[str, LineDecision],
    support_obstacles: Mapping[int, str],
    replacing: Decision | None = None,
    replacement_reason: str = "",
) -> DecisionPreview:
    """Every check `decide_application` (or `replace_decision`) makes before writing, without
    writing: the rules of the decision, the delegation and the required register checks.
    Raises the same errors, so the confirmation page is shown only for a decision that can be
    made as it stands."""
    require(actor, "decide")
    application = Application.objects.select_related("case__household").get(pk=application.pk)
    _require_case(actor, application.case)
    calculation = Calculation.objects.get(pk=calculation.pk)
    if replacing is not None and not replacement_reason.strip():
        raise DomainError("replacement_reason_required", "Ange skälet till att beslutet ändras.")
    validated = _validate_decision(
        application,
        calculation,
        lines,
        support_obstacles,
        decided_on=timezone.localdate(),
        replacing=replacing,
    )
    _check_delegation(actor, validated)
    checks = register_checks.status(application)
    if not checks.get("ok", True):
        raise DomainError("register_checks_missing", checks.get("message", ""))
    return DecisionPreview(validated.lines, validated.outcome, validated.total, validated.obstacles)


@atomic_service
def replace_decision(
    actor,
    decision: Decision,
    *,
    reason: str,
    lines: Mapping[str, LineDecision],
    support_obstacles: Mapping[int, str],
    reasons: str = "",
    calculation: Calculation | None = None,
    appeal: Appeal | None = None,
) -> Decision:
    """Correct a decision with a new one that replaces it; the old one stays as it was."""
    require(actor, "decide")
    old = _decision_in_force(decision)
    _require_case(actor, old.case)
    if not reason.strip():
        raise DomainError("replacement_reason_required", "Ange skälet till att beslutet ändras.")
    application = _lock_application(actor, old.application)
    calculation = Calculation.objects.get(pk=(calculation or old.calculation).pk)
    validated = _validate_decision(
        application,
        calculation,
        lines,
        support_obstacles,
        decided_on=timezone.localdate(),
        replacing=old,
    )
    checked = _check_delegation(actor, validated)
    new = _finalise_new(
        actor,
        validated,
        checked,
        reasons=reasons.strip(),
        replaces=old,
        replacement_reason=reason.strip(),
    )
    if appeal is not None:
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.decision_id != old.pk or appeal.status != AppealStatus.REGISTERED:
            raise DomainError(
                "appeal_mismatch",
                "Överklagandet gäller inte det här beslutet eller är redan handlagt.",
            )
        appeal.new_decision = new
        appeal.save(update_fields=["new_decision"])
    return new
