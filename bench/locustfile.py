"""Locust: demo staff logged in, walking the daily pages with 1-3 s of thought between clicks.

Run through bench/load_bench.py (which starts the server, counts database connections and
prints the figures); loopback only. Each simulated person logs in as its own demo colleague
(password demo-Bistand-2026) and then, weighted as a working day looks: home page, inbox,
a case from the list, its work plan, search, and for heads the caseload page.
"""

from __future__ import annotations

import itertools
import random
import re
import threading

from locust import HttpUser, between, task

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
_next_login = itertools.cycle(STAFF)
_lock = threading.Lock()


class Staff(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        with _lock:
            self.username = next(_next_login)
        self.is_head = self.username in _heads
        self.case_ids: list[str] = []
        self.client.get("/login/", name="/login/")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="/login/ (POST)",
            catch_response=True,
        ) as response:
            if response.url and "/login/" in response.url:
                response.failure(f"login refused for {self.username}")
        self._collect_cases(self.client.get("/", name="/ (home)").text)

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
