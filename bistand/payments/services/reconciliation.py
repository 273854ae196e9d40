"""Reconciliation with the bank: pain.002 / camt.054 status reports read in set-wise."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, connection
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.core.errors import DomainError

from ..iso20022 import (
    REASON_TEXTS_SV,
    PaymentOutcome,
    StatusReport,
    StatusReportError,
    parse_camt054,
    parse_pain002,
)
from ..models import (
    UNSENT_STATUSES,
    OrderStatus,
    PaymentOrder,
    PaymentRun,
    ReconciliationLine,
    RunStatus,
    StatusReportImport,
    end_to_end_id,
    order_id_from_end_to_end,
)
from .common import _require_logged, _unit_of, id_ranges, payment_service, sek
from .runs import BATCH_SUFFIX, _send


@dataclass
class ImportResult:
    report: StatusReportImport
    already_imported: bool = False


def read_status_report(data: bytes) -> StatusReport:
    """A pain.002 or camt.054, whichever the file is."""
    errors = []
    for parse in (parse_pain002, parse_camt054):
        try:
            return parse(data)
        except StatusReportError as error:
            errors.append(str(error))
    raise DomainError(
        "not_a_status_report",
        "Filen är inte en statusrapport från banken (pain.002 eller camt.054) eller kan inte "
        "läsas: " + errors[0],
    )


def _reason_text(status) -> str:
    text = status.reason_sv or ""
    if not text and status.reason_code:
        text = REASON_TEXTS_SV.get(status.reason_code, f"Bankens kod {status.reason_code}.")
    return text[:300]


@dataclass
class _Change:
    order_id: int
    case_id: int
    run_id: int
    previous: str
    new: str
    status_code: str
    reason_code: str
    reason: str
    booked_on: dt.date | None


def import_status_report(actor, data: bytes, *, filename: str = "") -> ImportResult:
    """Read the bank's pain.002 or camt.054: orders become paid or rejected (with the bank's
    reason, back to finance). The same report again changes nothing."""
    _require_logged(actor, "reconcile", "import_status_report")
    unit = _unit_of(actor)
    sha = hashlib.sha256(data).hexdigest()
    existing = StatusReportImport.objects.filter(unit=unit, sha256=sha).first()
    if existing is not None:
        return ImportResult(existing, already_imported=True)
    report = read_status_report(data)
    existing = (
        StatusReportImport.objects.filter(
            unit=unit, message_type=report.message_type, message_id=report.message_id
        )
        .exclude(message_id="")
        .first()
    )
    if existing is not None:
        return ImportResult(existing, already_imported=True)
    try:
        return _apply_report(actor, unit, report, sha, filename)
    except IntegrityError:
        # The same report read in at the same moment by someone else: theirs counts.
        existing = StatusReportImport.objects.filter(unit=unit, sha256=sha).first()
        if existing is None:
            raise
        return ImportResult(existing, already_imported=True)


@payment_service
def _apply_report(actor, unit, report: StatusReport, sha: str, filename: str) -> ImportResult:
    run = None
    if report.original_message_id:
        run = (
            PaymentRun.objects.select_for_update()
            .filter(unit=unit, message_id=report.original_message_id)
            .first()
        )
        if run is None:
            raise DomainError(
                "unknown_run",
                f"Rapporten gäller betalningsfilen {report.original_message_id}, som inte finns "
                "här (eller är en tidigare version av en fil som byggdes om).",
            )
        if run.status == RunStatus.BUILT:
            _send(actor, run, note="markerad som skickad: banken har svarat på filen")
        elif run.status not in (RunStatus.SENT, RunStatus.RECONCILED):
            raise DomainError(
                "run_not_sent",
                f"Betalningsfilen {run.reference} är {run.get_status_display().lower()}; en "
                "rapport för den kan inte läsas in.",
            )
        candidates = run.orders.all()
    else:
        ids = [
            order_id
            for order_id in map(order_id_from_end_to_end, report.transactions)
            if order_id is not None
        ]
        candidates = PaymentOrder.objects.filter(unit=unit, pk__in=ids)
    problems: list[str] = []
    seen: set[str] = set()
    changes: list[_Change] = []
    counts = {"paid": 0, "rejected": 0, "pending": 0, "unchanged": 0}
    run_dates = dict(PaymentRun.objects.filter(unit=unit).values_list("message_id", "payment_date"))
    for order_id, case_id, run_id, status, amount, method, message_id in candidates.values_list(
        "id", "case_id", "run_id", "status", "amount", "method", "run__message_id"
    ).iterator(chunk_size=5000):
        e2e = end_to_end_id(order_id)
        batch_id = f"{message_id}-{BATCH_SUFFIX.get(method, '')}" if message_id else None
        news = report.status_for(e2e, batch_id)
        if news is None:
            continue
        seen.add(e2e)
        if news.amount is not None and news.amount != amount:
            problems.append(
                f"{e2e}: beloppet i rapporten ({sek(news.amount)}) stämmer inte med "
                f"utbetalningen ({sek(amount)}); inte avstämd."
            )
            continue
        if news.outcome == PaymentOutcome.PENDING:
            counts["pending"] += 1
            continue
        if status in (OrderStatus.CANCELLED, OrderStatus.IN_RUN, *UNSENT_STATUSES):
            problems.append(f"{e2e}: utbetalningen är {OrderStatus(status).label.lower()}.")
            continue
        booked_on = news.booking_date or run_dates.get(message_id)
        if news.outcome == PaymentOutcome.PAID:
            if status != OrderStatus.SENT:
                counts["unchanged"] += 1
                continue
            new = OrderStatus.PAID
            counts["paid"] += 1
        else:
            if status == OrderStatus.REJECTED:
                counts["unchanged"] += 1
                continue
            new = OrderStatus.REJECTED
            counts["rejected"] += 1
        changes.append(
            _Change(
                order_id,
                case_id,
                run_id,
                status,
                new,
                (news.status_code or "")[:8],
                (news.reason_code or "")[:8],
                _reason_text(news) if new == OrderStatus.REJECTED else "",
                booked_on,
            )
        )
    for e2e in report.transactions:
        if e2e not in seen:
            problems.append(
                f"{e2e}: ingen utbetalning med den referensen i filen eller på enheten."
            )
    applied = _apply_changes(changes)
    if len(applied) < len(changes):
        problems.append(
            f"{len(changes) - len(applied)} utbetalningar ändrades samtidigt av någon annan och "
            "lämnades orörda."
        )
        counts["paid"] = sum(1 for c in applied if c.new == OrderStatus.PAID)
        counts["rejected"] = sum(1 for c in applied if c.new == OrderStatus.REJECTED)
    changes = applied
    imported = StatusReportImport.objects.create(
        unit=unit,
        sha256=sha,
        message_type=report.message_type[:20],
        message_id=report.message_id[:35],
        original_message_id=(report.original_message_id or "")[:35],
        run=run,
        filename=filename[:255],
        paid_count=counts["paid"],
        rejected_count=counts["rejected"],
        pending_count=counts["pending"],
        unchanged_count=counts["unchanged"],
        problems=problems[:200],
        imported_by=actor,
    )
    _insert_lines(changes, imported)
    touched_runs = {c.run_id for c in changes if c.run_id} | ({run.pk} if run else set())
    for run_id in touched_runs:
        _maybe_reconciled(run_id)
    record(
        actor,
        AuditAction.CREATE,
        obj=imported,
        detail={
            "what": "status_report",
            "message_type": imported.message_type,
            "message_id": imported.message_id,
            "run": run.pk if run else None,
            **counts,
            "paid_orders": id_ranges(c.order_id for c in changes if c.new == OrderStatus.PAID),
            "rejected_orders": id_ranges(
                c.order_id for c in changes if c.new == OrderStatus.REJECTED
            ),
            "problems": len(problems),
        },
    )
    return ImportResult(imported)


def _group(changes: list[_Change]) -> dict[tuple, list[_Change]]:
    groups: dict[tuple, list[_Change]] = defaultdict(list)
    for c in changes:
        groups[(c.previous, c.new, c.status_code, c.reason_code, c.reason, c.booked_on)].append(c)
    return groups


def _apply_changes(changes: list[_Change]) -> list[_Change]:
    """Set-wise: per group of equal news (previous status, new status, code, reason, date)
    one UPDATE ... WHERE id IN (...) AND status = previous RETURNING id (in chunks). An order
    changed meanwhile by someone else is left alone. Returns the changes made."""
    orders = PaymentOrder._meta.db_table
    applied: list[_Change] = []
    for (previous, new, status_code, reason_code, reason, booked_on), group in _group(
        changes
    ).items():
        values: dict = {"status": new, "bank_status_code": status_code}
        if new == OrderStatus.PAID:
            values["paid_on"] = booked_on
        else:
            values["bank_reason_code"] = reason_code
            values["bank_reason"] = reason or "Avvisad av banken utan angivet skäl."
            if previous == OrderStatus.PAID:
                values["returned_on"] = booked_on
        by_id = {c.order_id: c for c in group}
        ids = sorted(by_id)
        sets = ", ".join(f'"{column}" = %s' for column in values)
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            marks = ", ".join(["%s"] * len(chunk))
            with connection.cursor() as cursor:
                cursor.execute(
                    f'UPDATE "{orders}" SET {sets} WHERE "id" IN ({marks}) AND "status" = %s '
                    'RETURNING "id"',
                    [*values.values(), *chunk, previous],
                )
                applied.extend(by_id[row[0]] for row in cursor.fetchall())
    return applied


def _insert_lines(applied: list[_Change], report: StatusReportImport) -> None:
    """The reconciliation lines, one INSERT ... SELECT per group and chunk."""
    orders = PaymentOrder._meta.db_table
    lines = ReconciliationLine._meta.db_table
    for (previous, new, status_code, reason_code, reason, booked_on), group in _group(
        applied
    ).items():
        ids = sorted(c.order_id for c in group)
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            marks = ", ".join(["%s"] * len(chunk))
            with connection.cursor() as cursor:
                cursor.execute(
                    f'INSERT INTO "{lines}" ("report_id", "order_id", "previous_status", '
                    '"new_status", "status_code", "reason_code", "reason", "booked_on") '
                    f'SELECT %s, "id", %s, %s, %s, %s, %s, %s FROM "{orders}" '
                    f'WHERE "id" IN ({marks})',
                    [report.pk, previous, new, status_code, reason_code, reason, booked_on, *chunk],
                )


def _maybe_reconciled(run_id: int) -> None:
    run = PaymentRun.objects.select_for_update().get(pk=run_id)
    if run.status != RunStatus.SENT:
        return
    if not run.orders.filter(status__in=[OrderStatus.SENT, OrderStatus.IN_RUN]).exists():
        PaymentRun.objects.filter(pk=run.pk).update(
            status=RunStatus.RECONCILED, reconciled_at=timezone.now()
        )
