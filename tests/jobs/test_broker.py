"""Every job through the queue, twice: the second run makes no second decision, reminder or
notification.

With BISTAND_TEST_BROKER_URL (CI: redis://127.0.0.1:6379/5) the jobs go through that broker
to a real Celery worker started in a thread; an unreachable broker fails the test (never a
skip). Without the variable the same test runs in the embedded (eager) mode.
"""

from __future__ import annotations

import os

import pytest
from django.test import override_settings

from bistand.jobs import broker
from bistand.jobs.models import JobRun, RunStatus
from tests.decisions.conftest import fixed_today, make_application, previous_month  # noqa: F401
from tests.decisions.test_repeat import c_case_repeat  # noqa: F401

from . import scenario

BROKER_URL = os.environ.get("BISTAND_TEST_BROKER_URL", "")
JOBS = ["decide-batch", "followups-due", "notifications", "stats-refresh", "audit-anchor"]


def _require_broker(url: str) -> None:
    """Fail, loudly, when the configured broker does not answer."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except Exception as error:
        pytest.fail(
            f"BISTAND_TEST_BROKER_URL={url} is set but the broker does not answer "
            f"({type(error).__name__}); start redis-server or unset the variable",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def queue():
    """The queue the jobs go through: a worker thread on the real broker, or eager."""
    if not BROKER_URL:
        with override_settings(BISTAND_BROKER_URL=""):
            yield broker.configure(force=True)
        broker.configure(force=True)
        return
    _require_broker(BROKER_URL)
    from celery.contrib.testing.worker import start_worker

    with override_settings(BISTAND_BROKER_URL=BROKER_URL):
        app = broker.configure(force=True)
        app.control.purge()
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    broker.configure(force=True)


def _run_through_queue(name: str, params: dict | None = None) -> dict:
    answer = broker.enqueue(name, params, trigger="test").get(timeout=60)
    assert answer["status"] == RunStatus.SUCCEEDED, answer
    return answer["result"]


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_every_job_through_the_queue_twice_does_its_act_once(
    queue,
    org,
    household_factory,
    c_case_repeat,  # noqa: F811
    settings,
):
    settings.BISTAND_DECIDE_BATCH_USER = org.unit_head.username
    scenario.build(org, household_factory, c_case_repeat)
    before = scenario.counts()

    first, second, added = {}, {}, {}
    for name in JOBS:  # each job twice in a row: the second run adds nothing
        counts = scenario.counts()
        first[name] = _run_through_queue(name)
        after_first = scenario.counts()
        second[name] = _run_through_queue(name)
        # followups-due hands its e-mail to the notifications job, which may deliver it
        # between the two runs: compare what followups-due itself writes.
        ignored = {"sent", "emails"} if name == "followups-due" else set()
        assert {k: v for k, v in scenario.counts().items() if k not in ignored} == {
            k: v for k, v in after_first.items() if k not in ignored
        }, name
        added[name] = {k: after_first[k] - counts[k] for k in counts if after_first[k] != counts[k]}

    assert first["decide-batch"]["decided"] == 1 and second["decide-batch"]["decided"] == 0
    assert added["decide-batch"] == {"decisions": 1}
    assert added["followups-due"].get("reminders") == added["followups-due"]["notifications"] == 1
    assert first["followups-due"] == {"due": 1, "reminders": 1, "queued": 1}
    assert second["followups-due"] == {"due": 1, "reminders": 0, "queued": 0}
    # The reminder's e-mail went out once (queued by followups-due, sent by notifications
    # straight after or by the notifications job, whichever came first).
    total = scenario.counts()
    assert total["notifications"] == total["sent"] == total["emails"] == 1
    assert second["notifications"] == {"sent": 0}
    assert first["audit-anchor"]["anchored"] and not second["audit-anchor"]["anchored"]
    assert total["anchors"] == 1 and total["months"] >= 2
    assert total["decisions"] == before["decisions"] + 1

    runs = JobRun.objects.filter(trigger="test")
    assert runs.count() == 2 * len(JOBS)
    assert set(runs.values_list("status", flat=True)) == {RunStatus.SUCCEEDED}
    if BROKER_URL:  # ran in the worker, not here
        assert all(run.task_id for run in runs)
