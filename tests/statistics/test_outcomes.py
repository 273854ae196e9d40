"""Issue 17: outcomes per handler and section, for heads only, with small counts suppressed
outside the unit head's view of the whole unit (bistand/statistics/outcomes.py)."""

import datetime as dt

import pytest
from django.urls import reverse

from bistand.cases.models import Application, Case
from bistand.decisions.models import Calculation, Decision, DecisionStatus
from bistand.statistics.outcomes import outcomes
from bistand.statistics.periods import Period
from bistand.workplans.models import FollowUp
from tests.query_budgets import assert_flat, page_queries
from tests.workplans.conftest import make_plan

from .builders import World, at

pytestmark = pytest.mark.django_db

D = dt.date
NOV = Period.month(D(2025, 11, 1))
TODAY = D(2025, 12, 10)


def refuse(w, case, month, decided_on, days):
    application = Application.objects.create(
        case=case,
        kind="repeat",
        month=month,
        received_on=decided_on - dt.timedelta(days=days),
        channel="paper",
        status="decided",
        registered_by=w.org.reception,
    )
    calculation = Calculation.objects.create(
        application=application, case=case, month=month, created_by=w.org.social_worker
    )
    return Decision.objects.create(
        case=case,
        application=application,
        calculation=calculation,
        month=month,
        status=DecisionStatus.FINAL,
        outcome="refused",
        total_granted=0,
        investigation_version=w._version(case),
        decided_by=w.org.social_worker,
        decided_at=at(decided_on, 11),
        decided_on=decided_on,
    )


def decisions(w, case, days_list, *, refused=0):
    """Decisions on `case` decided in November 2025, `days` after the application."""
    decided_on = D(2025, 11, 20)
    for index, days in enumerate(days_list):
        month = D(2025, index + 1, 1)
        if index < refused:
            refuse(w, case, month, decided_on, days)
        else:
            w.decide(
                case,
                month,
                5000,
                received_on=decided_on - dt.timedelta(days=days),
                decided_on=decided_on,
            )


@pytest.fixture
def world(org):
    w = World(org)
    person = w.person(D(1980, 1, 1))
    big = w.case(w.household((person, "applicant")), opened_on=D(2024, 1, 1), case_type="C")
    decisions(w, big, [3, 3, 3, 3, 3, 10], refused=1)  # other_social_worker, labour
    small = w.case(
        w.household((w.person(D(1980, 1, 1)), "applicant")),
        opened_on=D(2024, 1, 1),
        handler=org.benefit_admin,
        case_type="A",
    )
    decisions(w, small, [2, 20])  # benefit_admin, labour: two decisions
    intake = w.case(
        w.household((w.person(D(1980, 1, 1)), "applicant")),
        opened_on=D(2024, 1, 1),
        section=org.intake,
        handler=org.social_worker,
    )
    decisions(w, intake, [1])
    return w


def by_handler(figures, user):
    return {row["handler_id"]: row for row in figures["handlers"]}.get(user.pk)


def test_the_unit_head_sees_every_figure_unsuppressed(world, org):
    figures = outcomes(org.unit_head, NOV, TODAY)
    assert figures["suppression"]["applied"] is False
    big = by_handler(figures, org.other_social_worker)
    assert big["decisions"] == 6
    assert big["share_within_target"] == round(5 / 6, 4)
    assert big["share_refused"] == round(1 / 6, 4)
    assert big["median_days"] == 3
    assert big["open_cases"] == 1 and big["share_c_cases"] == 1.0
    small = by_handler(figures, org.benefit_admin)
    assert small["decisions"] == 2 and small["share_within_target"] == 0.5
    assert small["median_days"] == 11
    assert by_handler(figures, org.social_worker)["decisions"] == 1
    sections = {row["section_id"]: row for row in figures["sections"]}
    assert sections[org.labour.pk]["decisions"] == 8
    assert sections[org.intake.pk]["decisions"] == 1
    assert figures["total"]["decisions"] == 9


def test_a_section_head_sees_their_section_with_small_counts_suppressed(world, org):
    figures = outcomes(org.labour_head, NOV, TODAY)
    assert figures["suppression"] == {"applied": True, "threshold": 5}
    assert by_handler(figures, org.social_worker) is None  # another section's handler
    assert [row["section_id"] for row in figures["sections"]] == [org.labour.pk]
    big = by_handler(figures, org.other_social_worker)
    # Six decisions, but the total (8) minus 6 would give away the hidden 2 of the other
    # handler: secondary suppression hides the 6 and the shares resting on it.
    assert big["decisions"] is None
    assert big["share_within_target"] is None and big["median_days"] is None
    assert big["share_refused"] is None
    assert big["open_cases"] is None  # one open case
    small = by_handler(figures, org.benefit_admin)
    assert small["decisions"] is None and small["share_within_target"] is None
    assert small["median_days"] is None
    assert figures["total"]["decisions"] == 8


def test_the_page_for_heads_only(client, org, world):
    url = reverse("statistics:outcomes") + "?month=2025-11"
    client.force_login(org.labour_head)
    page = client.get(url).content.decode()
    assert "Per handläggare" in page and "&lt;5" in page
    assert 'data-testid="suppression-note"' in page
    client.force_login(org.unit_head)
    page = client.get(url).content.decode()
    assert 'data-testid="suppression-note"' not in page
    for role in ("social_worker", "benefit_admin", "finance", "fraud", "controller", "sysadmin"):
        client.force_login(getattr(org, role))
        assert client.get(url).status_code == 403


def test_a_bad_period_gives_a_swedish_notice(client, org):
    client.force_login(org.unit_head)
    response = client.get(reverse("statistics:outcomes") + "?month=maj")
    assert response.status_code == 200
    assert "Perioden används inte" in response.content.decode()


def test_follow_ups_held_on_time_per_handler(world, org):
    big = Case.objects.get(handler=org.other_social_worker)
    version = make_plan(org.unit_head, big)
    # Six follow-ups due in November 2025: five held on time, one late; one due in December.
    for index, (due, held) in enumerate(
        [(3, 3), (5, 4), (10, 10), (12, 11), (20, 20), (25, 28), (40, 40)]
    ):
        FollowUp.objects.create(
            plan=version.plan,
            plan_version=version,
            due_on=D(2025, 11, 1) + dt.timedelta(days=due - 1),
            held_on=D(2025, 11, 1) + dt.timedelta(days=held - 1),
            method="visit",
            took_place=True,
            outcome=f"Uppföljning {index}",
            recorded_by=org.other_social_worker,
        )
    unit_view = by_handler(outcomes(org.unit_head, NOV, TODAY), org.other_social_worker)
    assert unit_view["follow_ups_due"] == 6
    assert unit_view["share_follow_ups_on_time"] == round(5 / 6, 4)
    section_view = by_handler(outcomes(org.labour_head, NOV, TODAY), org.other_social_worker)
    assert section_view["follow_ups_due"] == 6
    assert section_view["share_follow_ups_on_time"] == round(5 / 6, 4)
    intake_view = outcomes(org.intake_head, NOV, TODAY)
    assert by_handler(intake_view, org.other_social_worker) is None


def test_exits_to_work_per_handler_count_closings_later_undone(world, org):
    big = Case.objects.get(handler=org.other_social_worker)
    small = Case.objects.get(handler=org.benefit_admin)
    world.close(big, D(2025, 11, 10), "work")
    world.reopen(big, D(2025, 11, 25))  # the closing still happened in November
    world.close(small, D(2025, 11, 12), "moved")
    world.close(
        Case.objects.get(handler=org.social_worker), D(2025, 10, 30), "work"
    )  # October: outside
    figures = outcomes(org.unit_head, NOV, TODAY)
    assert by_handler(figures, org.other_social_worker)["closings"] == 1
    assert by_handler(figures, org.other_social_worker)["share_to_work"] == 1.0
    assert by_handler(figures, org.benefit_admin)["share_to_work"] == 0.0
    assert by_handler(figures, org.social_worker)["closings"] == 0
    assert figures["total"]["closings"] == 2
    section_view = outcomes(org.labour_head, NOV, TODAY)
    assert by_handler(section_view, org.other_social_worker)["closings"] is None
    assert by_handler(section_view, org.other_social_worker)["share_to_work"] is None


def test_the_api_answers_as_the_page_and_refuses_other_roles(client, org, world):
    client.force_login(org.labour_head)
    body = client.get("/api/v1/statistics/outcomes/?month=2025-11").json()
    assert body["layout"] == "bistand.statistics.outcomes/1"
    assert body["suppression"]["applied"] is True
    handlers = {row["handler_id"]: row for row in body["handlers"]}
    assert handlers[org.benefit_admin.pk]["decisions"] is None
    assert org.social_worker.pk not in handlers
    assert client.get("/api/v1/statistics/outcomes/?month=maj").status_code == 400
    client.force_login(org.unit_head)
    body = client.get("/api/v1/statistics/outcomes/?month=2025-11").json()
    assert {row["handler_id"]: row for row in body["handlers"]}[org.benefit_admin.pk][
        "decisions"
    ] == 2
    for role in ("social_worker", "finance", "controller", "fraud"):
        client.force_login(getattr(org, role))
        assert client.get("/api/v1/statistics/outcomes/").status_code == 403


def test_query_count_does_not_grow_with_decisions_and_cases(client, org):
    w = World(org)

    def add(n):
        for index in range(n):
            case = w.case(
                w.household((w.person(D(1980, 1, 1)), "applicant")),
                opened_on=D(2024, 1, 1),
                handler=org.benefit_admin if index % 2 else org.other_social_worker,
            )
            decisions(w, case, [3])

    url = reverse("statistics:outcomes") + "?month=2025-11"
    client.force_login(org.unit_head)
    add(3)
    small, page = page_queries(client, url)
    add(27)
    large, page = page_queries(client, url)
    assert_flat(small, large)


def test_decisions_count_for_the_handler_responsible_when_they_were_made(world, org):
    """Reassigning a case after the period moves its open case, not its decisions."""
    from bistand.cases.models import CaseAssignment

    before = outcomes(org.unit_head, NOV, TODAY)
    big = Case.objects.get(handler=org.other_social_worker)
    moved_at = at(D(2025, 12, 1), 9)
    CaseAssignment.objects.filter(case=big, ended_at=None).update(ended_at=moved_at)
    CaseAssignment.objects.create(
        case=big, handler=org.benefit_admin, section=big.section, case_type="C", started_at=moved_at
    )
    Case.objects.filter(pk=big.pk).update(handler=org.benefit_admin)
    after = outcomes(org.unit_head, NOV, TODAY)
    for staff in (org.other_social_worker, org.benefit_admin):
        assert by_handler(after, staff)["decisions"] == by_handler(before, staff)["decisions"]
    assert by_handler(after, org.other_social_worker)["decisions"] == 6
    assert by_handler(after, org.benefit_admin)["open_cases"] == (
        by_handler(before, org.benefit_admin)["open_cases"] + 1
    )
    # A reassignment before the decision moves the decision with it.
    CaseAssignment.objects.filter(case=big).update(started_at=at(D(2025, 10, 1), 9))
    CaseAssignment.objects.filter(case=big, handler=org.other_social_worker).update(
        started_at=at(D(2024, 1, 1), 9), ended_at=at(D(2025, 10, 1), 9)
    )
    earlier = outcomes(org.unit_head, NOV, TODAY)
    assert (
        by_handler(earlier, org.other_social_worker) is None
        or not by_handler(earlier, org.other_social_worker)["decisions"]
    )
