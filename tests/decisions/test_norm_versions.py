"""A new year's riksnorm through the case: entered by one person, verified by another; the
months it covers calculate with a warning and cannot be saved before verification; saved
calculations keep the version they used."""

import datetime as dt
from decimal import Decimal

import pytest

from bistand.cases import services as case_services
from bistand.core.errors import DomainError
from bistand.decisions import services
from bistand.norms import services as norm_services
from bistand.organisation.models import Role
from tests.factories import UserFactory
from tests.norms.conftest import SOURCES, file_year, sample_year

from .conftest import saved_calculation

JANUARY_2027 = dt.date(2027, 1, 1)


@pytest.fixture
def rules_owner(org):
    return UserFactory(
        username="rulesowner", role=Role.UNIT_HEAD, unit=org.unit, rules_maintainer=True
    )


def enter_2027(actor):
    return norm_services.enter_norm_table(
        actor, year=2027, data=sample_year(2027), source_status="verified_primary", sources=SOURCES
    )


def test_a_2027_table_warns_until_a_second_person_verifies_it(org, make_application, rules_owner):
    application = make_application(JANUARY_2027, co_applicant="198112189876", children=True)
    before = services.create_calculation(org.social_worker, application)
    assert before.result is None and before.error["code"] == "no_norm_table"

    draft = enter_2027(org.sysadmin)
    with pytest.raises(DomainError) as refused:
        norm_services.verify_version(org.sysadmin, draft)
    assert refused.value.code == "four_eyes"

    during = services.create_calculation(org.social_worker, application)
    assert during.result is not None
    assert "norm_table_draft" in [w["code"] for w in during.result["warnings"]]
    with pytest.raises(DomainError) as not_saved:
        services.save_calculation(org.social_worker, during)
    assert not_saved.value.code == "norm_table_draft"

    norm_services.verify_version(rules_owner, draft)
    after = services.create_calculation(org.social_worker, application)
    assert "norm_table_draft" not in [w["code"] for w in after.result["warnings"]]
    saved = services.save_calculation(org.social_worker, after)
    table = sample_year(2027)
    child = next(c for c in table["children"] if c["min_age"] <= 11 <= c["max_age"])
    expected = (
        table["adults"]["cohabiting_couple"]["amount"]
        + child["amount"]
        + table["common_household_costs"]["by_household_size"]["3"]
    )
    assert Decimal(saved.result["norm_total"]) == expected
    assert saved.norm_year == 2027 and saved.norm_version == "1"


def test_a_calculation_saved_in_2026_keeps_its_amounts_after_new_tables(
    org, make_application, rules_owner, this_month
):
    application = make_application(this_month)
    saved_2026 = saved_calculation(org.social_worker, application)
    assert Decimal(saved_2026.result["norm_total"]) == Decimal("5220.00")  # 3 940 + 1 280

    norm_services.verify_version(rules_owner, enter_2027(org.sysadmin))
    corrected = file_year(2026)
    corrected["adults"]["single"]["amount"] = 3950  # a TEST correction, not a real figure
    correction = norm_services.enter_norm_table(
        org.sysadmin, year=2026, data=corrected, source_status="partial", sources=SOURCES
    )
    norm_services.verify_version(rules_owner, correction)

    saved_2026.refresh_from_db()
    assert Decimal(saved_2026.result["norm_total"]) == Decimal("5220.00")
    assert saved_2026.norm_version == "1"
    recalculated = services.copy_calculation(org.social_worker, saved_2026)
    assert Decimal(recalculated.result["norm_total"]) == Decimal("5230.00")
    assert recalculated.norm_version == "2"


def test_repeat_application_for_2027_is_not_decided_on_a_draft_table(
    org, make_application, rules_owner
):
    application = make_application(JANUARY_2027)
    enter_2027(org.sysadmin)
    with pytest.raises(DomainError):
        saved_calculation(org.social_worker, application)
    assert not application.calculations.filter(saved_at__isnull=False).exists()
    assert case_services is not None
