"""Reads of payments, always through the access rules.

Account numbers: every read here returns the masked form (`PayeeAccount.masked`,
`PaymentOrder.payee_masked`), the only form those models hold. The full number is read from
`AccountNumber` by `full_account_number`, for the finance role only, and each such read is
logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case as SqlCase
from django.db.models import CharField, Count, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import Case
from bistand.cases.selectors import TimelineItem, cases_visible_to, log_list_read
from bistand.core.errors import NotFound
from bistand.decisions.models import Decision, DecisionLine, DecisionStatus
from bistand.households.models import HouseholdMembership
from bistand.organisation.models import Role

from .models import (
    BANK_METHODS,
    AccountKind,
    AccountNumber,
    Attestation,
    BudgetAccount,
    BudgetAmount,
    BudgetKind,
    OrderStatus,
    Payee,
    PayeeAccount,
    PaymentMethod,
    PaymentOrder,
    PaymentRun,
    RunStatus,
    StatusReportImport,
)
from .permissions import can, require
from .services import (
    GRANTING_OUTCOMES,
    chain_facts,
    check_chain,
    claimable_orders,
    orders_held,
    remaining_on_line,
    replaced_decision_ids,
)

ORDER_NOT_FOUND = "Utbetalningen finns inte eller så saknar du behörighet."


def orders_visible_to(user) -> QuerySet[PaymentOrder]:
    """Finance and the unit head: every order of their unit; case handlers and section heads:
    the orders of the cases they may open."""
    if not (user and user.is_authenticated and user.is_active and user.unit_id):
        return PaymentOrder.objects.none()
    qs = PaymentOrder.objects.filter(unit_id=user.unit_id)
    if user.role in (Role.FINANCE, Role.UNIT_HEAD):
        return qs
    if user.role in (Role.SOCIAL_WORKER, Role.BENEFIT_ADMINISTRATOR, Role.SECTION_HEAD):
        return qs.filter(case_id__in=cases_visible_to(user).values("id"))
    return PaymentOrder.objects.none()


def order_for(user, order_id: int, *, what: str = "payment_order") -> PaymentOrder:
    """One order the user may see, read logged; not found and not allowed look the same."""
    order = (
        orders_visible_to(user)
        .select_related("case", "decision", "decision_line", "budget_account", "run", "payee")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        case_id = PaymentOrder.objects.filter(pk=order_id).values_list("case_id", flat=True).first()
        if case_id is not None:
            record(
                user,
                AuditAction.ACCESS_DENIED,
                object_type=PaymentOrder._meta.label_lower,
                object_id=order_id,
                case_id=case_id,
                detail={"what": what},
            )
        raise NotFound("order_not_found", ORDER_NOT_FOUND)
    record(user, AuditAction.VIEW, obj=order, case_id=order.case_id, detail={"what": what})
    return order


def log_order_list(user, what: str, orders: Iterable[PaymentOrder]) -> None:
    """One access-log row for a page of orders: their cases and the persons paid (set-wise)."""
    orders = list(orders)
    log_list_read(
        user,
        what,
        case_ids=[order.case_id for order in orders],
        person_ids=[order.payee.person_id for order in orders if order.payee_id],
        order_ids=sorted(order.pk for order in orders),
    )


def attestations_of(order: PaymentOrder) -> list[Attestation]:
    return list(order.attestations.select_related("attested_by").order_by("level"))


@dataclass
class AttestRow:
    order: PaymentOrder
    level: int
    blocked: str  # why this user may not attest it ('' = may)


def attest_queue_orders(user):
    """The orders waiting for an attestation the user's role gives, as one queryset (the work
    list filters, sorts, counts and pages it in SQL): first attestation, cash only for who may
    approve cash, the second attestation only for who may give it."""
    if not can(user, "attest_order"):
        return PaymentOrder.objects.none()
    first = Q(status=OrderStatus.REGISTERED)
    if not can(user, "approve_cash"):
        first &= ~Q(method=PaymentMethod.CASH)
    waiting = first | Q(status=OrderStatus.AWAITING_SECOND) if can(user, "second_attest") else first
    return (
        orders_visible_to(user)
        .filter(waiting)
        .select_related("case", "decision", "payee", "payee_account", "created_by")
    )


def attest_rows(
    user, orders: Iterable[PaymentOrder], what: str = "attest_queue"
) -> list[AttestRow]:
    """The chain's verdict for each listed order, its facts read once for all of them, and one
    access-log row for the list."""
    orders = list(orders)
    levels = [1 if order.status == OrderStatus.REGISTERED else 2 for order in orders]
    facts = chain_facts(orders, levels)
    held = orders_held(orders)
    rows = [
        AttestRow(order, level, _blocked(user, order, level, order_facts, held_reason))
        for order, level, order_facts, held_reason in zip(orders, levels, facts, held, strict=True)
    ]
    log_order_list(user, what, orders)
    return rows


def _blocked(user, order: PaymentOrder, level: int, facts, held_reason: str) -> str:
    from .services import ChainRefused

    try:
        check_chain(user, order, level, facts)
    except ChainRefused as refusal:
        return refusal.message
    return held_reason


@dataclass
class PaymentQueue:
    ready: list[PaymentOrder]
    held: list[tuple[PaymentOrder, str]]
    waiting_attestation: int
    rejected: list[PaymentOrder]
    manual: list[PaymentOrder]
    by_date: list[dict]


def payment_queue(user, *, until: dt.date | None = None) -> PaymentQueue:
    """Finance's view: what the next run takes, what is held back and why, what the bank
    rejected, and the cash and requisitions to record."""
    require(user, "view_payment_queue")
    unit = user.unit
    until = until or dt.date.max
    orders = PaymentOrder.objects.filter(unit=unit).select_related("case", "payee", "decision")
    ready_qs = claimable_orders(unit, until)
    if user.role != Role.FINANCE:  # the unit head: the orders of the cases they may open
        visible = orders_visible_to(user).values("id")
        orders = orders.filter(pk__in=visible)
        ready_qs = ready_qs.filter(pk__in=visible)
    ready = list(ready_qs.select_related("case", "payee").order_by("pay_on", "id")[:500])
    unsent_bank = orders.filter(
        status=OrderStatus.ATTESTED, run__isnull=True, method__in=BANK_METHODS
    ).exclude(pk__in=ready_qs.values("pk"))
    unsent = list(unsent_bank[:500])
    held = [
        (o, reason or _("Väntar på betalningsdag."))
        for o, reason in zip(unsent, orders_held(unsent), strict=True)
    ]
    by_date = list(
        ready_qs.values("pay_on")
        .annotate(count=Count("id"), total=Sum("amount"))
        .order_by("pay_on")
    )
    rejected = list(orders.filter(status=OrderStatus.REJECTED).order_by("-id")[:500])
    manual = list(
        orders.filter(
            status=OrderStatus.ATTESTED,
            method__in=[PaymentMethod.CASH, PaymentMethod.REQUISITION],
        ).order_by("pay_on", "id")
    )
    log_order_list(
        user, "payment_queue", [*ready, *(order for order, _why in held), *rejected, *manual]
    )
    return PaymentQueue(
        ready=ready,
        held=held,
        waiting_attestation=orders.filter(
            status__in=[OrderStatus.REGISTERED, OrderStatus.AWAITING_SECOND]
        ).count(),
        rejected=rejected,
        manual=manual,
        by_date=by_date,
    )


# --- Finance's payment queue as a work list (docs/worklists.md) ------------------------------


class QueueStage:
    """Where an order stands in finance's queue (an SQL annotation, `queue_orders`)."""

    READY = "ready"
    HELD = "held"
    REJECTED = "rejected"
    MANUAL = "manual"


def queue_orders(user) -> QuerySet[PaymentOrder]:
    """Every order in finance's queue as one queryset, each with its `stage`: ready for the
    next payment file (`claimable_orders`, any payment day), held back (attested bank orders
    in no run that the file would not take), rejected by the bank, or cash and requisitions
    to record. The unit head sees the orders of the cases they may open."""
    require(user, "view_payment_queue")
    unit = user.unit
    ready_ids = claimable_orders(unit, dt.date.max).values("pk")
    bank_unsent = Q(status=OrderStatus.ATTESTED, run__isnull=True, method__in=BANK_METHODS)
    manual = Q(
        status=OrderStatus.ATTESTED, method__in=[PaymentMethod.CASH, PaymentMethod.REQUISITION]
    )
    rejected = Q(status=OrderStatus.REJECTED)
    return (
        orders_visible_to(user)
        .filter(bank_unsent | manual | rejected)
        .annotate(
            stage=SqlCase(
                When(rejected, then=Value(QueueStage.REJECTED)),
                When(manual, then=Value(QueueStage.MANUAL)),
                When(pk__in=ready_ids, then=Value(QueueStage.READY)),
                default=Value(QueueStage.HELD),
                output_field=CharField(),
            )
        )
        .select_related("case", "payee")
    )


@dataclass
class QueueSummary:
    """The figures above the queue, for the whole queue whatever the filters."""

    stages: dict[str, int]
    by_date: list[dict]
    waiting_attestation: int


def queue_summary(user) -> QueueSummary:
    """Three aggregates: orders per stage, the ready ones per payment day, and how many wait
    for attestation."""
    queue = queue_orders(user)
    stages = dict(queue.order_by().values_list("stage").annotate(count=Count("id")))
    ready = queue.filter(stage=QueueStage.READY)
    by_date = list(
        ready.order_by().values("pay_on").annotate(count=Count("id"), total=Sum("amount"))
        .order_by("pay_on")
    )  # fmt: skip
    waiting = (
        orders_visible_to(user)
        .filter(status__in=[OrderStatus.REGISTERED, OrderStatus.AWAITING_SECOND])
        .count()
    )
    return QueueSummary(stages=stages, by_date=by_date, waiting_attestation=waiting)


@dataclass
class QueueRow:
    order: PaymentOrder
    why: str  # why a held order is held back ('' for the other stages)


def queue_rows(user, orders: Iterable[PaymentOrder]) -> list[QueueRow]:
    """The page's rows with the reason each held one is held back (read for the held rows of
    the page only, two queries), and one access-log row for the page."""
    orders = list(orders)
    held = [order for order in orders if order.stage == QueueStage.HELD]
    reasons = dict(zip((o.pk for o in held), orders_held(held), strict=True))
    log_order_list(user, "payment_queue", orders)
    return [
        QueueRow(order, (reasons.get(order.pk) or _("Väntar på betalningsdag."))
                 if order.stage == QueueStage.HELD else "")
        for order in orders
    ]  # fmt: skip


def runs_for(user) -> QuerySet[PaymentRun]:
    require(user, "view_runs")
    return PaymentRun.objects.filter(unit_id=user.unit_id).select_related(
        "created_by", "sent_by", "cancelled_by"
    )


def run_for(user, run_id: int) -> PaymentRun:
    run = runs_for(user).filter(pk=run_id).first()
    if run is None:
        raise NotFound("run_not_found", "Betalningsfilen finns inte.")
    record(user, AuditAction.VIEW, obj=run, detail={"what": "payment_run"})
    return run


def run_summary(run: PaymentRun) -> list[dict]:
    """Count and sum per method and status (one aggregate), with their Swedish labels."""
    rows = list(
        run.orders.values("method", "status")
        .annotate(count=Count("id"), total=Sum("amount"))
        .order_by("method", "status")
    )
    methods, statuses = dict(PaymentMethod.choices), dict(OrderStatus.choices)
    for row in rows:
        row["method_label"] = methods.get(row["method"], row["method"])
        row["status_label"] = statuses.get(row["status"], row["status"])
    return rows


def reports_for(user) -> QuerySet[StatusReportImport]:
    require(user, "reconcile")
    return StatusReportImport.objects.filter(unit_id=user.unit_id).select_related(
        "run", "imported_by"
    )


# --- Payees ----------------------------------------------------------------------------------


def payees_for(user) -> QuerySet[Payee]:
    """The payee register the user may see, masked (current account version joined).

    Finance keeps the unit's whole register (registering and checking accounts is their job;
    their list reads are logged). Everyone else sees the organisations (landlords, utilities:
    no client data) and only the persons tied to a case they may open: a member of its
    household, at any time, or paid by an order on it (issue #11).
    """
    require(user, "view_payees")
    payees = Payee.objects.filter(unit_id=user.unit_id).select_related(
        "current_account", "current_account__registered_by"
    )
    if user.role == Role.FINANCE:
        return payees
    visible = cases_visible_to(user).values("id")
    members = HouseholdMembership.objects.filter(household__cases__in=visible).values("person_id")
    paid = PaymentOrder.objects.filter(case_id__in=visible, payee__isnull=False).values("payee_id")
    return payees.filter(Q(person__isnull=True) | Q(person_id__in=members) | Q(pk__in=paid))


def payee_for_order(user, payee_id: int) -> Payee | None:
    """The payee an order is to go to, looked up in the unit's whole register: the exception
    route (services.orders, approved by the unit head) pays a person outside the household, so
    `payees_for` is too narrow here. The lookup is logged as a read of the person."""
    require(user, "create_order")
    payee = Payee.objects.filter(unit_id=user.unit_id, pk=payee_id).first()
    if payee is not None and payee.person_id is not None:
        record(
            user,
            AuditAction.VIEW,
            obj=payee,
            person_id=payee.person_id,
            detail={"what": "payee_for_order"},
        )
    return payee


def log_payee_list(user, what: str, payees: Iterable[Payee]) -> None:
    """One access-log row for a page of the payee register: the persons it names."""
    people = [payee for payee in payees if payee.person_id is not None]
    log_list_read(
        user,
        what,
        person_ids=[payee.person_id for payee in people],
        payee_ids=sorted(payee.pk for payee in people),
    )


def payee_for(user, payee_id: int) -> Payee:
    payee = payees_for(user).filter(pk=payee_id).first()
    if payee is None:
        raise NotFound("payee_not_found", "Mottagaren finns inte.")
    record(user, AuditAction.VIEW, obj=payee, person_id=payee.person_id, detail={"what": "payee"})
    return payee


def account_history(payee: Payee) -> QuerySet[PayeeAccount]:
    return payee.account_versions.select_related("registered_by").order_by("-version")


def full_account_number(user, account: PayeeAccount) -> str:
    """The full account number, for the finance role only; each read is logged."""
    require(user, "view_full_account")
    number = AccountNumber.objects.get(account_id=account.pk)
    record(
        user,
        AuditAction.VIEW,
        object_type=PayeeAccount._meta.label_lower,
        object_id=account.pk,
        person_id=account.payee.person_id,
        detail={"what": "full_account_number", "version": account.version},
    )
    if account.kind == AccountKind.BANK_ACCOUNT:
        clearing = number.clearing + (
            f"-{number.clearing_check_digit}" if number.clearing_check_digit else ""
        )
        return f"{clearing}, {number.number}"
    if account.kind == AccountKind.BANKGIRO:
        return f"{number.number[:-4]}-{number.number[-4:]}"
    return f"{number.number[:-1]}-{number.number[-1]}"


def account_display(user, account: PayeeAccount | None) -> str:
    """What the user may see of an account: the full number for finance, else masked."""
    if account is None:
        return ""
    if can(user, "view_full_account"):
        return full_account_number(user, account)
    return account.masked


# --- Case -------------------------------------------------------------------------------------


def case_orders(case: Case) -> QuerySet[PaymentOrder]:
    """The case's orders (the caller has opened the case). Payee shown masked."""
    return case.payment_orders.select_related("decision", "decision_line", "run").order_by(
        "-created_at", "-id"
    )


# Orders whose story is over: older ones leave the case page's history window (cases.history).
SETTLED_STATUSES = (OrderStatus.PAID, OrderStatus.REJECTED, OrderStatus.CANCELLED)


def case_order_list(case: Case, since: dt.date | None = None) -> list[PaymentOrder]:
    """`case_orders` as a list, read once per case object and window: the case page's panel and
    its timeline show the same orders. With `since`, only orders with something dated from it
    (registered, for a month, paid or returned) and those not yet settled."""
    cached = case.__dict__.setdefault("_bistand_case_orders", {})
    if since not in cached:
        orders = case_orders(case)
        if since is not None:
            orders = orders.filter(
                Q(created_at__gte=timezone.make_aware(dt.datetime.combine(since, dt.time.min)))
                | Q(month__gte=since)
                | Q(paid_on__gte=since)
                | Q(returned_on__gte=since)
                | ~Q(status__in=SETTLED_STATUSES)
            )
        cached[since] = list(orders)
    return cached[since]


def case_order_totals(case: Case) -> tuple[int, Decimal | None]:
    """(how many orders the case has, the amount paid so far or None): one query."""
    totals = case.payment_orders.aggregate(
        count=Count("id"), paid=Sum("amount", filter=Q(status=OrderStatus.PAID))
    )
    return totals["count"], totals["paid"]


@dataclass
class PayableLine:
    line: DecisionLine
    decision: Decision
    remaining: Decimal


def payable_lines(case: Case) -> list[PayableLine]:
    """Granted lines of the case's decisions in force with something left to pay."""
    decisions = (
        Decision.objects.filter(
            case=case, status=DecisionStatus.FINAL, outcome__in=GRANTING_OUTCOMES
        )
        .exclude(pk__in=replaced_decision_ids())
        .order_by("-month", "-id")
    )
    rows = []
    for line in (
        DecisionLine.objects.filter(decision__in=decisions, amount_granted__gt=0)
        .select_related("decision")
        .order_by("-decision__month", "position")
    ):
        remaining = remaining_on_line(line)
        if remaining > 0:
            rows.append(PayableLine(line, line.decision, remaining))
    return rows


def case_payees(case: Case) -> QuerySet[Payee]:
    """Payees an order on the case may go to: the household's adults with an account, and the
    unit's organisations. Masked."""
    from bistand.households.models import ADULT_ROLES, HouseholdMembership

    adults = HouseholdMembership.objects.filter(
        household_id=case.household_id, role__in=ADULT_ROLES
    ).values("person_id")
    return (
        Payee.objects.filter(unit_id=case.unit_id, current_account__isnull=False)
        .filter(Q(person_id__in=adults) | Q(person__isnull=True))
        .select_related("current_account")
        .order_by("kind", "name")
    )


def timeline_items(case: Case, since: dt.date | None = None) -> list[TimelineItem]:
    """The case's payments on its timeline: registered, and paid or rejected by the bank."""
    from django.urls import reverse

    items = []
    for order in case_order_list(case, since):
        url = reverse("payments:order", args=[order.pk])
        to = order.payee_masked or order.payee_name
        base = f"{order.reference}: {_sek(order.amount)} {order.get_method_display().lower()}"
        items.append(
            TimelineItem(
                timezone.localdate(order.created_at),
                order.created_at,
                "payment",
                "Utbetalning registrerad",
                order,
                f"{base} – {to} (beslut {order.decision.reference})",
                url,
            )
        )
        if order.paid_on:
            items.append(
                TimelineItem(
                    order.paid_on,
                    order.created_at,
                    "payment",
                    "Utbetald",
                    order,
                    f"{base} – {to}",
                    url,
                )
            )
        if order.status == OrderStatus.REJECTED:
            items.append(
                TimelineItem(
                    order.returned_on or timezone.localdate(order.created_at),
                    order.created_at,
                    "payment",
                    "Avvisad av banken",
                    order,
                    f"{base} – {order.bank_reason}",
                    url,
                )
            )
    return items


def _sek(amount: Decimal) -> str:
    from .services import sek

    return sek(amount)


# --- Budget ------------------------------------------------------------------------------------


@dataclass
class BudgetRow:
    account: BudgetAccount
    budget: Decimal | None
    paid: Decimal
    committed: Decimal

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.paid - self.committed

    @property
    def share(self) -> int:
        if not self.budget:
            return 0
        return round(100 * (self.paid + self.committed) / self.budget)


def budget_overview(user, year: int) -> dict[str, list[BudgetRow]]:
    """Per account: the year's budget, what is paid (net of returns) and what is committed.
    Assistance payments and the operating budget are listed apart."""
    require(user, "manage_budget")
    accounts = BudgetAccount.objects.filter(unit_id=user.unit_id).order_by("kind", "code")
    latest = {}
    for row in (
        BudgetAmount.objects.filter(account__in=accounts, year=year)
        .order_by("account_id", "id")
        .values("account_id", "amount")
    ):
        latest[row["account_id"]] = row["amount"]
    orders = PaymentOrder.objects.filter(unit_id=user.unit_id)
    paid = dict(
        orders.filter(paid_on__year=year)
        .values("budget_account_id")
        .annotate(total=Sum("amount"))
        .values_list("budget_account_id", "total")
    )
    returned = dict(
        orders.filter(returned_on__year=year)
        .values("budget_account_id")
        .annotate(total=Sum("amount"))
        .values_list("budget_account_id", "total")
    )
    committed = dict(
        orders.filter(
            status__in=[
                OrderStatus.REGISTERED,
                OrderStatus.AWAITING_SECOND,
                OrderStatus.ATTESTED,
                OrderStatus.IN_RUN,
                OrderStatus.SENT,
            ],
            pay_on__year=year,
        )
        .values("budget_account_id")
        .annotate(total=Sum("amount"))
        .values_list("budget_account_id", "total")
    )
    zero = Decimal("0.00")
    result: dict[str, list[BudgetRow]] = {BudgetKind.ASSISTANCE: [], BudgetKind.OPERATING: []}
    for account in accounts:
        result[account.kind].append(
            BudgetRow(
                account,
                latest.get(account.pk),
                (paid.get(account.pk) or zero) - (returned.get(account.pk) or zero),
                committed.get(account.pk) or zero,
            )
        )
    return result


def run_candidates_exist(user, payment_date: dt.date) -> bool:
    return claimable_orders(user.unit, payment_date).exists()


def open_run_for_date(user, payment_date: dt.date) -> PaymentRun | None:
    return PaymentRun.objects.filter(
        unit_id=user.unit_id,
        payment_date=payment_date,
        status__in=[RunStatus.BUILDING, RunStatus.BUILT],
    ).first()
