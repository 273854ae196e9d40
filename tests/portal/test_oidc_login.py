"""The applicant's e-ID log-in over OpenID Connect, end to end against the fake provider on
127.0.0.1 (tests/organisation/fake_oidc.py): discovery, JWKS and the token endpoint are real
HTTP; the test plays the browser and the provider's login page."""

from __future__ import annotations

import json
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.core.checks import run_checks
from django.urls import reverse
from django.utils import timezone

from bistand.audit.models import AccessLogEntry, AuditAction
from bistand.cases import services as case_services
from bistand.households.models import Person
from bistand.organisation import sso
from bistand.portal import oidc
from bistand.portal.session import SESSION_KEY
from tests.organisation.fake_oidc import CLIENT_ID, CLIENT_SECRET, KID, FakeProvider, new_key

from .conftest import APPLICANT, CO_APPLICANT

CLAIM = "personal_identity_number"
CHILD = "201501102386"  # the child make_household adds
UNKNOWN = "198112289874"  # a valid Luhn number nobody in the unit has
CALLBACK = "/e-tjanst/login/e-legitimation/klar/"


@pytest.fixture(scope="module")
def provider():
    running = FakeProvider().start()
    yield running
    running.stop()


@pytest.fixture
def eid(settings, provider, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    settings.DEBUG = False
    settings.BISTAND_PORTAL_TEST_EID = False
    settings.BISTAND_PORTAL_OIDC_ISSUER = provider.url
    settings.BISTAND_PORTAL_OIDC_CLIENT_ID = CLIENT_ID
    settings.BISTAND_PORTAL_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.BISTAND_PORTAL_OIDC_IDENTITY_CLAIM = CLAIM
    # Staff SSO stays off: the applicant's login does not depend on it.
    settings.OIDC_RP_CLIENT_ID = ""
    settings.BISTAND_OIDC_ISSUER = ""
    sso.clear_discovery_cache()
    yield provider
    sso.clear_discovery_cache()


@pytest.fixture
def case(household, org):
    application = case_services.register_application(
        org.reception, household, kind="new", month=timezone.localdate().replace(day=1)
    )
    return application.case


def start(client, next_url: str = "") -> dict:
    """Bistånd sends the browser to the provider; what the provider receives."""
    url = reverse("portal:oidc_login") + (f"?next={next_url}" if next_url else "")
    response = client.get(url)
    assert response.status_code == 302, response.content.decode()
    target = urlsplit(response.url)
    params = {name: values[0] for name, values in parse_qs(target.query).items()}
    assert target.path == "/authorize" and target.hostname == "127.0.0.1"
    assert params["client_id"] == CLIENT_ID and params["response_type"] == "code"
    assert params["code_challenge_method"] == "S256" and params["code_challenge"]
    assert params["state"] and params["nonce"] and params["scope"] == "openid"
    assert params["redirect_uri"] == "http://testserver" + CALLBACK
    return params


def come_back(
    client,
    provider,
    *,
    next_url="",
    tamper=None,
    key=None,
    kid=KID,
    state=None,
    challenge=None,
    **claims,
):
    """The provider lets the person in and sends the browser back with a code."""
    params = start(client, next_url)
    token_claims = provider.claims(params["nonce"], **claims)
    if tamper:
        tamper(token_claims)
    code = secrets.token_urlsafe(16)
    provider.issue(
        code,
        provider.sign(token_claims, key=key, kid=kid),
        challenge or params["code_challenge"],
    )
    return client.get(CALLBACK, {"code": code, "state": state or params["state"]})


def last_failure() -> AccessLogEntry:
    return AccessLogEntry.objects.filter(action=AuditAction.LOGIN_FAILED).latest("id")


def assert_refused(client, response, reason: str, *numbers: str) -> AccessLogEntry:
    """Refused: a Swedish page, no applicant session, nothing about the number, a log row."""
    body = response.content.decode()
    assert response.status_code == 403, body
    assert "Inloggningen gick inte" in body
    for number in numbers:
        assert number not in body and number[:8] not in body
    assert "Tolvansson" not in body and "Storgatan" not in body
    assert SESSION_KEY not in client.session
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("portal:home")).status_code == 302
    entry = last_failure()
    detail = json.loads(entry.detail)
    assert detail == {"method": "portal-oidc", "reason": reason}
    assert entry.channel == "e-tjanst" and entry.actor_id is None
    for number in numbers:
        assert number not in entry.detail
    return entry


def test_the_login_page_offers_e_id_when_configured(client, eid, db):
    page = client.get(reverse("portal:login")).content.decode()
    assert "Logga in med e-legitimation" in page
    assert reverse("portal:oidc_login") in page
    assert "Test-e-legitimation" not in page  # debug is off
    assert 'data-testid="no-eid"' not in page


def test_successful_login_lands_on_mina_sidor_as_that_person(client, eid, household, case):
    # The broker sends the number with a hyphen: normalised as households does.
    next_url = reverse("portal:case", args=[case.pk])
    response = come_back(
        client, eid, next_url=next_url, **{CLAIM: f"{APPLICANT[:8]}-{APPLICANT[8:]}"}
    )
    assert response.status_code == 302 and response.url == next_url
    person = Person.objects.get(identity_number=APPLICANT)
    assert client.session[SESSION_KEY] == person.pk
    assert "_auth_user_id" not in client.session
    assert oidc.STATES_KEY not in client.session  # the flow is gone with the fresh session
    assert case.reference in client.get(reverse("portal:home")).content.decode()
    assert client.get(next_url).status_code == 200
    # The token request carried the PKCE verifier and the portal's own redirect URI.
    token_request = eid.token_requests[-1]
    assert token_request["code_verifier"] and token_request["client_id"] == CLIENT_ID
    assert token_request["redirect_uri"] == "http://testserver" + CALLBACK
    entry = AccessLogEntry.objects.filter(action=AuditAction.LOGIN).latest("id")
    assert json.loads(entry.detail) == {"backend": "oidc"}
    assert entry.channel == "e-tjanst" and entry.actor_id is None
    assert entry.actor_username == f"sokande:{person.pk}" and entry.person_id == person.pk


def test_the_co_applicant_logs_in_with_their_own_number(client, eid, household, case):
    response = come_back(client, eid, **{CLAIM: CO_APPLICANT})
    assert response.status_code == 302 and response.url == reverse("portal:home")
    assert client.session[SESSION_KEY] == Person.objects.get(identity_number=CO_APPLICANT).pk


def test_next_outside_the_portal_is_not_followed(client, eid, household, case):
    response = come_back(client, eid, next_url="https://evil.example/", **{CLAIM: APPLICANT})
    assert response.status_code == 302 and response.url == reverse("portal:home")


def test_a_wrong_nonce_is_refused(client, eid, household, case):
    def other_nonce(claims):
        claims["nonce"] = "not-the-nonce"

    response = come_back(client, eid, tamper=other_nonce, **{CLAIM: APPLICANT})
    assert_refused(client, response, oidc.INVALID_TOKEN, APPLICANT)


def test_a_state_this_browser_never_started_is_refused(client, eid, household, case):
    response = come_back(client, eid, state="forged-state", **{CLAIM: APPLICANT})
    assert_refused(client, response, oidc.BAD_STATE, APPLICANT)


def test_a_state_is_used_once(client, eid, household, case):
    params = start(client)
    first = secrets.token_urlsafe(16)
    token = eid.sign(eid.claims(params["nonce"], **{CLAIM: APPLICANT}))
    eid.issue(first, token, params["code_challenge"])
    client.get(CALLBACK, {"code": first, "state": params["state"]})
    client.post(reverse("portal:logout"))
    again = secrets.token_urlsafe(16)
    eid.issue(again, token, params["code_challenge"])
    response = client.get(CALLBACK, {"code": again, "state": params["state"]})
    assert_refused(client, response, oidc.BAD_STATE, APPLICANT)


def test_a_flow_left_too_long_is_refused(client, eid, household, case, monkeypatch):
    params = start(client)
    code = secrets.token_urlsafe(16)
    eid.issue(
        code, eid.sign(eid.claims(params["nonce"], **{CLAIM: APPLICANT})), params["code_challenge"]
    )
    later = time.time() + oidc.STATE_SECONDS + 1
    monkeypatch.setattr(oidc.time, "time", lambda: later)
    response = client.get(CALLBACK, {"code": code, "state": params["state"]})
    assert_refused(client, response, oidc.EXPIRED_STATE, APPLICANT)


def test_an_expired_token_is_refused(client, eid, household, case):
    past = int(time.time()) - 3600
    response = come_back(client, eid, iat=past - 300, exp=past, **{CLAIM: APPLICANT})
    assert_refused(client, response, oidc.INVALID_TOKEN, APPLICANT)


def test_a_token_signed_with_another_key_is_refused(client, eid, household, case):
    response = come_back(client, eid, key=new_key(), **{CLAIM: APPLICANT})
    assert_refused(client, response, oidc.INVALID_TOKEN, APPLICANT)


def test_a_token_of_another_issuer_or_audience_is_refused(client, eid, household, case):
    response = come_back(client, eid, iss="https://other.example", **{CLAIM: APPLICANT})
    assert_refused(client, response, oidc.INVALID_TOKEN, APPLICANT)
    response = come_back(client, eid, aud="someone-else", **{CLAIM: APPLICANT})
    assert_refused(client, response, oidc.INVALID_TOKEN, APPLICANT)


def test_an_unsigned_token_is_refused(client, eid, household, case):
    params = start(client)
    code = secrets.token_urlsafe(16)
    unsigned = jwt.encode(eid.claims(params["nonce"], **{CLAIM: APPLICANT}), None, algorithm="none")
    eid.issue(code, unsigned, params["code_challenge"])
    response = client.get(CALLBACK, {"code": code, "state": params["state"]})
    assert_refused(client, response, oidc.INVALID_TOKEN, APPLICANT)


def test_a_code_without_the_pkce_verifier_is_refused(client, eid, household, case):
    response = come_back(client, eid, challenge="another-challenge", **{CLAIM: APPLICANT})
    assert_refused(client, response, oidc.INVALID_TOKEN, APPLICANT)


def test_a_token_without_the_number_claim_is_refused(client, eid, household, case):
    response = come_back(client, eid, preferred_username=APPLICANT)
    assert_refused(client, response, oidc.MISSING_CLAIM, APPLICANT)


def test_the_claim_name_is_a_setting(client, eid, household, case, settings):
    settings.BISTAND_PORTAL_OIDC_IDENTITY_CLAIM = "ssn"
    response = come_back(client, eid, ssn=APPLICANT)
    assert response.status_code == 302 and response.url == reverse("portal:home")
    client.post(reverse("portal:logout"))
    response = come_back(client, eid, **{CLAIM: APPLICANT})
    assert_refused(client, response, oidc.MISSING_CLAIM, APPLICANT)


def test_a_malformed_number_is_refused(client, eid, household, case):
    response = come_back(client, eid, **{CLAIM: "198309192395"})  # wrong check digit
    assert_refused(client, response, oidc.INVALID_NUMBER, "198309192395")


def test_an_unknown_person_and_a_person_without_a_case_see_the_same_page(
    client, eid, household, case
):
    unknown = come_back(client, eid, **{CLAIM: UNKNOWN})
    assert_refused(client, unknown, oidc.UNKNOWN_PERSON, UNKNOWN)
    assert last_failure().person_id is None
    child = come_back(client, eid, **{CLAIM: CHILD})
    entry = assert_refused(client, child, oidc.NO_CASE, CHILD)
    assert entry.person_id == Person.objects.get(identity_number=CHILD).pk
    assert "Vi hittar inget ärende för det personnumret." in unknown.content.decode()
    assert unknown.content == child.content


def test_the_provider_answering_an_error_is_refused(client, eid, db):
    params = start(client)
    response = client.get(CALLBACK, {"error": "access_denied", "state": params["state"]})
    assert_refused(client, response, oidc.PROVIDER_ERROR)


def test_a_staff_session_is_never_turned_into_an_applicant_session(
    client, eid, org, household, case
):
    client.force_login(org.social_worker)
    assert client.get(reverse("portal:oidc_login")).status_code == 403
    response = client.get(CALLBACK, {"code": "x", "state": "y"})
    assert response.status_code == 403
    assert SESSION_KEY not in client.session
    assert int(client.session["_auth_user_id"]) == org.social_worker.pk
    assert json.loads(last_failure().detail)["reason"] == oidc.STAFF_SESSION
    assert not eid.token_requests or eid.token_requests[-1].get("code") != "x"


def test_not_configured_answers_404(client, db, settings):
    settings.BISTAND_PORTAL_OIDC_ISSUER = ""
    settings.BISTAND_PORTAL_OIDC_CLIENT_ID = ""
    assert client.get(reverse("portal:oidc_login")).status_code == 404
    assert client.get(CALLBACK, {"code": "x", "state": "y"}).status_code == 404
    assert "Logga in med e-legitimation" not in client.get(reverse("portal:login")).content.decode()


def test_an_unreachable_provider_gets_a_swedish_page(client, db, settings, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    settings.BISTAND_PORTAL_OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    settings.BISTAND_PORTAL_OIDC_CLIENT_ID = CLIENT_ID
    sso.clear_discovery_cache()
    response = client.get(reverse("portal:oidc_login"))
    assert response.status_code == 403
    assert "E-legitimationen svarar inte just nu" in response.content.decode()
    assert json.loads(last_failure().detail)["reason"] == oidc.PROVIDER_UNREACHABLE
    sso.clear_discovery_cache()


def test_the_system_check_wants_https_and_a_whole_configuration(db, settings):
    settings.DEBUG = False
    settings.BISTAND_PORTAL_TEST_EID = False
    settings.BISTAND_PORTAL_OIDC_ISSUER = "http://idp.kommun.example"
    settings.BISTAND_PORTAL_OIDC_CLIENT_ID = CLIENT_ID
    ids = {error.id for error in run_checks()}
    assert "portal.E002" in ids and "portal.E003" not in ids
    settings.BISTAND_PORTAL_OIDC_ISSUER = "https://idp.kommun.example"
    assert not {"portal.E002", "portal.E003"} & {error.id for error in run_checks()}
    settings.BISTAND_PORTAL_OIDC_CLIENT_ID = ""
    assert "portal.E003" in {error.id for error in run_checks()}
    settings.BISTAND_PORTAL_OIDC_ISSUER = ""
    assert not {"portal.E002", "portal.E003"} & {error.id for error in run_checks()}


def test_with_debug_the_login_page_offers_both_the_e_id_and_the_marked_test_e_id(
    client, eid, db, settings
):
    settings.DEBUG = True
    settings.BISTAND_PORTAL_TEST_EID = True
    page = client.get(reverse("portal:login")).content.decode()
    assert "Logga in med e-legitimation" in page
    assert "Test-e-legitimation – bara för demo och test" in page
