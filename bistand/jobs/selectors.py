"""Reads for the system administrator's page: each job's last run, last success, failures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from bistand.organisation.permissions import require

from .models import JobRun, RunStatus
from .registry import JOBS, Job


@dataclass
class JobSummary:
    job: Job
    last_run: JobRun | None
    last_success: JobRun | None
    failures_7d: int


def job_summaries(user) -> list[JobSummary]:
    require(user, "view_jobs")
    since = timezone.now() - dt.timedelta(days=7)
    summaries = []
    for name, job in sorted(JOBS.items()):
        runs = JobRun.objects.filter(job=name)
        summaries.append(
            JobSummary(
                job=job,
                last_run=runs.first(),
                last_success=runs.filter(status=RunStatus.SUCCEEDED).first(),
                failures_7d=runs.filter(
                    status__in=[RunStatus.FAILED, RunStatus.RETRYING], started_at__gte=since
                ).count(),
            )
        )
    return summaries


def recent_runs(user, limit: int = 50) -> list[JobRun]:
    require(user, "view_jobs")
    return list(JobRun.objects.all()[:limit])
