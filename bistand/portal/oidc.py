"""The applicant's e-ID log-in over OpenID Connect (docs/portal.md, issue #14).

Production log-in through the municipality's identity provider or e-ID broker (BankID, Freja).
The authorisation-code flow with state, nonce and PKCE (S256). The token exchange and the ID
token's checks (signature from the provider's JWKS, algorithm, key id, nonce, issuer, audience,
expiry) are the staff SSO's (`organisation.sso.OIDCBackend`, on mozilla-django-oidc and PyJWT),
configured here with the portal's own client. Separate from staff SSO: its own settings
(`BISTAND_PORTAL_OIDC_*`), redirect URI under /e-tjanst/ and session key. The person is the one
with the personal identity number in the configured claim, normalised by `core.identity`.
"""

from __future__ import annotations

import logging
import secrets
import time
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.utils import generate_code_challenge

from bistand.core.identity import IdentityNumberError, parse_identity_number
from bistand.organisation import sso

from .backends import LoginRefused

log = logging.getLogger(__name__)

# The session key holding the flows this browser started: state -> nonce, verifier, next.
STATES_KEY = "bistand_portal_oidc_states"
MAX_STATES = 5
# A flow not finished within this many seconds is refused.
STATE_SECONDS = 10 * 60

# Reasons in the access log (detail "reason") for a refused log-in.
BAD_STATE = "bad_state"
EXPIRED_STATE = "expired_state"
PROVIDER_ERROR = "provider_error"
PROVIDER_UNREACHABLE = "provider_unreachable"
INVALID_TOKEN = "invalid_token"
MISSING_CLAIM = "missing_claim"
INVALID_NUMBER = "invalid_number"
UNKNOWN_PERSON = "unknown_person"
NO_CASE = "no_case"
STAFF_SESSION = "staff_session"


def enabled() -> bool:
    return bool(settings.BISTAND_PORTAL_OIDC_ISSUER and settings.BISTAND_PORTAL_OIDC_CLIENT_ID)


def _discovery() -> dict:
    return sso.discovery_document(settings.BISTAND_PORTAL_OIDC_ISSUER)


def _endpoint(key: str) -> str:
    found = _discovery().get(key, "")
    if not found:
        raise ImproperlyConfigured(f"No {key} in the e-ID provider's discovery document.")
    return found


def redirect_uri(request) -> str:
    return request.build_absolute_uri(reverse("portal:oidc_callback"))


def _failed(reason: str) -> LoginRefused:
    if reason == PROVIDER_UNREACHABLE:
        message = _("E-legitimationen svarar inte just nu. Försök igen om en stund.")
    else:
        message = _("Inloggningen med e-legitimation misslyckades. Försök igen.")
    return LoginRefused(message, reason=reason)


def authorization_url(request, next_url: str) -> str:
    """Start a flow: a fresh state, nonce and PKCE verifier kept in this session; the URL of
    the provider's login. Raises LoginRefused when the provider cannot be reached."""
    try:
        endpoint = _endpoint("authorization_endpoint")
    except (requests.RequestException, ValueError, ImproperlyConfigured) as failed:
        log.warning("e-ID provider failed: %s", type(failed).__name__)
        raise _failed(PROVIDER_UNREACHABLE)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    flows = request.session.get(STATES_KEY)
    flows = dict(flows) if isinstance(flows, dict) else {}
    for old in sorted(flows, key=lambda key: flows[key].get("added_on", 0))[: -MAX_STATES + 1]:
        del flows[old]
    flows[state] = {
        "nonce": nonce,
        "verifier": verifier,
        "next": next_url,
        "added_on": time.time(),
    }
    request.session[STATES_KEY] = flows
    params = {
        "response_type": "code",
        "client_id": settings.BISTAND_PORTAL_OIDC_CLIENT_ID,
        "redirect_uri": redirect_uri(request),
        "scope": settings.BISTAND_PORTAL_OIDC_SCOPES,
        "state": state,
        "nonce": nonce,
        "code_challenge": generate_code_challenge(verifier, "S256"),
        "code_challenge_method": "S256",
    }
    if settings.BISTAND_PORTAL_OIDC_ACR_VALUES:
        params["acr_values"] = settings.BISTAND_PORTAL_OIDC_ACR_VALUES
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urlencode(params)}"


def pop_flow(request) -> dict:
    """The flow this callback's state belongs to, taken out of the session (used once)."""
    state = request.GET.get("state", "")
    flows = request.session.get(STATES_KEY)
    flows = dict(flows) if isinstance(flows, dict) else {}
    flow = flows.pop(state, None) if state else None
    request.session[STATES_KEY] = flows
    if flow is None:
        raise _failed(BAD_STATE)
    if time.time() - flow.get("added_on", 0) > STATE_SECONDS:
        raise _failed(EXPIRED_STATE)
    return flow


class _TokenVerifier(sso.OIDCBackend):
    """The staff SSO's token exchange and ID-token checks, with the portal's client."""

    def _configure(self) -> None:
        self.OIDC_OP_TOKEN_ENDPOINT = _endpoint("token_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = _endpoint("jwks_uri")
        self.OIDC_OP_USER_ENDPOINT = ""
        self.OIDC_RP_CLIENT_ID = settings.BISTAND_PORTAL_OIDC_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.BISTAND_PORTAL_OIDC_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.BISTAND_PORTAL_OIDC_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    def expected_issuer(self) -> str:
        return settings.BISTAND_PORTAL_OIDC_ISSUER

    def verified_claims(self, request, code: str, flow: dict) -> dict:
        self._configure()
        token = self.get_token(
            {
                "client_id": self.OIDC_RP_CLIENT_ID,
                "client_secret": self.OIDC_RP_CLIENT_SECRET,
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri(request),
                "code_verifier": flow["verifier"],
            }
        )
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise SuspiciousOperation("No ID token.")
        return self.verify_token(id_token, nonce=flow["nonce"])


class OidcEidBackend:
    """`ApplicantLoginBackend` for the callback: the verified number from the ID token."""

    name = "oidc"

    def enabled(self) -> bool:
        return enabled()

    def verified_identity_number(self, request) -> str:
        if not self.enabled():
            raise _failed(PROVIDER_ERROR)
        flow = pop_flow(request)
        request.portal_oidc_next = flow.get("next", "")
        if request.GET.get("error"):
            raise _failed(PROVIDER_ERROR)
        code = request.GET.get("code", "")
        if not code:
            raise _failed(PROVIDER_ERROR)
        try:
            claims = _TokenVerifier().verified_claims(request, code, flow)
        except (SuspiciousOperation, jwt.PyJWTError, KeyError, TypeError) as refused:
            log.warning("e-ID token refused: %s", type(refused).__name__)
            raise _failed(INVALID_TOKEN)
        except requests.HTTPError as refused:
            # The token endpoint refused the code (used, unknown, or the PKCE verifier).
            log.warning("e-ID code refused: %s", type(refused).__name__)
            raise _failed(INVALID_TOKEN)
        except (requests.RequestException, ValueError, ImproperlyConfigured) as failed:
            log.warning("e-ID provider failed: %s", type(failed).__name__)
            raise _failed(PROVIDER_UNREACHABLE)
        raw = claims.get(settings.BISTAND_PORTAL_OIDC_IDENTITY_CLAIM)
        if not isinstance(raw, str) or not raw.strip():
            raise _failed(MISSING_CLAIM)
        try:
            return parse_identity_number(raw).canonical
        except IdentityNumberError:
            raise _failed(INVALID_NUMBER)
