"""Figures computed from events in the case tables: decision times, plans and follow-ups,
caseload per worker, programme referrals and their results."""

import datetime as dt

from django.utils import timezone

from bistand.decisions.models import Decision, DecisionStatus
from bistand.statistics.access import Filters
from bistand.statistics.figures import (
    caseload_block,
    decision_times_block,
    plans_block,
    programmes_block,
)
from bistand.statistics.periods import Period
from bistand.workplans.models import FollowUp, WorkPlan, WorkPlanVersion

from .builders import World, at

D = dt.date
JUNE = Period.month(D(2025, 6, 1))


def single(world, **case_options):
    person = world.person(D(1980, 1, 1), "M")
    household = world.household((person, "applicant"))
    return person, world.case(household, opened_on=D(2025, 1, 10), **case_options)


def test_decision_times_against_the_one_week_target(org):
    w = World(org)
    _, case = single(w)
    w.decide(case, D(2025, 6, 1), 5000, complete_on=D(2025, 5, 28), decided_on=D(2025, 6, 4))  # 7
    w.decide(case, D(2025, 7, 1), 5000, received_on=D(2025, 6, 1), decided_on=D(2025, 6, 9))  # 8
    w.decide(case, D(2025, 8, 1), 5000, complete_on=D(2025, 6, 10), decided_on=D(2025, 6, 11))  # 1
    w.decide(case, D(2025, 9, 1), 5000, complete_on=D(2025, 6, 1), decided_on=D(2025, 6, 30))  # 29
    w.decide(case, D(2025, 10, 1), 5000, complete_on=D(2025, 7, 1), decided_on=D(2025, 7, 2))
    original, _ = w.decide(case, D(2025, 11, 1), 5000, decided_on=D(2025, 5, 20), kind="new")
    # A replacing decision made in June is a correction, not a new decision on an application.
    Decision.objects.create(
        case=case,
        application=original.application,
        calculation=original.calculation,
        month=original.month,
        status=DecisionStatus.FINAL,
        outcome="granted",
        investigation_version=original.investigation_version,
        decided_at=at(D(2025, 6, 15)),
        decided_on=D(2025, 6, 15),
        replaces=original,
        replacement_reason="Rättelse",
    )
    block = decision_times_block(org.unit, JUNE, Filters())
    assert block["decisions"] == 4
    assert block["within_target"] == 2
    assert block["share_within_target"] == 0.5
    assert block["median_days"] == 7.5  # 1, 7, 8, 29
    assert block["mean_days"] == 11.25
    bands = {b["key"]: b["decisions"] for b in block["bands"]}
    assert bands == {"0-7": 2, "8-14": 1, "15-30": 1, "31-": 0}
    repeat = next(k for k in block["by_kind"] if k["kind"] == "repeat")
    assert (repeat["decisions"], repeat["within_target"]) == (4, 2)
    other_section = decision_times_block(org.unit, JUNE, Filters(section_id=org.intake.pk))
    assert other_section["decisions"] == 0


def _plan(world, case, *, confirmed: bool, due_on=None, versions: bool = True):
    plan = WorkPlan.objects.create(case=case, created_by=world.org.social_worker, due_on=due_on)
    if versions:
        WorkPlanVersion.objects.create(
            plan=plan,
            number=1,
            content={},
            valid_from=D(2025, 1, 1),
            valid_to=D(2025, 12, 31),
            created_by=world.org.social_worker,
            consent_on=D(2025, 1, 15) if confirmed else None,
            consent_method="in_person" if confirmed else "",
            confirmed_by=world.org.social_worker if confirmed else None,
            confirmed_at=timezone.now() if confirmed else None,
        )
    return plan


def test_overdue_follow_ups_and_unconfirmed_plans_today(org):
    w = World(org)
    today = D(2025, 6, 20)
    _, missing = single(w)  # a handler, no plan
    _, unconfirmed = single(w)
    _plan(w, unconfirmed, confirmed=False)
    _, overdue = single(w)
    plan = _plan(w, overdue, confirmed=True, due_on=D(2025, 6, 10))
    _, on_track = single(w)
    _plan(w, on_track, confirmed=True, due_on=D(2025, 7, 10))
    _, closed = single(w)
    _plan(w, closed, confirmed=True, due_on=D(2025, 5, 1))
    w.close(closed, D(2025, 5, 31), "work")
    held = dict(plan=plan, method="visit", outcome="Genomförd", recorded_by=org.social_worker)
    FollowUp.objects.create(due_on=D(2025, 6, 10), held_on=D(2025, 6, 9), **held)
    FollowUp.objects.create(due_on=D(2025, 6, 15), held_on=D(2025, 6, 20), **held)
    FollowUp.objects.create(due_on=D(2025, 6, 20), held_on=D(2025, 6, 20), took_place=False, **held)
    wrong = FollowUp.objects.create(due_on=D(2025, 6, 25), held_on=D(2025, 6, 30), **held)
    FollowUp.objects.create(due_on=D(2025, 6, 25), held_on=D(2025, 6, 24), corrects=wrong, **held)
    FollowUp.objects.create(due_on=D(2025, 5, 25), held_on=D(2025, 5, 24), **held)  # May

    block = plans_block(org.unit, JUNE, Filters(), today)
    assert block["open_cases"] == 4
    assert (block["missing"], block["unconfirmed"], block["overdue"], block["on_track"]) == (
        1,
        1,
        1,
        1,
    )
    assert block["as_of"] == "2025-06-20"
    # Due in June: on time 10th, late 15th, not held 20th, the 25th corrected (on time).
    assert block["follow_ups"] == {"due": 4, "on_time": 2, "late": 1, "not_held": 1}
    assert plans_block(org.unit, JUNE, Filters(case_type="B"), today)["open_cases"] == 0


def test_caseload_per_worker_against_the_limit(org):
    w = World(org)
    org.other_social_worker.caseload_limit = 2
    org.other_social_worker.save()
    for _ in range(3):
        single(w)  # other_social_worker (labour section)
    single(w, section=org.intake, handler=org.social_worker)
    _, closed = single(w)
    w.close(closed, D(2025, 3, 1), "work")
    block = caseload_block(org.unit, JUNE, Filters(), D(2025, 6, 20))
    workers = {row["handler_id"]: row for row in block["workers"]}
    busy = workers[org.other_social_worker.pk]
    assert (busy["open_cases"], busy["limit"], busy["over_limit"]) == (3, 2, True)
    assert workers[org.social_worker.pk]["open_cases"] == 1
    assert workers[org.social_worker.pk]["limit"] == org.unit.default_caseload_limit
    assert (block["open_cases"], block["unassigned"], block["over_limit"]) == (4, 0, 1)
    labour = caseload_block(org.unit, JUNE, Filters(section_id=org.labour.pk), D(2025, 6, 20))
    assert labour["open_cases"] == 3


def test_programme_referrals_results_and_reentry_after_the_programme(lund):
    # P: Jobbtorg Feb 20 - May 31 (no change); case 4 closed June 30; P's new household's
    # case 5 opened June 25, within 12 months of the end: he came back.
    may = programmes_block(lund.unit, Period.month(D(2025, 5, 1)), Filters())
    assert may["programme_ended"] == 1
    no_change = next(r for r in may["results"] if r["key"] == "no_change")
    assert no_change == {
        "key": "no_change",
        "label": "Ingen förändring",
        "ended": 1,
        "left_assistance": 1,
        "came_back_within_12_months": 1,
    }
    assert may["came_back_share"] == 1.0
    february = programmes_block(lund.unit, Period.month(D(2025, 2, 1)), Filters())
    assert february["referred"] == 1 and february["started"] == 1
    assert february["by_programme"][0]["name"] == "Jobbtorg"
    june = programmes_block(lund.unit, JUNE, Filters())
    assert june["reentries_after_programme"] == 1
    assert june["referred"] == 0


def test_adults_in_a_programme_during_the_month(lund):
    from bistand.statistics.figures import persons_block

    assert (
        persons_block(lund.unit, Period.month(D(2025, 3, 1)), Filters())["adults_in_programme"] == 1
    )
    assert persons_block(lund.unit, JUNE, Filters())["adults_in_programme"] == 0
