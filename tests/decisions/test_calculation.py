"""The saved calculation of an application: built from the case, prefilled from last month,
edited as lines, frozen when saved, with the unit's guidelines (with history)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from bistand.cases import services as case_services
from bistand.core.errors import DomainError, PermissionRefused
from bistand.core.models import FinalRecordError
from bistand.decisions import services
from bistand.decisions.models import Calculation, LocalGuideline

from .conftest import decide, enter_and_verify_2026, saved_calculation


def test_calculation_saved_from_application_with_prefill_from_last_month(
    org, make_application, previous_month, this_month
):
    first = make_application(
        previous_month,
        stated_costs=[
            {"type": "rent", "amount": "6500.00"},
            {"type": "home_insurance", "amount": "150.00"},
            {"type": "glasses", "amount": "1200.00"},
        ],
        stated_incomes=[{"type": "unemployment_benefit", "amount": "2000.00"}],
    )
    decide(org.social_worker, first)
    repeat = case_services.register_application(
        org.social_worker,
        first.case.household,
        kind="repeat",
        month=this_month,
        stated_costs=[{"type": "rent", "amount": "6600.00"}],
        stated_incomes=[],
    )

    calculation = services.create_calculation(org.social_worker, repeat)

    previous = Calculation.objects.get(application=first)
    assert calculation.prefilled_from == previous
    costs = {c["type"]: (c["amount"], c["source"]) for c in calculation.costs}
    # The rent comes from this application, the insurance is carried from last month, and the
    # glasses (a one-off item of other living costs) are not carried.
    assert costs == {"rent": ("6600.00", "application"), "home_insurance": ("150.00", "previous")}
    assert [(i["type"], i["amount"], i["source"]) for i in calculation.incomes] == [
        ("unemployment_benefit", "2000.00", "previous")
    ]
    assert calculation.months_on_assistance == 1
    assert [m["role"] for m in calculation.members] == ["applicant"]
    assert calculation.saved_at is None
    # 2026: 3 940 + 1 280 (riksnorm) + 6 600 + 150 - 2 000.
    assert calculation.amount_to_pay == Decimal("9970.00")
    assert calculation.result["norm_table"]["year"] == 2026

    saved = services.save_calculation(org.social_worker, calculation)
    assert saved.saved_at is not None and saved.saved_by == org.social_worker
    assert saved.input["costs"][0] == {"type": "rent", "amount": "6600.00", "description": ""}


def test_surplus_last_month_is_a_line_to_confirm(org, make_application, previous_month, this_month):
    first = make_application(
        previous_month, stated_incomes=[{"type": "wages", "amount": "7000.00"}]
    )
    calculation = saved_calculation(org.social_worker, first)
    assert calculation.proposed_outcome == "refused"
    decide(org.social_worker, first, calculation)
    repeat = case_services.register_application(
        org.social_worker, first.case.household, kind="repeat", month=this_month
    )
    new = services.create_calculation(org.social_worker, repeat)
    surplus = [i for i in new.incomes if i["type"] == "previous_month_surplus"]
    assert surplus and surplus[0]["source"] == "surplus"
    assert surplus[0]["amount"] == calculation.result["surplus"]
    assert any(w["code"] == "previous_surplus_confirm" for w in new.warnings)


def test_lines_are_edited_and_recalculated(org, make_application, this_month):
    application = make_application(this_month)
    calculation = services.create_calculation(org.social_worker, application)
    assert calculation.amount_to_pay == Decimal("5220.00")  # WE4: single adult, riksnorm 2026
    person = calculation.members[0]["person_id"]
    calculation = services.update_calculation(
        org.social_worker,
        calculation,
        costs=[{"type": "rent", "amount": "5 000,50", "description": "Hyra"}],
        incomes=[{"type": "wages", "amount": "1000", "person_id": person}],
    )
    assert calculation.costs[0]["amount"] == "5000.50"
    assert calculation.amount_to_pay == Decimal("9220.50")


def test_bad_amount_gives_swedish_error_and_changes_nothing(org, make_application, this_month):
    application = make_application(this_month, stated_costs=[{"type": "rent", "amount": "6000"}])
    calculation = services.create_calculation(org.social_worker, application)
    with pytest.raises(DomainError) as error:
        services.update_calculation(
            org.social_worker, calculation, costs=[{"type": "rent", "amount": "sex tusen"}]
        )
    assert "kostnadsrad 1" in error.value.message and "kronor" in error.value.message
    calculation.refresh_from_db()
    assert calculation.costs[0]["amount"] == "6000.00"


def test_norm_adjustment_needs_a_reason(org, make_application, this_month):
    calculation = services.create_calculation(org.social_worker, make_application(this_month))
    with pytest.raises(DomainError) as error:
        services.update_calculation(
            org.social_worker, calculation, norm_adjustments=[{"type": "increase", "amount": "300"}]
        )
    assert "särskilda skälet" in error.value.message


def test_saved_calculation_is_frozen(org, make_application, this_month):
    calculation = saved_calculation(org.social_worker, make_application(this_month))
    with pytest.raises(DomainError) as error:
        services.update_calculation(org.social_worker, calculation, costs=[])
    assert error.value.code == "calculation_saved"
    calculation.costs = []
    with pytest.raises(FinalRecordError):
        calculation.save()
    copy = services.copy_calculation(org.social_worker, calculation)
    assert copy.based_on == calculation and copy.saved_at is None


@pytest.fixture
def partial_2026(org):
    return enter_and_verify_2026(
        org.unit, source_status="single_secondary_source_UNVERIFIED_partial", drop_children=True
    )


def test_unverified_and_partial_norm_years_are_warned(
    org, make_application, this_month, partial_2026
):
    calculation = services.create_calculation(org.social_worker, make_application(this_month))
    codes = {w["code"] for w in calculation.warnings}
    assert "norm_table_unverified" in codes and "norm_table_partial" in codes


def test_missing_norm_amount_is_shown_and_cannot_be_saved(
    org, make_application, this_month, partial_2026
):
    # The table in force has no children's amounts: the calculation says so.
    application = make_application(this_month, children=True)
    calculation = services.create_calculation(org.social_worker, application)
    assert calculation.result is None
    assert calculation.error["code"] == "norm_amount_missing"
    with pytest.raises(DomainError) as error:
        services.save_calculation(org.social_worker, calculation)
    assert "kan inte sparas" in error.value.message


def test_local_guidelines_are_history_and_the_calculation_records_which(
    org, make_application, this_month
):
    with pytest.raises(PermissionRefused):
        services.set_local_guidelines(
            org.unit_head, org.unit, valid_from=this_month, name="X", rent_ceilings={1: "5000"}
        )
    old = services.set_local_guidelines(
        org.sysadmin,
        org.unit,
        valid_from=dt.date(2020, 1, 1),
        name="Riktlinjer 2020",
        rent_ceilings={"1": "5000", "2": "6000"},
    )
    new = services.set_local_guidelines(
        org.sysadmin,
        org.unit,
        valid_from=this_month,
        name="Riktlinjer från denna månad",
        rent_ceilings={"1": "6000"},
        note="Höjd nivå efter nämndbeslut",
    )
    assert LocalGuideline.objects.filter(unit=org.unit).count() == 2
    application = make_application(this_month, stated_costs=[{"type": "rent", "amount": "7000"}])
    # Drafts until a second person verifies them: no ceiling applies yet.
    draft_calculation = services.create_calculation(org.social_worker, application)
    assert draft_calculation.local_guideline is None
    with pytest.raises(PermissionRefused) as own:
        services.verify_local_guidelines(org.sysadmin, new)
    assert own.value.code == "four_eyes"
    for row in (old, new):
        services.verify_local_guidelines(org.unit_head, row)
    old.refresh_from_db()
    old.name = "ändrad"
    with pytest.raises(FinalRecordError):
        old.save()
    calculation = services.create_calculation(org.social_worker, application)
    assert calculation.local_guideline == new
    # Rent above the ceiling: 1 000 not counted, so the proposal is a partial grant.
    assert calculation.amount_to_pay == Decimal("11220.00")
    assert calculation.proposed_outcome == "partly_granted"


def test_guideline_verification_through_the_page(logged_in, org):
    row = services.set_local_guidelines(
        org.sysadmin, org.unit, valid_from=dt.date(2026, 1, 1), name="Riktlinjer 2026",
        rent_ceilings={"1": "7000"},
    )  # fmt: skip
    social_worker = logged_in(org.social_worker)
    assert social_worker.get(reverse("decisions:guidelines")).status_code == 403
    own = logged_in(org.sysadmin)
    page = own.get(reverse("decisions:guidelines")).content.decode()
    assert "Utkast" in page and 'data-testid="verify-guideline"' not in page
    assert own.post(reverse("decisions:guidelines"), {"guideline": row.pk}).status_code == 403
    head = logged_in(org.unit_head)
    assert (
        'data-testid="verify-guideline"'
        in head.get(reverse("decisions:guidelines")).content.decode()
    )
    response = head.post(reverse("decisions:guidelines"), {"guideline": row.pk})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.verified_by == org.unit_head
    assert head.post(reverse("decisions:guidelines"), {"guideline": 999999}).status_code == 404


def test_guideline_amount_errors_are_swedish(org):
    with pytest.raises(DomainError) as error:
        services.set_local_guidelines(
            org.sysadmin,
            org.unit,
            valid_from=dt.date(2026, 1, 1),
            name="X",
            rent_ceilings={"0": "5000"},
        )
    assert "Hushållsstorleken" in error.value.message


def test_calculating_needs_a_handler_role_and_case_access(org, make_application, this_month):
    application = make_application(this_month)
    with pytest.raises(PermissionRefused):
        services.create_calculation(org.finance, application)
    with pytest.raises(PermissionRefused) as error:
        services.create_calculation(org.other_social_worker, application)
    assert error.value.code == "case_access_denied"
