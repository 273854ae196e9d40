"""Saved calculations, decisions with their lines, the delegation order, letters and appeals.

Decisions, their lines, support obstacles, letters and dispatches are records of authority:
once final they are never changed or deleted (FinalRecordMixin here, and database triggers in
migration 0002). A correction is a new decision with `replaces=`; both stay visible.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bistand.core.codes import SUPPORT_OBSTACLES
from bistand.core.models import FinalRecordError, FinalRecordMixin
from bistand.organisation.models import Role, Unit


def money(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


class ImmutableOnceCreated(FinalRecordMixin):
    """A history row: written once, never changed (a change is a new row)."""

    final_field = "created_at"

    class Meta:
        abstract = True


# --- Unit settings with history ----------------------------------------------------------


class LocalGuideline(ImmutableOnceCreated):
    """The municipality's own guidelines (rent ceilings per household size, other ceilings).

    Each change is a new dated row, entered as a draft and applied once a second person has
    verified it (four-eyes, as the norm tables); the row in force for a month is the latest
    verified `valid_from` on or before the month's first day (latest created on the same day).
    A verified row is never changed.
    """

    final_field = "verified_at"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="local_guidelines")
    valid_from = models.DateField(_("gäller från"))
    name = models.CharField(_("namn"), max_length=200)
    rent_ceilings = models.JSONField(
        _("högsta godtagbara boendekostnad per hushållsstorlek"), default=dict, blank=True
    )
    cost_ceilings = models.JSONField(_("högsta belopp per kostnadstyp"), default=dict, blank=True)
    note = models.TextField(_("anledning till ändringen"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verifierad"), null=True, blank=True)

    class Meta:
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["unit", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(verified_by__isnull=True)
                | ~models.Q(verified_by=models.F("created_by")),
                name="guideline_four_eyes",
            )
        ]

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def __str__(self) -> str:
        return f"{self.name} (från {self.valid_from:%Y-%m-%d})"


class DecisionSettings(ImmutableOnceCreated):
    """A unit's settings for decision support. Each change is a new row; the latest applies."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="decision_settings")
    automatic_repeat_decisions = models.BooleanField(
        _("enkla fortsatta ansökningar får beslutas automatiskt"), default=False
    )
    cost_tolerance_percent = models.DecimalField(
        _("tolerans kostnader (%)"), max_digits=5, decimal_places=2, default=Decimal("5")
    )
    cost_tolerance_amount = money(_("tolerans kostnader (kr)"), default=Decimal("200"))
    income_tolerance_percent = models.DecimalField(
        _("tolerans inkomster (%)"), max_digits=5, decimal_places=2, default=Decimal("5")
    )
    income_tolerance_amount = money(_("tolerans inkomster (kr)"), default=Decimal("200"))
    review_sample_size = models.PositiveIntegerField(
        _("automatiska beslut som granskas per dag"), default=3
    )
    note = models.TextField(_("anledning till ändringen"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


class DelegationKind(models.TextChoices):
    INCOME_SUPPORT_GRANT = "income_support_grant", _("Försörjningsstöd – bifall")
    INCOME_SUPPORT_REFUSAL = (
        "income_support_refusal",
        _("Försörjningsstöd – avslag eller delvis avslag"),
    )
    OTHER_LIVING_GRANT = "other_living_grant", _("Livsföring i övrigt – bifall")
    OTHER_LIVING_REFUSAL = (
        "other_living_refusal",
        _("Livsföring i övrigt – avslag eller delvis avslag"),
    )
    REFUSAL_LABOUR_MARKET = (
        "refusal_labour_market",
        _("Avslag: står inte till arbetsmarknadens förfogande / avböjer anvisad aktivitet"),
    )


class DelegationRule(models.Model):
    """One point of the delegation order: a role may decide a kind up to an amount.

    `max_amount` null means no ceiling. A rule is never edited: it is retired (and a new one
    added), so a decision always points at the rule it was made under.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="delegation_rules")
    point = models.CharField(_("punkt"), max_length=20)
    kind = models.CharField(_("beslutstyp"), max_length=32, choices=DelegationKind.choices)
    role = models.CharField(_("roll"), max_length=32, choices=Role.choices)
    max_amount = money(_("högsta belopp"), null=True, blank=True)
    label = models.CharField(_("beskrivning"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["point", "kind", "role"]
        indexes = [models.Index(fields=["unit", "kind", "role"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_amount__isnull=True) | Q(max_amount__gte=0),
                name="delegation_ceiling_not_negative",
            )
        ]

    def __str__(self) -> str:
        ceiling = "utan beloppsgräns" if self.max_amount is None else f"högst {self.max_amount} kr"
        return f"{self.point} {self.get_kind_display()} – {self.get_role_display()}, {ceiling}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values().first()
            if stored is not None:
                changed = {
                    name
                    for name, value in stored.items()
                    if name not in ("retired_at", "retired_by_id") and getattr(self, name) != value
                }
                if changed or stored["retired_at"] is not None:
                    raise FinalRecordError(
                        "En delegationspunkt ändras inte; avsluta den och lägg till en ny."
                    )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FinalRecordError("En delegationspunkt tas inte bort; avsluta den i stället.")


# --- Saved calculation -------------------------------------------------------------------


class Calculation(FinalRecordMixin):
    """The calculation of one application's month, saved with its input and result.

    A draft is edited (costs and incomes lines); saving freezes it. A decision uses a saved
    calculation; any change after saving is a new calculation (`based_on`).
    """

    final_field = "saved_at"

    application = models.ForeignKey(
        "cases.Application", on_delete=models.PROTECT, related_name="calculations"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="calculations")
    month = models.DateField(_("månad"))
    members = models.JSONField(_("hushållsmedlemmar"), default=list)
    costs = models.JSONField(_("kostnader"), default=list, blank=True)
    incomes = models.JSONField(_("inkomster"), default=list, blank=True)
    norm_adjustments = models.JSONField(_("normjusteringar"), default=list, blank=True)
    months_on_assistance = models.PositiveIntegerField(default=0)
    shared_household_size = models.PositiveIntegerField(null=True, blank=True)
    input = models.JSONField(_("indata till beräkningen"), default=dict)
    result = models.JSONField(_("resultat"), null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    norm_year = models.PositiveIntegerField(null=True, blank=True)
    norm_version = models.CharField(max_length=40, blank=True)
    norm_status = models.CharField(max_length=60, blank=True)
    norm_sha256 = models.CharField(max_length=64, blank=True)
    rules_version = models.CharField(max_length=20, blank=True)
    local_guideline = models.ForeignKey(
        LocalGuideline, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount_to_pay = money(_("att betala ut"), null=True, blank=True)
    proposed_outcome = models.CharField(max_length=16, blank=True)
    prefilled_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    saved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "-id"]
        indexes = [models.Index(fields=["case", "month"])]

    def __str__(self) -> str:
        return f"Beräkning {self.month:%Y-%m} ({'sparad' if self.saved_at else 'utkast'})"

    @property
    def is_saved(self) -> bool:
        return self.saved_at is not None

    @property
    def warnings(self) -> list[dict]:
        return (self.result or {}).get("warnings", [])


# --- Decisions ---------------------------------------------------------------------------


class DecisionStatus(models.TextChoices):
    PREPARED = "prepared", _("Förberett av systemet")
    REFERRED = "referred", _("Skickat för beslut")
    RETURNED = "returned", _("Återsänt")
    SUPERSEDED = "superseded", _("Inaktuellt (annat beslut fattat)")
    FINAL = "final", _("Fattat")


DECISION_STATUS_TRANSITIONS = {
    DecisionStatus.PREPARED: {
        DecisionStatus.FINAL,
        DecisionStatus.REFERRED,
        DecisionStatus.SUPERSEDED,
    },
    DecisionStatus.REFERRED: {
        DecisionStatus.FINAL,
        DecisionStatus.RETURNED,
        DecisionStatus.SUPERSEDED,
    },
    DecisionStatus.RETURNED: set(),
    DecisionStatus.SUPERSEDED: set(),
    DecisionStatus.FINAL: set(),
}
OPEN_DRAFT_STATUSES = (DecisionStatus.PREPARED, DecisionStatus.REFERRED)


class Outcome(models.TextChoices):
    GRANTED = "granted", _("Bifall")
    PARTLY_GRANTED = "partly_granted", _("Delvis bifall")
    REFUSED = "refused", _("Avslag")


class LineKind(models.TextChoices):
    INCOME_SUPPORT = "income_support", _("Försörjningsstöd")
    OTHER_LIVING_COSTS = "other_living_costs", _("Livsföring i övrigt")


class RefusalGround(models.TextChoices):
    SURPLUS = "surplus", _("Inkomsterna täcker behovet (normöverskott)")
    ABOVE_GUIDELINE = "above_guideline", _("Över kommunens riktlinjer / inte skälig kostnad")
    NEED_NOT_SHOWN = "need_not_shown", _("Behovet är inte styrkt")
    LABOUR_MARKET = (
        "labour_market",
        _("Står inte till arbetsmarknadens förfogande / avböjer anvisad aktivitet"),
    )
    OTHER = "other", _("Annat skäl")


class Decision(FinalRecordMixin):
    """A decision on an application: lines for income support and other living costs.

    Final once `decided_at` is set. A draft (prepared by the system, or referred to someone
    with delegation) becomes final through a service; a final decision is corrected only by
    a new decision that `replaces` it.
    """

    final_field = "decided_at"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="decisions")
    application = models.ForeignKey(
        "cases.Application", on_delete=models.PROTECT, related_name="decisions"
    )
    calculation = models.ForeignKey(Calculation, on_delete=models.PROTECT, related_name="decisions")
    month = models.DateField(_("månad"))
    status = models.CharField(
        _("status"), max_length=16, choices=DecisionStatus.choices, default=DecisionStatus.FINAL
    )
    outcome = models.CharField(_("utfall"), max_length=16, choices=Outcome.choices)
    total_granted = money(_("beviljat totalt"), default=Decimal("0"))
    reasons = models.TextField(_("skäl för beslutet"), blank=True)
    investigation_version = models.ForeignKey(
        "cases.InvestigationVersion", on_delete=models.PROTECT, related_name="+"
    )
    has_children = models.BooleanField(default=False)
    child_perspective_version = models.ForeignKey(
        "cases.InvestigationVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Den signerade utredningsversion där barnperspektivet är bedömt."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions_made",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_on = models.DateField(_("beslutsdatum"), null=True, blank=True)
    delegation_points = models.CharField(_("delegationspunkter"), max_length=200, blank=True)
    automatic = models.BooleanField(_("automatiskt beslut"), default=False)
    settings_used = models.ForeignKey(
        DecisionSettings, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rule_version = models.CharField(max_length=40, blank=True)
    checks = models.JSONField(_("kontroller"), default=list, blank=True)
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replacements"
    )
    replacement_reason = models.TextField(_("skäl till ändringen"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referred_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions_referred_to_me",
    )
    referred_at = models.DateTimeField(null=True, blank=True)
    referral_note = models.TextField(blank=True)
    returned_note = models.TextField(blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [
            models.Index(fields=["case", "status"]),
            models.Index(fields=["status", "decided_on"]),
            models.Index(fields=["referred_to", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status="final", replaces__isnull=True),
                name="one_original_decision_per_application",
            ),
            models.UniqueConstraint(
                fields=["replaces"],
                condition=Q(status="final", replaces__isnull=False),
                name="a_decision_is_replaced_once",
            ),
            models.CheckConstraint(
                condition=~Q(status="final")
                | (Q(decided_at__isnull=False) & Q(decided_on__isnull=False)),
                name="final_decision_has_time",
            ),
            models.CheckConstraint(
                condition=Q(replaces__isnull=True) | ~Q(replacement_reason=""),
                name="replacement_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(has_children=True) | Q(child_perspective_version__isnull=False),
                name="children_need_child_perspective",
            ),
        ]

    def __str__(self) -> str:
        return f"Beslut {self.reference}"

    @property
    def reference(self) -> str:
        year = (self.decided_on or self.month).year
        return f"B{year}-{self.pk:06d}" if self.pk else "nytt"

    @property
    def is_final(self) -> bool:
        return self.status == DecisionStatus.FINAL

    @property
    def in_force(self) -> bool:
        """Final and not replaced by a later final decision."""
        return self.is_final and not self.replacements.filter(status=DecisionStatus.FINAL).exists()

    @property
    def appealable(self) -> bool:
        """A refusal or partial grant goes against the applicant and can be appealed."""
        return self.outcome in (Outcome.REFUSED, Outcome.PARTLY_GRANTED)


class _PartOfDecision(models.Model):
    """A row belonging to a decision: frozen with it."""

    class Meta:
        abstract = True

    def _decision_is_final(self) -> bool:
        return Decision.objects.filter(pk=self.decision_id, decided_at__isnull=False).exists()

    def save(self, *args, **kwargs):
        if self.pk is not None and self._decision_is_final():
            raise FinalRecordError("Beslutet är fattat och kan inte ändras; gör ett nytt beslut.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._decision_is_final():
            raise FinalRecordError("Beslutet är fattat och kan inte tas bort.")
        return super().delete(*args, **kwargs)


class DecisionLine(_PartOfDecision):
    """One thing decided: the month's income support, or one item of other living costs."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    key = models.CharField(max_length=40)
    kind = models.CharField(_("slag"), max_length=24, choices=LineKind.choices)
    cost_type = models.CharField(_("kostnadstyp"), max_length=40, blank=True)
    description = models.CharField(_("avser"), max_length=300, blank=True)
    outcome = models.CharField(_("utfall"), max_length=16, choices=Outcome.choices)
    amount_applied = money(_("sökt belopp"))
    amount_granted = money(_("beviljat belopp"))
    refusal_ground = models.CharField(
        _("grund för avslag"), max_length=24, choices=RefusalGround.choices, blank=True
    )
    legal_basis = models.CharField(_("lagrum"), max_length=300)
    reasons = models.TextField(_("skäl"), blank=True)
    grant_delegation = models.ForeignKey(
        DelegationRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refusal_delegation = models.ForeignKey(
        DelegationRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_granted__gte=0)
                & Q(amount_granted__lte=models.F("amount_applied")),
                name="line_granted_within_applied",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="granted") | Q(amount_granted=models.F("amount_applied")),
                name="line_granted_in_full",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="refused") | Q(amount_granted=0),
                name="line_refused_grants_nothing",
            ),
            models.CheckConstraint(
                condition=Q(outcome="granted") | ~Q(reasons=""),
                name="line_refusal_has_reasons",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_outcome_display()} {self.amount_granted} kr"

    @property
    def amount_refused(self) -> Decimal:
        return self.amount_applied - self.amount_granted


SUPPORT_OBSTACLE_CHOICES = [(o.code, o.label) for o in SUPPORT_OBSTACLES]


class DecisionSupportObstacle(_PartOfDecision):
    """The support obstacle (försörjningshinder) of one adult, recorded with the decision."""

    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="support_obstacles"
    )
    person = models.ForeignKey("households.Person", on_delete=models.PROTECT, related_name="+")
    household_role = models.CharField(max_length=16)
    code = models.CharField(
        _("försörjningshinder"), max_length=48, choices=SUPPORT_OBSTACLE_CHOICES
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "person"], name="one_support_obstacle_per_adult"
            )
        ]


# --- Letters -------------------------------------------------------------------------------


class DecisionLetter(ImmutableOnceCreated):
    """The decision letter as sent: PDF bytes and their sha256, stored once."""

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="letter")
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField()
    includes_appeal_instructions = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)


class DispatchChannel(models.TextChoices):
    POST = "post", _("Brev med post")
    E_SERVICE = "e_service", _("E-tjänsten")
    DIGITAL_MAILBOX = "digital_mailbox", _("Digital brevlåda")
    HANDED_OVER = "handed_over", _("Lämnat vid besök")


class LetterDispatch(FinalRecordMixin):
    """The letter was sent (or handed over) to the applicant."""

    final_field = "recorded_at"

    letter = models.ForeignKey(DecisionLetter, on_delete=models.PROTECT, related_name="dispatches")
    sent_on = models.DateField(_("skickat"))
    channel = models.CharField(_("sätt"), max_length=20, choices=DispatchChannel.choices)
    received_on = models.DateField(
        _("mottaget av sökande"),
        null=True,
        blank=True,
        help_text=_("Om det är känt när sökande fick del av beslutet (t.ex. delgivningskvitto)."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_on", "id"]


# --- Appeals -------------------------------------------------------------------------------


class ReceiptBasis(models.TextChoices):
    RECEIPT = "receipt", _("Delgivningskvitto eller mottagningsbevis")
    HANDED_OVER = "handed_over", _("Lämnat vid besök")
    E_SERVICE = "e_service", _("Öppnat i e-tjänsten")
    APPLICANT_STATED = "applicant_stated", _("Uppgift från sökande")
    UNKNOWN = "unknown", _("Okänt när sökande fick del av beslutet")


class AppealStatus(models.TextChoices):
    REGISTERED = "registered", _("Inkommet – ska omprövas")
    DISMISSED_LATE = "dismissed_late", _("Avvisat – för sent inkommet")
    SATISFIED = "satisfied", _("Beslutet ändrat som sökande begärt – överklagandet förfaller")
    FORWARDED = "forwarded", _("Överlämnat till förvaltningsrätten")
    COURT_DECIDED = "court_decided", _("Avgjort av domstolen")
    WITHDRAWN = "withdrawn", _("Återkallat")


APPEAL_STATUS_TRANSITIONS = {
    AppealStatus.REGISTERED: {
        AppealStatus.DISMISSED_LATE,
        AppealStatus.SATISFIED,
        AppealStatus.FORWARDED,
        AppealStatus.WITHDRAWN,
    },
    AppealStatus.FORWARDED: {AppealStatus.COURT_DECIDED, AppealStatus.WITHDRAWN},
    AppealStatus.DISMISSED_LATE: set(),
    AppealStatus.SATISFIED: set(),
    AppealStatus.COURT_DECIDED: set(),
    AppealStatus.WITHDRAWN: set(),
}
OPEN_APPEAL_STATUSES = (AppealStatus.REGISTERED, AppealStatus.FORWARDED)


class Reconsideration(models.TextChoices):
    UNCHANGED = "unchanged", _("Beslutet står fast")
    CHANGED_PARTLY = "changed_partly", _("Beslutet ändrat delvis")
    CHANGED_FULLY = "changed_fully", _("Beslutet ändrat som sökande begärt")


class CourtOutcome(models.TextChoices):
    REJECTED = "rejected", _("Överklagandet avslogs (nämndens beslut står fast)")
    GRANTED = "granted", _("Överklagandet bifölls")
    PARTLY_GRANTED = "partly_granted", _("Överklagandet bifölls delvis")
    REMANDED = "remanded", _("Återförvisat till nämnden")
    DISMISSED = "dismissed", _("Avvisat av domstolen")
    WRITTEN_OFF = "written_off", _("Avskrivet")


class Appeal(models.Model):
    """An appeal (överklagande) of a decision, from arrival to the court's outcome."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="appeals")
    received_on = models.DateField(_("överklagandet kom in"))
    decision_received_on = models.DateField(
        _("sökande fick del av beslutet"), null=True, blank=True
    )
    decision_received_basis = models.CharField(
        _("underlag"), max_length=20, choices=ReceiptBasis.choices, default=ReceiptBasis.UNKNOWN
    )
    appeal_deadline = models.DateField(_("sista dag att överklaga"), null=True, blank=True)
    in_time = models.BooleanField(_("kom in i rätt tid"), null=True, blank=True)
    forward_deadline = models.DateField(_("överlämnas senast"))
    text = models.TextField(_("vad sökande vill ändra"), blank=True)
    status = models.CharField(
        max_length=16, choices=AppealStatus.choices, default=AppealStatus.REGISTERED
    )
    # Staff register a paper or e-mailed appeal (registered_by); an appeal the applicant sent
    # through the e-service names the person instead (from_person). Exactly one of the two.
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    from_person = models.ForeignKey(
        "households.Person",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("från sökande (e-tjänst)"),
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    reconsideration = models.CharField(
        _("omprövning"), max_length=16, choices=Reconsideration.choices, blank=True
    )
    reconsideration_note = models.TextField(blank=True)
    reconsidered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reconsidered_at = models.DateTimeField(null=True, blank=True)
    new_decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dismissal_reason = models.TextField(blank=True)
    forwarded_on = models.DateField(_("överlämnat"), null=True, blank=True)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opinion = models.TextField(_("yttrande"), blank=True)
    court = models.CharField(_("domstol"), max_length=100, blank=True)
    court_case_number = models.CharField(_("målnummer"), max_length=40, blank=True)
    court_outcome = models.CharField(
        _("domstolens avgörande"), max_length=16, choices=CourtOutcome.choices, blank=True
    )
    court_decided_on = models.DateField(null=True, blank=True)
    court_note = models.TextField(blank=True)
    court_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["status", "forward_deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="forwarded") | Q(forwarded_on__isnull=False),
                name="forwarded_appeal_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="court_decided") | ~Q(court_outcome=""),
                name="court_decided_has_outcome",
            ),
            models.CheckConstraint(
                condition=(Q(registered_by__isnull=False) & Q(from_person__isnull=True))
                | (Q(registered_by__isnull=True) & Q(from_person__isnull=False)),
                name="appeal_has_one_registrant",
            ),
        ]

    def __str__(self) -> str:
        return f"Överklagande av {self.decision} ({self.received_on:%Y-%m-%d})"

    def forward_overdue(self, today: dt.date) -> bool:
        return self.status == AppealStatus.REGISTERED and today > self.forward_deadline


# --- Review of automatic decisions ---------------------------------------------------------


class ReviewResult(models.TextChoices):
    APPROVED = "approved", _("Granskat – rätt")
    NEEDS_CORRECTION = "needs_correction", _("Granskat – behöver rättas")


class AutomaticDecisionReview(models.Model):
    """An automatic decision drawn into the daily sample for human review."""

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="review")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    sampled_on = models.DateField()
    result = models.CharField(max_length=20, choices=ReviewResult.choices, blank=True)
    note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sampled_on", "id"]
