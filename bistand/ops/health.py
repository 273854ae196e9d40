"""Readiness checks for /readyz: the database, the document storage and the task broker.

Each check answers (ok, detail) quickly and never raises; the detail names the failure's kind
(an exception class), never its message, which may carry addresses or credentials.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import connections

BROKER_TIMEOUT_SECONDS = 2.0
DEFAULT_BROKER_PORTS = {"redis": 6379, "rediss": 6380, "amqp": 5672, "amqps": 5671}


def check_database() -> str | None:
    """None if `SELECT 1` answers on the default database (through the pool, if any)."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means not ready
        return type(error).__name__
    return None


def check_storage() -> str | None:
    """None if a file can be written in MEDIA_ROOT (uploaded documents and letters)."""
    try:
        os.makedirs(settings.MEDIA_ROOT, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=settings.MEDIA_ROOT, prefix=".readyz-") as probe:
            probe.write(b"ok")
            probe.flush()
    except OSError as error:
        return type(error).__name__
    return None


def check_broker(url: str) -> str | None:
    """None if the broker accepts a connection (Redis: answers PING after AUTH, if any)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_BROKER_PORTS:
        return f"unsupported scheme {scheme!r}"
    try:
        port = parts.port or DEFAULT_BROKER_PORTS[scheme]
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", port), timeout=BROKER_TIMEOUT_SECONDS
        ) as sock:
            if scheme == "redis":
                if parts.password:
                    words = [b"AUTH"]
                    if parts.username:
                        words.append(unquote(parts.username).encode())
                    words.append(unquote(parts.password).encode())
                    sock.sendall(_resp(words))
                    if not sock.recv(64).startswith(b"+OK"):
                        return "authentication refused"
                sock.sendall(_resp([b"PING"]))
                if not sock.recv(64).startswith(b"+PONG"):
                    return "no PONG"
    except (OSError, ValueError) as error:
        return type(error).__name__
    return None


def _resp(words: list[bytes]) -> bytes:
    """A Redis command in the RESP protocol."""
    out = [b"*%d\r\n" % len(words)]
    for word in words:
        out.append(b"$%d\r\n%s\r\n" % (len(word), word))
    return b"".join(out)


def readiness() -> tuple[bool, dict]:
    """(ready, body): every configured dependency and how long its check took."""
    checks: dict[str, Callable[[], str | None]] = {
        "database": check_database,
        "storage": check_storage,
    }
    broker_url = getattr(settings, "BISTAND_BROKER_URL", "")
    if broker_url:
        checks["broker"] = lambda: check_broker(broker_url)
    results = {}
    for name, check in checks.items():
        started = time.perf_counter()
        problem = check()
        result = {"ok": problem is None, "ms": round((time.perf_counter() - started) * 1000, 1)}
        if problem is not None:
            result["error"] = problem
        results[name] = result
    ready = all(result["ok"] for result in results.values())
    if not broker_url:
        results["broker"] = {"ok": True, "configured": False}
    return ready, {"status": "ready" if ready else "unavailable", "checks": results}
