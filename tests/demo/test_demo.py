"""`bistand demo`: a small demo municipality loaded once for the module, rolled back after."""

import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from bistand.audit.models import AccessLogEntry
from bistand.audit.services import verify_chain
from bistand.cases.models import Application, Case, CaseReopening, CaseStatus
from bistand.cases.selectors import section_inbox
from bistand.core.identity import age_on
from bistand.demo.people import skatteverket_test_numbers
from bistand.demo.planning import TYPE_SHARES, Planner
from bistand.demo.staff import DEMO_PASSWORD
from bistand.households.models import Household, HouseholdMembership, Person
from bistand.organisation.models import Role, Unit, User

pytestmark = pytest.mark.django_db
HOUSEHOLDS = 120


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("demo", "--households", str(HOUSEHOLDS), stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_demo_prints_counts_logins_and_the_password(demo_output):
    assert "Households" in demo_output and str(HOUSEHOLDS) in demo_output
    assert Household.objects.count() == HOUSEHOLDS
    assert "Elapsed" in demo_output
    for username in ("reception", "socialsekreterare", "bidragshandlaggare", "sektionschef"):
        assert username in demo_output
    assert DEMO_PASSWORD in demo_output


def test_every_role_has_a_demo_user_with_the_demo_password(demo_output):
    for role in Role.values:
        assert User.objects.filter(role=role).exists(), role
    for username in (
        "reception",
        "socialsekreterare",
        "bidragshandlaggare",
        "sektionschef",
        "enhetschef",
        "fut",
        "ekonom",
        "admin",
    ):
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert User.objects.values("password").distinct().count() == 1


def test_every_section_has_a_head_social_workers_and_benefit_administrators(demo_output):
    unit = Unit.objects.get()
    assert 3 <= unit.sections.count() <= 4
    assert unit.sections.filter(handles_intake=True).count() == 1
    for section in unit.sections.all():
        roles = set(section.staff.values_list("role", flat=True))
        assert {Role.SECTION_HEAD, Role.SOCIAL_WORKER, Role.BENEFIT_ADMINISTRATOR} <= roles


def test_open_cases_follow_the_a_b_c_split(demo_output):
    open_cases = Case.objects.exclude(status=CaseStatus.CLOSED).exclude(case_type="")
    total = open_cases.count()
    assert total > HOUSEHOLDS * 0.7
    shares = sum(TYPE_SHARES.values())
    for case_type, weight in TYPE_SHARES.items():
        share = open_cases.filter(case_type=case_type).count() / total
        assert share == pytest.approx(weight / shares, abs=0.05), case_type
    assert Case.objects.filter(status=CaseStatus.CLOSED).exists()


def test_c_cases_are_held_by_benefit_administrators_and_a_b_by_social_workers(demo_output):
    typed = Case.objects.exclude(case_type="")
    assert not typed.filter(case_type="C").exclude(handler__role=Role.BENEFIT_ADMINISTRATOR)
    assert not typed.filter(case_type__in=["A", "B"]).exclude(handler__role=Role.SOCIAL_WORKER)
    assert not Case.objects.exclude(assistant=None).exclude(case_type="B")
    assert not Case.objects.exclude(assistant=None).exclude(
        assistant__role=Role.BENEFIT_ADMINISTRATOR
    )
    assert typed.filter(case_type="B").exclude(assistant=None).exists()


def test_every_identity_number_is_a_skatteverket_test_number(demo_output):
    numbers = list(Person.objects.values_list("identity_number", flat=True))
    assert len(numbers) > HOUSEHOLDS
    assert set(numbers) <= skatteverket_test_numbers()
    for person in Person.objects.all():
        assert person.sex == ("M" if int(person.identity_number[-2]) % 2 else "F")


def test_households_have_plausible_composition(demo_output):
    today = timezone.localdate()
    types = [household.household_type_on(today) for household in Household.objects.all()]
    singles = types.count("single_man_no_children") + types.count("single_woman_no_children")
    assert singles > 0.45 * len(types)
    assert types.count("single_man_no_children") > types.count("single_woman_no_children")
    assert types.count("single_woman_with_children") > types.count("single_man_with_children")
    assert "cohabiting_with_children" in types and "cohabiting_no_children" in types
    applicants = HouseholdMembership.objects.filter(role="applicant").select_related("person")
    ages = [m.person.age_on(today) for m in applicants]
    assert min(ages) >= 18 and any(age <= 24 for age in ages)
    for child in HouseholdMembership.objects.filter(role="child").select_related("person"):
        assert child.person.age_on(today) < 18
        parent = child.household.applicant_on(today)
        assert age_on(parent.birth_date, child.person.birth_date) >= 18


def test_mottagning_inbox_has_applications_waiting_more_than_seven_days(demo_output):
    worker = User.objects.filter(role=Role.SOCIAL_WORKER, section__handles_intake=True).first()
    rows = section_inbox(worker)
    assert any(row.level == "red" for row in rows)
    assert any(row.application.case.handler_id is None for row in rows)


def test_history_covers_months_and_keeps_the_case_invariants(demo_output):
    months = set(Application.objects.values_list("month", flat=True))
    assert len(months) >= 17
    assert (
        Application.objects.filter(status="decided").count()
        > Application.objects.exclude(status="decided").count()
    )
    for case in Case.objects.filter(status=CaseStatus.CLOSED):
        assert case.closed_on and case.closing_reason
        assert not case.applications.filter(status__in=["received", "complete"]).exists()
    assert CaseReopening.objects.exists()
    assert Case.objects.filter(status=CaseStatus.INTAKE, handler=None).exists()
    assert Case.objects.exclude(status=CaseStatus.CLOSED).count() <= Household.objects.count()


def test_access_log_chain_verifies_with_a_row_per_created_case(demo_output):
    report = verify_chain()
    assert report.ok, report.problems[:3]
    created = AccessLogEntry.objects.filter(object_type="cases.case", action="create")
    assert created.count() == Case.objects.count()


def test_running_again_with_if_empty_adds_nothing(demo_output):
    before = (Person.objects.count(), Case.objects.count(), AccessLogEntry.objects.count())
    for _ in range(2):
        out = StringIO()
        call_command("demo", "--if-empty", "--households", str(HOUSEHOLDS), stdout=out)
        assert "already has a unit" in out.getvalue()
    assert (Person.objects.count(), Case.objects.count(), AccessLogEntry.objects.count()) == before


def test_running_again_without_if_empty_is_refused(demo_output):
    with pytest.raises(CommandError):
        call_command("demo", "--households", str(HOUSEHOLDS), stdout=StringIO())


def test_same_seed_plans_the_same_households():
    today = timezone.localdate()

    def numbers(seed: int) -> list[str]:
        planner = Planner(random.Random(seed), today, 18)
        cases = [planner.plan("active") for _ in range(20)]
        return [m.identity.canonical for c in cases for m in c.household.members]

    assert numbers(7) == numbers(7)
    assert numbers(7) != numbers(8)
