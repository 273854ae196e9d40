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
        "internkontrollant",
    ):
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert User.objects.values("password").distinct().count() == 1


def test_chefs_finance_controller_and_admin_have_a_printed_totp_secret_and_backup_code(
    demo_output,
):
    """`make run` stays usable: the printed secret gives the codes the login asks for."""
    from base64 import b32decode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bistand.organisation import second_factor
    from tests.organisation.otp import totp_code

    for username in ("sektionschef", "enhetschef", "ekonom", "admin", "internkontrollant"):
        user = User.objects.get(username=username)
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        secret = second_factor.secret_base32(device)
        line = next(row for row in demo_output.splitlines() if f"secret {secret}" in row)
        assert line.split()[0] == username
        assert f"otpauth://totp/Bist%C3%A5nd%3A{username}?secret=" in demo_output
        key = b32decode(secret + "=" * (-len(secret) % 8)).hex()
        assert second_factor.verify(user, totp_code(key)) == second_factor.TOTP
        backup = line.split("backup ")[1].strip()
        assert second_factor.verify(user, backup) == second_factor.BACKUP_CODE
    for username in ("reception", "socialsekreterare", "fut"):
        assert not TOTPDevice.objects.filter(user__username=username).exists()


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


# --- Decisions, payments --------------------------------------------------------------------


def test_decided_applications_have_final_decisions(demo_output):
    from bistand.decisions.models import Decision, DecisionStatus

    decided = Application.objects.filter(status="decided")
    assert decided.exists()
    final = Decision.objects.filter(status=DecisionStatus.FINAL, replaces=None)
    assert set(decided.values_list("id", flat=True)) == set(
        final.values_list("application_id", flat=True)
    )
    outcomes = set(final.values_list("outcome", flat=True))
    assert {"granted", "partly_granted", "refused"} <= outcomes
    for decision in final.exclude(outcome="granted")[:50]:
        assert decision.lines.exclude(reasons="").exists()
    assert "Decisions" in demo_output and "Amount paid" in demo_output


def test_every_decision_with_children_references_the_child_perspective(demo_output):
    from bistand.decisions.models import Decision, DecisionStatus

    with_children = Decision.objects.filter(status=DecisionStatus.FINAL, has_children=True)
    assert with_children.exists()
    for decision in with_children.select_related("child_perspective_version"):
        version = decision.child_perspective_version
        assert version is not None and version.signed_at is not None
        assert version.content.get("child_perspective", "").strip()
    adults = Decision.objects.filter(status=DecisionStatus.FINAL).first()
    assert adults.support_obstacles.exists()


def test_decisions_are_mostly_made_within_a_week(demo_output):
    from bistand.decisions.models import Decision

    days = [
        (d.decided_on - d.application.received_on).days
        for d in Decision.objects.select_related("application")
    ]
    assert min(days) >= 0
    assert sum(1 for n in days if n <= 7) > 0.6 * len(days)


def test_paid_orders_cover_past_months_and_keep_the_broken_chain(demo_output):
    from bistand.payments.models import Attestation, PaymentOrder

    today = timezone.localdate()
    paid = PaymentOrder.objects.filter(status="paid")
    months = set(paid.values_list("month", flat=True))
    assert len(months) >= 12
    assert not paid.filter(paid_on__isnull=True).exists()
    assert not paid.filter(paid_on__gt=today).exists()
    assert PaymentOrder.objects.filter(status="attested").exists()
    for attestation in Attestation.objects.select_related(
        "order__decision", "order__payee_account"
    ):
        order = attestation.order
        assert attestation.attested_by_id != order.decision.decided_by_id
        if order.payee_account is not None:
            assert attestation.attested_by_id != order.payee_account.registered_by_id
            assert order.payee_account.registered_by_id != order.decision.decided_by_id


def test_account_numbers_are_valid_and_handlers_see_them_masked(demo_output):
    from bistand.payments.bank_accounts import validate_bank_account, validate_bankgiro
    from bistand.payments.models import AccountNumber, PayeeAccount

    for row in AccountNumber.objects.all()[:200]:
        if row.clearing:
            validate_bank_account(row.clearing, row.number)
        else:
            validate_bankgiro(row.number)
    for account in PayeeAccount.objects.all()[:200]:
        assert "*" in account.masked


# --- Work plans, follow-ups, referrals ------------------------------------------------------


def test_work_plans_in_every_state_with_follow_ups_and_referrals(demo_output):
    from bistand.workplans.models import (
        FollowUp,
        Intervention,
        InterventionStatus,
        PlanState,
        Programme,
        WorkPlan,
    )
    from bistand.workplans.selectors import compute_schedule, plan_state

    assert "Work plans" in demo_output and "Referrals" in demo_output
    assert Programme.objects.filter(name__in=["Jobbtorg", "Lärcentrum", "Jobbaktiv"]).count() == 3
    plans = WorkPlan.objects.select_related("case")
    states = {}
    for plan in plans:
        state = plan_state(plan.case, plan)
        states[state] = states.get(state, 0) + 1
        assert plan.case.status != CaseStatus.CLOSED and plan.case.case_type in "ABC"
        # The stored dates are those the services would keep.
        schedule = compute_schedule(plan)
        assert (plan.due_on, plan.next_follow_up_on) == (schedule.due, schedule.planned)
        if plan.versions.filter(confirmed_at__isnull=False).exists():
            assert plan.case.next_follow_up_on == plan.due_on
    assert {PlanState.ON_TRACK, PlanState.OVERDUE, PlanState.UNCONFIRMED} <= set(states)
    assert states[PlanState.ON_TRACK] > states[PlanState.OVERDUE]
    typed_open = Case.objects.exclude(status=CaseStatus.CLOSED).exclude(case_type="").count()
    assert plans.count() > 0.8 * typed_open
    for follow_up in FollowUp.objects.select_related("plan__case")[:300]:
        assert follow_up.held_on < timezone.localdate()
        assert follow_up.held_on >= follow_up.plan.case.opened_on
    referrals = Intervention.objects.all()
    assert referrals.exists()
    ended = referrals.filter(status=InterventionStatus.ENDED)
    assert not ended.filter(result="").exists()
    assert referrals.filter(status=InterventionStatus.STARTED).exists()
    report = verify_chain()
    assert report.ok, report.problems[:3]
    assert AccessLogEntry.objects.filter(object_type="workplans.workplan").count() == plans.count()


def test_readme_login_table_names_the_sections_the_demo_puts_the_logins_in(demo_output):
    """Issue 13: the README said `socialsekreterare` works in Mottagning; the demo disagreed."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    rows = re.findall(r"^\| `(\w+)` \| [^|(]*\((\w[\w ]*)\) \|", readme, re.MULTILINE)
    assert rows, "the README's login table names sections in parentheses"
    for username, section in rows:
        user = User.objects.select_related("section").get(username=username)
        assert user.section is not None and user.section.name == section, username
    intake_worker = (
        User.objects.filter(role=Role.SOCIAL_WORKER, section__handles_intake=True)
        .order_by("pk")
        .first()
    )
    assert re.search(rf"^  {intake_worker.username}\s.*Mottagning", demo_output, re.MULTILINE)


def test_the_demo_names_an_e_service_applicant_who_can_log_in(demo_output, client, settings):
    import re

    from django.urls import reverse

    settings.DEBUG = True
    settings.BISTAND_PORTAL_TEST_EID = True
    found = re.search(r"Personnummer (\d{8}-\d{4}) logs in as .* \(case (\S+),", demo_output)
    assert found, demo_output
    number, reference = found.group(1), found.group(2)
    assert number.replace("-", "") in skatteverket_test_numbers()
    response = client.post(reverse("portal:test_eid_login"), {"identity_number": number})
    assert response.status_code == 302
    home = client.get(reverse("portal:home")).content.decode()
    assert reference in home
    case = Case.objects.get(pk=int(reference.split("-")[1]))
    page = client.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert "Läs beslutsbrevet (PDF)" in page
