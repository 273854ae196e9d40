"""Protected identity (skyddade personuppgifter): the address is never shown, only named staff
open the case, and every read is flagged for the unit head's review. Tried through the
services, the pages and the API, as an insider in the same section would try."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bistand.audit.models import AccessLogEntry
from bistand.cases import protection, services
from bistand.cases.rules import can_open_case
from bistand.cases.selectors import cases_visible_to, open_case
from bistand.core.errors import DomainError, PermissionRefused
from bistand.households.models import ProtectedIdentity
from bistand.households.services import MemberInput, register_household
from bistand.organisation.models import Role
from tests.factories import UserFactory

ADDRESS = "Hemliga vägen 7"


@pytest.fixture
def household(org):
    return register_household(
        org.reception,
        [
            MemberInput("198309192394", "Tolvan", "Tolvansson", "applicant"),
            MemberInput("199811022384", "Elva", "Elvasson", "co_applicant"),
        ],
        address=ADDRESS,
        postal_code="22100",
        city="Lund",
    )


@pytest.fixture
def case(org, household, this_month):
    case = services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    services.take_case(org.social_worker, case)
    case.refresh_from_db()
    return case


@pytest.fixture
def colleague(org):
    """Another social worker in the same (intake) section as the case."""
    return UserFactory(
        username="colleague", role=Role.SOCIAL_WORKER, unit=org.unit, section=org.intake
    )


def applicant(case):
    return case.household.memberships.get(role="applicant").person


def mark(actor, case, kind="protected_registration"):
    return protection.mark_protected_identity(
        actor, case, applicant(case), kind=kind, registered_on=dt.date(2025, 1, 1)
    )


def details(**filters):
    return [json.loads(e.detail or "{}") for e in AccessLogEntry.objects.filter(**filters)]


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- Marking ---------------------------------------------------------------------------------


def test_staff_with_case_access_marks_and_the_marking_is_logged(org, case):
    marking = mark(org.social_worker, case)
    assert marking.marked_by == org.social_worker
    assert marking.kind == "protected_registration"
    row = AccessLogEntry.objects.filter(object_type="households.protectedidentity").get()
    assert row.actor_id == org.social_worker.pk and row.person_id == applicant(case).pk
    assert ADDRESS not in row.detail


def test_staff_without_case_access_cannot_mark(org, case):
    with pytest.raises(PermissionRefused):
        mark(org.other_social_worker, case)  # another section
    assert not ProtectedIdentity.objects.exists()


def test_changing_the_kind_ends_the_old_marking_and_logs_before_and_after(org, case):
    mark(org.social_worker, case, kind="confidentiality_marking")
    mark(org.social_worker, case, kind="protected_registration")
    rows = ProtectedIdentity.objects.order_by("marked_at")
    assert [r.kind for r in rows] == ["confidentiality_marking", "protected_registration"]
    assert rows[0].removed_at is not None and rows[1].removed_at is None
    change = details(action="update", object_type="households.protectedidentity")[0]
    assert change["before"]["protected_identity"] == "confidentiality_marking"
    assert change["after"]["protected_identity"] == "protected_registration"


@pytest.mark.parametrize("role_attr", ["social_worker", "intake_head", "reception"])
def test_only_the_unit_head_removes_a_marking(org, case, role_attr):
    marking = mark(org.social_worker, case)
    with pytest.raises(PermissionRefused):
        protection.remove_protected_identity(
            getattr(org, role_attr), case, marking, reason="Skyddet har upphört"
        )
    protection.remove_protected_identity(org.unit_head, case, marking, reason="Skyddet upphört")
    marking.refresh_from_db()
    assert marking.removed_by == org.unit_head
    assert can_open_case(org.intake_head, case)


def test_a_social_worker_cannot_remove_a_marking_through_http(client, org, case):
    marking = mark(org.social_worker, case)
    client.force_login(org.social_worker)
    response = client.post(
        reverse("remove_protected", args=[case.pk, marking.pk]), {"reason": "Upphört nu"}
    )
    assert response.status_code == 403
    marking.refresh_from_db()
    assert marking.removed_at is None


# --- Who may open the case -------------------------------------------------------------------


def test_same_section_colleague_not_named_is_refused(org, case, colleague):
    assert can_open_case(colleague, case)
    mark(org.social_worker, case)
    assert not can_open_case(colleague, case)
    assert not cases_visible_to(colleague).filter(pk=case.pk).exists()
    with pytest.raises(PermissionRefused):
        open_case(colleague, case.pk)
    for user in (org.reception, org.intake_head):  # the rest of the section too
        assert not can_open_case(user, case)
    assert can_open_case(org.social_worker, case)  # the handler
    assert can_open_case(org.unit_head, case)


def test_a_colleague_named_by_the_handler_may_open_and_loses_it_when_revoked(org, case, colleague):
    mark(org.social_worker, case)
    authorisation = protection.authorise_staff(org.social_worker, case, colleague)
    assert can_open_case(colleague, case)
    assert cases_visible_to(colleague).filter(pk=case.pk).exists()
    protection.revoke_authorisation(org.unit_head, authorisation)
    assert not can_open_case(colleague, case)


def test_only_handler_and_unit_head_name_staff(org, case, colleague):
    mark(org.social_worker, case)
    with pytest.raises(PermissionRefused):
        protection.authorise_staff(org.intake_head, case, colleague)
    with pytest.raises(PermissionRefused):  # naming oneself
        protection.authorise_staff(colleague, case, colleague)


def test_colleague_is_refused_the_case_page_with_the_refusal_page(client, org, case, colleague):
    mark(org.social_worker, case)
    client.force_login(colleague)
    response = client.get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "inte behörighet" in page and ADDRESS not in page
    assert AccessLogEntry.objects.filter(
        actor_id=colleague.pk, action="access_denied", case_id=case.pk
    ).exists()


def test_colleague_is_refused_through_the_api_case_household_and_person(org, case, colleague):
    mark(org.social_worker, case)
    client = api(colleague)
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/households/{case.household_id}/").status_code == 404
    assert client.get(f"/api/v1/persons/{applicant(case).pk}/").status_code == 404
    listed = client.get("/api/v1/cases/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert case.pk not in [row["id"] for row in rows]


def test_emergency_access_opens_a_protected_case_and_is_flagged(org, case, colleague):
    mark(org.social_worker, case)
    services.take_emergency_access(colleague, case, "Akut, handläggaren är sjuk idag.")
    open_case(colleague, case.pk)
    read = details(actor_id=colleague.pk, action="view", case_id=case.pk)[0]
    assert read["emergency_access"] is True
    assert read["protected_identity"] is True


# --- The address is never shown --------------------------------------------------------------


def test_case_page_shows_skyddad_adress_instead_of_the_address(client, org, case):
    client.force_login(org.social_worker)
    assert ADDRESS in client.get(reverse("case_detail", args=[case.pk])).content.decode()
    mark(org.social_worker, case)
    for user in (org.social_worker, org.unit_head):
        client.force_login(user)
        page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
        assert ADDRESS not in page
        assert "Skyddad adress" in page


def test_api_never_gives_the_address_to_those_who_may_read_the_case(org, case):
    mark(org.social_worker, case)
    client = api(org.social_worker)
    for url in (f"/api/v1/cases/{case.pk}/", f"/api/v1/households/{case.household_id}/"):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert ADDRESS not in body and "22100" not in body
        assert "Skyddad adress" in body


def test_household_listing_with_members_withholds_the_address_from_the_other_adult(org, case):
    """The co-applicant's person page and household (what the other adult's handler reads)."""
    mark(org.social_worker, case)
    other_adult = case.household.memberships.get(role="co_applicant").person
    client = api(org.unit_head)
    assert ADDRESS not in client.get(f"/api/v1/persons/{other_adult.pk}/").content.decode()
    household = client.get(f"/api/v1/households/{case.household_id}/").json()
    assert household["address_protected"] is True
    assert household["address"] == "Skyddad adress"
    assert household["postal_code"] == "" and household["city"] == ""
    assert len(household["members"]) == 2


def test_search_results_show_no_address_and_the_search_is_flagged(client, org, case):
    mark(org.social_worker, case)
    client.force_login(org.social_worker)
    page = client.get(reverse("search"), {"q": "Tolvansson"}).content.decode()
    assert "Tolvan" in page and ADDRESS not in page
    body = api(org.social_worker).get("/api/v1/persons/", {"q": "Tolvan"}).content.decode()
    assert ADDRESS not in body
    searches = details(actor_id=org.social_worker.pk, action="search")
    assert all(s.get("protected_identity") for s in searches)


# --- Every read is flagged -------------------------------------------------------------------


def test_every_read_of_a_protected_case_or_person_is_flagged(client, org, case):
    mark(org.social_worker, case)
    client.force_login(org.social_worker)
    client.get(reverse("case_detail", args=[case.pk]))
    reader = api(org.social_worker)
    reader.get(f"/api/v1/cases/{case.pk}/")
    reader.get("/api/v1/cases/")
    reader.get(f"/api/v1/households/{case.household_id}/")
    reader.get(f"/api/v1/persons/{applicant(case).pk}/")
    reads = [json.loads(r.detail) for r in AccessLogEntry.objects.filter(action="view")]
    flagged = [r for r in reads if r.get("protected_identity")]
    assert {r["what"] for r in flagged} >= {"case", "case_list", "household", "person"}


def test_reads_of_an_unprotected_case_are_not_flagged(org, case):
    open_case(org.social_worker, case.pk)
    assert not any(d.get("protected_identity") for d in details(action="view"))


def test_marking_refuses_an_unknown_kind(org, case):
    with pytest.raises(DomainError):
        protection.mark_protected_identity(
            org.social_worker, case, applicant(case), kind="secret", registered_on=dt.date.today()
        )
    assert not ProtectedIdentity.objects.exists()
