"""The nightly control run as a background job (`bistand controls-run`)."""

from __future__ import annotations

import datetime as dt

from bistand.jobs.registry import Job, JobContext, cron

from .models import RunTrigger
from .runs import run_controls


def control_run(ctx: JobContext) -> dict:
    """Run every control rule as of the day (or `params["date"]`). Idempotent: a flag is keyed
    by what it is about, so a second run of the same day adds no flag."""
    day = dt.date.fromisoformat(ctx.params["date"]) if ctx.params.get("date") else ctx.today
    trigger = RunTrigger.NIGHTLY if ctx.trigger == "schedule" else RunTrigger.ON_DEMAND
    run = run_controls(None, day, trigger=trigger)
    return {
        "run": run.pk,
        "date": day.isoformat(),
        "found": sum(run.found.values()),
        "new_flags": run.new_flags,
        "seconds": round(run.duration_ms / 1000, 1),
    }


CONTROL_RUN_JOB = Job(
    "control-run",
    "Kontrollkörning (felaktiga utbetalningar till FUT-kön)",
    control_run,
    schedule=cron("45 1 * * *"),
    max_retries=3,
    backoff_seconds=300,
    description="bistand controls-run: nattligen; flaggorna hamnar i FUT-kön, en andra körning "
    "samma dag lägger inte till något.",
)
