"""What every act in decisions shares: the case and own-unit access checks."""

from __future__ import annotations

from decimal import Decimal

from bistand.cases.models import Case
from bistand.cases.rules import can_open_case
from bistand.core.errors import PermissionRefused
from bistand.organisation.models import Unit

ZERO = Decimal("0.00")


def _require_case(actor, case: Case) -> None:
    if not can_open_case(actor, case):
        raise PermissionRefused(
            "case_access_denied",
            "Du har inte behörighet till det här ärendet.",
            case_id=case.pk,
            log_case_id=case.pk,
        )


def _require_own_unit(actor, unit: Unit) -> None:
    if actor.unit_id != unit.pk:
        raise PermissionRefused("other_unit", "Du kan bara ändra inställningar för din egen enhet.")
