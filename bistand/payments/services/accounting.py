"""Exports: the month's bookings for the accounting system, a case's payments as CSV."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import Case
from bistand.cases.rules import can_open_case
from bistand.core.errors import DomainError, PermissionRefused
from bistand.organisation.models import Role

from ..permissions import require
from .budget import current_settings
from .common import _unit_of


def export_accounting(actor, month: dt.date, fmt: str) -> tuple[bytes, str, str]:
    """The month's bookings for the accounting system: ('csv' | 'sie') -> (data, filename,
    content type). Logged as an export."""
    from .. import exports

    require(actor, "export_accounting")
    unit = _unit_of(actor)
    month = month.replace(day=1)
    if fmt == "csv":
        data = exports.accounting_csv(unit.pk, month)
        filename, content_type = f"utbetalningar-{month:%Y-%m}.csv", "text/csv; charset=utf-8"
    elif fmt == "sie":
        settings_row = current_settings(unit)
        if settings_row is None:
            raise DomainError(
                "no_payment_settings",
                "Enhetens organisationsnummer och utbetalningskonto är inte inlagda.",
            )
        data = exports.accounting_sie(unit.pk, month, settings_row, unit.name, timezone.localdate())
        filename, content_type = f"utbetalningar-{month:%Y-%m}.se", "text/plain; charset=IBM437"
    else:
        raise DomainError("bad_format", "Välj CSV eller SIE.")
    record(
        actor,
        AuditAction.EXPORT,
        object_type="payments.accounting_export",
        object_id=f"{month:%Y-%m}",
        detail={"what": "accounting_export", "format": fmt, "bytes": len(data)},
    )
    return data, filename, content_type


def export_case_payments(actor, case: Case) -> tuple[bytes, str]:
    """A case's payments as CSV, payees masked. The caller has opened the case."""
    from .. import exports

    if not can_open_case(actor, case) and not (
        actor.role in (Role.FINANCE,) and case.unit_id == actor.unit_id
    ):
        raise PermissionRefused(
            "case_access_denied",
            "Du har inte behörighet till ärendet.",
            object_type="cases.case",
            object_id=case.pk,
            case_id=case.pk,
        )
    orders = case.payment_orders.select_related("decision").order_by("created_at", "id")
    data = exports.case_payments_csv(orders)
    record(
        actor,
        AuditAction.EXPORT,
        obj=case,
        case_id=case.pk,
        detail={"what": "case_payments_csv", "orders": len(orders)},
    )
    return data, f"utbetalningar-arende-{case.reference}.csv"
