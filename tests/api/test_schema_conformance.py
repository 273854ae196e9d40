"""Regressions for what the property test of the API (test_schemathesis.py) found: each bug
class pinned by a plain test that names it."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from bistand.cases import services as case_services
from bistand.norms.models import NormTableVersion


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _ok_schema(schema, path, method="get"):
    responses = schema["paths"][path][method]["responses"]
    ok = next(code for code in ("200", "201") if code in responses)
    return responses[ok]["content"]["application/json"]["schema"]


def _component(schema, ref_holder):
    return schema["components"]["schemas"][ref_holder["$ref"].rsplit("/", 1)[1]]


# --- Lists: a page where declared, a plain array where declared -------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/norm-tables/{id}/comparison/",
        "/api/v1/calculations/{id}/proposals/",
        "/api/v1/decisions/",
        "/api/v1/appeals/",
        "/api/v1/register-checks/",
        "/api/v1/follow-ups/",
        "/api/v1/sample-draws/",
        "/api/v1/sample-reviews/",
        "/api/v1/corrective-actions/",
        "/api/v1/review-queue/",
    ],
)
def test_lists_answered_as_plain_arrays_are_declared_as_arrays(schema, path):
    assert _ok_schema(schema, path)["type"] == "array"
    names = {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}
    assert not {"limit", "offset"} & names


def test_norm_import_declares_no_paging_parameters(schema):
    names = {p["name"] for p in schema["paths"]["/api/v1/norm-tables/import/"]["post"].get(
        "parameters", []
    )}  # fmt: skip
    assert not {"limit", "offset"} & names


def test_the_comparison_and_appeals_lists_answer_the_declared_array(org, client_for):
    version = NormTableVersion.objects.first()
    comparison = client_for(org.unit_head).get(f"/api/v1/norm-tables/{version.pk}/comparison/")
    assert comparison.status_code == 200 and isinstance(comparison.json(), list)
    appeals = client_for(org.social_worker).get("/api/v1/appeals/")
    assert appeals.status_code == 200 and isinstance(appeals.json(), list)


def test_one_cases_workplans_and_interventions_come_as_a_page_like_the_whole_list(
    org, client_for, intake_case
):
    case_services.take_case(org.social_worker, intake_case)
    api = client_for(org.social_worker)
    for resource in ("workplans", "interventions"):
        whole = api.get(f"/api/v1/{resource}/").json()
        one = api.get(f"/api/v1/{resource}/", {"case": intake_case.pk}).json()
        assert {"count", "results"} <= set(whole), resource
        assert {"count", "results"} <= set(one), resource


@pytest.mark.parametrize("value", ["abc", "-1", "true", "1.5"])
def test_a_malformed_limit_or_offset_is_refused_not_ignored(org, client_for, value):
    api = client_for(org.social_worker)
    for name in ("limit", "offset"):
        response = api.get("/api/v1/cases/", {name: value})
        assert response.status_code == 400, (name, value)
        assert response.json()["error"]["code"] == "bad_page"
    assert api.get("/api/v1/cases/", {"limit": "5", "offset": "0"}).status_code == 200


# --- Choices that may be blank, values that may be null ---------------------------------------


def test_blank_choice_columns_are_declared_with_the_blank_value(schema, org, client_for):
    case_schema = schema["components"]["schemas"]["CaseSummary"]["properties"]
    for field in ("case_type", "closing_reason"):
        options = case_schema[field].get("oneOf") or case_schema[field].get("anyOf")
        refs = [_component(schema, option) for option in options if "$ref" in option]
        assert any(option.get("enum") == [""] for option in refs), field


def test_an_open_unassigned_case_answers_blank_choices_the_schema_allows(
    org, client_for, intake_case
):
    body = client_for(org.intake_head).get(f"/api/v1/cases/{intake_case.pk}/").json()
    assert body["case_type"] == "" and body["closing_reason"] == ""


def test_read_only_fields_defaulting_to_null_are_declared_nullable(schema):
    line = schema["components"]["schemas"]["DecisionLine"]["properties"]
    assert line["grant_delegation_point"].get("nullable") is True
    assert line["refusal_delegation_point"].get("nullable") is True
    check = schema["components"]["schemas"]["RegisterCheck"]["properties"]
    assert check["assessed_by"].get("nullable") is True


# --- Refusals: documented, JSON, and never a server error -------------------------------------


def test_every_operation_documents_its_refusals_with_the_error_body(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for status in ("400", "403", "404"):
                assert status in operation["responses"], (method, path, status)
    assert "error" in schema["components"]["schemas"]["Error"]["properties"]


def test_an_unknown_address_under_the_api_is_a_json_404(org, client_for):
    api = client_for(org.social_worker)
    for url in ("/api/v1/cases/abc/", "/api/v1/no-such-thing/", "/api/v1/cases/1/nope/"):
        response = api.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"].startswith("application/json"), url
        assert response.json()["error"]["code"] == "not_found"


def test_pages_keep_the_html_404(client, org):
    client.force_login(org.social_worker)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("month", ["0000-01", "0001-12"])
def test_a_register_check_for_a_month_in_year_zero_is_a_400(org, client_for, intake_case, month):
    body = {"case": intake_case.pk, "person": 1, "source": "csn", "period_from": month,
            "period_to": month}  # fmt: skip
    response = client_for(org.intake_head).post("/api/v1/register-checks/", body, format="json")
    assert response.status_code == 400
    assert "period_from" in response.json()["error"]["message"]


@pytest.mark.parametrize("body", [12345, [1, 2], "2026-01", {"month": 202601}, {"from": 5}])
def test_statistics_posts_refuse_a_body_that_is_not_an_object_of_months(org, client_for, body):
    api = client_for(org.unit_head)
    for url in ("/api/v1/statistics/refresh/", "/api/v1/statistics/national-report/"):
        response = api.post(url, body, format="json")
        assert response.status_code == 400, (url, body, response.content)
        assert "error" in response.json()


def test_statistics_posts_refuse_form_bodies(org, client_for):
    response = client_for(org.unit_head).post("/api/v1/statistics/refresh/", {"month": "2026-01"})
    assert response.status_code == 415
