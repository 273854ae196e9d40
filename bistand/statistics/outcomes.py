"""Outcomes per handler and section, for the head's conversation with staff (issue 17).

For a period: first final decisions made in it (how many, share within the 7-day target,
median days, share refused), open cases today (share of C cases), and plan follow-ups due in
the period (share held on time), and exits (closings in the period, share closed because the
client got work). Decisions are grouped by the section and handler responsible **when the
decision was made** (the case assignment then); open cases, follow-ups and closings by the
case's section and handler **as they are now** (docs/statistics.md).

Small-count protection: outside the unit head's own view of the whole unit (that is, in a
section head's view), a count of 1-4 and any share whose denominator is under the threshold are
suppressed (`None`, shown as "<5" / "–"), so that a figure cannot single out a few clients.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q

from bistand.cases.models import Case, CaseReopening, CaseStatus, CaseType, ClosingReason
from bistand.decisions.models import Outcome
from bistand.organisation.models import Role, Section, User
from bistand.workplans.models import FollowUp

from .access import require_statistics_access
from .definitions import DECISION_TARGET_DAYS
from .figures import _days_between, _rows, share
from .periods import Period
from .suppression import THRESHOLD as SUPPRESSION_THRESHOLD
from .suppression import suppresses

# Each count and the figures that rest on it (hidden with it).
OUTCOME_COUNTS = {
    "decisions": ("share_within_target", "median_days", "share_refused"),
    "open_cases": ("share_c_cases",),
    "follow_ups_due": ("share_follow_ups_on_time",),
    "closings": ("share_to_work",),
}


@dataclass
class Tally:
    """The raw counts of one handler or section."""

    decisions: int = 0
    within_target: int = 0
    refused: int = 0
    days: list[tuple[int, int]] = field(default_factory=list)  # (days, how many)
    open_cases: int = 0
    c_cases: int = 0
    follow_ups_due: int = 0
    follow_ups_on_time: int = 0
    closings: int = 0
    to_work: int = 0

    def add(self, other: Tally) -> None:
        self.decisions += other.decisions
        self.within_target += other.within_target
        self.refused += other.refused
        self.days += other.days
        self.open_cases += other.open_cases
        self.c_cases += other.c_cases
        self.follow_ups_due += other.follow_ups_due
        self.follow_ups_on_time += other.follow_ups_on_time
        self.closings += other.closings
        self.to_work += other.to_work

    def median_days(self) -> float | None:
        total = sum(n for _, n in self.days)
        if not total:
            return None
        ordered = sorted(self.days)
        middle = [(total - 1) // 2, total // 2]
        values, seen = [], 0
        for days, n in ordered:
            for index in middle:
                if seen <= index < seen + n:
                    values.append(days)
            seen += n
        return sum(values) / len(values)


def _count(value: int, suppress: bool) -> int | None:
    return None if suppress and 0 < value < SUPPRESSION_THRESHOLD else value


def _share(part: int, whole: int, suppress: bool) -> float | None:
    if suppress and (whole < SUPPRESSION_THRESHOLD or 0 < part < SUPPRESSION_THRESHOLD):
        return None
    return share(part, whole)


def present(tally: Tally, suppress: bool) -> dict:
    """A row's figures, with small counts suppressed when asked."""
    few_decisions = suppress and tally.decisions < SUPPRESSION_THRESHOLD
    return {
        "decisions": _count(tally.decisions, suppress),
        "share_within_target": _share(tally.within_target, tally.decisions, suppress),
        "median_days": None if few_decisions else tally.median_days(),
        "share_refused": _share(tally.refused, tally.decisions, suppress),
        "open_cases": _count(tally.open_cases, suppress),
        "share_c_cases": _share(tally.c_cases, tally.open_cases, suppress),
        "follow_ups_due": _count(tally.follow_ups_due, suppress),
        "share_follow_ups_on_time": _share(
            tally.follow_ups_on_time, tally.follow_ups_due, suppress
        ),
        "closings": _count(tally.closings, suppress),
        "share_to_work": _share(tally.to_work, tally.closings, suppress),
    }


def protect_rows(rows: list[dict]) -> None:
    """Secondary suppression: the rows add up to the total shown under them, so when exactly
    one row's count is suppressed, the smallest other non-zero count is suppressed too (else
    total minus the others gives it away)."""
    for key, resting in OUTCOME_COUNTS.items():
        hidden = [row for row in rows if row[key] is None]
        shown = [row for row in rows if row[key]]
        if len(hidden) == 1 and shown:
            row = min(shown, key=lambda row: row[key])
            for name in (key, *resting):
                row[name] = None


def outcomes(user, period: Period, today: dt.date) -> dict:
    """Per handler and per section of what the user may see (a section head: their section)."""
    require_statistics_access(user)
    section_id = user.section_id if user.role == Role.SECTION_HEAD else None
    tallies: dict[tuple[int | None, int | None], Tally] = defaultdict(Tally)

    params: dict = {
        "unit": user.unit_id,
        "start": period.start,
        "next": period.next,
        "refused": Outcome.REFUSED.value,
    }
    # The handler and section responsible when the decision was made: the latest case
    # assignment started at or before `decided_at` (the case's own values if it has none),
    # the same rule the summary tables use for a month (docs/statistics.md).
    section_at = "CASE WHEN a.id IS NULL THEN c.section_id ELSE a.section_id END"
    handler_at = "CASE WHEN a.id IS NULL THEN c.handler_id ELSE a.handler_id END"
    section_sql = ""
    if section_id is not None:
        section_sql = f"AND {section_at} = %(section)s "
        params["section"] = section_id
    days = _days_between("COALESCE(ap.complete_on, ap.received_on)", "d.decided_on")
    for section, handler, day_count, outcome, count in _rows(
        f"SELECT {section_at}, {handler_at}, {days}, d.outcome, COUNT(*) "
        "FROM decisions_decision d JOIN cases_application ap ON ap.id = d.application_id "
        "JOIN cases_case c ON c.id = d.case_id "
        "LEFT JOIN cases_caseassignment a ON a.id = ("
        "SELECT a2.id FROM cases_caseassignment a2 WHERE a2.case_id = d.case_id "
        "AND a2.started_at <= d.decided_at ORDER BY a2.started_at DESC, a2.id DESC LIMIT 1) "
        "WHERE d.status = 'final' AND d.replaces_id IS NULL "
        "AND d.decided_on >= %(start)s AND d.decided_on < %(next)s "
        f"AND c.unit_id = %(unit)s {section_sql}"
        f"GROUP BY {section_at}, {handler_at}, {days}, d.outcome",
        params,
    ):
        tally = tallies[(section, handler)]
        day_count = max(int(day_count or 0), 0)
        tally.decisions += count
        tally.days.append((day_count, count))
        if day_count <= DECISION_TARGET_DAYS:
            tally.within_target += count
        if outcome == Outcome.REFUSED:
            tally.refused += count

    cases = Case.objects.filter(unit_id=user.unit_id).exclude(status=CaseStatus.CLOSED)
    if section_id is not None:
        cases = cases.filter(section_id=section_id)
    for row in cases.values("section_id", "handler_id").annotate(
        n=Count("id"), c=Count("id", filter=Q(case_type=CaseType.C))
    ):
        tally = tallies[(row["section_id"], row["handler_id"])]
        tally.open_cases += row["n"]
        tally.c_cases += row["c"]

    corrected = FollowUp.objects.filter(corrects_id=OuterRef("pk"))
    follow_ups = FollowUp.objects.filter(
        plan__case__unit_id=user.unit_id, due_on__gte=period.start, due_on__lt=period.next
    ).filter(~Exists(corrected))
    if section_id is not None:
        follow_ups = follow_ups.filter(plan__case__section_id=section_id)
    for row in follow_ups.values("plan__case__section_id", "plan__case__handler_id").annotate(
        due=Count("id"), on_time=Count("id", filter=Q(took_place=True, held_on__lte=F("due_on")))
    ):
        tally = tallies[(row["plan__case__section_id"], row["plan__case__handler_id"])]
        tally.follow_ups_due += row["due"]
        tally.follow_ups_on_time += row["on_time"]

    # Exits: closings in the period (including closings later undone by a reopening, as the
    # dashboard's outflow counts them), and those closed because the client got work.
    all_cases = Case.objects.filter(unit_id=user.unit_id)
    if section_id is not None:
        all_cases = all_cases.filter(section_id=section_id)
    closed_now = all_cases.filter(
        status=CaseStatus.CLOSED, closed_on__gte=period.start, closed_on__lt=period.next
    ).values("section_id", "handler_id", "closing_reason")
    closed_then = (
        CaseReopening.objects.filter(
            case__in=all_cases,
            previous_closed_on__gte=period.start,
            previous_closed_on__lt=period.next,
        )
        .annotate(
            section_id=F("case__section_id"),
            handler_id=F("case__handler_id"),
            closing_reason=F("previous_closing_reason"),
        )
        .values("section_id", "handler_id", "closing_reason")
    )
    for closings in (closed_now, closed_then):
        for row in closings.annotate(n=Count("id")):
            tally = tallies[(row["section_id"], row["handler_id"])]
            tally.closings += row["n"]
            if row["closing_reason"] == ClosingReason.WORK:
                tally.to_work += row["n"]

    suppress = suppresses(user)
    handler_ids = {handler for _, handler in tallies if handler}
    names = {
        staff.pk: staff.get_full_name() or staff.username
        for staff in User.objects.filter(pk__in=handler_ids)
    }
    section_names = dict(Section.objects.filter(unit_id=user.unit_id).values_list("id", "name"))
    by_handler: dict[int | None, Tally] = defaultdict(Tally)
    by_section: dict[int | None, Tally] = defaultdict(Tally)
    total = Tally()
    for (section, handler), tally in tallies.items():
        by_handler[handler].add(tally)
        by_section[section].add(tally)
        total.add(tally)
    handler_rows = sorted(
        (
            {
                "handler_id": handler,
                "name": names.get(handler, "") if handler else None,
                **present(tally, suppress),
            }
            for handler, tally in by_handler.items()
        ),
        key=lambda row: (row["name"] is None, row["name"] or ""),
    )
    section_rows = sorted(
        (
            {
                "section_id": section,
                "name": section_names.get(section, ""),
                **present(tally, suppress),
            }
            for section, tally in by_section.items()
        ),
        key=lambda row: row["name"],
    )
    if suppress:
        protect_rows(handler_rows)
        protect_rows(section_rows)
    return {
        "layout": "bistand.statistics.outcomes/1",
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "as_of": today.isoformat(),
        "suppression": {"applied": suppress, "threshold": SUPPRESSION_THRESHOLD},
        "target_days": DECISION_TARGET_DAYS,
        "handlers": handler_rows,
        "sections": section_rows,
        "total": present(total, suppress),
    }
