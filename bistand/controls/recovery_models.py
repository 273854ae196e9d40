"""Incorrect payments, recovery claims (återkrav) with their repayment or deduction plan, the
claim's ledger, and the unit's documentation-backlog settings.

Records of authority: an incorrect payment, a recovery claim and a ledger entry are written
once and never changed or deleted; a correction is a new row pointing at what it corrects
(`corrects`, `replaces`), a reversed deduction a new ledger entry. docs/recovery.md.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bistand.cases.models import Case
from bistand.core.models import FinalRecordError
from bistand.organisation.models import Unit


def money(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


class WrittenOnce(models.Model):
    """Written once: never saved again, never deleted (a correction is a new row)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and type(self).objects.filter(pk=self.pk).exists():
            raise FinalRecordError("Posten är en allmän handling och kan inte ändras; gör en ny.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FinalRecordError("Posten är en allmän handling och kan inte tas bort.")


class IncorrectPaymentCause(models.TextChoices):
    APPLICANT_ERROR = "applicant_error", _("Den enskildes misstag eller underlåtenhet")
    WRONG_INFORMATION = "wrong_information", _("Felaktiga uppgifter")
    UNIT_MISTAKE = "unit_mistake", _("Enhetens eget fel")


class IncorrectPayment(WrittenOnce):
    """A payment found to be incorrect (felaktig utbetalning): why, how much, for which months.
    `control_flag_id` leaves room for a later link to a control flag (no dependency now)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="incorrect_payments")
    cause = models.CharField(_("orsak"), max_length=20, choices=IncorrectPaymentCause.choices)
    amount = money(_("felaktigt utbetalt belopp"))
    period_start = models.DateField(_("period från"), help_text=_("Första dagen i månaden."))
    period_end = models.DateField(_("period till"), help_text=_("Första dagen i sista månaden."))
    description = models.TextField(_("beskrivning"))
    control_flag_id = models.BigIntegerField(_("kontrollflagga"), null=True, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField()

    class Meta:
        ordering = ["-registered_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="incorrect_payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="incorrect_payment_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Felaktig utbetalning {self.period_label}: {self.amount} kr"

    @property
    def period_label(self) -> str:
        if self.period_start == self.period_end:
            return f"{self.period_start:%Y-%m}"
        return f"{self.period_start:%Y-%m}–{self.period_end:%Y-%m}"


class PlanKind(models.TextChoices):
    REPAYMENT = "repayment", _("Återbetalningsplan (den enskilde betalar in)")
    DEDUCTION = "deduction", _("Avräkning mot kommande utbetalningar")


class LawStatus(models.TextChoices):
    VERIFIED = "verified", _("Verifierad mot lagtexten")
    UNVERIFIED = "unverified", _("Ej verifierad")


class RecoveryClaim(WrittenOnce):
    """A recovery decision (beslut om återkrav): the amount, the legal basis and the plan.
    Never edited: a corrected decision is a new claim with `replaces`; the ledger of the chain
    follows the claim in force."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="recovery_claims")
    incorrect_payment = models.ForeignKey(
        IncorrectPayment, on_delete=models.PROTECT, related_name="recovery_claims"
    )
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    amount = money(_("återkrävt belopp"))
    ground = models.CharField(_("grund"), max_length=32)
    legal_basis = models.CharField(_("lagrum"), max_length=200)
    law_status = models.CharField(_("lagrummets status"), max_length=12, choices=LawStatus.choices)
    appealable = models.BooleanField(_("kan överklagas"), null=True)
    appeal_status = models.CharField(
        _("uppgiften om överklagande"), max_length=12, choices=LawStatus.choices
    )
    reasoning = models.TextField(_("motivering"))
    plan = models.CharField(_("plan"), max_length=12, choices=PlanKind.choices)
    monthly_amount = money(_("belopp per månad"))
    first_month = models.DateField(_("första månad"))
    minimum_left = money(
        _("lägsta belopp kvar till hushållet per månad"),
        default=Decimal("0.00"),
        help_text=_("Vid avräkning: det hushållet alltid ska få utbetalt för månaden."),
    )
    consent_on = models.DateField(_("den enskildes medgivande till avräkning"), null=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    letter_pdf = models.BinaryField(_("beslutsbrev"), editable=False)
    letter_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_amount_positive"),
            models.CheckConstraint(
                condition=Q(monthly_amount__gt=0), name="recovery_monthly_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(minimum_left__gte=0), name="recovery_minimum_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(plan="repayment") | Q(consent_on__isnull=False),
                name="recovery_deduction_has_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"Återkrav {self.reference}"

    @property
    def reference(self) -> str:
        return f"ÅK-{self.pk}"


class EntryKind(models.TextChoices):
    REPAYMENT = "repayment", _("Inbetalning")
    DEDUCTION = "deduction", _("Avräkning mot utbetalning")
    DEDUCTION_REVERSED = "deduction_reversed", _("Avräkning återförd (utbetalningen makulerad)")
    WRITE_OFF = "write_off", _("Avskrivning (beslut att avstå från krav)")


class RecoveryEntry(WrittenOnce):
    """One movement on a claim's balance. `amount` is what the entry reduces the balance by
    (a reversed deduction is negative). `payment_order_id` is the payment order a deduction
    was made from (payments sits above controls, so the order is held by id)."""

    claim = models.ForeignKey(RecoveryClaim, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("slag"), max_length=20, choices=EntryKind.choices)
    amount = money(_("belopp"))
    month = models.DateField(_("avser månad"), null=True, blank=True)
    payment_order_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    note = models.TextField(_("anteckning"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="deduction_reversed", amount__lt=0)
                | (~Q(kind="deduction_reversed") & Q(amount__gt=0)),
                name="recovery_entry_sign",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["deduction", "deduction_reversed"])
                | Q(payment_order_id__isnull=False),
                name="recovery_deduction_has_order",
            ),
            models.UniqueConstraint(
                fields=["payment_order_id", "kind", "claim"],
                condition=Q(payment_order_id__isnull=False),
                name="one_deduction_entry_per_order_kind_claim",
            ),
        ]


class WriteOffLetter(WrittenOnce):
    """The letter to the debtor about a write-off (avskrivning, 33 kap. 6 § SoL (2025:400)):
    rendered once, in the write-off's transaction, and stored as it was sent (bytes + sha256)."""

    entry = models.OneToOneField(
        RecoveryEntry, on_delete=models.PROTECT, related_name="write_off_letter"
    )
    pdf = models.BinaryField(_("brev (PDF)"))
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Brev om avskrivning {self.entry_id}"


# Project defaults, not legal figures (docs/recovery.md, "Documentation backlog").
DEFAULT_JOURNAL_DELAY_DAYS = 7
DEFAULT_DECISION_TARGET_DAYS = 7


class BacklogSettings(WrittenOnce):
    """A unit's limits for the documentation backlog. Each change is a new row; the latest
    applies; a unit without a row uses the defaults above."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="backlog_settings")
    journal_delay_days = models.PositiveSmallIntegerField(
        _("journalanteckning sen efter (dagar)"), default=DEFAULT_JOURNAL_DELAY_DAYS
    )
    decision_target_days = models.PositiveSmallIntegerField(
        _("mål för beslut efter ansökan (dagar)"), default=DEFAULT_DECISION_TARGET_DAYS
    )
    note = models.TextField(_("anledning"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(journal_delay_days__gte=1) & Q(journal_delay_days__lte=365),
                name="backlog_journal_delay_range",
            ),
            models.CheckConstraint(
                condition=Q(decision_target_days__gte=1) & Q(decision_target_days__lte=365),
                name="backlog_decision_target_range",
            ),
        ]
