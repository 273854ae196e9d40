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


# --- Activities with capacity, placements and the waiting list ---------------------------


class SwedishLevel(models.TextChoices):
    """The language requirement of an activity, in the steps a unit refers by (SFI courses).
    Checked against the person's newest `LanguageLevel` (its `LANGUAGE_RANK`)."""

    NONE = "", _("Inget krav")
    SFI_C = "sfi_c", _("Svenska minst motsvarande SFI kurs C")
    SFI_D = "sfi_d", _("Svenska motsvarande avslutad SFI (kurs D)")


class PersonLanguageLevel(models.TextChoices):
    """A person's Swedish, in SFI's courses (a local scale: docs/activity-requirement.md,
    "Language level per person")."""

    SFI_A = "sfi_a", _("SFI kurs A")
    SFI_B = "sfi_b", _("SFI kurs B")
    SFI_C = "sfi_c", _("SFI kurs C")
    SFI_D = "sfi_d", _("SFI kurs D (pågående)")
    SFI_DONE = "sfi_done", _("Avslutad SFI (kurs D godkänd)")
    BEYOND = "beyond", _("Svenska över SFI-nivå (t.ex. modersmål, svenska som andraspråk)")


LANGUAGE_RANK = {level: rank for rank, level in enumerate(PersonLanguageLevel.values, 1)}
# The lowest person level that meets each activity requirement (a local reading).
REQUIRED_RANK = {
    SwedishLevel.SFI_C: LANGUAGE_RANK[PersonLanguageLevel.SFI_C],
    SwedishLevel.SFI_D: LANGUAGE_RANK[PersonLanguageLevel.SFI_DONE],
}


class LanguageLevel(WrittenOnce):
    """A person's language level (SFI course) as of a date, entered by the handler from the
    case. Written once; the newest (by `level_on`, then entry) counts and the earlier ones are
    the history. A wrong entry is corrected by a new one."""

    person = models.ForeignKey(
        "households.Person", on_delete=models.PROTECT, related_name="language_levels"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("språknivå"), max_length=10, choices=PersonLanguageLevel.choices)
    level_on = models.DateField(_("gäller från"))
    source = models.CharField(_("underlag"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-level_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=[v for v, _label in PersonLanguageLevel.choices]),
                name="language_level_known",
            ),
            models.CheckConstraint(condition=~Q(source=""), name="language_level_has_source"),
        ]

    def __str__(self) -> str:
        return f"Språknivå {self.level} ({self.person_id})"


class WorkAbility(models.IntegerChoices):
    """The work ability an activity requires, in the steps of a medical certificate
    (arbetsförmåga = 100 % minus the certificate's extent)."""

    QUARTER = 25, _("Minst 25 % arbetsförmåga")
    HALF = 50, _("Minst 50 % arbetsförmåga")
    THREE_QUARTERS = 75, _("Minst 75 % arbetsförmåga")
    FULL = 100, _("Full arbetsförmåga")


class Activity(models.Model):
    """One of the unit's activities (arbetsmarknadsinsats) people are placed in to meet the
    activity requirement: who runs it, how many places, how many hours a week, when.
    Configuration of the unit, not a record of authority (its places may change)."""

    unit = models.ForeignKey(
        "organisation.Unit", on_delete=models.PROTECT, related_name="activities"
    )
    name = models.CharField(_("namn"), max_length=120)
    provider = models.CharField(_("anordnare"), max_length=120)
    places = models.PositiveIntegerField(_("antal platser"))
    hours_per_week = models.DecimalField(_("timmar per vecka"), max_digits=4, decimal_places=1)
    starts_on = models.DateField(_("startar"))
    ends_on = models.DateField(_("slutar"), null=True, blank=True)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="coordinated_activities",
        verbose_name=_("aktivitetssamordnare"),
    )
    # Referral criteria (docs/activity-requirement.md, "Referral criteria"): empty = none.
    min_age = models.PositiveSmallIntegerField(_("lägsta ålder"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("högsta ålder"), null=True, blank=True)
    swedish_level = models.CharField(
        _("språkkrav"), max_length=8, choices=SwedishLevel.choices, blank=True, default=""
    )
    min_work_ability = models.PositiveSmallIntegerField(
        _("krav på arbetsförmåga"), choices=WorkAbility.choices, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(places__gt=0), name="activity_has_places"),
            models.CheckConstraint(
                condition=Q(hours_per_week__gt=0) & Q(hours_per_week__lte=40),
                name="activity_hours_per_week_range",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="activity_period_positive",
            ),
            models.UniqueConstraint(fields=["unit", "name"], name="activity_name_unique_in_unit"),
            models.CheckConstraint(
                condition=(Q(min_age__isnull=True) | Q(min_age__gte=16, min_age__lte=70))
                & (Q(max_age__isnull=True) | Q(max_age__gte=16, max_age__lte=70))
                & (
                    Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(max_age__gte=F("min_age"))
                ),
                name="activity_age_criteria_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def criteria_labels(self) -> list[str]:
        """The referral criteria in words (empty: anyone may be referred)."""
        labels = []
        if self.min_age is not None and self.max_age is not None:
            labels.append(_("%(low)s–%(high)s år") % {"low": self.min_age, "high": self.max_age})
        elif self.min_age is not None:
            labels.append(_("minst %(low)s år") % {"low": self.min_age})
        elif self.max_age is not None:
            labels.append(_("högst %(high)s år") % {"high": self.max_age})
        if self.swedish_level:
            labels.append(str(self.get_swedish_level_display()))
        if self.min_work_ability is not None:
            labels.append(str(self.get_min_work_ability_display()))
        return labels


class ActivityChange(WrittenOnce):
    """One edit of an activity: who changed what and when, with the values before and after
    (only the fields that changed). The activity row holds the current values; its history is
    these rows, never rewritten."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="changes")
    before = models.JSONField()
    after = models.JSONField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Ändring av {self.activity_id}"


class PlacementStatus(models.TextChoices):
    WAITING = "waiting", _("Väntelista")
    OFFERED = "offered", _("Erbjuden plats")
    PLACED = "placed", _("Placerad")
    ENDED = "ended", _("Avslutad")


# A place is taken by a person placed and by a person offered the place (held for them).
HOLDS_PLACE = (PlacementStatus.OFFERED, PlacementStatus.PLACED)
OPEN_PLACEMENT = (PlacementStatus.WAITING, PlacementStatus.OFFERED, PlacementStatus.PLACED)

PLACEMENT_TRANSITIONS = {
    PlacementStatus.WAITING: {PlacementStatus.OFFERED, PlacementStatus.ENDED},
    PlacementStatus.OFFERED: {PlacementStatus.PLACED, PlacementStatus.ENDED},
    PlacementStatus.PLACED: {PlacementStatus.ENDED},
    PlacementStatus.ENDED: set(),
}


class Placement(models.Model):
    """A person's assignment to an activity from their case: on the waiting list (in order of
    `queued_at`), offered a freed place, placed, or ended. Every change is in the access log
    with before and after."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="placements")
    person = models.ForeignKey(
        "households.Person", on_delete=models.PROTECT, related_name="activity_placements"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="activity_placements"
    )
    status = models.CharField(_("status"), max_length=12, choices=PlacementStatus.choices)
    queued_at = models.DateTimeField()
    offered_at = models.DateTimeField(null=True, blank=True)
    placed_on = models.DateField(_("placerad från"), null=True, blank=True)
    ended_on = models.DateField(_("avslutad"), null=True, blank=True)
    end_reason = models.CharField(_("skäl"), max_length=300, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The referral criteria the person did not meet (or that could not be checked) when
    # assigned, as shown to the handler, and the handler's reason for placing all the same.
    criteria_warnings = models.JSONField(default=list, blank=True)
    criteria_reason = models.CharField(
        _("skäl att anvisa trots kriterierna"), max_length=500, blank=True
    )
    # The criteria (codes of `criteria.Shortfall`) the reason covered: not asked again when a
    # place is offered from the waiting list.
    criteria_waived = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["queued_at", "id"]
        indexes = [models.Index(fields=["activity", "status", "queued_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "person"],
                condition=~Q(status="ended"),
                name="one_open_placement_per_person_and_activity",
            ),
            models.CheckConstraint(
                condition=~Q(status="placed") | Q(placed_on__isnull=False),
                name="placed_has_a_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="ended") | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="ended_placement_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} ({self.person_id}, {self.status})"


class QueueSkip(WrittenOnce):
    """A person on the waiting list passed over when a place was offered, because they no
    longer met (or could not be checked against) the activity's referral criteria. They stay
    in the queue in their place; the reasons are those shown to the handler."""

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="skips")
    codes = models.JSONField()
    reasons = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Överhoppad ({self.placement_id})"


class CriteriaWaiver(WrittenOnce):
    """The handler's written reason to offer a queued person a place although they do not
    meet criteria (the codes it covers, the warnings shown): the next free place is theirs in
    queue order."""

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="waivers")
    codes = models.JSONField()
    warnings = models.JSONField()
    reason = models.CharField(_("skäl att erbjuda plats trots kriterierna"), max_length=500)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="criteria_waiver_has_reason")
        ]

    def __str__(self) -> str:
        return f"Trots kriterierna ({self.placement_id})"


# --- Attendance ------------------------------------------------------------------------


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Närvarande")
    EXCUSED = "excused", _("Frånvarande med giltigt skäl")
    UNEXCUSED = "unexcused", _("Frånvarande utan giltigt skäl")


class AttendanceSource(models.TextChoices):
    MANUAL = "manual", _("Registrerad av samordnare")
    IMPORT = "import", _("Importerad från anordnarens fil")


class AttendanceRecord(WrittenOnce):
    """A placed person's attendance for one week (`week` is its Monday). Written once; a
    correction is a new record that `replaces` the earlier one (the latest counts)."""

    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, related_name="attendance_records"
    )
    week = models.DateField(_("vecka (måndag)"))
    status = models.CharField(_("närvaro"), max_length=12, choices=AttendanceStatus.choices)
    hours = models.DecimalField(
        _("närvarotimmar"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    note = models.CharField(_("kommentar"), max_length=300, blank=True)
    source = models.CharField(max_length=8, choices=AttendanceSource.choices)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["week", "id"]
        indexes = [models.Index(fields=["placement", "week"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | (Q(hours__gte=0) & Q(hours__lte=60)),
                name="attendance_hours_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Närvaro {self.week} ({self.status})"


# --- The handler's assessment of an absence and the proposed consequence ------------------


class AbsenceOutcome(models.TextChoices):
    ACCEPTABLE = "acceptable", _("Godtagbart skäl – ingen påföljd")
    NOT_ACCEPTABLE = "not_acceptable", _("Utan godtagbart skäl")


class ProposedConsequence(models.TextChoices):
    """What the handler proposes for the month; a proposal only: the decision is theirs."""

    NONE = "none", _("Ingen påföljd föreslås")
    REDUCE = "reduce", _("Förslag: försörjningsstödet sätts ned (delvis avslag)")
    REFUSE = "refuse", _("Förslag: försörjningsstöd vägras (avslag)")


class AbsenceAssessment(WrittenOnce):
    """The case's handler assesses an absence without valid reason (reported by the
    coordinator). Not acceptable → a proposed consequence for a month's försörjningsstöd, which
    is applied only in a decision the handler makes (never automatically). Written once."""

    attendance = models.OneToOneField(
        AttendanceRecord, on_delete=models.PROTECT, related_name="assessment"
    )
    outcome = models.CharField(_("bedömning"), max_length=16, choices=AbsenceOutcome.choices)
    reasoning = models.TextField(_("motivering"))
    consequence = models.CharField(
        _("föreslagen påföljd"), max_length=8, choices=ProposedConsequence.choices
    )
    month = models.DateField(_("månad som förslaget gäller"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(reasoning=""), name="absence_assessment_reasoned"),
            models.CheckConstraint(
                condition=Q(outcome="not_acceptable") | Q(consequence="none"),
                name="acceptable_absence_has_no_consequence",
            ),
            models.CheckConstraint(
                condition=Q(consequence="none") | Q(month__isnull=False),
                name="proposed_consequence_names_month",
            ),
        ]


# --- The activity plan per person --------------------------------------------------------


class ActivityPlan(WrittenOnce):
    """A person's activity plan: goals, the activities (their placements, with hours), time
    for job search and the follow-up date; linked to the case's work plan when it has one.
    Written once: a changed plan is a new version that `replaces` the earlier."""

    person = models.ForeignKey(
        "households.Person", on_delete=models.PROTECT, related_name="activity_plans"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="activity_plans")
    work_plan = models.ForeignKey(
        "workplans.WorkPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activity_plans",
    )
    goals = models.TextField(_("mål"))
    # The hours per week of the plan's activities when the plan was written (a later change of
    # an activity's hours does not change a written or signed plan).
    activity_hours = models.DecimalField(
        _("timmar i aktiviteter per vecka"), max_digits=5, decimal_places=1, default=0
    )
    job_search_hours = models.DecimalField(
        _("timmar jobbsökande per vecka"), max_digits=4, decimal_places=1, default=0
    )
    adaptation = models.CharField(_("anpassning efter förmåga"), max_length=500, blank=True)
    follow_up_on = models.DateField(_("uppföljning"))
    placements = models.ManyToManyField(Placement, blank=True, related_name="activity_plans")
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(goals=""), name="activity_plan_has_goals"),
            models.CheckConstraint(
                condition=Q(job_search_hours__gte=0) & Q(job_search_hours__lte=40),
                name="activity_plan_job_search_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Aktivitetsplan {self.pk} ({self.person_id})"

    @property
    def total_hours(self):
        return self.activity_hours + self.job_search_hours

    @property
    def under_full_time(self) -> bool:
        return self.total_hours < FULL_TIME_HOURS

    @property
    def lacks_adaptation_reason(self) -> bool:
        """Under "normally full time" with no adaptation to ability written: a warning."""
        return self.under_full_time and not self.adaptation.strip()


# "Normally full time" (per proposal): 40 hours a week is the local reading (docs).
FULL_TIME_HOURS = 40


def activity_plan_sha256(plan: ActivityPlan, placements=None) -> str:
    """A fingerprint of what the person signs: the plan's content and its activities."""
    import hashlib
    import json

    placements = plan.placements.all() if placements is None else placements
    payload = json.dumps(
        {
            "goals": plan.goals,
            "activity_hours": str(plan.activity_hours),
            "job_search_hours": str(plan.job_search_hours),
            "adaptation": plan.adaptation,
            "follow_up_on": plan.follow_up_on.isoformat(),
            "activities": sorted(p.activity.name for p in placements),
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


class ActivityPlanConsent(WrittenOnce):
    """The person's consent to an activity plan, recorded by staff (on paper at a meeting, or
    after the person's e-ID signature on Mina sidor): as the work plan's `confirm_plan`. A plan
    version is consented to once; a new version needs its own consent."""

    plan = models.OneToOneField(ActivityPlan, on_delete=models.PROTECT, related_name="consent")
    consent_on = models.DateField(_("godkänd den"))
    method = models.CharField(_("hur planen godkändes"), max_length=12)
    note = models.CharField(_("anteckning"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Godkännande av aktivitetsplan {self.plan_id}"


class ActivityPlanSignature(models.Model):
    """The person's own signature of their activity plan with e-ID on Mina sidor: a new record,
    never an edit of the plan (`content_sha256` holds what was signed)."""

    plan = models.ForeignKey(ActivityPlan, on_delete=models.PROTECT, related_name="signatures")
    person = models.ForeignKey("households.Person", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    method = models.CharField(_("inloggningsmetod"), max_length=16)
    content_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "person"], name="activity_plan_signed_once")
        ]

    def __str__(self) -> str:
        return f"Underskrift av aktivitetsplan {self.plan_id}"


# --- The reverse notice from Arbetsförmedlingen ("kan omfattas") -------------------------


class CoverageNoticeImport(models.Model):
    """One file of notices from Arbetsförmedlingen read in (by the upload page or the
    management command): where it came from, who read it in, how many rows."""

    source = models.CharField(_("källa"), max_length=200)
    file_name = models.CharField(_("fil"), max_length=200, blank=True)
    rows = models.PositiveIntegerField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Underrättelser från {self.source} ({self.created_at:%Y-%m-%d})"


class CoverageNotice(WrittenOnce):
    """Arbetsförmedlingen's notice that a person may be covered by the activity requirement
    (*kan omfattas*): recorded per person with the notice's date and source, on the open case
    the person belongs to. Written once; it informs the handler and decides nothing."""

    person = models.ForeignKey(
        "households.Person", on_delete=models.PROTECT, related_name="coverage_notices"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="coverage_notices"
    )
    notice_on = models.DateField(_("underrättelsens datum"))
    note = models.CharField(_("kommentar"), max_length=300, blank=True)
    batch = models.ForeignKey(
        CoverageNoticeImport, on_delete=models.PROTECT, related_name="notices"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-notice_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "notice_on"], name="coverage_notice_once_per_person_and_day"
            )
        ]

    def __str__(self) -> str:
        return f"Kan omfattas ({self.person_id}, {self.notice_on})"
