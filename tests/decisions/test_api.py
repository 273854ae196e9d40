"""The JSON API for calculations, decisions and appeals."""

import pytest
from rest_framework.test import APIClient

from bistand.audit.models import AccessLogEntry
from bistand.decisions.models import Decision

URLS = "tests.decisions.urls_for_tests"


@pytest.fixture(autouse=True)
def api_urls(settings):
    settings.ROOT_URLCONF = URLS


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _calculate(client, application):
    response = client.post("/api/v1/calculations/", {"application": application.pk}, format="json")
    assert response.status_code == 201, response.content
    calculation = response.json()
    response = client.post(f"/api/v1/calculations/{calculation['id']}/save/")
    assert response.status_code == 200, response.content
    return response.json()


def _decision_body(client, application, calculation, *, outcome=None, reasons=""):
    proposals = client.get(f"/api/v1/calculations/{calculation['id']}/proposals/").json()
    lines = [
        {
            "key": p["key"],
            "outcome": outcome or p["proposed_outcome"],
            "reasons": reasons or p["proposed_reasons"],
            "refusal_ground": p["proposed_ground"],
        }
        for p in proposals
    ]
    adults = [m for m in calculation["members"] if m["role"] in ("applicant", "co_applicant")]
    return {
        "application": application.pk,
        "calculation": calculation["id"],
        "lines": lines,
        "support_obstacles": [
            {"person": m["person_id"], "code": "unemployed_no_benefit"} for m in adults
        ],
    }


def test_calculate_and_decide_through_the_api(org, make_application, this_month):
    application = make_application(this_month, stated_costs=[{"type": "rent", "amount": "6500"}])
    client = client_for(org.social_worker)
    calculation = _calculate(client, application)
    assert calculation["amount_to_pay"] == "11720.00"
    assert {w["code"] for w in calculation["warnings"]} == {"rent_not_checked"}

    response = client.post(
        "/api/v1/decisions/", _decision_body(client, application, calculation), format="json"
    )
    assert response.status_code == 201, response.content
    decision = response.json()
    assert decision["outcome"] == "granted" and decision["total_granted"] == "11720.00"
    assert decision["lines"][0]["legal_basis"].startswith("12 kap. 1 §")
    assert decision["lines"][0]["grant_delegation_point"] == "1.1"
    assert decision["decided_by"]["id"] == org.social_worker.pk
    assert decision["letter"]["includes_appeal_instructions"] is False
    assert decision["in_force"] is True

    listed = client.get(f"/api/v1/decisions/?case={application.case_id}").json()
    assert [d["id"] for d in listed] == [decision["id"]]
    letter = client.get(f"/api/v1/decisions/{decision['id']}/letter/")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    assert AccessLogEntry.objects.filter(action="download", channel="api").exists()


def test_refusal_without_reasons_is_a_swedish_400(org, make_application, this_month):
    application = make_application(this_month)
    client = client_for(org.social_worker)
    calculation = _calculate(client, application)
    body = _decision_body(client, application, calculation, outcome="refused", reasons=" ")
    response = client.post("/api/v1/decisions/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "reasons_required"
    assert "Skäl måste anges" in response.json()["error"]["message"]
    assert not Decision.objects.exists()


def test_outside_delegation_is_403_with_candidates_then_referral(org, make_application, this_month):
    application = make_application(
        this_month, handler=org.benefit_admin, stated_incomes=[{"type": "wages", "amount": "9000"}]
    )
    client = client_for(org.benefit_admin)
    calculation = _calculate(client, application)
    body = _decision_body(client, application, calculation)
    response = client.post("/api/v1/decisions/", body, format="json")
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "outside_delegation"
    assert org.labour_head.pk in [c["id"] for c in error["candidates"]]

    response = client.post(
        "/api/v1/decisions/refer/", {**body, "referred_to": org.labour_head.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    referred = response.json()
    assert referred["status"] == "referred"
    response = client_for(org.labour_head).post(f"/api/v1/decisions/{referred['id']}/decide/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "final"


def test_appeal_through_the_api(org, make_application, this_month, today):
    application = make_application(this_month, stated_incomes=[{"type": "wages", "amount": "9000"}])
    client = client_for(org.social_worker)
    calculation = _calculate(client, application)
    decision = client.post(
        "/api/v1/decisions/", _decision_body(client, application, calculation), format="json"
    ).json()
    response = client.post(
        "/api/v1/appeals/",
        {
            "decision": decision["id"],
            "received_on": today.isoformat(),
            "decision_received_on": today.isoformat(),
            "basis": "handed_over",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    appeal = response.json()
    assert appeal["in_time"] is True and appeal["status"] == "registered"
    assert appeal["forward_deadline"] == "2026-12-01"
    assert [a["id"] for a in client.get("/api/v1/appeals/").json()] == [appeal["id"]]
    response = client.post(
        f"/api/v1/appeals/{appeal['id']}/forward/",
        {"opinion": "Nämnden vidhåller beslutet."},
        format="json",
    )
    assert response.json()["status"] == "forwarded"


def test_api_hides_other_sections_records(org, make_application, this_month):
    application = make_application(this_month)
    calculation = _calculate(client_for(org.social_worker), application)
    outsider = client_for(org.other_social_worker)
    response = outsider.get(f"/api/v1/calculations/{calculation['id']}/")
    assert response.status_code == 404
    assert AccessLogEntry.objects.filter(
        action="access_denied", actor_id=org.other_social_worker.pk
    ).exists()
    assert client_for(org.finance).post(
        "/api/v1/calculations/", {"application": application.pk}, format="json"
    ).status_code in (403, 404)


def _draft(client, application):
    response = client.post("/api/v1/calculations/", {"application": application.pk}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _patch(client, calculation, body: str):
    return client.generic(
        "PATCH",
        f"/api/v1/calculations/{calculation['id']}/",
        body,
        content_type="application/json",
    )


@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_json_body_is_a_400_not_a_500(org, make_application, this_month, depth):
    application = make_application(this_month, stated_costs=[{"type": "rent", "amount": "6500"}])
    client = client_for(org.social_worker)
    calculation = _draft(client, application)
    body = '{"costs": ' + "[" * depth + "]" * depth + "}"

    response = _patch(client, calculation, body)

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid_json",
            "message": "Indata är för djupt nästlad: högst 32 nivåer av listor och objekt.",
        }
    }
    after = client.get(f"/api/v1/calculations/{calculation['id']}/").json()
    assert after["costs"] == calculation["costs"]


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("NaN", "invalid_json"),
        ("Infinity", "invalid_json"),
        ("-Infinity", "invalid_json"),
        ('"NaN"', "bad_amount"),
        ('"Infinity"', "bad_amount"),
        ('"-Infinity"', "bad_amount"),
        ("1e400", "bad_amount"),  # a float overflowing to inf
    ],
)
def test_nan_and_infinity_amounts_are_refused_with_400(
    org, make_application, this_month, amount, code
):
    application = make_application(this_month, stated_costs=[{"type": "rent", "amount": "6500"}])
    client = client_for(org.social_worker)
    calculation = _draft(client, application)

    response = _patch(client, calculation, f'{{"costs": [{{"type": "rent", "amount": {amount}}}]}}')

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"].startswith(("Indata är inte giltig JSON", "Beloppet för"))
    after = client.get(f"/api/v1/calculations/{calculation['id']}/").json()
    assert after["costs"] == calculation["costs"]
