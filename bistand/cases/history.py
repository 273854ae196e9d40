"""The case page's history window: the last six months by default, the whole history one click
away (`?historik=alla`, kept in the address so that it can be linked and printed).

A long case (18 months of monthly applications, decisions and payments: 100+ timeline items)
made the case page cost 150-220 ms of CPU, most of it rendering history nobody scrolls to
(docs/PERFORMANCE.md, "Sixth pass"). Whatever still needs doing is shown whatever its age: an
unsigned journal note, an undecided application, a calculation or decision draft, a payment
not yet paid. Figures that sum the whole history (paid so far) are still counted over all of it.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.utils import timezone

from bistand.core.dates import add_months, month_start

HISTORY_MONTHS = 6
ALL = "alla"
PARAM = "historik"
ORDER_PARAM = "ordning"


def shows_all(data) -> bool:
    return data.get(PARAM) == ALL


def window_start(data, today: dt.date | None = None) -> dt.date | None:
    """The first day shown by default (the month five months before this one), or None when
    the whole history is asked for (`historik=alla` in the query string or form)."""
    if shows_all(data):
        return None
    today = today or timezone.localdate()
    return add_months(month_start(today), -(HISTORY_MONTHS - 1))


def history_since(request) -> dt.date | None:
    """The window of this request's case page, computed once (the panels of other apps ask)."""
    cached = getattr(request, "_bistand_history_since", False)
    if cached is False:
        cached = request._bistand_history_since = window_start(request.GET)
    return cached


def links(data, *, order: str | None = None) -> dict:
    """The query strings of the page in its current timeline order with the whole history and
    with the window (both keep the order)."""
    base = {ORDER_PARAM: order} if order and order != "nyast" else {}
    return {
        "all": "?" + urlencode({**base, PARAM: ALL}),
        "recent": "?" + urlencode(base) if base else "?",
        "shows_all": shows_all(data),
        "months": HISTORY_MONTHS,
    }


def split(rows, since: dt.date | None, *, day, keep=lambda row: False) -> tuple[list, int]:
    """(the rows inside the window or kept whatever their age, how many were left out);
    `day(row)` is the row's date, `keep(row)` says it still needs doing."""
    rows = list(rows)
    if since is None:
        return rows, 0
    shown = [row for row in rows if keep(row) or (day(row) is not None and day(row) >= since)]
    return shown, len(rows) - len(shown)
