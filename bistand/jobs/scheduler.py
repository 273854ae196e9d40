"""The in-process scheduler for an installation without a broker (`bistand worker` with
BISTAND_BROKER_URL unset): the same cron schedules as beat, the last scheduled run read from
JobRun, each due job run here in turn."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from .broker import configure, schedule_of
from .models import JobRun
from .registry import JOBS

logger = logging.getLogger("bistand.jobs")


def due_jobs(now: dt.datetime, started: dt.datetime) -> list[str]:
    """Jobs whose schedule fell due since their last scheduled run (or, never run, since
    `started`: a new installation does not catch up on the past)."""
    # Cron fields are Stockholm time: compare in it (the database gives UTC).
    configure()  # the app's time zone, Stockholm
    now = timezone.localtime(now)
    due = []
    for name, job in sorted(JOBS.items()):
        if not job.schedule:
            continue
        last = (
            JobRun.objects.filter(job=name, trigger="schedule")
            .order_by("-started_at")
            .values_list("started_at", flat=True)
            .first()
        )
        schedule = schedule_of(job, nowfun=lambda: now)
        if schedule.remaining_estimate(timezone.localtime(last or started)).total_seconds() <= 0:
            due.append(name)
    return due


def run_due(now: dt.datetime, started: dt.datetime) -> list[str]:
    from .broker import run_job

    names = due_jobs(now, started)
    for name in names:
        logger.info("running scheduled job %s", name)
        # apply(): this process, with the task's retries and back-off (eager, no waiting).
        run_job.apply(args=(name, {}, "schedule"))
    return names
