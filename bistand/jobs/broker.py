"""The task queue: Celery, with Redis (or RabbitMQ) as broker when BISTAND_BROKER_URL is set.

Without a broker every job runs in the calling process at once (`task_always_eager`), so
`make run` needs nothing but SQLite. One task, `bistand.jobs.run`, runs any registered job by
name and retries it with exponential back-off; beat's schedule comes from the registry.
"""

from __future__ import annotations

import random

from celery import Celery
from celery.schedules import crontab
from django.conf import settings

from .registry import JOBS, Job, get_job

app = Celery("bistand")
_configured_for: str | None = None


def schedule_of(job: Job, nowfun=None) -> crontab:
    minute, hour, day_of_month, month_of_year, day_of_week = job.schedule or ("*",) * 5
    return crontab(
        nowfun=nowfun,
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month_of_year=month_of_year,
        day_of_week=day_of_week,
        app=app,
    )


def beat_schedule() -> dict:
    return {
        name: {
            "task": "bistand.jobs.run",
            "schedule": schedule_of(job),
            "args": (name, {}, "schedule"),
        }
        for name, job in sorted(JOBS.items())
        if job.schedule
    }


def configure(force: bool = False) -> Celery:
    """Configure the app from Django's settings (again when the broker setting changed)."""
    global _configured_for
    broker = settings.BISTAND_BROKER_URL
    if not force and _configured_for == broker:
        return app
    app.conf.update(
        broker_url=broker or "memory://",
        # Results only where a test or `run-job --queue --wait` waits for them.
        result_backend=broker if broker.startswith(("redis://", "rediss://")) else None,
        result_expires=3600,
        task_always_eager=not broker,
        task_eager_propagates=False,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        # A job is acknowledged when done, so a worker killed mid-job gives it to another
        # (the jobs are idempotent); one job at a time per process.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 6 * 3600},
        timezone=settings.TIME_ZONE,
        enable_utc=True,
        beat_schedule=beat_schedule(),
        beat_schedule_filename=str(settings.BISTAND_BEAT_SCHEDULE_FILE),
        worker_hijack_root_logger=False,
    )
    if _configured_for is not None:
        # The broker changed in this process (tests): drop the connections and result backend
        # Celery cached for the old one.
        app._local.__dict__.pop("backend", None)
        app._pool = None
        app.amqp._producer_pool = None
    _configured_for = broker
    return app


def backoff_seconds(job: Job, retries: int) -> int:
    """Retry n (0-based) waits backoff × 2**n seconds, at most an hour, plus up to 10 % jitter."""
    base = min(job.backoff_seconds * 2**retries, 3600)
    return int(base + random.uniform(0, base / 10))


@app.task(bind=True, name="bistand.jobs.run")
def run_job(self, name: str, params: dict | None = None, trigger: str = "queue") -> dict:
    from .runner import execute

    job = get_job(name)
    retries = self.request.retries or 0
    final = retries >= job.max_retries
    try:
        run = execute(
            name,
            params,
            trigger=trigger,
            attempt=retries + 1,
            task_id=self.request.id or "",
            final=final,
        )
    except Exception as error:
        if final:
            raise
        raise self.retry(exc=error, countdown=backoff_seconds(job, retries)) from None
    return {"run": run.pk, "status": run.status, "result": run.result}


def enqueue(name: str, params: dict | None = None, *, trigger: str = "queue"):
    """Hand a job to the queue (or, without a broker, run it here and now)."""
    get_job(name)
    configure()
    return run_job.apply_async(args=(name, params or {}, trigger))
