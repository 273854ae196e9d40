"""The applicant's contact preferences and the outbox of their notifications (docs/portal.md,
"Notifications"). Kept in a module of their own; `portal.models` imports them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bistand.households.models import Person


class ContactPreference(models.Model):
    """How the applicant wants to hear that there is news on Mina sidor. A change is a new
    row; the latest applies (the history shows what applied when a message was sent)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    email = models.EmailField(_("e-postadress"), blank=True)
    phone = models.CharField(_("mobilnummer"), max_length=20, blank=True)
    by_email = models.BooleanField(_("meddela mig med e-post"), default=False)
    by_sms = models.BooleanField(_("meddela mig med sms"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(by_email=False) | ~Q(email=""), name="contact_email_when_chosen"
            ),
            models.CheckConstraint(
                condition=Q(by_sms=False) | ~Q(phone=""), name="contact_phone_when_chosen"
            ),
        ]

    def __str__(self) -> str:
        return f"Kontaktval för person {self.person_id}"


class ApplicantNotification(models.Model):
    """One "news on Mina sidor" message to one person on one channel. Keyed person + event +
    channel, so an event is queued once however often it is reported; the delivery job sets
    `sent_at` once. Title and body are fixed texts: never case content or personal data."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    # What happened, as "decision:12", "message:40", "completion:7": the idempotency key.
    event = models.CharField(max_length=64)
    reason = models.CharField(max_length=24)
    channel = models.CharField(max_length=8)
    address = models.CharField(max_length=254)
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "event", "channel"], name="applicant_notification_once"
            )
        ]
        indexes = [models.Index(fields=["sent_at"])]

    def __str__(self) -> str:
        return f"Avisering {self.event} ({self.channel})"
