"""Builders for the payment tests. Everything goes through the services: a case in the
labour-market section with a signed investigation, a decision made by its social worker
(granting income support with rent, and glasses as other living costs), the unit's payment
settings, budget accounts and payees.

Who is who in the broken chain (tests/conftest.py `org`):
- decides:           org.other_social_worker (holds the case, labour-market section)
- registers payment: world.registrar (a second benefit administrator, same section)
- registers account: org.finance
- attests:           org.benefit_admin (same section)
- second attest:     org.labour_head (section head); cash approval: org.unit_head
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from bistand.cases import services as case_services
from bistand.core.dates import next_working_day
from bistand.decisions import services as decision_services
from bistand.decisions.calculations import proposals
from bistand.decisions.models import LineKind, Outcome
from bistand.households.models import ADULT_ROLES
from bistand.organisation.models import Role
from bistand.payments import services
from bistand.payments.models import BudgetKind, PaymentMethod
from tests.conftest import make_household
from tests.factories import ADULT_NUMBERS, UserFactory

APPLICANT = ADULT_NUMBERS[0]
SWEDBANK = ("8327-9", "014 725 892-5")  # full account 0147258925
SWEDBANK_DIGITS = "0147258925"
HANDELSBANKEN = ("6114", "5171 82351")
BANKGIRO = "5402-9681"
PLUSGIRO = "410 54 68-5"
LANDLORD_ORGNR = "556036-0793"
DEBTOR_IBAN = "SE45 5000 0000 0583 9825 7466"
AMOUNT_LIMIT = Decimal("5000.00")


def sign_investigation(actor, case) -> None:
    month = timezone.localdate()
    adults = [
        {"person_id": m.person_id, "support_obstacle": "unemployed_no_benefit"}
        for m in case.household.members_on(month)
        if m.role in ADULT_ROLES
    ]
    content = {
        "situation": "Ensamstående, arbetslös sedan i våras.",
        "household_economy": "Inga inkomster utöver det som anges i ansökan.",
        "adults": adults,
    }
    case_services.save_investigation_draft(actor, case, content)
    case_services.sign_investigation(actor, case)


def decide_as_proposed(actor, application, **overrides):
    """Save a calculation of the application and decide every line as proposed."""
    calculation = decision_services.create_calculation(actor, application)
    calculation = decision_services.save_calculation(actor, calculation)
    lines = {}
    for proposal in proposals(calculation):
        reasons = proposal.proposed_reasons or (
            "" if proposal.proposed_outcome == Outcome.GRANTED else "Skäl enligt beräkningen."
        )
        lines[proposal.key] = decision_services.LineDecision(
            proposal.proposed_outcome,
            proposal.proposed_grant
            if proposal.proposed_outcome == Outcome.PARTLY_GRANTED
            else None,
            reasons,
            proposal.proposed_ground,
        )
    lines.update(overrides)
    obstacles = {
        m["person_id"]: "unemployed_no_benefit"
        for m in calculation.members
        if m["role"] in ("applicant", "co_applicant")
    }
    return decision_services.decide_application(
        actor, application, calculation=calculation, lines=lines, support_obstacles=obstacles
    )


class World:
    """A unit ready to pay: settings, budget accounts, a decided case and two payees."""

    def __init__(self, org, *, adult: str = APPLICANT, with_payees: bool = True):
        self.org = org
        self.registrar = UserFactory(
            username="benefitadmin2",
            role=Role.BENEFIT_ADMINISTRATOR,
            unit=org.unit,
            section=org.labour,
        )
        self.today = timezone.localdate()
        self.month = self.today.replace(day=1)
        self.pay_day = next_working_day(self.today + dt.timedelta(days=1))
        self.settings = services.change_payment_settings(
            org.unit_head,
            amount_limit=AMOUNT_LIMIT,
            debtor_name="Exempelkommun socialtjänst",
            debtor_iban=DEBTOR_IBAN,
            debtor_bic="NDEASESS",
            organisation_number="212000-0142",
            initiating_party_id="KUND123",
        )
        self.income_account = services.create_budget_account(
            org.finance,
            code="4561",
            name="Försörjningsstöd",
            kind=BudgetKind.ASSISTANCE,
            line_kind=LineKind.INCOME_SUPPORT,
        )
        self.other_account = services.create_budget_account(
            org.finance,
            code="4562",
            name="Livsföring i övrigt",
            kind=BudgetKind.ASSISTANCE,
            line_kind=LineKind.OTHER_LIVING_COSTS,
        )
        self.operating_account = services.create_budget_account(
            org.unit_head, code="6110", name="Enhetens drift", kind=BudgetKind.OPERATING
        )
        self.case, self.decision = self.decided_case(adult)
        self.income_line = self.decision.lines.get(kind=LineKind.INCOME_SUPPORT)
        self.other_line = self.decision.lines.get(kind=LineKind.OTHER_LIVING_COSTS)
        if with_payees:
            self.applicant_payee = services.register_person_payee(
                org.finance,
                identity_number=adult,
                clearing=SWEDBANK[0],
                account_number=SWEDBANK[1],
            )
            self.landlord = services.register_organisation_payee(
                org.finance,
                name="Bostads AB Hyresvärden",
                organisation_number=LANDLORD_ORGNR,
                account_kind="bankgiro",
                number=BANKGIRO,
            )
            self.utility = services.register_organisation_payee(
                org.finance,
                name="Elbolaget i Exempelby",
                organisation_number="556567-8900",
                account_kind="plusgiro",
                number=PLUSGIRO,
            )

    def decided_case(self, adult: str, *, decider=None):
        org = self.org
        household = make_household(org.reception, adult=adult)
        application = case_services.register_application(
            org.reception,
            household,
            kind="new",
            month=self.month,
            stated_costs=[
                {"type": "rent", "amount": "6500.00"},
                {"type": "glasses", "amount": "1800.00"},
            ],
        )
        case = application.case
        case_services.take_case(org.social_worker, case)
        sign_investigation(org.social_worker, case)
        case_services.reassign_case(
            org.unit_head,
            case,
            handler=org.other_social_worker,
            section=org.labour,
            case_type="A",
            reason="Arbetsmarknadsinriktat",
        )
        application.refresh_from_db()
        decision = decide_as_proposed(decider or org.other_social_worker, application)
        case.refresh_from_db()
        return case, decision

    # --- orders --------------------------------------------------------------------------

    def order(self, method=PaymentMethod.ACCOUNT, amount="1000.00", *, line=None, by=None, **kw):
        line = line or (self.other_line if method != PaymentMethod.ACCOUNT else self.income_line)
        if method == PaymentMethod.INVOICE:
            kw.setdefault("payee", self.landlord)
            kw.setdefault("due_on", self.pay_day)
            kw.setdefault("invoice_number", "F-2211")
        if method == PaymentMethod.REQUISITION:
            kw.setdefault("requisition_supplier", "Optikern i Lund")
        if method == PaymentMethod.CASH:
            kw.setdefault("cash_reason", "Kortet spärrat, akut behov av mat över helgen.")
        kw.setdefault("pay_on", self.pay_day)
        return services.create_payment_order(
            by or self.registrar,
            line,
            services.OrderInput(method=method, amount=amount, **kw),
        )

    def attested(self, method=PaymentMethod.ACCOUNT, amount="1000.00", **kw):
        order = self.order(method, amount, **kw)
        attester = self.org.unit_head if method == PaymentMethod.CASH else self.org.benefit_admin
        order = services.attest_order(attester, order)
        if order.status == "awaiting_second":
            second = self.org.labour_head
            order = services.attest_order(second, order)
        return order


@pytest.fixture
def world(org):
    return World(org)
