"""Appeals: registered with the time check, dismissed when late, reconsidered, forwarded to
the court, the court's outcome, withdrawn."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.services import atomic_service
from bistand.core.errors import DomainError
from bistand.core.states import move_to
from bistand.core.text import LONG_TEXT, check_text

from .. import legal
from ..models import (
    APPEAL_STATUS_TRANSITIONS,
    Appeal,
    AppealStatus,
    CourtOutcome,
    Decision,
    LetterDispatch,
    ReceiptBasis,
    Reconsideration,
)
from ..permissions import require
from .common import _require_case


def _appeal_transition(appeal: Appeal, status: str) -> None:
    move_to(
        appeal,
        status,
        APPEAL_STATUS_TRANSITIONS,
        "Överklagandet är {current}; det kan inte gå till {new}.",
    )


def _lock_appeal(actor, appeal: Appeal) -> Appeal:
    appeal = Appeal.objects.select_for_update().select_related("case", "decision").get(pk=appeal.pk)
    _require_case(actor, appeal.case)
    return appeal


@atomic_service
def register_appeal(
    actor,
    decision: Decision,
    *,
    received_on: dt.date,
    decision_received_on: dt.date | None = None,
    basis: str = ReceiptBasis.UNKNOWN,
    text: str = "",
) -> Appeal:
    """Register an appeal with its arrival date and check whether it came in time."""
    require(actor, "register_appeal")
    decision = Decision.objects.select_related("case").get(pk=decision.pk)
    _require_case(actor, decision.case)
    return _create_appeal(
        actor,
        decision,
        received_on=received_on,
        decision_received_on=decision_received_on,
        basis=basis,
        text=text,
        registered_by=actor,
    )


@atomic_service
def register_applicant_appeal(actor, person, decision: Decision, *, text: str) -> Appeal:
    """An appeal the applicant wrote and sent through the e-service: registered as staff
    register one, arriving today, with the same time check (when the applicant received the
    decision comes from a recorded receipt if there is one, else it is unknown and the appeal
    counts as in time). `actor` is the access log's actor for the applicant (bistand.portal,
    which has checked that the person is applicant or co-applicant of the case today)."""
    if not text.strip():
        raise DomainError("text_required", "Skriv vad du vill ändra i beslutet och varför.")
    check_text(text, LONG_TEXT, "Överklagandet")
    decision = Decision.objects.select_related("case").get(pk=decision.pk)
    return _create_appeal(
        actor,
        decision,
        received_on=timezone.localdate(),
        decision_received_on=None,
        basis=ReceiptBasis.UNKNOWN,
        text=text,
        from_person=person,
    )


def _create_appeal(
    actor,
    decision: Decision,
    *,
    received_on: dt.date,
    decision_received_on: dt.date | None,
    basis: str,
    text: str,
    registered_by=None,
    from_person=None,
) -> Appeal:
    """The appeal row, its deadlines and its access-log row: one rule for every channel."""
    today = timezone.localdate()
    if not decision.is_final:
        raise DomainError("not_final", "Bara ett fattat beslut kan överklagas.")
    if received_on is None or received_on > today:
        raise DomainError("bad_date", "Ange när överklagandet kom in (inte ett framtida datum).")
    if received_on < decision.decided_on:
        raise DomainError("before_decision", "Överklagandet kan inte ha kommit in före beslutet.")
    if basis not in ReceiptBasis.values:
        raise DomainError("bad_basis", "Välj varifrån uppgiften om mottagandet kommer.")
    if decision_received_on is None:
        decision_received_on, basis = decision_receipt(decision)
    elif basis == ReceiptBasis.UNKNOWN:
        raise DomainError(
            "basis_required", "Ange varifrån uppgiften om när sökande fick beslutet kommer."
        )
    if decision_received_on is not None and not (
        decision.decided_on <= decision_received_on <= received_on
    ):
        raise DomainError(
            "bad_receipt_date",
            "Dagen då sökande fick del av beslutet ska ligga mellan beslutsdagen och dagen "
            "överklagandet kom in.",
        )
    appeal = Appeal.objects.create(
        decision=decision,
        case=decision.case,
        received_on=received_on,
        decision_received_on=decision_received_on,
        decision_received_basis=basis,
        appeal_deadline=legal.appeal_deadline(decision_received_on)
        if decision_received_on
        else None,
        in_time=legal.appeal_in_time(decision_received_on, received_on),
        forward_deadline=legal.forward_deadline(received_on),
        text=text.strip(),
        registered_by=registered_by,
        from_person=from_person,
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=appeal,
        case_id=appeal.case_id,
        person_id=from_person.pk if from_person is not None else None,
        detail={
            "decision": decision.pk,
            "received_on": received_on.isoformat(),
            "decision_received_on": decision_received_on.isoformat()
            if decision_received_on
            else None,
            "deadline": appeal.appeal_deadline.isoformat() if appeal.appeal_deadline else None,
            "in_time": appeal.in_time,
            "channel": "e-tjanst" if from_person is not None else "staff",
        },
    )
    return appeal


def decision_receipt(decision: Decision) -> tuple[dt.date | None, str]:
    """When the applicant received the decision, as far as a recorded receipt tells (the
    earliest `LetterDispatch.received_on`), with its basis; (None, unknown) without one."""
    dispatch = (
        LetterDispatch.objects.filter(letter__decision=decision, received_on__isnull=False)
        .order_by("received_on")
        .first()
    )
    if dispatch is not None:
        return dispatch.received_on, ReceiptBasis.RECEIPT
    return None, ReceiptBasis.UNKNOWN


@atomic_service
def dismiss_late_appeal(actor, appeal: Appeal, *, reason: str = "") -> Appeal:
    """Dismiss (avvisa) an appeal that came in too late; only when that is known."""
    require(actor, "handle_appeal")
    appeal = _lock_appeal(actor, appeal)
    if appeal.in_time is not False:
        raise DomainError(
            "not_late",
            "Överklagandet kan bara avvisas om det är känt att det kom in för sent. När det inte "
            "är känt när sökande fick beslutet ska det behandlas som inkommet i rätt tid.",
        )
    _appeal_transition(appeal, AppealStatus.DISMISSED_LATE)
    appeal.dismissal_reason = reason.strip() or (
        f"Överklagandet kom in {appeal.received_on:%Y-%m-%d}; sista dag var "
        f"{appeal.appeal_deadline:%Y-%m-%d}."
    )
    appeal.reconsidered_by, appeal.reconsidered_at = actor, timezone.now()
    appeal.closed_at = timezone.now()
    appeal.save()
    record(
        actor,
        AuditAction.UPDATE,
        obj=appeal,
        case_id=appeal.case_id,
        detail={"status": appeal.status},
    )
    return appeal


@atomic_service
def record_reconsideration(actor, appeal: Appeal, *, result: str, note: str = "") -> Appeal:
    """The decision maker has reconsidered (omprövat) the decision.

    Changed as the applicant asked: the appeal lapses. Unchanged or changed in part: the appeal
    must be forwarded to the court (forward_appeal), with the new decision if there is one.
    """
    require(actor, "handle_appeal")
    appeal = _lock_appeal(actor, appeal)
    if appeal.status != AppealStatus.REGISTERED:
        raise DomainError("not_registered", "Överklagandet är redan handlagt.")
    if result not in Reconsideration.values:
        raise DomainError("bad_result", "Välj resultatet av omprövningen.")
    if result != Reconsideration.UNCHANGED and appeal.new_decision_id is None:
        raise DomainError(
            "new_decision_required",
            "Fatta först det nya beslutet som ändrar det överklagade (Ändra beslutet).",
        )
    if result == Reconsideration.UNCHANGED and appeal.new_decision_id is not None:
        raise DomainError(
            "decision_changed", "Beslutet har ändrats; välj delvis eller helt ändrat."
        )
    appeal.reconsideration = result
    appeal.reconsideration_note = note.strip()
    appeal.reconsidered_by, appeal.reconsidered_at = actor, timezone.now()
    if result == Reconsideration.CHANGED_FULLY:
        _appeal_transition(appeal, AppealStatus.SATISFIED)
        appeal.closed_at = timezone.now()
    appeal.save()
    record(
        actor,
        AuditAction.UPDATE,
        obj=appeal,
        case_id=appeal.case_id,
        detail={"reconsideration": result, "new_decision": appeal.new_decision_id},
    )
    return appeal


@atomic_service
def forward_appeal(
    actor,
    appeal: Appeal,
    *,
    opinion: str,
    court: str = "",
    forwarded_on: dt.date | None = None,
) -> Appeal:
    """Pass the appeal with the board's opinion (yttrande) to the administrative court."""
    require(actor, "handle_appeal")
    appeal = _lock_appeal(actor, appeal)
    if appeal.status != AppealStatus.REGISTERED:
        raise DomainError("not_registered", "Överklagandet är redan handlagt.")
    if appeal.in_time is False:
        raise DomainError(
            "late_appeal",
            "Överklagandet kom in för sent och ska avvisas, inte överlämnas.",
        )
    if not appeal.reconsideration:
        appeal.reconsideration = Reconsideration.UNCHANGED
        appeal.reconsidered_by, appeal.reconsidered_at = actor, timezone.now()
    if appeal.reconsideration == Reconsideration.CHANGED_FULLY:
        raise DomainError(
            "satisfied", "Beslutet är ändrat som sökande begärt; inget att överlämna."
        )
    if not opinion.strip():
        raise DomainError("opinion_required", "Skriv nämndens yttrande till förvaltningsrätten.")
    today = timezone.localdate()
    forwarded_on = forwarded_on or today
    if forwarded_on > today or forwarded_on < appeal.received_on:
        raise DomainError(
            "bad_date", "Överlämnandedagen ska ligga mellan dagen överklagandet kom in och i dag."
        )
    _appeal_transition(appeal, AppealStatus.FORWARDED)
    appeal.opinion = opinion.strip()
    appeal.court = court.strip() or "Förvaltningsrätten"
    appeal.forwarded_on, appeal.forwarded_by = forwarded_on, actor
    appeal.save()
    record(
        actor,
        AuditAction.UPDATE,
        obj=appeal,
        case_id=appeal.case_id,
        detail={
            "status": "forwarded",
            "forwarded_on": forwarded_on.isoformat(),
            "deadline": appeal.forward_deadline.isoformat(),
            "late": forwarded_on > appeal.forward_deadline,
        },
    )
    return appeal


@atomic_service
def record_court_outcome(
    actor,
    appeal: Appeal,
    *,
    outcome: str,
    decided_on: dt.date,
    case_number: str = "",
    note: str = "",
) -> Appeal:
    """The court's judgment on a forwarded appeal."""
    require(actor, "handle_appeal")
    appeal = _lock_appeal(actor, appeal)
    if outcome not in CourtOutcome.values:
        raise DomainError("bad_outcome", "Välj domstolens avgörande.")
    if decided_on is None or decided_on > timezone.localdate():
        raise DomainError("bad_date", "Ange domstolens avgörandedag (inte ett framtida datum).")
    if appeal.forwarded_on and decided_on < appeal.forwarded_on:
        raise DomainError("bad_date", "Domstolen kan inte ha avgjort målet före överlämnandet.")
    _appeal_transition(appeal, AppealStatus.COURT_DECIDED)
    appeal.court_outcome = outcome
    appeal.court_decided_on = decided_on
    appeal.court_case_number = case_number.strip()
    appeal.court_note = note.strip()
    appeal.court_recorded_by = actor
    appeal.closed_at = timezone.now()
    appeal.save()
    record(
        actor,
        AuditAction.UPDATE,
        obj=appeal,
        case_id=appeal.case_id,
        detail={"court_outcome": outcome, "decided_on": decided_on.isoformat()},
    )
    return appeal


@atomic_service
def withdraw_appeal(actor, appeal: Appeal, *, note: str = "") -> Appeal:
    require(actor, "handle_appeal")
    appeal = _lock_appeal(actor, appeal)
    _appeal_transition(appeal, AppealStatus.WITHDRAWN)
    appeal.court_note = note.strip()
    appeal.closed_at = timezone.now()
    appeal.save()
    record(
        actor,
        AuditAction.UPDATE,
        obj=appeal,
        case_id=appeal.case_id,
        detail={"status": "withdrawn"},
    )
    return appeal
