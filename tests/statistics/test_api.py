"""The statistics JSON API (mounted under /api/v1/statistics/ by tests/statistics/api_urls.py,
as the lead will mount it): the same figures as the pages, the same access rules."""

import datetime as dt

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from bistand.audit.models import AccessLogEntry
from bistand.statistics.access import Filters
from bistand.statistics.figures import month_figures
from bistand.statistics.periods import Period

pytestmark = pytest.mark.urls("tests.statistics.api_urls")
BASE = "/api/v1/statistics"

# The stable layout (docs/statistics.md): top-level keys and the keys of every block.
MONTH_LAYOUT = {
    "layout",
    "unit",
    "period",
    "filters",
    "as_of",
    "data",
    "households",
    "household_types",
    "persons",
    "support_obstacles",
    "flows",
    "durations",
    "long_term",
    "decision_times",
    "plans",
    "caseload",
    "programmes",
    "budget",
    "forecast",
    "trend",
    "suppression",
    "population",
}


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_month_endpoint_serves_every_dashboard_figure(lund):
    response = api(lund.org.unit_head).get(f"{BASE}/month/", {"month": "2025-06"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == MONTH_LAYOUT
    assert body["layout"] == "bistand.statistics.month/1"
    assert body["period"] == {"from": "2025-06", "to": "2025-06", "months": 1, "label": "juni 2025"}
    assert body["households"]["count"] == 4 and body["households"]["amount"] == "40000.00"
    assert body["long_term"]["long_term"] == 4 and body["long_term"]["adults"] == 7
    expected = month_figures(
        lund.unit, Period.month(dt.date(2025, 6, 1)), Filters(), today=dt.date.today()
    )
    for block in ("households", "household_types", "persons", "support_obstacles", "durations"):
        assert body[block] == expected[block], block


def test_month_endpoint_takes_a_period_and_filters(lund):
    response = api(lund.org.unit_head).get(
        f"{BASE}/month/", {"from": "2025-06", "to": "2025-07", "household_type": "3"}
    )
    body = response.json()
    assert body["filters"]["household_type"] == 3
    assert body["households"]["count"] == 2  # H1 and H4a
    assert body["period"]["months"] == 2


def test_long_term_endpoint(lund):
    body = api(lund.org.unit_head).get(f"{BASE}/long-term/", {"year": "2025"}).json()
    assert body["layout"] == "bistand.statistics.long_term/1"
    assert (body["year"], body["adults"], body["long_term"]) == (2025, 7, 4)
    assert body["share"] == round(4 / 7, 4)


def test_year_endpoint(lund):
    body = api(lund.org.unit_head).get(f"{BASE}/year/", {"year": "2025"}).json()
    assert body["layout"] == "bistand.statistics.year/1"
    assert body["current"]["composition"]["households"] == 6
    assert body["comparison"]["households"]["previous"] == 1


def test_section_head_gets_their_section_and_is_refused_another(lund):
    client = api(lund.org.intake_head)
    body = client.get(f"{BASE}/month/", {"month": "2025-06"}).json()
    assert body["households"]["count"] is None  # one household: suppressed (under 5)
    assert body["suppression"]["applied"] is True
    response = client.get(f"{BASE}/month/", {"section": lund.org.labour.pk})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "section_not_permitted"


@pytest.mark.parametrize("role", ["social_worker", "benefit_admin", "finance", "reception"])
def test_other_roles_are_refused(lund, role):
    client = api(getattr(lund.org, role))
    for path in ("month/", "year/", "long-term/", "national-report/"):
        response = client.get(f"{BASE}/{path}")
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "role_not_permitted"
    assert client.post(f"{BASE}/refresh/", {"month": "2025-06"}, format="json").status_code == 403


def test_unauthenticated_calls_are_refused(lund):
    assert APIClient().get(f"{BASE}/month/").status_code in (401, 403)


def test_bad_parameters_give_400_in_swedish(lund):
    client = api(lund.org.unit_head)
    response = client.get(f"{BASE}/month/", {"month": "2025-13"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Ange månader som ÅÅÅÅ-MM, till exempel 2026-03."
    assert client.get(f"{BASE}/month/", {"case_type": "X"}).status_code == 400
    assert client.get(f"{BASE}/month/", {"age_band": "30-40"}).status_code == 400


def test_refresh_endpoint_for_the_unit_head(lund):
    response = api(lund.org.unit_head).post(f"{BASE}/refresh/", {"month": "2025-06"}, format="json")
    assert response.status_code == 200
    assert response.json()["months"] == ["2025-06"]
    assert response.json()["households"] == 4
    assert (
        api(lund.org.intake_head)
        .post(f"{BASE}/refresh/", {"month": "2025-06"}, format="json")
        .status_code
        == 403
    )


def test_national_report_check_and_export_through_the_api(lund):
    client = api(lund.org.unit_head)
    check = client.get(f"{BASE}/national-report/", {"month": "2025-06"}).json()
    # B (H2's applicant) has no support obstacle: the file may not be made.
    assert check["valid"] is False
    assert check["persons"] == 8 and check["households"] == 4 and check["closings"] == 1
    assert any(p["field"] == "forsorjningshinder" for p in check["problems"])
    response = client.post(f"{BASE}/national-report/", {"month": "2025-06"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "national_report_invalid"
    assert not AccessLogEntry.objects.filter(action="export").exists()
    valid = client.post(f"{BASE}/national-report/", {"month": "2025-11"}, format="json")
    assert valid.status_code == 200
    assert valid["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        AccessLogEntry.objects.filter(action="export", actor_id=lund.org.unit_head.pk).count() == 1
    )


def test_section_head_may_not_take_out_the_national_report(lund):
    client = api(lund.org.intake_head)
    assert client.get(f"{BASE}/national-report/", {"month": "2025-06"}).status_code == 403
    assert (
        client.post(f"{BASE}/national-report/", {"month": "2025-06"}, format="json").status_code
        == 403
    )


def test_the_statistics_api_documents_itself_without_schema_warnings(db):
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="tests.statistics.api_urls").get_schema(
        request=None, public=True
    )
    validate_schema(schema)
    paths = schema["paths"]
    for path in ("month/", "year/", "long-term/", "national-report/", "refresh/"):
        assert f"/api/v1/statistics/{path}" in paths
    warnings = [w for w in GENERATOR_STATS._warn_cache if "statistics" in str(w).lower()]
    errors = [e for e in GENERATOR_STATS._error_cache if "statistics" in str(e).lower()]
    assert not warnings and not errors
