"""Shared helpers of the payment services: the transaction-and-refusal wrapper, amounts,
texts, status transitions and id ranges."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.core.errors import DomainError, PermissionRefused

from ..models import (
    ORDER_STATUS_TRANSITIONS,
    RUN_STATUS_TRANSITIONS,
    OrderStatus,
    Payee,
    PaymentOrder,
    PaymentRun,
    RunStatus,
)
from ..permissions import require

CENT = Decimal("0.01")
AUDIT_CHUNK = 5000
ORDER_TYPE = PaymentOrder._meta.label_lower
RUN_TYPE = PaymentRun._meta.label_lower
PAYEE_TYPE = Payee._meta.label_lower


class ChainRefused(PermissionRefused):
    """The broken payment chain stops this act; the message names the rule."""


def payment_service(function):
    """One transaction per service; a refusal is logged (access_denied) after the rollback, so
    the record of the refused attempt survives."""

    @functools.wraps(function)
    def wrapper(actor, *args, **kwargs):
        try:
            with transaction.atomic():
                return function(actor, *args, **kwargs)
        except PermissionRefused as error:
            record(
                actor,
                AuditAction.ACCESS_DENIED,
                object_type=error.context.get("object_type", ""),
                object_id=error.context.get("object_id", ""),
                case_id=error.context.get("case_id"),
                detail={"what": function.__name__, "rule": error.code},
            )
            raise

    return wrapper


def _require_logged(actor, capability: str, what: str) -> None:
    """`require` for services that manage their own transactions: a refusal is logged too."""
    try:
        require(actor, capability)
    except PermissionRefused as error:
        record(actor, AuditAction.ACCESS_DENIED, detail={"what": what, "rule": error.code})
        raise


# --- Small helpers -------------------------------------------------------------------------


def parse_amount(value, what: str = "beloppet") -> Decimal:
    """A positive amount in kronor ('6 500,50', '6500.50', Decimal) -> Decimal with 2 decimals."""
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value if value is not None else "").strip().lower().removesuffix("kr")
        text = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise DomainError(
                "bad_amount", f"Ange {what} i kronor, till exempel 6 500 eller 6 500,50."
            )
    if not amount.is_finite():  # NaN, sNaN, Infinity
        raise DomainError("bad_amount", f"Ange {what} i kronor, till exempel 6 500 eller 6 500,50.")
    if amount <= 0:
        raise DomainError("bad_amount", f"{what.capitalize()} måste vara större än noll.")
    # Before quantize: 1e999 would overflow Decimal's precision there (InvalidOperation).
    if amount >= Decimal("10000000"):
        raise DomainError("bad_amount", f"{what.capitalize()} är orimligt stort.")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise DomainError("bad_amount", f"Ange {what} i kronor med högst två decimaler.")
    return amount.quantize(CENT)


def sek(amount: Decimal) -> str:
    """6890.5 -> '6 890,50 kr'."""
    whole, _, cents = f"{amount:.2f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{' '.join(groups) or '0'},{cents} kr"


def _clean_text(value: str, what: str, max_length: int, *, required: bool = True) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise DomainError("missing", f"Ange {what}.")
    if len(text) > max_length:
        raise DomainError("too_long", f"{what.capitalize()} får vara högst {max_length} tecken.")
    return text


def _transition(order: PaymentOrder, new_status: str) -> None:
    if new_status not in ORDER_STATUS_TRANSITIONS[OrderStatus(order.status)]:
        raise DomainError(
            "bad_transition",
            f"Utbetalningen {order.reference} är {order.get_status_display().lower()} och kan "
            f"inte bli {OrderStatus(new_status).label.lower()}.",
        )
    order.status = new_status


def _transition_run(run: PaymentRun, new_status: str) -> None:
    if new_status not in RUN_STATUS_TRANSITIONS[RunStatus(run.status)]:
        raise DomainError(
            "bad_transition",
            f"Betalningsfilen {run.reference} är {run.get_status_display().lower()} och kan inte "
            f"bli {RunStatus(new_status).label.lower()}.",
        )
    run.status = new_status


def _unit_of(actor):
    if actor.unit_id is None:
        raise DomainError("no_unit", "Du är inte placerad på någon enhet.")
    return actor.unit


def _order_refs(order: PaymentOrder) -> dict:
    return {"object_type": ORDER_TYPE, "object_id": order.pk, "case_id": order.case_id}


def id_ranges(ids: Iterable[int]) -> str:
    """Order ids as compact ranges for an audit record: [1, 2, 3, 7, 9, 10] -> '1-3,7,9-10'."""
    parts: list[str] = []
    start = previous = None
    for current in sorted(ids):
        if previous is not None and current == previous + 1:
            previous = current
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = current
    if start is not None:
        parts.append(str(start) if start == previous else f"{start}-{previous}")
    return ",".join(parts)
