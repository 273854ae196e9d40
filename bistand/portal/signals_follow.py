"""What tells the applicant there is news (portal.notifications): a final decision and a
signed message from the handler. Receivers run inside the act's transaction, so the outbox row
is written with the act or not at all."""

from __future__ import annotations

from django.db.models.signals import post_save

from bistand.cases.models import JournalEntry, JournalKind
from bistand.decisions.models import Decision, DecisionStatus

from .notifications import notify_case


def _decision_saved(sender, instance: Decision, **kwargs) -> None:
    if instance.status == DecisionStatus.FINAL and instance.decided_at is not None:
        notify_case(instance.case_id, "decision", key=f"decision:{instance.pk}")


def _journal_entry_saved(sender, instance: JournalEntry, **kwargs) -> None:
    if instance.kind == JournalKind.SENT_MESSAGE and instance.signed_at is not None:
        notify_case(instance.case_id, "message", key=f"message:{instance.pk}")


def connect() -> None:
    post_save.connect(_decision_saved, sender=Decision, dispatch_uid="portal-decision-news")
    post_save.connect(_journal_entry_saved, sender=JournalEntry, dispatch_uid="portal-message-news")
