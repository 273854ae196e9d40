"""What the applicant files through the e-service (docs/portal.md, "Applying online").

An `EApplication` is the applicant's own form: a draft while they fill it in (kept on every
save, seen by nobody at the unit), then submitted once, when it becomes a real
`cases.Application` (channel e-service) through the same service staff use. After submission
it is never changed: it is the record of what the applicant stated and assured.
`StagedAttachment` holds a file chosen for a draft until submission turns it into a case
`cases.Document`. A `CompletionRequest` (begäran om komplettering) is a handler's request for
documents with a due date; the applicant answers with a `CompletionAnswer` and documents.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bistand.cases.models import ApplicationKind, DocumentKind
from bistand.core.models import FinalRecordMixin


class EApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    # Signed by the first adult; waits for the co-applicant's own e-ID signature.
    AWAITING_CO_SIGNATURE = "awaiting_co", _("Väntar på medsökandes underskrift")
    SUBMITTED = "submitted", _("Inskickad")


# Which status may follow which (services_apply checks it): the co-applicant's decline sends
# a waiting application back to the first signer as a draft.
EAPPLICATION_TRANSITIONS = {
    EApplicationStatus.DRAFT: {
        EApplicationStatus.AWAITING_CO_SIGNATURE,
        EApplicationStatus.SUBMITTED,
    },
    EApplicationStatus.AWAITING_CO_SIGNATURE: {
        EApplicationStatus.SUBMITTED,
        EApplicationStatus.DRAFT,
    },
    EApplicationStatus.SUBMITTED: set(),
}


class EApplication(models.Model):
    person = models.ForeignKey(
        "households.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("sökande")
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="+"
    )
    # The open case a repeat application is for; for a new one, the case it opened.
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="e_applications", null=True
    )
    kind = models.CharField(max_length=8, choices=ApplicationKind.choices)
    status = models.CharField(
        max_length=12, choices=EApplicationStatus.choices, default=EApplicationStatus.DRAFT
    )
    # What the applicant typed: month, members, incomes, costs, changes, other information.
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    assured_at = models.DateTimeField(_("försäkran lämnad"), null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    application = models.OneToOneField(
        "cases.Application",
        on_delete=models.PROTECT,
        related_name="e_application",
        null=True,
        blank=True,
    )
    # The second adult whose own e-ID signature the application waits for (the household's
    # other adult today when the first signed); empty for a single-adult household.
    co_signer = models.ForeignKey(
        "households.Person",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("medsökande"),
    )
    # What the first signer signed, cleaned (month, members, figures, changes), kept while
    # the application waits so the co-applicant signs, and the unit receives, exactly that.
    signed_statement = models.JSONField(default=dict, blank=True)
    # Bumped when the co-applicant declines: signatures of an earlier round no longer count.
    signing_round = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "household", "kind"],
                condition=Q(status="draft"),
                name="one_open_e_application_draft",
            ),
            # One application of a kind waits for signatures per household at a time.
            models.UniqueConstraint(
                fields=["household", "kind"],
                condition=Q(status="awaiting_co"),
                name="one_e_application_awaiting_co_signature",
            ),
            models.CheckConstraint(
                condition=~Q(status="awaiting_co")
                | (Q(co_signer__isnull=False) & Q(assured_at__isnull=False)),
                name="awaiting_e_application_names_co_signer",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "awaiting_co"])
                | (
                    Q(application__isnull=False)
                    & Q(submitted_at__isnull=False)
                    & Q(assured_at__isnull=False)
                ),
                name="submitted_e_application_is_complete",
            ),
        ]


class SignatureOutcome(models.TextChoices):
    SIGNED = "signed", _("Underskriven")
    DECLINED = "declined", _("Avböjd")


class EApplicationSignature(FinalRecordMixin):
    """One adult's signature of an online application with their own e-ID (or the
    co-applicant's refusal to sign, with the reason). A record: written once, never edited or
    deleted; a declined round is followed by a new round, never by changing this row."""

    e_application = models.ForeignKey(
        EApplication, on_delete=models.PROTECT, related_name="signatures"
    )
    person = models.ForeignKey("households.Person", on_delete=models.PROTECT, related_name="+")
    signing_round = models.PositiveIntegerField()
    outcome = models.CharField(max_length=8, choices=SignatureOutcome.choices)
    # How the person proved who they are in the session that signed ("oidc", "test-eid").
    method = models.CharField(max_length=16, blank=True)
    reason = models.TextField(blank=True)
    # SHA-256 of what was signed (the statement and the attachments' content), so that both
    # signatures can be shown to be of the same application.
    content_sha256 = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True)

    final_field = "at"  # final from the moment it is written

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["e_application", "person", "signing_round"],
                name="one_signature_per_person_and_round",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="declined") | ~Q(reason=""),
                name="declined_signature_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Underskrift av ansökan {self.e_application_id} ({self.outcome})"

    @property
    def method_label(self) -> str:
        return str(SIGNING_METHOD_LABELS.get(self.method, self.method or "-"))


class EApplicationWithdrawal(FinalRecordMixin):
    """The first signer took back an application that waited for the co-applicant's
    signature: it went back to them as a draft (a new signing round), and the second adult's
    request to sign went away. A record: written once, never edited or deleted."""

    e_application = models.ForeignKey(
        EApplication, on_delete=models.PROTECT, related_name="withdrawals"
    )
    person = models.ForeignKey("households.Person", on_delete=models.PROTECT, related_name="+")
    # Whose signature it waited for, and in which round.
    co_signer = models.ForeignKey("households.Person", on_delete=models.PROTECT, related_name="+")
    signing_round = models.PositiveIntegerField()
    at = models.DateTimeField(auto_now_add=True)

    final_field = "at"

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["e_application", "signing_round"], name="one_withdrawal_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"Återkallad ansökan {self.e_application_id} (omgång {self.signing_round})"


SIGNING_METHOD_LABELS = {
    "oidc": _("e-legitimation"),
    "test-eid": _("test-e-legitimation"),
}


class StagedAttachment(models.Model):
    """A checked file waiting in a draft; moved into the case's documents on submission."""

    e_application = models.ForeignKey(
        EApplication, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    file = models.FileField(upload_to="portal/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    document = models.ForeignKey(
        "cases.Document", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["uploaded_at", "id"]


class CompletionRequest(models.Model):
    """Begäran om komplettering: what the handler asks the applicant for, and by when. A record
    of the case, never edited; answered by `CompletionAnswer` rows."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="completion_requests"
    )
    application = models.ForeignKey(
        "cases.Application",
        on_delete=models.PROTECT,
        related_name="completion_requests",
        null=True,
        blank=True,
    )
    text = models.TextField(_("vad som behövs"))
    due_on = models.DateField(_("senast"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-requested_at", "-id"]


class CompletionAnswer(models.Model):
    request = models.ForeignKey(CompletionRequest, on_delete=models.PROTECT, related_name="answers")
    person = models.ForeignKey("households.Person", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)
    documents = models.ManyToManyField("cases.Document", related_name="+", blank=True)
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["answered_at", "id"]


# The follow-up side's records (notifications, contact choices): models_follow.py.
from .models_follow import ApplicantNotification, ContactPreference  # noqa: E402

__all__ = [
    "ApplicantNotification",
    "CompletionAnswer",
    "CompletionRequest",
    "ContactPreference",
    "EApplication",
    "EApplicationSignature",
    "SignatureOutcome",
    "StagedAttachment",
]

# What the applicant sent, as notices to the staff (Nytt från sökande): models_notices.py.
from .models_notices import StaffNotice, StaffNoticeKind, StaffNoticeRead  # noqa: E402, F401
