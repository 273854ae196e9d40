"""The unit's delegation order: the default seed, new points and retired ones."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.services import atomic_service
from bistand.core.errors import DomainError
from bistand.organisation.models import Role, Unit

from .. import calculations as calc
from .. import delegation
from ..models import DelegationKind, DelegationRule
from ..permissions import require
from .common import _require_own_unit


def ensure_default_delegation(unit: Unit, actor=None) -> int:
    """Seed the default delegation order for a unit that has none; returns rows created."""
    with transaction.atomic():
        if DelegationRule.objects.filter(unit=unit).exists():
            return 0
        rules = DelegationRule.objects.bulk_create(
            DelegationRule(
                unit=unit,
                point=point,
                kind=kind,
                role=role,
                max_amount=ceiling,
                label=label,
                created_by=actor,
            )
            for point, kind, role, ceiling, label in delegation.DEFAULT_DELEGATION
        )
        record(
            actor,
            AuditAction.CREATE,
            object_type="decisions.delegationrule",
            object_id=f"unit:{unit.pk}",
            detail={"default_delegation": len(rules)},
        )
        return len(rules)


@atomic_service
def add_delegation_rule(
    actor,
    unit: Unit,
    *,
    point: str,
    kind: str,
    role: str,
    max_amount: Decimal | str | None,
    label: str = "",
) -> DelegationRule:
    require(actor, "manage_decision_settings")
    _require_own_unit(actor, unit)
    if not point.strip():
        raise DomainError("point_required", "Ange delegationspunktens nummer.")
    if kind not in DelegationKind.values:
        raise DomainError("bad_kind", "Okänd beslutstyp.")
    if role not in (
        Role.SOCIAL_WORKER,
        Role.BENEFIT_ADMINISTRATOR,
        Role.SECTION_HEAD,
        Role.UNIT_HEAD,
    ):
        raise DomainError("bad_role", "Bara handläggare och chefer kan ha delegation att besluta.")
    ceiling = None
    if max_amount not in (None, ""):
        ceiling = Decimal(calc.parse_money(max_amount, "högsta belopp"))
    rule = DelegationRule.objects.create(
        unit=unit,
        point=point.strip(),
        kind=kind,
        role=role,
        max_amount=ceiling,
        label=label.strip(),
        created_by=actor,
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=rule,
        detail={
            "after": {
                "point": rule.point,
                "kind": kind,
                "role": role,
                "max_amount": None if ceiling is None else str(ceiling),
            }
        },
    )
    return rule


@atomic_service
def retire_delegation_rule(actor, rule: DelegationRule) -> DelegationRule:
    """End a delegation point; decisions made under it keep pointing at it."""
    require(actor, "manage_decision_settings")
    rule = DelegationRule.objects.select_for_update().get(pk=rule.pk)
    _require_own_unit(actor, rule.unit)
    if rule.retired_at is not None:
        raise DomainError("already_retired", "Delegationspunkten är redan avslutad.")
    rule.retired_at = timezone.now()
    rule.retired_by = actor
    rule.save(update_fields=["retired_at", "retired_by"])
    record(actor, AuditAction.UPDATE, obj=rule, detail={"after": {"retired": True}})
    return rule
