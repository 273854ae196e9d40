"""The applicant session, kept apart from staff sessions.

An applicant is a `households.Person`, never a staff `User`: the session holds the person's id
under its own key and no `_auth_user_id`, so `request.user` stays anonymous and no staff page
opens. A browser with a staff login cannot log in as an applicant (and logging in as an
applicant never keeps a staff login: the session is flushed first). The idle timeout is the
staff one (SESSION_COOKIE_AGE): a portal request moves the session's expiry (at most once per
SESSION_REFRESH_SECONDS), and a session idle longer than that ends.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.households.models import Person

SESSION_KEY = "bistand_portal_person_id"
SEEN_KEY = "bistand_portal_seen_at"
METHOD_KEY = "bistand_portal_login_method"


@dataclass(frozen=True)
class ApplicantActor:
    """Who the access log names for an applicant's act: no staff id, the person in the name."""

    person_id: int
    pk: None = None

    @property
    def username(self) -> str:
        return f"sokande:{self.person_id}"


def actor_for(person: Person) -> ApplicantActor:
    return ApplicantActor(person.pk)


def log_in(request, person: Person, backend: str) -> None:
    request.session.flush()
    request.session.cycle_key()
    request.session[SESSION_KEY] = person.pk
    request.session[SEEN_KEY] = int(time.time())
    request.session[METHOD_KEY] = backend
    record(
        actor_for(person),
        AuditAction.LOGIN,
        obj=person,
        person_id=person.pk,
        detail={"backend": backend},
    )


def log_out(request) -> None:
    person_id = request.session.get(SESSION_KEY)
    if person_id is not None:
        record(
            ApplicantActor(person_id),
            AuditAction.LOGOUT,
            object_type="households.person",
            object_id=person_id,
            person_id=person_id,
        )
    request.session.flush()


def current_person(request) -> Person | None:
    """The logged-in applicant, or None (no session, a staff session, or an idle one)."""
    session = request.session
    person_id = session.get(SESSION_KEY)
    if person_id is None or session.get("_auth_user_id") is not None:
        return None
    now = int(time.time())
    if now - session.get(SEEN_KEY, 0) > settings.SESSION_COOKIE_AGE:
        session.flush()
        return None
    if now - session.get(SEEN_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
        # Marks the session modified, so its expiry moves too (at most once a minute, as
        # organisation.middleware.SessionIdleRefreshMiddleware does for staff).
        session[SEEN_KEY] = now
    return Person.objects.filter(pk=person_id).first()


def login_method(request) -> str:
    """How the applicant proved who they are in this session ("oidc", "test-eid")."""
    return request.session.get(METHOD_KEY, "")
