"""Load benchmark: `bistand serve` on PostgreSQL under Locust, loopback only.

Starts the production server against a database holding the demo municipality, runs
bench/locustfile.py (logged-in demo staff, 1-3 s think time) for a bounded time, samples
pg_stat_activity meanwhile and prints p50/p95 per page, errors, 5xx and the most database
connections the server held, and how often server connections waited for a lock (and on
which statement). Besides the whole run (which includes the burst of Argon2 log-ins at the
start) it prints the steady state: the requests started after the last simulated person
finished logging in. Figures and the command: docs/PERFORMANCE.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bistand_wtserve_demo \\
        .venv/bin/python bench/load_bench.py --users 50 --duration 120
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import psycopg

HERE = Path(__file__).resolve().parent
APP_NAME = "bistand-load-bench"
MAX_DURATION = 600


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sampler(threading.Thread):
    """The server's connections to its database (and all connections), every 50 ms."""

    def __init__(self, database_url: str):
        super().__init__(daemon=True)
        parts = urlsplit(database_url)
        self.database = parts.path.lstrip("/")
        self.conninfo = {
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "user": parts.username or "postgres",
            "password": parts.password,
            "dbname": "postgres",
        }
        self.most_server = self.most_total = 0
        self.samples = 0
        # (wait event, first words of the statement) -> samples in which a server
        # connection waited on a lock there
        self.lock_waits: Counter = Counter()
        self.stopping = threading.Event()

    def run(self):
        with psycopg.connect(**self.conninfo, autocommit=True) as probe:
            while not self.stopping.is_set():
                rows = probe.execute(
                    "SELECT datname = %s AND application_name = %s, backend_type,"
                    " wait_event_type, wait_event, left(regexp_replace(query, '\\s+', ' ', 'g'), 60)"
                    " FROM pg_stat_activity",
                    (self.database, APP_NAME),
                ).fetchall()
                server = sum(1 for row in rows if row[0])
                total = sum(1 for row in rows if row[1] == "client backend")
                self.samples += 1
                for ours, _, wait_type, wait_event, query in rows:
                    if ours and wait_type == "Lock":
                        self.lock_waits[(wait_event, query)] += 1
                self.most_server = max(self.most_server, server)
                self.most_total = max(self.most_total, total)
                time.sleep(0.05)


class CpuSampler(threading.Thread):
    """CPU seconds used so far by the server (gunicorn master and workers), by its PostgreSQL
    backends (application_name) and by Locust, once a second, so that the steady state's CPU
    per request can be computed: a figure that, unlike latency, hardly depends on what else
    runs on the machine. Processes that ended keep their last reading."""

    def __init__(self, server_pid: int, sampler: Sampler):
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.conninfo = sampler.conninfo
        self.database = sampler.database
        self.readings: list[tuple[float, float, float, float]] = []  # (t, server, pg, locust)
        self.locust_pid: int | None = None
        self.stopping = threading.Event()
        self._last: dict[str, dict[int, float]] = {"server": {}, "pg": {}, "locust": {}}

    @staticmethod
    def _cpu(process: psutil.Process) -> float:
        times = process.cpu_times()
        return times.user + times.system

    def _tree(self, pid: int | None) -> list[psutil.Process]:
        if pid is None:
            return []
        try:
            root = psutil.Process(pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    def _total(self, kind: str, processes) -> float:
        last = self._last[kind]
        for process in processes:
            with contextlib.suppress(psutil.Error):
                last[process.pid] = self._cpu(process)
        return sum(last.values())

    def run(self):
        with psycopg.connect(**self.conninfo, autocommit=True) as probe:
            while not self.stopping.is_set():
                pids = [
                    row[0]
                    for row in probe.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = %s"
                        " AND application_name = %s",
                        (self.database, APP_NAME),
                    ).fetchall()
                ]
                backends = []
                for pid in pids:
                    with contextlib.suppress(psutil.Error):
                        backends.append(psutil.Process(pid))
                self.readings.append(
                    (
                        time.time(),
                        self._total("server", self._tree(self.server_pid)),
                        self._total("pg", backends),
                        self._total("locust", self._tree(self.locust_pid)),
                    )
                )
                time.sleep(1)

    def between(self, start: float, end: float) -> tuple[float, float, float, float] | None:
        """(seconds, server, pg, locust CPU seconds) between the readings nearest the times."""
        inside = [r for r in self.readings if start <= r[0] <= end]
        if len(inside) < 2:
            return None
        first, last = inside[0], inside[-1]
        return (
            last[0] - first[0],
            last[1] - first[1],
            last[2] - first[2],
            last[3] - first[3],
        )


def totp_keys(database_url: str) -> dict[str, str]:
    """The demo's confirmed TOTP secrets by username (heads log in with a code)."""
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT u.username, d.key FROM otp_totp_totpdevice d"
            " JOIN organisation_user u ON u.id = d.user_id WHERE d.confirmed"
        ).fetchall()
    return dict(rows)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (values sorted)."""
    if not values:
        return 0.0
    index = max(0, min(len(values) - 1, round(share * len(values) + 0.5) - 1))
    return values[index]


def read_events(path: Path) -> tuple[list[dict], list[float], int]:
    """Requests, the times log-ins finished, and how many log-ins failed."""
    requests, logins, refused = [], [], 0
    if path.exists():
        for line in path.read_text().splitlines():
            event = json.loads(line)
            if "login" in event:
                logins.append(event["t"])
                refused += not event.get("ok", True)
            else:
                requests.append(event)
    return requests, logins, refused


def print_table(title: str, requests: list[dict]) -> None:
    by_name: dict[str, list[dict]] = {}
    for request in requests:
        by_name.setdefault(request["name"], []).append(request)
    print(title)
    print(f"{'page':<28}{'requests':>9}{'fails':>7}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}")
    for name, group in [*sorted(by_name.items()), ("Aggregated", requests)]:
        times = sorted(r["ms"] for r in group)
        fails = sum(1 for r in group if r["failed"])
        print(
            f"{name:<28}{len(group):>9}{fails:>7}{percentile(times, 0.5):>8.0f}"
            f"{percentile(times, 0.95):>8.0f}{percentile(times, 0.99):>8.0f}"
        )


def wait_for(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"bistand serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit("bistand serve did not become ready in 60 s")


def server_errors(base: str) -> float:
    """The server's 5xx counter (after a saturating run the server may still be draining its
    queue: wait up to a minute)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/metrics", timeout=10) as response:
                text = response.read().decode()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("bistand_http_server_errors_total{")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=120, help="seconds (at most 600)")
    parser.add_argument("--workers", type=int, help="default: bistand serve's (2 × CPUs + 1)")
    parser.add_argument("--threads", type=int, help="default: bistand serve's (1)")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database holding `bistand demo`.")
    if (urlsplit(database_url).hostname or "127.0.0.1") not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("The benchmark runs against this machine only (database on 127.0.0.1).")
    duration = min(args.duration, MAX_DURATION)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    work = Path(tempfile.mkdtemp(prefix="bistand-load-"))
    env = {
        **os.environ,
        "PGAPPNAME": APP_NAME,
        "BISTAND_LOG_LEVEL": "WARNING",
        "BISTAND_MEDIA_ROOT": str(work / "media"),
        "BISTAND_AUDIT_ANCHOR_FILE": str(work / "anchors.jsonl"),
        "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics"),
        # Production settings: debug off (with debug on, Django records every statement of
        # every request and the figures measure that). Throwaway keys unless given; plain HTTP
        # on loopback, so no secure-only cookies and no redirect to HTTPS (a proxy terminates
        # TLS in production).
        "BISTAND_DEBUG": "0",
        "BISTAND_SECRET_KEY": os.environ.get("BISTAND_SECRET_KEY") or secrets.token_urlsafe(50),
        "BISTAND_AUDIT_KEY": os.environ.get("BISTAND_AUDIT_KEY") or secrets.token_urlsafe(48),
        "BISTAND_SECURE_COOKIES": "0",
        "BISTAND_SSL_REDIRECT": "0",
    }
    (work / "totp.json").write_text(json.dumps(totp_keys(database_url)))
    locust_env = {
        **os.environ,
        "BISTAND_LOAD_TOTP": str(work / "totp.json"),
        "BISTAND_LOAD_EVENTS": str(work / "events.jsonl"),
    }
    command = [sys.executable, "-m", "bistand", "serve", "--bind", f"127.0.0.1:{port}"]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    serve_log = open(work / "serve.log", "w")  # noqa: SIM115 - open for the server's lifetime
    server = subprocess.Popen(command, env=env, stdout=serve_log, stderr=subprocess.STDOUT)
    sampler = Sampler(database_url)
    cpu = CpuSampler(server.pid, sampler)
    try:
        wait_for(base, server)
        first_line = (work / "serve.log").read_text().splitlines()[0]
        print(f"server: {first_line}")
        sampler.start()
        cpu.start()
        locust = [
            sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
            "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{duration}s",
            "--host", base, "--csv", str(work / "locust"), "--only-summary",
            "--stop-timeout", "5", "--loglevel", "WARNING",
        ]  # fmt: skip
        started = time.monotonic()
        load_before = os.getloadavg()[0]
        with subprocess.Popen(locust, env=locust_env) as load:
            cpu.locust_pid = load.pid
            load.wait(timeout=duration + 60)
        elapsed = time.monotonic() - started
        load_after = os.getloadavg()[0]
        fivexx = server_errors(base)
    finally:
        sampler.stopping.set()
        cpu.stopping.set()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        serve_log.close()

    with open(work / "locust_stats.csv") as stats:
        rows = list(csv.DictReader(stats))
    print(f"\n{args.users} users, 1-3 s think time, {elapsed:.0f} s (locust on the same 2 CPUs)")
    print(f"{'page':<28}{'requests':>9}{'fails':>7}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}")
    for row in rows:
        print(
            f"{row['Name']:<28}{row['Request Count']:>9}{row['Failure Count']:>7}"
            f"{row['50%']:>8}{row['95%']:>8}{row['99%']:>8}"
        )
    total = rows[-1]
    print(f"\nrequests/s: {float(total['Requests/s']):.1f}")
    print(
        f"errors (locust failures): {total['Failure Count']}; 5xx counted by the server: {fivexx:.0f}"
    )
    print(f"most database connections held by the server: {sampler.most_server}")
    print(f"most client connections on the PostgreSQL server: {sampler.most_total}")
    print(f"load average (1 min) before/after: {load_before:.1f} / {load_after:.1f}")
    print("server settings: BISTAND_DEBUG=0 (production)")

    requests, logins, refused = read_events(work / "events.jsonl")
    if refused:
        print(f"\n{refused} simulated users were NOT logged in (their pages are not real reads)")
    if requests:
        started_at = min(r["t"] for r in requests)
        if len(logins) >= args.users:
            steady_from = max(logins)
            steady = [r for r in requests if r["t"] >= steady_from]
            print_table(
                f"\nsteady state: {len(steady)} requests started after the last log-in "
                f"({steady_from - started_at:.0f} s into the run; every user logged in)",
                steady,
            )
            span = max(r["t"] for r in steady) - steady_from if steady else 0
            if span > 0:
                print(f"requests/s (steady state): {len(steady) / span:.1f}")
            used = cpu.between(steady_from, max(r["t"] for r in steady)) if steady else None
            if used:
                seconds, server_cpu, pg_cpu, locust_cpu = used
                rate = len([r for r in steady if r["t"] <= steady_from + seconds]) or 1
                print(
                    f"CPU per steady-state request: server {1000 * server_cpu / rate:.1f} ms,"
                    f" PostgreSQL {1000 * pg_cpu / rate:.1f} ms, Locust {1000 * locust_cpu / rate:.1f} ms"
                    f" (CPU busy: server {100 * server_cpu / seconds:.0f} %,"
                    f" PostgreSQL {100 * pg_cpu / seconds:.0f} %, Locust {100 * locust_cpu / seconds:.0f} %"
                    f" of one core)"
                )
        else:
            print(f"\nno steady state: only {len(logins)} of {args.users} users logged in")
    waits = sum(sampler.lock_waits.values())
    print(
        f"\nlock waits (server connections waiting on a lock, {sampler.samples} samples "
        f"every 50 ms): {waits} connection-samples"
    )
    for (event, query), count in sampler.lock_waits.most_common(5):
        print(f"  {count:>6}  {event:<14} {query}")
    print(f"logs and CSV: {work}")


if __name__ == "__main__":
    main()
