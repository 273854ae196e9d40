"""Single sign-on with the municipality's identity provider over OpenID Connect.

mozilla-django-oidc runs the authorisation-code flow (state, nonce, PKCE); this module adds what
the library leaves open: endpoints from the issuer's discovery document, an ID token checked for
issuer, audience and expiry as well as signature and nonce, a staff member found by one
configured claim (never created: roles and sections are the administrator's), and an access-log
row with the reason for every refusal. The identity provider does the second factor, so an SSO
login needs no TOTP code here (second_factor.SSO).
"""

from __future__ import annotations

import logging
import threading

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from bistand.audit.models import AuditAction
from bistand.audit.services import record

log = logging.getLogger(__name__)

BACKEND_PATH = "bistand.organisation.sso.OIDCBackend"
# Seconds of clock difference tolerated between us and the identity provider.
CLOCK_LEEWAY = 60

UNKNOWN_USER = "unknown_user"
INACTIVE_USER = "inactive_user"
INVALID_TOKEN = "invalid_token"
PROVIDER_ERROR = "provider_error"
PROVIDER_UNREACHABLE = "provider_unreachable"
BAD_STATE = "bad_state"

_discovered: dict[str, dict] = {}
_discovery_lock = threading.Lock()


def enabled() -> bool:
    """SSO is offered when a client id and an issuer or explicit endpoints are configured."""
    return bool(
        settings.OIDC_RP_CLIENT_ID
        and (settings.BISTAND_OIDC_ISSUER or settings.OIDC_OP_AUTHORIZATION_ENDPOINT)
    )


def clear_discovery_cache() -> None:
    _discovered.clear()


def _discovery() -> dict:
    """The issuer's discovery document, fetched once per process."""
    return discovery_document(settings.BISTAND_OIDC_ISSUER)


def discovery_document(issuer: str) -> dict:
    """An issuer's discovery document, fetched once per process (also used by the applicant's
    e-ID login, portal.oidc)."""
    if not issuer:
        return {}
    with _discovery_lock:
        if issuer not in _discovered:
            response = requests.get(
                f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
            )
            response.raise_for_status()
            document = response.json()
            if document.get("issuer", "").rstrip("/") != issuer:
                raise ImproperlyConfigured(
                    "The OIDC discovery document names another issuer than configured."
                )
            _discovered[issuer] = document
        return _discovered[issuer]


def endpoint(setting: str, discovery_key: str) -> str:
    """An endpoint: the explicit setting if given, otherwise from the issuer's discovery."""
    explicit = getattr(settings, setting, "")
    if explicit:
        return explicit
    found = _discovery().get(discovery_key, "")
    if not found and discovery_key != "userinfo_endpoint":
        raise ImproperlyConfigured(f"No {discovery_key} for single sign-on ({setting}).")
    return found


def login_failed(request, reason: str, claimed: str = "") -> None:
    """The access-log row for a refused SSO login (the local login writes its own)."""
    record(
        None,
        AuditAction.LOGIN_FAILED,
        object_type="session",
        detail={"method": "sso", "reason": reason, "username": claimed},
    )


class OIDCBackend(OIDCAuthenticationBackend):
    """Authenticates the SSO callback only; finds, never creates, the staff member."""

    def __init__(self, *args, **kwargs):
        # The library reads its endpoints when constructed; here they are read (and discovered)
        # only in the callback, so that without SSO configured this backend stays inert.
        self.UserModel = get_user_model()

    def _configure(self) -> None:
        self.OIDC_OP_TOKEN_ENDPOINT = endpoint("OIDC_OP_TOKEN_ENDPOINT", "token_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = endpoint("OIDC_OP_JWKS_ENDPOINT", "jwks_uri")
        self.OIDC_OP_USER_ENDPOINT = endpoint("OIDC_OP_USER_ENDPOINT", "userinfo_endpoint")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce: a password login never reaches the provider.
        if request is None or not kwargs.get("nonce") or not enabled():
            return None
        request.sso_failure = (INVALID_TOKEN, "")
        try:
            self._configure()
            user = super().authenticate(request, **kwargs)
        except (SuspiciousOperation, jwt.PyJWTError, KeyError, TypeError) as refused:
            log.warning("SSO token refused: %s", type(refused).__name__)
            return None
        except (requests.RequestException, ValueError, ImproperlyConfigured) as failed:
            log.warning("SSO provider failed: %s", type(failed).__name__)
            request.sso_failure = (PROVIDER_UNREACHABLE, "")
            return None
        if user is not None:
            request.sso_failure = None
        return user

    def verify_token(self, token, **kwargs):
        """Refuse a token of another algorithm (also `none`) or without a key id before any key
        is fetched; then the library's signature and nonce check (and _verify_jws below)."""
        try:
            header = jwt.get_unverified_header(token)
        except (jwt.InvalidTokenError, TypeError):
            raise SuspiciousOperation("Malformed token.")
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO or not header.get("kid"):
            raise SuspiciousOperation("Unexpected token algorithm or no key id.")
        return super().verify_token(token, **kwargs)

    def _verify_jws(self, payload, key):
        """Signature, and also issuer, audience and expiry (the library checks none of these)."""
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.InvalidTokenError:
            raise SuspiciousOperation("Malformed token.")
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("Unexpected token algorithm.")
        issuer = self.expected_issuer() or None
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=issuer,
                leeway=CLOCK_LEEWAY,
                options={"require": ["exp", "iat", "aud", "iss", "sub"]},
            )
        except jwt.InvalidTokenError as invalid:
            raise SuspiciousOperation(f"ID token refused: {type(invalid).__name__}.")

    def expected_issuer(self) -> str:
        return settings.BISTAND_OIDC_ISSUER

    def get_userinfo(self, access_token, id_token, payload):
        """The verified ID token's claims, and the userinfo endpoint's when so configured."""
        claims = dict(payload)
        if settings.BISTAND_OIDC_USE_USERINFO and self.OIDC_OP_USER_ENDPOINT:
            extra = super().get_userinfo(access_token, id_token, payload)
            if extra.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("Userinfo is about another subject.")
            claims.update(extra)
        return claims

    def _claimed(self, claims) -> str:
        value = claims.get(settings.BISTAND_OIDC_USERNAME_CLAIM)
        return value.strip() if isinstance(value, str) else ""

    def verify_claims(self, claims):
        return bool(self._claimed(claims))

    def describe_user_by_claims(self, claims):
        return f"{settings.BISTAND_OIDC_USERNAME_CLAIM} {self._claimed(claims)}"

    def filter_users_by_claims(self, claims):
        claimed = self._claimed(claims)
        if not claimed:
            return self.UserModel.objects.none()
        lookup = f"{settings.BISTAND_OIDC_USER_FIELD}__iexact"
        users = self.UserModel.objects.filter(**{lookup: claimed})
        if not users:
            self.request.sso_failure = (UNKNOWN_USER, claimed)
        return users

    def create_user(self, claims):  # pragma: no cover - OIDC_CREATE_USER is always False
        raise SuspiciousOperation("Staff accounts are never created by single sign-on.")

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


class SSOLoginView(OIDCAuthenticationRequestView):
    """Sends the browser to the municipality's identity provider."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        if not enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoint(
                "OIDC_OP_AUTHORIZATION_ENDPOINT", "authorization_endpoint"
            )
        except (requests.RequestException, ValueError, ImproperlyConfigured):
            login_failed(request, PROVIDER_UNREACHABLE)
            messages.error(request, _("Kommunens inloggning svarar inte just nu. Försök igen."))
            return HttpResponseRedirect(reverse("login"))
        return super().get(request)


class SSOCallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer: a session for a known, active staff member, else a refusal."""

    def get(self, request):
        if not enabled():
            raise Http404
        request.sso_failure = (PROVIDER_ERROR, "") if request.GET.get("error") else None
        try:
            return super().get(request)
        except SuspiciousOperation:
            # A state this browser never started (replay, or a link from elsewhere).
            request.sso_failure = (BAD_STATE, "")
            return self.login_failure()

    def login_success(self):
        # Always a fresh login, also over a local session still waiting for its TOTP code: the
        # session is then marked as an SSO login (second_factor.SSO) under a new key.
        login(self.request, self.user)
        return HttpResponseRedirect(self.success_url)

    def login_failure(self):
        request = self.request
        reason, claimed = getattr(request, "sso_failure", None) or (BAD_STATE, "")
        user = getattr(self, "user", None)
        if user is not None and not user.is_active:
            reason, claimed = INACTIVE_USER, user.get_username()
        if request.user.is_authenticated:
            logout(request)
        login_failed(request, reason, claimed)
        if reason == UNKNOWN_USER:
            message = _(
                "Du har inget konto i Bistånd. Kontakta systemadministratören, som lägger upp "
                "konton och behörigheter."
            )
        elif reason == INACTIVE_USER:
            message = _("Kontot är inaktiverat.")
        else:
            message = _("Inloggningen med kommunens inloggning misslyckades. Försök igen.")
        messages.error(request, message)
        return HttpResponseRedirect(reverse("login"))
