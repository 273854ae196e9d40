"""Attestation of payment orders under the broken payment chain."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.rules import can_open_case
from bistand.core.errors import DomainError, NotFound, PermissionRefused

from ..models import (
    Attestation,
    OrderStatus,
    Payee,
    PayeeException,
    PaymentMethod,
    PaymentOrder,
)
from ..permissions import can, require
from .budget import current_settings
from .common import ChainRefused, _clean_text, _order_refs, _transition, payment_service
from .orders import (
    _lock_order,
    check_decision_payable,
    payee_outside_household,
    payees_outside_household,
)


@dataclass(frozen=True)
class ChainFacts:
    """What the chain check reads besides the order itself (read set-wise for a list)."""

    outside_household_without_exception: bool
    first_attester_id: int | None


def chain_facts(orders: list[PaymentOrder], levels: list[int]) -> list[ChainFacts]:
    """The facts `check_chain` needs for many orders: memberships, exceptions and first
    attestations read once for all (three queries at most), in the orders' order."""
    outside = payees_outside_household(orders)
    outside_ids = [o.pk for o, out in zip(orders, outside, strict=True) if out]
    excepted = (
        set(
            PayeeException.objects.filter(order_id__in=outside_ids).values_list(
                "order_id", flat=True
            )
        )
        if outside_ids
        else set()
    )
    second = [o.pk for o, level in zip(orders, levels, strict=True) if level == 2]
    first_attesters = (
        dict(
            Attestation.objects.filter(order_id__in=second, level=1).values_list(
                "order_id", "attested_by_id"
            )
        )
        if second
        else {}
    )
    return [
        ChainFacts(out and o.pk not in excepted, first_attesters.get(o.pk))
        for o, out in zip(orders, outside, strict=True)
    ]


def check_chain(actor, order: PaymentOrder, level: int, facts: ChainFacts | None = None) -> None:
    """The broken payment chain for one attestation. Raises ChainRefused naming the rule.
    `facts` come from `chain_facts` when a list is checked; read here otherwise."""
    if facts is None:
        facts = chain_facts([order], [level])[0]
    refs = _order_refs(order)
    decision = order.decision
    account = order.payee_account
    if decision.decided_by_id == actor.pk:
        raise ChainRefused(
            "chain_decider_attests",
            "Du fattade beslutet och får inte attestera utbetalningen. Bruten "
            "utbetalningskedja: den som beslutar och den som attesterar ska vara olika personer.",
            **refs,
        )
    if account is not None and account.registered_by_id == actor.pk:
        raise ChainRefused(
            "chain_account_registrant_attests",
            "Du registrerade eller ändrade mottagarens konto och får inte attestera "
            "utbetalningen. Bruten utbetalningskedja: den som lägger in ett konto och den som "
            "attesterar ska vara olika personer.",
            **refs,
        )
    if account is not None and account.registered_by_id == decision.decided_by_id:
        raise ChainRefused(
            "chain_decider_registered_account",
            "Samma person har fattat beslutet och registrerat mottagarens konto. Bruten "
            "utbetalningskedja: den som lägger in ett konto och den som beslutar ska vara olika "
            "personer.",
            **refs,
        )
    if level == 1 and order.method == PaymentMethod.REQUISITION and order.created_by_id == actor.pk:
        raise ChainRefused(
            "chain_requisition_countersign",
            "En rekvisition blir giltig först när någon annan än den som utfärdade den har "
            "kontrasignerat den.",
            **refs,
        )
    if order.created_by_id == actor.pk:
        raise ChainRefused(
            "chain_registrant_attests",
            "Du registrerade utbetalningen och får inte attestera den. Bruten "
            "utbetalningskedja: den som registrerar utbetalningen och den som attesterar ska "
            "vara olika personer.",
            **refs,
        )
    if facts.outside_household_without_exception:
        raise ChainRefused(
            "payee_not_in_household",
            f"{order.payee_name} ingår inte i hushållet i ärendet under {order.month:%Y-%m}. "
            "Utbetalningen kan attesteras först när enhetschefen har godkänt ett undantag med "
            "en skriftlig motivering.",
            **refs,
        )
    if level == 2 and facts.first_attester_id == actor.pk:
        raise ChainRefused(
            "chain_second_attest_same_person",
            "Du gjorde den första attesten. Belopp över beloppsspärren ska attesteras av "
            "ytterligare en person.",
            **refs,
        )


def _check_attest_role(actor, order: PaymentOrder, level: int) -> None:
    refs = _order_refs(order)
    if level == 1 and order.method == PaymentMethod.CASH:
        if not can(actor, "approve_cash"):
            raise ChainRefused(
                "cash_needs_unit_head",
                "Kontant utbetalning görs bara i undantagsfall och kräver enhetschefens "
                "godkännande. Enhetschefen attesterar den.",
                **refs,
            )
        return
    if level == 2 and not can(actor, "second_attest"):
        raise ChainRefused(
            "second_attest_needs_head",
            "Beloppet är över beloppsspärren: den andra attesten görs av en sektionschef eller "
            "enhetschef.",
            **refs,
        )
    require(actor, "attest_order")


@payment_service
def attest_order(actor, order: PaymentOrder) -> PaymentOrder:
    """Attest an order (level 1), or give the second attestation an order above the amount limit
    needs (level 2). For a requisition the attestation is its countersignature, for cash the
    unit head's approval."""
    order = _lock_order(order)
    if order.status == OrderStatus.REGISTERED:
        level = 1
    elif order.status == OrderStatus.AWAITING_SECOND:
        level = 2
    else:
        raise DomainError(
            "not_awaiting_attestation",
            f"Utbetalningen {order.reference} är {order.get_status_display().lower()} och "
            "väntar inte på attest.",
        )
    _check_attest_role(actor, order, level)
    if not can_open_case(actor, order.case) or order.unit_id != actor.unit_id:
        raise PermissionRefused(
            "case_access_denied",
            "Du har inte behörighet till ärendet som utbetalningen gäller.",
            **_order_refs(order),
        )
    check_decision_payable(order.decision)
    if order.payee_id is not None:
        current = Payee.objects.filter(pk=order.payee_id).values_list(
            "current_account_id", flat=True
        )[0]
        if current != order.payee_account_id:
            raise DomainError(
                "account_changed",
                "Mottagarens konto har ändrats sedan utbetalningen registrerades. Registrera om "
                "utbetalningen så att den nya kontouppgiften attesteras.",
            )
    check_chain(actor, order, level)
    limit = None
    if level == 1:
        settings_row = current_settings(order.unit)
        if settings_row is None:
            raise DomainError(
                "no_amount_limit",
                "Enheten har ingen beloppsspärr inlagd. Enhetschefen lägger in den under "
                "Utbetalningsinställningar innan något kan attesteras.",
            )
        limit = settings_row.amount_limit
        needs_second = order.amount > limit
        new_status = OrderStatus.AWAITING_SECOND if needs_second else OrderStatus.ATTESTED
    else:
        new_status = OrderStatus.ATTESTED
    Attestation.objects.create(
        order=order,
        level=level,
        attested_by=actor,
        role=actor.role,
        amount_limit=limit,
        attested_at=timezone.now(),
    )
    _transition(order, new_status)
    PaymentOrder.objects.filter(pk=order.pk).update(status=new_status)
    record(
        actor,
        AuditAction.SIGN,
        obj=order,
        case_id=order.case_id,
        detail={
            "what": "attest",
            "level": level,
            "amount": str(order.amount),
            "amount_limit": str(limit) if limit is not None else None,
            "status": new_status,
        },
    )
    return order


def has_payee_exception(order: PaymentOrder) -> bool:
    return PayeeException.objects.filter(order_id=order.pk).exists()


@payment_service
def approve_payee_exception(actor, order: PaymentOrder, *, reason: str) -> PayeeException:
    """The unit head approves, with a written reason, a payment to a private person outside the
    case's household in the decision's month. Logged, and shown on the order."""
    order = _lock_order(order)
    refs = _order_refs(order)
    if not can(actor, "approve_payee_exception"):
        raise ChainRefused(
            "exception_needs_unit_head",
            "Bara enhetschefen kan godkänna undantag för utbetalning till någon utanför hushållet.",
            **refs,
        )
    if order.unit_id != actor.unit_id:
        raise NotFound("order_not_found", "Utbetalningen finns inte.")
    if order.created_by_id == actor.pk:
        raise ChainRefused(
            "exception_by_registrant",
            "Du registrerade utbetalningen och kan inte själv godkänna undantaget. Bruten "
            "utbetalningskedja: en annan enhetschef eller ersättare godkänner.",
            **refs,
        )
    if order.status != OrderStatus.REGISTERED:
        raise DomainError(
            "exception_too_late",
            f"Utbetalningen {order.reference} är {order.get_status_display().lower()}; "
            "undantag godkänns innan den attesteras.",
        )
    if not payee_outside_household(order):
        raise DomainError(
            "exception_not_needed",
            "Mottagaren ingår i hushållet under beslutets månad; inget undantag behövs.",
        )
    if has_payee_exception(order):
        raise DomainError("exception_exists", "Undantaget är redan godkänt.")
    reason = _clean_text(reason, "motiveringen till undantaget", 2000)
    exception = PayeeException.objects.create(
        order=order,
        approved_by=actor,
        role=actor.role,
        reason=reason,
        approved_at=timezone.now(),
    )
    record(
        actor,
        AuditAction.SIGN,
        obj=order,
        case_id=order.case_id,
        person_id=order.payee.person_id if order.payee_id else None,
        detail={
            "what": "payee_exception",
            "payee": order.payee_id,
            "amount": str(order.amount),
            "reason": reason,
        },
    )
    return exception
