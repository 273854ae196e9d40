"""Production settings (issue #11, item 6): the app refuses to start without its secrets, the
deploy check is clean with the documented environment, and every page carries the headers."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from bistand.cases import services

ROOT = Path(__file__).resolve().parents[2]

# The production environment documented in README.md ("Production settings"): only the secrets
# and the host name are needed; everything else follows from BISTAND_DEBUG=0.
PRODUCTION_ENV = {
    "BISTAND_DEBUG": "0",
    "BISTAND_SECRET_KEY": secrets.token_urlsafe(50),
    "BISTAND_AUDIT_KEY": secrets.token_urlsafe(48),
    "BISTAND_ALLOWED_HOSTS": "bistand.kommun.example",
}


def _run(code_or_args: list[str], **env: str) -> subprocess.CompletedProcess:
    """A fresh process with only the given BISTAND_* variables (settings are read at start).

    DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' (set when their modules are collected), not
    production's: the deploy check rightly refuses it (async.E001).
    """
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("BISTAND_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="bistand.settings", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, *code_or_args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in [
    "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_PROXY_SSL_HEADER",
    "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY",
    "CSRF_TRUSTED_ORIGINS",
]}))
"""


def _settings(**env: str) -> dict:
    started = _run(["-c", SHOW_SETTINGS], **env)
    assert started.returncode == 0, started.stderr
    return json.loads(started.stdout)


# ---------------------------------------------------------------- refusing to start


def test_without_debug_and_without_a_secret_key_the_app_refuses_to_start():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "BISTAND_SECRET_KEY"}
    refused = _run(["-c", "import django; django.setup()"], **env)
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr
    assert "BISTAND_SECRET_KEY must be set" in refused.stderr


def test_without_debug_the_development_secret_key_is_refused():
    env = dict(PRODUCTION_ENV, BISTAND_SECRET_KEY=settings.DEV_SECRET_KEY)
    refused = _run(["-c", "import django; django.setup()"], **env)
    assert refused.returncode != 0
    assert "BISTAND_SECRET_KEY must be set" in refused.stderr


def test_with_debug_the_marked_development_key_is_used():
    started = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECRET_KEY)",
        ],
        BISTAND_DEBUG="1",
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip().startswith("django-insecure-")


# ---------------------------------------------------------------- the deploy check


def _check_deploy(**env: str) -> subprocess.CompletedProcess:
    return _run(["-m", "bistand", "check", "--deploy", "--fail-level", "WARNING"], **env)


def test_check_deploy_is_clean_with_the_documented_production_environment():
    checked = _check_deploy(**PRODUCTION_ENV)
    assert checked.returncode == 0, checked.stderr + checked.stdout
    assert "no issues" in checked.stdout
    assert "WARNING" not in checked.stderr + checked.stdout


def test_check_deploy_fails_on_a_warning():
    """The check above can fail: turning Secure cookies off is reported (W012, W016)."""
    checked = _check_deploy(**PRODUCTION_ENV, BISTAND_SECURE_COOKIES="0")
    assert checked.returncode != 0
    assert "security.W012" in checked.stderr and "security.W016" in checked.stderr


# ---------------------------------------------------------------- settings from the environment


def test_production_defaults_follow_from_debug_off():
    values = _settings(**PRODUCTION_ENV)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] == values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 60 * 60
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"


def test_each_production_setting_can_be_set_from_the_environment():
    values = _settings(
        **PRODUCTION_ENV,
        BISTAND_SECURE_COOKIES="0",
        BISTAND_SSL_REDIRECT="0",
        BISTAND_HSTS_SECONDS="600",
        BISTAND_PROXY_SSL_HEADER="X-Forwarded-Proto: https",
        BISTAND_CSRF_TRUSTED_ORIGINS="https://bistand.kommun.example",
    )
    assert values["SESSION_COOKIE_SECURE"] is False and values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://bistand.kommun.example"]


def test_debug_on_keeps_plain_http_cookies_for_local_work():
    values = _settings(BISTAND_DEBUG="1")
    assert values["SESSION_COOKIE_SECURE"] is False and values["SECURE_HSTS_SECONDS"] == 0
    assert values["CSRF_COOKIE_HTTPONLY"] is True


@pytest.mark.parametrize(
    "name, value",
    [
        ("BISTAND_PROXY_SSL_HEADER", "X-Forwarded-Proto"),
        ("BISTAND_SECURE_COOKIES", "maybe"),
        ("BISTAND_HSTS_SECONDS", "a year"),
    ],
)
def test_a_malformed_setting_refuses_to_start(name, value):
    refused = _run(["-c", "import django; django.setup()"], **PRODUCTION_ENV, **{name: value})
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr and name in refused.stderr


# ---------------------------------------------------------------- headers


@pytest.fixture
def case(org, household_factory, this_month):
    household = household_factory(org.reception, children=True)
    return services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


def test_a_case_page_carries_csp_no_store_nosniff_and_frame_denial(client, org, case):
    client.force_login(org.social_worker)
    response = client.get(reverse("case_detail", args=[case.pk]))

    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["img-src"] == ["'self'"]
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header and "*" not in header
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_an_api_answer_is_not_stored(org, case):
    api = APIClient()
    api.force_authenticate(org.social_worker)
    response = api.get(f"/api/v1/cases/{case.pk}/")

    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert "Content-Security-Policy" in response.headers


def test_the_login_page_is_not_stored_either(client, db):
    assert "no-store" in client.get(reverse("login")).headers["Cache-Control"]


def test_static_files_keep_their_caching(client):
    response = client.get("/static/bistand/site.css")

    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_hsts_is_sent_over_https_when_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("login"), secure=True)

    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response.headers["Strict-Transport-Security"]


def test_the_csrf_cookie_is_http_only_and_same_site(client):
    response = client.get(reverse("login"))
    cookie = response.cookies[settings.CSRF_COOKIE_NAME]

    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_secure_session_cookie_when_configured(client, org, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    org.reception.set_password("ett-långt-lösenord-1")
    org.reception.save()
    response = client.post(
        reverse("login"), {"username": "reception", "password": "ett-långt-lösenord-1"}
    )
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]

    assert response.status_code == 302
    assert cookie["secure"] is True and cookie["httponly"] is True and cookie["samesite"] == "Lax"


def test_htmx_sends_the_csrf_token_from_the_page_not_the_cookie(client, org):
    """Why CSRF_COOKIE_HTTPONLY is safe: base.html puts the token in hx-headers."""
    client.force_login(org.reception)
    page = client.get(reverse("home")).content.decode()

    assert "hx-headers='{&quot;X-CSRFToken&quot;" in page or 'hx-headers=\'{"X-CSRFToken"' in page


# ---------------------------------------------------------------- the API schema and docs


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/", "/api/docs/?script="])
def test_schema_and_docs_need_a_login(client, db, url):
    response = client.get(url)

    assert response.status_code in {302, 401, 403}
    if response.status_code == 302:
        assert response.headers["Location"].startswith(reverse("login"))


def test_docs_serve_swagger_ui_from_our_static_files_for_staff(client, org):
    client.force_login(org.social_worker)
    page = client.get("/api/docs/")

    assert page.status_code == 200
    assert _policy(page)["img-src"] == ["'self'", "data:"]  # Swagger UI's icons, this page only
    assert _policy(page)["script-src"] == ["'self'"]
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    start_script = client.get("/api/docs/?script=")
    assert start_script.status_code == 200
    assert start_script.headers["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in start_script.content.decode()
    bundle = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert bundle.status_code == 200
