"""Loggkontroll: which log rows a unit head sees (their own unit only), the monthly report of
unusual reads, and its sign-off (final once written; a later remark is a new row).

Unusual reads (docs/audit.md, "Loggkontroll"):
- outside_work: a read of a case the reader neither held nor assisted on at that moment,
  in a section not their own (the unit head's remit is the whole unit); a list page that
  showed such cases is one item per list and day, with the number of such cases;
- emergency: emergency access taken, and every read under it;
- mass_read: one user reading more than BISTAND_MASS_READ_THRESHOLD distinct cases, or as
  many distinct persons, in one day (Swedish time); cases listed on a page count when they
  were outside the reader's work (listing one's own caseload or section is not a mass read);
- protected: every read of a case or person with protected identity.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from bistand.audit.models import AccessLogEntry, AuditAction
from bistand.audit.services import record
from bistand.core.errors import DomainError
from bistand.organisation.models import Role, Unit, User
from bistand.organisation.permissions import require

from .models import AccessReviewEntry, AccessReviewKind, Case, CaseAssignment

READ_ACTIONS = (AuditAction.VIEW, AuditAction.DOWNLOAD, AuditAction.SEARCH, AuditAction.EXPORT)

CATEGORIES = {
    "outside_work": "Läsning utanför egna ärenden och sektion",
    "emergency": "Nödåtkomst",
    "mass_read": "Massläsning",
    "protected": "Skyddade personuppgifter",
}

DEFAULT_MASS_READ_THRESHOLD = 50


def mass_read_threshold() -> int:
    return int(getattr(settings, "BISTAND_MASS_READ_THRESHOLD", DEFAULT_MASS_READ_THRESHOLD))


def unit_log_q(unit_id: int | None) -> Q:
    """A Q over AccessLogEntry: rows about the unit's cases, and rows without a case written by
    the unit's staff. Nothing about another unit's cases."""
    if unit_id is None:
        return Q(pk__in=[])
    return Q(case_id__in=Case.objects.filter(unit_id=unit_id).values("id")) | Q(
        case_id__isnull=True, actor_id__in=User.objects.filter(unit_id=unit_id).values("id")
    )


def parse_month(text: str) -> dt.date:
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        if not 1900 <= year <= 9998:
            raise ValueError(year)
        return dt.date(year, month, 1)
    except ValueError:
        raise DomainError("bad_month", "Ange månaden som ÅÅÅÅ-MM, t.ex. 2026-03.")


def _month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    start = dt.datetime(month.year, month.month, 1, tzinfo=zone)
    end = dt.datetime(following.year, following.month, 1, tzinfo=zone)
    return start, end


@dataclass
class UnusualRead:
    category: str
    at: dt.datetime
    action: str
    case_id: int | None = None
    person_id: int | None = None
    what: str = ""
    count: int = 0  # mass reads: distinct cases/persons that day; list reads: cases listed

    @property
    def label(self) -> str:
        return CATEGORIES[self.category]


@dataclass
class ReaderReport:
    actor_id: int | None
    name: str
    items: list[UnusualRead] = field(default_factory=list)

    def count(self, category: str) -> int:
        return sum(1 for item in self.items if item.category == category)

    @property
    def counts(self) -> dict[str, int]:
        return {category: self.count(category) for category in CATEGORIES}


@dataclass
class MonthReport:
    unit: Unit
    month: dt.date
    threshold: int
    readers: list[ReaderReport]

    @property
    def totals(self) -> dict[str, int]:
        return {c: sum(r.count(c) for r in self.readers) for c in CATEGORIES}

    def as_dict(self) -> dict:
        return {
            "unit": {"id": self.unit.pk, "name": self.unit.name},
            "month": f"{self.month:%Y-%m}",
            "mass_read_threshold": self.threshold,
            "totals": self.totals,
            "readers": [
                {
                    "actor_id": r.actor_id,
                    "name": r.name,
                    "counts": r.counts,
                    "items": [
                        asdict(item) | {"at": item.at.isoformat(), "label": item.label}
                        for item in r.items
                    ],
                }
                for r in self.readers
            ],
        }


def _held_at(assignments: list[CaseAssignment], case: Case, at: dt.datetime) -> tuple:
    """(handler, assistant, section) of the case at `at`, from its assignment history."""
    current = None
    for assignment in assignments:
        if assignment.started_at <= at:
            current = assignment
    if current is None:
        return case.handler_id, case.assistant_id, case.section_id
    return current.handler_id, current.assistant_id, current.section_id


def month_report(unit: Unit, month: dt.date, *, threshold: int | None = None) -> MonthReport:
    """The unusual reads of `month` in `unit`'s part of the log, grouped by reader."""
    threshold = mass_read_threshold() if threshold is None else threshold
    start, end = _month_bounds(month)
    rows = list(
        AccessLogEntry.objects.filter(unit_log_q(unit.pk), at__gte=start, at__lt=end)
        .filter(action__in=[*READ_ACTIONS, AuditAction.EMERGENCY_ACCESS])
        .order_by("id")
    )
    details = {row.pk: json.loads(row.detail) if row.detail else {} for row in rows}
    case_ids = {row.case_id for row in rows if row.case_id}
    for row in rows:  # list pages log one row naming every case shown (docs/audit.md)
        if row.case_id is None:
            case_ids.update(_listed(details[row.pk]))
    cases = Case.objects.in_bulk(case_ids)
    assignments: dict[int, list[CaseAssignment]] = defaultdict(list)
    for assignment in CaseAssignment.objects.filter(case_id__in=case_ids).order_by("started_at"):
        assignments[assignment.case_id].append(assignment)
    actors = User.objects.in_bulk({row.actor_id for row in rows if row.actor_id})

    items: dict[int | None, list[UnusualRead]] = defaultdict(list)
    daily: dict[tuple, tuple[set, set, dt.datetime]] = {}
    listed: dict[tuple, tuple[set, dt.datetime, str]] = {}
    for row in rows:
        detail = details[row.pk]
        what = str(detail.get("what", "") or row.object_type)
        found = UnusualRead("", row.at, row.action, row.case_id, row.person_id, what)
        if row.action == AuditAction.EMERGENCY_ACCESS or detail.get("emergency_access"):
            items[row.actor_id].append(_as(found, "emergency"))
        elif row.case_id in cases and _outside_work(
            actors.get(row.actor_id), cases[row.case_id], assignments[row.case_id], row.at
        ):
            items[row.actor_id].append(_as(found, "outside_work"))
        if detail.get("protected_identity"):
            items[row.actor_id].append(_as(found, "protected"))
        if row.action in READ_ACTIONS and (row.case_id or row.person_id):
            day = timezone.localtime(row.at).date()
            read_cases, read_persons, first = daily.setdefault(
                (row.actor_id, day), (set(), set(), row.at)
            )
            if row.case_id:
                read_cases.add(row.case_id)
            if row.person_id:
                read_persons.add(row.person_id)
        if row.case_id is None and row.action in READ_ACTIONS:
            # A list page: the listed cases outside the reader's caseload and section are
            # reads outside work (one item per list and day) and count towards mass reads.
            outside = {
                case_id
                for case_id in _listed(detail)
                if case_id in cases
                and _outside_work(
                    actors.get(row.actor_id), cases[case_id], assignments[case_id], row.at
                )
            }
            if outside:
                day = timezone.localtime(row.at).date()
                found_cases, _first, _what = listed.setdefault(
                    (row.actor_id, day, what), (set(), row.at, what)
                )
                found_cases.update(outside)
                read_cases, _persons, _at = daily.setdefault(
                    (row.actor_id, day), (set(), set(), row.at)
                )
                read_cases.update(outside)
    for (actor_id, _day, _key), (found_cases, first, what) in listed.items():
        items[actor_id].append(
            UnusualRead("outside_work", first, "view", what=what, count=len(found_cases))
        )
    for (actor_id, _day), (read_cases, read_persons, first) in daily.items():
        most = max(len(read_cases), len(read_persons))
        if most > threshold:
            items[actor_id].append(UnusualRead("mass_read", first, "view", what="", count=most))

    readers = []
    for actor_id, found in items.items():
        actor = actors.get(actor_id)
        name = (actor.get_full_name() or actor.username) if actor else "System"
        found.sort(key=lambda item: (item.at, item.category))
        readers.append(ReaderReport(actor_id, name, found))
    readers.sort(key=lambda r: r.name)
    return MonthReport(unit, month, threshold, readers)


def _listed(detail: dict) -> list[int]:
    """The case ids a list page's row names (`cases.selectors.log_list_read`)."""
    ids = detail.get("case_ids") or []
    return [value for value in ids if isinstance(value, int)] if isinstance(ids, list) else []


def _as(read: UnusualRead, category: str) -> UnusualRead:
    return UnusualRead(category, read.at, read.action, read.case_id, read.person_id, read.what)


def _outside_work(actor: User | None, case: Case, assignments, at: dt.datetime) -> bool:
    if actor is None:
        return False
    if actor.role == Role.UNIT_HEAD and actor.unit_id == case.unit_id:
        return False
    handler_id, assistant_id, section_id = _held_at(assignments, case, at)
    if actor.pk in (handler_id, assistant_id):
        return False
    return not (actor.section_id and actor.section_id == section_id)


# --- Sign-off ----------------------------------------------------------------------------


def reviews_of(unit_id: int, month: dt.date):
    return AccessReviewEntry.objects.filter(unit_id=unit_id, month=month).select_related(
        "written_by"
    )


@transaction.atomic
def sign_access_review(actor, month: dt.date, comment: str = "") -> AccessReviewEntry:
    """'Signera granskningen': the unit head signs their unit's month, once; final."""
    require(actor, "review_access_log")
    if actor.unit_id is None:
        raise DomainError("no_unit", "Du hör inte till någon enhet.")
    _, end = _month_bounds(month)
    if timezone.now() < end:
        raise DomainError("month_not_over", "Månaden är inte slut; den kan granskas efteråt.")
    if reviews_of(actor.unit_id, month).filter(kind=AccessReviewKind.SIGNOFF).exists():
        raise DomainError(
            "already_signed",
            "Granskningen av månaden är redan signerad och kan inte ändras; skriv ett tillägg.",
        )
    report = month_report(actor.unit, month)
    try:
        with transaction.atomic():
            entry = AccessReviewEntry.objects.create(
                unit_id=actor.unit_id,
                month=month,
                kind=AccessReviewKind.SIGNOFF,
                written_by=actor,
                written_at=timezone.now(),
                comment=(comment or "").strip(),
                summary={"totals": report.totals, "mass_read_threshold": report.threshold},
            )
    except IntegrityError:
        raise DomainError("already_signed", "Granskningen av månaden är redan signerad.")
    record(
        actor,
        AuditAction.SIGN,
        obj=entry,
        detail={"month": f"{month:%Y-%m}", "totals": report.totals, "comment": entry.comment},
    )
    return entry


@transaction.atomic
def add_review_note(actor, month: dt.date, comment: str) -> AccessReviewEntry:
    """A later remark on a signed month: a new row, the signature untouched."""
    require(actor, "review_access_log")
    if not reviews_of(actor.unit_id, month).filter(kind=AccessReviewKind.SIGNOFF).exists():
        raise DomainError(
            "not_signed", "Månaden är inte signerad; skriv kommentaren när du signerar."
        )
    if not (comment or "").strip():
        raise DomainError("comment_required", "Skriv tillägget.")
    entry = AccessReviewEntry.objects.create(
        unit_id=actor.unit_id,
        month=month,
        kind=AccessReviewKind.NOTE,
        written_by=actor,
        written_at=timezone.now(),
        comment=comment.strip(),
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=entry,
        detail={"month": f"{month:%Y-%m}", "note": entry.comment},
    )
    return entry
