"""Households and persons through the API: registering, reading under the case rules, search."""

import datetime as dt

import pytest

from bistand.audit.models import AccessLogEntry
from bistand.cases import services
from bistand.households.models import Household, Person
from bistand.households.services import move_person
from tests.factories import ADULT_NUMBERS, CHILD_NUMBERS

REGISTRATION = {
    "address": "Kyrkogatan 3",
    "postal_code": "22222",
    "city": "Lund",
    "members": [
        {
            "identity_number": "19910920-2383",
            "first_name": "Sara",
            "last_name": "Ek",
            "role": "applicant",
        },
        {
            "identity_number": "201909282392",
            "first_name": "Nils",
            "last_name": "Ek",
            "role": "child",
        },
    ],
}


def test_reception_registers_a_household_with_its_members(org, client_for):
    response = client_for(org.reception).post("/api/v1/households/", REGISTRATION, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["household_type"] == "single_woman_with_children"
    numbers = {m["person"]["identity_number"]: m["role"] for m in body["members"]}
    assert numbers == {"19910920-2383": "applicant", "20190928-2392": "child"}
    household = Household.objects.get(pk=body["id"])
    created = AccessLogEntry.objects.filter(
        actor_id=org.reception.pk, action="create", object_type="households.household"
    ).get()
    assert created.object_id == str(household.pk) and created.channel == "api"


def test_household_registration_with_a_bad_identity_number_is_refused_with_the_error_envelope(
    org, client_for
):
    bad = REGISTRATION | {
        "members": [REGISTRATION["members"][0] | {"identity_number": "19910920-2384"}]
    }
    response = client_for(org.reception).post("/api/v1/households/", bad, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "identity_checksum"
    assert not Household.objects.exists()


def test_household_registration_without_members_is_refused_as_invalid(org, client_for):
    response = client_for(org.reception).post(
        "/api/v1/households/", {"address": "X", "members": []}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "members" in response.json()["error"]["message"]


@pytest.mark.parametrize("role", ["finance", "sysadmin", "fraud"])
def test_roles_without_the_capability_cannot_register_a_household(org, client_for, role):
    response = client_for(getattr(org, role)).post(
        "/api/v1/households/", REGISTRATION, format="json"
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "role_not_permitted"
    assert not Household.objects.exists()


def test_registrar_may_read_the_household_before_it_has_a_case_and_nobody_else(org, client_for):
    household_id = (
        client_for(org.reception)
        .post("/api/v1/households/", REGISTRATION, format="json")
        .json()["id"]
    )

    assert client_for(org.reception).get(f"/api/v1/households/{household_id}/").status_code == 200
    for stranger in (org.social_worker, org.other_social_worker, org.unit_head, org.finance):
        response = client_for(stranger).get(f"/api/v1/households/{household_id}/")
        assert response.status_code == 404, stranger.username
    assert AccessLogEntry.objects.filter(
        actor_id=org.other_social_worker.pk,
        action="access_denied",
        object_type="households.household",
        object_id=str(household_id),
        channel="api",
    ).exists()


def test_once_the_household_has_a_case_only_those_who_may_open_the_case_read_it(
    org, client_for, labour_case
):
    """Reception registered the household, but the case now sits in the labour section."""
    url = f"/api/v1/households/{labour_case.household_id}/"

    allowed = client_for(org.other_social_worker).get(url)
    assert allowed.status_code == 200
    assert allowed.json()["members"][0]["person"]["identity_number"] == "19981102-2384"
    assert AccessLogEntry.objects.filter(
        actor_id=org.other_social_worker.pk,
        action="view",
        object_type="households.household",
        case_id=labour_case.pk,
        channel="api",
    ).exists()
    for refused in (org.reception, org.social_worker, org.intake_head, org.fraud):
        assert client_for(refused).get(url).status_code == 404, refused.username


def test_a_forbidden_household_answers_exactly_like_a_missing_one(org, client_for, labour_case):
    client = client_for(org.social_worker)
    forbidden = client.get(f"/api/v1/households/{labour_case.household_id}/")
    missing = client.get("/api/v1/households/999999/")

    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()


def test_person_search_masks_identity_numbers_and_marks_cases_one_may_not_open(
    org, client_for, intake_case, labour_case
):
    response = client_for(org.reception).get("/api/v1/persons/", {"q": "Tolvansson"})

    assert response.status_code == 200
    hits = {hit["person"]["identity_number"]: hit["cases"] for hit in response.json()}
    assert set(hits) == {"19830919-****", "20150110-****", "19981102-****"}
    [own] = hits["19830919-****"]
    [other] = hits["19981102-****"]
    assert own["visible"] is True and own["status"] == "intake"
    assert other == {
        "id": labour_case.pk,
        "reference": labour_case.reference,
        "section": "Arbetsmarknad",
        "household": labour_case.household_id,
        "visible": False,
        "status": None,
    }
    search = AccessLogEntry.objects.get(actor_id=org.reception.pk, action="search")
    assert search.channel == "api" and "Tolvansson" in search.detail


def test_person_search_by_identity_number_finds_the_person(org, client_for, intake_case):
    response = client_for(org.social_worker).get("/api/v1/persons/", {"q": "19830919-2394"})

    assert [hit["person"]["first_name"] for hit in response.json()] == ["Tolvan"]


@pytest.mark.parametrize("role", ["finance", "sysadmin"])
def test_roles_without_search_cannot_search_persons(org, client_for, intake_case, role):
    response = client_for(getattr(org, role)).get("/api/v1/persons/", {"q": "Tolvansson"})

    assert response.status_code == 403
    assert not AccessLogEntry.objects.filter(action="search").exists()


def test_person_search_needs_a_query(org, client_for):
    response = client_for(org.reception).get("/api/v1/persons/")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "query_required"


def test_a_person_is_read_in_full_only_through_a_case_one_may_open(
    org, client_for, intake_case, labour_case
):
    child = Person.objects.get(identity_number=CHILD_NUMBERS[0])
    url = f"/api/v1/persons/{child.pk}/"

    response = client_for(org.social_worker).get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["identity_number"] == "20150110-2386"
    assert [c["id"] for c in body["cases"]] == [intake_case.pk]
    assert body["memberships"][0]["household"] == intake_case.household_id
    assert AccessLogEntry.objects.filter(
        actor_id=org.social_worker.pk, action="view", person_id=child.pk, channel="api"
    ).exists()

    refused = client_for(org.other_social_worker).get(url)
    missing = client_for(org.other_social_worker).get("/api/v1/persons/999999/")
    assert refused.status_code == missing.status_code == 404
    assert refused.json() == missing.json()
    assert AccessLogEntry.objects.filter(
        actor_id=org.other_social_worker.pk, action="access_denied", person_id=child.pk
    ).exists()


def test_a_person_who_moved_shows_only_the_memberships_the_reader_may_read(
    org, client_for, household_factory, this_month, intake_case, today
):
    """The applicant of the intake case moves into a labour-section household: the labour
    worker sees the person, but not the earlier household in the other section."""
    labour_household = household_factory(org.reception, adult=ADULT_NUMBERS[2])
    labour = services.register_application(
        org.reception, labour_household, kind="new", month=this_month
    ).case
    services.reassign_case(
        org.unit_head, labour, handler=org.other_social_worker, section=org.labour, reason="Flytt"
    )
    person = Person.objects.get(identity_number=ADULT_NUMBERS[0])
    # From tomorrow: the first membership started today. The unit head may open both cases.
    move_person(org.unit_head, person, labour_household, "co_applicant", today + dt.timedelta(1))

    body = client_for(org.other_social_worker).get(f"/api/v1/persons/{person.pk}/").json()
    assert [m["household"] for m in body["memberships"]] == [labour_household.pk]
    assert [c["id"] for c in body["cases"]] == [labour.pk]
