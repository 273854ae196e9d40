"""NaN, Infinity and over-long text are refused at every amount entry of decisions
(issue #11, item 8): calculation lines (API and service), local guidelines (page and service),
decision settings (page). Nothing stored changes."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bistand.core.errors import DomainError
from bistand.decisions import services
from bistand.decisions.models import LocalGuideline

NOT_AMOUNTS = ["NaN", "nan", "Infinity", "-Infinity", "inf", "sNaN", "1e999"]


@pytest.mark.parametrize("amount", NOT_AMOUNTS)
def test_calculation_line_amount_that_is_not_a_number_is_refused(
    org, make_application, this_month, amount
):
    calculation = services.create_calculation(org.social_worker, make_application(this_month))
    before = (calculation.costs, calculation.amount_to_pay)
    with pytest.raises(DomainError) as refused:
        services.update_calculation(
            org.social_worker, calculation, costs=[{"type": "rent", "amount": amount}]
        )
    assert refused.value.code == "bad_amount"
    calculation.refresh_from_db()
    assert (calculation.costs, calculation.amount_to_pay) == before


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "1e999"])
def test_calculation_lines_through_the_api_refuse_nan(
    org, make_application, this_month, settings, amount
):
    settings.ROOT_URLCONF = "tests.decisions.urls_for_tests"
    calculation = services.create_calculation(org.social_worker, make_application(this_month))
    client = APIClient()
    client.force_authenticate(org.social_worker)
    response = client.patch(
        f"/api/v1/calculations/{calculation.pk}/",
        {"costs": [{"type": "rent", "amount": amount}]},
        format="json",
    )
    assert response.status_code == 400
    assert "error" in response.json()
    # A bare NaN token (not a string) is not JSON and is refused by the parser.
    response = client.generic(
        "PATCH",
        f"/api/v1/calculations/{calculation.pk}/",
        '{"costs": [{"type": "rent", "amount": NaN}]}',
        content_type="application/json",
    )
    assert response.status_code == 400


def test_api_refuses_nul_and_over_long_text_in_json(org, make_application, this_month, settings):
    settings.ROOT_URLCONF = "tests.decisions.urls_for_tests"
    calculation = services.create_calculation(org.social_worker, make_application(this_month))
    client = APIClient()
    client.force_authenticate(org.social_worker)
    url = f"/api/v1/calculations/{calculation.pk}/"
    response = client.patch(
        url, {"costs": [{"type": "rent", "amount": "1", "description": "a\x00"}]}, format="json"
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]["message"]
    response = client.patch(
        url,
        {"costs": [{"type": "rent", "amount": "1", "description": "x" * 20_001}]},
        format="json",
    )
    assert response.status_code == 400
    assert "Texten får vara högst 20000 tecken." in response.json()["error"]["message"]


@pytest.mark.parametrize("amount", NOT_AMOUNTS)
def test_guideline_amount_that_is_not_a_number_is_refused(org, amount):
    with pytest.raises(DomainError):
        services.set_local_guidelines(
            org.sysadmin,
            org.unit,
            valid_from=dt.date(2026, 1, 1),
            name="X",
            rent_ceilings={"1": amount},
        )
    assert not LocalGuideline.objects.exists()


def test_guideline_page_refuses_nan(client, org):
    client.force_login(org.sysadmin)
    response = client.post(
        reverse("decisions:settings"),
        {"what": "guideline", "g-name": "X", "g-valid_from": "2026-01-01",
         "g-rent_ceilings": "1: NaN"},
    )  # fmt: skip
    assert response.status_code == 400  # a refused staff form (docs/forms.md)
    assert not LocalGuideline.objects.exists()


def test_decision_settings_form_refuses_nan():
    from bistand.decisions.forms import DecisionSettingsForm

    for amount in ("NaN", "Infinity", "-inf"):
        form = DecisionSettingsForm(
            {
                "cost_tolerance_percent": amount,
                "cost_tolerance_amount": "100",
                "income_tolerance_percent": "5",
                "income_tolerance_amount": "100",
                "review_sample_size": "1",
            }
        )
        assert not form.is_valid()
        assert "cost_tolerance_percent" in form.errors
