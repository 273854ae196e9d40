"""The statistics rebuild as a background job (`bistand stats-refresh`)."""

from __future__ import annotations

from bistand.core.dates import add_months, month_start
from bistand.jobs.registry import Job, JobContext, cron

from .periods import month_key
from .refresh import refresh_months, stale_months


def stats_refresh(ctx: JobContext) -> dict:
    """Rebuild the months the payment triggers marked (after a bank report: `stale`), and
    nightly also this and last month. A rebuild replaces a month's rows: idempotent."""
    months = stale_months()
    if not ctx.params.get("stale"):
        current = month_start(ctx.today)
        months += [add_months(current, -1), current]
    result = refresh_months(months)
    return {
        "months": [month_key(m) for m in result.months],
        "households": result.households,
        "recipients": result.recipients,
        "seconds": round(result.seconds, 1),
    }


STATS_REFRESH_JOB = Job(
    "stats-refresh",
    "Statistikens sammanställningar",
    stats_refresh,
    schedule=cron("15 3 * * *"),
    max_retries=3,
    backoff_seconds=120,
    description="bistand stats-refresh: nattligen, och för de markerade månaderna efter varje "
    "inläst bankrapport.",
)
