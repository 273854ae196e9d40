"""Cases, applications, investigations, journal and documents."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bistand.core.models import FinalRecordMixin, prefetched
from bistand.households.models import Household
from bistand.organisation.models import Section, Unit


class CaseType(models.TextChoices):
    A = "A", _("A – aktiv planering, täta kontakter")
    B = "B", _("B – planering, glesare kontakter")
    C = "C", _("C – förenklad handläggning")


class CaseStatus(models.TextChoices):
    INTAKE = "intake", _("Nyansökan/utredning")
    ACTIVE = "active", _("Aktuellt")
    CLOSED = "closed", _("Avslutat")


CASE_STATUS_TRANSITIONS = {
    CaseStatus.INTAKE: {CaseStatus.ACTIVE, CaseStatus.CLOSED},
    CaseStatus.ACTIVE: {CaseStatus.CLOSED},
    CaseStatus.CLOSED: {CaseStatus.INTAKE},  # re-entry (återaktualisering)
}


class ClosingReason(models.TextChoices):
    # Socialstyrelsen's reasons for closing (HSLF-FS 2015:30, bilaga 2), as used by units.
    WORK = "work", _("Arbete")
    STUDIES = "studies", _("Studier med studiemedel")
    UNEMPLOYMENT_BENEFIT = "unemployment_benefit", _("Arbetslöshetsersättning")
    SICKNESS_BENEFIT = "sickness_benefit", _("Sjukpenning/sjuk- eller aktivitetsersättning")
    PARENTAL_BENEFIT = "parental_benefit", _("Föräldrapenning")
    PENSION = "pension", _("Pension")
    OTHER_BENEFIT = "other_benefit", _("Annan ersättning eller stöd")
    ESTABLISHMENT = "establishment", _("Etableringsersättning")
    MOVED = "moved", _("Flyttat från kommunen")
    NOT_CURRENT = "not_current", _("Inte längre aktuell / ej hörts av")
    CHANGED_HOUSEHOLD = "changed_household", _("Ändrade familjeförhållanden")
    DECEASED = "deceased", _("Avliden")
    OTHER = "other", _("Annat")


CASE_TYPE_HANDLER_ROLE = {
    # DOMAIN.md: C cases are held by a benefit administrator; A and B by a social worker.
    CaseType.A: "social_worker",
    CaseType.B: "social_worker",
    CaseType.C: "benefit_administrator",
}


class Case(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="cases")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cases")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="cases")
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_held",
    )
    assistant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_assisted",
        help_text=_("Bidragshandläggare som biträder i B-ärenden."),
    )
    case_type = models.CharField(_("ärendetyp"), max_length=1, choices=CaseType.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.INTAKE
    )
    opened_on = models.DateField(_("öppnat"))
    closed_on = models.DateField(_("avslutat"), null=True, blank=True)
    closing_reason = models.CharField(
        _("avslutsanledning"), max_length=32, choices=ClosingReason.choices, blank=True
    )
    previous_case = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="later_cases",
        help_text=_("Tidigare ärende för någon i hushållet (återaktualisering)."),
    )
    next_follow_up_on = models.DateField(_("nästa uppföljning"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["section", "status"]),
            models.Index(fields=["handler", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed")
                | (Q(closed_on__isnull=False) & ~Q(closing_reason="")),
                name="closed_case_has_date_and_reason",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=~Q(status="closed"),
                name="one_open_case_per_household",
            ),
        ]

    def __str__(self) -> str:
        return f"Ärende {self.reference}"

    @property
    def reference(self) -> str:
        return f"{self.opened_on.year}-{self.pk:05d}" if self.pk else "nytt"


class CaseAssignment(models.Model):
    """Who held the case when: the responsibility history."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assignments")
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    assistant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="+")
    case_type = models.CharField(max_length=1, choices=CaseType.choices, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["started_at", "id"]


class CaseReopening(models.Model):
    """A closed case taken up again (återaktualisering): re-entry is kept visible."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reopenings")
    reopened_on = models.DateField()
    previous_closed_on = models.DateField()
    previous_closing_reason = models.CharField(max_length=32, choices=ClosingReason.choices)
    # Empty when an application filed through the e-service reopened the case.
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)


class ApplicationKind(models.TextChoices):
    NEW = "new", _("Nyansökan")
    REPEAT = "repeat", _("Fortsatt ansökan")


class ApplicationChannel(models.TextChoices):
    PAPER = "paper", _("Papper/post")
    VISIT = "visit", _("Besök i receptionen")
    E_SERVICE = "e_service", _("E-tjänst")


class ApplicationStatus(models.TextChoices):
    RECEIVED = "received", _("Inkommen")
    COMPLETE = "complete", _("Komplett")
    DECIDED = "decided", _("Beslutad")
    WITHDRAWN = "withdrawn", _("Återtagen")
    WRITTEN_OFF = "written_off", _("Avskriven (felregistrerad)")


APPLICATION_STATUS_TRANSITIONS = {
    ApplicationStatus.RECEIVED: {
        ApplicationStatus.COMPLETE,
        ApplicationStatus.DECIDED,
        ApplicationStatus.WITHDRAWN,
        ApplicationStatus.WRITTEN_OFF,
    },
    ApplicationStatus.COMPLETE: {
        ApplicationStatus.DECIDED,
        ApplicationStatus.WITHDRAWN,
        ApplicationStatus.WRITTEN_OFF,
    },
    ApplicationStatus.DECIDED: set(),
    ApplicationStatus.WITHDRAWN: set(),
    ApplicationStatus.WRITTEN_OFF: set(),
}
UNDECIDED_STATUSES = (ApplicationStatus.RECEIVED, ApplicationStatus.COMPLETE)
# Ended without a decision: withdrawn by the applicant, or written off as registered by mistake.
ENDED_WITHOUT_DECISION = (ApplicationStatus.WITHDRAWN, ApplicationStatus.WRITTEN_OFF)


class Application(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="applications")
    kind = models.CharField(_("typ"), max_length=8, choices=ApplicationKind.choices)
    month = models.DateField(_("ansökan avser månad"), help_text=_("Första dagen i månaden."))
    received_on = models.DateField(_("ankomstdatum"))
    channel = models.CharField(_("inkom via"), max_length=12, choices=ApplicationChannel.choices)
    status = models.CharField(
        max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.RECEIVED
    )
    complete_on = models.DateField(_("komplett"), null=True, blank=True)
    stated_costs = models.JSONField(_("uppgivna kostnader"), default=list, blank=True)
    stated_incomes = models.JSONField(_("uppgivna inkomster"), default=list, blank=True)
    notes = models.TextField(_("anteckning"), blank=True)
    ended_reason = models.TextField(
        _("skäl till återtagande eller avskrivning"), blank=True, default=""
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # Staff who registered it; empty for an application the applicant filed through the
    # e-service, which names the person instead (exactly one of the two; bistand.portal).
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    submitted_by = models.ForeignKey(
        "households.Person",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("ingiven av sökande"),
    )
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "-received_on", "-id"]
        indexes = [models.Index(fields=["status", "received_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(received_on__gte=dt.date(2000, 1, 1)),
                name="application_received_on_sane",
            ),
            models.CheckConstraint(
                condition=(Q(registered_by__isnull=False) & Q(submitted_by__isnull=True))
                | (
                    Q(registered_by__isnull=True)
                    & Q(submitted_by__isnull=False)
                    & Q(channel="e_service")
                ),
                name="application_has_one_registrar",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.month:%Y-%m}"


class Investigation(models.Model):
    """The basic investigation (grundutredning) of a case. Content lives in versions."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="investigation")
    created_at = models.DateTimeField(auto_now_add=True)

    def latest_signed(self):
        versions = prefetched(self, "versions")
        if versions is not None:
            signed = [v for v in versions if v.signed_at is not None]
            return max(signed, key=lambda v: v.number, default=None)
        return self.versions.filter(signed_at__isnull=False).order_by("-number").first()

    def draft(self):
        versions = prefetched(self, "versions")
        if versions is not None:
            drafts = [v for v in versions if v.signed_at is None]
            return max(drafts, key=lambda v: v.number, default=None)
        return self.versions.filter(signed_at__isnull=True).order_by("-number").first()


class InvestigationVersion(FinalRecordMixin):
    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    content = models.JSONField(default=dict)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    changes = models.JSONField(
        default=dict, blank=True, help_text="What changed against `based_on`."
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["investigation", "number"], name="investigation_version_unique"
            ),
            models.UniqueConstraint(
                fields=["investigation"],
                condition=Q(signed_at__isnull=True),
                name="one_draft_per_investigation",
            ),
        ]

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class JournalKind(models.TextChoices):
    NOTE = "note", _("Anteckning")
    VISIT = "visit", _("Besök")
    FIRST_VISIT = "first_visit", _("Nybesök")
    PHONE = "phone", _("Telefonsamtal")
    MESSAGE = "message", _("Meddelande/e-post")
    LETTER = "letter", _("Brev")
    HOME_VISIT = "home_visit", _("Hembesök")
    TRIPARTITE_MEETING = "tripartite_meeting", _("Trepartsmöte")
    # Messages through the applicant's e-service (bistand.portal, docs/portal.md).
    RECEIVED_MESSAGE = "received_message", _("Inkommet meddelande (e-tjänst)")
    SENT_MESSAGE = "sent_message", _("Skickat meddelande (e-tjänst)")


CONTACT_KINDS = (
    JournalKind.VISIT,
    JournalKind.FIRST_VISIT,
    JournalKind.PHONE,
    JournalKind.MESSAGE,
    JournalKind.HOME_VISIT,
    JournalKind.TRIPARTITE_MEETING,
)


class JournalEntry(FinalRecordMixin):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="journal_entries")
    kind = models.CharField(
        _("typ"), max_length=24, choices=JournalKind.choices, default=JournalKind.NOTE
    )
    occurred_on = models.DateField(_("händelsedatum"))
    text = models.TextField(_("text"))
    # Staff who wrote it; empty for a message the applicant sent through the e-service, which
    # names the person instead (exactly one of the two).
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    from_person = models.ForeignKey(
        "households.Person",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("från sökande"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )

    class Meta:
        ordering = ["occurred_on", "created_at"]
        indexes = [models.Index(fields=["case", "occurred_on"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(written_by__isnull=False) & Q(from_person__isnull=True))
                | (
                    Q(written_by__isnull=True)
                    & Q(from_person__isnull=False)
                    & Q(kind="received_message")
                    & Q(signed_at__isnull=False)
                ),
                name="journal_entry_has_one_author",
            ),
        ]


class DocumentKind(models.TextChoices):
    APPLICATION = "application", _("Ansökningsblankett")
    PAYSLIP = "payslip", _("Lönebesked")
    BANK_STATEMENT = "bank_statement", _("Kontoutdrag")
    RENT_INVOICE = "rent_invoice", _("Hyresavi/faktura")
    CERTIFICATE = "certificate", _("Intyg/läkarintyg")
    DECISION_OTHER = "decision_other", _("Beslut från annan myndighet")
    OTHER = "other", _("Övrigt")


class Document(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("typ"), max_length=24, choices=DocumentKind.choices)
    title = models.CharField(_("rubrik"), max_length=200)
    file = models.FileField(upload_to="documents/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    received_on = models.DateField(_("ankomstdatum"))
    # Staff who put it in; empty for a document the applicant sent through the e-service,
    # which names the person instead (exactly one of the two; bistand.portal).
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    from_person = models.ForeignKey(
        "households.Person",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("från sökande"),
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_on", "uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(uploaded_by__isnull=False) & Q(from_person__isnull=True))
                | (Q(uploaded_by__isnull=True) & Q(from_person__isnull=False)),
                name="document_has_one_uploader",
            ),
        ]


class EmergencyAccess(models.Model):
    """Access taken to a case outside one's own work, with a stated reason (nödåtkomst)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="emergency_accesses")
    reason = models.TextField()
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]


class CaseAuthorisation(models.Model):
    """A named staff member who may open a case with a protected person (behörig handläggare).

    Only for such cases does the list matter: the handler and the unit head are always allowed,
    everyone else in the section must be named. Revoking ends the row; history is kept.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="authorisations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_authorisations"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField()
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"],
                condition=Q(revoked_at__isnull=True),
                name="one_authorisation_in_force_per_case_and_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} på ärende {self.case_id}"


class AccessReviewKind(models.TextChoices):
    SIGNOFF = "signoff", _("Signerad granskning")
    NOTE = "note", _("Tillägg")


class AccessReviewEntry(FinalRecordMixin):
    """The unit head's sign-off of a month's unusual reads, or a later note on it.

    Final as soon as written: a signed review is never changed; a later remark is a new row
    (kind NOTE). One sign-off per unit and month.
    """

    final_field = "written_at"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="access_reviews")
    month = models.DateField(_("månad"))  # first day of the month reviewed
    kind = models.CharField(max_length=16, choices=AccessReviewKind.choices)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField()
    comment = models.TextField(_("kommentar"), blank=True)
    summary = models.JSONField(default=dict)  # the counts per category when signed

    class Meta:
        ordering = ["written_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month"],
                condition=Q(kind="signoff"),
                name="one_access_review_signoff_per_unit_and_month",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="access_review_month_is_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.month:%Y-%m} ({self.unit_id})"
