"""Business dates: Swedish public holidays, working days, months. Plain Python."""

from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _swedish_holidays(year: int) -> frozenset[dt.date]:
    # holidays.Sweden counts every Sunday as a holiday by default; we keep only the named days
    # (Lag (1989:253) om allmänna helgdagar) plus Midsummer Eve, Christmas Eve and New Year's
    # Eve, which are treated as holidays for deadlines (lag (1930:173) om beräkning av lagstadgad tid).
    days = holidays.Sweden(years=year, include_sundays=False)
    named = set(days.keys())
    named.add(dt.date(year, 12, 24))
    named.add(dt.date(year, 12, 31))
    for day in list(named):
        if days.get(day, "").startswith("Midsummer Day"):
            named.add(day - dt.timedelta(days=1))
    return frozenset(named)


def is_public_holiday(day: dt.date) -> bool:
    return day in _swedish_holidays(day.year)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_public_holiday(day)


def next_working_day(day: dt.date) -> dt.date:
    """The day itself if a working day, else the next one."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def deadline_from(start: dt.date, days: int) -> dt.date:
    """A statutory deadline of `days` calendar days from `start`.

    Lag (1930:173) om beräkning av lagstadgad tid: a deadline falling on a Saturday, Sunday,
    public holiday, Midsummer Eve, Christmas Eve or New Year's Eve moves to the next working day.
    """
    return next_working_day(start + dt.timedelta(days=days))


def add_weeks_deadline(start: dt.date, weeks: int) -> dt.date:
    return deadline_from(start, 7 * weeks)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 if end <= start)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


# Months the system can reason about: far enough back for any archive, and far enough from
# dt.MAXYEAR that adding months or years to one never overflows.
FIRST_MONTH_YEAR = 1900
LAST_MONTH_YEAR = 2999


def parse_month(text: str) -> dt.date:
    """'YYYY-MM' -> first day of that month. Raises ValueError (also for a year outside
    FIRST_MONTH_YEAR..LAST_MONTH_YEAR, and for anything but a string: JSON may send a number)."""
    if not isinstance(text, str):
        raise ValueError("a month is written as text, YYYY-MM")
    year, month = text.split("-")
    if not FIRST_MONTH_YEAR <= int(year) <= LAST_MONTH_YEAR:
        raise ValueError(f"year {year} is outside the supported range")
    return dt.date(int(year), int(month), 1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    return dt.date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))
