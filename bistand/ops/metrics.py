"""Prometheus metrics: request latency per view and status, server errors, process figures.

Under `bistand serve` with several workers PROMETHEUS_MULTIPROC_DIR is set (the server makes
and empties it at start): every worker writes its figures to files there and /metrics adds
them up, so any worker answers for all. Without it (runserver, tests) the process's own
registry is shown, with the client's standard process and Python collectors.
"""

from __future__ import annotations

import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.process_collector import ProcessCollector

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

# Pages are meant to answer within 200 ms (docs/PERFORMANCE.md); statistics may take seconds.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0, 5.0, 10.0, 30.0)

REQUEST_SECONDS = Histogram(
    "bistand_http_request_duration_seconds",
    "Time from the first middleware to the response, per view and status.",
    ["view", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
SERVER_ERRORS = Counter(
    "bistand_http_server_errors",
    "Responses with a 5xx status, per view.",
    ["view", "status"],
)
# One series per live worker (pid label in multiprocess mode; dead workers are dropped when
# gunicorn reports their exit, see bistand.ops.gunicorn_conf.child_exit).
WORKER_MEMORY = Gauge(
    "bistand_worker_resident_memory_bytes",
    "Resident memory of the worker process.",
    multiprocess_mode="liveall",
)
WORKER_CPU = Gauge(
    "bistand_worker_cpu_seconds",
    "CPU time the worker process has used (user + system).",
    multiprocess_mode="liveall",
)
WORKER_FDS = Gauge(
    "bistand_worker_open_fds",
    "Open file descriptors of the worker process.",
    multiprocess_mode="liveall",
)
WORKER_STARTED = Gauge(
    "bistand_worker_start_time_seconds",
    "When the worker process started (Unix time).",
    multiprocess_mode="liveall",
)

_PROCESS = ProcessCollector(registry=None)
_PROCESS_EVERY_SECONDS = 5.0
_process_read_at = 0.0


def observe_request(view: str, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(view, method, str(status)).observe(seconds)
    if status >= 500:
        SERVER_ERRORS.labels(view, str(status)).inc()
    _refresh_process_figures()


def _refresh_process_figures(now: float | None = None) -> None:
    """Copy this process's figures into the worker gauges, at most every few seconds."""
    global _process_read_at
    now = time.monotonic() if now is None else now
    if now - _process_read_at < _PROCESS_EVERY_SECONDS:
        return
    _process_read_at = now
    targets = {
        "process_resident_memory_bytes": WORKER_MEMORY,
        "process_cpu_seconds_total": WORKER_CPU,
        "process_open_fds": WORKER_FDS,
        "process_start_time_seconds": WORKER_STARTED,
    }
    for family in _PROCESS.collect():
        for sample in family.samples:
            gauge = targets.get(sample.name)
            if gauge is not None:
                gauge.set(sample.value)


def exposition() -> tuple[bytes, str]:
    """The metrics text and its content type."""
    _refresh_process_figures(now=time.monotonic() + _PROCESS_EVERY_SECONDS)
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
