"""What the background jobs did: one row per run, a ledger of what was done once, an outbox."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Pågår")
    SUCCEEDED = "succeeded", _("Klar")
    RETRYING = "retrying", _("Misslyckades, försöker igen")
    FAILED = "failed", _("Misslyckades")


class JobRun(models.Model):
    """One attempt of one job: for the system administrator's page (/drift/jobb/)."""

    job = models.CharField(_("jobb"), max_length=64, db_index=True)
    trigger = models.CharField(_("startat av"), max_length=32)
    attempt = models.PositiveIntegerField(_("försök"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=RunStatus.choices)
    started_at = models.DateTimeField(_("startade"))
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)
    # Counts and keys only (the job's contract); an error is its exception type and, for a
    # domain error, its Swedish message: never an exception text that may quote a row.
    result = models.JSONField(_("resultat"), default=dict, blank=True)
    error = models.CharField(_("fel"), max_length=500, blank=True)
    task_id = models.CharField(_("uppgifts-id"), max_length=64, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["job", "-started_at"])]
        verbose_name = _("jobbkörning")
        verbose_name_plural = _("jobbkörningar")

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class JobMark(models.Model):
    """The ledger: `job` did its act for `subject` on `on` (e.g. a reminder for plan 12 on
    2026-03-02). The unique key makes a second run of the same day a no-op."""

    job = models.CharField(max_length=64)
    subject = models.CharField(max_length=128)
    on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "subject", "on"], name="jobs_mark_once")
        ]


class Channel(models.TextChoices):
    EMAIL = "email", _("E-post")
    SMS = "sms", _("SMS")


class Notification(models.Model):
    """The outbox: one message to one staff member, keyed job + subject + day + channel so it
    is queued once; the `notifications` job delivers it and sets sent_at once."""

    job = models.CharField(max_length=64)
    subject = models.CharField(max_length=128)
    on = models.DateField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
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
                fields=["job", "subject", "on", "channel"], name="jobs_notification_once"
            )
        ]
        indexes = [models.Index(fields=["sent_at"])]
