"""Cases through the API: who may list, open and act on which case."""

import pytest
from rest_framework.test import APIClient

from bistand.audit.models import AccessLogEntry
from bistand.cases import services
from bistand.cases.models import Case, EmergencyAccess
from tests.factories import UnitFactory, UserFactory

# Who may open a case in the intake section (cases.rules): its section, the unit head.
INTAKE_CASE_READERS = {
    "reception": 200,
    "social_worker": 200,
    "intake_head": 200,
    "unit_head": 200,
    "other_social_worker": 404,
    "benefit_admin": 404,
    "labour_head": 404,
    "fraud": 404,
    "finance": 404,
    "sysadmin": 404,
}


@pytest.mark.parametrize(("role", "expected"), INTAKE_CASE_READERS.items())
def test_each_role_opens_an_intake_case_only_if_the_access_rules_allow(
    org, client_for, intake_case, role, expected
):
    response = client_for(getattr(org, role)).get(f"/api/v1/cases/{intake_case.pk}/")

    assert response.status_code == expected
    action = "view" if expected == 200 else "access_denied"
    assert AccessLogEntry.objects.filter(
        actor_id=getattr(org, role).pk, action=action, case_id=intake_case.pk, channel="api"
    ).exists()


def test_guessing_the_id_of_a_case_in_another_section_is_refused_like_a_missing_id_and_logged(
    org, client_for, intake_case, labour_case
):
    client = client_for(org.social_worker)

    forbidden = client.get(f"/api/v1/cases/{labour_case.pk}/")
    missing = client.get("/api/v1/cases/987654/")

    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()
    assert "Tolvansson" not in forbidden.content.decode()
    denied = AccessLogEntry.objects.get(actor_id=org.social_worker.pk, action="access_denied")
    assert denied.case_id == labour_case.pk and denied.channel == "api"


def test_a_case_id_that_is_not_a_number_is_not_a_route(org, client_for):
    assert client_for(org.social_worker).get("/api/v1/cases/abc/").status_code == 404


def test_case_detail_shows_full_identity_numbers_to_staff_who_may_open_it(
    org, client_for, intake_case
):
    body = client_for(org.social_worker).get(f"/api/v1/cases/{intake_case.pk}/").json()

    numbers = [m["person"]["identity_number"] for m in body["household"]["members"]]
    assert sorted(numbers) == ["19830919-2394", "20150110-2386"]
    assert body["reference"] == intake_case.reference


def test_case_list_shows_only_cases_the_user_may_open_masked_and_logs_each_one(
    org, client_for, intake_case, labour_case
):
    response = client_for(org.social_worker).get("/api/v1/cases/")

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == intake_case.pk
    assert row["applicant"]["identity_number"] == "19830919-****"
    assert "members" not in str(row)
    logged = AccessLogEntry.objects.filter(actor_id=org.social_worker.pk, action="view")
    assert [(e.case_id, e.channel) for e in logged] == [(intake_case.pk, "api")]


def test_unit_head_lists_the_cases_of_every_section(org, client_for, intake_case, labour_case):
    response = client_for(org.unit_head).get("/api/v1/cases/")

    assert {row["id"] for row in response.json()["results"]} == {intake_case.pk, labour_case.pk}


def test_case_list_filters_on_status_and_own_cases(org, client_for, intake_case, labour_case):
    client = client_for(org.unit_head)
    assert client.get("/api/v1/cases/", {"status": "closed"}).json()["count"] == 0
    assert client.get("/api/v1/cases/", {"status": "nonsense"}).status_code == 400
    mine = client_for(org.other_social_worker).get("/api/v1/cases/", {"mine": "true"}).json()
    assert [row["id"] for row in mine["results"]] == [labour_case.pk]


@pytest.mark.parametrize("role", ["finance", "sysadmin"])
def test_finance_and_system_administrator_cannot_list_or_open_any_case(
    org, client_for, intake_case, labour_case, role
):
    client = client_for(getattr(org, role))

    listing = client.get("/api/v1/cases/")
    assert listing.status_code == 200 and listing.json()["count"] == 0
    for case in (intake_case, labour_case):
        assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
        assert client.get(f"/api/v1/cases/{case.pk}/journal/").status_code == 404
        assert client.post(f"/api/v1/cases/{case.pk}/take/").status_code == 404


def test_anonymous_requests_get_no_case_data(intake_case):
    client = APIClient()
    assert client.get("/api/v1/cases/").status_code in (401, 403)
    assert client.get(f"/api/v1/cases/{intake_case.pk}/").status_code in (401, 403)


def test_social_worker_takes_an_unassigned_case_in_their_section(org, client_for, intake_case):
    response = client_for(org.social_worker).post(f"/api/v1/cases/{intake_case.pk}/take/")

    assert response.status_code == 200
    assert response.json()["handler"]["id"] == org.social_worker.pk
    assert AccessLogEntry.objects.filter(
        actor_id=org.social_worker.pk, action="assign", case_id=intake_case.pk, channel="api"
    ).exists()


def test_reception_may_open_but_not_take_a_case(org, client_for, intake_case):
    response = client_for(org.reception).post(f"/api/v1/cases/{intake_case.pk}/take/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "role_not_permitted"
    assert Case.objects.get(pk=intake_case.pk).handler is None


def test_acting_on_a_case_in_another_section_answers_not_found_and_logs_the_refusal(
    org, client_for, intake_case
):
    client = client_for(org.other_social_worker)

    take = client.post(f"/api/v1/cases/{intake_case.pk}/take/")
    journal = client.post(f"/api/v1/cases/{intake_case.pk}/journal/", {"text": "Hej"})

    assert take.status_code == journal.status_code == 404
    assert take.json()["error"]["code"] == "case_not_found"
    assert (
        AccessLogEntry.objects.filter(
            actor_id=org.other_social_worker.pk,
            action="access_denied",
            case_id=intake_case.pk,
            channel="api",
        ).count()
        == 2
    )
    assert not intake_case.journal_entries.exists()


def test_section_head_reassigns_a_case_to_a_benefit_administrator_as_type_c(
    org, client_for, intake_case
):
    response = client_for(org.intake_head).post(
        f"/api/v1/cases/{intake_case.pk}/reassign/",
        {"handler": org.benefit_admin.pk, "case_type": "C", "reason": "Förenklad handläggning"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    case = Case.objects.get(pk=intake_case.pk)
    assert case.handler == org.benefit_admin and case.case_type == "C"


def test_a_handler_of_the_wrong_role_for_the_type_is_refused(org, client_for, intake_case):
    response = client_for(org.intake_head).post(
        f"/api/v1/cases/{intake_case.pk}/reassign/",
        {"handler": org.social_worker.pk, "case_type": "C", "reason": "Fel"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "handler_role_for_type"


def test_social_worker_cannot_reassign_a_case(org, client_for, intake_case):
    response = client_for(org.social_worker).post(
        f"/api/v1/cases/{intake_case.pk}/reassign/",
        {"handler": org.social_worker.pk, "reason": "Jag tar det"},
        format="json",
    )

    assert response.status_code == 403


def test_reassigning_to_staff_of_another_unit_is_refused(org, client_for, intake_case):
    stranger = UserFactory(role="social_worker", unit=UnitFactory())
    response = client_for(org.unit_head).post(
        f"/api/v1/cases/{intake_case.pk}/reassign/",
        {"handler": stranger.pk, "reason": "Fel enhet"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_staff"


def test_handler_sets_the_case_type(org, client_for, intake_case):
    services.take_case(org.social_worker, intake_case)

    response = client_for(org.social_worker).post(
        f"/api/v1/cases/{intake_case.pk}/set-type/", {"case_type": "B"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["case_type"] == "B"


def test_a_case_is_closed_once_its_applications_are_settled(org, client_for, intake_case):
    services.take_case(org.social_worker, intake_case)
    client = client_for(org.social_worker)
    url = f"/api/v1/cases/{intake_case.pk}/close/"

    refused = client.post(url, {"closing_reason": "work"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "undecided_applications"

    application = intake_case.applications.get()
    withdrawn = client.post(
        f"/api/v1/applications/{application.pk}/withdraw/", {"reason": "Fick arbete"}
    )
    assert withdrawn.status_code == 200
    closed = client.post(url, {"closing_reason": "work"}, format="json")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"


def test_reception_cannot_close_a_case(org, client_for, intake_case):
    response = client_for(org.reception).post(
        f"/api/v1/cases/{intake_case.pk}/close/", {"closing_reason": "work"}, format="json"
    )

    assert response.status_code == 403


def test_fraud_investigator_opens_a_case_only_after_taking_emergency_access(
    org, client_for, intake_case
):
    client = client_for(org.fraud)
    assert client.get(f"/api/v1/cases/{intake_case.pk}/").status_code == 404

    short = client.post(f"/api/v1/cases/{intake_case.pk}/emergency-access/", {"reason": "Kolla"})
    assert short.status_code == 400
    taken = client.post(
        f"/api/v1/cases/{intake_case.pk}/emergency-access/",
        {"reason": "Misstänkt felaktig utbetalning, anmälan från FK."},
    )
    assert taken.status_code == 201
    assert EmergencyAccess.objects.filter(user=org.fraud, case=intake_case).exists()

    assert client.get(f"/api/v1/cases/{intake_case.pk}/").status_code == 200
    assert [row["id"] for row in client.get("/api/v1/cases/").json()["results"]] == [intake_case.pk]
    views = AccessLogEntry.objects.filter(
        actor_id=org.fraud.pk, action="view", case_id=intake_case.pk
    )
    assert [view.channel for view in views] == ["api", "api"]
    assert all('"emergency_access":true' in view.detail for view in views)


@pytest.mark.parametrize("role", ["finance", "sysadmin"])
def test_roles_without_emergency_access_are_refused_whether_or_not_the_case_exists(
    org, client_for, intake_case, role
):
    client = client_for(getattr(org, role))
    reason = {"reason": "Jag vill bara titta på ärendet."}

    existing = client.post(f"/api/v1/cases/{intake_case.pk}/emergency-access/", reason)
    missing = client.post("/api/v1/cases/987654/emergency-access/", reason)

    assert existing.status_code == missing.status_code == 403
    assert existing.json() == missing.json()
