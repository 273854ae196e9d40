"""Queries and time per page for each role's daily pages, on a database holding the demo.

    DATABASE_URL=sqlite:////tmp/wtq-demo.sqlite3 .venv/bin/bistand migrate
    DATABASE_URL=sqlite:////tmp/wtq-demo.sqlite3 .venv/bin/bistand demo
    DATABASE_URL=sqlite:////tmp/wtq-demo.sqlite3 .venv/bin/python bench/page_queries.py

Each page is requested through Django's test client (full middleware, session login) as the
demo user of the role, once to warm up and then --repeat times; the table shows the queries
of the last request (the access-log write included), the largest number of identical
statements up to their literals (an N+1 shows as a large repeat), the median and
95th-percentile time (use --repeat 20 or more for a p95 worth the name) and the median CPU
time of this process (`time.process_time`: without the database's share and without the time
the process waited for a CPU, so it changes little with the machine's load; the figure to
compare between two versions of the code on a busy machine). Every request writes its
access-log rows, as in production, so use a scratch database.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


def _shape(sql: str) -> str:
    """The statement with its literals replaced, so per-row repeats of one query count as one."""
    return _LITERALS.sub("?", sql)


def _p95(times: list[float]) -> float:
    """The 95th percentile of the timed requests (the largest one below 20 requests)."""
    if len(times) < 20:
        return max(times)
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bistand.settings")
    import django

    django.setup()


def _pages(users: dict) -> list[tuple[str, str, str]]:
    """(role's username, page name, url) for each role's daily pages in the demo."""
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from bistand.cases.models import Case, CaseStatus
    from bistand.decisions.models import Calculation, Decision
    from bistand.workplans.models import WorkPlan

    worker = users["socialsekreterare"]
    administrator = users["bidragshandlaggare"]
    pages: list[tuple[str, str, str]] = []

    def worker_case(user, **filters):
        return (
            Case.objects.filter(handler=user, **filters)
            .exclude(status=CaseStatus.CLOSED)
            .order_by("id")
            .first()
        )

    month = timezone.localdate().strftime("%Y-%m")
    for username in ("socialsekreterare", "bidragshandlaggare", "sektionschef", "enhetschef"):
        pages.append((username, "Mina ärenden (home)", reverse("home")))
    for username in ("socialsekreterare", "bidragshandlaggare", "sektionschef", "enhetschef"):
        pages.append((username, "Inkorg", reverse("inbox")))
    for user in (worker, administrator):
        case = worker_case(user, investigation__isnull=False) or worker_case(user)
        if case is None:
            continue
        pages.append((user.username, "Ärende (case page)", reverse("case_detail", args=[case.pk])))
        # The first case by id is short; the load test clicks any case of the user's list,
        # most with a year or more of monthly applications, decisions and payments.
        long_case = (
            Case.objects.filter(handler=user)
            .exclude(status=CaseStatus.CLOSED)
            .annotate(n=Count("decisions"))
            .order_by("-n", "id")
            .first()
        )
        if long_case is not None and long_case.pk != case.pk:
            pages.append(
                (
                    user.username,
                    "Ärende (lång historik)",
                    reverse("case_detail", args=[long_case.pk]),
                )
            )
        if user is worker:  # the benefit administrator does not edit investigations (403)
            pages.append((user.username, "Utredning", reverse("investigation", args=[case.pk])))
        calculation = (
            Calculation.objects.filter(case=case, saved_at__isnull=False).order_by("-id").first()
        )
        if calculation:
            pages.append(
                (
                    user.username,
                    "Beräkning",
                    reverse("decisions:calculation", args=[calculation.pk]),
                )
            )
        decision = Decision.objects.filter(case=case).order_by("-id").first()
        if decision:
            pages.append(
                (user.username, "Beslut", reverse("decisions:decision", args=[decision.pk]))
            )
    plan = (
        WorkPlan.objects.filter(case__handler=worker).order_by("id").first()
        or WorkPlan.objects.filter(case__section_id=worker.section_id).order_by("id").first()
    )
    if plan:
        pages.append(
            ("socialsekreterare", "Arbetsplan", reverse("workplans:case_plan", args=[plan.case_id]))
        )
    for username in ("sektionschef", "enhetschef"):
        pages.append((username, "Planöversikt", reverse("workplans:overview")))
    for username in ("bidragshandlaggare", "sektionschef", "enhetschef"):
        pages.append(
            (username, "Fortsatta ansökningar", reverse("decisions:batch") + f"?month={month}")
        )
    for username in ("sektionschef", "enhetschef"):
        pages.append((username, "Arbetsbelastning", reverse("caseload")))
        pages.append((username, "Medarbetarens ärenden", reverse("worker_cases", args=[worker.pk])))
        pages.append((username, "Beslut chef (overview)", reverse("decisions:overview")))
    for username in ("socialsekreterare", "bidragshandlaggare"):
        pages.append((username, "Sök person", reverse("search") + "?q=an"))
    # Work lists (issue #13): searched, filtered, sorted and a later page, as a user clicks.
    lists = [
        ("socialsekreterare", "Lista: Mina ärenden sök", reverse("home") + "?q=an"),
        ("bidragshandlaggare", "Lista: Mina ärenden sort", reverse("home") + "?sort=-applicant"),
        ("bidragshandlaggare", "Lista: Mina ärenden sida 2", reverse("home") + "?page=2"),
        ("sektionschef", "Lista: Inkorg filter", reverse("inbox") + "?waiting=5&sort=applicant"),
        ("enhetschef", "Lista: Inkorg sök", reverse("inbox") + "?q=son&sort=-waiting"),
        ("sektionschef", "Lista: Inkorg sida 2", reverse("inbox") + "?page=2"),
        ("enhetschef", "Lista: Ej tilldelade", reverse("caseload") + "?sort=applicant&page=2"),
        (
            "sektionschef",
            "Lista: Medarbetare filter",
            reverse("worker_cases", args=[worker.pk]) + "?case_type=A&sort=contact",
        ),
        ("socialsekreterare", "Lista: Sök person sida 2", reverse("search") + "?q=an&page=2"),
        ("socialsekreterare", "Lista: htmx Inkorg", reverse("inbox") + "?kind=repeat&htmx=1"),
        ("ekonom", "Mottagarregister", reverse("payments:payees")),
        ("ekonom", "Lista: Mottagarregister sök", reverse("payments:payees") + "?q=ab&sort=-name"),
    ]
    pages.extend(lists)
    for username in ("ekonom",):
        pages.append((username, "Utbetalningskö", reverse("payments:queue")))
        pages.append((username, "Betalningsfiler", reverse("payments:runs")))
    for username in ("bidragshandlaggare", "sektionschef", "enhetschef"):
        pages.append((username, "Attestkö", reverse("payments:attest_queue")))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page")
    parser.add_argument("--only", default="", help="only pages whose name contains this")
    parser.add_argument("--show", default="", help="print the queries of pages matching this")
    parser.add_argument("--dump", default="", help="write each page's HTML into this folder")
    args = parser.parse_args()
    _setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # no line per refusal
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bistand.organisation import second_factor
    from bistand.organisation.models import User

    users = {u.username: u for u in User.objects.all()}
    clients: dict[str, Client] = {}
    print(
        f"{'role':<20} {'page':<28} {'status':>6} {'queries':>8} {'max same':>9} {'p50 ms':>8}"
        f" {'p95 ms':>8} {'CPU ms':>7}"
    )
    cpu_total = 0.0
    for username, name, url in _pages(users):
        if args.only and args.only.lower() not in name.lower():
            continue
        client = clients.get(username)
        if client is None:
            client = clients[username] = Client()
            client.force_login(users[username])
            if second_factor.required_for(users[username]):
                # heads give a TOTP code after the password: the session has passed it
                session = client.session
                session[second_factor.SESSION_KEY] = second_factor.TOTP
                session.save()
        # "htmx=1" in the bench's address: ask as htmx does (the list's results only).
        headers = {"HX-Request": "true"} if "htmx=1" in url else {}
        client.get(url, headers=headers)
        times, cpu = [], []
        for _ in range(args.repeat):
            connection.queries_log.clear()  # the log keeps 9,000 queries; start each empty
            with CaptureQueriesContext(connection) as captured:
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(url, headers=headers)
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
        same = Counter(_shape(q["sql"]) for q in captured.captured_queries)
        print(
            f"{username:<20} {name:<28} {response.status_code:>6} {len(captured):>8} "
            f"{max(same.values(), default=0):>9} {statistics.median(times):>8.0f}"
            f" {_p95(times):>8.0f} {statistics.median(cpu):>7.1f}"
        )
        cpu_total += statistics.median(cpu)
        if args.dump:
            folder = Path(args.dump)
            folder.mkdir(parents=True, exist_ok=True)
            html = re.sub(
                r'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"',
                "",
                response.text,
            )
            slug = re.sub(r"[^a-z0-9]+", "-", f"{username} {name}".lower()).strip("-")
            (folder / f"{slug}.html").write_text(html)
        if args.show and args.show.lower() in name.lower():
            for sql, count in same.most_common():
                print(f"    {count:>4} x {sql[:220]}")
    print(f"sum of the pages' median CPU ms: {cpu_total:.0f}")


if __name__ == "__main__":
    main()
