"""The unit's local guidelines (four-eyes verified) and decision settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.calculation import COST_TYPES, CalculationError, LocalGuidelines
from bistand.cases.services import atomic_service
from bistand.core.errors import DomainError, PermissionRefused
from bistand.organisation.models import Role, Unit
from bistand.organisation.permissions import can as organisation_can

from .. import calculations as calc
from ..models import DecisionSettings, LocalGuideline
from ..permissions import can as decision_can
from ..permissions import require
from .common import _require_own_unit


@atomic_service
def set_local_guidelines(
    actor,
    unit: Unit,
    *,
    valid_from: dt.date,
    name: str,
    rent_ceilings: Mapping[Any, Any],
    cost_ceilings: Mapping[str, Any] | None = None,
    note: str = "",
) -> LocalGuideline:
    """A new dated row of the municipality's guidelines (earlier rows stay as history)."""
    require(actor, "manage_decision_settings")
    _require_own_unit(actor, unit)
    if not name.strip():
        raise DomainError(
            "name_required", "Ge riktlinjerna ett namn (t.ex. beslutet de bygger på)."
        )
    if valid_from is None:
        raise DomainError("valid_from_required", "Ange från vilket datum riktlinjerna gäller.")
    rents: dict[str, str] = {}
    for size, amount in (rent_ceilings or {}).items():
        if not str(size).isdigit() or int(size) < 1:
            raise DomainError(
                "bad_household_size", f"Hushållsstorleken måste vara 1, 2, 3 … (fick {size!r})."
            )
        rents[str(int(size))] = calc.parse_money(amount, f"hushåll med {size} personer")
    costs: dict[str, str] = {}
    for cost_type, amount in (cost_ceilings or {}).items():
        if cost_type not in COST_TYPES or cost_type == "rent":
            raise DomainError("bad_cost_type", f"Okänd kostnadstyp för tak: {cost_type!r}.")
        costs[cost_type] = calc.parse_money(amount, COST_TYPES[cost_type].label)
    try:
        LocalGuidelines(
            name=name,
            valid_from=valid_from,
            rent_ceilings={int(k): Decimal(v) for k, v in rents.items()},
            cost_ceilings={k: Decimal(v) for k, v in costs.items()},
        )
    except CalculationError as error:
        raise DomainError(error.code, error.message)
    row = LocalGuideline.objects.create(
        unit=unit,
        valid_from=valid_from,
        name=name.strip(),
        rent_ceilings=rents,
        cost_ceilings=costs,
        note=note.strip(),
        created_by=actor,
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=row,
        detail={
            "after": {
                "valid_from": valid_from.isoformat(),
                "rent_ceilings": rents,
                "cost_ceilings": costs,
                "note": note,
            }
        },
    )
    return row


def may_verify_guidelines(actor, row: LocalGuideline) -> bool:
    """A second person in the unit: a system administrator, the unit head or a named rules
    maintainer, never the person who entered the row."""
    return (
        row.verified_at is None
        and actor.unit_id == row.unit_id
        and actor.pk != row.created_by_id
        and (
            decision_can(actor, "manage_decision_settings")
            or organisation_can(actor, "maintain_rules")
            or actor.role == Role.UNIT_HEAD
        )
    )


@atomic_service
def verify_local_guidelines(actor, row: LocalGuideline) -> LocalGuideline:
    """The second person's check of new guideline ceilings (four-eyes); they apply from
    their date only once verified."""
    row = LocalGuideline.objects.select_for_update().get(pk=row.pk)
    if row.verified_at is not None:
        raise DomainError("already_verified", "Riktlinjerna är redan verifierade.")
    if actor.pk == row.created_by_id:
        raise PermissionRefused(
            "four_eyes",
            "Du har själv lagt in riktlinjerna och kan inte verifiera dem. En annan person "
            "ska granska dem mot nämndens beslut.",
        )
    if not may_verify_guidelines(actor, row):
        raise PermissionRefused(
            "role_not_permitted", "Du får inte verifiera den här enhetens riktlinjer."
        )
    row.verified_by = actor
    row.verified_at = timezone.now()
    row.save()
    record(actor, AuditAction.SIGN, obj=row, detail={"verified": str(row)})
    return row


def current_decision_settings(unit_id: int) -> DecisionSettings:
    """The unit's settings in force (the latest row), or the defaults (unsaved) if none."""
    row = DecisionSettings.objects.filter(unit_id=unit_id).order_by("-id").first()
    return row or DecisionSettings(unit_id=unit_id)


@atomic_service
def change_decision_settings(
    actor,
    unit: Unit,
    *,
    automatic_repeat_decisions: bool,
    cost_tolerance_percent: Decimal,
    cost_tolerance_amount: Decimal,
    income_tolerance_percent: Decimal,
    income_tolerance_amount: Decimal,
    review_sample_size: int,
    note: str = "",
) -> DecisionSettings:
    """A new row of the unit's decision settings (the previous ones stay as history)."""
    require(actor, "manage_decision_settings")
    _require_own_unit(actor, unit)
    values = {
        "cost_tolerance_percent": cost_tolerance_percent,
        "income_tolerance_percent": income_tolerance_percent,
        "cost_tolerance_amount": cost_tolerance_amount,
        "income_tolerance_amount": income_tolerance_amount,
    }
    for name, value in values.items():
        if value is None or Decimal(value) < 0:
            raise DomainError("bad_tolerance", "Toleranserna måste vara 0 eller större.")
        if name.endswith("percent") and Decimal(value) > 50:
            raise DomainError("bad_tolerance", "En tolerans över 50 % är inte rimlig.")
    if review_sample_size is None or int(review_sample_size) < 0:
        raise DomainError("bad_sample", "Antalet beslut att granska kan inte vara negativt.")
    if automatic_repeat_decisions and int(review_sample_size) < 1:
        raise DomainError(
            "sample_required",
            "Med automatiska beslut måste minst ett beslut per dag granskas av en människa.",
        )
    before = current_decision_settings(unit.pk)
    row = DecisionSettings.objects.create(
        unit=unit,
        automatic_repeat_decisions=bool(automatic_repeat_decisions),
        review_sample_size=int(review_sample_size),
        note=note.strip(),
        created_by=actor,
        **{k: Decimal(v) for k, v in values.items()},
    )
    record(
        actor,
        AuditAction.UPDATE,
        obj=row,
        detail={
            "before": {
                "automatic_repeat_decisions": before.automatic_repeat_decisions,
                "review_sample_size": before.review_sample_size,
            },
            "after": {
                "automatic_repeat_decisions": row.automatic_repeat_decisions,
                "review_sample_size": row.review_sample_size,
                **{k: str(v) for k, v in values.items()},
            },
            "note": note,
        },
    )
    return row
