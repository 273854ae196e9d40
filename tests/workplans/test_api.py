"""The JSON API for plans, follow-ups and interventions: same access as the case, reads
logged, refusals answered as not found, Swedish errors."""

import pytest
from rest_framework.test import APIClient

from bistand.audit.models import AccessLogEntry
from bistand.workplans import services
from bistand.workplans.models import FollowUp, Intervention, WorkPlan

from .conftest import days, make_plan

pytestmark = pytest.mark.urls("tests.workplans.api_urls")


@pytest.fixture
def api():
    return APIClient()


def plan_payload(case):
    return {
        "case": case.pk,
        "valid_from": days(0).isoformat(),
        "goals": [{"text": "Arbete inom restaurang"}],
        "activities": [
            {"text": "Söka jobb", "party": "client"},
            {"text": "Praktikplats", "party": "partner", "partner": "Jobbtorg"},
        ],
        "follow_ups": [{"on": days(14).isoformat(), "method": "phone"}],
    }


def test_plan_is_made_confirmed_and_followed_up_through_the_api(api, org, case_a):
    api.force_authenticate(org.social_worker)
    response = api.post("/api/v1/workplans/", plan_payload(case_a), format="json")
    assert response.status_code == 201, response.json()
    plan = response.json()
    assert (
        plan["state"] == "unconfirmed"
        and plan["draft"]["goals"][0]["text"] == "Arbete inom restaurang"
    )

    response = api.post(
        f"/api/v1/workplans/{plan['id']}/confirm/", {"consent_method": "digital"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "on_track"
    assert response.json()["current_version"]["consent_method"] == "digital"
    assert response.json()["due_on"] == days(14).isoformat()

    response = api.post(
        "/api/v1/follow-ups/",
        {
            "case": case_a.pk,
            "held_on": days(0).isoformat(),
            "method": "phone",
            "outcome": "Sökt tre jobb",
            "next_on": days(20).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    follow_up = response.json()
    assert follow_up["next_on"] == days(20).isoformat() and follow_up["case"] == case_a.pk

    listing = api.get(f"/api/v1/follow-ups/?case={case_a.pk}").json()
    assert [f["outcome"] for f in listing] == ["Sökt tre jobb"]
    assert api.get(f"/api/v1/follow-ups/{follow_up['id']}/").status_code == 200
    plans = api.get("/api/v1/workplans/").json()
    assert [p["case"] for p in plans["results"]] == [case_a.pk]
    assert AccessLogEntry.objects.filter(
        actor_id=org.social_worker.pk, channel="api", action="view", case_id=case_a.pk
    ).exists()


def test_api_errors_are_swedish_and_nothing_is_saved(api, org, case_a):
    api.force_authenticate(org.social_worker)
    payload = plan_payload(case_a) | {
        "valid_from": days(10).isoformat(),
        "valid_to": days(5).isoformat(),
    }
    response = api.post("/api/v1/workplans/", payload, format="json")
    assert response.status_code == 400
    assert "slutdatum" in response.json()["error"]["message"]
    assert not WorkPlan.objects.exists()
    make_plan(org.social_worker, case_a)
    response = api.post(
        "/api/v1/follow-ups/",
        {
            "case": case_a.pk,
            "held_on": days(0).isoformat(),
            "method": "visit",
            "outcome": "x",
            "next_on": days(90).isoformat(),
        },
        format="json",
    )
    assert (
        response.status_code == 400 and "minst var 30:e dag" in response.json()["error"]["message"]
    )
    assert not FollowUp.objects.exists()


def test_api_refuses_a_user_from_another_section_as_not_found(api, org, case_a):
    make_plan(org.social_worker, case_a)
    plan = WorkPlan.objects.get()
    api.force_authenticate(org.other_social_worker)
    assert api.get(f"/api/v1/workplans/{plan.pk}/").status_code == 404
    assert api.get(f"/api/v1/workplans/?case={case_a.pk}").status_code == 404
    assert api.get("/api/v1/workplans/").json()["results"] == []
    response = api.post(
        "/api/v1/follow-ups/",
        {
            "case": case_a.pk,
            "held_on": days(0).isoformat(),
            "method": "visit",
            "outcome": "x",
            "next_on": days(10).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 404
    assert (
        response.json()["error"]["message"] == "Ärendet finns inte eller så saknar du behörighet."
    )
    response = api.post(
        f"/api/v1/workplans/{plan.pk}/confirm/", {"consent_method": "in_person"}, format="json"
    )
    assert response.status_code == 404
    assert not FollowUp.objects.exists()
    assert AccessLogEntry.objects.filter(
        actor_id=org.other_social_worker.pk, action="access_denied"
    ).exists()
    # A role that may not open the case is answered the same way.
    api.force_authenticate(org.fraud)
    response = api.post("/api/v1/workplans/", plan_payload(case_a), format="json")
    assert response.status_code == 404


def test_api_benefit_administrator_assisting_may_not_make_the_plan(api, org, household_factory):
    from bistand.cases import services as case_services

    from .conftest import make_case

    case = make_case(org, household_factory, case_type="B")
    case_services.reassign_case(
        org.unit_head,
        case,
        handler=org.social_worker,
        assistant=org.benefit_admin,
        case_type="B",
        reason="Biträde",
    )
    api.force_authenticate(org.benefit_admin)
    response = api.post("/api/v1/workplans/", plan_payload(case), format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "social_worker_act"
    assert "socialsekreteraren" in response.json()["error"]["message"]


def test_interventions_through_the_api(api, org, case_a):
    services.add_default_programmes(org.unit_head, org.unit)
    jobbtorg = org.unit.programmes.get(name="Jobbtorg")
    applicant = case_a.household.applicant_on(days(0))
    api.force_authenticate(org.social_worker)
    response = api.post(
        "/api/v1/interventions/",
        {
            "case": case_a.pk,
            "person": applicant.pk,
            "target": "programme",
            "programme": jobbtorg.pk,
            "referred_on": days(-20).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    item = response.json()
    assert item["target_label"] == "Jobbtorg" and item["status"] == "referred"
    assert (
        api.post(
            f"/api/v1/interventions/{item['id']}/start/",
            {"started_on": days(-10).isoformat()},
            format="json",
        ).status_code
        == 200
    )
    response = api.post(
        f"/api/v1/interventions/{item['id']}/end/",
        {"attendance": "full", "result": "self_support"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["result"] == "self_support"
    response = api.post(
        f"/api/v1/interventions/{item['id']}/end/",
        {"attendance": "full", "result": "self_support"},
        format="json",
    )
    assert response.status_code == 400 and "avslutad" in response.json()["error"]["message"]
    assert [
        i["id"] for i in api.get(f"/api/v1/interventions/?case={case_a.pk}").json()["results"]
    ] == [item["id"]]
    api.force_authenticate(org.other_social_worker)
    assert api.get(f"/api/v1/interventions/{item['id']}/").status_code == 404
    assert (
        api.post(f"/api/v1/interventions/{item['id']}/start/", {}, format="json").status_code == 404
    )
    assert Intervention.objects.get().status == "ended"
