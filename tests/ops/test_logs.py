"""Request ids and JSON logs: who and what, never personal data."""

import json
import logging

import pytest

from bistand.ops.logs import JsonFormatter

IDENTITY_NUMBER = "198309192394"


def _json_lines(caplog, logger_prefix):
    formatter = JsonFormatter()
    return [
        json.loads(formatter.format(record))
        for record in caplog.records
        if record.name.startswith(logger_prefix)
    ]


@pytest.mark.django_db
def test_a_request_id_is_made_and_echoed(client):
    first = client.get("/login/")["X-Request-ID"]
    second = client.get("/login/")["X-Request-ID"]
    assert len(first) == 32 and first != second


@pytest.mark.django_db
def test_the_load_balancers_request_id_is_kept_and_a_malformed_one_replaced(client):
    kept = client.get("/login/", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")
    assert kept["X-Request-ID"] == "lb-7f3a9c2e-0001"
    injected = client.get("/login/", HTTP_X_REQUEST_ID='x" level=ERROR\nforged')
    assert injected["X-Request-ID"] != 'x" level=ERROR\nforged'
    assert len(injected["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_the_request_line_has_route_user_and_request_id_but_no_query_string(
    client, org, caplog, household_factory
):
    household = household_factory(org.reception)
    client.force_login(org.unit_head)
    with caplog.at_level(logging.INFO, logger="bistand.requests"):
        response = client.get(
            f"/hushall/{household.pk}/ansokan/?q={IDENTITY_NUMBER}",
            HTTP_X_REQUEST_ID="req-12345678",
        )
    [line] = _json_lines(caplog, "bistand.requests")
    assert line["request_id"] == "req-12345678"
    assert line["user_id"] == org.unit_head.pk
    assert line["route"] == "/hushall/<int:household_id>/ansokan/"
    assert line["status"] == response.status_code
    assert line["method"] == "GET" and line["duration_ms"] >= 0
    text = json.dumps(line)
    assert IDENTITY_NUMBER not in text
    assert f"/{household.pk}/" not in text
    assert "Tolvan" not in text


@pytest.mark.django_db
def test_an_anonymous_request_has_no_user_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="bistand.requests"):
        client.get("/login/")
    [line] = _json_lines(caplog, "bistand.requests")
    assert "user_id" not in line


@pytest.mark.django_db
@pytest.mark.urls("tests.ops.broken_urls")
def test_a_server_error_is_logged_with_route_and_frames_but_not_the_exception_message(
    client, caplog
):
    client.raise_request_exception = False
    with caplog.at_level(logging.INFO):
        response = client.get(f"/broken/4711/?pnr={IDENTITY_NUMBER}")
    assert response.status_code == 500
    lines = _json_lines(caplog, "django.request") + _json_lines(caplog, "bistand.requests")
    assert {line["logger"] for line in lines} == {"django.request", "bistand.requests"}
    django_line = next(line for line in lines if line["logger"] == "django.request")
    assert django_line["message"] == "Internal Server Error: /broken/<int:person_id>/"
    assert django_line["exception"] == "builtins.RuntimeError"
    assert any("broken_urls.py" in frame for frame in django_line["frames"])
    assert django_line["request_id"] == response["X-Request-ID"]
    for line in lines:
        text = json.dumps(line)
        assert IDENTITY_NUMBER not in text
        assert "4711" not in text
        assert "already exists" not in text


def test_the_formatter_drops_extra_fields_outside_the_allow_list():
    record = logging.LogRecord("bistand.x", logging.INFO, __file__, 1, "hello", None, None)
    record.route = "/sok/"
    record.person_name = "Tolvan Tolvansson"
    line = json.loads(JsonFormatter().format(record))
    assert line["route"] == "/sok/"
    assert "person_name" not in line and "Tolvan" not in json.dumps(line)
