"""A calendar month ("2026-09"), the unit the calculation is made for."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from .errors import InputError

_MONTH_RE = re.compile(r"\A(\d{4})-(0[1-9]|1[0-2])\Z")
_DATE_RE = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")


class Month(NamedTuple):
    """A year and month; ordered, hashable, printed as YYYY-MM."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: object, field: str = "month") -> Month:
        """Parse "YYYY-MM" strictly, or raise InputError(code="invalid_month")."""
        if isinstance(text, Month):
            return text
        if isinstance(text, str):
            parsed = _parse_month(text)
            if parsed is not None:
                if parsed.year == 0:  # no calendar date has year 0 (date.min is 0001-01-01)
                    raise InputError(
                        "invalid_month",
                        f"Året i {field} ska vara 0001 eller senare (fick {text!r}).",
                        field=field,
                    )
                return parsed
        raise InputError(
            "invalid_month",
            f"Månaden i {field} ska skrivas ÅÅÅÅ-MM, till exempel 2026-09 (fick {text!r}).",
            field=field,
        )

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def ordinal(self) -> int:
        """Months since year 0, so that month arithmetic is integer arithmetic."""
        return self.year * 12 + self.month - 1

    def plus(self, months: int) -> Month:
        year, month0 = divmod(self.ordinal + months, 12)
        return Month(year, month0 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@lru_cache(maxsize=1024)
def _parse_month(text: str) -> Month | None:
    match = _MONTH_RE.match(text)
    if match is None:
        return None
    return Month(int(match.group(1)), int(match.group(2)))


def parse_date(text: object, field: str) -> date:
    """Parse "YYYY-MM-DD" strictly, or raise InputError(code="invalid_date")."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    if isinstance(text, str):
        parsed = _parse_date(text)
        if parsed is not None:
            return parsed
    raise InputError(
        "invalid_date",
        f"Datumet i {field} ska skrivas ÅÅÅÅ-MM-DD, till exempel 2019-05-01 (fick {text!r}).",
        field=field,
    )


@lru_cache(maxsize=65536)
def _parse_date(text: str) -> date | None:
    if _DATE_RE.match(text) is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
