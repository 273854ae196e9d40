"""Single sign-on over OpenID Connect against a fake provider on 127.0.0.1 (issue #11)."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from bistand.audit.models import AccessLogEntry, AuditAction
from bistand.organisation import second_factor, sso

from .fake_oidc import CLIENT_ID, CLIENT_SECRET, KID, FakeProvider, new_key


@pytest.fixture(scope="module")
def provider():
    running = FakeProvider().start()
    yield running
    running.stop()


@pytest.fixture
def oidc(settings, provider, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.BISTAND_OIDC_ISSUER = provider.url
    settings.BISTAND_OIDC_USERNAME_CLAIM = "preferred_username"
    settings.BISTAND_OIDC_USER_FIELD = "username"
    sso.clear_discovery_cache()
    yield provider
    sso.clear_discovery_cache()


def start(client) -> dict:
    """Bistånd sends the browser to the provider; what the provider receives."""
    response = client.get(reverse("oidc_authentication_init") + "?next=/statistik/")
    assert response.status_code == 302
    target = urlsplit(response.url)
    params = {name: values[0] for name, values in parse_qs(target.query).items()}
    assert params["client_id"] == CLIENT_ID and params["response_type"] == "code"
    assert params["code_challenge_method"] == "S256"
    return params


def come_back(client, provider, *, tamper=None, key=None, kid=KID, **claims):
    """The provider lets the person in and sends the browser back with a code."""
    params = start(client)
    token_claims = provider.claims(params["nonce"], **claims)
    if tamper:
        tamper(token_claims)
    code = secrets.token_urlsafe(16)
    provider.issue(code, provider.sign(token_claims, key=key, kid=kid), params["code_challenge"])
    return client.get(
        reverse("oidc_authentication_callback"), {"code": code, "state": params["state"]}
    )


def last_failure() -> dict:
    import json

    entry = AccessLogEntry.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("-id").first()
    return json.loads(entry.detail)


def refused(client, response) -> str:
    assert response.status_code == 302 and response.url == reverse("login")
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def test_known_staff_member_gets_a_session_without_a_totp_code(client, org, oidc):
    response = come_back(client, oidc, preferred_username="UnitHead")
    assert response.status_code == 302 and response.url == "/statistik/"
    assert int(client.session["_auth_user_id"]) == org.unit_head.pk
    assert client.session[second_factor.SESSION_KEY] == second_factor.SSO
    # A chef: no TOTP step after SSO (the municipality's provider does MFA).
    assert client.get("/").status_code == 200
    entry = AccessLogEntry.objects.filter(action=AuditAction.LOGIN).order_by("-id").first()
    assert entry.actor_id == org.unit_head.pk and entry.detail == '{"method":"sso"}'
    # The client secret and the PKCE verifier went to the token endpoint.
    assert oidc.token_requests[-1]["code_verifier"]


def test_unknown_user_is_refused_in_swedish_and_logged(client, org, oidc):
    response = come_back(client, oidc, preferred_username="okand.person")
    assert "Du har inget konto i Bistånd" in refused(client, response)
    assert last_failure() == {
        "method": "sso",
        "reason": "unknown_user",
        "username": "okand.person",
    }


def test_inactive_user_is_refused(client, org, oidc):
    org.social_worker.is_active = False
    org.social_worker.save()
    response = come_back(client, oidc, preferred_username="socialworker")
    assert "inaktiverat" in refused(client, response)
    assert last_failure()["reason"] in {"inactive_user", "invalid_token"}


def _audience(claims):
    claims["aud"] = "another-client"


def _nonce(claims):
    claims["nonce"] = "not-the-nonce-we-sent"


def _issuer(claims):
    claims["iss"] = "https://elak.example"


def _expired(claims):
    claims["exp"] = claims["iat"] - 600


def _no_nonce(claims):
    del claims["nonce"]


@pytest.mark.parametrize("tamper", [_audience, _nonce, _issuer, _expired, _no_nonce])
def test_token_with_wrong_audience_nonce_issuer_or_expiry_is_refused(client, org, oidc, tamper):
    response = come_back(client, oidc, tamper=tamper, preferred_username="unithead")
    assert "misslyckades" in refused(client, response)
    assert last_failure()["reason"] == "invalid_token"


def test_token_signed_with_another_key_is_refused(client, org, oidc):
    response = come_back(client, oidc, key=new_key(), preferred_username="unithead")
    assert "misslyckades" in refused(client, response)
    assert last_failure()["reason"] == "invalid_token"


def test_token_naming_an_unknown_key_is_refused(client, org, oidc):
    response = come_back(client, oidc, key=new_key(), kid="other", preferred_username="unithead")
    refused(client, response)


def test_unsigned_token_is_refused(client, org, oidc):
    import jwt

    params = start(client)
    token = jwt.encode(oidc.claims(params["nonce"], preferred_username="unithead"), None, "none")
    oidc.issue("c-none", token, params["code_challenge"])
    response = client.get(
        reverse("oidc_authentication_callback"), {"code": "c-none", "state": params["state"]}
    )
    refused(client, response)


def test_a_state_this_browser_never_started_is_refused(client, org, oidc):
    start(client)
    response = client.get(
        reverse("oidc_authentication_callback"), {"code": "x", "state": "forged-state"}
    )
    refused(client, response)
    assert last_failure()["reason"] == "bad_state"


def test_a_callback_cannot_be_replayed(client, org, oidc):
    params = start(client)
    oidc.issue(
        "c-1",
        oidc.sign(oidc.claims(params["nonce"], preferred_username="unithead")),
        params["code_challenge"],
    )
    callback = reverse("oidc_authentication_callback")
    first = client.get(callback, {"code": "c-1", "state": params["state"]})
    assert first.status_code == 302 and first.url == "/statistik/"
    client.logout()
    again = client.get(callback, {"code": "c-1", "state": params["state"]})
    refused(client, again)


def test_provider_error_is_refused_and_logged(client, org, oidc):
    params = start(client)
    response = client.get(
        reverse("oidc_authentication_callback"),
        {"error": "access_denied", "state": params["state"]},
    )
    refused(client, response)
    assert last_failure()["reason"] == "provider_error"


def test_email_claim_can_name_the_staff_member(client, org, oidc, settings):
    settings.BISTAND_OIDC_USERNAME_CLAIM = "email"
    settings.BISTAND_OIDC_USER_FIELD = "email"
    org.finance.email = "ekonom@kommun.se"
    org.finance.save()
    response = come_back(client, oidc, email="Ekonom@Kommun.se")
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == org.finance.pk


def test_a_password_login_never_reaches_the_sso_backend(client, org, oidc):
    response = client.post(
        reverse("login") + "?code=x&state=y",
        {"username": "okand", "password": "fel-lösenord-123"},
    )
    assert response.status_code == 200
    assert not oidc.token_requests or oidc.token_requests[-1].get("code") != "x"


def test_login_page_offers_sso_only_when_configured(client, db, settings, oidc):
    assert "Logga in med kommunens inloggning" in client.get(reverse("login")).content.decode()
    settings.OIDC_RP_CLIENT_ID = ""
    assert "kommunens inloggning" not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback")).status_code == 404


def test_unreachable_provider_gives_a_swedish_message(client, db, settings, unused_port):
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.BISTAND_OIDC_ISSUER = f"http://127.0.0.1:{unused_port}"
    settings.OIDC_TIMEOUT = 2
    sso.clear_discovery_cache()
    response = client.get(reverse("oidc_authentication_init"))
    assert response.status_code == 302 and response.url == reverse("login")
    assert last_failure()["reason"] == "provider_unreachable"
