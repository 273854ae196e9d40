"""Sends a session that still owes its second factor to the code page before any other page;
refreshes the idle timeout of a logged-in session (at most once a minute)."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse

from . import second_factor

# Reachable before the second factor: the code and enrolment pages, logging out, the language.
ALLOWED_NAMES = ("second_factor_verify", "second_factor_enrol", "logout", "set_language")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and second_factor.required_for(user)
            and not second_factor.session_passed(request.session)
        ):
            refusal = self._refusal(request, user)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _refusal(self, request, user):
        path = request.path_info
        allowed = {reverse(name) for name in ALLOWED_NAMES}
        if path in allowed or path.startswith("/static/"):
            return None
        if path.startswith("/api/"):
            return JsonResponse(
                {
                    "error": {
                        "code": "second_factor_required",
                        "message": "Ange koden från din autentiseringsapp innan du fortsätter.",
                    }
                },
                status=403,
            )
        name = "second_factor_verify" if second_factor.is_enrolled(user) else "second_factor_enrol"
        target = reverse(name)
        if request.method == "GET" and not request.headers.get("HX-Request"):
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)


REFRESHED_AT = "bistand_session_refreshed_at"


class SessionIdleRefreshMiddleware:
    """The idle timeout without a session write on every request (issue #15).

    Sessions end after SESSION_COOKIE_AGE without activity: each save moves the session's
    expiry to now + SESSION_COOKIE_AGE. Saving on every request (SESSION_SAVE_EVERY_REQUEST)
    cost an UPDATE and a commit per page; this saves a logged-in session at most once per
    SESSION_REFRESH_SECONDS instead, so the idle timeout is between SESSION_COOKIE_AGE minus
    that interval and SESSION_COOKIE_AGE: never longer than configured. Placed after
    SessionMiddleware (it marks the session modified; SessionMiddleware saves it).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.get("_auth_user_id") is not None:
            now = int(time.time())
            if now - session.get(REFRESHED_AT, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[REFRESHED_AT] = now
        return response
