"""A small hand-made world for the statistics tests: persons, households, cases, final
decisions with support obstacles, and payment orders paid for given months.

Rows are created directly (objects.create), not through the other apps' services, so the
tests state exactly the facts each figure is computed from. The payment orders still pass the
payments app's database rules: created registered, attested by the unit head (cash), then
paid.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from bistand.cases.models import (
    Application,
    Case,
    CaseAssignment,
    CaseReopening,
    CaseStatus,
    Investigation,
    InvestigationVersion,
)
from bistand.decisions.models import (
    Calculation,
    Decision,
    DecisionLine,
    DecisionStatus,
    DecisionSupportObstacle,
)
from bistand.households.models import Household, HouseholdMembership, Person
from bistand.payments.models import (
    Attestation,
    BudgetAccount,
    BudgetAmount,
    BudgetKind,
    OrderStatus,
    PaymentOrder,
    PaymentSettings,
)
from bistand.statistics.refresh import refresh_months
from bistand.workplans.models import Intervention, InterventionStatus, Programme

STOCKHOLM = ZoneInfo("Europe/Stockholm")
_serial = itertools.count(100)


def luhn_digit(digits: str) -> int:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def identity_number(birth_date: dt.date, sex: str) -> str:
    """A valid personnummer (Luhn) for the birth date; odd second-to-last digit = man."""
    while True:
        serial = next(_serial) % 1000
        if serial and (serial % 10) % 2 == (1 if sex == "M" else 0):  # 000 is never issued
            break
    body = f"{birth_date:%y%m%d}{serial:03d}"
    return f"{birth_date:%Y%m%d}{serial:03d}{luhn_digit(body)}"


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM)


class World:
    def __init__(self, org):
        self.org = org
        self.unit = org.unit
        self.settings = PaymentSettings.objects.create(
            unit=self.unit,
            amount_limit=Decimal("100000"),
            debtor_name="Exempelkommun",
            debtor_iban="SE4550000000058398257466",
            debtor_bic="ESSESESS",
            organisation_number="212000-0000",
            created_by=org.unit_head,
        )
        self.account = BudgetAccount.objects.create(
            unit=self.unit,
            code="4711",
            name="Försörjningsstöd",
            kind=BudgetKind.ASSISTANCE,
            created_by=org.unit_head,
        )
        self.other_account = BudgetAccount.objects.create(
            unit=self.unit,
            code="4712",
            name="Livsföring i övrigt",
            kind=BudgetKind.ASSISTANCE,
            created_by=org.unit_head,
        )
        self.versions: dict[int, InvestigationVersion] = {}

    # --- people and households -----------------------------------------------------------

    def person(self, born: dt.date, sex: str = "M", name: str = "Test") -> Person:
        return Person.objects.create(
            identity_number=identity_number(born, sex),
            first_name=name,
            last_name="Testsson",
            birth_date=born,
            sex=sex,
        )

    def household(self, *members, since: dt.date = dt.date(2020, 1, 1)) -> Household:
        """members: (person, role) or (person, role, valid_from, valid_to)."""
        household = Household.objects.create(address="Storgatan 1", city="Lund")
        for member in members:
            self.join(household, *member, since=since)
        return household

    def join(self, household, person, role, valid_from=None, valid_to=None, since=None):
        return HouseholdMembership.objects.create(
            household=household,
            person=person,
            role=role,
            valid_from=valid_from or since or dt.date(2020, 1, 1),
            valid_to=valid_to,
        )

    # --- cases ---------------------------------------------------------------------------

    def case(
        self,
        household,
        *,
        opened_on: dt.date,
        section=None,
        handler=None,
        case_type: str = "A",
        previous_case=None,
    ) -> Case:
        section = section or self.org.labour
        handler = handler if handler is not None else self.org.other_social_worker
        case = Case.objects.create(
            household=household,
            unit=self.unit,
            section=section,
            handler=handler or None,
            case_type=case_type,
            status=CaseStatus.ACTIVE,
            opened_on=opened_on,
            previous_case=previous_case,
        )
        CaseAssignment.objects.create(
            case=case,
            handler=case.handler,
            section=section,
            case_type=case_type,
            started_at=at(opened_on, 8),
            assigned_by=self.org.unit_head,
        )
        return case

    def close(self, case, on: dt.date, reason: str) -> Case:
        Case.objects.filter(pk=case.pk).update(
            status=CaseStatus.CLOSED, closed_on=on, closing_reason=reason
        )
        CaseAssignment.objects.filter(case=case, ended_at__isnull=True).update(ended_at=at(on))
        case.refresh_from_db()
        return case

    def reopen(self, case, on: dt.date) -> CaseReopening:
        reopening = CaseReopening.objects.create(
            case=case,
            reopened_on=on,
            previous_closed_on=case.closed_on,
            previous_closing_reason=case.closing_reason,
            reopened_by=self.org.reception,
        )
        Case.objects.filter(pk=case.pk).update(
            status=CaseStatus.INTAKE, closed_on=None, closing_reason=""
        )
        case.refresh_from_db()
        return reopening

    def reassign(self, case, on: dt.date, *, section=None, handler=None, case_type=None):
        CaseAssignment.objects.filter(case=case, ended_at__isnull=True).update(ended_at=at(on, 9))
        CaseAssignment.objects.create(
            case=case,
            handler=handler or case.handler,
            section=section or case.section,
            case_type=case_type or case.case_type,
            started_at=at(on, 9),
            assigned_by=self.org.unit_head,
        )
        Case.objects.filter(pk=case.pk).update(
            handler=handler or case.handler,
            section=section or case.section,
            case_type=case_type or case.case_type,
        )
        case.refresh_from_db()

    def _version(self, case) -> InvestigationVersion:
        if case.pk not in self.versions:
            investigation = Investigation.objects.create(case=case)
            self.versions[case.pk] = InvestigationVersion.objects.create(
                investigation=investigation,
                number=1,
                content={},
                created_by=self.org.social_worker,
                signed_by=self.org.social_worker,
                signed_at=at(case.opened_on),
            )
        return self.versions[case.pk]

    # --- decisions and payments ----------------------------------------------------------

    def decide(
        self,
        case,
        month: dt.date,
        amount: Decimal | str | int,
        *,
        received_on: dt.date | None = None,
        complete_on: dt.date | None = None,
        decided_on: dt.date | None = None,
        obstacles: dict | None = None,
        kind: str = "repeat",
    ) -> tuple[Decision, DecisionLine]:
        amount = Decimal(str(amount))
        received_on = received_on or (month - dt.timedelta(days=10))
        decided_on = decided_on or (complete_on or received_on) + dt.timedelta(days=3)
        application = Application.objects.create(
            case=case,
            kind=kind,
            month=month,
            received_on=received_on,
            complete_on=complete_on,
            channel="paper",
            status="decided",
            registered_by=self.org.reception,
        )
        calculation = Calculation.objects.create(
            application=application, case=case, month=month, created_by=self.org.social_worker
        )
        decision = Decision.objects.create(
            case=case,
            application=application,
            calculation=calculation,
            month=month,
            status=DecisionStatus.FINAL,
            outcome="granted",
            total_granted=amount,
            investigation_version=self._version(case),
            decided_by=self.org.social_worker,
            decided_at=at(decided_on, 11),
            decided_on=decided_on,
        )
        line = DecisionLine.objects.create(
            decision=decision,
            key="income_support",
            kind="income_support",
            outcome="granted",
            amount_applied=amount,
            amount_granted=amount,
            legal_basis="4 kap. 1 § socialtjänstlagen",
        )
        for person, code in (obstacles or {}).items():
            DecisionSupportObstacle.objects.create(
                decision=decision, person=person, household_role="applicant", code=code
            )
        return decision, line

    def pay(
        self,
        case,
        month: dt.date,
        amount: Decimal | str | int,
        *,
        paid_on: dt.date | None = None,
        account=None,
        obstacles: dict | None = None,
        **decision_options,
    ) -> PaymentOrder:
        """A decision for the month and a cash order for it, attested and paid."""
        amount = Decimal(str(amount))
        decision, line = self.decide(case, month, amount, obstacles=obstacles, **decision_options)
        paid_on = paid_on or (month - dt.timedelta(days=5))
        order = PaymentOrder.objects.create(
            unit=self.unit,
            case=case,
            decision=decision,
            decision_line=line,
            month=month,
            budget_account=account or self.account,
            amount=amount,
            method="cash",
            cash_reason="Testutbetalning",
            payee_name="Testsson",
            pay_on=paid_on,
            created_by=self.org.benefit_admin,
            created_at=timezone.now(),
        )
        Attestation.objects.create(
            order=order,
            level=1,
            attested_by=self.org.unit_head,
            role="unit_head",
            amount_limit=self.settings.amount_limit,
            attested_at=timezone.now(),
        )
        PaymentOrder.objects.filter(pk=order.pk).update(status=OrderStatus.ATTESTED)
        PaymentOrder.objects.filter(pk=order.pk).update(status=OrderStatus.PAID, paid_on=paid_on)
        order.refresh_from_db()
        return order

    def return_payment(self, order, on: dt.date) -> None:
        """The bank returned a paid order."""
        PaymentOrder.objects.filter(pk=order.pk).update(
            status=OrderStatus.REJECTED, returned_on=on, bank_reason="Kontot avslutat"
        )

    def budget(self, year: int, amount, account=None) -> BudgetAmount:
        return BudgetAmount.objects.create(
            account=account or self.account,
            year=year,
            amount=Decimal(str(amount)),
            created_by=self.org.unit_head,
        )

    # --- programmes ----------------------------------------------------------------------

    def programme(self, name: str = "Jobbtorg") -> Programme:
        return Programme.objects.get_or_create(unit=self.unit, name=name)[0]

    def intervention(
        self,
        case,
        person,
        *,
        referred_on: dt.date,
        started_on: dt.date | None = None,
        ended_on: dt.date | None = None,
        result: str = "",
        programme: Programme | None = None,
        target: str = "programme",
    ) -> Intervention:
        status = (
            InterventionStatus.ENDED
            if ended_on
            else InterventionStatus.STARTED
            if started_on
            else InterventionStatus.REFERRED
        )
        return Intervention.objects.create(
            case=case,
            person=person,
            target=target,
            programme=(programme or self.programme()) if target == "programme" else None,
            status=status,
            referred_on=referred_on,
            referred_by=self.org.other_social_worker,
            started_on=started_on,
            ended_on=ended_on,
            attendance="full" if ended_on else "",
            result=result,
        )

    def refresh(self, *months: dt.date):
        return refresh_months(months)


def months_of(year: int, *numbers: int) -> list[dt.date]:
    return [dt.date(year, n, 1) for n in numbers]
