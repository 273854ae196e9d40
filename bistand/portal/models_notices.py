"""The staff's notices of what the applicant sent through the e-service ("Nytt från sökande",
docs/portal.md): one row per event, never changed or deleted; reading it is a row of its own.
Kept in a module of their own; `portal.models` imports them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bistand.core.models import FinalRecordMixin


class StaffNoticeKind(models.TextChoices):
    APPLICATION = "application", _("Ansökan via e-tjänsten")
    COMPLETION_ANSWER = "completion", _("Svar på begäran om komplettering")
    MESSAGE = "message", _("Meddelande")
    DOCUMENT = "document", _("Handlingar")
    APPEAL = "appeal", _("Överklagande")


class StaffNotice(FinalRecordMixin):
    """Something the applicant sent arrived on the case. Addressed to the case's handler when
    it arrived (`handler`), or with no handler to the case's section's queue (`section`); the
    start page shows it to the case's handler today, or with none to the section's staff."""

    final_field = "created_at"  # final from the start: never changed or deleted

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=StaffNoticeKind.choices)
    # What happened, as "message:40", "appeal:3": the idempotency key (one notice per event).
    event = models.CharField(max_length=64, unique=True)
    person = models.ForeignKey("households.Person", on_delete=models.PROTECT, related_name="+")
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    section = models.ForeignKey("organisation.Section", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self) -> str:
        return f"Nytt från sökande {self.event}"


class StaffNoticeRead(FinalRecordMixin):
    """A staff member has read a notice (marked it read). Once per person and notice."""

    final_field = "read_at"

    notice = models.ForeignKey(StaffNotice, on_delete=models.PROTECT, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "user"], name="staff_notice_read_once")
        ]

    def __str__(self) -> str:
        return f"Läst {self.notice_id} av {self.user_id}"
