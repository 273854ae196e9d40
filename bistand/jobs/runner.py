"""Running one job once, in this process, with a JobRun row for the administrator's page."""

from __future__ import annotations

from django.utils import timezone

from bistand.core.errors import DomainError

from .models import JobRun, RunStatus
from .registry import JobContext, get_job


def describe(error: BaseException) -> str:
    """The error as stored: the type, and a domain error's own (Swedish) message; never the
    text of another exception, which may quote a database row."""
    if isinstance(error, DomainError):
        return f"{type(error).__name__}: {error.message}"[:500]
    return type(error).__name__[:500]


def execute(
    name: str,
    params: dict | None = None,
    *,
    trigger: str = "manual",
    attempt: int = 1,
    task_id: str = "",
    final: bool = True,
) -> JobRun:
    """Run the job now and record it; re-raises the job's error after recording it (as
    RETRYING when another attempt will follow, else FAILED)."""
    job = get_job(name)
    run = JobRun.objects.create(
        job=name,
        trigger=trigger,
        attempt=attempt,
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
        task_id=task_id or "",
    )
    context = JobContext(
        today=timezone.localdate(), params=dict(params or {}), trigger=trigger, run_id=run.pk
    )
    try:
        result = job.run(context) or {}
    except Exception as error:
        run.status = RunStatus.FAILED if final else RunStatus.RETRYING
        run.error = describe(error)
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    run.status = RunStatus.SUCCEEDED
    run.result = result
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "result", "finished_at"])
    return run
