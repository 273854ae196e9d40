"""Deductions (avräkning) from payment orders against recovery claims (återkrav).

A payment to the household's own account (or in cash) for a month with a deduction plan in
force is reduced by what the claim's rules allow (controls.recovery.plan_deductions): the
order carries the net amount, its message to the bank (the pain.001 remittance text) says what
was deducted, and the deduction is written on the claim's ledger in the same transaction. A
cancelled order's deduction goes back on the balance. Invoices and requisitions are never
reduced: the landlord's rent or the shop's goods are paid in full. docs/recovery.md.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet, Sum

from bistand.controls import recovery
from bistand.core.errors import DomainError

from ..models import COMMITTED_STATUSES, PaymentMethod, PaymentOrder
from .common import sek

DEDUCTED_METHODS = (PaymentMethod.ACCOUNT, PaymentMethod.CASH)
MARKER = " | Avräknat"


def deducted_on(orders) -> Decimal:
    """Net amount deducted from these orders (a queryset of orders, or ids)."""
    if isinstance(orders, QuerySet):
        orders = orders.values("id")
    return recovery.deducted_from_orders(orders)


def _paid_before(case, month) -> Decimal:
    """What the household already gets in hand for the month from other orders (net)."""
    total = PaymentOrder.objects.filter(
        case=case, month=month, method__in=DEDUCTED_METHODS, status__in=COMMITTED_STATUSES
    ).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0.00")


def plan_for_order(case, month, method: str, gross: Decimal, requested) -> list:
    """The deductions to make from a new order of `gross` (none for invoices and requisitions;
    a requested deduction on those is refused)."""
    if method not in DEDUCTED_METHODS:
        if requested not in (None, "") and recovery.parse_amount(
            requested, "avräkningen", allow_zero=True
        ):
            raise DomainError(
                "deduction_not_for_method",
                "Avräkning görs bara från utbetalningar till hushållets eget konto eller kontant, "
                "aldrig från en faktura eller rekvisition.",
            )
        return []
    return recovery.plan_deductions(
        case.pk, month, gross=gross, paid_before=_paid_before(case, month), requested=requested
    )


def net_of(planned: list, gross: Decimal, fields: dict) -> tuple[Decimal, dict]:
    """The order's amount after the deductions, and its message naming them."""
    total = sum((deduction.amount for deduction in planned), Decimal("0.00"))
    if fields.get("message") and MARKER in fields["message"]:  # a reissued order's old note
        fields = {**fields, "message": fields["message"].split(MARKER)[0]}
    if not planned:
        return gross, fields
    net = gross - total
    if net <= 0:
        raise DomainError(
            "deduction_takes_all",
            f"Avräkningen skulle ta hela utbetalningen ({sek(gross)}); en utbetalning på 0 kr "
            "kan inte göras. Ange en mindre avräkning.",
        )
    refs = ", ".join(deduction.claim.reference for deduction in planned)
    note = f"{MARKER} {sek(total)} återkrav {refs}"
    base = (fields.get("message") or "").split(MARKER)[0]
    fields = {**fields, "message": (base[: 140 - len(note)] + note)[:140]}
    return net, fields


def record_for_order(actor, planned: list, order: PaymentOrder) -> None:
    if planned:
        recovery.record_deductions(actor, planned, payment_order_id=order.pk, month=order.month)


def reverse_for_order(actor, order: PaymentOrder, reason: str) -> None:
    recovery.reverse_deductions(actor, order.pk, reason=f"Utbetalningen makulerad: {reason}")
