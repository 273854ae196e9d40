"""Failed-login throttling (django-axes): per account across addresses, and per address.

Axes counts failures for each lockout parameter (user name; address) and locks when the
larger count reaches the limit. An account locks after a few failures from anywhere, so one
password guessed from many addresses is stopped; an address locks after more failures, so one
password tried against every account from one machine is stopped too, without one mistyping
colleague locking a whole office behind a shared address.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def account_failures(request, username: str) -> int:
    """Failed logins for `username` from any address within the cool-off period."""
    attempts = AccessAttempt.objects.filter(username=username)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def failure_limit(request, credentials) -> int:
    """The limit axes compares its larger count with: the account's once the account has
    reached it, otherwise the address's (which is higher)."""
    account_limit = settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT
    username = get_client_username(request, credentials)
    if username and account_failures(request, username) >= account_limit:
        return account_limit
    return settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, except that a successful login clears only the failures of
    that account: clearing the address's too would let someone with a login of their own
    reset the per-address count between rounds of guessing other accounts."""

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        deleted, _ = AccessAttempt.objects.filter(username=username).delete()
        return deleted
