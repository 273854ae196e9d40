"""The nightly repeat-decision batch as a background job (`bistand decide-batch`)."""

from __future__ import annotations

from django.conf import settings

from bistand.core.dates import month_start, parse_month
from bistand.core.errors import DomainError
from bistand.jobs.registry import Job, JobContext, cron
from bistand.organisation.models import User

from .services import run_decide_batch


def decide_batch(ctx: JobContext) -> dict:
    """Prepare (or decide, where the unit allows it) the month's qualifying repeat
    applications. Idempotent by the application's status: a decided application is no longer
    undecided, so a second run makes no second decision."""
    month = parse_month(ctx.params["month"]) if ctx.params.get("month") else month_start(ctx.today)
    username = ctx.params.get("user") or settings.BISTAND_DECIDE_BATCH_USER
    actor = None
    if username:
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise DomainError("unknown_user", f"Användaren {username} finns inte eller är inaktiv.")
    report = run_decide_batch(actor, month, dry_run=actor is None)
    return {
        "month": f"{month:%Y-%m}",
        "dry_run": report.dry_run,
        "assessed": len(report.rows),
        "qualifying": len(report.qualifying),
        "decided": sum(1 for row in report.rows if row.decision is not None),
        "errors": sum(1 for row in report.rows if row.error),
        "sampled": len(report.sampled),
    }


DECIDE_BATCH_JOB = Job(
    "decide-batch",
    "Fortsatta ansökningar (nattlig beslutskörning)",
    decide_batch,
    schedule=cron("30 2 * * *"),
    max_retries=3,
    backoff_seconds=300,
    description="bistand decide-batch för innevarande månad, som BISTAND_DECIDE_BATCH_USER "
    "(utan den: bara provkörning).",
)
