"""`bistand serve`: the production server (gunicorn, gthread workers), sized from the CPUs.

Every figure comes from the environment (BISTAND_BIND, BISTAND_WORKERS, BISTAND_THREADS,
BISTAND_DB_POOL_MAX, ...; docs/OPERATIONS.md); the options here override them. The command
checks that workers × pool max fits the connection budget, then replaces itself by gunicorn
(SIGHUP reloads gracefully, SIGTERM stops gracefully).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bistand.ops.config import serve_config

OPTION_VARIABLES = {
    "bind": "BISTAND_BIND",
    "workers": "BISTAND_WORKERS",
    "threads": "BISTAND_THREADS",
    "pool_max": "BISTAND_DB_POOL_MAX",
}


class Command(BaseCommand):
    help = "Run Bistånd under gunicorn for production (docs/OPERATIONS.md)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--bind", help="address:port, default BISTAND_BIND or 127.0.0.1:8000")
        parser.add_argument("--workers", type=int, help="processes, default 2 × CPUs + 1")
        parser.add_argument("--threads", type=int, help="threads per process, default 4")
        parser.add_argument("--pool-max", type=int, help="database connections per process")
        parser.add_argument(
            "--check",
            action="store_true",
            help="print the sizing as JSON and exit (1 if it breaks the connection budget)",
        )

    def handle(self, *args, **options):
        for option, variable in OPTION_VARIABLES.items():
            if options.get(option) is not None:
                os.environ[variable] = str(options[option])
        try:
            config = serve_config()
        except ValueError as error:
            raise CommandError(str(error)) from None
        database = self._database_limits()
        summary = {
            "bind": config.bind,
            "workers": config.workers,
            "threads": config.threads,
            "database": connection.vendor,
            "pool": config.pool.as_option() if config.pool else None,
            "max_db_connections": config.max_db_connections,
            "connection_budget": config.connection_budget,
            "statement_timeout_s": config.statement_timeout,
            **database,
        }
        problem = config.budget_problem()
        if connection.vendor != "postgresql":
            summary["pool"] = None
            problem = None
            summary["warning"] = "SQLite: one writer at a time; use PostgreSQL in production"
        elif (available := database.get("available_connections")) is not None and (
            config.connection_budget > available
        ):
            summary["warning"] = (
                f"BISTAND_DB_CONNECTION_BUDGET={config.connection_budget} is more than the "
                f"{available} connections PostgreSQL accepts (max_connections less reserved)"
            )
        self.stdout.write(json.dumps({"event": "serve", **summary}))
        if problem:
            raise CommandError(problem)
        if options["check"]:
            return
        os.environ.setdefault("BISTAND_LOG_FORMAT", "json")
        os.environ.setdefault("BISTAND_DB_STATEMENT_TIMEOUT", str(config.statement_timeout))
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="bistand-metrics-")
        sys.stdout.flush()
        sys.stderr.flush()
        argv = [sys.executable, "-m", "gunicorn", "-c", "python:bistand.ops.gunicorn_conf"]
        os.execv(sys.executable, argv)

    @staticmethod
    def _database_limits() -> dict:
        """PostgreSQL's connection limit, read with one short connection (not the pool)."""
        if connection.vendor != "postgresql":
            return {}
        import psycopg

        params = connection.get_connection_params()
        params["connect_timeout"] = 3
        try:
            with psycopg.connect(**params) as probe:
                rows = dict(
                    probe.execute(
                        "SELECT name, setting::int FROM pg_settings WHERE name IN "
                        "('max_connections', 'superuser_reserved_connections', "
                        "'reserved_connections')"
                    ).fetchall()
                )
        except psycopg.Error as error:
            return {"database_unreachable": type(error).__name__}
        reserved = rows.get("superuser_reserved_connections", 0) + rows.get(
            "reserved_connections", 0
        )
        return {
            "max_connections": rows["max_connections"],
            "available_connections": rows["max_connections"] - reserved,
        }
