"""The rules as data: norm tables, legal parameters and legal periods, each versioned by
validity and verified by a second person (four-eyes) before it applies.

A version is a draft until verified; a verified version is a record of authority and is
never edited (a correction is a new revision of the same key). The package's data files
seed the first versions on `migrate` (`seed.py`); nothing else reads them at run time.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bistand.core.models import FinalRecordMixin


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Utkast – väntar på granskning")
    VERIFIED = "verified", _("Verifierad")
    WITHDRAWN = "withdrawn", _("Återkallat utkast")


class SourceStatus(models.TextChoices):
    """How well the figures are sourced (the statuses of riksnorm.json, plus 'statute')."""

    VERIFIED_PRIMARY = "verified_primary", _("Kontrollerad mot författningstexten")
    VERIFIED_SECONDARY = "verified_secondary", _("Kontrollerad mot två andrahandskällor")
    SECONDARY = "secondary_two_code_sources", _("Andrahandskällor")
    UNVERIFIED = "single_secondary_source_UNVERIFIED", _("En andrahandskälla – ej kontrollerad")
    PARTIAL = "partial", _("Ofullständig")
    UNVERIFIED_PARTIAL = (
        "single_secondary_source_UNVERIFIED_partial",
        _("En andrahandskälla, ofullständig"),
    )
    PROPOSAL = "proposal", _("Förslag – inte beslutat")


class RuleVersion(FinalRecordMixin):
    """What every kind of rule version has: validity, source, state and the four eyes."""

    final_field = "verified_at"

    revision = models.PositiveIntegerField(_("version"), default=1)
    valid_from = models.DateField(_("gäller från"))
    valid_to = models.DateField(_("gäller till och med"), null=True, blank=True)
    state = models.CharField(
        _("läge"), max_length=16, choices=VersionState.choices, default=VersionState.DRAFT
    )
    source_status = models.CharField(_("källstatus"), max_length=60, choices=SourceStatus.choices)
    sources = models.JSONField(_("källor"), default=list, blank=True)
    note = models.TextField(_("anteckning"), blank=True, max_length=4000)
    seeded = models.BooleanField(_("från programmets datafil"), default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    # Everyone who entered or changed the draft: none of them may verify it.
    editor_ids = models.JSONField(default=list, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        abstract = True

    @property
    def is_draft(self) -> bool:
        return self.state == VersionState.DRAFT

    @property
    def is_verified(self) -> bool:
        return self.state == VersionState.VERIFIED

    @property
    def source_text(self) -> str:
        parts = []
        for source in self.sources or []:
            if isinstance(source, dict):
                text = " ".join(
                    str(source[k]) for k in ("sfs", "title", "date") if source.get(k)
                ) or str(source.get("url") or source.get("kind") or "")
                parts.append(text)
        return "; ".join(p for p in parts if p)


def _four_eyes(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(verified_by__isnull=True)
        | Q(entered_by__isnull=True)
        | ~Q(verified_by=F("entered_by")),
        name=name,
    )


class NormTableVersion(RuleVersion):
    """One year's riksnorm (2 kap. 1 § socialtjänstförordningen), laid out as riksnorm.json."""

    year = models.PositiveIntegerField(_("år"))
    data = models.JSONField(_("tabell"))

    class Meta:
        ordering = ["-year", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["year", "revision"], name="norm_year_revision_unique"),
            _four_eyes("norm_four_eyes"),
        ]

    def __str__(self) -> str:
        return f"Riksnormen {self.year}, version {self.revision}"


class ParameterCode(models.TextChoices):
    PRICE_BASE_AMOUNT = "price_base_amount", _("Prisbasbelopp (kr per år)")
    WORK_INCENTIVE_SHARE = "work_incentive_share", _("Jobbstimulans: andel som inte räknas")
    WORK_INCENTIVE_QUALIFYING = (
        "work_incentive_qualifying_months",
        _("Jobbstimulans: månader i följd med försörjningsstöd innan den gäller"),
    )
    WORK_INCENTIVE_PERIOD = (
        "work_incentive_period_months",
        _("Jobbstimulans: periodens längd i månader"),
    )


class LegalParameter(RuleVersion):
    """A legal figure with a validity date: the prisbasbelopp, the jobbstimulans parameters."""

    code = models.CharField(_("parameter"), max_length=60, choices=ParameterCode.choices)
    value = models.DecimalField(_("värde"), max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["code", "-valid_from", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "valid_from", "revision"], name="parameter_revision_unique"
            ),
            _four_eyes("parameter_four_eyes"),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} från {self.valid_from:%Y-%m-%d}"


class LegalPeriod(RuleVersion):
    """The law in force for a span of time: the act cited in calculations and letters and
    the calculation rule version its months use (e.g. SoL (2025:400) from 2025-07-01)."""

    code = models.SlugField(_("kod"), max_length=60)
    name = models.CharField(_("namn"), max_length=200)
    act = models.CharField(_("lag (kort)"), max_length=100)
    norm_reference = models.CharField(_("lagrum för riksnormen"), max_length=300)
    incentive_reference = models.CharField(_("lagrum för jobbstimulans"), max_length=300)
    # Legal basis of decision lines: income_support, other_living_costs, labour_market.
    decision_basis = models.JSONField(_("lagrum i beslut"), default=dict)
    rules_version = models.CharField(_("beräkningsregler (version)"), max_length=20, default="1")

    class Meta:
        ordering = ["-valid_from", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["code", "revision"], name="period_revision_unique"),
            _four_eyes("period_four_eyes"),
        ]

    def __str__(self) -> str:
        return f"{self.name} från {self.valid_from:%Y-%m-%d}"


class RulesChange(models.Model):
    """One row per change of any rule version: its id is the generation the in-process
    cache of the rules compares with (one indexed query per look-up)."""

    at = models.DateTimeField(auto_now_add=True)
    what = models.CharField(max_length=100)
    # With the id: an id reused after a rolled-back change (SQLite) is still a new generation.
    token = models.UUIDField(default=uuid.uuid4, editable=False)
