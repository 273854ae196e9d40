"""When the next follow-up of a plan is due, and the plan's state. Plain Python (dates only),
so the rules are easy to read and test; docs in the docstrings.

- The *planned* next date comes from whichever was made last: the latest confirmed plan
  version (its first planned follow-up after the last follow-up) or the latest follow-up
  (the next date agreed there).
- The *anchor* is the last time the plan was actually followed up with the client: the
  last follow-up that took place, or the client's consent to the latest version.
- The follow-up is *due* on the planned date, but never later than the anchor plus the
  case type's follow-up interval (the unit's setting for A, B or C), nor later than the
  end of the plan's period (an expired plan must be renewed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CaseTypeRule:
    """The unit's setting for a case type in force (or the built-in default)."""

    case_type: str
    contact_interval_days: int
    follow_up_interval_days: int
    plan_period_months: int
    income_change_limit: object  # Decimal, kronor per month
    valid_from: dt.date | None = None
    is_default: bool = False


def first_planned_after(planned: Iterable[dt.date], after: dt.date | None) -> dt.date | None:
    dates = sorted(d for d in planned if after is None or d > after)
    return dates[0] if dates else None


def due_on(
    *,
    planned: dt.date | None,
    anchor: dt.date | None,
    interval_days: int | None,
    period_end: dt.date | None = None,
) -> dt.date | None:
    """The latest day the next follow-up may happen (None: nothing is scheduled)."""
    candidates = []
    if planned is not None:
        candidates.append(planned)
    if anchor is not None and interval_days:
        candidates.append(anchor + dt.timedelta(days=interval_days))
    if candidates and period_end is not None:
        candidates.append(period_end)
    return min(candidates) if candidates else None


def latest_allowed_next(held_on: dt.date, interval_days: int | None) -> dt.date | None:
    """The latest next date a follow-up on `held_on` may agree for the case type."""
    return held_on + dt.timedelta(days=interval_days) if interval_days else None


def state_of(*, has_version: bool, has_confirmed: bool, due: dt.date | None, today: dt.date) -> str:
    """missing / unconfirmed / overdue / on_track (values of models.PlanState)."""
    if not has_version:
        return "missing"
    if not has_confirmed:
        return "unconfirmed"
    if due is not None and due < today:
        return "overdue"
    return "on_track"


def contact_overdue(
    last_contact: dt.date | None, since: dt.date, interval_days: int | None, today: dt.date
) -> bool:
    """True if the client has had no contact within the case type's contact interval
    (counted from the last contact, or from `since` when there was none)."""
    if not interval_days:
        return False
    return (today - (last_contact or since)).days > interval_days
