"""Referral: a decision sent to someone whose delegation covers it, a prepared decision sent
on, a referred or prepared draft made final, and a referral returned."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import Application
from bistand.cases.services import atomic_service
from bistand.core.errors import DomainError, PermissionRefused
from bistand.organisation.models import Role, User

from .. import delegation
from ..models import OPEN_DRAFT_STATUSES, Calculation, Decision, DecisionLine, DecisionStatus
from ..permissions import require
from .common import _require_case
from .decision_common import (
    LineDecision,
    _after_final,
    _audit_final,
    _check_delegation,
    _decision_in_force,
    _line_decisions_of,
    _lock_application,
    _new_decision,
    _set_line_delegation,
    _transition,
    _validate_decision,
)


@atomic_service
def refer_decision(
    actor,
    application: Application,
    *,
    calculation: Calculation,
    lines: Mapping[str, LineDecision],
    support_obstacles: Mapping[int, str],
    referred_to: User,
    reasons: str = "",
    note: str = "",
    replaces: Decision | None = None,
    replacement_reason: str = "",
) -> Decision:
    """Send a prepared decision to someone whose delegation covers it; it waits in their queue."""
    require(actor, "decide")
    application = _lock_application(actor, application)
    calculation = Calculation.objects.get(pk=calculation.pk)
    if replaces is not None:
        replaces = _decision_in_force(replaces)
        if not replacement_reason.strip():
            raise DomainError(
                "replacement_reason_required", "Ange skälet till att beslutet ändras."
            )
    validated = _validate_decision(
        application,
        calculation,
        lines,
        support_obstacles,
        decided_on=timezone.localdate(),
        replacing=replaces,
    )
    candidates = delegation.users_with_delegation(
        application.case.unit_id, validated.needs, application.case
    )
    if referred_to is None or referred_to.pk not in {u.pk for u in candidates}:
        raise DomainError(
            "referral_target_lacks_delegation",
            "Den du valt har inte delegation för hela beslutet eller kan inte öppna ärendet.",
        )
    decision = _new_decision(
        actor,
        validated,
        status=DecisionStatus.REFERRED,
        reasons=reasons.strip(),
        referred_by=actor,
        referred_to=referred_to,
        referred_at=timezone.now(),
        referral_note=note.strip(),
        replaces=replaces,
        replacement_reason=replacement_reason.strip(),
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=decision,
        case_id=decision.case_id,
        detail={
            "referred_to": referred_to.pk,
            "outcome": decision.outcome,
            "total": str(decision.total_granted),
            "replaces": decision.replaces_id,
        },
    )
    return decision


@atomic_service
def refer_prepared_decision(
    actor, decision: Decision, *, referred_to: User, note: str = ""
) -> Decision:
    """A prepared (system) decision the confirming handler may not make goes to a head."""
    require(actor, "decide")
    decision = Decision.objects.select_for_update().select_related("case").get(pk=decision.pk)
    _require_case(actor, decision.case)
    if decision.status != DecisionStatus.PREPARED:
        raise DomainError("not_prepared", "Bara ett förberett beslut kan skickas vidare så här.")
    lines, obstacles = _line_decisions_of(decision)
    validated = _validate_decision(
        decision.application,
        decision.calculation,
        lines,
        obstacles,
        decided_on=timezone.localdate(),
    )
    candidates = delegation.users_with_delegation(
        decision.case.unit_id, validated.needs, decision.case
    )
    if referred_to.pk not in {u.pk for u in candidates}:
        raise DomainError(
            "referral_target_lacks_delegation",
            "Den du valt har inte delegation för hela beslutet eller kan inte öppna ärendet.",
        )
    _transition(decision, DecisionStatus.REFERRED)
    decision.referred_by, decision.referred_to = actor, referred_to
    decision.referred_at, decision.referral_note = timezone.now(), note.strip()
    decision.save()
    record(
        actor,
        AuditAction.UPDATE,
        obj=decision,
        case_id=decision.case_id,
        detail={"referred_to": referred_to.pk},
    )
    return decision


def check_draft_decidable(actor, decision: Decision) -> None:
    """May the actor make this prepared or referred decision final now? (Read-only: the
    confirmation page asks before showing what would be decided.)"""
    require(actor, "decide")
    _require_case(actor, decision.case)
    if decision.status not in OPEN_DRAFT_STATUSES:
        raise DomainError(
            "not_open", f"Beslutet är {decision.get_status_display().lower()} och kan inte fattas."
        )
    if (
        decision.status == DecisionStatus.REFERRED
        and decision.referred_to_id not in (None, actor.pk)
        and actor.role != Role.UNIT_HEAD
    ):
        raise PermissionRefused(
            "referred_to_someone_else",
            f"Beslutet är skickat till {decision.referred_to} för beslut.",
        )


@atomic_service
def decide_draft(actor, decision: Decision) -> Decision:
    """Make a referred or system-prepared decision final, as the actor (with delegation).

    Everything is checked again as of now: the application, the signed investigation, the
    child perspective and the actor's delegation.
    """
    decision = Decision.objects.select_for_update().select_related("case").get(pk=decision.pk)
    check_draft_decidable(actor, decision)
    application = _lock_application(actor, decision.application)
    replacing = _decision_in_force(decision.replaces) if decision.replaces_id else None
    lines, obstacles = _line_decisions_of(decision)
    today = timezone.localdate()
    validated = _validate_decision(
        application, decision.calculation, lines, obstacles, decided_on=today, replacing=replacing
    )
    checked = _check_delegation(actor, validated)
    _set_line_delegation(decision, checked)
    for line in validated.lines:
        DecisionLine.objects.filter(decision=decision, key=line["key"]).update(
            legal_basis=line["legal_basis"]
        )
    _transition(decision, DecisionStatus.FINAL)
    now = timezone.now()
    decision.decided_by = actor
    decision.decided_at = now
    decision.decided_on = timezone.localdate(now)
    decision.delegation_points = checked.points
    decision.investigation_version = validated.version
    decision.child_perspective_version = validated.version if validated.has_children else None
    decision.save()
    _after_final(actor, decision)
    _audit_final(actor, decision)
    return decision


confirm_prepared_decision = decide_draft


@atomic_service
def return_referral(actor, decision: Decision, note: str) -> Decision:
    """The head sends a referred decision back without deciding it, saying why."""
    require(actor, "decide")
    decision = Decision.objects.select_for_update().select_related("case").get(pk=decision.pk)
    _require_case(actor, decision.case)
    if decision.status != DecisionStatus.REFERRED:
        raise DomainError("not_referred", "Bara ett beslut som skickats för beslut kan återsändas.")
    if decision.referred_to_id not in (None, actor.pk) and actor.role != Role.UNIT_HEAD:
        raise PermissionRefused("referred_to_someone_else", "Beslutet är skickat till någon annan.")
    if not note.strip():
        raise DomainError("note_required", "Skriv varför beslutet återsänds.")
    _transition(decision, DecisionStatus.RETURNED)
    decision.returned_note = note.strip()
    decision.returned_at = timezone.now()
    decision.save()
    record(
        actor, AuditAction.UPDATE, obj=decision, case_id=decision.case_id, detail={"returned": note}
    )
    return decision
