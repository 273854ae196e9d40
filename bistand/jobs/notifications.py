"""Delivering the outbox: e-mail through Django's e-mail backend, SMS through a pluggable
backend (BISTAND_SMS_BACKEND, a dotted path; the default writes to the console)."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Channel, Notification

logger = logging.getLogger("bistand.jobs")


class SmsBackend:
    """Send one text message; raise on failure (the job retries with back-off)."""

    def send(self, to: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """Development and tests: print the message instead of sending it."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, to: str, text: str) -> None:
        self.stream.write(f"SMS till {to}: {text}\n")
        self.stream.flush()


def sms_backend() -> SmsBackend:
    return import_string(settings.BISTAND_SMS_BACKEND)()


def _deliver(notification: Notification) -> None:
    if notification.channel == Channel.EMAIL:
        send_mail(
            notification.title,
            notification.body,
            settings.DEFAULT_FROM_EMAIL,
            [notification.address],
            fail_silently=False,
        )
    else:
        sms_backend().send(notification.address, f"{notification.title}\n{notification.body}")


def deliver_outbox(model, send, *, what: str, limit: int = 500) -> dict:
    """Send every unsent row of an outbox `model` (fields `sent_at`, `attempts`,
    `last_error`) once with `send(row)`. Each row is locked, sent and marked in one
    transaction, so two workers never send the same row, a sent row is never sent again and a
    failed send stays for the next try. Raises after the batch if any failed (the job is then
    retried with back-off). `what` names the rows in the error ("meddelanden")."""
    sent = failed = 0
    ids = list(
        model.objects.filter(sent_at__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    for pk in ids:
        try:
            with transaction.atomic():
                row = model.objects.select_for_update().filter(pk=pk, sent_at__isnull=True).first()
                if row is None:  # sent meanwhile by another worker
                    continue
                row.attempts += 1
                send(row)
                row.sent_at = timezone.now()
                row.last_error = ""
                row.save(update_fields=["attempts", "sent_at", "last_error"])
            sent += 1
        except Exception as error:
            failed += 1
            model.objects.filter(pk=pk).update(
                attempts=F("attempts") + 1, last_error=type(error).__name__[:200]
            )
            logger.warning("%s %s not delivered: %s", model._meta.label, pk, type(error).__name__)
    if failed:
        raise DeliveryFailed(f"{failed} av {sent + failed} {what} kunde inte skickas")
    return {"sent": sent}


def deliver_pending(limit: int = 500) -> dict:
    """The staff outbox (`Notification`): see deliver_outbox."""
    return deliver_outbox(Notification, _deliver, what="meddelanden", limit=limit)


class DeliveryFailed(Exception):
    pass
