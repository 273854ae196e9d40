"""Payments for the demo: settings, budget accounts and yearly budgets, payees with valid
(masked) accounts, and a payment order for each granting decision of the history.

Setup goes through the payments services (settings by the unit head, budget accounts and
landlords by finance). The history is written set-wise but along the same path the database
checks (payments 0002): orders are inserted 'registered', attested (level 1 by the section
head, level 2 above the amount limit by the unit head), then claimed into one payment run per
payment day, sent and marked paid. The broken chain holds throughout: finance registers the
accounts, handlers decide, another handler registers the order, heads attest. Demo runs have no pain.001 file on disk; their
`file_sha256` is the hash of a summary of the run, not of a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict
from decimal import Decimal

from bistand.audit.models import AuditAction
from bistand.core.dates import next_working_day
from bistand.decisions.models import Decision, DecisionLine, Outcome
from bistand.organisation.models import Role, User
from bistand.payments import services as payment_services
from bistand.payments.bank_accounts import (
    AccountValidationError,
    bank_ranges,
    mod10_check_digit,
    validate_bank_account,
)
from bistand.payments.models import (
    AccountKind,
    AccountNumber,
    Attestation,
    BudgetAmount,
    BudgetKind,
    OrderStatus,
    Payee,
    PayeeAccount,
    PayeeKind,
    PaymentMethod,
    PaymentOrder,
    PaymentRun,
    RunStatus,
)

from .auditing import AuditBuffer
from .history import _at
from .planning import PlannedCase
from .staff import Organisation

AMOUNT_LIMIT = Decimal("13000")
BUDGET_SERVICE_CEILING = Decimal("10000000")
# Clearing numbers the demo's applicants bank with (Handelsbanken, SEB, Nordea, Swedbank ...).
CLEARINGS = ("6123", "6789", "5212", "5467", "3021", "1134", "8327", "8105", "9661", "9150")
LANDLORD_SHARE = 0.08  # households whose rent is paid straight to the landlord
UNPAID_DAYS = 2  # decisions this recent are attested but not yet paid
LANDLORDS = (
    ("Lunds Hyresbostäder AB", "556"),
    ("Fäladshus Fastigheter AB", "559"),
)


def _luhn_number(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    return body + mod10_check_digit(body)


def valid_bank_account(rng: random.Random) -> tuple[str, str]:
    """A random (clearing, account) that passes validate_bank_account."""
    clearing = rng.choice(CLEARINGS)
    bank = next(r for r in bank_ranges() if r.contains(int(clearing)))
    for _ in range(500):
        account = "".join(str(rng.randint(0, 9)) for _ in range(bank.length))
        if bank.check_method in (1, 3) and bank.account_type == 2:
            account = account[:-1] + mod10_check_digit(account[:-1])
        try:
            validate_bank_account(clearing, account)
        except AccountValidationError:
            continue
        return clearing, account
    raise RuntimeError(f"No valid account found for clearing {clearing}")


def _iban(rng: random.Random) -> str:
    bban = "6000" + "".join(str(rng.randint(0, 9)) for _ in range(16))
    check = 98 - int(bban + "281400") % 97
    return f"SE{check:02d}{bban}"


def _organisation_number(rng: random.Random, prefix: str) -> str:
    return _luhn_number(rng, prefix, 10)


class PaymentWriter:
    def __init__(
        self, rng: random.Random, org: Organisation, today: dt.date, audit: AuditBuffer
    ) -> None:
        self.rng = rng
        self.org = org
        self.today = today
        self.audit = audit
        self.finance = org.of(None, Role.FINANCE)
        self.registrar = self.finance[0]
        self.unit_head = org.first(None, Role.UNIT_HEAD)
        self.orders: list[PaymentOrder] = []

    # Setup through the services -------------------------------------------------------

    def setup(self, window_start: dt.date, households: int) -> None:
        rng = self.rng
        payment_services.change_payment_settings(
            self.unit_head,
            amount_limit=AMOUNT_LIMIT,
            debtor_name="Exempelkommun Socialförvaltningen",
            debtor_iban=_iban(rng),
            debtor_bic="HANDSESS",
            organisation_number=_organisation_number(rng, "212"),
            note="Beloppsspärr enligt nämndens attestreglemente",
        )
        self.support = payment_services.create_budget_account(
            self.registrar,
            code="4561",
            name="Försörjningsstöd",
            kind=BudgetKind.ASSISTANCE,
            line_kind="income_support",
        )
        other = payment_services.create_budget_account(
            self.registrar,
            code="4562",
            name="Livsföring i övrigt",
            kind=BudgetKind.ASSISTANCE,
            line_kind="other_living_costs",
        )
        operating = payment_services.create_budget_account(
            self.registrar, code="6110", name="Enhetens drift", kind=BudgetKind.OPERATING
        )
        # About 11 000 kr a month per household (the demo's average), to the nearest 100 000.
        support_budget = Decimal(round(households * 11_000 * 12, -5))
        budgets = {
            self.support: support_budget,
            other: (support_budget * Decimal("0.04")).quantize(Decimal("1")),
            operating: Decimal(round(households * 2_300 * 12, -5)),
        }
        for year in range(window_start.year, self.today.year + 1):
            for account, amount in budgets.items():
                if amount < BUDGET_SERVICE_CEILING:
                    payment_services.set_yearly_budget(
                        self.unit_head, account, year=year, amount=amount, note="Budget"
                    )
                    continue
                # set_yearly_budget refuses 10 million kr or more (parse_amount's ceiling for
                # a single payment); a unit's yearly budget is larger, so the row is written
                # here, valid by the model, and logged like the service does.
                row = BudgetAmount.objects.create(
                    account=account, year=year, amount=amount, note="Budget",
                    created_by=self.unit_head,
                )  # fmt: skip
                self.audit.add(
                    self.unit_head,
                    AuditAction.UPDATE,
                    "payments.budgetamount",
                    row.pk,
                    detail={"what": "budget", "account": account.code, "year": year,
                            "amount": str(amount)},
                )  # fmt: skip
        self.landlords = []
        for name, prefix in LANDLORDS:
            self.landlords.append(
                payment_services.register_organisation_payee(
                    self.registrar,
                    name=name,
                    organisation_number=_organisation_number(rng, prefix),
                    account_kind=AccountKind.BANKGIRO,
                    number=_luhn_number(rng, str(rng.randint(5, 9)), 8),
                    reason="Hyresvärd för bostäder med försörjningsstöd",
                )
            )

    # Payees for the applicants ----------------------------------------------------------

    def _payees(self, cases: list[PlannedCase], first_paid: dict[int, dt.date]) -> dict:
        rng = self.rng
        payees, accounts, numbers = [], [], []
        seen: set[int] = set()
        for case in cases:
            if case.pk not in first_paid or case.pk in seen:
                continue
            seen.add(case.pk)
            applicant = case.household.applicant
            clearing, number = valid_bank_account(rng)
            checked = payment_services.validate_account(AccountKind.BANK_ACCOUNT, number, clearing)
            at = _at(first_paid[case.pk] - dt.timedelta(days=1), 8, rng.randint(0, 59))
            payees.append(
                Payee(
                    unit=self.org.unit,
                    kind=PayeeKind.PERSON,
                    person_id=applicant.pk,
                    name=applicant.full_name,
                    created_by=self.registrar,
                    created_at=at,
                )
            )
            accounts.append(
                PayeeAccount(
                    version=1,
                    kind=checked.kind,
                    bank_name=checked.bank_name,
                    masked=checked.masked,
                    reason="Kontouppgift från sökande",
                    registered_by=self.registrar,
                    registered_at=at,
                )
            )
            numbers.append(checked)
        Payee.objects.bulk_create(payees, batch_size=1000)
        for payee, account in zip(payees, accounts, strict=True):
            account.payee_id = payee.pk
        PayeeAccount.objects.bulk_create(accounts, batch_size=1000)
        AccountNumber.objects.bulk_create(
            [
                AccountNumber(
                    account_id=account.pk,
                    clearing=checked.clearing,
                    clearing_check_digit=checked.clearing_check_digit,
                    number=checked.number,
                )
                for account, checked in zip(accounts, numbers, strict=True)
            ],
            batch_size=1000,
        )
        for payee, account in zip(payees, accounts, strict=True):
            payee.current_account = account
        Payee.objects.bulk_update(payees, ["current_account"], batch_size=1000)
        by_person = {}
        for payee, account in zip(payees, accounts, strict=True):
            by_person[payee.person_id] = payee
            self.audit.add(
                self.registrar,
                AuditAction.CREATE,
                "payments.payee",
                payee.pk,
                person_id=payee.person_id,
                detail={"what": "payee", "account_version": 1, "account": account.masked},
            )
        return by_person

    # Orders -------------------------------------------------------------------------------

    def _attester(self, case: PlannedCase, decision: Decision) -> User:
        head = self.org.first(case.section, Role.SECTION_HEAD)
        return head if head.pk != decision.decided_by_id else self.unit_head

    def _registrar(self, case: PlannedCase, decision: Decision) -> User:
        """Who registers the order: a handler of the case's section other than the decision
        maker (the broken chain: registrant, decider and attester are different people)."""
        for role in (Role.BENEFIT_ADMINISTRATOR, Role.SOCIAL_WORKER):
            for user in self.org.of(case.section, role):
                if user.pk != decision.decided_by_id:
                    return user
        return self.unit_head

    def _second(self, first: User, decider_id: int) -> User:
        """A head who neither attested first nor decided."""
        heads = [self.unit_head, *(u for u in self.org.users if u.role == Role.SECTION_HEAD)]
        return next(u for u in heads if u.pk not in (first.pk, decider_id))

    def write(self, decided: list[tuple[PlannedCase, Decision, DecisionLine]]) -> None:
        rng, today = self.rng, self.today
        granting = [
            (case, decision, line)
            for case, decision, line in decided
            if decision.outcome in (Outcome.GRANTED, Outcome.PARTLY_GRANTED)
            and line.amount_granted > 0
        ]
        first_paid: dict[int, dt.date] = {}
        for case, decision, _ in granting:
            first_paid[case.pk] = min(first_paid.get(case.pk, decision.decided_on),
                                      decision.decided_on)  # fmt: skip
        payees = self._payees([case for case, _, _ in granting], first_paid)
        to_landlord = {
            case.pk: self.landlords[case.pk % len(self.landlords)]
            for case, _, _ in granting
            if rng.random() < LANDLORD_SHARE
        }
        orders: list[PaymentOrder] = []
        meta: list[tuple[PlannedCase, Decision, bool]] = []
        for case, decision, line in granting:
            recent = decision.decided_on >= today - dt.timedelta(days=UNPAID_DAYS)
            pay_on = next_working_day(decision.decided_on + dt.timedelta(days=1))
            if recent:
                pay_on = max(pay_on, next_working_day(today + dt.timedelta(days=1)))
            created_at = decision.decided_at + dt.timedelta(minutes=rng.randint(5, 90))
            created_at = min(created_at, _at(today, 23, 59))
            remaining = line.amount_granted
            landlord = to_landlord.get(case.pk)
            rent = case.household.rent
            if landlord is not None and remaining > rent:
                orders.append(
                    PaymentOrder(
                        unit=self.org.unit,
                        case_id=case.pk,
                        decision_id=decision.pk,
                        decision_line_id=line.pk,
                        month=decision.month,
                        budget_account=self.support,
                        amount=rent,
                        method=PaymentMethod.INVOICE,
                        payee=landlord,
                        payee_account=landlord.current_account,
                        payee_name=landlord.name,
                        payee_masked=landlord.current_account.masked,
                        invoice_number=f"H{decision.month:%y%m}-{case.pk:05d}",
                        message=f"Hyra {decision.month:%Y-%m} {case.household.address}"[:140],
                        due_on=pay_on,
                        pay_on=pay_on,
                        created_by=self._registrar(case, decision),
                        created_at=created_at,
                    )
                )
                meta.append((case, decision, recent))
                remaining -= rent
            payee = payees[case.household.applicant.pk]
            orders.append(
                PaymentOrder(
                    unit=self.org.unit,
                    case_id=case.pk,
                    decision_id=decision.pk,
                    decision_line_id=line.pk,
                    month=decision.month,
                    budget_account=self.support,
                    amount=remaining,
                    method=PaymentMethod.ACCOUNT,
                    payee=payee,
                    payee_account=payee.current_account,
                    payee_name=payee.name,
                    payee_masked=payee.current_account.masked,
                    message=f"Ekonomiskt bistånd {decision.month:%Y-%m}",
                    pay_on=pay_on,
                    created_by=self._registrar(case, decision),
                    created_at=created_at,
                )
            )
            meta.append((case, decision, recent))
        PaymentOrder.objects.bulk_create(orders, batch_size=1000)
        self.orders = orders
        for order in orders:
            self.audit.add(
                order.created_by,
                AuditAction.CREATE,
                "payments.paymentorder",
                order.pk,
                case_id=order.case_id,
                detail={"what": "payment_order", "method": order.method,
                        "amount": str(order.amount), "decision": order.decision_id},
            )  # fmt: skip
        self._attest_and_pay(orders, meta)

    def _attest_and_pay(self, orders: list[PaymentOrder], meta: list) -> None:
        rng, today = self.rng, self.today
        first, second, left_waiting = [], [], set()
        for index, (order, (case, decision, recent)) in enumerate(zip(orders, meta, strict=True)):
            attester = self._attester(case, decision)
            at = min(order.created_at + dt.timedelta(hours=rng.randint(1, 20)),
                     _at(today, 23, 59))  # fmt: skip
            first.append(
                Attestation(
                    order_id=order.pk,
                    level=1,
                    attested_by=attester,
                    role=attester.role,
                    amount_limit=AMOUNT_LIMIT,
                    attested_at=at,
                )
            )
            if order.amount > AMOUNT_LIMIT:
                if recent and index % 3 != 0:
                    left_waiting.add(order.pk)
                    continue
                by = self._second(attester, decision.decided_by_id)
                second.append(
                    Attestation(
                        order_id=order.pk,
                        level=2,
                        attested_by=by,
                        role=by.role,
                        attested_at=at + dt.timedelta(hours=2),
                    )
                )
        Attestation.objects.bulk_create(first, batch_size=2000)
        above = [o.pk for o in orders if o.amount > AMOUNT_LIMIT]
        self._update(above, status=OrderStatus.AWAITING_SECOND)
        Attestation.objects.bulk_create(second, batch_size=2000)
        self._update([pk for pk in above if pk not in left_waiting], status=OrderStatus.ATTESTED)
        self._update([o.pk for o in orders if o.amount <= AMOUNT_LIMIT],
                     status=OrderStatus.ATTESTED)  # fmt: skip
        for row in (*first, *second):
            self.audit.add(
                row.attested_by,
                AuditAction.SIGN,
                "payments.paymentorder",
                row.order_id,
                detail={"what": "attest", "level": row.level},
            )
        # Past orders were claimed into the day's run, sent and paid.
        by_day: dict[dt.date, list[PaymentOrder]] = defaultdict(list)
        for order, (_case, _decision, recent) in zip(orders, meta, strict=True):
            if not recent and order.pay_on <= today:
                by_day[order.pay_on].append(order)
        self._runs(by_day)

    def _update(self, pks: list[int], **values) -> None:
        for start in range(0, len(pks), 900):
            PaymentOrder.objects.filter(pk__in=pks[start : start + 900]).update(**values)

    def _runs(self, by_day: dict[dt.date, list[PaymentOrder]]) -> None:
        sender = self.finance[-1]
        runs = [
            PaymentRun(
                unit=self.org.unit,
                payment_date=day,
                status=RunStatus.BUILDING,
                created_by=sender,
                created_at=_at(day - dt.timedelta(days=1), 15),
            )
            for day in sorted(by_day)
        ]
        PaymentRun.objects.bulk_create(runs)
        for run in runs:
            orders = by_day[run.payment_date]
            pks = [o.pk for o in orders]
            self._update(pks, status=OrderStatus.IN_RUN, run_id=run.pk)
            total = sum((o.amount for o in orders), Decimal("0"))
            summary = f"{run.pk}|{run.payment_date}|{len(orders)}|{total}"
            sent_at = _at(run.payment_date - dt.timedelta(days=1), 16)
            PaymentRun.objects.filter(pk=run.pk).update(
                status=RunStatus.BUILT,
                revision=1,
                message_id=f"DEMO{run.payment_date:%Y%m%d}{run.pk:06d}",
                file_created_at=sent_at,
                built_at=sent_at,
                order_count=len(orders),
                control_sum=total,
                file_sha256=hashlib.sha256(summary.encode()).hexdigest(),
                file_size=len(orders) * 900,
            )
            PaymentRun.objects.filter(pk=run.pk).update(
                status=RunStatus.SENT, sent_by=sender, sent_at=sent_at
            )
            self._update(pks, status=OrderStatus.SENT)
            self._update(
                pks, status=OrderStatus.PAID, paid_on=run.payment_date, bank_status_code="ACSC"
            )
            PaymentRun.objects.filter(pk=run.pk).update(
                status=RunStatus.RECONCILED, reconciled_at=_at(run.payment_date, 12)
            )
            self.audit.add(
                sender,
                AuditAction.UPDATE,
                "payments.paymentrun",
                run.pk,
                detail={"what": "run_sent_and_paid", "orders": len(orders), "sum": str(total)},
            )
