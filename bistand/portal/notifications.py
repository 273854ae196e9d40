"""Telling the applicant that there is news on Mina sidor, by e-mail and SMS (docs/portal.md).

The message says only that there is something new and where to read it: no name, no case
number, no amount, no decision. Acts that concern the applicant call `notify_applicant` (or
`notify_household`) in their own transaction; a row per person, event and channel goes into the
outbox (`ApplicantNotification`), so an event reported twice, or a job retried, queues nothing
new. The job `portal-notifications` (the jobs app's queue and scheduler) sends each row once:
e-mail through Django's e-mail backend, SMS through `BISTAND_SMS_BACKEND` (the jobs app's
pluggable backend; the console backend in development).

Events today: a final decision (`decision:<id>`), a signed message from the handler
(`message:<id>`); the completion requests of online applications call `notify_applicant`
with reason "completion" and their own key; an online application waiting for the second
adult's signature (`co-signature:<id>:<round>`) and its decline (`co-signature-declined:...`)
use reason "signature".
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from bistand.households.models import ADULT_ROLES, HouseholdMembership, Person
from bistand.jobs.models import Channel
from bistand.jobs.notifications import (  # noqa: F401 (DeliveryFailed: re-exported)
    DeliveryFailed,
    deliver_outbox,
    sms_backend,
)
from bistand.jobs.registry import Job, JobContext, cron

from .models import ApplicantNotification, ContactPreference

logger = logging.getLogger("bistand.portal")

JOB = "portal-notifications"
REASONS = ("decision", "message", "completion", "signature", "other")


def _texts() -> tuple[str, str]:
    """The one message every notification carries (Swedish, the e-service's first language)."""
    with override("sv"):
        title = _("Nytt på Mina sidor")
        body = _(
            "Det finns något nytt för dig i e-tjänsten för ekonomiskt bistånd. Logga in på Mina "
            "sidor med e-legitimation för att läsa det."
        )
    url = getattr(settings, "BISTAND_PORTAL_URL", "")
    return title, f"{body}\n{url}".strip()


def contact_preference(person: Person) -> ContactPreference | None:
    return ContactPreference.objects.filter(person=person).order_by("-created_at", "-id").first()


def notify_applicant(person: Person, reason: str, *, key: str) -> int:
    """Queue "news on Mina sidor" to `person` on the channels they chose; `key` names the event
    ("completion:7") and makes the call idempotent. Returns the number of rows queued (0 when
    the person chose no channel or the event was queued before). Call it inside the act's
    transaction: the job is started when that commits."""
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    preference = contact_preference(person)
    return _queue(person.pk, preference, reason, key) if preference is not None else 0


def _adults_today(memberships):
    today = timezone.localdate()
    return (
        memberships.filter(role__in=ADULT_ROLES, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
        .values("person_id")
    )


def household_adults(household_id: int) -> list[Person]:
    """The applicant and co-applicant of the household today (whoever Mina sidor shows the
    case to)."""
    memberships = HouseholdMembership.objects.filter(household_id=household_id)
    return list(Person.objects.filter(pk__in=_adults_today(memberships)))


def notify_household(household_id: int, reason: str, *, key: str) -> int:
    memberships = HouseholdMembership.objects.filter(household_id=household_id)
    return _notify_adults(memberships, reason, key)


def notify_case(case_id: int, reason: str, *, key: str) -> int:
    """`notify_household` for the case's household; one query when nobody there chose to be
    told (the usual case), so the hooks cost a decision or a message almost nothing."""
    memberships = HouseholdMembership.objects.filter(household__cases__id=case_id)
    return _notify_adults(memberships, reason, key)


def _notify_adults(memberships, reason: str, key: str) -> int:
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    latest: dict[int, ContactPreference] = {}
    for preference in ContactPreference.objects.filter(
        person_id__in=_adults_today(memberships)
    ).order_by("person_id", "-created_at", "-id"):
        latest.setdefault(preference.person_id, preference)
    return sum(
        _queue(person_id, preference, reason, key) for person_id, preference in latest.items()
    )


def _queue(person_id: int, preference: ContactPreference, reason: str, key: str) -> int:
    title, body = _texts()
    channels = []
    if preference.by_email and preference.email:
        channels.append((Channel.EMAIL, preference.email))
    if preference.by_sms and preference.phone:
        channels.append((Channel.SMS, preference.phone))
    queued = 0
    for channel, address in channels:
        _, created = ApplicantNotification.objects.get_or_create(
            person_id=person_id,
            event=key[:64],
            channel=channel,
            defaults={"reason": reason, "address": address, "title": title, "body": body},
        )
        queued += int(created)
    if queued:
        transaction.on_commit(_enqueue_delivery)
    return queued


def _enqueue_delivery() -> None:
    from bistand.jobs.broker import enqueue

    try:
        enqueue(JOB, trigger="portal")
    except Exception:  # the schedule sends it within five minutes anyway
        logger.warning("portal notifications could not be queued now", exc_info=True)


def _send(row: ApplicantNotification) -> None:
    if row.channel == Channel.EMAIL:
        send_mail(row.title, row.body, settings.DEFAULT_FROM_EMAIL, [row.address])
    else:
        sms_backend().send(row.address, f"{row.title}\n{row.body}")


def deliver_pending(limit: int = 500) -> dict:
    """Send every unsent notification once (the jobs app's outbox loop: each row locked, sent
    and marked in one transaction; a failed send stays for the next try and fails the job)."""
    return deliver_outbox(ApplicantNotification, _send, what="aviseringar", limit=limit)


def run_delivery(ctx: JobContext) -> dict:
    return deliver_pending()


DELIVERY_JOB = Job(
    JOB,
    "Skicka aviseringar till sökande (e-tjänsten)",
    run_delivery,
    schedule=cron("*/5 * * * *"),
    max_retries=5,
    backoff_seconds=60,
    description="Skickar ”Nytt på Mina sidor” en gång per händelse och kanal (e-post, SMS), "
    "utan personuppgifter.",
)
