"""The activity requirement (aktivitetskrav) as a pure rule: who is covered in a month.

Plain Python, no database: the selectors read the facts set-wise and hand them over
(docs/activity-requirement.md). The dates and the three months are per the government's
proposal (lagrådsremiss December 2025), not verified against an enacted SFS text.

- A month counts when the person received försörjningsstöd for it (a final decision granting
  income support for that month to a household the person belonged to).
- `months_in_a_row(granted, month)`: the months in a row right before `month`; a month without
  försörjningsstöd resets it to 0.
- The person is covered in `month` when the rules apply (`month` >= RULES_APPLY_FROM), at least
  three months in a row precede it, and no exemption holds for the month. Under 18 on the
  month's first day is an exemption by itself; the others are recorded by the handler.
- An exemption holds for a month when its validity overlaps any day of the month (the local
  reading chosen here, in the client's favour; the proposal does not say).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from bistand.core.dates import add_months, month_start
from bistand.core.identity import age_on

# Per proposal (lagrådsremiss 2025-12, "Aktivitetskrav för mottagare av försörjningsstöd"):
LAW_IN_FORCE = dt.date(2026, 7, 1)  # the law in force
RULES_APPLY_FROM = dt.date(2026, 10, 1)  # first applied to försörjningsstöd for October 2026
MONTHS_BEFORE_COVERED = 3  # "at least three consecutive months"
ADULT_AGE = 18  # under 18: exempt (per proposal)
UNDER_18 = "under_18"  # the exemption that needs no record: it follows from the birth date
# How far ahead the start date is looked for while exemptions run (months).
HORIZON_MONTHS = 60


@dataclass(frozen=True)
class ExemptionPeriod:
    """An exemption as the rule sees it: its reason and validity (`valid_to` inclusive,
    None = until further notice)."""

    reason: str
    valid_from: dt.date
    valid_to: dt.date | None = None

    def holds_in(self, month: dt.date) -> bool:
        first = month_start(month)
        last = add_months(first, 1) - dt.timedelta(days=1)
        return self.valid_from <= last and (self.valid_to is None or self.valid_to >= first)


@dataclass(frozen=True)
class Coverage:
    month: dt.date
    months_in_a_row: int  # months in a row with försörjningsstöd right before `month`
    exemption: str | None  # the reason of the exemption holding for `month`, if any
    covered: bool
    starts_on: dt.date | None  # first month of the requirement in the current run, if any


def months_in_a_row(granted: Iterable[dt.date], month: dt.date) -> int:
    """Months in a row with försörjningsstöd right before `month` (0 after a gap)."""
    months = {month_start(m) for m in granted}
    count = 0
    current = add_months(month_start(month), -1)
    while current in months:
        count += 1
        current = add_months(current, -1)
    return count


def exemption_in(
    month: dt.date, birth_date: dt.date, exemptions: Iterable[ExemptionPeriod]
) -> str | None:
    """The exemption holding for `month`: under 18 first, then the earliest recorded one."""
    first = month_start(month)
    if age_on(birth_date, first) < ADULT_AGE:
        return UNDER_18
    holding = sorted(
        (e for e in exemptions if e.holds_in(first)), key=lambda e: (e.valid_from, e.reason)
    )
    return holding[0].reason if holding else None


def is_covered(
    month: dt.date,
    birth_date: dt.date,
    granted: Iterable[dt.date],
    exemptions: Iterable[ExemptionPeriod] = (),
    *,
    rules_from: dt.date = RULES_APPLY_FROM,
) -> bool:
    first = month_start(month)
    if first < rules_from:
        return False
    if months_in_a_row(granted, first) < MONTHS_BEFORE_COVERED:
        return False
    return exemption_in(first, birth_date, exemptions) is None


def coverage(
    month: dt.date,
    birth_date: dt.date,
    granted: Iterable[dt.date],
    exemptions: Iterable[ExemptionPeriod] = (),
    *,
    rules_from: dt.date = RULES_APPLY_FROM,
) -> Coverage:
    """The person's state for `month`, with the start of the requirement in the run of months
    that reaches `month` (or the month before it): the first month of that run, three months
    in, not before the rules apply and not while exempt. Months after `month` are assumed to
    continue the run (a projection: "starts on ... if försörjningsstöd continues")."""
    first = month_start(month)
    granted = {month_start(m) for m in granted}
    exemptions = list(exemptions)
    in_a_row = months_in_a_row(granted, first)
    exemption = exemption_in(first, birth_date, exemptions)
    covered = is_covered(first, birth_date, granted, exemptions, rules_from=rules_from)
    starts_on = None
    # The run: the months in a row before `month`, plus `month` itself when granted.
    run_end = first if first in granted else add_months(first, -1)
    run_length = months_in_a_row(granted, add_months(run_end, 1))
    if run_length:
        run_start = add_months(run_end, -(run_length - 1))
        candidate = max(add_months(run_start, MONTHS_BEFORE_COVERED), month_start(rules_from))
        # From `month` on the run is assumed to continue (a projection).
        assumed = granted | {add_months(first, k) for k in range(2 * HORIZON_MONTHS)}
        for k in range(HORIZON_MONTHS + 1):
            candidate_month = add_months(candidate, k)
            if is_covered(candidate_month, birth_date, assumed, exemptions, rules_from=rules_from):
                starts_on = candidate_month
                break
    return Coverage(
        month=first,
        months_in_a_row=in_a_row,
        exemption=exemption,
        covered=covered,
        starts_on=starts_on,
    )
