"""Payment orders from granted decision lines: register, cancel, reissue, record as paid."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import Case
from bistand.cases.rules import can_open_case
from bistand.core.dates import next_working_day
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.decisions.models import Decision, DecisionLine, DecisionStatus, Outcome
from bistand.households.models import ADULT_ROLES, HouseholdMembership
from bistand.organisation.models import Role

from ..bank_accounts import (
    AccountValidationError,
    validate_ocr,
)
from ..models import (
    BANK_METHODS,
    COMMITTED_STATUSES,
    UNSENT_STATUSES,
    BudgetAccount,
    BudgetKind,
    OrderStatus,
    Payee,
    PayeeAccount,
    PayeeKind,
    PaymentMethod,
    PaymentOrder,
    RequisitionSeries,
)
from ..permissions import require
from . import deductions
from .common import (
    ChainRefused,
    _clean_text,
    _order_refs,
    _transition,
    parse_amount,
    payment_service,
    sek,
)

GRANTING_OUTCOMES = (Outcome.GRANTED, Outcome.PARTLY_GRANTED)


def replaced_decision_ids():
    """Ids of decisions replaced by a later final decision (not in force), as a subquery."""
    return Decision.objects.filter(status=DecisionStatus.FINAL, replaces__isnull=False).values(
        "replaces_id"
    )


def _decision_chain_ids(decision: Decision) -> list[int]:
    """The decision and every decision it replaces, transitively."""
    ids = [decision.pk]
    current = decision
    while current.replaces_id is not None and current.replaces_id not in ids:
        ids.append(current.replaces_id)
        current = Decision.objects.only("id", "replaces_id").get(pk=current.replaces_id)
    return ids


def committed_on_line(line: DecisionLine) -> Decimal:
    """What orders already hold of a line: on this line, and on the same line (same key) of
    the decisions this decision corrects, so a corrected decision cannot pay a month twice."""
    chain = _decision_chain_ids(line.decision)
    on_line = PaymentOrder.objects.filter(
        Q(decision_line=line) | Q(decision_id__in=chain[1:], decision_line__key=line.key)
    )
    total = on_line.filter(status__in=COMMITTED_STATUSES).aggregate(total=Sum("amount"))["total"]
    # What was deducted against a recovery claim is granted money too (docs/recovery.md).
    return (total or Decimal("0.00")) + deductions.deducted_on(on_line)


def remaining_on_line(line: DecisionLine) -> Decimal:
    return max(line.amount_granted - committed_on_line(line), Decimal("0.00"))


def check_decision_payable(decision: Decision) -> None:
    """A payment comes only from a final decision granting (in part) that is still in force."""
    if decision.status != DecisionStatus.FINAL or decision.decided_at is None:
        raise DomainError(
            "decision_not_final",
            "Utbetalning kan bara registreras från ett fattat beslut, inte från ett utkast.",
        )
    if decision.outcome not in GRANTING_OUTCOMES:
        raise DomainError(
            "decision_not_granted",
            "Utbetalning kan bara registreras från ett beslut om bifall eller delvis bifall.",
        )
    if Decision.objects.filter(replaces=decision, status=DecisionStatus.FINAL).exists():
        raise DomainError(
            "decision_replaced",
            f"Beslut {decision.reference} har ersatts av ett senare beslut och gäller inte "
            "längre; utbetalningen görs från det gällande beslutet.",
        )


def _check_decider_not_account_registrant(decision: Decision, account: PayeeAccount | None):
    if account is not None and decision.decided_by_id == account.registered_by_id:
        raise ChainRefused(
            "chain_decider_registered_account",
            "Samma person har fattat beslutet och registrerat mottagarens konto. Bruten "
            "utbetalningskedja: den som lägger in ett konto och den som beslutar ska vara olika "
            "personer. Kontot behöver registreras av någon annan.",
        )


def _default_budget_account(unit, line: DecisionLine) -> BudgetAccount:
    accounts = BudgetAccount.objects.filter(unit=unit, kind=BudgetKind.ASSISTANCE)
    account = accounts.filter(line_kind=line.kind).first() or accounts.filter(line_kind="").first()
    if account is None:
        raise DomainError(
            "no_budget_account",
            "Enheten saknar ett budgetkonto för utbetalning av ekonomiskt bistånd. Ekonom eller "
            "enhetschef lägger upp det under Budget.",
        )
    return account


def _month_end(month: dt.date) -> dt.date:
    """The first day of the month after `month`."""
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def household_members_in_month(case: Case, month: dt.date, *, roles=None):
    """Memberships of the case's household valid at some time in the decision's month."""
    memberships = HouseholdMembership.objects.filter(
        household_id=case.household_id, valid_from__lt=_month_end(month)
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=month))
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return memberships


def payee_outside_household(order: PaymentOrder) -> bool:
    """Whether the order pays a private person who is not in the case's household in the
    decision's month (such an order needs the unit head's exception before it is attested)."""
    return payees_outside_household([order])[0]


def payees_outside_household(orders: list[PaymentOrder]) -> list[bool]:
    """`payee_outside_household` for many orders (one query for all their memberships),
    in the orders' order. Expects `payee` and `case` loaded (select_related) for a list."""
    persons = [
        o if o.payee_id is not None and o.payee.kind == PayeeKind.PERSON else None for o in orders
    ]
    wanted = [o for o in persons if o is not None]
    if not wanted:
        return [False] * len(orders)
    spans: dict[tuple[int, int], list[tuple[dt.date, dt.date | None]]] = {}
    for household_id, person_id, valid_from, valid_to in HouseholdMembership.objects.filter(
        household_id__in={o.case.household_id for o in wanted},
        person_id__in={o.payee.person_id for o in wanted},
    ).values_list("household_id", "person_id", "valid_from", "valid_to"):
        spans.setdefault((household_id, person_id), []).append((valid_from, valid_to))

    def member(order: PaymentOrder) -> bool:
        # as household_members_in_month: valid at some time in the decision's month
        month_end = _month_end(order.month)
        return any(
            valid_from < month_end and (valid_to is None or valid_to > order.month)
            for valid_from, valid_to in spans.get(
                (order.case.household_id, order.payee.person_id), ()
            )
        )

    return [o is not None and not member(o) for o in persons]


def _payee_for_account_payment(case: Case, payee: Payee | None, month: dt.date) -> Payee:
    if payee is None:
        adults = household_members_in_month(case, month, roles=ADULT_ROLES).values("person_id")
        payee = (
            Payee.objects.filter(unit_id=case.unit_id, person_id__in=adults).order_by("id").first()
        )
        if payee is None:
            raise DomainError(
                "no_applicant_account",
                "Sökanden har inget konto i mottagarregistret. Ekonomen registrerar kontot "
                "innan utbetalningen kan registreras.",
            )
    member_roles = set(
        household_members_in_month(case, month)
        .filter(person_id=payee.person_id)
        .values_list("role", flat=True)
    )
    if payee.kind != PayeeKind.PERSON or (member_roles and not member_roles & set(ADULT_ROLES)):
        raise DomainError(
            "account_payment_not_to_applicant",
            "Utbetalning till konto går till sökandens (eller medsökandens) eget konto. Till "
            "hyresvärd eller elbolag betalar man mot faktura.",
        )
    return payee


def _check_person_payee_in_household(
    case: Case, decision: Decision, payee: Payee | None, *, exception_requested: bool
) -> bool:
    """A payment to a private person goes only to someone in the case's household in the
    decision's month. Returns whether the order needs the unit head's exception; refuses unless
    the registrant asked for one."""
    if payee is None or payee.kind != PayeeKind.PERSON:
        return False
    in_household = (
        household_members_in_month(case, decision.month).filter(person_id=payee.person_id).exists()
    )
    if in_household:
        return False
    if not exception_requested:
        raise ChainRefused(
            "payee_not_in_household",
            # No name: the payee id may come from outside the user's register (the exception
            # route looks payees up unit-wide), so the refusal must not reveal who it is.
            f"Mottagaren ingår inte i hushållet i ärendet under {decision.month:%Y-%m}. "
            "Utbetalning till en privatperson går bara till någon i hushållet. Finns särskilda "
            "skäl kan du begära undantag; enhetschefen ska då godkänna det med en skriftlig "
            "motivering innan utbetalningen kan attesteras.",
            object_type="cases.case",
            object_id=case.pk,
            case_id=case.pk,
        )
    return True


def _check_registrant(actor, decision: Decision, account: PayeeAccount | None) -> None:
    """The broken chain at registration: whoever registers the order neither decided it nor
    registered the account it pays to."""
    if decision.decided_by_id == actor.pk:
        raise ChainRefused(
            "chain_decider_registers_order",
            "Du fattade beslutet och får inte registrera utbetalningen. Bruten "
            "utbetalningskedja: den som beslutar och den som registrerar utbetalningen ska vara "
            "olika personer.",
            object_type="decisions.decision",
            object_id=decision.pk,
            case_id=decision.case_id,
        )
    if account is not None and account.registered_by_id == actor.pk:
        raise ChainRefused(
            "chain_account_registrant_registers_order",
            "Du registrerade eller ändrade mottagarens konto och får inte registrera "
            "utbetalningen. Bruten utbetalningskedja: den som lägger in ett konto och den som "
            "registrerar utbetalningen ska vara olika personer.",
            object_type="decisions.decision",
            object_id=decision.pk,
            case_id=decision.case_id,
        )


def _next_requisition_number(unit, year: int) -> str:
    series, _created = RequisitionSeries.objects.get_or_create(unit=unit, year=year)
    series = RequisitionSeries.objects.select_for_update().get(pk=series.pk)
    series.last_number += 1
    series.save(update_fields=["last_number"])
    return f"R{year}-{unit.pk}-{series.last_number:05d}"


@dataclass
class OrderInput:
    method: str
    amount: object
    payee: Payee | None = None
    pay_on: dt.date | None = None
    ocr_reference: str = ""
    message: str = ""
    invoice_number: str = ""
    due_on: dt.date | None = None
    requisition_supplier: str = ""
    requisition_valid_until: dt.date | None = None
    cash_reason: str = ""
    note: str = ""
    budget_account: BudgetAccount | None = None
    # The registrant asks the unit head for an exception: a private payee outside the household.
    request_payee_exception: bool = False
    # Deduction against a recovery claim (avräkning): None = what the claim's plan allows,
    # an amount = that amount or a refusal naming the rule (docs/recovery.md).
    deduction: object = None


@payment_service
def create_payment_order(actor, decision_line: DecisionLine, data: OrderInput) -> PaymentOrder:
    """Register a payment from a granted decision line: to the applicant's account, to a payee
    against an invoice, as a numbered requisition, or (exceptionally) as cash."""
    require(actor, "create_order")
    line = (
        DecisionLine.objects.select_for_update(of=("self",))
        .select_related("decision")
        .get(pk=decision_line.pk)
    )
    decision = line.decision
    case = Case.objects.select_related("unit").get(pk=decision.case_id)
    if not can_open_case(actor, case) or case.unit_id != actor.unit_id:
        raise PermissionRefused(
            "case_access_denied",
            "Du har inte behörighet till ärendet som beslutet gäller.",
            object_type="cases.case",
            object_id=case.pk,
            case_id=case.pk,
        )
    return _create_order(actor, line, case, data)


def _create_order(
    actor, line: DecisionLine, case: Case, data: OrderInput, *, reissue_of=None
) -> PaymentOrder:
    decision = line.decision
    check_decision_payable(decision)
    amount = parse_amount(data.amount)
    if line.amount_granted <= 0:
        raise DomainError("line_not_granted", "Beslutsraden beviljar inget belopp.")
    committed = committed_on_line(line)
    if committed + amount > line.amount_granted:
        remaining = max(line.amount_granted - committed, Decimal("0.00"))
        raise DomainError(
            "over_granted",
            f"Beloppet {sek(amount)} är mer än det som återstår att betala ut på beslutsraden: "
            f"{sek(remaining)} av beviljade {sek(line.amount_granted)}. Summan av "
            "utbetalningarna får inte överstiga det beviljade beloppet.",
        )
    today = timezone.localdate()
    method = data.method
    fields: dict = {}
    payee = data.payee
    if payee is not None and payee.unit_id != case.unit_id:
        raise NotFound("payee_not_found", "Mottagaren finns inte.")
    if method == PaymentMethod.ACCOUNT:
        payee = _payee_for_account_payment(case, payee, decision.month)
        fields["message"] = _clean_text(
            data.message or f"Ekonomiskt bistånd {decision.month:%Y-%m}", "meddelandet", 140
        )
        pay_on = data.pay_on or next_working_day(today)
    elif method == PaymentMethod.INVOICE:
        if payee is None:
            raise DomainError("missing_payee", "Välj mottagare (hyresvärd, elbolag ...).")
        if data.due_on is None:
            raise DomainError("missing_due_date", "Ange fakturans förfallodag.")
        fields["due_on"] = data.due_on
        fields["invoice_number"] = _clean_text(
            data.invoice_number, "fakturanummer", 40, required=False
        )
        if data.ocr_reference:
            try:
                fields["ocr_reference"] = validate_ocr(data.ocr_reference)
            except AccountValidationError as error:
                raise DomainError(error.code, error.message_sv)
        else:
            text = data.message or (
                f"Faktura {fields['invoice_number']}" if fields["invoice_number"] else ""
            )
            if not text:
                raise DomainError(
                    "missing_reference",
                    "Ange fakturans OCR-nummer, eller fakturanummer eller meddelande så att "
                    "mottagaren känner igen betalningen.",
                )
            fields["message"] = _clean_text(text, "meddelandet", 140)
        pay_on = data.pay_on or max(data.due_on, today)
    elif method == PaymentMethod.REQUISITION:
        payee = None
        fields["requisition_supplier"] = _clean_text(
            data.requisition_supplier, "butik eller leverantör för rekvisitionen", 140
        )
        valid_until = data.requisition_valid_until or today + dt.timedelta(days=14)
        if valid_until < today:
            raise DomainError("requisition_expired", "Rekvisitionen måste gälla framåt i tiden.")
        fields["requisition_valid_until"] = valid_until
        pay_on = data.pay_on or today
    elif method == PaymentMethod.CASH:
        payee = None
        fields["cash_reason"] = _clean_text(
            data.cash_reason,
            "skälet till kontant utbetalning (kontant betalas bara i undantagsfall)",
            2000,
        )
        pay_on = data.pay_on or today
    else:
        raise DomainError("bad_method", "Välj betalningssätt.")
    if pay_on < today:
        raise DomainError("pay_on_past", "Betalningsdagen kan inte ligga bakåt i tiden.")
    account = None
    if method in BANK_METHODS:
        account = payee.current_account
        if account is None:
            raise DomainError("payee_without_account", f"{payee.name} har inget konto registrerat.")
        _check_decider_not_account_registrant(decision, account)
    _check_registrant(actor, decision, account)
    needs_exception = _check_person_payee_in_household(
        case, decision, payee, exception_requested=data.request_payee_exception
    )
    budget_account = data.budget_account or _default_budget_account(case.unit, line)
    if budget_account.unit_id != case.unit_id or budget_account.kind != BudgetKind.ASSISTANCE:
        raise DomainError(
            "operating_budget",
            "Utbetalningar av ekonomiskt bistånd bokförs på enhetens konto för utbetalningar, "
            "aldrig på driftbudgeten.",
        )
    if method == PaymentMethod.CASH:
        applicant = case.household.applicant_on(today)
        payee_name = applicant.full_name if applicant else "Sökande"
    elif method == PaymentMethod.REQUISITION:
        payee_name = fields["requisition_supplier"]
    else:
        payee_name = payee.name
    if method == PaymentMethod.REQUISITION:
        fields["requisition_number"] = _next_requisition_number(case.unit, today.year)
    gross = amount
    planned = deductions.plan_for_order(case, decision.month, method, gross, data.deduction)
    amount, fields = deductions.net_of(planned, gross, fields)
    order = PaymentOrder.objects.create(
        unit=case.unit,
        case=case,
        decision=decision,
        decision_line=line,
        month=decision.month,
        budget_account=budget_account,
        amount=amount,
        method=method,
        payee=payee,
        payee_account=account,
        payee_name=payee_name,
        payee_masked=account.masked if account else "",
        pay_on=pay_on,
        note=_clean_text(data.note, "anteckning", 2000, required=False),
        created_by=actor,
        created_at=timezone.now(),
        reissue_of=reissue_of,
        **fields,
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=order,
        case_id=case.pk,
        detail={
            "what": "payment_order",
            "method": method,
            "amount": str(amount),
            "decision": decision.pk,
            "line": line.pk,
            "payee": payee.pk if payee else None,
            "account_version": account.version if account else None,
            "reissue_of": reissue_of.pk if reissue_of else None,
            "payee_exception_requested": needs_exception,
            "gross": str(gross),
            "deducted": str(gross - amount),
        },
    )
    deductions.record_for_order(actor, planned, order)
    return order


def _lock_order(order: PaymentOrder) -> PaymentOrder:
    return (
        PaymentOrder.objects.select_for_update(of=("self",))
        .select_related("decision", "payee_account", "case")
        .get(pk=order.pk)
    )


@payment_service
def cancel_order(actor, order: PaymentOrder, *, reason: str) -> PaymentOrder:
    """Cancel (makulera) an order not yet sent, or close one the bank rejected. The order stays
    as a record with who, when and why."""
    require(actor, "cancel_order")
    order = _lock_order(order)
    _require_order_access(actor, order)
    reason = _clean_text(reason, "skälet till makuleringen", 2000)
    if order.status not in (*UNSENT_STATUSES, OrderStatus.REJECTED):
        raise DomainError(
            "cannot_cancel",
            f"Utbetalningen {order.reference} är {order.get_status_display().lower()} och kan "
            "inte makuleras.",
        )
    _cancel(actor, order, reason)
    return order


def _cancel(actor, order: PaymentOrder, reason: str) -> None:
    previous = order.status
    _transition(order, OrderStatus.CANCELLED)
    now = timezone.now()
    PaymentOrder.objects.filter(pk=order.pk).update(
        status=OrderStatus.CANCELLED, cancelled_by=actor, cancelled_at=now, cancel_reason=reason
    )
    order.cancelled_by, order.cancelled_at, order.cancel_reason = actor, now, reason
    deductions.reverse_for_order(actor, order, reason)
    record(
        actor,
        AuditAction.UPDATE,
        obj=order,
        case_id=order.case_id,
        detail={"what": "cancel", "before": previous, "reason": reason},
    )


def _require_order_access(actor, order: PaymentOrder) -> None:
    if order.unit_id != actor.unit_id:
        raise NotFound("order_not_found", "Utbetalningen finns inte.")
    if actor.role in (Role.FINANCE, Role.UNIT_HEAD):
        return
    if not can_open_case(actor, order.case):
        raise PermissionRefused(
            "case_access_denied",
            "Du har inte behörighet till ärendet som utbetalningen gäller.",
            **_order_refs(order),
        )


def order_is_held(order: PaymentOrder) -> str:
    """Why an unsent order cannot go on (account changed, decision replaced), or ''."""
    return orders_held([order])[0]


def orders_held(orders: list[PaymentOrder]) -> list[str]:
    """`order_is_held` for many orders (two queries for all), in the orders' order."""
    payee_ids = {o.payee_id for o in orders if o.payee_id is not None}
    current = (
        dict(Payee.objects.filter(pk__in=payee_ids).values_list("id", "current_account_id"))
        if payee_ids
        else {}
    )
    replaced = (
        set(
            Decision.objects.filter(
                replaces_id__in={o.decision_id for o in orders}, status=DecisionStatus.FINAL
            ).values_list("replaces_id", flat=True)
        )
        if orders
        else set()
    )
    reasons = []
    for order in orders:
        if order.payee_id is not None and current[order.payee_id] != order.payee_account_id:
            reasons.append(_("Mottagarens konto har ändrats efter registreringen: registrera om."))
        elif order.decision_id in replaced:
            reasons.append(_("Beslutet har ersatts av ett senare beslut: makulera utbetalningen."))
        else:
            reasons.append("")
    return reasons


@payment_service
def reissue_order(actor, order: PaymentOrder, *, reason: str) -> PaymentOrder:
    """Register an order again: one the bank rejected (after finance corrected the account), or
    one whose payee account changed before it was sent. The old order is cancelled; the new one
    points back at it and is attested again against the current account."""
    require(actor, "reissue_order")
    order = _lock_order(order)
    _require_order_access(actor, order)
    reason = _clean_text(reason, "skälet", 2000)
    if order.method not in BANK_METHODS:
        raise DomainError(
            "cannot_reissue", "Bara utbetalningar till konto eller mot faktura registreras om."
        )
    account_changed = order.status in UNSENT_STATUSES and order_is_held(order).startswith(
        "Mottagarens konto"
    )
    if order.status != OrderStatus.REJECTED and not account_changed:
        raise DomainError(
            "cannot_reissue",
            "Bara utbetalningar som banken avvisat, eller vars mottagarkonto ändrats innan de "
            "skickades, registreras om.",
        )
    gross = order.amount + deductions.deducted_on([order.pk])
    _cancel(actor, order, f"Ersätts av ny utbetalning: {reason}")
    line = (
        DecisionLine.objects.select_for_update(of=("self",))
        .select_related("decision")
        .get(pk=order.decision_line_id)
    )
    payee = Payee.objects.get(pk=order.payee_id)
    needed_exception = payee_outside_household(order)
    data = OrderInput(
        method=order.method,
        amount=gross,
        payee=payee,
        pay_on=max(order.pay_on, timezone.localdate()),
        ocr_reference=order.ocr_reference,
        message=order.message,
        invoice_number=order.invoice_number,
        due_on=order.due_on,
        note=reason,
        budget_account=order.budget_account,
        request_payee_exception=needed_exception,
    )
    return _create_order(actor, line, order.case, data, reissue_of=order)


@payment_service
def record_manual_payment(
    actor, order: PaymentOrder, *, paid_on: dt.date | None = None, note: str
) -> PaymentOrder:
    """Finance records cash handed out (with a receipt) or a requisition redeemed."""
    require(actor, "record_manual_payment")
    order = _lock_order(order)
    _require_order_access(actor, order)
    if order.method in BANK_METHODS:
        raise DomainError(
            "bank_order_manual",
            "Utbetalningar till konto eller mot faktura blir utbetalda genom bankens "
            "avstämning, inte för hand.",
        )
    if order.status != OrderStatus.ATTESTED:
        what = "kontrasignerad" if order.method == PaymentMethod.REQUISITION else "godkänd"
        raise DomainError(
            "not_attested",
            f"Utbetalningen {order.reference} är inte {what} ännu och kan inte registreras som "
            "utbetald.",
        )
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise DomainError("paid_in_future", "Utbetalningsdagen kan inte ligga i framtiden.")
    note = _clean_text(note, "kvittonummer eller anteckning", 300)
    _transition(order, OrderStatus.PAID)
    PaymentOrder.objects.filter(pk=order.pk).update(
        status=OrderStatus.PAID, paid_on=paid_on, manual_payment_note=note, paid_recorded_by=actor
    )
    order.paid_on, order.manual_payment_note = paid_on, note
    record(
        actor,
        AuditAction.UPDATE,
        obj=order,
        case_id=order.case_id,
        detail={"what": "manual_payment", "paid_on": paid_on.isoformat(), "note": note},
    )
    return order
