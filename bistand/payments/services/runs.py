"""Payment runs: claim attested orders, write and seal the pain.001 file, send, cancel."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Sum
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.core.dates import is_working_day, next_working_day
from bistand.core.errors import DomainError, NotFound

from .. import crashpoints
from ..bank_accounts import (
    BankAccount,
    Bankgiro,
    Plusgiro,
)
from ..iso20022 import (
    CreditTransfer,
    DebtorAccount,
    Pain001Error,
    Pain001Summary,
    Pain001ValidationError,
    PaymentBatch,
    validate_pain001,
    write_pain001_file,
)
from ..models import (
    BANK_METHODS,
    OPEN_RUN_STATUSES,
    AccountKind,
    OrderStatus,
    Payee,
    PaymentMethod,
    PaymentOrder,
    PaymentRun,
    RunStatus,
    end_to_end_id,
)
from ..permissions import require
from .budget import current_settings
from .common import (
    AUDIT_CHUNK,
    _clean_text,
    _require_logged,
    _transition_run,
    _unit_of,
    id_ranges,
    payment_service,
)
from .orders import replaced_decision_ids

# The two batches (PmtInf) of a payment file: social benefit to persons, supplier invoices.
BATCH_SUFFIX = {PaymentMethod.ACCOUNT: "P", PaymentMethod.INVOICE: "F"}
CATEGORY_PURPOSE = {PaymentMethod.ACCOUNT: "SSBE", PaymentMethod.INVOICE: "SUPP"}


class NothingToPay(DomainError):
    pass


@dataclass
class RunResult:
    run: PaymentRun
    claimed: int = 0
    summary: Pain001Summary | None = None
    path: str | None = None
    messages: list[str] = field(default_factory=list)


def claimable_orders(unit, payment_date: dt.date):
    """Attested bank orders due by the date, in no run, whose account is the payee's current
    one and whose decision is still in force."""
    return PaymentOrder.objects.filter(
        unit=unit,
        run__isnull=True,
        status=OrderStatus.ATTESTED,
        method__in=BANK_METHODS,
        pay_on__lte=payment_date,
        payee_account_id__in=Payee.objects.filter(unit=unit, current_account__isnull=False).values(
            "current_account_id"
        ),
    ).exclude(decision_id__in=replaced_decision_ids())


def _check_payment_date(payment_date: dt.date) -> None:
    today = timezone.localdate()
    if payment_date < today:
        raise DomainError("date_past", "Betalningsdagen kan inte ligga bakåt i tiden.")
    if not is_working_day(payment_date):
        raise DomainError(
            "not_banking_day",
            f"{payment_date:%Y-%m-%d} är ingen bankdag. Välj närmaste bankdag, t.ex. "
            f"{next_working_day(payment_date):%Y-%m-%d}.",
        )


@dataclass
class RunPreview:
    """What building the payment file for a date would include, shown before it is built."""

    payment_date: dt.date
    count: int
    total: Decimal
    oldest_pay_on: dt.date | None
    earlier_count: int  # orders due before the payment date: older orders swept into the run
    earlier_total: Decimal
    by_method: dict[str, int]
    open_run: PaymentRun | None  # the date's file already built or being built


def preview_run(actor, payment_date: dt.date) -> RunPreview:
    """The orders `build_run` would claim for the date, counted (nothing is written): how
    many, their sum, the oldest pay date and how many were due before the date."""
    _require_logged(actor, "manage_runs", "preview_run")
    unit = _unit_of(actor)
    _check_payment_date(payment_date)
    claimable = claimable_orders(unit, payment_date)
    totals = claimable.aggregate(count=Count("id"), total=Sum("amount"), oldest=Min("pay_on"))
    earlier = claimable.filter(pay_on__lt=payment_date).aggregate(
        count=Count("id"), total=Sum("amount")
    )
    by_method = dict(
        claimable.order_by()
        .values_list("method")
        .annotate(n=Count("id"))
        .values_list("method", "n")
    )
    open_run = (
        PaymentRun.objects.filter(
            unit=unit,
            payment_date=payment_date,
            status__in=[RunStatus.BUILDING, RunStatus.BUILT],
        )
        .order_by("-id")
        .first()
    )
    return RunPreview(
        payment_date=payment_date,
        count=totals["count"] or 0,
        total=totals["total"] or Decimal("0.00"),
        oldest_pay_on=totals["oldest"],
        earlier_count=earlier["count"] or 0,
        earlier_total=earlier["total"] or Decimal("0.00"),
        by_method=by_method,
        open_run=open_run,
    )


def build_run(actor, payment_date: dt.date, *, out_path: str | None = None) -> RunResult:
    """Build (or rebuild) the payment file for a date; idempotent and safe to retry.

    1. One transaction: find the unit's open run for the date (or create it), claim every
       claimable order with one UPDATE (`run IS NULL AND status='attested'`), compute count
       and sum with one aggregate, audit the claimed orders set-wise. A crash here rolls back.
    2. Write the pain.001 (streamed from the database, to a temporary file renamed into place)
       and validate it against the XSD. A crash here leaves the run 'building' with its
       orders; the retry finds it, claims what is new, and writes the file again.
    3. One transaction: seal the run as built with the file's sha256.
    An order is claimed only where run IS NULL, so no order enters two runs; a sent run's
    orders never leave it (the database refuses), so nothing is paid twice.
    """
    _require_logged(actor, "manage_runs", "build_run")
    unit = _unit_of(actor)
    _check_payment_date(payment_date)
    settings_row = current_settings(unit)
    if settings_row is None:
        raise DomainError(
            "no_payment_settings",
            "Enhetens utbetalningskonto är inte inlagt. Enhetschefen lägger in det under "
            "Utbetalningsinställningar.",
        )
    try:
        run, claimed = _prepare_run(actor, unit, payment_date, settings_row)
    except NothingToPay:
        sent = (
            PaymentRun.objects.filter(
                unit=unit,
                payment_date=payment_date,
                status__in=[RunStatus.SENT, RunStatus.RECONCILED],
            )
            .order_by("-id")
            .first()
        )
        if sent is not None:
            raise NothingToPay(
                "nothing_to_pay",
                f"Inga nya attesterade utbetalningar för {payment_date:%Y-%m-%d}. "
                f"Betalningsfilen {sent.reference} för dagen är redan skickad; den skapas inte "
                "igen.",
            )
        raise
    result = RunResult(run=run, claimed=claimed)
    path = out_path
    temporary = None
    if path is None:
        fd, temporary = tempfile.mkstemp(prefix="betalningsfil-", suffix=".xml")
        os.close(fd)
        path = temporary
    try:
        result.summary = _write_and_seal(actor, run, path)
    finally:
        if temporary is not None:
            os.unlink(temporary)
    result.path = out_path
    run.refresh_from_db()
    return result


def _prepare_run(actor, unit, payment_date: dt.date, settings_row) -> tuple[PaymentRun, int]:
    with transaction.atomic():
        run = (
            PaymentRun.objects.select_for_update()
            .filter(
                unit=unit,
                payment_date=payment_date,
                status__in=[RunStatus.BUILDING, RunStatus.BUILT],
            )
            .first()
        )
        created = run is None
        if created:
            try:
                with transaction.atomic():
                    run = PaymentRun.objects.create(
                        unit=unit,
                        payment_date=payment_date,
                        status=RunStatus.BUILDING,
                        created_by=actor,
                        settings_used=settings_row,
                    )
            except IntegrityError:
                # Another process opened the run for the date at the same moment: use theirs
                # (the lock waits for their transaction; no order is claimed twice).
                created = False
                run = PaymentRun.objects.select_for_update().get(
                    unit=unit, payment_date=payment_date, status__in=OPEN_RUN_STATUSES
                )
        crashpoints.reached("run_created")
        claimable = claimable_orders(unit, payment_date)
        reopened = run.status == RunStatus.BUILT
        if reopened:
            if not claimable.exists():
                return run, 0  # built, nothing new: the same file again
            _transition_run(run, RunStatus.BUILDING)  # orders join only a run being built
            PaymentRun.objects.filter(pk=run.pk).update(status=RunStatus.BUILDING)
        now = timezone.now()
        claimed = claimable.update(run=run, status=OrderStatus.IN_RUN, claimed_at=now)
        crashpoints.reached("claimed")
        if claimed == 0 and not created and not reopened:
            return run, 0  # a retry after a crash: same orders, same totals
        totals = run.orders.aggregate(count=Count("id"), total=Sum("amount"))
        if not totals["count"]:
            raise NothingToPay(
                "nothing_to_pay",
                f"Det finns inga attesterade utbetalningar att betala ut senast "
                f"{payment_date:%Y-%m-%d}.",
            )
        run.revision += 1
        run.message_id = f"BIST{run.pk}-{run.revision}"
        run.file_created_at = now
        run.order_count = totals["count"]
        run.control_sum = totals["total"]
        run.file_sha256 = ""
        run.file_size = 0
        run.settings_used = settings_row
        run.save()
        # One audit event per run listing the orders it claimed (set-wise; the orders' run
        # and claimed_at say the same per order).
        claimed_ids = id_ranges(
            PaymentOrder.objects.filter(run=run, claimed_at=now)
            .values_list("id", flat=True)
            .iterator(chunk_size=AUDIT_CHUNK)
        )
        record(
            actor,
            AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=run,
            detail={
                "what": "payment_run",
                "payment_date": payment_date.isoformat(),
                "revision": run.revision,
                "claimed": claimed,
                "claimed_orders": claimed_ids,
                "order_count": run.order_count,
                "control_sum": str(run.control_sum),
            },
        )
        return run, claimed


def _credit_transfers(run: PaymentRun, method: str, written: list[int]) -> Iterator[CreditTransfer]:
    """The run's orders of one method as credit transfers, streamed from one query."""
    rows = (
        PaymentOrder.objects.filter(run=run, method=method)
        .order_by("id")
        .values_list(
            "id",
            "amount",
            "payee_name",
            "payee_account__kind",
            "payee_account__bank_name",
            "payee_account__sealed_number__clearing",
            "payee_account__sealed_number__clearing_check_digit",
            "payee_account__sealed_number__number",
            "ocr_reference",
            "message",
        )
        .iterator(chunk_size=5000)
    )
    pause_at = crashpoints.writing_pause_at()
    for row in rows:
        order_id, amount, name, kind, bank, clearing, check_digit, number, ocr, message = row
        if kind == AccountKind.BANK_ACCOUNT:
            creditor = BankAccount(bank, clearing, number, check_digit)
        elif kind == AccountKind.BANKGIRO:
            creditor = Bankgiro(number)
        else:
            creditor = Plusgiro(number)
        yield CreditTransfer(
            end_to_end_id=end_to_end_id(order_id),
            amount=amount,
            creditor_name=name,
            creditor_account=creditor,
            ocr_reference=ocr or None,
            remittance_text=message or None,
        )
        written[0] += 1  # across the file's batches
        if pause_at is not None and written[0] == pause_at:
            crashpoints.reached("writing", written[0])


def write_run_file(run: PaymentRun, path: str) -> Pain001Summary:
    """Write the run's pain.001 to `path` (atomically). Deterministic: the same run gives the
    same bytes, so the file can be produced again and checked against `file_sha256`."""
    settings_row = run.settings_used or current_settings(run.unit)
    debtor = DebtorAccount(
        name=settings_row.debtor_name, bic=settings_row.debtor_bic, iban=settings_row.debtor_iban
    )
    groups = (
        run.orders.values("method")
        .annotate(count=Count("id"), total=Sum("amount"))
        .order_by("method")
    )
    written = [0]
    batches = [
        PaymentBatch(
            payment_info_id=f"{run.message_id}-{BATCH_SUFFIX[group['method']]}",
            execution_date=run.payment_date,
            debtor=debtor,
            number_of_transactions=group["count"],
            control_sum=group["total"],
            transactions=_credit_transfers(run, group["method"], written),
            category_purpose=CATEGORY_PURPOSE[group["method"]],
        )
        for group in groups
    ]
    return write_pain001_file(
        path,
        message_id=run.message_id,
        created_at=run.file_created_at,
        initiating_party=settings_row.debtor_name,
        initiating_party_id=settings_row.initiating_party_id or None,
        batches=batches,
    )


def file_sha256(path: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _write_and_seal(actor, run: PaymentRun, path: str) -> Pain001Summary:
    crashpoints.reached("before_write")
    try:
        summary = write_run_file(run, path)
    except Pain001Error as error:
        raise DomainError(
            "file_not_written",
            f"Betalningsfilen kunde inte skrivas: {error}. Inget är skickat; rätta uppgiften och "
            "bygg filen igen.",
        )
    crashpoints.reached("after_write")
    try:
        validated = validate_pain001(path)
    except Pain001ValidationError as error:
        raise DomainError(
            "file_invalid",
            "Betalningsfilen klarar inte kontrollen mot ISO 20022-schemat: "
            + "; ".join(error.errors[:3]),
        )
    if (validated.number_of_transactions, validated.control_sum) != (
        run.order_count,
        run.control_sum,
    ):
        raise DomainError(
            "file_totals_differ",
            "Betalningsfilens antal och summa stämmer inte med utbetalningarna; filen skickas "
            "inte. Bygg filen igen.",
        )
    sha, size = file_sha256(path)
    if run.status == RunStatus.BUILT:
        if sha != run.file_sha256:
            raise DomainError(
                "file_differs",
                "Betalningsfilen blev inte likadan som när den byggdes; den skickas inte.",
            )
        return summary
    with transaction.atomic():
        sealed = PaymentRun.objects.filter(
            pk=run.pk, status=RunStatus.BUILDING, revision=run.revision
        ).update(status=RunStatus.BUILT, file_sha256=sha, file_size=size, built_at=timezone.now())
        if not sealed:
            stored = PaymentRun.objects.filter(pk=run.pk).values(
                "status", "revision", "file_sha256"
            )[0]
            if stored != {"status": RunStatus.BUILT, "revision": run.revision, "file_sha256": sha}:
                raise DomainError(
                    "run_changed",
                    "Betalningsfilen ändrades medan den byggdes (av någon annan). Bygg den igen.",
                )
            return summary  # built by another process at the same moment, byte for byte the same
        crashpoints.reached("before_seal")
        record(
            actor,
            AuditAction.UPDATE,
            obj=run,
            detail={
                "what": "payment_run_built",
                "message_id": run.message_id,
                "order_count": run.order_count,
                "control_sum": str(run.control_sum),
                "sha256": sha,
            },
        )
    run.status, run.file_sha256, run.file_size = RunStatus.BUILT, sha, size
    return summary


def rewrite_run_file(actor, run: PaymentRun, path: str) -> Pain001Summary:
    """Produce a built or sent run's file again (download), checked against its sha256."""
    require(actor, "manage_runs")
    if run.unit_id != actor.unit_id:
        raise NotFound("run_not_found", "Betalningsfilen finns inte.")
    if run.status not in (RunStatus.BUILT, RunStatus.SENT, RunStatus.RECONCILED):
        raise DomainError(
            "run_not_built",
            f"Betalningsfilen {run.reference} är {run.get_status_display().lower()}.",
        )
    summary = write_run_file(run, path)
    sha, _ = file_sha256(path)
    if sha != run.file_sha256:
        raise DomainError(
            "file_differs",
            "Betalningsfilen blev inte likadan som när den byggdes; den lämnas inte ut.",
        )
    # The file names every creditor: the download names the cases and persons it carries.
    paid = run.orders.values_list("case_id", "payee__person_id")
    record(
        actor,
        AuditAction.DOWNLOAD,
        obj=run,
        detail={
            "what": "payment_file",
            "message_id": run.message_id,
            "case_ids": sorted({case_id for case_id, _ in paid if case_id}),
            "person_ids": sorted({person_id for _, person_id in paid if person_id}),
        },
    )
    return summary


@payment_service
def mark_run_sent(actor, run: PaymentRun) -> PaymentRun:
    """Finance has delivered the file to the bank: the run and its orders are frozen."""
    require(actor, "manage_runs")
    run = PaymentRun.objects.select_for_update().get(pk=run.pk)
    if run.unit_id != actor.unit_id:
        raise NotFound("run_not_found", "Betalningsfilen finns inte.")
    _send(actor, run, note="")
    return run


def _send(actor, run: PaymentRun, *, note: str) -> None:
    if run.status != RunStatus.BUILT:
        raise DomainError(
            "run_not_built",
            f"Betalningsfilen {run.reference} är {run.get_status_display().lower()}; bara en "
            "färdig fil kan skickas.",
        )
    _transition_run(run, RunStatus.SENT)
    now = timezone.now()
    moved = run.orders.filter(status=OrderStatus.IN_RUN).update(status=OrderStatus.SENT)
    PaymentRun.objects.filter(pk=run.pk).update(status=RunStatus.SENT, sent_by=actor, sent_at=now)
    run.sent_by, run.sent_at = actor, now
    record(
        actor,
        AuditAction.UPDATE,
        obj=run,
        detail={
            "what": "payment_run_sent",
            "message_id": run.message_id,
            "orders": moved,
            "sent_orders": id_ranges(run.orders.values_list("id", flat=True).iterator()),
            "control_sum": str(run.control_sum),
            "note": note,
        },
    )


@payment_service
def cancel_run(actor, run: PaymentRun, *, reason: str) -> PaymentRun:
    """Cancel an unsent run: its orders go back to the queue (attested, in no run)."""
    require(actor, "manage_runs")
    run = PaymentRun.objects.select_for_update().get(pk=run.pk)
    if run.unit_id != actor.unit_id:
        raise NotFound("run_not_found", "Betalningsfilen finns inte.")
    reason = _clean_text(reason, "skälet till makuleringen", 2000)
    if run.status not in (RunStatus.BUILDING, RunStatus.BUILT):
        raise DomainError(
            "run_sent",
            f"Betalningsfilen {run.reference} är {run.get_status_display().lower()} och kan inte "
            "makuleras; utbetalningarna i den stäms av mot bankens besked.",
        )
    _transition_run(run, RunStatus.CANCELLED)
    released = list(run.orders.values_list("id", flat=True))
    run.orders.update(run=None, status=OrderStatus.ATTESTED, claimed_at=None)
    now = timezone.now()
    PaymentRun.objects.filter(pk=run.pk).update(
        status=RunStatus.CANCELLED, cancelled_by=actor, cancelled_at=now, cancel_reason=reason
    )
    run.cancelled_by, run.cancelled_at, run.cancel_reason = actor, now, reason
    record(
        actor,
        AuditAction.UPDATE,
        obj=run,
        detail={
            "what": "payment_run_cancelled",
            "orders": len(released),
            "released_orders": id_ranges(released),
            "reason": reason,
        },
    )
    return run
