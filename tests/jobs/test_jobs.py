"""The job machinery without a broker: retries with back-off, the record of each run, the
administrator's page, the in-process schedule, notifications."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bistand.core.errors import DomainError
from bistand.jobs import broker
from bistand.jobs.ledger import claim, queue_notification
from bistand.jobs.models import JobRun, Notification, RunStatus
from bistand.jobs.notifications import ConsoleSmsBackend, DeliveryFailed, deliver_pending
from bistand.jobs.registry import JOBS, Job, cron, register_job
from bistand.jobs.scheduler import due_jobs

calls: list[int] = []


class Flaky(Exception):
    pass


def flaky_job(ctx):
    calls.append(1)
    if len(calls) < 3:
        raise Flaky
    return {"calls": len(calls)}


def broken_job(ctx):
    raise DomainError("broken", "Det gick inte.")


@pytest.fixture
def test_jobs(settings):
    settings.BISTAND_BROKER_URL = ""
    broker.configure(force=True)
    calls.clear()
    register_job(Job("test-flaky", "Flaky", flaky_job, max_retries=3, backoff_seconds=1))
    register_job(Job("test-broken", "Broken", broken_job, max_retries=2, backoff_seconds=1))
    yield
    JOBS.pop("test-flaky")
    JOBS.pop("test-broken")


def test_a_failing_job_is_retried_and_each_attempt_recorded(db, test_jobs):
    broker.enqueue("test-flaky")
    runs = list(JobRun.objects.filter(job="test-flaky").order_by("attempt"))
    assert [(r.attempt, r.status) for r in runs] == [
        (1, RunStatus.RETRYING),
        (2, RunStatus.RETRYING),
        (3, RunStatus.SUCCEEDED),
    ]
    assert runs[0].error == "Flaky" and runs[2].result == {"calls": 3}


def test_a_job_that_keeps_failing_ends_failed_after_its_retries(db, test_jobs):
    result = broker.enqueue("test-broken")
    assert result.failed()
    runs = list(JobRun.objects.filter(job="test-broken").order_by("attempt"))
    assert [r.status for r in runs] == [RunStatus.RETRYING, RunStatus.RETRYING, RunStatus.FAILED]
    assert runs[-1].error == "DomainError: Det gick inte."


def test_back_off_doubles_up_to_an_hour():
    job = Job("x", "x", flaky_job, backoff_seconds=60)
    waits = [broker.backoff_seconds(job, n) for n in range(8)]
    assert 60 <= waits[0] <= 66 and 120 <= waits[1] <= 132 and 240 <= waits[2] <= 264
    assert all(3600 <= w <= 3960 for w in waits[6:])


def test_the_ledger_claims_a_subject_once_a_day(db):
    day = dt.date(2026, 3, 2)
    assert claim("j", "plan:1", day) and not claim("j", "plan:1", day)
    assert claim("j", "plan:1", day + dt.timedelta(days=1)) and claim("k", "plan:1", day)


def test_every_app_registers_its_job():
    assert {
        "decide-batch",
        "stats-refresh",
        "followups-due",
        "notifications",
        "control-run",
        "audit-anchor",
    } <= set(JOBS)
    beat = broker.beat_schedule()
    assert "decide-batch" in beat and "control-run" in beat


def test_the_in_process_schedule_runs_a_job_when_due_and_not_again(db):
    started = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 02:00 in Stockholm
    before = due_jobs(started + dt.timedelta(minutes=10), started)
    assert "decide-batch" not in before and "audit-anchor" in before
    at_0235 = started + dt.timedelta(minutes=35)
    assert "decide-batch" in due_jobs(at_0235, started)
    JobRun.objects.create(
        job="decide-batch", trigger="schedule", status=RunStatus.SUCCEEDED, started_at=at_0235
    )
    assert "decide-batch" not in due_jobs(at_0235 + dt.timedelta(minutes=30), started)
    assert "decide-batch" in due_jobs(at_0235 + dt.timedelta(days=1), started)


def test_cron_needs_five_fields():
    with pytest.raises(ValueError):
        cron("0 2 * *")


def test_notifications_are_queued_once_and_sent_once(org):
    day = dt.date(2026, 3, 2)
    args = dict(recipient=org.social_worker, title="Hej", body="Två uppföljningar")
    assert queue_notification("j", "user:1", day, channel="email", address="a@b.se", **args)
    assert queue_notification("j", "user:1", day, channel="email", address="a@b.se", **args) is None
    assert queue_notification("j", "user:1", day, channel="sms", address="+46701234567", **args)
    assert deliver_pending() == {"sent": 2}
    assert deliver_pending() == {"sent": 0}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["a@b.se"]
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0


sms_sent: list[tuple[str, str]] = []


class RecordingSms:
    def send(self, to, text):
        sms_sent.append((to, text))


class FailingSms:
    def send(self, to, text):
        raise ConnectionError


def test_sms_goes_through_the_configured_backend_and_a_failure_stays_in_the_outbox(org, settings):
    settings.BISTAND_SMS_BACKEND = "tests.jobs.test_jobs.FailingSms"
    queue_notification(
        "j",
        "user:2",
        dt.date(2026, 3, 2),
        recipient=org.social_worker,
        channel="sms",
        address="+46701234567",
        title="Bistånd",
        body="Uppföljning i dag",
    )
    with pytest.raises(DeliveryFailed):
        deliver_pending()
    row = Notification.objects.get()
    assert row.sent_at is None and row.attempts == 1 and row.last_error == "ConnectionError"
    settings.BISTAND_SMS_BACKEND = "tests.jobs.test_jobs.RecordingSms"
    sms_sent.clear()
    assert deliver_pending() == {"sent": 1}
    assert sms_sent == [("+46701234567", "Bistånd\nUppföljning i dag")]


def test_the_console_sms_backend_prints():
    out = io.StringIO()
    ConsoleSmsBackend(out).send("+46701234567", "Hej")
    assert out.getvalue() == "SMS till +46701234567: Hej\n"


def test_run_job_by_hand_is_recorded(db):
    out = io.StringIO()
    call_command("run-job", "control-run", stdout=out)
    run = JobRun.objects.get(job="control-run")
    assert run.trigger == "manual" and run.status == RunStatus.SUCCEEDED
    assert "control-run: succeeded" in out.getvalue()


def test_the_jobs_page_is_for_the_system_administrator_only(org, client):
    JobRun.objects.create(
        job="audit-anchor",
        trigger="schedule",
        status=RunStatus.FAILED,
        started_at=timezone.now(),
        error="OperationalError",
    )
    url = reverse("jobs:overview")
    client.force_login(org.sysadmin)
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Förankra åtkomstloggens kedja" in text and "OperationalError" in text
    for user in (org.unit_head, org.social_worker, org.finance, org.fraud):
        client.force_login(user)
        refused = client.get(url)
        assert refused.status_code == 403, user.role
        assert "OperationalError" not in refused.content.decode()


def test_job_runs_are_read_only_in_the_admin(org, client):
    run = JobRun.objects.create(
        job="x", trigger="manual", status=RunStatus.SUCCEEDED, started_at=timezone.now()
    )
    client.force_login(org.sysadmin)
    assert client.get(reverse("admin:jobs_jobrun_changelist")).status_code == 200
    assert client.get(reverse("admin:jobs_jobrun_add")).status_code == 403
    response = client.post(reverse("admin:jobs_jobrun_delete", args=[run.pk]), {"post": "yes"})
    assert response.status_code == 403 and JobRun.objects.filter(pk=run.pk).exists()
