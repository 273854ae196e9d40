"""A generated data set for the control runs: clean households, and one planted case per rule.

Rows are written straight into the tables (as the statistics benchmark does), not through the
services: the point is the data shape the rules must find, and the services would refuse to
make most of it. The payment and decision tables' own triggers still hold (orders are
registered, on final granting decisions, within the line's grant, with a broken chain).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from bistand.cases.models import (
    Application,
    Case,
    CaseReopening,
    Investigation,
    InvestigationVersion,
)
from bistand.controls.models import RegisterCheck
from bistand.core.dates import add_months
from bistand.decisions.models import Calculation, Decision, DecisionLine
from bistand.households.models import Household, HouseholdMembership, Person
from bistand.payments.models import AccountNumber, BudgetAccount, Payee, PayeeAccount, PaymentOrder

GRANT = Decimal("8000.00")


class ControlWorld:
    """Org + `clean` ordinary households paid for last month, and the planted cases:
    `planted[rule]` is what that rule must find (and nothing else may be found)."""

    def __init__(self, org, *, clean: int = 8, plant: bool = True, serial: int = 0):
        self.org = org
        self.today = timezone.localdate()
        self.month = add_months(self.today.replace(day=1), -1)
        self.pay_on = self.month - dt.timedelta(days=3)
        self.serial = serial  # a second world (another unit) starts its numbers elsewhere
        # Registered last month (the tests' clock fixes the day, not timezone.now()).
        self.registered_at = timezone.make_aware(
            dt.datetime.combine(self.month - dt.timedelta(days=10), dt.time(10))
        )
        self.account = BudgetAccount.objects.create(
            unit=org.unit, code="4561", name="Försörjningsstöd", kind="assistance",
            created_by=org.unit_head,
        )  # fmt: skip
        self.landlord = Payee.objects.create(
            unit=org.unit, kind="organisation", name="Bostads AB", organisation_number="556036-0793",
            created_by=org.finance,
        )  # fmt: skip
        self.landlord_account = self._account(self.landlord, "", "54029681", kind="bankgiro")
        self.planted: dict[str, dict] = {}
        self.clean_cases = [self.clean_household(n) for n in range(clean)]
        if plant:
            self.plant_all()

    # --- building blocks ---------------------------------------------------------------

    def _person(self, role="applicant") -> Person:
        self.serial += 1
        return Person.objects.create(
            identity_number=f"9{self.serial:011d}", first_name="Test", last_name=f"P{self.serial}",
            birth_date=dt.date(1980, 1, 1), sex="F",
        )  # fmt: skip

    def household(self, people=1, *, since=dt.date(2020, 1, 1)):
        household = Household.objects.create(address="Storgatan 1")
        persons = []
        for n in range(people):
            person = self._person()
            HouseholdMembership.objects.create(
                household=household, person=person, role="applicant" if n == 0 else "co_applicant",
                valid_from=since,
            )  # fmt: skip
            persons.append(person)
        return household, persons

    def case(self, household, *, status="active", closed_on=None) -> Case:
        org = self.org
        case = Case.objects.create(
            household=household, unit=org.unit, section=org.labour, handler=org.other_social_worker,
            status=status, opened_on=dt.date(2024, 1, 10), closed_on=closed_on,
            closing_reason="work" if closed_on else "",
        )  # fmt: skip
        investigation = Investigation.objects.create(case=case)
        self._version = InvestigationVersion.objects.create(
            investigation=investigation, number=1, content={}, created_by=org.social_worker,
            signed_by=org.social_worker, signed_at=timezone.now(),
        )  # fmt: skip
        case.version = self._version
        return case

    def decision(self, case, *, month=None, grant=GRANT, incomes=(), replaces=None) -> DecisionLine:
        org, month = self.org, month or self.month
        application = Application.objects.create(
            case=case, kind="repeat", month=month, received_on=month - dt.timedelta(days=20),
            channel="e_service", status="decided", registered_by=org.reception,
        )  # fmt: skip
        calculation = Calculation.objects.create(
            application=application, case=case, month=month, incomes=list(incomes),
            created_by=org.other_social_worker, saved_by=org.other_social_worker,
            saved_at=timezone.now(),
        )  # fmt: skip
        decision = Decision.objects.create(
            case=case, application=application, calculation=calculation, month=month,
            status="final", outcome="granted", total_granted=grant,
            investigation_version=case.version, decided_by=org.unit_head,
            decided_at=timezone.now(), decided_on=month - dt.timedelta(days=10), replaces=replaces,
            replacement_reason="Ändrade inkomster" if replaces else "",
        )  # fmt: skip
        return DecisionLine.objects.create(
            decision=decision, key="income_support", kind="income_support", outcome="granted",
            amount_applied=grant, amount_granted=grant, legal_basis="4 kap. 1 § SoL",
        )  # fmt: skip

    def _account(self, payee, clearing, number, *, kind="bank_account") -> PayeeAccount:
        version = PayeeAccount.objects.filter(payee=payee).count() + 1
        account = PayeeAccount.objects.create(
            payee=payee, version=version, kind=kind, masked=f"**** {number[-4:]}",
            registered_by=self.org.finance,
        )  # fmt: skip
        AccountNumber.objects.create(account=account, clearing=clearing, number=number)
        return account

    def person_payee(self, person, number: str):
        payee = Payee.objects.create(
            unit=self.org.unit, kind="person", person=person, name=person.last_name,
            created_by=self.org.finance,
        )  # fmt: skip
        return payee, self._account(payee, "8327", number)

    def order(self, line: DecisionLine, amount=GRANT, *, payee=None, account=None,
              method="account", pay_on=None, **extra) -> PaymentOrder:  # fmt: skip
        decision = line.decision
        if method == "invoice":
            payee, account = self.landlord, self.landlord_account
            extra.setdefault("due_on", pay_on or self.pay_on)
        return PaymentOrder.objects.create(
            unit=self.org.unit, case=decision.case, decision=decision, decision_line=line,
            month=decision.month, budget_account=self.account, amount=amount, method=method,
            payee=payee, payee_account=account, payee_name=payee.name if payee else "Kontant",
            pay_on=pay_on or self.pay_on, created_by=self.org.benefit_admin,
            cash_reason="" if method != "cash" else "Akut", created_at=self.registered_at, **extra,
        )  # fmt: skip

    def clean_household(self, n: int) -> Case:
        """An ordinary household: one case, last month decided and paid to its own account and
        (half of them) rent to the landlord with an OCR of its own; a register check whose
        wages the calculation counted."""
        household, (person,) = self.household()
        case = self.case(household)
        wages = [{"type": "wages", "amount": "7500.00", "person_id": person.pk}]
        line = self.decision(case, incomes=wages if n % 2 else ())
        payee, account = self.person_payee(person, f"10000{n:05d}")
        self.order(line, Decimal("3000.00"), payee=payee, account=account)
        if n % 2 == 0:
            self.order(line, Decimal("5000.00"), method="invoice", ocr_reference=f"7{n:06d}")
        else:
            self.register_check(case, person, net="7500.00")
        return case

    def register_check(self, case, person, *, net: str) -> RegisterCheck:
        amount = Decimal(net) + Decimal("2500.00")
        month = f"{self.month:%Y-%m}"
        return RegisterCheck.objects.create(
            case=case, person=person, source="skatteverket", channel="register",
            period_start=self.month, period_end=self.month,
            answer={"status": "ok", "period": {"from": month, "to": month}, "items": [
                {"month": month, "kind": "employment_income", "payer": "Lagerhuset AB",
                 "amount": f"{amount:.2f}", "tax": "2500.00"}]},
            checked_by=self.org.social_worker, checked_at=self.registered_at,
        )  # fmt: skip

    # --- one planted case per rule -------------------------------------------------------

    def plant_all(self) -> None:
        # Two households, payees of different persons, the same bank account number.
        cases = []
        for _ in range(2):
            household, (person,) = self.household()
            case = self.case(household)
            payee, account = self.person_payee(person, "99887766")
            self.order(self.decision(case), GRANT, payee=payee, account=account)
            cases.append(case)
        self.planted["shared_account"] = {"households": sorted(c.household_id for c in cases)}

        # Closed on the 5th of last month, paid on the 20th.
        household, _ = self.household()
        closed = self.case(household, status="closed", closed_on=self.month.replace(day=5))
        late = self.order(self.decision(closed), method="cash", pay_on=self.month.replace(day=20))
        self.planted["paid_after_closing"] = {"orders": [late.pk], "case": closed.pk}

        # Paid in the gap between a closing and the re-entry.
        household, _ = self.household()
        reopened = self.case(household)
        CaseReopening.objects.create(
            case=reopened, reopened_on=self.month.replace(day=25),
            previous_closed_on=self.month.replace(day=2), previous_closing_reason="work",
            reopened_by=self.org.unit_head,
        )  # fmt: skip
        gap = self.order(self.decision(reopened), method="cash", pay_on=self.month.replace(day=12))
        self.planted["paid_after_closing"]["orders"].append(gap.pk)

        # Two applications for one month, both decided and paid.
        household, _ = self.household()
        double = self.case(household)
        first = self.order(self.decision(double), method="cash")
        second = self.order(self.decision(double), method="cash")
        self.planted["overlapping_payments"] = {"orders": sorted([first.pk, second.pk])}

        # A person in two households with open cases (the old membership not ended).
        moved = self._person()
        old, _ = self.household()
        new, _ = self.household()
        HouseholdMembership.objects.create(
            household=old, person=moved, role="co_applicant", valid_from=dt.date(2020, 1, 1),
            valid_to=self.today + dt.timedelta(days=60),
        )  # fmt: skip
        HouseholdMembership.objects.create(
            household=new, person=moved, role="applicant", valid_from=dt.date(2024, 1, 1)
        )
        two = [self.case(old), self.case(new)]
        self.planted["person_in_two_cases"] = {"person": moved.pk, "cases": [c.pk for c in two]}

        # Wages in Skatteverket's answer that the calculation did not count.
        household, (earner,) = self.household()
        earning = self.case(household)
        self.order(self.decision(earning), method="cash")
        check = self.register_check(earning, earner, net="7500.00")
        self.planted["income_not_counted"] = {"check": check.pk, "amount": Decimal("7500.00")}

        # Paid 8000, then the decision was replaced by one granting 5000.
        household, _ = self.household()
        lowered = self.case(household)
        original = self.decision(lowered)
        self.order(original, method="cash")
        self.decision(lowered, grant=Decimal("5000.00"), replaces=original.decision)
        self.planted["paid_above_decision"] = {"case": lowered.pk, "amount": Decimal("3000.00")}

        # The same OCR number paid twice to the landlord.
        household, _ = self.household()
        rent = self.case(household)
        line = self.decision(rent)
        twice = [
            self.order(line, Decimal("3000.00"), method="invoice", ocr_reference="123456789")
            for _ in range(2)
        ]
        self.planted["duplicate_invoice"] = {"orders": [o.pk for o in twice]}


class OtherUnit:
    """A second unit with the staff a ControlWorld needs (usernames of its own)."""

    def __init__(self, name: str = "Enhet B"):
        from bistand.organisation.models import Role
        from tests.factories import SectionFactory, UnitFactory, UserFactory

        self.unit = UnitFactory(name=name)
        self.labour = SectionFactory(unit=self.unit, name="Arbetsmarknad B", code="arbetsmarknad-b")
        roles = {
            "reception": Role.RECEPTION, "social_worker": Role.SOCIAL_WORKER,
            "other_social_worker": Role.SOCIAL_WORKER, "benefit_admin": Role.BENEFIT_ADMINISTRATOR,
            "unit_head": Role.UNIT_HEAD, "fraud": Role.FRAUD_INVESTIGATOR, "finance": Role.FINANCE,
        }  # fmt: skip
        for attribute, role in roles.items():
            section = (
                self.labour if role in (Role.SOCIAL_WORKER, Role.BENEFIT_ADMINISTRATOR) else None
            )
            setattr(self, attribute, UserFactory(
                username=f"b-{attribute}", role=role, unit=self.unit, section=section))  # fmt: skip
