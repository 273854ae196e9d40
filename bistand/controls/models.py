"""Register checks (kontroller) and the unit's requirements for them.

A check is a record: who asked, when, which source, for which person and period, the answer
(validated JSON, normalised by the adapter), whether it differs from what the applicant
stated, and the handler's assessment. Requirements are versioned sets per unit: the set with
the latest `valid_from` on or before a decision's month applies; an empty set requires nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bistand.cases.models import Application, Case
from bistand.households.models import Person
from bistand.organisation.models import Unit


class Source(models.TextChoices):
    """Where a fact is checked: SSBTEK's sources, the vehicle register and paper evidence."""

    SKATTEVERKET = "skatteverket", _("Skatteverket (inkomster, arbetsgivardeklaration per individ)")
    FORSAKRINGSKASSAN = "forsakringskassan", _("Försäkringskassan")
    ARBETSFORMEDLINGEN = "arbetsformedlingen", _("Arbetsförmedlingen")
    CSN = "csn", _("CSN")
    PENSIONSMYNDIGHETEN = "pensionsmyndigheten", _("Pensionsmyndigheten")
    AKASSA = "akassa", _("Arbetslöshetskassorna (a-kassan)")
    TRANSPORTSTYRELSEN = "transportstyrelsen", _("Transportstyrelsen (vägtrafikregistret)")
    BANK_STATEMENT = "bank_statement", _("Kontoutdrag från banken")
    LANDLORD = "landlord", _("Hyresvärdens intyg")


# Reached through the SSBTEK adapter (or the vehicle register through the same adapter);
# the rest are documents the handler reads and records by hand.
REGISTER_SOURCES = (
    Source.SKATTEVERKET,
    Source.FORSAKRINGSKASSAN,
    Source.ARBETSFORMEDLINGEN,
    Source.CSN,
    Source.PENSIONSMYNDIGHETEN,
    Source.AKASSA,
    Source.TRANSPORTSTYRELSEN,
)
MANUAL_SOURCES = (Source.BANK_STATEMENT, Source.LANDLORD)

# Short names for letters and lists.
SOURCE_SHORT = {
    Source.SKATTEVERKET: "Skatteverket",
    Source.FORSAKRINGSKASSAN: "Försäkringskassan",
    Source.ARBETSFORMEDLINGEN: "Arbetsförmedlingen",
    Source.CSN: "CSN",
    Source.PENSIONSMYNDIGHETEN: "Pensionsmyndigheten",
    Source.AKASSA: "a-kassan",
    Source.TRANSPORTSTYRELSEN: "Transportstyrelsen",
    Source.BANK_STATEMENT: "kontoutdrag",
    Source.LANDLORD: "hyresvärdens intyg",
}


class Channel(models.TextChoices):
    REGISTER = "register", _("Registerfråga (SSBTEK)")
    MANUAL = "manual", _("Handling som handläggaren läst")


class Assessment(models.TextChoices):
    NO_DISCREPANCY = "no_discrepancy", _("Ingen avvikelse")
    EXPLAINED = "explained", _("Avvikelse – förklarad")
    ACTION = "action", _("Avvikelse – åtgärd")


# An unexplained discrepancy: a repeat decision resting on it is never automatic.
UNEXPLAINED = (Assessment.ACTION,)


class RegisterCheck(models.Model):
    """One check of one source for one person and period. Written once; assessed once."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="register_checks")
    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="register_checks",
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="register_checks")
    source = models.CharField(_("källa"), max_length=24, choices=Source.choices)
    channel = models.CharField(_("kanal"), max_length=12, choices=Channel.choices)
    period_start = models.DateField(_("period från"), help_text=_("Första dagen i månaden."))
    period_end = models.DateField(_("period till"), help_text=_("Första dagen i sista månaden."))
    request_id = models.CharField(max_length=64, blank=True)
    answer = models.JSONField(_("svar"), default=dict)
    answer_sha256 = models.CharField(max_length=64, blank=True)
    summary = models.CharField(_("sammanfattning"), max_length=500, blank=True)
    comparison = models.JSONField(_("jämförelse med ansökan"), default=list)
    discrepancy = models.BooleanField(_("avvikelse mot ansökan"), default=False)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("kontrollerad"))
    assessment = models.CharField(
        _("bedömning"), max_length=16, choices=Assessment.choices, blank=True
    )
    assessment_note = models.TextField(_("motivering"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["case", "person", "source", "period_end"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="register_check_period_order",
            ),
            models.CheckConstraint(
                condition=Q(assessment="") | Q(assessed_at__isnull=False),
                name="register_check_assessed_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.period_start:%Y-%m}–{self.period_end:%Y-%m}"

    @property
    def short_source(self) -> str:
        return SOURCE_SHORT.get(self.source, self.source)

    @property
    def needs_assessment(self) -> bool:
        return self.discrepancy and not self.assessment

    @property
    def unexplained(self) -> bool:
        return self.discrepancy and self.assessment in ("", *UNEXPLAINED)

    @property
    def period_label(self) -> str:
        if self.period_start == self.period_end:
            return f"{self.period_start:%Y-%m}"
        return f"{self.period_start:%Y-%m}–{self.period_end:%Y-%m}"


class DecisionKind(models.TextChoices):
    NEW = "new", _("Nyansökan")
    REPEAT = "repeat", _("Fortsatt ansökan")
    AUTOMATIC = "automatic", _("Automatiskt beslut om fortsatt ansökan")


class PersonScope(models.TextChoices):
    APPLICANT = "applicant", _("Sökande")
    ADULTS = "adults", _("Sökande och medsökande")


class CheckRequirementSet(models.Model):
    """The unit's required checks from `valid_from` (a month) on; never edited, a change is a
    new set. An empty set requires nothing."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="check_requirement_sets")
    valid_from = models.DateField(_("gäller från månad"))
    note = models.TextField(_("anteckning"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"Kontrollkrav från {self.valid_from:%Y-%m}"


class CheckRequirement(models.Model):
    """One required check: for a kind of decision (and case types), a source, whose, how often."""

    requirement_set = models.ForeignKey(
        CheckRequirementSet, on_delete=models.PROTECT, related_name="requirements"
    )
    decision_kind = models.CharField(_("beslut"), max_length=12, choices=DecisionKind.choices)
    case_types = models.CharField(
        _("ärendetyper"), max_length=3, blank=True, help_text=_("Tomt = alla ärendetyper.")
    )
    source = models.CharField(_("källa"), max_length=24, choices=Source.choices)
    persons = models.CharField(
        _("för vem"), max_length=12, choices=PersonScope.choices, default=PersonScope.APPLICANT
    )
    every_months = models.PositiveSmallIntegerField(
        _("hur ofta (månader)"),
        default=1,
        help_text=_("1 = varje månad; 3 = en kontroll som täcker någon av de senaste tre."),
    )

    class Meta:
        ordering = ["decision_kind", "source"]
        constraints = [
            models.CheckConstraint(
                condition=Q(every_months__gte=1) & Q(every_months__lte=12),
                name="check_requirement_every_months_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_kind_display()}: {self.get_source_display()}"

    def applies_to_case_type(self, case_type: str) -> bool:
        return not self.case_types or bool(case_type and case_type in self.case_types)

    @property
    def case_types_label(self) -> str:
        return ", ".join(self.case_types) if self.case_types else "alla"


class DecisionCheckUse(models.Model):
    """A check a decision rests on. Decisions sit beside controls, so the decision is held by
    id (written through the hook in the decision's own transaction) and never changes."""

    decision_id = models.BigIntegerField(db_index=True)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    check_record = models.ForeignKey(RegisterCheck, on_delete=models.PROTECT, related_name="uses")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decision_id", "check_record_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision_id", "check_record"], name="one_use_per_decision_and_check"
            )
        ]


# --- Control runs, the FUT queue and fraud investigations (issue #12) -------------------------
# docs/controls.md, "Control runs and the FUT queue". Flags and investigations keep their ids
# for good: incorrect payments and recovery refer to them.


class ControlRule(models.TextChoices):
    """What a control run looks for; each rule is one set-wise query (controls/runs.py)."""

    SHARED_ACCOUNT = "shared_account", _("Samma konto får pengar för flera hushåll")
    PAID_AFTER_CLOSING = "paid_after_closing", _("Utbetalning efter att ärendet avslutades")
    OVERLAPPING_PAYMENTS = (
        "overlapping_payments",
        _("Försörjningsstöd för samma hushåll och månad i flera beslut"),
    )
    PERSON_IN_TWO_CASES = "person_in_two_cases", _("Samma person i två öppna ärenden")
    INCOME_NOT_COUNTED = "income_not_counted", _("Inkomst i registret som inte räknats")
    PAID_ABOVE_DECISION = "paid_above_decision", _("Mer utbetalt än beviljat")
    DUPLICATE_INVOICE = "duplicate_invoice", _("Samma faktura eller OCR-nummer betald flera gånger")


class RunTrigger(models.TextChoices):
    NIGHTLY = "nightly", _("Nattlig körning")
    ON_DEMAND = "on_demand", _("Körd på begäran")


class ControlRun(models.Model):
    """One run of every rule over the data as of `run_on`. Runs are idempotent: a flag is keyed
    by what it is about, so a second run of the same date finds but does not add it again."""

    # The unit whose data the run looked at (null only for runs made before runs were per unit,
    # which looked at every unit's data and are shown to no one's unit).
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    run_on = models.DateField(_("körning per dag"))
    trigger = models.CharField(_("start"), max_length=12, choices=RunTrigger.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("startad"))
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)
    found = models.JSONField(_("träffar per regel"), default=dict)
    new_flags = models.PositiveIntegerField(_("nya flaggor"), default=0)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["unit", "run_on"])]
        constraints = [
            # The nightly job runs once per unit and day.
            models.UniqueConstraint(
                fields=["unit", "run_on"],
                condition=Q(trigger="nightly"),
                name="control_run_nightly_once_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"Kontrollkörning {self.run_on:%Y-%m-%d} ({self.pk})"


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Ny")
    DISMISSED = "dismissed", _("Avskriven")
    INVESTIGATION = "investigation", _("Utreds")


class ControlFlag(models.Model):
    """A likely incorrect payment a control run found, with its evidence, in the FUT queue.

    `(rule, key)` is unique: the key names what the flag is about (orders, households, check
    and month), so running again adds nothing; new evidence (another household on the same
    account) is a new key and a new flag."""

    rule = models.CharField(_("regel"), max_length=32, choices=ControlRule.choices)
    key = models.CharField(max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="control_flags"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="control_flags"
    )
    month = models.DateField(_("månad"), null=True, blank=True)
    amount = models.DecimalField(
        _("belopp i fråga"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    summary = models.CharField(_("sammanfattning"), max_length=300)
    evidence = models.JSONField(_("underlag"), default=dict)
    first_run = models.ForeignKey(ControlRun, on_delete=models.PROTECT, related_name="flags")
    found_on = models.DateField(_("hittad"))
    status = models.CharField(
        _("status"), max_length=16, choices=FlagStatus.choices, default=FlagStatus.OPEN
    )
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.TextField(_("skäl till avskrivning"), blank=True)

    class Meta:
        ordering = ["-found_on", "-id"]
        indexes = [models.Index(fields=["unit", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["rule", "key"], name="control_flag_once"),
            models.CheckConstraint(
                condition=~Q(status="dismissed")
                | (Q(dismissed_at__isnull=False) & ~Q(dismiss_reason="")),
                name="dismissed_flag_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Flagga {self.reference}"

    @property
    def reference(self) -> str:
        return f"KF-{self.pk}" if self.pk else "ny"


class InvestigationStatus(models.TextChoices):
    OPEN = "open", _("Pågår")
    CLOSED = "closed", _("Avslutad")


class InvestigationOutcome(models.TextChoices):
    NO_ERROR = "no_error", _("Ingen felaktig utbetalning")
    INCORRECT_PAYMENT = "incorrect_payment", _("Felaktig utbetalning, inget brott misstänks")
    SUSPECTED_CRIME = "suspected_crime", _("Felaktig utbetalning, misstänkt bidragsbrott")


class FraudInvestigation(models.Model):
    """A FUT investigation (suspicion, notes, outcome). Visible only to the fraud investigators
    and the unit head of its unit; every read is logged (controls/fut.py)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    flag = models.OneToOneField(
        ControlFlag, on_delete=models.PROTECT, null=True, blank=True, related_name="investigation"
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="fraud_investigations"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    suspicion = models.TextField(_("misstanke"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InvestigationStatus.choices,
        default=InvestigationStatus.OPEN,
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("öppnad"))
    outcome = models.CharField(
        _("utfall"), max_length=20, choices=InvestigationOutcome.choices, blank=True
    )
    outcome_note = models.TextField(_("motivering"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | (~Q(outcome="") & Q(closed_at__isnull=False)),
                name="closed_investigation_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"FUT-utredning {self.reference}"

    @property
    def reference(self) -> str:
        return f"FUT-{self.pk}" if self.pk else "ny"


class InvestigationNote(models.Model):
    """A note in an investigation: written once, never changed (a correction is a new note)."""

    investigation = models.ForeignKey(
        FraudInvestigation, on_delete=models.PROTECT, related_name="notes"
    )
    text = models.TextField(_("anteckning"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["written_at", "id"]


class FraudReportKind(models.TextChoices):
    # Bidragsbrottslagen (2007:612) 6 §: the authority reports a suspected crime to the police.
    POLICE_REPORT = "police_report", _("Polisanmälan om misstänkt bidragsbrott (2007:612)")
    # Lag (2008:206) om underrättelseskyldighet vid felaktiga utbetalningar från
    # välfärdssystemen: notification to the authority that paid.
    NOTIFICATION = "notification", _("Underrättelse till annan myndighet (2008:206)")


class FraudReport(models.Model):
    """A report to the police or a notification to another authority: a recorded document
    with its date and recipient. Written once; never changed."""

    investigation = models.ForeignKey(
        FraudInvestigation, on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField(_("slag"), max_length=16, choices=FraudReportKind.choices)
    sent_on = models.DateField(_("datum"))
    recipient = models.CharField(_("mottagare"), max_length=200)
    reference = models.CharField(_("mottagarens diarienummer"), max_length=100, blank=True)
    summary = models.TextField(_("innehåll i korthet"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(recipient=""), name="fraud_report_has_recipient"),
        ]


# Incorrect payments, recovery and the documentation backlog, and the sample review (stickprov)
# with the review queue (issue #12): their own modules, re-exported here so that Django finds
# the models in the app's models module.
from .recovery_models import (  # noqa: E402, F401
    BacklogSettings,
    IncorrectPayment,
    RecoveryClaim,
    RecoveryEntry,
    WriteOffLetter,
)
from .sample_models import (  # noqa: E402, F401
    ActionStatus,
    Answer,
    ChecklistPoint,
    ChecklistVersion,
    CorrectiveAction,
    Finding,
    QueueSignoff,
    SampleDraw,
    SampleItem,
    SampleSettings,
)
