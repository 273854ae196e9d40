"""Failed e-service logins slowed down with the staff login's lock-out (django-axes,
`organisation.lockout`): per person and per address, with the same limits and cool-off
(LOGIN_FAILURE_LIMIT_PER_ACCOUNT, LOGIN_FAILURE_LIMIT_PER_ADDRESS, AXES_COOLOFF_TIME).

Axes counts failures per "user name"; the e-service has none, so the key is a pseudonym: a
keyed hash of the identity number typed into the test e-ID (never the number itself, which is
personal data), or, when there is no number to go by (an e-ID round trip that failed, a
malformed number), the client address. A locked person or address gets a Swedish page (429)
whatever they send, until the cool-off has passed; a successful login clears that key's
failures only (as for staff).
"""

from __future__ import annotations

import hashlib
import hmac

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from django.conf import settings

from bistand.core.identity import IdentityNumberError, parse_identity_number

PREFIX = "e-tjanst:"


def _pseudonym(value: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def key_for_number(raw: str) -> str | None:
    """The lock-out key for a typed identity number, or None if it is not a number."""
    try:
        number = parse_identity_number(raw)
    except IdentityNumberError:
        return None
    return PREFIX + "person:" + _pseudonym(number.canonical)


def key_for_address(request) -> str:
    return PREFIX + "address:" + _pseudonym(get_client_ip_address(request) or "")


def _credentials(key: str) -> dict:
    return {"username": key}


def is_locked(request, key: str) -> bool:
    locked = AxesProxyHandler.is_locked(request, _credentials(key))
    # Keep axes' middleware from answering with the staff lock-out page: the portal has its own.
    request.axes_locked_out = False
    return locked


def failed(request, key: str) -> bool:
    """Count a failure under `key` (and the address); True if that locks it."""
    AxesProxyHandler.user_login_failed(__name__, _credentials(key), request)
    locked = bool(getattr(request, "axes_locked_out", False))
    request.axes_locked_out = False
    return locked or is_locked(request, key)


def succeeded(request, key: str) -> None:
    AxesProxyHandler.get_implementation().reset_user_attempts(request, _credentials(key))
