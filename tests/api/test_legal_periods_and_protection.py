"""The legal periods and the protected-identity marking in the JSON API: the same access rules
and logging as their pages (norms.views, cases.views_protection)."""

import json

import pytest

from bistand.audit.models import AccessLogEntry
from bistand.cases import services
from bistand.households.models import ProtectedIdentity
from bistand.norms.models import LegalPeriod, VersionState
from bistand.organisation.models import Role
from tests.factories import UserFactory

PERIODS = "/api/v1/legal-periods/"


def period_body(**overrides):
    body = {
        "code": "sol-2027",
        "name": "SoL i lydelse 2027",
        "act": "SoL (2025:400)",
        "valid_from": "2027-01-01",
        "norm_reference": "12 kap. 7 §",
        "incentive_reference": "Jobbstimulans",
        "decision_basis": {
            "income_support": "12 kap. 1 §",
            "other_living_costs": "12 kap. 1 §",
            "labour_market": "12 kap. 1 §",
        },
        "source_status": "verified_primary",
        "sources": [{"sfs": "SFS 2026:9999", "title": "Testkälla (inte en verklig lag)"}],
    }
    body.update(overrides)
    return body


@pytest.fixture
def rules_owner(org):
    return UserFactory(
        username="rulesowner", role=Role.UNIT_HEAD, unit=org.unit, rules_maintainer=True
    )


def test_legal_periods_are_read_by_those_who_may_see_the_rules_pages(org, client_for):
    for user in (org.sysadmin, org.unit_head, org.intake_head):
        response = client_for(user).get(PERIODS)
        assert response.status_code == 200, user.role
        assert {"count", "results"} <= set(response.json())
    seeded = LegalPeriod.objects.first()
    assert client_for(org.unit_head).get(f"{PERIODS}{seeded.pk}/").json()["code"] == seeded.code
    for user in (org.social_worker, org.reception, org.finance, org.fraud):
        assert client_for(user).get(PERIODS).status_code == 403, user.role
        assert client_for(user).get(f"{PERIODS}{seeded.pk}/").status_code == 403, user.role


def test_a_legal_period_is_entered_as_a_draft_and_verified_by_a_second_person(
    org, client_for, rules_owner
):
    admin = client_for(org.sysadmin)
    response = admin.post(PERIODS, period_body(), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["state"] == VersionState.DRAFT and created["entered_by"]["id"] == org.sysadmin.pk
    period = LegalPeriod.objects.get(code="sol-2027")
    assert AccessLogEntry.objects.filter(
        actor_id=org.sysadmin.pk, action="create", object_type="norms.legalperiod"
    ).exists()

    refused = admin.post(f"{PERIODS}{period.pk}/verify/")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "four_eyes"

    verified = client_for(rules_owner).post(f"{PERIODS}{period.pk}/verify/")
    assert verified.status_code == 200
    period.refresh_from_db()
    assert period.state == VersionState.VERIFIED and period.verified_by == rules_owner


def test_a_legal_period_is_refused_to_a_role_without_the_rules_and_to_bad_input(org, client_for):
    before = LegalPeriod.objects.count()
    refused = client_for(org.unit_head).post(PERIODS, period_body(), format="json")
    assert refused.status_code == 403
    missing_source = client_for(org.sysadmin).post(PERIODS, period_body(sources=[]), format="json")
    assert missing_source.status_code == 400
    assert "sources" in missing_source.json()["error"]["message"]
    blank_basis = client_for(org.sysadmin).post(
        PERIODS,
        period_body(decision_basis={"income_support": "12 kap. 1 §"}),
        format="json",
    )
    assert blank_basis.status_code == 400
    assert LegalPeriod.objects.count() == before


def test_a_draft_period_is_withdrawn_with_a_reason(org, client_for):
    admin = client_for(org.sysadmin)
    period_id = admin.post(PERIODS, period_body(), format="json").json()["id"]
    assert admin.post(f"{PERIODS}{period_id}/withdraw/", {}, format="json").status_code == 400
    response = admin.post(f"{PERIODS}{period_id}/withdraw/", {"reason": "Fel år"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == VersionState.WITHDRAWN


# --- Protected identity ----------------------------------------------------------------------


@pytest.fixture
def held_case(org, household_factory, this_month):
    household = household_factory(org.reception)
    case = services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    services.take_case(org.social_worker, case)
    return case


def _applicant_id(case):
    return case.household.memberships.get(role="applicant").person_id


def test_the_handler_reads_and_marks_protected_identity_and_both_are_logged(
    org, client_for, held_case
):
    api = client_for(org.social_worker)
    url = f"/api/v1/cases/{held_case.pk}/protection/"
    read = api.get(url)
    assert read.status_code == 200
    assert read.json()["protected"] is False
    assert [m["protected_identity"] for m in read.json()["members"]] == [None]
    reads = [
        json.loads(e.detail or "{}")
        for e in AccessLogEntry.objects.filter(actor_id=org.social_worker.pk, case_id=held_case.pk)
    ]
    assert {"what": "protection"} in reads

    person = _applicant_id(held_case)
    marked = api.post(
        url,
        {"person": person, "kind": "protected_registration", "registered_on": "2025-01-01"},
        format="json",
    )
    assert marked.status_code == 201, marked.content
    assert marked.json()["protected"] is True
    assert marked.json()["members"][0]["protected_identity"]["kind"] == "protected_registration"
    row = AccessLogEntry.objects.get(object_type="households.protectedidentity")
    assert row.actor_id == org.social_worker.pk and row.person_id == person


def test_staff_who_may_not_open_the_case_neither_read_nor_mark(org, client_for, held_case):
    url = f"/api/v1/cases/{held_case.pk}/protection/"
    person = _applicant_id(held_case)
    for user in (org.other_social_worker, org.finance, org.fraud):
        api = client_for(user)
        assert api.get(url).status_code == 404, user.role
        response = api.post(
            url, {"person": person, "kind": "protected_registration", "registered_on": "2025-01-01"},
            format="json",
        )  # fmt: skip
        assert response.status_code == 404, user.role
    assert not ProtectedIdentity.objects.exists()


def test_a_person_outside_the_household_or_a_future_date_is_refused(org, client_for, held_case):
    api = client_for(org.social_worker)
    url = f"/api/v1/cases/{held_case.pk}/protection/"
    outside = api.post(
        url, {"person": 999999, "kind": "protected_registration", "registered_on": "2025-01-01"},
        format="json",
    )  # fmt: skip
    future = api.post(
        url,
        {"person": _applicant_id(held_case), "kind": "protected_registration",
         "registered_on": "2999-01-01"},
        format="json",
    )  # fmt: skip
    assert outside.status_code == 400 and future.status_code == 400
    assert not ProtectedIdentity.objects.exists()


def test_only_the_unit_head_removes_a_marking_through_the_api(org, client_for, held_case):
    url = f"/api/v1/cases/{held_case.pk}/protection/"
    person = _applicant_id(held_case)
    client_for(org.social_worker).post(
        url, {"person": person, "kind": "confidentiality_marking", "registered_on": "2025-01-01"},
        format="json",
    )  # fmt: skip
    body = {"person": person, "reason": "Skyddet har upphört"}
    refused = client_for(org.social_worker).post(f"{url}remove/", body, format="json")
    assert refused.status_code == 403
    assert ProtectedIdentity.objects.get().removed_at is None
    removed = client_for(org.unit_head).post(f"{url}remove/", body, format="json")
    assert removed.status_code == 200 and removed.json()["protected"] is False
    assert ProtectedIdentity.objects.get().removed_by == org.unit_head
