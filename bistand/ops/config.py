"""The production server's settings, read from the environment (plain Python, no Django).

One place for the figures that must agree: gunicorn's workers and threads, and the database
pool each worker opens. `workers × pool max` is the most connections the web tier can hold,
and it must stay within BISTAND_DB_CONNECTION_BUDGET (docs/OPERATIONS.md, pool sizing).
"""

from __future__ import annotations

import os
from dataclasses import dataclass


def cpu_count() -> int:
    """CPUs this process may run on (a container's or taskset's limit, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _int(environ, name: str, default: int, *, minimum: int = 0) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    return value


def _float(environ, name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive, not {value}")
    return value


@dataclass(frozen=True)
class PoolConfig:
    """The psycopg pool of one process (Django's native pool, PostgreSQL only)."""

    min_size: int
    max_size: int
    timeout: float

    def as_option(self) -> dict:
        return {"min_size": self.min_size, "max_size": self.max_size, "timeout": self.timeout}


def pool_config(environ=os.environ) -> PoolConfig | None:
    """None when BISTAND_DB_POOL_MAX=0 (no pool: one short connection per request)."""
    # At least 4: processes other than a one-thread web worker (the test server beside its
    # tests, a command with threads) need more than one; a pool opens them only when used.
    max_size = _int(environ, "BISTAND_DB_POOL_MAX", max(default_threads(environ), 4))
    if max_size == 0:
        return None
    min_size = min(_int(environ, "BISTAND_DB_POOL_MIN", 1), max_size)
    timeout = _float(environ, "BISTAND_DB_POOL_TIMEOUT", 10.0)
    return PoolConfig(min_size=min_size, max_size=max_size, timeout=timeout)


def default_threads(environ=os.environ) -> int:
    """One thread per worker by default: the pages are CPU-bound Python, and threads of one
    process contend for its interpreter lock (measured under load on 2 CPUs: 4 threads per
    worker cost 139 ms of server CPU per request, 1 thread 100-115 ms; docs/PERFORMANCE.md)."""
    return _int(environ, "BISTAND_THREADS", 1, minimum=1)


@dataclass(frozen=True)
class ServeConfig:
    bind: str
    workers: int
    threads: int
    timeout: int
    graceful_timeout: int
    keepalive: int
    max_requests: int
    max_requests_jitter: int
    pool: PoolConfig | None
    connection_budget: int
    statement_timeout: int

    @property
    def max_db_connections(self) -> int:
        """The most PostgreSQL connections the web tier may hold: workers × pool max."""
        if self.pool is None:
            return self.workers * self.threads
        return self.workers * self.pool.max_size

    def budget_problem(self) -> str | None:
        """Why this sizing would break the connection budget, or None."""
        if self.max_db_connections <= self.connection_budget:
            return None
        per_worker = self.pool.max_size if self.pool else self.threads
        return (
            f"{self.workers} workers × {per_worker} database connections = "
            f"{self.max_db_connections}, more than BISTAND_DB_CONNECTION_BUDGET="
            f"{self.connection_budget}; lower BISTAND_WORKERS or BISTAND_DB_POOL_MAX, or raise "
            "the budget (and PostgreSQL's max_connections) (docs/OPERATIONS.md)"
        )


def serve_config(environ=os.environ) -> ServeConfig:
    """Every BISTAND_* figure of `bistand serve`, with its default."""
    threads = default_threads(environ)
    timeout = _int(environ, "BISTAND_TIMEOUT", 60, minimum=1)
    return ServeConfig(
        bind=environ.get("BISTAND_BIND", "").strip() or "127.0.0.1:8000",
        # gunicorn's rule of thumb, 2 × CPUs + 1: a worker waiting on PostgreSQL leaves its
        # CPU to another, and each worker has its own interpreter lock.
        workers=_int(environ, "BISTAND_WORKERS", 2 * cpu_count() + 1, minimum=1),
        threads=threads,
        timeout=timeout,
        graceful_timeout=_int(environ, "BISTAND_GRACEFUL_TIMEOUT", 30, minimum=1),
        keepalive=_int(environ, "BISTAND_KEEPALIVE", 5, minimum=0),
        max_requests=_int(environ, "BISTAND_MAX_REQUESTS", 2000),
        max_requests_jitter=_int(environ, "BISTAND_MAX_REQUESTS_JITTER", 200),
        pool=pool_config(environ),
        connection_budget=_int(environ, "BISTAND_DB_CONNECTION_BUDGET", 60, minimum=1),
        statement_timeout=_int(environ, "BISTAND_DB_STATEMENT_TIMEOUT", 30),
    )
