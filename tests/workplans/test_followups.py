"""Follow-ups: due dates per case type, final records with corrections, and C-case
deviations that flag the case for handover to a social worker."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bistand.cases import services as case_services
from bistand.core.errors import DomainError
from bistand.core.models import FinalRecordError
from bistand.workplans import schedule, selectors, services
from bistand.workplans.models import (
    CaseTypeSetting,
    Deviation,
    DeviationKind,
    FollowUp,
    PlanState,
)
from bistand.workplans.selectors import DEFAULT_CASE_TYPE_SETTINGS

from .conftest import days, make_case, make_plan


@pytest.mark.parametrize("case_type, expected_days", [("A", 30), ("B", 60), ("C", 90)])
def test_due_date_is_capped_by_the_case_types_follow_up_interval(case_type, expected_days):
    anchor = dt.date(2026, 1, 10)
    interval = DEFAULT_CASE_TYPE_SETTINGS[case_type]["follow_up_interval_days"]
    assert interval == expected_days
    far = anchor + dt.timedelta(days=200)
    due = schedule.due_on(planned=far, anchor=anchor, interval_days=interval)
    assert due == anchor + dt.timedelta(days=expected_days)
    # An earlier planned date wins; an expired plan is due at its end.
    assert schedule.due_on(
        planned=anchor + dt.timedelta(days=7), anchor=anchor, interval_days=interval
    ) == anchor + dt.timedelta(days=7)
    assert schedule.due_on(
        planned=far, anchor=anchor, interval_days=interval, period_end=anchor + dt.timedelta(days=5)
    ) == anchor + dt.timedelta(days=5)
    today = anchor + dt.timedelta(days=expected_days + 1)
    assert (
        schedule.state_of(has_version=True, has_confirmed=True, due=due, today=today) == "overdue"
    )
    assert schedule.state_of(has_version=True, has_confirmed=True, due=due, today=due) == "on_track"


def test_plan_overdue_when_the_planned_follow_up_passes(org, case_a):
    make_plan(
        org.social_worker,
        case_a,
        consent_on=days(-30),
        valid_from=days(-30),
        first_follow_up=days(-2),
    )
    plan = selectors.plan_of(case_a)
    assert plan.due_on == days(-2)
    assert selectors.plan_state(case_a, plan) == PlanState.OVERDUE
    case_a.refresh_from_db()
    assert case_a.next_follow_up_on == days(-2)


def test_a_follow_up_moves_the_due_date(org, case_a):
    make_plan(
        org.social_worker,
        case_a,
        consent_on=days(-30),
        valid_from=days(-30),
        first_follow_up=days(-2),
    )
    follow_up = services.record_follow_up(
        org.social_worker,
        case_a,
        held_on=days(-1),
        method="visit",
        outcome="Har sökt tolv jobb, kallad till en intervju.",
        next_on=days(20),
    )
    plan = selectors.plan_of(case_a)
    assert follow_up.due_on == days(-2)  # what it answered
    assert plan.due_on == days(20)
    assert selectors.plan_state(case_a, plan) == PlanState.ON_TRACK
    case_a.refresh_from_db()
    assert case_a.next_follow_up_on == days(20)


def test_a_stricter_case_type_makes_the_plan_overdue(org, household_factory):
    case = make_case(org, household_factory, case_type="B")
    # B: every 60th day. Consent a month ago, next follow-up in three weeks: on track.
    make_plan(
        org.social_worker,
        case,
        consent_on=days(-31),
        valid_from=days(-31),
        first_follow_up=days(20),
    )
    plan = selectors.plan_of(case)
    assert plan.due_on == days(20)
    assert selectors.plan_state(case, plan) == PlanState.ON_TRACK
    # As an A case (every 30th day) it should have been followed up yesterday.
    case_services.set_case_type(org.social_worker, case, "A")
    plan.refresh_from_db()
    assert plan.due_on == days(-1)
    assert selectors.plan_state(case, plan) == PlanState.OVERDUE


def test_unit_setting_changes_due_dates_and_keeps_history(org, household_factory):
    case = make_case(org, household_factory, case_type="B")
    make_plan(
        org.social_worker,
        case,
        consent_on=days(-31),
        valid_from=days(-31),
        first_follow_up=days(20),
    )
    services.set_case_type_setting(
        org.labour_head,
        org.unit,
        "B",
        contact_interval_days=30,
        follow_up_interval_days=45,
        plan_period_months=6,
        income_change_limit="1000",
        reason="Tätare uppföljning",
    )
    services.set_case_type_setting(
        org.unit_head,
        org.unit,
        "B",
        contact_interval_days=30,
        follow_up_interval_days=20,
        plan_period_months=6,
        income_change_limit="1000",
        reason="Ännu tätare",
    )
    plan = selectors.plan_of(case)
    assert plan.due_on == days(-11)
    assert selectors.plan_state(case, plan) == PlanState.OVERDUE
    assert CaseTypeSetting.objects.filter(unit=org.unit, case_type="B").count() == 2
    assert selectors.case_type_rule(org.unit.pk, "B").follow_up_interval_days == 20
    assert selectors.case_type_rule(org.unit.pk, "A").is_default
    first = CaseTypeSetting.objects.filter(case_type="B").order_by("id").first()
    first.follow_up_interval_days = 99
    with pytest.raises(FinalRecordError):
        first.save()
    with pytest.raises(DomainError, match="mellan 1 och 366"):
        services.set_case_type_setting(
            org.unit_head,
            org.unit,
            "A",
            contact_interval_days=0,
            follow_up_interval_days=30,
            plan_period_months=6,
            income_change_limit="1000",
        )


def test_next_date_later_than_the_case_type_allows_is_refused(org, case_a):
    make_plan(org.social_worker, case_a)
    with pytest.raises(DomainError) as error:
        services.record_follow_up(
            org.social_worker,
            case_a,
            held_on=days(0),
            method="phone",
            outcome="Samtal",
            next_on=days(45),
        )
    assert "A-ärenden följs upp minst var 30:e dag" in error.value.message
    assert not FollowUp.objects.exists()


def test_follow_up_input_errors_are_swedish_and_nothing_is_saved(org, case_a):
    make_plan(org.social_worker, case_a)
    with pytest.raises(DomainError, match="Beskriv resultatet"):
        services.record_follow_up(
            org.social_worker,
            case_a,
            held_on=days(0),
            method="visit",
            outcome=" ",
            next_on=days(10),
        )
    with pytest.raises(DomainError, match="framtiden"):
        services.record_follow_up(
            org.social_worker,
            case_a,
            held_on=days(1),
            method="visit",
            outcome="x",
            next_on=days(10),
        )
    with pytest.raises(DomainError, match="efter denna"):
        services.record_follow_up(
            org.social_worker, case_a, held_on=days(0), method="visit", outcome="x", next_on=days(0)
        )
    with pytest.raises(DomainError, match="belopp"):
        services.record_follow_up(
            org.social_worker,
            case_a,
            held_on=days(0),
            method="visit",
            outcome="x",
            next_on=days(10),
            income_change="mycket",
        )
    assert not FollowUp.objects.exists()


def test_follow_up_without_plan_is_refused(org, case_a):
    with pytest.raises(DomainError, match="ingen arbetsplan"):
        services.record_follow_up(
            org.social_worker,
            case_a,
            held_on=days(0),
            method="visit",
            outcome="x",
            next_on=days(10),
        )


def test_follow_up_is_final_and_a_correction_replaces_it(org, case_a):
    make_plan(org.social_worker, case_a)
    wrong = services.record_follow_up(
        org.social_worker,
        case_a,
        held_on=days(0),
        method="visit",
        outcome="Fel klient",
        next_on=days(25),
    )
    wrong.outcome = "ändrad"
    with pytest.raises(FinalRecordError):
        wrong.save()
    right = services.record_follow_up(
        org.social_worker,
        case_a,
        held_on=days(0),
        method="phone",
        outcome="Rätt: telefonsamtal",
        next_on=days(10),
        corrects=wrong,
    )
    plan = selectors.plan_of(case_a)
    assert list(selectors.effective_follow_ups(plan)) == [right]
    assert plan.due_on == days(10)
    assert FollowUp.objects.count() == 2  # nothing lost
    with pytest.raises(DomainError, match="redan rättad"):
        services.record_follow_up(
            org.social_worker,
            case_a,
            held_on=days(0),
            method="phone",
            outcome="igen",
            next_on=days(10),
            corrects=wrong,
        )


def test_c_case_missed_follow_up_flags_handover_until_a_social_worker_takes_it(org, case_c):
    make_plan(org.benefit_admin, case_c, first_follow_up=days(30))
    plan = selectors.plan_of(case_c)
    assert selectors.handover_flags(case_c, plan) == []
    services.record_follow_up(
        org.benefit_admin,
        case_c,
        held_on=days(0),
        method="visit",
        took_place=False,
        outcome="Kom inte till besöket.",
        next_on=days(7),
    )
    flags = selectors.handover_flags(case_c, plan)
    assert len(flags) == 1 and "Uppföljning missad" in flags[0]
    deviation = Deviation.objects.get()
    assert deviation.kind == DeviationKind.MISSED_FOLLOW_UP and deviation.is_open
    # The head hands the case to a social worker as an A case: the deviation is handled.
    case_services.reassign_case(
        org.unit_head,
        case_c,
        handler=org.other_social_worker,
        case_type="A",
        reason="Avvikelse från planen",
    )
    deviation.refresh_from_db()
    assert deviation.resolution == "handed_over" and deviation.resolved_by == org.unit_head
    case_c.refresh_from_db()
    assert selectors.handover_flags(case_c, plan) == []


def test_c_case_income_change_beyond_the_units_limit_flags_handover(org, case_c):
    make_plan(org.benefit_admin, case_c, first_follow_up=days(30))
    services.record_follow_up(
        org.benefit_admin,
        case_c,
        held_on=days(0),
        method="phone",
        outcome="Timanställning",
        next_on=days(30),
        income_change="800",
    )
    assert not Deviation.objects.exists()
    services.record_follow_up(
        org.benefit_admin,
        case_c,
        held_on=days(0),
        method="phone",
        outcome="Fast jobb",
        next_on=days(30),
        income_change="-4 500",
    )
    deviation = Deviation.objects.get()
    assert deviation.kind == DeviationKind.INCOME_CHANGE and "-4500" in deviation.detail


def test_c_case_new_support_obstacle_flags_handover(org, case_c):
    make_plan(org.benefit_admin, case_c, first_follow_up=days(30))
    plan = selectors.plan_of(case_c)
    # Reported at a follow-up ...
    services.record_follow_up(
        org.benefit_admin,
        case_c,
        held_on=days(0),
        method="visit",
        outcome="Sjukskriven sedan en vecka",
        next_on=days(30),
        new_support_obstacle="sick_certified_no_benefit",
    )
    assert Deviation.objects.get().kind == DeviationKind.NEW_SUPPORT_OBSTACLE
    services.resolve_deviation(
        org.labour_head, Deviation.objects.get(), resolution="stays_c", note="Kort sjukskrivning"
    )
    assert selectors.handover_flags(case_c, plan) == []
    # ... or found in a newly signed investigation.
    applicant = selectors.current_adults(case_c)[0]
    content = {
        "situation": "Sjukskriven.",
        "household_economy": "Saknar inkomst.",
        "adults": [{"person_id": applicant.pk, "support_obstacle": "sick_certified_no_benefit"}],
    }
    case_services.save_investigation_draft(org.unit_head, case_c, content)
    case_services.sign_investigation(org.unit_head, case_c)
    flags = selectors.handover_flags(case_c, plan)
    assert any("Nytt försörjningshinder" in f for f in flags)


def test_resolving_a_deviation_as_stays_c_needs_a_reason(org, case_c):
    make_plan(org.benefit_admin, case_c, first_follow_up=days(30))
    services.record_follow_up(
        org.benefit_admin,
        case_c,
        held_on=days(0),
        method="visit",
        took_place=False,
        outcome="Uteblev",
        next_on=days(7),
    )
    with pytest.raises(DomainError, match="Motivera"):
        services.resolve_deviation(org.labour_head, Deviation.objects.get(), resolution="stays_c")


def test_c_case_overdue_follow_up_is_a_deviation(org, case_c):
    make_plan(
        org.benefit_admin,
        case_c,
        consent_on=days(-30),
        valid_from=days(-30),
        first_follow_up=days(-1),
    )
    plan = selectors.plan_of(case_c)
    assert any("skulle ha skett" in f for f in selectors.handover_flags(case_c, plan))


def test_overdue_follow_ups_show_on_the_workers_start_page(client, org, case_a):
    make_plan(
        org.social_worker,
        case_a,
        consent_on=days(-30),
        valid_from=days(-30),
        first_follow_up=days(-2),
    )
    client.force_login(org.social_worker)
    body = client.get(reverse("home")).content.decode()
    assert 'data-testid="due-follow-ups"' in body
    assert case_a.reference in body and "försenad 2 dagar" in body
    client.force_login(org.intake_head)
    body = client.get(reverse("home")).content.decode()
    assert 'data-testid="head-plans"' in body and "1</span> planer har försenad uppföljning" in body


def test_contact_overdue_follows_the_case_type(org, case_a):
    page = selectors.plan_page(case_a, timezone.localdate())
    # Opened 200 days ago without recorded contacts: an A case (every 14th day) lacks contact.
    assert page.contact_overdue
