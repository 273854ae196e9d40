"""The changes payments hands to the controls app's review queue (registered in ready()):
payee account changes, manual (cash) payments, requisitions and decisions above the unit's
amount limit (beloppsspärr). Each is signed off once by someone who did not make it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from bistand.controls.review_queue import QueueItem, QueueSource, register_queue_source
from bistand.decisions.models import Decision, DecisionStatus

from .models import OrderStatus, PayeeAccount, PaymentMethod, PaymentOrder, PaymentSettings

PAYEE_ACCOUNT = "payee_account"
MANUAL_PAYMENT = "manual_payment"
REQUISITION = "requisition"
DECISION_ABOVE_LIMIT = "decision_above_limit"


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _start(since: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(since, dt.time()))


# --- Payee account changes (a second or later account version) -------------------------------


def _accounts(unit_id: int):
    return PayeeAccount.objects.filter(payee__unit_id=unit_id, version__gt=1).select_related(
        "payee", "registered_by"
    )


def _account_item(account: PayeeAccount) -> QueueItem:
    return QueueItem(
        kind=PAYEE_ACCOUNT,
        object_id=account.pk,
        unit_id=account.payee.unit_id,
        made_at=account.registered_at,
        summary=f"{account.payee.name}: nytt konto {account.masked} (version {account.version})",
        made_by_ids=(account.registered_by_id,),
        made_by=_name(account.registered_by),
        extra={"reason": account.reason},
    )


def account_items(unit_id: int, since: dt.date) -> list[QueueItem]:
    rows = _accounts(unit_id).filter(registered_at__gte=_start(since)).order_by("registered_at")
    return [_account_item(account) for account in rows]


def account_get(unit_id: int, object_id: int) -> QueueItem | None:
    account = _accounts(unit_id).filter(pk=object_id).first()
    return _account_item(account) if account else None


# --- Orders paid by hand: cash, requisitions --------------------------------------------------


def _orders(unit_id: int, method: str):
    return (
        PaymentOrder.objects.filter(unit_id=unit_id, method=method)
        .exclude(status=OrderStatus.CANCELLED)
        .select_related("created_by", "paid_recorded_by", "decision")
    )


def _order_item(kind: str, order: PaymentOrder) -> QueueItem:
    what = (
        f"rekvisition {order.requisition_number} ({order.requisition_supplier})"
        if order.method == PaymentMethod.REQUISITION
        else "kontant utbetalning"
    )
    makers = tuple(i for i in (order.created_by_id, order.paid_recorded_by_id) if i)
    return QueueItem(
        kind=kind,
        object_id=order.pk,
        unit_id=order.unit_id,
        made_at=order.created_at,
        summary=f"{what}: {order.amount} kr, {order.payee_name} ({order.get_status_display()})",
        made_by_ids=makers,
        made_by=_name(order.created_by),
        case_id=order.case_id,
        extra={"cash_reason": order.cash_reason, "note": order.manual_payment_note},
    )


def _order_source(kind: str, method: str):
    def items(unit_id: int, since: dt.date) -> list[QueueItem]:
        rows = _orders(unit_id, method).filter(created_at__gte=_start(since)).order_by("created_at")
        return [_order_item(kind, order) for order in rows]

    def get(unit_id: int, object_id: int) -> QueueItem | None:
        order = _orders(unit_id, method).filter(pk=object_id).first()
        return _order_item(kind, order) if order else None

    return items, get


# --- Decisions granting more than the amount limit --------------------------------------------


def _limit(unit_id: int) -> Decimal | None:
    row = PaymentSettings.objects.filter(unit_id=unit_id).order_by("-id").first()
    return row.amount_limit if row else None


def _decisions(unit_id: int):
    limit = _limit(unit_id)
    if limit is None:
        return Decision.objects.none(), None
    rows = (
        Decision.objects.filter(case__unit_id=unit_id, status=DecisionStatus.FINAL)
        .annotate(granted_total=Sum("lines__amount_granted"))
        .filter(granted_total__gt=limit)
        .select_related("decided_by")
    )
    return rows, limit


def _decision_item(decision: Decision, unit_id: int, limit: Decimal) -> QueueItem:
    return QueueItem(
        kind=DECISION_ABOVE_LIMIT,
        object_id=decision.pk,
        unit_id=unit_id,
        made_at=decision.decided_at,
        summary=f"Beslut {decision.reference}: beviljat {decision.granted_total} kr "
        f"(beloppsspärr {limit} kr)",
        made_by_ids=(decision.decided_by_id,) if decision.decided_by_id else (),
        made_by=_name(decision.decided_by) or "automatiskt beslut",
        case_id=decision.case_id,
    )


def decision_items(unit_id: int, since: dt.date) -> list[QueueItem]:
    rows, limit = _decisions(unit_id)
    rows = rows.filter(decided_at__gte=_start(since)).order_by("decided_at")
    return [_decision_item(decision, unit_id, limit) for decision in rows]


def decision_get(unit_id: int, object_id: int) -> QueueItem | None:
    rows, limit = _decisions(unit_id)
    decision = rows.filter(pk=object_id).first()
    return _decision_item(decision, unit_id, limit) if decision else None


def register_sources() -> None:
    register_queue_source(
        QueueSource(PAYEE_ACCOUNT, "Ändrat mottagarkonto", account_items, account_get, order=10)
    )
    cash_items, cash_get = _order_source(MANUAL_PAYMENT, PaymentMethod.CASH)
    register_queue_source(
        QueueSource(MANUAL_PAYMENT, "Manuell (kontant) utbetalning", cash_items, cash_get, 20)
    )
    req_items, req_get = _order_source(REQUISITION, PaymentMethod.REQUISITION)
    register_queue_source(QueueSource(REQUISITION, "Rekvisition", req_items, req_get, 30))
    register_queue_source(
        QueueSource(
            DECISION_ABOVE_LIMIT,
            "Beslut över beloppsspärren",
            decision_items,
            decision_get,
            order=40,
        )
    )
