"""A period of whole calendar months, and Swedish month names for the UI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bistand.core.dates import add_months, month_start, parse_month
from bistand.core.errors import DomainError

MONTH_NAMES = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]
MONTH_ABBREVIATIONS = [name[:3] for name in MONTH_NAMES]
MAX_MONTHS = 120


@dataclass(frozen=True)
class Period:
    """From the first month to the last month, both included (dates are first days)."""

    start: dt.date
    end: dt.date

    @classmethod
    def month(cls, month: dt.date) -> Period:
        first = month_start(month)
        return cls(first, first)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 1))

    @classmethod
    def parse(cls, month: str | None, start: str | None, end: str | None, today: dt.date) -> Period:
        """From query parameters: ?month=YYYY-MM, or ?from=YYYY-MM&to=YYYY-MM.

        Default: the last month that has ended (figures for a running month are partial)."""
        try:
            if start or end:
                first = parse_month(start or end)
                last = parse_month(end or start)
            elif month:
                first = last = parse_month(month)
            else:
                first = last = add_months(month_start(today), -1)
        except (ValueError, TypeError):
            raise DomainError(
                "bad_month", "Ange månader som ÅÅÅÅ-MM, till exempel 2026-03."
            ) from None
        if last < first:
            raise DomainError("bad_period", "Periodens sista månad ligger före den första.")
        period = cls(first, last)
        if len(period.months) > MAX_MONTHS:
            raise DomainError("period_too_long", f"En period kan vara högst {MAX_MONTHS} månader.")
        return period

    @property
    def next(self) -> dt.date:
        """The first day after the period."""
        return add_months(self.end, 1)

    @property
    def months(self) -> list[dt.date]:
        months, month = [], self.start
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
        return months

    @property
    def single(self) -> bool:
        return self.start == self.end

    @property
    def previous_month(self) -> dt.date:
        return add_months(self.start, -1)

    def to_dict(self) -> dict:
        return {
            "from": month_key(self.start),
            "to": month_key(self.end),
            "months": len(self.months),
            "label": self.label,
        }

    @property
    def label(self) -> str:
        if self.single:
            return month_label(self.start)
        if self.start.year == self.end.year:
            if self.start.month == 1 and self.end.month == 12:
                return f"år {self.start.year}"
            return (
                f"{MONTH_NAMES[self.start.month - 1]}–{MONTH_NAMES[self.end.month - 1]} "
                f"{self.start.year}"
            )
        return f"{month_label(self.start)} – {month_label(self.end)}"


def month_key(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def month_label(month: dt.date) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def short_month_label(month: dt.date) -> str:
    return f"{MONTH_ABBREVIATIONS[month.month - 1]} {month.year}"
