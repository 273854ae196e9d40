"""Locust: demo staff logged in, walking the daily pages with 1-3 s of thought between clicks.

Run through bench/load_bench.py (which starts the server, counts database connections and
prints the figures); loopback only. Each simulated person logs in as its own demo colleague
(password demo-Bistand-2026; heads give the TOTP code of their demo authenticator, whose
secret load_bench.py reads from the database) and then, weighted as a working day looks: home
page, inbox, a case from the list, its work plan, search, and for heads the caseload page.

Every request and every finished log-in is written to BISTAND_LOAD_EVENTS (one JSON line
each), so that load_bench.py can report the steady state after the log-in burst.
"""

from __future__ import annotations

import hmac
import itertools
import json
import os
import random
import re
import struct
import threading
import time

from locust import FastHttpUser, between, events, task

PASSWORD = "demo-Bistand-2026"
CASE_LINK = re.compile(r'href="/arende/(\d+)/"')

_social_workers = [
    f"socialsekreterare{n:02d}" if n > 1 else "socialsekreterare" for n in range(1, 39)
]
_administrators = [
    f"bidragshandlaggare{n:02d}" if n > 1 else "bidragshandlaggare" for n in range(1, 12)
]
_heads = ["sektionschef", "sektionschef02", "sektionschef03", "sektionschef04", "enhetschef"]
_reception = ["reception"]
# A working unit: mostly case workers, a few heads and reception staff.
STAFF = _social_workers + _administrators + _heads + _reception
# After every colleague has logged in once, further simulated people reuse the logins that
# need no second factor (a TOTP code is accepted once per 30 s step, so a second session of a
# head within the same step would be refused, as it should be).
_next_login = itertools.chain(STAFF, itertools.cycle(_social_workers + _administrators))
_lock = threading.Lock()

_totp_file = os.environ.get("BISTAND_LOAD_TOTP")
TOTP_KEYS: dict[str, str] = json.loads(open(_totp_file).read()) if _totp_file else {}  # noqa: SIM115

_events_path = os.environ.get("BISTAND_LOAD_EVENTS")
_events = open(_events_path, "a", buffering=1) if _events_path else None  # noqa: SIM115


def totp(key_hex: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 (HMAC-SHA1), as django-otp's TOTPDevice with its defaults."""
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), "sha1").digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


@events.request.add_listener
def _log_request(request_type, name, response_time, exception=None, start_time=None, **kwargs):
    if _events is not None:
        _events.write(
            json.dumps(
                {
                    "t": start_time or time.time(),
                    "name": name,
                    "ms": response_time,
                    "failed": exception is not None,
                }
            )
            + "\n"
        )


class Staff(FastHttpUser):
    """FastHttpUser (geventhttpclient): the load generator runs on the same two CPUs as the
    server, and the requests-based HttpUser cost several ms of CPU per request."""

    wait_time = between(1, 3)

    def _cookie(self, name: str) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == name:
                return cookie.value or ""
        return ""

    def on_start(self):
        with _lock:
            self.username = next(_next_login)
        self.is_head = self.username in _heads
        self.case_ids: list[str] = []
        self.client.get("/login/", name="/login/")
        token = self._cookie("csrftoken")
        with self.client.post(
            "/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="/login/ (POST)",
            catch_response=True,
        ) as response:
            self.logged_in = True
            if response.url and "/login/kod/" in response.url:
                self._second_factor(response)
            elif response.url and "/login/" in response.url or not response.ok:
                self.logged_in = False
                response.failure(f"login refused for {self.username}")
        if _events is not None:
            _events.write(
                json.dumps({"t": time.time(), "login": self.username, "ok": self.logged_in}) + "\n"
            )
        self._collect_cases(self.client.get("/", name="/ (home)").text)

    def _second_factor(self, response) -> None:
        key = TOTP_KEYS.get(self.username)
        if key is None:
            self.logged_in = False
            response.failure(f"{self.username} needs a TOTP code and no secret was given")
            return
        token = self._cookie("csrftoken")
        with self.client.post(
            "/login/kod/",
            data={"token": totp(key), "csrfmiddlewaretoken": token},
            name="/login/kod/ (POST)",
            catch_response=True,
        ) as answer:
            if answer.url and "/login/" in answer.url or not answer.ok:
                self.logged_in = False
                answer.failure(f"TOTP code refused for {self.username}")

    def _collect_cases(self, page: str) -> None:
        found = CASE_LINK.findall(page)
        if found:
            self.case_ids = found[:30]

    @task(4)
    def home(self):
        self._collect_cases(self.client.get("/", name="/ (home)").text)

    @task(3)
    def inbox(self):
        self._collect_cases(self.client.get("/inkorg/", name="/inkorg/").text)

    @task(6)
    def case(self):
        if self.case_ids:
            case_id = random.choice(self.case_ids)
            self.client.get(f"/arende/{case_id}/", name="/arende/<id>/")

    @task(2)
    def plan(self):
        if self.case_ids:
            case_id = random.choice(self.case_ids)
            self.client.get(f"/planer/arende/{case_id}/", name="/planer/arende/<id>/")

    @task(1)
    def search(self):
        self.client.get("/sok/?q=Andersson", name="/sok/?q=")

    @task(1)
    def caseload(self):
        if self.is_head:
            self.client.get("/arbetsbelastning/", name="/arbetsbelastning/")
