"""The monthly sample draw as a scheduled job (`sample-draw`): on the first of the month,
each unit's sample of the previous month, with a new seed, unless the unit head has drawn it
already. Idempotent per unit and month: the draw is unique per unit and month, and the ledger
marks it."""

from __future__ import annotations

from django.db import transaction

from bistand.core.dates import add_months, month_start, parse_month
from bistand.core.errors import DomainError
from bistand.jobs.ledger import claim
from bistand.jobs.registry import Job, JobContext, cron
from bistand.organisation.models import Unit

from .sample_models import SampleDraw
from .sample_services import draw_sample

JOB = "sample-draw"


def draw_monthly_samples(ctx: JobContext) -> dict:
    month = (
        parse_month(ctx.params["month"])
        if ctx.params.get("month")
        else add_months(month_start(ctx.today), -1)
    )
    drawn, skipped, draw_ids = 0, 0, []
    units = Unit.objects.order_by("pk")
    if ctx.params.get("unit"):
        units = units.filter(pk=int(ctx.params["unit"]))
    for unit in units:
        if SampleDraw.objects.filter(unit=unit, month=month).exists():
            skipped += 1
            continue
        try:
            with transaction.atomic():
                if not claim(JOB, f"unit:{unit.pk}:{month:%Y-%m}", ctx.today):
                    skipped += 1
                    continue
                draw = draw_sample(None, unit, month, scheduled=True)
        except DomainError as error:
            if error.code != "already_drawn":
                raise
            skipped += 1
            continue
        drawn += 1
        draw_ids.append(draw.pk)
    return {"month": f"{month:%Y-%m}", "drawn": drawn, "skipped": skipped, "draws": draw_ids}


SAMPLE_DRAW_JOB = Job(
    JOB,
    "Månadens stickprov (internkontroll)",
    draw_monthly_samples,
    schedule=cron("15 6 1 * *"),
    max_retries=3,
    backoff_seconds=300,
    description="Drar förra månadens stickprov av beslut för varje enhet som inte redan har "
    "ett (slumpfröet sparas).",
)
