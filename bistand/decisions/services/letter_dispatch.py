"""The decision letter's dispatch (and receipt, when known)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.services import atomic_service
from bistand.core.errors import DomainError

from ..models import Decision, DecisionLetter, DispatchChannel, LetterDispatch
from ..permissions import require
from .common import _require_case


@atomic_service
def mark_letter_sent(
    actor,
    decision: Decision,
    *,
    sent_on: dt.date,
    channel: str,
    received_on: dt.date | None = None,
) -> LetterDispatch:
    """Record that the letter went to the applicant (and when they received it, if known)."""
    require(actor, "send_letter")
    decision = Decision.objects.select_related("case").get(pk=decision.pk)
    _require_case(actor, decision.case)
    letter = DecisionLetter.objects.filter(decision=decision).first()
    if letter is None:
        raise DomainError("no_letter", gettext_lazy("Beslutet har inget beslutsbrev ännu."))
    today = timezone.localdate()
    if channel not in DispatchChannel.values:
        raise DomainError("bad_channel", gettext_lazy("Välj hur brevet skickades."))
    if sent_on is None or sent_on > today:
        raise DomainError(
            "bad_date", gettext_lazy("Datum då brevet skickades kan inte ligga i framtiden.")
        )
    if sent_on < decision.decided_on:
        raise DomainError(
            "before_decision", gettext_lazy("Brevet kan inte ha skickats före beslutsdagen.")
        )
    if received_on is not None and (received_on < sent_on or received_on > today):
        raise DomainError(
            "bad_received",
            gettext_lazy("Mottagningsdagen ska ligga mellan avsändningsdagen och i dag."),
        )
    dispatch = LetterDispatch.objects.create(
        letter=letter, sent_on=sent_on, channel=channel, received_on=received_on, recorded_by=actor
    )
    record(
        actor,
        AuditAction.UPDATE,
        obj=dispatch,
        case_id=decision.case_id,
        detail={
            "decision": decision.pk,
            "sent_on": sent_on.isoformat(),
            "channel": channel,
            "received_on": received_on.isoformat() if received_on else None,
        },
    )
    return dispatch
