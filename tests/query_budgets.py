"""Query budgets for the daily pages: the number of queries a page makes must not grow with
the rows it lists, and stays within a small budget (docs/PERFORMANCE.md, issue #15)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter

from django.db import connection
from django.test.utils import CaptureQueriesContext

BUDGET = 25  # queries per page, whatever the number of rows

_serial = itertools.count(100)


def person_number(birth_date: dt.date = dt.date(1985, 3, 14)) -> str:
    """A fresh valid personnummer (Luhn) for the birth date."""
    serial = next(_serial) % 1000
    body = f"{birth_date:%y%m%d}{serial:03d}"
    total = 0
    for index, char in enumerate(body):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return f"{birth_date:%Y%m%d}{serial:03d}{(10 - total % 10) % 10}"


def page_queries(client, url: str) -> tuple[list[str], str]:
    """The statements of one request of `url` (after a warm-up request) and the page."""
    from bistand.norms import selectors as norms

    client.get(url)  # session, rules cache
    checking_every = norms.CHECK_SECONDS
    norms.CHECK_SECONDS = float("inf")  # the rules cache asks the database at most every 2 s
    try:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
    finally:
        norms.CHECK_SECONDS = checking_every
    assert response.status_code == 200, (url, response.status_code)
    return [q["sql"] for q in captured.captured_queries], response.content.decode()


def assert_flat(small: list[str], large: list[str], budget: int = BUDGET) -> None:
    """Same number of queries for few and many rows, and within the budget."""

    def shape(sql: str) -> str:
        return re.sub(r"'[^']*'|\b\d+\b", "?", sql)[:300]

    grown = Counter(map(shape, large)) - Counter(map(shape, small))
    extra = "\n".join(f"{n} more: {sql}" for sql, n in grown.most_common(10))
    assert len(small) == len(large), (
        f"{len(small)} queries for the small list, {len(large)} for the large; "
        f"per-row queries, e.g.:\n{extra}"
    )
    assert len(large) <= budget, "\n".join(large)
