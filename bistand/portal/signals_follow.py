"""What tells the applicant there is news (portal.notifications): a final decision (the
decisions app's FINAL_DECISION_HOOKS, run once when a decision becomes final, whichever path
made it) and a signed message from the handler (post_save). Both run inside the act's
transaction, so the outbox row is written with the act or not at all."""

from __future__ import annotations

from django.db.models.signals import post_save

from bistand.cases.models import JournalEntry, JournalKind
from bistand.decisions.models import Decision
from bistand.decisions.services.decision_common import FINAL_DECISION_HOOKS

from .notifications import notify_case


def _decision_final(actor, decision: Decision) -> None:
    notify_case(decision.case_id, "decision", key=f"decision:{decision.pk}")


def _journal_entry_saved(sender, instance: JournalEntry, **kwargs) -> None:
    if instance.kind == JournalKind.SENT_MESSAGE and instance.signed_at is not None:
        notify_case(instance.case_id, "message", key=f"message:{instance.pk}")


def connect() -> None:
    if _decision_final not in FINAL_DECISION_HOOKS:
        FINAL_DECISION_HOOKS.append(_decision_final)
    post_save.connect(_journal_entry_saved, sender=JournalEntry, dispatch_uid="portal-message-news")
