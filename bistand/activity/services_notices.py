"""The reverse notice from Arbetsförmedlingen: a person "may be covered" (*kan omfattas*) by
the activity requirement. Read in from a CSV file (upload page or management command), checked
row by row and stored all or nothing (docs/activity-requirement.md, "The reverse notice").

The file is **our own format** (AF and SKR are still designing the real transfer): UTF-8 (BOM
accepted), `;`, header `personnummer;datum;kommentar`, at most 2 000 rows and 512 kB.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import CaseStatus
from bistand.cases.selectors import cases_visible_to
from bistand.core.errors import DomainError
from bistand.core.identity import IdentityNumberError, parse_identity_number
from bistand.households.models import HouseholdMembership

from .models import CoverageNotice, CoverageNoticeImport
from .permissions import require
from .services_attendance import MAX_CSV_ROWS, _decode

NOTICE_COLUMNS = ("personnummer", "datum", "kommentar")
DEFAULT_SOURCE = "Arbetsförmedlingen"


@dataclass
class NoticeResult:
    errors: list[tuple[int, str]] = field(default_factory=list)
    stored: list[CoverageNotice] = field(default_factory=list)


def _open_cases_by_identity(actor, today: dt.date) -> dict[str, tuple[int, int]]:
    """Identity number → (person id, case id) for the adults of the open cases `actor` may
    open (one query). A person in two open cases takes the latest opened."""
    visible = cases_visible_to(actor).exclude(status=CaseStatus.CLOSED)
    found: dict[str, tuple[int, int]] = {}
    memberships = (
        HouseholdMembership.objects.filter(
            household__cases__in=visible,
            role__in=("applicant", "co_applicant"),
            valid_from__lte=today,
        )
        .exclude(valid_to__lte=today)
        .values_list("person__identity_number", "person_id", "household__cases__id")
        .order_by("household__cases__opened_on", "household__cases__id")
    )
    visible_ids = set(visible.values_list("pk", flat=True))
    for identity, person_id, case_id in memberships:
        if case_id in visible_ids:
            found[identity] = (person_id, case_id)
    return found


def import_notices(
    actor, data: bytes, *, today: dt.date, source: str = DEFAULT_SOURCE, file_name: str = ""
) -> NoticeResult:
    """Check every row; store all rows if none is wrong, none otherwise. A person must be an
    adult of an open case the actor may open (the same message whether the person does not
    exist or is not theirs: nothing is revealed)."""
    require(actor, "record_coverage_notice")
    source = (source or "").strip()
    if not source:
        raise DomainError("source_required", "Ange varifrån underrättelserna kommer.")
    text = _decode(data)
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    result = NoticeResult()
    if not rows:
        result.errors.append((1, "Filen är tom."))
        return result
    if tuple(cell.strip().lower() for cell in rows[0]) != NOTICE_COLUMNS:
        result.errors.append((1, f"Rubrikraden ska vara: {';'.join(NOTICE_COLUMNS)}."))
        return result
    if len(rows) - 1 > MAX_CSV_ROWS:
        result.errors.append((1, f"Filen har fler än {MAX_CSV_ROWS} rader."))
        return result
    known = _open_cases_by_identity(actor, today)
    checked = []
    seen: dict[tuple[str, dt.date], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(NOTICE_COLUMNS):
            result.errors.append(
                (number, f"Raden ska ha {len(NOTICE_COLUMNS)} fält avskilda med semikolon.")
            )
            continue
        raw_id, raw_date, note = (cell.strip() for cell in row)
        try:
            identity = parse_identity_number(raw_id, today).canonical
        except IdentityNumberError as error:
            result.errors.append((number, f"Personnumret: {error.message}"))
            continue
        if identity not in known:
            result.errors.append(
                (number, "Ingen vuxen i ett öppet ärende som du har behörighet till.")
            )
            continue
        try:
            notice_on = dt.date.fromisoformat(raw_date)
        except ValueError:
            result.errors.append((number, "Datumet ska anges som ÅÅÅÅ-MM-DD."))
            continue
        if notice_on > today:
            result.errors.append((number, "Datumet kan inte ligga i framtiden."))
            continue
        if len(note) > 300:
            result.errors.append((number, "Kommentaren får vara högst 300 tecken."))
            continue
        if (identity, notice_on) in seen:
            result.errors.append(
                (number, f"Samma person och datum finns redan på rad {seen[identity, notice_on]}.")
            )
            continue
        seen[identity, notice_on] = number
        person_id, case_id = known[identity]
        checked.append((number, person_id, case_id, notice_on, note))
    already = set(
        CoverageNotice.objects.filter(
            person_id__in=[c[1] for c in checked], notice_on__in=[c[3] for c in checked]
        ).values_list("person_id", "notice_on")
    )
    for number, person_id, _case_id, notice_on, _note in checked:
        if (person_id, notice_on) in already:
            result.errors.append((number, "Underrättelsen finns redan registrerad."))
    if result.errors:
        result.errors.sort()
        return result
    if not checked:
        result.errors.append((1, "Filen har inga rader."))
        return result
    with transaction.atomic():
        batch = CoverageNoticeImport.objects.create(
            source=source[:200], file_name=file_name[:200], rows=len(checked), imported_by=actor
        )
        for _number, person_id, case_id, notice_on, note in checked:
            notice = CoverageNotice.objects.create(
                person_id=person_id, case_id=case_id, notice_on=notice_on, note=note, batch=batch
            )
            record(
                actor,
                AuditAction.CREATE,
                obj=notice,
                case_id=case_id,
                person_id=person_id,
                detail={"after": {"notice_on": notice_on.isoformat(), "source": batch.source}},
            )
            result.stored.append(notice)
    return result


@dataclass
class FetchResult:
    stored: list[CoverageNotice] = field(default_factory=list)
    already: int = 0  # recorded before (the same person and date): skipped, not an error
    not_found: int = 0  # no adult of an open case the actor may open: not stored
    batch: CoverageNoticeImport | None = None


def fetch_notices(
    actor, *, since: dt.date, until: dt.date, today: dt.date, client=None
) -> FetchResult:
    """Fetch AF's "kan omfattas" notices for a period through the adapter (the simulator by
    default, docs/activity-requirement.md) and store the new ones, as `actor` (their case
    access decides which persons are found). Idempotent: a notice already recorded (the same
    person and date) is skipped, so fetching the same period again stores nothing. A notice
    about someone not found is counted and not stored (nothing revealed about whom). A refused
    reply (`af_adapter.AFError`) stores nothing."""
    from . import af_adapter

    require(actor, "record_coverage_notice")
    if until < since:
        raise DomainError("bad_period", "Slutdatum kan inte vara före startdatum.")
    if until > today:
        raise DomainError("future_date", "Perioden kan inte sluta i framtiden.")
    client = client or af_adapter.get_client()
    notices = af_adapter.ask(af_adapter.new_request(since, until), client)
    known = _open_cases_by_identity(actor, today)
    result = FetchResult()
    wanted: dict[tuple[int, dt.date], tuple[int, str]] = {}
    for notice in notices:
        if notice.identity_number not in known:
            result.not_found += 1
            continue
        person_id, case_id = known[notice.identity_number]
        if (person_id, notice.notice_on) in wanted:
            result.already += 1  # twice in one reply: once is enough
            continue
        wanted[person_id, notice.notice_on] = (case_id, notice.note)
    recorded = set(
        CoverageNotice.objects.filter(
            person_id__in={p for p, _d in wanted}, notice_on__in={d for _p, d in wanted}
        ).values_list("person_id", "notice_on")
    )
    new = {key: value for key, value in wanted.items() if key not in recorded}
    result.already += len(wanted) - len(new)
    if not new:
        return result
    source = getattr(client, "source_label", "") or DEFAULT_SOURCE
    with transaction.atomic():
        result.batch = CoverageNoticeImport.objects.create(
            source=source[:200],
            file_name=f"{since:%Y-%m-%d}–{until:%Y-%m-%d}",
            rows=len(new),
            imported_by=actor,
        )
        for (person_id, notice_on), (case_id, note) in sorted(new.items()):
            notice = CoverageNotice.objects.create(
                person_id=person_id,
                case_id=case_id,
                notice_on=notice_on,
                note=note,
                batch=result.batch,
            )
            record(
                actor,
                AuditAction.CREATE,
                obj=notice,
                case_id=case_id,
                person_id=person_id,
                detail={"after": {"notice_on": notice_on.isoformat(), "source": source}},
            )
            result.stored.append(notice)
    return result
