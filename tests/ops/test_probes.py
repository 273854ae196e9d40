"""/healthz, /readyz and /metrics: what they answer, to whom, and when the database is down."""

import json

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

from bistand.ops import health


def _fail_every_query(monkeypatch):
    def execute(self, sql, params=None):
        raise OperationalError("connection to server on port 1 refused")

    monkeypatch.setattr(CursorWrapper, "execute", execute)


@pytest.mark.django_db
def test_healthz_answers_ok_without_touching_the_database(client, monkeypatch):
    _fail_every_query(monkeypatch)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_probes_answer_any_host_name_and_plain_http(client, settings):
    settings.ALLOWED_HOSTS = ["bistand.example.se"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert client.get("/login/", HTTP_HOST="10.0.0.7:8000").status_code == 400


@pytest.mark.django_db
def test_readyz_reports_database_and_storage(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["storage"]["ok"] is True
    assert body["checks"]["broker"] == {"ok": True, "configured": False}


@pytest.mark.django_db
def test_readyz_answers_503_when_the_database_is_down(client, monkeypatch):
    _fail_every_query(monkeypatch)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {
        "ok": False,
        "ms": body["checks"]["database"]["ms"],
        "error": "OperationalError",
    }
    assert "refused" not in json.dumps(body)  # the kind of failure, never its message


@pytest.mark.django_db
def test_readyz_answers_503_when_media_root_is_not_writable(client, settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the media directory should be")
    settings.MEDIA_ROOT = str(blocker / "media")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False


@pytest.mark.django_db
def test_readyz_checks_the_broker_when_one_is_configured(client, settings, unused_port):
    settings.BISTAND_BROKER_URL = f"redis://127.0.0.1:{unused_port}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["error"] == "ConnectionRefusedError"


def test_broker_check_speaks_to_a_live_redis():
    problem = health.check_broker("redis://127.0.0.1:6379/0")
    if problem == "ConnectionRefusedError":
        pytest.skip("no Redis on 127.0.0.1:6379")
    assert problem is None


def test_broker_check_refuses_an_unknown_scheme():
    assert health.check_broker("kafka://127.0.0.1:9092") == "unsupported scheme 'kafka'"


@pytest.mark.django_db
def test_metrics_answer_the_loopback_address_in_prometheus_format(client):
    client.get("/login/")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert (
        'bistand_http_request_duration_seconds_bucket{le="0.2",method="GET",status="200",view="login"}'
        in text
    )
    assert "process_resident_memory_bytes" in text
    assert "bistand_worker_resident_memory_bytes" in text


@pytest.mark.django_db
def test_metrics_refuse_other_addresses_and_proxied_requests(client, settings):
    settings.BISTAND_METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.10").status_code == 403
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="192.0.2.10").status_code == 403
    settings.BISTAND_METRICS_ALLOW_LOCAL = False
    assert client.get("/metrics").status_code == 403


@pytest.mark.django_db
def test_metrics_accept_the_bearer_token_from_anywhere_and_refuse_a_wrong_one(client, settings):
    settings.BISTAND_METRICS_TOKEN = "s3cret-token-for-prometheus"
    right = {"HTTP_AUTHORIZATION": "Bearer s3cret-token-for-prometheus"}
    wrong = {"HTTP_AUTHORIZATION": "Bearer guessed"}
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.10", **right).status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.10", **wrong).status_code == 403
    assert client.get("/metrics", **wrong).status_code == 403


@pytest.mark.django_db
@pytest.mark.urls("tests.ops.broken_urls")
def test_server_errors_are_counted_per_view_and_status(client):
    from bistand.ops.metrics import SERVER_ERRORS

    before = SERVER_ERRORS.labels("broken", "500")._value.get()
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    assert SERVER_ERRORS.labels("broken", "500")._value.get() == before + 1
    assert 'bistand_http_server_errors_total{status="500",view="broken"}' in (
        client.get("/metrics").content.decode()
    )
