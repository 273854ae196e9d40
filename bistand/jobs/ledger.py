"""Doing a job's act once per subject and day: the JobMark ledger and the notification outbox."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from .models import Channel, JobMark, Notification


def claim(job: str, subject: str, on: dt.date, detail: dict | None = None) -> bool:
    """True the first time `job` claims `subject` for `on`, False ever after (also when two
    runs race: the unique key decides). Call it in the transaction that does the act, so a
    failed act leaves no claim behind."""
    try:
        with transaction.atomic():
            JobMark.objects.create(job=job, subject=subject, on=on, detail=detail or {})
    except IntegrityError:
        return False
    return True


def queue_notification(
    job: str,
    subject: str,
    on: dt.date,
    *,
    recipient,
    channel: str,
    address: str,
    title: str,
    body: str,
) -> Notification | None:
    """Put one message in the outbox; None when the same job, subject, day and channel was
    queued before (a second run queues nothing)."""
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    try:
        with transaction.atomic():
            return Notification.objects.create(
                job=job,
                subject=subject,
                on=on,
                channel=channel,
                recipient=recipient,
                address=address,
                title=title,
                body=body,
            )
    except IntegrityError:
        return None
