"""The FUT queue and fraud investigations: who may see and do what, the acts, and the reads.

Flags and runs are for the fraud investigators (FUT-handläggare) of the unit; investigations
for them and the unit head. Everyone else is refused, and a record of another unit answers as
one that does not exist. Every read of a flag or an investigation is an access-log row; every
act is one too, with before/after, in the act's transaction. docs/controls.md.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.organisation.models import Role

from .models import (
    ControlFlag,
    ControlRun,
    FlagStatus,
    FraudInvestigation,
    FraudReport,
    FraudReportKind,
    InvestigationNote,
    InvestigationOutcome,
    InvestigationStatus,
    RunTrigger,
)
from .permissions import can

FLAG_NOT_FOUND = "Flaggan finns inte eller så saknar du behörighet."
INVESTIGATION_NOT_FOUND = "Utredningen finns inte eller så saknar du behörighet."
RUN_NOT_FOUND = "Kontrollkörningen finns inte eller så saknar du behörighet."
TEXT_LIMIT = 4000
LONG_TEXT_LIMIT = 20000


# --- Who --------------------------------------------------------------------------------------


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.unit_id)


def is_fut(user) -> bool:
    """A fraud investigator: works the queue, runs the controls, investigates."""
    return _active(user) and user.role == Role.FRAUD_INVESTIGATOR


def may_read_investigations(user) -> bool:
    return _active(user) and user.role in (Role.FRAUD_INVESTIGATOR, Role.UNIT_HEAD)


def require_fut(user) -> None:
    if not is_fut(user):
        raise PermissionRefused(
            "fut_only", "Endast FUT-handläggare har tillgång till kontrollkörningarna och FUT-kön."
        )


def require_investigation_reader(user) -> None:
    if not may_read_investigations(user):
        raise PermissionRefused(
            "fut_only", "Endast FUT-handläggare och enhetschefen har tillgång till FUT-utredningar."
        )


def _text(value, label: str, *, required: bool = True, limit: int = TEXT_LIMIT) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise DomainError("required", f"Ange {label}.")
    if len(text) > limit or "\x00" in text:
        raise DomainError("too_long", f"Texten får vara högst {limit} tecken.")
    return text


# --- Reads (each logged) -------------------------------------------------------------------


def may_read_flag_list(user) -> bool:
    """Fraud investigators, and the controller, who reads the list only (no evidence, no
    acts, no investigations)."""
    return _active(user) and can(user, "read_flag_list")


def require_flag_list_reader(user) -> None:
    if not may_read_flag_list(user):
        raise PermissionRefused(
            "fut_only",
            "Endast FUT-handläggare och internkontrollanter har tillgång till listan över "
            "kontrollkörningarnas flaggor.",
        )


def flags_for(user, *, status: str | None = FlagStatus.OPEN, rule: str | None = None):
    """The unit's FUT queue (logged as one search row with what was asked). The controller
    reads it too; every act and each flag's evidence stay with the fraud investigators."""
    require_flag_list_reader(user)
    flags = ControlFlag.objects.filter(unit_id=user.unit_id).select_related("first_run")
    if status:
        flags = flags.filter(status=status)
    if rule:
        flags = flags.filter(rule=rule)
    record(
        user,
        AuditAction.SEARCH,
        object_type="controls.controlflag",
        detail={"status": status or "", "rule": rule or ""},
    )
    return flags


def open_flag(user, flag_id, *, what: str = "flag") -> ControlFlag:
    require_fut(user)
    try:
        flag = ControlFlag.objects.select_related("first_run", "dismissed_by").get(
            pk=int(flag_id), unit_id=user.unit_id
        )
    except (ControlFlag.DoesNotExist, TypeError, ValueError, OverflowError):
        raise NotFound("not_found", FLAG_NOT_FOUND) from None
    record(
        user,
        AuditAction.VIEW,
        obj=flag,
        case_id=flag.case_id,
        person_id=flag.person_id,
        detail={"what": what},
    )
    return flag


def runs_for(user) -> QuerySet[ControlRun]:
    """The runs over the user's unit (another unit's runs are not there to be seen)."""
    require_flag_list_reader(user)
    return ControlRun.objects.filter(unit_id=user.unit_id).select_related("started_by")


def open_run(user, run_id) -> ControlRun:
    """One run of the user's unit; another unit's run answers as one that does not exist."""
    require_fut(user)
    try:
        return ControlRun.objects.get(pk=int(run_id), unit_id=user.unit_id)
    except (ControlRun.DoesNotExist, TypeError, ValueError, OverflowError):
        raise NotFound("not_found", RUN_NOT_FOUND) from None


def investigations_for(user, *, status: str | None = None) -> QuerySet[FraudInvestigation]:
    """The unit's investigations (logged as one search row)."""
    require_investigation_reader(user)
    investigations = FraudInvestigation.objects.filter(unit_id=user.unit_id).select_related(
        "flag", "opened_by"
    )
    if status:
        investigations = investigations.filter(status=status)
    record(
        user,
        AuditAction.SEARCH,
        object_type="controls.fraudinvestigation",
        detail={"status": status or ""},
    )
    return investigations


def open_investigation(user, investigation_id, *, what: str = "investigation"):
    """One investigation with its notes and reports; the read is logged (with case and
    person). Another unit's, or a missing id, answers the same: not found."""
    require_investigation_reader(user)
    try:
        investigation = FraudInvestigation.objects.select_related(
            "flag", "opened_by", "closed_by", "case", "person"
        ).get(pk=int(investigation_id), unit_id=user.unit_id)
    except (FraudInvestigation.DoesNotExist, TypeError, ValueError, OverflowError):
        raise NotFound("not_found", INVESTIGATION_NOT_FOUND) from None
    record(
        user,
        AuditAction.VIEW,
        obj=investigation,
        case_id=investigation.case_id,
        person_id=investigation.person_id,
        detail={"what": what},
    )
    return investigation


# --- Acts ------------------------------------------------------------------------------------


def start_run(actor, run_on: dt.date) -> ControlRun:
    """A control run on demand, by a fraud investigator, over the investigator's own unit."""
    from .runs import run_controls

    require_fut(actor)
    return run_controls(actor, run_on, unit_id=actor.unit_id, trigger=RunTrigger.ON_DEMAND)


@transaction.atomic
def dismiss_flag(actor, flag: ControlFlag, *, reason: str) -> ControlFlag:
    """A false positive leaves the queue with the reason why (required)."""
    require_fut(actor)
    reason = _text(reason, "skälet till att flaggan skrivs av")
    flag = ControlFlag.objects.select_for_update().get(pk=flag.pk, unit_id=actor.unit_id)
    if flag.status != FlagStatus.OPEN:
        raise DomainError("flag_not_open", "Flaggan är redan hanterad.")
    flag.status = FlagStatus.DISMISSED
    flag.dismissed_by, flag.dismissed_at, flag.dismiss_reason = actor, timezone.now(), reason
    flag.save(update_fields=["status", "dismissed_by", "dismissed_at", "dismiss_reason"])
    record(
        actor,
        AuditAction.UPDATE,
        obj=flag,
        case_id=flag.case_id,
        person_id=flag.person_id,
        detail={
            "before": {"status": FlagStatus.OPEN},
            "after": {"status": flag.status, "reason": reason},
        },  # fmt: skip
    )
    return flag


@transaction.atomic
def start_investigation(
    actor, *, suspicion: str, flag: ControlFlag | None = None, case=None, person=None
) -> FraudInvestigation:
    """Open an investigation, from a flag (which then says *Utreds*) or on a tip."""
    require_fut(actor)
    suspicion = _text(suspicion, "misstanken", limit=LONG_TEXT_LIMIT)
    if flag is not None:
        flag = ControlFlag.objects.select_for_update().get(pk=flag.pk, unit_id=actor.unit_id)
        if flag.status != FlagStatus.OPEN:
            raise DomainError("flag_not_open", "Flaggan är redan hanterad.")
        case = case or flag.case
        person = person or flag.person
    if case is not None and case.unit_id != actor.unit_id:
        raise NotFound("not_found", "Ärendet finns inte eller så saknar du behörighet.")
    investigation = FraudInvestigation.objects.create(
        unit_id=actor.unit_id,
        flag=flag,
        case=case,
        person=person,
        suspicion=suspicion,
        opened_by=actor,
        opened_at=timezone.now(),
    )
    if flag is not None:
        flag.status = FlagStatus.INVESTIGATION
        flag.save(update_fields=["status"])
    record(
        actor,
        AuditAction.CREATE,
        obj=investigation,
        case_id=investigation.case_id,
        person_id=investigation.person_id,
        detail={"flag": flag.pk if flag else None},
    )
    return investigation


def _open_for_writing(actor, investigation: FraudInvestigation) -> FraudInvestigation:
    require_fut(actor)
    locked = (
        FraudInvestigation.objects.select_for_update()
        .filter(pk=investigation.pk, unit_id=actor.unit_id)
        .first()
    )
    if locked is None:
        raise NotFound("not_found", INVESTIGATION_NOT_FOUND)
    if locked.status != InvestigationStatus.OPEN:
        raise DomainError("investigation_closed", "Utredningen är avslutad.")
    return locked


@transaction.atomic
def add_note(actor, investigation: FraudInvestigation, *, text: str) -> InvestigationNote:
    investigation = _open_for_writing(actor, investigation)
    text = _text(text, "anteckningen", limit=LONG_TEXT_LIMIT)
    note = InvestigationNote.objects.create(
        investigation=investigation, text=text, written_by=actor, written_at=timezone.now()
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=note,
        case_id=investigation.case_id,
        person_id=investigation.person_id,
        detail={"investigation": investigation.pk},
    )
    return note


@transaction.atomic
def record_report(
    actor,
    investigation: FraudInvestigation,
    *,
    kind: str,
    sent_on: dt.date,
    recipient: str,
    summary: str,
    reference: str = "",
) -> FraudReport:
    """A police report (bidragsbrottslagen 2007:612) or a notification to another authority
    (lag 2008:206): recorded with its date and recipient."""
    require_fut(actor)
    if kind not in FraudReportKind.values:
        raise DomainError("bad_kind", "Välj polisanmälan eller underrättelse.")
    if not isinstance(sent_on, dt.date) or sent_on > timezone.localdate():
        raise DomainError("bad_date", "Ange dagen då handlingen skickades (inte en framtida dag).")
    investigation = _open_for_writing(actor, investigation)
    report = FraudReport.objects.create(
        investigation=investigation,
        kind=kind,
        sent_on=sent_on,
        recipient=_text(recipient, "mottagaren", limit=200),
        reference=_text(reference, "diarienummer", required=False, limit=100),
        summary=_text(summary, "vad handlingen innehåller", limit=LONG_TEXT_LIMIT),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=report,
        case_id=investigation.case_id,
        person_id=investigation.person_id,
        detail={
            "investigation": investigation.pk,
            "kind": kind,
            "sent_on": sent_on.isoformat(),
            "recipient": report.recipient,
        },  # fmt: skip
    )
    return report


@transaction.atomic
def close_investigation(
    actor, investigation: FraudInvestigation, *, outcome: str, note: str
) -> FraudInvestigation:
    """The outcome, with its reasons; the investigation is then closed (read-only)."""
    investigation = _open_for_writing(actor, investigation)
    if outcome not in InvestigationOutcome.values:
        raise DomainError("bad_outcome", "Välj ett utfall.")
    note = _text(note, "motiveringen till utfallet", limit=LONG_TEXT_LIMIT)
    investigation.status = InvestigationStatus.CLOSED
    investigation.outcome, investigation.outcome_note = outcome, note
    investigation.closed_by, investigation.closed_at = actor, timezone.now()
    investigation.save(
        update_fields=["status", "outcome", "outcome_note", "closed_by", "closed_at"]
    )
    record(
        actor,
        AuditAction.UPDATE,
        obj=investigation,
        case_id=investigation.case_id,
        person_id=investigation.person_id,
        detail={
            "before": {"status": InvestigationStatus.OPEN},
            "after": {"status": investigation.status, "outcome": outcome},
        },  # fmt: skip
    )
    return investigation
