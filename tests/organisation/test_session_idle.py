"""The idle timeout without a session write per request (issue #15): a logged-in session's
expiry moves forward at most once per SESSION_REFRESH_SECONDS, and an idle session ends."""

import datetime as dt

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bistand.organisation.middleware import REFRESHED_AT


def _expiry(client) -> dt.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def _session_writes(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return sum(
        1
        for q in captured.captured_queries
        if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith("UPDATE")
    )


def test_pages_within_the_interval_do_not_write_the_session(client, org):
    client.force_login(org.social_worker)
    url = reverse("search")
    assert _session_writes(client, url) == 1  # the first page after the log-in refreshes
    assert _session_writes(client, url) == 0
    assert _session_writes(client, url) == 0


def test_after_the_interval_a_page_moves_the_expiry_forward(client, org, settings):
    client.force_login(org.social_worker)
    url = reverse("search")
    client.get(url)
    session = client.session
    session[REFRESHED_AT] -= settings.SESSION_REFRESH_SECONDS
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + dt.timedelta(seconds=10)
    )
    before = _expiry(client)
    assert _session_writes(client, url) == 1
    after = _expiry(client)
    assert after > before
    assert after >= timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 5)


def test_an_idle_session_ends(client, org):
    client.force_login(org.social_worker)
    url = reverse("search")
    client.get(url)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response.url
