"""Writes for attendance: a coordinator records a placed person's week, by hand or from the
provider's CSV file. The file is checked row by row and stored all or nothing; each error
names its row (docs/activity-requirement.md, "Attendance and the CSV format")."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.core.errors import DomainError, PermissionRefused
from bistand.core.identity import IdentityNumberError, parse_identity_number

from .models import (
    Activity,
    AttendanceRecord,
    AttendanceSource,
    AttendanceStatus,
    Placement,
    PlacementStatus,
)
from .permissions import coordinates, require

# The CSV columns (header row, in this order), separator ";" (what a Swedish spreadsheet
# writes), UTF-8 with or without BOM. The status codes are our choice (docs).
CSV_COLUMNS = ("personnummer", "vecka", "narvaro", "timmar", "kommentar")
CSV_STATUS_CODES = {
    "N": AttendanceStatus.PRESENT,
    "G": AttendanceStatus.EXCUSED,
    "O": AttendanceStatus.UNEXCUSED,
}
MAX_CSV_ROWS = 2000
MAX_CSV_BYTES = 512 * 1024


def week_monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def parse_week(text: str) -> dt.date:
    """`2026-W49` (ISO week) or the week's Monday `2026-11-30`; raises ValueError."""
    text = text.strip()
    if "W" in text.upper():
        year, _, week = text.upper().partition("-W")
        day = dt.date.fromisocalendar(int(year), int(week), 1)
    else:
        day = dt.date.fromisoformat(text)
    if day.weekday() != 0:
        raise ValueError("not a monday")
    if not (2000 <= day.year <= 2100):
        raise ValueError("out of range")  # keeps the page's previous/next weeks computable
    return day


def placed_in_week(placement: Placement, week: dt.date) -> bool:
    """Whether the person held the place some day of the week starting `week`."""
    if placement.placed_on is None:
        return False
    sunday = week + dt.timedelta(days=6)
    if placement.placed_on > sunday:
        return False
    return placement.ended_on is None or placement.ended_on >= week


def _require_coordinator(actor, activity: Activity) -> None:
    require(actor, "record_attendance")
    if not coordinates(actor, activity):
        # Another coordinator's activity looks like a missing one.
        raise PermissionRefused("activity_not_found", gettext_lazy("Aktiviteten finns inte."))


def _check(placement: Placement, week: dt.date, status: str, hours, today: dt.date) -> None:
    if week.weekday() != 0:
        raise DomainError("bad_week", gettext_lazy("Veckan anges med sin måndag."))
    if week > week_monday(today):
        raise DomainError(
            "future_week", gettext_lazy("Närvaro kan inte registreras för en kommande vecka.")
        )
    if status not in AttendanceStatus.values:
        raise DomainError("bad_status", gettext_lazy("Välj närvaro från listan."))
    if hours is not None and not (Decimal("0") <= hours <= Decimal("60")):
        raise DomainError("bad_hours", gettext_lazy("Timmar ska vara mellan 0 och 60."))
    if placement.status not in (PlacementStatus.PLACED, PlacementStatus.ENDED) or not (
        placed_in_week(placement, week)
    ):
        raise DomainError(
            "not_placed", gettext_lazy("Personen hade ingen plats i aktiviteten den veckan.")
        )


def _store(actor, placement: Placement, week, status, hours, note, source) -> AttendanceRecord:
    earlier = (
        # of=self: `replaced_by` is the reverse side of a one-to-one (an outer join), which
        # PostgreSQL cannot lock
        AttendanceRecord.objects.select_for_update(of=("self",))
        .filter(placement=placement, week=week, replaced_by__isnull=True)
        .first()
    )
    attendance = AttendanceRecord.objects.create(
        placement=placement,
        week=week,
        status=status,
        hours=hours,
        note=note.strip(),
        source=source,
        replaces=earlier,
        recorded_by=actor,
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=attendance,
        case_id=placement.case_id,
        person_id=placement.person_id,
        detail={
            "after": {
                "week": week.isoformat(),
                "status": status,
                "hours": str(hours) if hours is not None else None,
                "source": source,
                "replaces": earlier.pk if earlier else None,
            }
        },
    )
    return attendance


@transaction.atomic
def record_attendance(
    actor,
    placement: Placement,
    *,
    week: dt.date,
    status: str,
    hours: Decimal | None = None,
    note: str = "",
    today: dt.date,
) -> AttendanceRecord:
    """Record one week's attendance; a second record for the same week corrects the first."""
    _require_coordinator(actor, placement.activity)
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    _check(placement, week, status, hours, today)
    return _store(actor, placement, week, status, hours, note, AttendanceSource.MANUAL)


@dataclass
class ImportResult:
    errors: list[tuple[int, str]] = field(default_factory=list)
    stored: list[AttendanceRecord] = field(default_factory=list)


def _decode(data: bytes) -> str:
    if len(data) > MAX_CSV_BYTES:
        raise DomainError("file_too_large", gettext_lazy("Filen är för stor (högst 512 kB)."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DomainError(
            "bad_encoding", gettext_lazy("Filen måste vara sparad som UTF-8.")
        ) from error


def import_attendance(actor, activity: Activity, data: bytes, *, today: dt.date) -> ImportResult:
    """Check every row of the provider's file; store all rows if none is wrong, none
    otherwise. Returns the errors (row number, Swedish message) or the stored records."""
    _require_coordinator(actor, activity)
    text = _decode(data)
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    result = ImportResult()
    if not rows:
        result.errors.append((1, "Filen är tom."))
        return result
    header = tuple(cell.strip().lower() for cell in rows[0])
    if header != CSV_COLUMNS:
        result.errors.append((1, f"Rubrikraden ska vara: {';'.join(CSV_COLUMNS)}."))
        return result
    if len(rows) - 1 > MAX_CSV_ROWS:
        result.errors.append((1, f"Filen har fler än {MAX_CSV_ROWS} rader."))
        return result
    placements = {
        p.person.identity_number: p
        for p in Placement.objects.filter(
            activity=activity, status__in=(PlacementStatus.PLACED, PlacementStatus.ENDED)
        )
        .select_related("person")
        .order_by("queued_at", "id")
    }
    checked = []
    seen: dict[tuple[str, dt.date], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(CSV_COLUMNS):
            result.errors.append(
                (number, f"Raden ska ha {len(CSV_COLUMNS)} fält avskilda med semikolon.")
            )
            continue
        raw_id, raw_week, raw_status, raw_hours, note = (cell.strip() for cell in row)
        try:
            identity = parse_identity_number(raw_id, today).canonical
        except IdentityNumberError as error:
            result.errors.append((number, f"Personnumret: {error.message}"))
            continue
        placement = placements.get(identity)
        if placement is None:
            result.errors.append((number, "Personen har ingen plats i aktiviteten."))
            continue
        try:
            week = parse_week(raw_week)
        except ValueError:
            result.errors.append(
                (number, "Veckan ska anges som 2026-W49 eller som veckans måndag (2026-11-30).")
            )
            continue
        status = CSV_STATUS_CODES.get(raw_status.upper())
        if status is None:
            result.errors.append((number, "Närvaro ska vara N, G eller O."))
            continue
        hours = None
        if raw_hours:
            try:
                hours = Decimal(raw_hours.replace(",", "."))
            except InvalidOperation:
                result.errors.append((number, "Timmar ska vara ett tal, till exempel 12,5."))
                continue
            if not hours.is_finite():
                result.errors.append((number, "Timmar ska vara ett tal, till exempel 12,5."))
                continue
        if len(note) > 300:
            result.errors.append((number, "Kommentaren får vara högst 300 tecken."))
            continue
        if (identity, week) in seen:
            result.errors.append(
                (number, f"Samma person och vecka finns redan på rad {seen[identity, week]}.")
            )
            continue
        seen[identity, week] = number
        try:
            _check(placement, week, status, hours, today)
        except DomainError as error:
            result.errors.append((number, error.message))
            continue
        checked.append((placement, week, status, hours, note))
    if result.errors:
        return result
    if not checked:
        result.errors.append((2, "Filen har inga närvarorader."))
        return result
    with transaction.atomic():
        for placement, week, status, hours, note in checked:
            result.stored.append(
                _store(actor, placement, week, status, hours, note, AttendanceSource.IMPORT)
            )
    return result
