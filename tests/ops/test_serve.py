"""`bistand serve` on PostgreSQL under a burst of log-ins (issue #15).

Starts the real server (gunicorn, 2 workers × 4 threads, pool max 4 each: 8 connections at
most) against the test database, lets 60 clients log in at once and open the daily pages, and
samples pg_stat_activity meanwhile. Before the pool, the threaded server kept a connection per
thread until PostgreSQL refused clients and the app answered 500.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import psycopg
import pytest
from django.db import connection

from bistand.organisation.hashers import OwaspArgon2PasswordHasher as Argon2PasswordHasher
from bistand.organisation.models import User

pytestmark = [pytest.mark.slow]

PASSWORD = "burst-Test-2026"
CLIENTS = 60
WORKERS, THREADS, POOL_MAX = 2, 4, 4
APP_NAME = "bistand-serve-test"
PAGES = ["/", "/inkorg/", "/sok/"]


class Client:
    """One browser: its own cookies; logs in through the form like a person."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=45) as response:
                return response.status, response.geturl()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl()

    def log_in(self, username: str) -> tuple[int, str]:
        self.request("/login/")
        token = next(c.value for c in self.cookies if c.name == "csrftoken")
        return self.request(
            "/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        )


class ConnectionSampler(threading.Thread):
    """Counts the server's connections to the test database every 20 ms (own connection to
    the `postgres` database, so it does not count itself)."""

    def __init__(self, conninfo: dict, database: str):
        super().__init__(daemon=True)
        self.conninfo, self.database = conninfo, database
        self.most = 0
        self.samples = 0
        self.stopping = threading.Event()

    def run(self):
        with psycopg.connect(**self.conninfo, dbname="postgres", autocommit=True) as probe:
            while not self.stopping.is_set():
                (count,) = probe.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = %s AND application_name = %s",
                    (self.database, APP_NAME),
                ).fetchone()
                self.most = max(self.most, count)
                self.samples += 1
                time.sleep(0.02)


def _wait_until_up(base: str, server: subprocess.Popen, log_path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"bistand serve exited {server.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"bistand serve did not answer /healthz in 30 s:\n{log_path.read_text()}")


@pytest.fixture
def users(transactional_db, org):
    """Four case-handling staff of roles that log in with a password alone (chefs, finance and
    administrators also give a TOTP code), with a real Argon2 hash (the server's hasher)."""
    people = [org.reception, org.social_worker, org.benefit_admin, org.other_social_worker]
    encoded = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    User.objects.filter(pk__in=[p.pk for p in people]).update(password=encoded)
    return [p.username for p in people]


@pytest.fixture
def server(users, tmp_path, unused_port):
    if connection.vendor != "postgresql":
        pytest.skip("the connection pool is PostgreSQL's (DATABASE_URL=postgres://...)")
    settings_dict = connection.settings_dict
    url = (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:"
        f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PGAPPNAME": APP_NAME,
        "BISTAND_DB_POOL_MAX": str(POOL_MAX),
        "BISTAND_DB_CONNECTION_BUDGET": str(WORKERS * POOL_MAX),
        "BISTAND_MEDIA_ROOT": str(tmp_path / "media"),
        "BISTAND_AUDIT_ANCHOR_FILE": str(tmp_path / "anchors.jsonl"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "BISTAND_LOG_LEVEL": "WARNING",
    }
    log_path = tmp_path / "serve.log"
    command = [sys.executable, "-m", "bistand", "serve", "--bind", f"127.0.0.1:{unused_port}"]
    command += ["--workers", str(WORKERS), "--threads", str(THREADS)]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{unused_port}"
    try:
        _wait_until_up(base, process, log_path)
        yield base, settings_dict, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.django_db(transaction=True)
def test_sixty_simultaneous_log_ins_get_no_server_error_within_the_connection_budget(server):
    base, settings_dict, log_path = server
    conninfo = {
        "host": settings_dict["HOST"] or "127.0.0.1",
        "port": settings_dict["PORT"] or 5432,
        "user": settings_dict["USER"],
    }
    sampler = ConnectionSampler(conninfo, settings_dict["NAME"])
    sampler.start()
    usernames = User.objects.filter(password__startswith="argon2").values_list(
        "username", flat=True
    )
    usernames = sorted(usernames)
    start = threading.Barrier(CLIENTS)
    results: list[tuple[str, int, str]] = []
    lock = threading.Lock()

    def browse(index: int):
        client = Client(base)
        username = usernames[index % len(usernames)]
        start.wait()
        outcome = [("login", *client.log_in(username))]
        outcome += [(page, *client.request(page)) for page in PAGES]
        with lock:
            results.extend(outcome)

    threads = [threading.Thread(target=browse, args=(i,)) for i in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=50)
    elapsed = time.monotonic() - started
    sampler.stopping.set()
    sampler.join(timeout=5)

    assert len(results) == CLIENTS * (1 + len(PAGES)), f"clients hung ({elapsed:.0f} s)"
    server_errors = [r for r in results if r[1] >= 500]
    assert not server_errors, (server_errors[:5], log_path.read_text()[-3000:])
    not_logged_in = [r for r in results if r[1] != 200 or "/login/" in r[2]]
    assert not not_logged_in, not_logged_in[:5]
    assert sampler.samples > 10
    assert 0 < sampler.most <= WORKERS * POOL_MAX, sampler.most

    with urllib.request.urlopen(base + "/metrics", timeout=5) as response:
        metrics = response.read().decode()
    served = sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("bistand_http_request_duration_seconds_count{")
    )
    assert served >= CLIENTS * (2 + len(PAGES)), "every worker's requests are counted"
    print(json.dumps({"seconds": round(elapsed, 1), "most_connections": sampler.most}))
