"""Builders for the decisions tests: a case with a signed investigation, saved calculations,
decisions; and a clock that can be moved (services read django.utils.timezone.now)."""

import datetime as dt
import itertools
from contextlib import contextmanager
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bistand.cases import services as case_services
from bistand.core.dates import add_months
from bistand.decisions import services
from bistand.decisions.calculations import proposals
from bistand.decisions.models import Calculation, Outcome
from bistand.households.models import ADULT_ROLES
from bistand.households.services import MemberInput, register_household

STOCKHOLM = ZoneInfo("Europe/Stockholm")


# The suite runs on a fixed day, so that amounts (riksnorm 2026) and deadlines do not depend
# on when it runs. Tests move the clock with `clock(day)`.
FIXED_TODAY = dt.date(2026, 11, 24)


@contextmanager
def clock(day: dt.date, hour: int = 10):
    """Make `day` today (timezone.now is read at call time); time still moves forward."""
    start = dt.datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM).astimezone(dt.UTC)
    ticks = itertools.count()

    def now():
        return start + dt.timedelta(milliseconds=next(ticks))

    with mock.patch("django.utils.timezone.now", side_effect=now):
        yield start


@pytest.fixture(autouse=True)
def fixed_today():
    with clock(FIXED_TODAY):
        yield FIXED_TODAY


@pytest.fixture
def previous_month(this_month):
    return add_months(this_month, -1)


def sign_investigation(actor, case, *, children: bool, obstacle="unemployed_no_benefit"):
    month = timezone.localdate()
    adults = [
        {"person_id": m.person_id, "support_obstacle": obstacle}
        for m in case.household.members_on(month)
        if m.role in ADULT_ROLES
    ]
    content = {
        "situation": "Ensamstående, arbetslös sedan i våras.",
        "household_economy": "Inga inkomster utöver det som anges i ansökan.",
        "adults": adults,
    }
    if children:
        content["child_perspective"] = "Barnet går i skolan; ekonomin påverkar fritiden."
    case_services.save_investigation_draft(actor, case, content)
    return case_services.sign_investigation(actor, case)


def make_household(actor, *, on: dt.date, children=False, adult="198309192394", co_applicant=None):
    members = [MemberInput(adult, "Tolvan", "Tolvansson", "applicant")]
    if co_applicant:
        members.append(MemberInput(co_applicant, "Elva", "Elvasson", "co_applicant"))
    if children:
        members.append(MemberInput("201501102386", "Lilla", "Tolvansson", "child"))
    return register_household(
        actor, members, address="Storgatan 1", postal_code="22100", city="Lund", on=on
    )


@pytest.fixture
def make_application(org):
    """A new application on a case held by `handler`, with a signed investigation. The
    household is registered from the month applied for (or today, if later)."""

    def make(
        month,
        *,
        children=False,
        adult="198309192394",
        co_applicant=None,
        stated_costs=None,
        stated_incomes=None,
        handler=None,
        case_type="",
        child_perspective=True,
    ):
        on = min(month, timezone.localdate())
        household = make_household(
            org.reception, on=on, children=children, adult=adult, co_applicant=co_applicant
        )
        application = case_services.register_application(
            org.reception,
            household,
            kind="new",
            month=month,
            stated_costs=stated_costs,
            stated_incomes=stated_incomes,
        )
        case = application.case
        case_services.take_case(org.social_worker, case)
        sign_investigation(org.social_worker, case, children=children and child_perspective)
        handler = handler or org.social_worker
        if handler != org.social_worker or case_type:
            case_services.reassign_case(
                org.unit_head,
                case,
                handler=handler,
                section=handler.section,
                case_type=case_type or ("C" if handler == org.benefit_admin else "A"),
                reason="Testfördelning",
            )
        application.refresh_from_db()
        return application

    return make


def saved_calculation(actor, application) -> Calculation:
    calculation = services.create_calculation(actor, application)
    return services.save_calculation(actor, calculation)


def as_proposed(calculation, **overrides):
    """Line decisions as the calculation proposes them (reasons filled where needed)."""
    decided = {}
    for proposal in proposals(calculation):
        reasons = proposal.proposed_reasons or (
            "" if proposal.proposed_outcome == Outcome.GRANTED else "Skäl enligt beräkningen."
        )
        decided[proposal.key] = services.LineDecision(
            proposal.proposed_outcome,
            proposal.proposed_grant
            if proposal.proposed_outcome == Outcome.PARTLY_GRANTED
            else None,
            reasons,
            proposal.proposed_ground,
        )
    decided.update(overrides)
    return decided


def obstacles_for(calculation, code="unemployed_no_benefit"):
    return {
        m["person_id"]: code
        for m in calculation.members
        if m["role"] in ("applicant", "co_applicant")
    }


def decide(actor, application, calculation=None, **overrides):
    calculation = calculation or saved_calculation(actor, application)
    return services.decide_application(
        actor,
        application,
        calculation=calculation,
        lines=as_proposed(calculation, **overrides),
        support_obstacles=obstacles_for(calculation),
    )


def enter_and_verify_2026(unit, *, source_status: str, drop_children: bool = False):
    """A verified correction of 2026 with a weaker source status (a test of the warnings;
    the package's 2026 table is read from the regulation text and carries none)."""
    from bistand.norms import services as norm_services
    from bistand.organisation.models import Role, User
    from tests.factories import UserFactory
    from tests.norms.conftest import SOURCES, file_year

    data = file_year(2026)
    if drop_children:
        for child in data["children"]:
            child["amount"] = None
            child.pop("amount_without_lunch_5_days_per_week", None)
    admin = User.objects.filter(role=Role.SYSTEM_ADMIN, unit=unit).first() or UserFactory(
        username="rulesadmin", role=Role.SYSTEM_ADMIN, unit=unit
    )
    draft = norm_services.enter_norm_table(
        admin, year=2026, data=data, source_status=source_status, sources=SOURCES
    )
    second = UserFactory(username="rules2", role=Role.UNIT_HEAD, unit=unit, rules_maintainer=True)
    return norm_services.verify_version(second, draft)


@pytest.fixture
def unverified_2026(org):
    return enter_and_verify_2026(org.unit, source_status="single_secondary_source_UNVERIFIED")


@pytest.fixture
def logged_in(client):
    def login(user):
        client.force_login(user)
        return client

    return login
