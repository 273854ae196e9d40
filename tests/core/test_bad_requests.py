"""Security issue #11, item 7: requests that gave a server error now answer 400 or 404, with a
Swedish message on pages and {"error": {"code", "message"}} in the API."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bistand.audit.models import AccessLogEntry
from bistand.cases import services
from bistand.cases.models import Application
from bistand.core.json_input import MAX_DEPTH as MAX_JSON_DEPTH
from bistand.households.services import MemberInput, register_household
from tests.factories import ADULT_NUMBERS, UnitFactory, UserFactory

HUGE_ID = 99999999999999999999


@pytest.fixture
def case(org, household_factory, this_month):
    """An open case in the intake section (section A): Tolvan Tolvansson and a child."""
    household = household_factory(org.reception, children=True)
    return services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _page(response) -> str:
    return response.content.decode()


def _without_csrf(page: str) -> str:
    page = re.sub(r'"X-CSRFToken": "[^"]*"', "", page)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


# --- /hushall/<id>/ansokan/ ----------------------------------------------------------------


@pytest.mark.parametrize("household_id", [987654, HUGE_ID])
def test_household_application_page_with_an_unknown_id_is_a_swedish_404(client, org, household_id):
    client.force_login(org.reception)

    response = client.get(f"/hushall/{household_id}/ansokan/")

    assert response.status_code == 404
    assert "Hushållet finns inte eller så saknar du behörighet." in _page(response)


def test_household_application_page_of_another_sections_case_is_a_404_without_names(
    client, org, case
):
    client.force_login(org.other_social_worker)
    url = reverse("household_application", args=[case.household_id])

    response = client.get(url)
    missing_url = reverse("household_application", args=[987654])
    missing = client.get(missing_url)

    assert response.status_code == 404
    assert "Tolvan" not in _page(response)
    assert _without_csrf(_page(response)) == _without_csrf(_page(missing)).replace(missing_url, url)
    assert AccessLogEntry.objects.filter(
        actor_id=org.other_social_worker.pk,
        action="access_denied",
        object_type="households.household",
        object_id=str(case.household_id),
    ).exists()


def test_registering_through_another_sections_household_page_is_refused_too(
    client, org, case, this_month
):
    client.force_login(org.other_social_worker)
    before = Application.objects.count()

    response = client.post(
        reverse("household_application", args=[case.household_id]),
        {"kind": "repeat", "month": f"{this_month:%Y-%m}", "channel": "paper"},
    )

    assert response.status_code == 404
    assert Application.objects.count() == before


def test_household_application_page_shows_names_to_the_section_and_logs_the_read(client, org, case):
    client.force_login(org.reception)

    response = client.get(reverse("household_application", args=[case.household_id]))

    assert response.status_code == 200
    assert "Tolvan Tolvansson" in _page(response)
    read = AccessLogEntry.objects.get(
        actor_id=org.reception.pk, action="view", object_type="households.household"
    )
    assert read.object_id == str(case.household_id) and read.case_id == case.pk


def test_household_application_page_counts_emergency_access(client, org, case):
    services.take_emergency_access(
        org.other_social_worker, case, "Sökanden har ringt och begär omprövning."
    )
    client.force_login(org.other_social_worker)

    response = client.get(reverse("household_application", args=[case.household_id]))

    assert response.status_code == 200
    read = AccessLogEntry.objects.get(
        actor_id=org.other_social_worker.pk, action="view", object_type="households.household"
    )
    assert json.loads(read.detail)["emergency_access"] is True


def test_household_without_a_case_is_open_to_those_who_register_applications(client, org, today):
    household = register_household(
        org.reception, [MemberInput(ADULT_NUMBERS[6], "Utan", "Ärende", "applicant")]
    )
    client.force_login(org.other_social_worker)

    response = client.get(reverse("household_application", args=[household.pk]))

    assert response.status_code == 200


# --- /arbetsbelastning/<id>/ ---------------------------------------------------------------


@pytest.mark.parametrize("user_id", [987654, HUGE_ID])
def test_worker_cases_with_an_unknown_id_is_a_swedish_404(client, org, user_id):
    client.force_login(org.unit_head)

    response = client.get(f"/arbetsbelastning/{user_id}/")

    assert response.status_code == 404
    assert "Medarbetaren finns inte på din enhet." in _page(response)


def test_worker_cases_of_a_worker_in_another_unit_is_a_404(client, org):
    stranger = UserFactory(unit=UnitFactory(name="Annan enhet"), username="annan")
    client.force_login(org.unit_head)

    response = client.get(reverse("worker_cases", args=[stranger.pk]))

    assert response.status_code == 404


# --- Budget year -----------------------------------------------------------------------------


@pytest.mark.parametrize("year", ["abc", "0", "-1", "99999999999999999999", "1999", "٢٠٢٤"])
def test_budget_page_with_a_bad_year_is_a_swedish_400(client, org, year):
    client.force_login(org.unit_head)

    response = client.get(reverse("payments:budget"), {"year": year})

    assert response.status_code == 400
    assert "Ange budgetåret med fyra siffror" in _page(response)


def test_budget_page_with_a_good_year_still_answers(client, org, today):
    client.force_login(org.unit_head)

    response = client.get(reverse("payments:budget"), {"year": str(today.year)})

    assert response.status_code == 200


# --- Months far out on the statistics pages and API -----------------------------------------


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "abc", "2024-13"])
@pytest.mark.parametrize("url", ["/statistik/", "/statistik/socialstyrelsen/"])
def test_statistics_pages_with_a_month_out_of_range_are_a_swedish_400(client, org, url, month):
    client.force_login(org.unit_head)

    response = client.get(url, {"month": month})

    assert response.status_code == 400
    assert "Ange månaden som ÅÅÅÅ-MM." in _page(response) or "månad" in _page(response)


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/statistics/month/",
        "/api/v1/statistics/national-report/",
        "/api/v1/accounting-export/",
    ],
)
def test_statistics_and_export_api_with_a_month_out_of_range_is_a_400_with_a_code(org, url, month):
    response = _api(org.unit_head).get(url, {"month": month})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] and error["message"]


# --- Deeply nested JSON ----------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 2_000, 200_000])
def test_deeply_nested_json_on_the_calculations_api_is_a_400_with_a_code(org, depth):
    body = '{"application": ' + "[" * depth + "]" * depth + "}"

    response = _api(org.social_worker).generic(
        "POST", "/api/v1/calculations/", body, content_type="application/json"
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_json" and "för djupt nästlad" in error["message"]


def test_broken_json_is_a_400_with_the_error_envelope(org):
    response = _api(org.social_worker).generic(
        "POST", "/api/v1/calculations/", '{"application": ', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


def test_ordinary_nesting_still_reaches_the_serializer(org):
    response = _api(org.social_worker).post(
        "/api/v1/calculations/", {"application": [[1]]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


# --- Found by the URL sweep (tests/core/test_no_server_errors.py) ---------------------------


def test_member_row_with_a_bad_index_is_a_400(client, org):
    client.force_login(org.reception)

    assert client.get(reverse("member_row"), {"index": "abc"}).status_code == 400
    assert client.get(reverse("member_row"), {"index": "99999"}).status_code == 400
    assert client.get(reverse("member_row"), {"index": "2"}).status_code == 200


def test_inbox_with_a_bad_section_says_so_and_shows_the_own_section(client, org):
    """A work list answers a bad filter value with a Swedish notice and leaves the filter out
    (docs/worklists.md), never a 500 and never a wider list."""
    client.force_login(org.unit_head)

    response = client.get(reverse("inbox"), {"section": "abc"})

    assert response.status_code == 200
    assert "Filtret ”Sektion” används inte" in _page(response)


def test_access_log_with_a_bad_staff_filter_says_so(client, org):
    client.force_login(org.unit_head)

    response = client.get(reverse("access_log"), {"staff": "x"})

    assert response.status_code == 200
    assert "Välj en medarbetare i listan." in _page(response)


def test_reviewing_an_unknown_emergency_access_is_a_404(client, org):
    client.force_login(org.unit_head)

    response = client.post(reverse("review_emergency", args=[987654]))

    assert response.status_code == 404


def test_a_get_that_fails_a_domain_rule_does_not_redirect_back_to_itself(client, org):
    """Before: a DomainError on a GET redirected to the referer, which may be the same page."""
    client.force_login(org.unit_head)
    url = reverse("payments:budget") + "?year=abc"

    response = client.get(url, HTTP_REFERER="http://testserver" + url)

    assert response.status_code == 400


def test_months_are_refused_outside_the_supported_years():
    from bistand.core.dates import add_months, parse_month

    assert parse_month("2999-12") == dt.date(2999, 12, 1)
    assert add_months(parse_month("2999-12"), 1) == dt.date(3000, 1, 1)
    for text in ("9999-12", "0001-01", "1899-12", "3000-01"):
        with pytest.raises(ValueError):
            parse_month(text)
