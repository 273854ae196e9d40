"""Issue #16, slices 6 and 7: the activity plan per person (goals, the person's activities,
time for job search, follow-up date; linked to the case's work plan; a new version replaces
the earlier) and the participants file for Arbetsförmedlingen (our documented CSV)."""

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from bistand.activity.models import ActivityPlan
from bistand.activity.views_export import AF_COLUMNS
from bistand.audit.models import AccessLogEntry
from bistand.core.models import FinalRecordError
from bistand.workplans.models import WorkPlan
from tests.activity.helpers import activity, adult_case, assign
from tests.statistics.builders import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    return World(org)


def plan_post(person, placement, **extra):
    return {
        "person": person.pk,
        "goals": "Svenska B till sommaren; praktik inom handel.",
        "placements": [placement.pk],
        "job_search_hours": "10",
        "adaptation": "Halvtid första månaden",
        "follow_up_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        **extra,
    }


def test_the_activity_plan_is_written_from_the_case_and_linked_to_the_work_plan(client, org, world):
    person, case = adult_case(world, name="Planerad")
    work_plan = WorkPlan.objects.create(case=case, created_by=org.other_social_worker)
    act = activity(org, name="Språkcafé", hours="15")
    placement = assign(org, case, person, act)
    client.force_login(org.other_social_worker)
    url = reverse("activity:activity_plan", args=[case.pk])

    response = client.post(url, plan_post(person, placement, goals="", follow_up_on="2000-01-01"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Skriv planens mål." in page
    assert not ActivityPlan.objects.exists()
    response = client.post(url, plan_post(person, placement, follow_up_on="2000-01-01"))
    assert response.status_code == 400
    assert "Uppföljningen kan inte vara före i dag." in response.content.decode()

    assert client.post(url, plan_post(person, placement)).status_code == 302
    plan = ActivityPlan.objects.get()
    assert plan.work_plan_id == work_plan.pk
    assert list(plan.placements.all()) == [placement]
    panel = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    section = panel.split('data-testid="activity-plans"')[1].split("</ul>")[0]
    assert "Svenska B" in section and "Språkcafé 15,0 h/v" in section
    assert "del av arbetsplanen" in section

    # A new plan replaces the earlier one, which stays unchanged.
    assert client.post(url, plan_post(person, placement, goals="Nya mål")).status_code == 302
    newer = ActivityPlan.objects.get(replaces=plan)
    assert newer.goals == "Nya mål"
    plan.goals = "ändrat"
    with pytest.raises(FinalRecordError):
        plan.save()


def test_another_cases_placement_cannot_be_put_in_the_plan(client, org, world):
    person, case = adult_case(world)
    other_person, other_case = adult_case(world)
    act = activity(org)
    assign(org, case, person, act)
    foreign = assign(org, other_case, other_person, act)
    client.force_login(org.other_social_worker)
    response = client.post(
        reverse("activity:activity_plan", args=[case.pk]), plan_post(person, foreign)
    )
    assert response.status_code == 400
    assert not ActivityPlan.objects.exists()


def test_the_af_file_lists_the_heads_visible_participants_and_is_logged(client, org, world):
    act = activity(org, places=1, name="Jobbtorg Öst")
    placed_person, placed_case = adult_case(world, name="Placerad")
    waiting_person, waiting_case = adult_case(world, name="Väntar")
    intake_person, intake_case = adult_case(
        world, name="Mottagen", section=org.intake, handler=org.social_worker
    )
    other = activity(org, places=3)
    assign(org, placed_case, placed_person, act)
    assign(org, waiting_case, waiting_person, act)
    assign(org, intake_case, intake_person, other, user=org.social_worker)

    client.force_login(org.labour_head)
    response = client.get(reverse("activity:participants_for_af"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert tuple(rows[0]) == AF_COLUMNS
    assert [r[0] for r in rows[1:]] == [placed_person.identity_number]  # not the queue
    assert rows[1][3:7] == ["Jobbtorg Öst", "Arbetsmarknadsenheten", "deltar", rows[1][6]]
    assert intake_person.identity_number not in response.content.decode()
    logged = AccessLogEntry.objects.get(object_id="activity_participants_af")
    assert json.loads(logged.detail)["person_ids"] == [placed_person.pk]

    client.force_login(org.unit_head)
    body = client.get(reverse("activity:participants_for_af")).content.decode("utf-8-sig")
    assert intake_person.identity_number in body

    client.force_login(org.other_social_worker)
    assert client.get(reverse("activity:participants_for_af")).status_code == 403


def test_a_coordinator_is_refused_every_handler_act_through_the_services(org, world):
    from bistand.activity import services_followup, services_places
    from bistand.core.errors import PermissionRefused
    from tests.activity.helpers import coordinator

    boss = coordinator(org)
    person, case = adult_case(world)
    act = activity(org, coordinators=[boss])
    placement = assign(org, case, person, act)
    today = timezone.localdate()
    acts = [
        lambda: services_places.assign_to_activity(
            boss, case, person_id=person.pk, activity=act, today=today
        ),
        lambda: services_places.end_placement(boss, case, placement, reason="x", today=today),
        lambda: services_followup.record_activity_plan(
            boss, case, person_id=person.pk, goals="x", follow_up_on=today, today=today
        ),
    ]
    for attempt in acts:
        with pytest.raises(PermissionRefused):
            attempt()


@pytest.mark.parametrize("week", ["9999-W52", "0001-01-01", "2026-W53x", "2026-12-08"])
def test_an_unusable_week_in_the_address_is_a_swedish_400(client, org, week):
    from tests.activity.helpers import coordinator

    boss = coordinator(org)
    act = activity(org, coordinators=[boss])
    client.force_login(boss)
    response = client.get(reverse("activity:attendance", args=[act.pk]) + f"?vecka={week}")
    assert response.status_code == 400
    assert "Veckan ska anges" in response.content.decode()
