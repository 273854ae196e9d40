"""The nightly control run as a background job (`bistand controls-run`): one run per unit."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from bistand.jobs.ledger import claim
from bistand.jobs.registry import Job, JobContext, cron
from bistand.organisation.models import Unit

from .models import ControlRun, RunTrigger
from .runs import run_controls

JOB = "control-run"


def control_run(ctx: JobContext) -> dict:
    """Run every control rule as of the day (or `params["date"]`) for each unit (or
    `params["unit"]`). Idempotent per unit and day: a nightly run of a unit and day is made once
    (the jobs ledger and a unique constraint); a run on demand never adds a flag twice either."""
    day = dt.date.fromisoformat(ctx.params["date"]) if ctx.params.get("date") else ctx.today
    nightly = ctx.trigger == "schedule"
    trigger = RunTrigger.NIGHTLY if nightly else RunTrigger.ON_DEMAND
    units = Unit.objects.order_by("pk")
    if ctx.params.get("unit"):
        units = units.filter(pk=int(ctx.params["unit"]))
    made, skipped, found, new_flags, seconds = [], 0, 0, 0, 0.0
    for unit_id in units.values_list("pk", flat=True):
        with transaction.atomic():
            if nightly and (
                ControlRun.objects.filter(unit_id=unit_id, run_on=day, trigger=trigger).exists()
                or not claim(JOB, f"unit:{unit_id}:{day:%Y-%m-%d}", ctx.today)
            ):
                skipped += 1
                continue
            run = run_controls(None, day, unit_id=unit_id, trigger=trigger)
        made.append(run.pk)
        found += sum(run.found.values())
        new_flags += run.new_flags
        seconds += run.duration_ms / 1000
    return {
        "runs": made,
        "date": day.isoformat(),
        "skipped": skipped,
        "found": found,
        "new_flags": new_flags,
        "seconds": round(seconds, 1),
    }


CONTROL_RUN_JOB = Job(
    JOB,
    "Kontrollkörning (felaktiga utbetalningar till FUT-kön)",
    control_run,
    schedule=cron("45 1 * * *"),
    max_retries=3,
    backoff_seconds=300,
    description="bistand controls-run: nattligen, en körning per enhet; flaggorna hamnar i "
    "enhetens FUT-kö, en andra körning samma dag lägger inte till något.",
)
