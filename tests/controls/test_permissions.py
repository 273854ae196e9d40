"""Who may make, assess and read checks, and configure requirements: refused through the
service, the pages and the API."""

import datetime as dt

import pytest

from bistand.controls import services
from bistand.controls.models import CheckRequirementSet, RegisterCheck
from bistand.core.errors import DomainError, PermissionRefused
from tests.factories import UnitFactory, UserFactory

from .conftest import applicant_of, check

MONTH = dt.date(2026, 11, 1)


@pytest.mark.parametrize("who", ["reception", "fraud", "finance", "sysadmin"])
def test_roles_without_the_capability_cannot_check(org, make_application, who):
    application = make_application(MONTH)
    with pytest.raises(PermissionRefused):
        check(getattr(org, who), application)
    assert not RegisterCheck.objects.exists()


def test_a_handler_without_access_to_the_case_is_refused_everywhere(org, make_application, client):
    application = make_application(MONTH)
    made = check(org.social_worker, application)
    outsider = org.other_social_worker  # another section, not holding the case
    with pytest.raises(PermissionRefused):
        check(outsider, application)
    with pytest.raises(PermissionRefused):
        services.assess_check(outsider, made, assessment="no_discrepancy")
    client.force_login(outsider)
    assert client.get(f"/kontroll/{made.pk}/").status_code in (403, 404)
    assert client.get(f"/api/v1/register-checks/{made.pk}/").status_code == 404
    assert client.get(f"/api/v1/register-checks/?case={application.case_id}").status_code == 404
    response = client.post(
        "/api/v1/register-checks/",
        {"case": application.case_id, "person": applicant_of(application).pk,
         "source": "skatteverket", "period_from": "2026-11", "period_to": "2026-11"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 404
    assert RegisterCheck.objects.count() == 1


def test_a_person_outside_the_household_or_a_future_period_is_refused(org, make_application):
    application = make_application(MONTH)
    other = make_application(MONTH, adult="199811022384")
    with pytest.raises(DomainError) as error:
        check(org.social_worker, application, person=applicant_of(other))
    assert error.value.code == "not_in_household"
    with pytest.raises(DomainError) as error:
        check(org.social_worker, application, period_from=MONTH, period_to=dt.date(2027, 1, 1))
    assert error.value.code == "future_period"


def test_only_heads_and_admins_configure_requirements_for_their_own_unit(org, client):
    rows = [{"decision_kind": "new", "source": "csn"}]
    with pytest.raises(PermissionRefused):
        services.set_check_requirements(
            org.social_worker, org.unit, valid_from=MONTH, requirements=rows
        )
    stranger = UserFactory(username="otherhead", role="unit_head", unit=UnitFactory())
    with pytest.raises(PermissionRefused):
        services.set_check_requirements(stranger, org.unit, valid_from=MONTH, requirements=rows)
    client.force_login(org.social_worker)
    assert client.get("/kontroll/krav/").status_code == 403
    client.force_login(org.unit_head)
    assert client.get("/kontroll/krav/").status_code == 200
    response = client.post(
        "/kontroll/krav/",
        {"valid_from": "2026-12", "note": "", "krav-TOTAL_FORMS": "1", "krav-INITIAL_FORMS": "0",
         "krav-0-decision_kind": "new", "krav-0-case_types": "", "krav-0-source": "csn",
         "krav-0-persons": "applicant", "krav-0-every_months": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    saved = CheckRequirementSet.objects.get(unit=org.unit)
    assert saved.valid_from == dt.date(2026, 12, 1)
    assert [r.source for r in saved.requirements.all()] == ["csn"]
