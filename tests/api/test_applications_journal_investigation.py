"""Applications, journal entries and investigations through the API."""

import datetime as dt

import pytest

from bistand.audit.models import AccessLogEntry
from bistand.cases import services
from bistand.cases.models import Application, Case, JournalEntry
from bistand.households.models import Person
from tests.factories import ADULT_NUMBERS


def _month(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def test_reception_registers_a_new_application_which_opens_a_case_in_intake(
    org, client_for, household_factory, this_month
):
    household = household_factory(org.reception)

    response = client_for(org.reception).post(
        "/api/v1/applications/",
        {"household": household.pk, "kind": "new", "month": _month(this_month)},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    case = Case.objects.get(pk=body["case"])
    assert case.section == org.intake and body["case_reference"] == case.reference
    assert body["status"] == "received"
    assert AccessLogEntry.objects.filter(
        actor_id=org.reception.pk, action="create", object_type="cases.application", channel="api"
    ).exists()


def test_reception_registers_a_repeat_application_for_a_case_in_another_section(
    org, client_for, labour_case, this_month
):
    """Paper comes in at reception; the receipt says where it went, nothing more."""
    services.withdraw_application(
        org.other_social_worker, labour_case.applications.get(), "Ansökte om fel månad"
    )

    response = client_for(org.reception).post(
        "/api/v1/applications/",
        {"household": labour_case.household_id, "kind": "repeat", "month": _month(this_month)},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert set(response.json()) == {
        "id",
        "case",
        "case_reference",
        "kind",
        "month",
        "received_on",
        "channel",
        "status",
    }
    assert response.json()["case"] == labour_case.pk


def test_a_repeat_application_without_an_open_case_is_refused(
    org, client_for, household_factory, this_month
):
    household = household_factory(org.reception)

    response = client_for(org.reception).post(
        "/api/v1/applications/",
        {"household": household.pk, "kind": "repeat", "month": _month(this_month)},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_open_case"


def test_a_bad_month_is_refused_before_anything_is_registered(org, client_for, household_factory):
    household = household_factory(org.reception)

    response = client_for(org.reception).post(
        "/api/v1/applications/",
        {"household": household.pk, "kind": "new", "month": "mars"},
        format="json",
    )

    assert response.status_code == 400
    assert not Application.objects.exists()


@pytest.mark.parametrize("role", ["finance", "sysadmin", "fraud"])
def test_roles_without_the_capability_cannot_register_an_application(
    org, client_for, household_factory, this_month, role
):
    household = household_factory(org.reception)

    response = client_for(getattr(org, role)).post(
        "/api/v1/applications/",
        {"household": household.pk, "kind": "new", "month": _month(this_month)},
        format="json",
    )

    assert response.status_code == 403
    assert not Application.objects.exists()


def test_applications_of_a_case_are_listed_and_the_read_logged(org, client_for, intake_case):
    response = client_for(org.social_worker).get(f"/api/v1/cases/{intake_case.pk}/applications/")

    assert response.status_code == 200
    assert [a["kind"] for a in response.json()] == ["new"]
    assert AccessLogEntry.objects.filter(
        actor_id=org.social_worker.pk, action="view", case_id=intake_case.pk, channel="api"
    ).exists()


def test_an_application_is_marked_complete(org, client_for, intake_case, today):
    application = intake_case.applications.get()

    response = client_for(org.social_worker).post(
        f"/api/v1/applications/{application.pk}/complete/", {}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "complete"
    assert response.json()["complete_on"] == today.isoformat()


def test_withdrawing_needs_a_reason(org, client_for, intake_case):
    application = intake_case.applications.get()

    response = client_for(org.social_worker).post(
        f"/api/v1/applications/{application.pk}/withdraw/", {"reason": " "}, format="json"
    )

    assert response.status_code == 400
    assert Application.objects.get(pk=application.pk).status == "received"


def test_an_application_in_another_section_answers_like_a_missing_one(org, client_for, labour_case):
    application = labour_case.applications.get()
    client = client_for(org.social_worker)

    for suffix, method in (("", "get"), ("complete/", "post"), ("withdraw/", "post")):
        forbidden = getattr(client, method)(f"/api/v1/applications/{application.pk}/{suffix}")
        missing = getattr(client, method)(f"/api/v1/applications/987654/{suffix}")
        assert forbidden.status_code == missing.status_code == 404
        assert forbidden.json() == missing.json()
    assert Application.objects.get(pk=application.pk).status == "received"
    assert (
        AccessLogEntry.objects.filter(
            actor_id=org.social_worker.pk, action="access_denied", case_id=labour_case.pk
        ).count()
        == 3
    )


def test_journal_entries_are_written_listed_and_read(org, client_for, intake_case, today):
    client = client_for(org.social_worker)
    url = f"/api/v1/cases/{intake_case.pk}/journal/"

    written = client.post(url, {"text": "Nybesök genomfört.", "kind": "first_visit"})
    assert written.status_code == 201, written.json()
    assert written.json()["signed_at"] is not None
    listed = client.get(url)
    assert [e["text"] for e in listed.json()] == ["Nybesök genomfört."]
    one = client.get(f"/api/v1/journal-entries/{written.json()['id']}/")
    assert one.status_code == 200 and one.json()["occurred_on"] == today.isoformat()


def test_a_journal_draft_is_changed_and_signed_only_by_its_author(org, client_for, intake_case):
    author = client_for(org.social_worker)
    draft = author.post(
        f"/api/v1/cases/{intake_case.pk}/journal/", {"text": "Utkast", "sign": False}
    ).json()
    url = f"/api/v1/journal-entries/{draft['id']}/"

    colleague = client_for(org.intake_head)
    assert colleague.patch(url, {"text": "Ändrat"}).status_code == 403
    assert colleague.post(f"{url}sign/").status_code == 403

    assert author.patch(url, {"text": "Telefonsamtal med sökande."}).status_code == 200
    signed = author.post(f"{url}sign/")
    assert signed.status_code == 200 and signed.json()["signed_at"]
    assert author.patch(url, {"text": "För sent"}).status_code == 400
    assert JournalEntry.objects.get(pk=draft["id"]).text == "Telefonsamtal med sökande."


def test_a_signed_journal_entry_is_corrected_by_a_new_entry(org, client_for, intake_case):
    client = client_for(org.social_worker)
    entry = client.post(f"/api/v1/cases/{intake_case.pk}/journal/", {"text": "Besök 11/11"}).json()

    correction = client.post(
        f"/api/v1/journal-entries/{entry['id']}/correct/", {"text": "Rättelse: besöket var 12/11."}
    )

    assert correction.status_code == 201
    assert correction.json()["corrects"] == entry["id"]
    assert JournalEntry.objects.get(pk=entry["id"]).text == "Besök 11/11"


def test_a_journal_in_another_section_cannot_be_read_or_written(org, client_for, labour_case):
    entry = services.add_journal_entry(org.other_social_worker, labour_case, text="Hemligt")
    client = client_for(org.social_worker)

    assert client.get(f"/api/v1/cases/{labour_case.pk}/journal/").status_code == 404
    assert client.get(f"/api/v1/journal-entries/{entry.pk}/").status_code == 404
    correction = client.post(f"/api/v1/journal-entries/{entry.pk}/correct/", {"text": "Nej"})
    assert correction.status_code == 404
    assert labour_case.journal_entries.count() == 1


def _investigation_content(case: Case) -> dict:
    applicant = Person.objects.get(identity_number=ADULT_NUMBERS[0])
    return {
        "situation": "Ensamstående förälder, nyligen separerad.",
        "household_economy": "Saknar inkomst sedan oktober.",
        "adults": [{"person_id": applicant.pk, "support_obstacle": "unemployed_no_benefit"}],
    }


def test_social_worker_drafts_and_signs_an_investigation(org, client_for, intake_case):
    services.take_case(org.social_worker, intake_case)
    client = client_for(org.social_worker)
    url = f"/api/v1/cases/{intake_case.pk}/investigation/"
    content = _investigation_content(intake_case)

    saved = client.put(url, content, format="json")
    assert saved.status_code == 200, saved.json()
    current = client.get(url).json()
    assert current["current"]["number"] == 1 and current["current"]["signed_at"] is None
    assert any("Barnperspektivet" in line for line in current["missing_before_signing"])

    refused = client.post(f"{url}sign/")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "investigation_incomplete"

    client.put(url, content | {"child_perspective": "Barnet går i skolan."}, format="json")
    signed = client.post(f"{url}sign/")
    assert signed.status_code == 200
    assert signed.json()["signed_by"]["id"] == org.social_worker.pk

    client.put(url, content | {"child_perspective": "Ny bedömning."}, format="json")
    after = client.get(url).json()
    assert [v["number"] for v in after["versions"]] == [1, 2]
    assert after["current"]["based_on_number"] == 1
    assert "child_perspective" in after["current"]["changes"]


def test_benefit_administrator_cannot_write_or_sign_an_investigation(org, client_for, intake_case):
    """Even on a C case they hold: the investigation is the social worker's."""
    services.take_case(org.social_worker, intake_case)
    services.save_investigation_draft(
        org.social_worker,
        intake_case,
        _investigation_content(intake_case) | {"child_perspective": "Barnet mår bra."},
    )
    services.reassign_case(
        org.intake_head, intake_case, handler=org.benefit_admin, case_type="C", reason="SOFT"
    )
    client = client_for(org.benefit_admin)
    url = f"/api/v1/cases/{intake_case.pk}/investigation/"

    assert client.get(url).status_code == 200
    signed = client.post(f"{url}sign/")
    assert signed.status_code == 403
    assert signed.json()["error"]["code"] == "role_not_permitted"
    assert client.put(url, {"situation": "Ändrad"}, format="json").status_code == 403
    assert intake_case.investigation.versions.get().signed_at is None


def test_reception_cannot_sign_an_investigation(org, client_for, intake_case):
    services.save_investigation_draft(
        org.social_worker,
        intake_case,
        _investigation_content(intake_case) | {"child_perspective": "Barnet mår bra."},
    )

    response = client_for(org.reception).post(f"/api/v1/cases/{intake_case.pk}/investigation/sign/")

    assert response.status_code == 403


def test_an_investigation_in_another_section_answers_like_a_missing_case(
    org, client_for, labour_case
):
    client = client_for(org.social_worker)
    url = f"/api/v1/cases/{labour_case.pk}/investigation/"

    assert client.get(url).status_code == 404
    assert client.put(url, {"situation": "x"}, format="json").status_code == 404
    assert client.post(f"{url}sign/").status_code == 404
