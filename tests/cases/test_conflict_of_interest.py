"""Jäv (16 § förvaltningslagen): a staff member whose identity number is registered can never
open, be given or take emergency access to a case of a household they belong or belonged to,
whatever their role; the case is left out of their lists and the API. The same person in two
roles (staff and applicant), tried as an insider would."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bistand.audit.models import AccessLogEntry
from bistand.cases import services
from bistand.cases.rules import can_open_case
from bistand.cases.selectors import cases_visible_to, open_case
from bistand.core.errors import DomainError, PermissionRefused
from bistand.households.services import MemberInput, register_household
from bistand.organisation.admin import StaffChangeForm
from bistand.organisation.models import Role
from tests.factories import UserFactory

APPLICANT = "198309192394"  # Skatteverket's test numbers
CO_APPLICANT = "199811022384"


@pytest.fixture
def case(org, this_month):
    household = register_household(
        org.reception,
        [
            MemberInput(APPLICANT, "Tolvan", "Tolvansson", "applicant"),
            MemberInput(CO_APPLICANT, "Elva", "Elvasson", "co_applicant"),
        ],
        address="Storgatan 1",
        postal_code="22100",
        city="Lund",
    )
    case = services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    services.take_case(org.social_worker, case)
    case.refresh_from_db()
    return case


@pytest.fixture
def colleague(org):
    """A social worker in the case's own section who is also the co-applicant."""
    return UserFactory(
        username="colleague",
        role=Role.SOCIAL_WORKER,
        unit=org.unit,
        section=org.intake,
        identity_number=CO_APPLICANT,
    )


def test_the_member_is_refused_and_the_refusal_is_logged(org, case, colleague):
    assert not can_open_case(colleague, case)
    assert not cases_visible_to(colleague).filter(pk=case.pk).exists()
    with pytest.raises(PermissionRefused) as refused:
        open_case(colleague, case.pk)
    assert refused.value.code == "case_conflict_of_interest"
    denied = AccessLogEntry.objects.get(
        actor_id=colleague.pk, action="access_denied", case_id=case.pk
    )
    assert json.loads(denied.detail)["conflict_of_interest"] is True
    # a section colleague without the conflict still opens it
    other = UserFactory(
        username="other", role=Role.SOCIAL_WORKER, unit=org.unit, section=org.intake
    )
    assert can_open_case(other, case)


def test_the_page_says_why_and_offers_no_emergency_access(client, case, colleague):
    client.force_login(colleague)
    response = client.get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "jäv" in page
    assert reverse("emergency_access", args=[case.pk]) not in page
    assert "Tolvansson" not in page


def test_lists_and_the_api_leave_the_case_out(client, case, colleague):
    client.force_login(colleague)
    assert "Tolvansson" not in client.get(reverse("inbox")).content.decode()
    api = APIClient()
    api.force_authenticate(colleague)
    # the API says why (the member knows the case exists: it is their own)
    refused = api.get(f"/api/v1/cases/{case.pk}/")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "case_conflict_of_interest"
    listed = api.get("/api/v1/cases/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert case.pk not in [row["id"] for row in rows]


def test_no_role_is_exempt_the_handler_and_the_unit_head_included(org, case):
    org.social_worker.identity_number = APPLICANT
    org.social_worker.save()
    org.unit_head.identity_number = CO_APPLICANT
    org.unit_head.save()
    for user in (org.social_worker, org.unit_head):
        user.refresh_from_db()
        assert not can_open_case(user, case)
        assert not cases_visible_to(user).filter(pk=case.pk).exists()


def test_a_past_member_is_still_refused(org, case, colleague):
    membership = case.household.memberships.get(person__identity_number=CO_APPLICANT)
    membership.valid_to = membership.valid_from + dt.timedelta(days=1)
    membership.save()
    colleague.refresh_from_db()
    assert not can_open_case(colleague, case)


def test_emergency_access_is_refused(org, case, colleague):
    with pytest.raises(PermissionRefused):
        services.take_emergency_access(colleague, case, "Behöver ärendet för ett möte idag")
    colleague.refresh_from_db()
    assert not can_open_case(colleague, case)


def test_the_case_cannot_be_given_to_the_member(org, case, colleague):
    with pytest.raises(DomainError) as refused:
        services.reassign_case(org.intake_head, case, handler=colleague, reason="Omfördelning")
    assert refused.value.code == "assignee_conflict_of_interest"
    case.refresh_from_db()
    assert case.handler_id == org.social_worker.pk


@pytest.mark.parametrize(
    ("given", "stored"),
    [("8309192394", APPLICANT), ("19830919-2394", APPLICANT), ("", "")],
)
def test_the_staff_form_stores_a_valid_number_as_twelve_digits(org, given, stored):
    form = _staff_form(org, given)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["identity_number"] == stored


def test_the_staff_form_refuses_a_bad_number_in_swedish(org):
    form = _staff_form(org, "198309192395")
    assert not form.is_valid()
    assert "identity_number" in form.errors


def _staff_form(org, number: str) -> StaffChangeForm:
    user = org.social_worker
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "identity_number": number,
        "email": "",
        "title": "",
        "role": user.role,
        "unit": user.unit_id,
        "section": user.section_id,
        "caseload_limit": "",
        "is_active": "on",
    }
    return StaffChangeForm(data, instance=user)
