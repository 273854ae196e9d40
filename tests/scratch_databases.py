"""Scratch databases for tests that run real `bistand` processes: each a database of its own,
SQLite files or PostgreSQL databases on the suite's server, matching the backend the suite
runs on (tests/payments/test_crash.py, tests/ops/test_createschema.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import dj_database_url
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


class Databases:
    """A seed database (`seed_url`) and fresh copies of it (`fresh()`), dropped by `drop_all`."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.created: list[str] = []
        if is_postgres():
            config = dj_database_url.parse(os.environ["DATABASE_URL"])
            self.pg = {
                k: config[k.upper()] for k in ("user", "host", "port") if config.get(k.upper())
            }
            self.pg["password"] = config.get("PASSWORD") or ""
            self.template = f"bistand_scratch_{uuid.uuid4().hex[:8]}"
            self._admin(f'CREATE DATABASE "{self.template}"')
            self.created.append(self.template)
            self.seed_url = self._url(self.template)
        else:
            self.template = str(workdir / "seed.sqlite3")
            self.seed_url = f"sqlite:///{self.template}"

    def _url(self, name: str) -> str:
        auth = self.pg["user"] + (f":{self.pg['password']}" if self.pg["password"] else "")
        return f"postgres://{auth}@{self.pg['host']}:{self.pg.get('port') or 5432}/{name}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            dbname="postgres",
            user=self.pg["user"],
            host=self.pg["host"],
            port=self.pg.get("port") or 5432,
            password=self.pg["password"] or None,
            autocommit=True,
        ) as connection:
            connection.execute(sql)

    def fresh(self) -> str:
        if is_postgres():
            name = f"bistand_scratch_{uuid.uuid4().hex[:8]}"
            self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
            self.created.append(name)
            return self._url(name)
        path = self.workdir / f"{uuid.uuid4().hex[:8]}.sqlite3"
        shutil.copy(self.template, path)
        return f"sqlite:///{path}"

    def drop_all(self) -> None:
        if is_postgres():
            for name in reversed(self.created):
                self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def env(url: str, **extra) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bistand.settings"}
    env.pop("BISTAND_PAYRUN_PAUSE_AT", None)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def run(args: list[str], url: str, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env(url, **extra),
        capture_output=True,
        text=True,
        timeout=600,
    )
