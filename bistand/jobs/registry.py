"""The jobs the queue knows: each app registers its own in AppConfig.ready() (extensible).

A job is a plain function `run(ctx) -> dict` (the dict is a short result without personal
data: counts, months, ids of records of the job's own). It must be idempotent: running it
twice on the same day makes no second decision, reminder or notification (ledger.claim).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class JobContext:
    """What a job run knows: the day it runs for, its parameters and how it was started."""

    today: dt.date
    params: dict[str, Any] = field(default_factory=dict)
    trigger: str = "manual"
    run_id: int | None = None


@dataclass(frozen=True)
class Job:
    name: str
    label: str
    run: Callable[[JobContext], dict]
    # Cron fields (minute, hour, day_of_month, month_of_year, day_of_week) in Europe/Stockholm,
    # or None: only on demand (a hook or `bistand run-job`).
    schedule: tuple[str, str, str, str, str] | None = None
    max_retries: int = 3
    # Back-off: retry n waits backoff_seconds × 2**n (capped at an hour), with jitter.
    backoff_seconds: int = 60
    description: str = ""


JOBS: dict[str, Job] = {}


def register_job(job: Job) -> None:
    """Add or replace a job (replacing lets a placeholder be filled by the app that owns it)."""
    JOBS[job.name] = job


def get_job(name: str) -> Job:
    try:
        return JOBS[name]
    except KeyError:
        raise KeyError(f"unknown job {name!r}; known: {', '.join(sorted(JOBS))}") from None


def cron(spec: str) -> tuple[str, str, str, str, str]:
    """'30 2 * * *' -> ('30', '2', '*', '*', '*')."""
    fields = spec.split()
    if len(fields) != 5:
        raise ValueError(f"a cron schedule has five fields, not {spec!r}")
    return tuple(fields)  # type: ignore[return-value]
