"""The activity requirement (aktivitetskrav): exemptions per person (issue #16).

An exemption is a record of authority: written once, never edited. It is ended by a new
record (`ExemptionEnding`), and a changed exemption is a new `Exemption`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bistand.core.models import FinalRecordMixin


class WrittenOnce(FinalRecordMixin):
    final_field = "created_at"

    class Meta:
        abstract = True


class ExemptionReason(models.TextChoices):
    """The exemptions of the proposal (lagrådsremiss 2025-12), plus "other" with a text."""

    UNDER_18 = "under_18", _("Under 18 år")
    SCHOOL_18_20 = (
        "school_18_20",
        _("18–20 år och går i grundskola, gymnasieskola eller motsvarande"),
    )
    FULL_TIME_WORK = "full_time_work", _("Arbetar heltid eller motsvarande")
    FULL_TIME_PROGRAMME = "full_time_programme", _("Heltid i arbetsmarknadspolitiskt program")
    PENSION_AGE = "pension_age", _("Över riktåldern för pension")
    SICKNESS_BENEFIT = (
        "sickness_benefit",
        _("Sjukpenning, sjukersättning eller liknande ersättning"),
    )
    OTHER = "other", _("Annat skäl")


class Exemption(WrittenOnce):
    """A person is exempt from the activity requirement from `valid_from` to `valid_to`
    (inclusive; empty = until further notice), for a reason and on stated evidence."""

    person = models.ForeignKey(
        "households.Person", on_delete=models.PROTECT, related_name="activity_exemptions"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="activity_exemptions"
    )
    reason = models.CharField(_("skäl"), max_length=24, choices=ExemptionReason.choices)
    other_reason = models.CharField(_("annat skäl, vilket"), max_length=300, blank=True)
    evidence = models.CharField(_("underlag"), max_length=500)
    valid_from = models.DateField(_("gäller från"))
    valid_to = models.DateField(_("gäller till och med"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="activity_exemption_period_positive",
            ),
            models.CheckConstraint(
                condition=~Q(reason="other") | ~Q(other_reason=""),
                name="activity_exemption_other_has_text",
            ),
            models.CheckConstraint(condition=~Q(evidence=""), name="activity_exemption_evidence"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.person_id})"

    def _read_ending(self):
        try:
            return self.exemption_ending
        except ExemptionEnding.DoesNotExist:
            return None

    @property
    def effective_to(self):
        """The last day it holds: its own end, or the day an ending record set, if earlier."""
        ending = self._read_ending()
        if ending is None:
            return self.valid_to
        if self.valid_to is None:
            return ending.ends_on
        return min(self.valid_to, ending.ends_on)

    @property
    def reason_label(self) -> str:
        if self.reason == ExemptionReason.OTHER and self.other_reason:
            return f"{self.get_reason_display()}: {self.other_reason}"
        return str(self.get_reason_display())


class ExemptionEnding(WrittenOnce):
    """Ends an exemption: it holds up to and including `ends_on`. A record of its own, so the
    exemption itself is never edited."""

    exemption = models.OneToOneField(
        Exemption, on_delete=models.PROTECT, related_name="exemption_ending"
    )
    ends_on = models.DateField(_("gäller till och med"))
    note = models.CharField(_("skäl"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(note=""), name="exemption_ending_note")]


class CertificateExtent(models.IntegerChoices):
    """How much the work ability is reduced, as the certificate says (sjukskrivningsgrad)."""

    QUARTER = 25, _("25 %")
    HALF = 50, _("50 %")
    THREE_QUARTERS = 75, _("75 %")
    FULL = 100, _("100 %")


class MedicalCertificate(WrittenOnce):
    """A medical certificate (läkarintyg) on a person's reduced work ability due to illness,
    for a period (inclusive) and an extent. Written once; a wrong one is corrected by a new
    certificate that `replaces` it (per proposal, required from 2026-07-01)."""

    person = models.ForeignKey(
        "households.Person", on_delete=models.PROTECT, related_name="medical_certificates"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="medical_certificates"
    )
    valid_from = models.DateField(_("sjukskriven från"))
    valid_to = models.DateField(_("sjukskriven till och med"))
    extent = models.PositiveSmallIntegerField(_("omfattning"), choices=CertificateExtent.choices)
    issuer = models.CharField(_("utfärdare (läkare, vårdenhet)"), max_length=200)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="certificate_period_positive"
            ),
            models.CheckConstraint(
                condition=Q(extent__in=[25, 50, 75, 100]), name="certificate_extent_known"
            ),
            models.CheckConstraint(condition=~Q(issuer=""), name="certificate_has_issuer"),
        ]

    def __str__(self) -> str:
        return f"Läkarintyg {self.extent} % ({self.person_id})"
