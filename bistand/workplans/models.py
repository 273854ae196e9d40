"""Plans towards self-support: work plans with versions and client consent, follow-ups,
interventions and referrals, tripartite meetings, work-capacity assessments, deviations in
C cases, handover summaries, and the unit's settings per case type and programme list.

Records of authority are final once made (FinalRecordMixin): a confirmed plan version, a
recorded follow-up, a tripartite meeting, an assessment, a handover summary and a case-type
setting are never changed; a change is a new row (a new version, a correction, a new setting).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bistand.cases.models import Case, CaseAssignment, CaseType
from bistand.core.models import FinalRecordMixin, prefetched
from bistand.households.models import Person
from bistand.organisation.models import Unit

# --- Unit settings ------------------------------------------------------------------------


class CaseTypeSetting(FinalRecordMixin):
    """How a case type is worked in a unit, from a date (history kept: a change is a new row).

    The setting in force on a day is the row with the latest `valid_from` on or before it.
    """

    final_field = "set_at"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="case_type_settings")
    case_type = models.CharField(_("ärendetyp"), max_length=1, choices=CaseType.choices)
    contact_interval_days = models.PositiveIntegerField(
        _("kontakt minst var (dagar)"), help_text=_("Hur ofta klienten ska ha kontakt med oss.")
    )
    follow_up_interval_days = models.PositiveIntegerField(
        _("uppföljning minst var (dagar)"),
        help_text=_("Längsta tid mellan två uppföljningar av planen."),
    )
    plan_period_months = models.PositiveIntegerField(
        _("planens giltighetstid (månader)"), default=6
    )
    income_change_limit = models.DecimalField(
        _("gräns för inkomstförändring (kr/månad)"),
        max_digits=12,
        decimal_places=2,
        default=1000,
        help_text=_("I C-ärenden: en större förändring är en avvikelse från planen."),
    )
    valid_from = models.DateField(_("gäller från"))
    reason = models.CharField(_("skäl"), max_length=300, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit_id", "case_type", "-valid_from", "-id"]
        indexes = [models.Index(fields=["unit", "case_type", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact_interval_days__gt=0) & Q(follow_up_interval_days__gt=0),
                name="case_type_setting_intervals_positive",
            ),
            models.CheckConstraint(
                condition=Q(plan_period_months__gte=1) & Q(plan_period_months__lte=24),
                name="case_type_setting_period_sane",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_type} från {self.valid_from}"


class ProgrammeKind(models.TextChoices):
    LABOUR_MARKET = "labour_market", _("Arbetsmarknadsinsats")
    EDUCATION = "education", _("Utbildning/vägledning")
    OTHER = "other", _("Annan kommunal insats")


class Programme(models.Model):
    """A municipal programme a unit refers clients to (Jobbtorg, Lärcentrum, Jobbaktiv ...)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="programmes")
    name = models.CharField(_("namn"), max_length=100)
    kind = models.CharField(
        _("typ"), max_length=16, choices=ProgrammeKind.choices, default=ProgrammeKind.LABOUR_MARKET
    )
    description = models.CharField(_("beskrivning"), max_length=300, blank=True)
    active = models.BooleanField(_("används"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="programme_name_unique_in_unit")
        ]

    def __str__(self) -> str:
        return self.name


# --- The plan ---------------------------------------------------------------------------


class FollowUpMethod(models.TextChoices):
    VISIT = "visit", _("Besök")
    PHONE = "phone", _("Telefon")
    TRIPARTITE_MEETING = "tripartite_meeting", _("Trepartsmöte")
    HOME_VISIT = "home_visit", _("Hembesök")
    DIGITAL = "digital", _("Digitalt möte")


class ActivityParty(models.TextChoices):
    CLIENT = "client", _("Klienten")
    HANDLER = "handler", _("Handläggaren")
    PARTNER = "partner", _("Samarbetspart")


class ConsentMethod(models.TextChoices):
    IN_PERSON = "in_person", _("På plats, med underskrift")
    DIGITAL = "digital", _("Digitalt, med e-legitimation")


class PlanState(models.TextChoices):
    """A plan's state on the section head's overview (worst first)."""

    MISSING = "missing", _("Saknas")
    UNCONFIRMED = "unconfirmed", _("Ej bekräftad")
    OVERDUE = "overdue", _("Försenad uppföljning")
    ON_TRACK = "on_track", _("Följs enligt plan")


class WorkPlan(models.Model):
    """The work plan (arbetsplan) of a case. Its content lives in versions.

    `next_follow_up_on` is the planned date (from the latest plan version or follow-up);
    `due_on` is when the next follow-up is due at the latest, capped by the case type's
    follow-up interval. Both are kept by workplans.services.
    """

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="work_plan")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    next_follow_up_on = models.DateField(_("planerad uppföljning"), null=True, blank=True)
    next_follow_up_method = models.CharField(
        max_length=24, choices=FollowUpMethod.choices, blank=True
    )
    due_on = models.DateField(_("uppföljning senast"), null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"Arbetsplan för {self.case}"

    def latest_confirmed(self) -> WorkPlanVersion | None:
        versions = prefetched(self, "versions")
        if versions is not None:
            confirmed = [v for v in versions if v.confirmed_at is not None]
            return max(confirmed, key=lambda v: v.number, default=None)
        return self.versions.filter(confirmed_at__isnull=False).order_by("-number").first()

    def draft(self) -> WorkPlanVersion | None:
        versions = prefetched(self, "versions")
        if versions is not None:
            drafts = [v for v in versions if v.confirmed_at is None]
            return max(drafts, key=lambda v: v.number, default=None)
        return self.versions.filter(confirmed_at__isnull=True).order_by("-number").first()


class WorkPlanVersion(FinalRecordMixin):
    """One version of the plan. Confirmed by the client (consent) it is final.

    content = {"goals": [{"text", "target_on"}],
               "activities": [{"text", "party", "partner", "due_on"}],
               "follow_ups": [{"on", "method"}], "notes": str}
    Dates in content are ISO strings.
    """

    final_field = "confirmed_at"

    plan = models.ForeignKey(WorkPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    content = models.JSONField(default=dict)
    valid_from = models.DateField(_("gäller från"))
    valid_to = models.DateField(_("gäller till"))
    case_type = models.CharField(max_length=1, choices=CaseType.choices, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The client's consent (signature): when and how. Without it the version is unconfirmed.
    consent_on = models.DateField(_("klienten godkände"), null=True, blank=True)
    consent_method = models.CharField(
        _("hur"), max_length=16, choices=ConsentMethod.choices, blank=True
    )
    consent_note = models.CharField(_("anteckning"), max_length=300, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Each adult's support obstacle in the latest signed investigation when the plan was
    # confirmed ({person_id: code}): a later change is a deviation in C cases.
    support_obstacles = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="workplan_version_unique"),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(confirmed_at__isnull=True),
                name="one_draft_per_workplan",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__gt=models.F("valid_from")),
                name="workplan_period_positive",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True)
                | (Q(consent_on__isnull=False) & ~Q(consent_method="")),
                name="confirmed_workplan_has_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"Arbetsplan version {self.number}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def goals(self) -> list[dict]:
        return self.content.get("goals", [])

    @property
    def activities(self) -> list[dict]:
        return self.content.get("activities", [])

    @property
    def planned_follow_ups(self) -> list[dict]:
        return self.content.get("follow_ups", [])

    def planned_dates(self) -> list[dt.date]:
        return sorted(dt.date.fromisoformat(f["on"]) for f in self.planned_follow_ups)


class FollowUp(FinalRecordMixin):
    """A follow-up of the plan: held or missed, its outcome and the next date. Final once
    recorded; a correction is a new follow-up that points at the one it corrects."""

    final_field = "recorded_at"

    plan = models.ForeignKey(WorkPlan, on_delete=models.PROTECT, related_name="follow_ups")
    plan_version = models.ForeignKey(
        WorkPlanVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("skulle ske senast"), null=True, blank=True)
    held_on = models.DateField(_("datum"))
    method = models.CharField(_("hur"), max_length=24, choices=FollowUpMethod.choices)
    took_place = models.BooleanField(_("genomförd"), default=True)
    outcome = models.TextField(_("resultat"))
    next_on = models.DateField(_("nästa uppföljning"), null=True, blank=True)
    next_method = models.CharField(
        _("hur nästa gång"), max_length=24, choices=FollowUpMethod.choices, blank=True
    )
    income_change = models.DecimalField(
        _("inkomstförändring (kr/månad)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    new_support_obstacle = models.CharField(_("nytt försörjningshinder"), max_length=48, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "recorded_at"]
        indexes = [models.Index(fields=["plan", "held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_on__isnull=True) | Q(next_on__gt=models.F("held_on")),
                name="follow_up_next_after_held",
            ),
        ]

    def __str__(self) -> str:
        return f"Uppföljning {self.held_on}"


class InterventionTarget(models.TextChoices):
    PROGRAMME = "programme", _("Kommunal arbetsmarknadsinsats")
    ARBETSFORMEDLINGEN = "arbetsformedlingen", _("Arbetsförmedlingen")
    FORSAKRINGSKASSAN = "forsakringskassan", _("Försäkringskassan")
    HEALTH_CARE = "health_care", _("Hälso- och sjukvård")
    DEBT_COUNSELLING = "debt_counselling", _("Budget- och skuldrådgivning")


# The unit's rule: all unemployed adults are referred to a labour-market programme;
# a referral to one of these counts.
LABOUR_MARKET_TARGETS = (InterventionTarget.PROGRAMME, InterventionTarget.ARBETSFORMEDLINGEN)


class InterventionStatus(models.TextChoices):
    REFERRED = "referred", _("Anvisad")
    STARTED = "started", _("Pågår")
    ENDED = "ended", _("Avslutad")


INTERVENTION_TRANSITIONS = {
    InterventionStatus.REFERRED: {InterventionStatus.STARTED, InterventionStatus.ENDED},
    InterventionStatus.STARTED: {InterventionStatus.ENDED},
    InterventionStatus.ENDED: set(),
}
OPEN_INTERVENTION_STATUSES = (InterventionStatus.REFERRED, InterventionStatus.STARTED)


class Attendance(models.TextChoices):
    FULL = "full", _("Deltog enligt plan")
    PARTIAL = "partial", _("Deltog delvis")
    NONE = "none", _("Deltog inte")


class InterventionResult(models.TextChoices):
    SELF_SUPPORT = "self_support", _("Egen försörjning")
    OTHER_BENEFIT = "other_benefit", _("Annan ersättning")
    STUDIES = "studies", _("Studier")
    INTERRUPTED = "interrupted", _("Avbruten")
    NO_CHANGE = "no_change", _("Ingen förändring")


class Intervention(FinalRecordMixin):
    """A referral (anvisning) of one person to a programme or partner agency, and how it went.
    Final once ended with its result."""

    final_field = "ended_on"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="interventions")
    plan = models.ForeignKey(
        WorkPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="interventions"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="interventions")
    target = models.CharField(_("till"), max_length=24, choices=InterventionTarget.choices)
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="interventions"
    )
    purpose = models.TextField(_("syfte"), blank=True)
    status = models.CharField(
        max_length=12, choices=InterventionStatus.choices, default=InterventionStatus.REFERRED
    )
    referred_on = models.DateField(_("anvisad"))
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField(_("startade"), null=True, blank=True)
    ended_on = models.DateField(_("avslutades"), null=True, blank=True)
    attendance = models.CharField(
        _("närvaro"), max_length=12, choices=Attendance.choices, blank=True
    )
    result = models.CharField(
        _("resultat"), max_length=16, choices=InterventionResult.choices, blank=True
    )
    result_note = models.TextField(_("kommentar"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["referred_on", "id"]
        indexes = [
            models.Index(fields=["person", "ended_on"]),
            models.Index(fields=["case", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(target="programme") | Q(programme__isnull=False),
                name="programme_referral_names_programme",
            ),
            models.CheckConstraint(
                condition=~Q(status="ended") | (Q(ended_on__isnull=False) & ~Q(result="")),
                name="ended_intervention_has_result",
            ),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(started_on__gte=models.F("referred_on")),
                name="intervention_starts_after_referral",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_label} ({self.person})"

    @property
    def target_label(self) -> str:
        if self.target == InterventionTarget.PROGRAMME and self.programme_id:
            return self.programme.name
        return str(self.get_target_display())


class TripartiteMeeting(FinalRecordMixin):
    """A meeting of the client, the unit and a partner (trepartsmöte): who took part and what
    was agreed."""

    final_field = "recorded_at"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tripartite_meetings")
    plan = models.ForeignKey(
        WorkPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    held_on = models.DateField(_("datum"))
    partner = models.CharField(
        _("samarbetspart"), max_length=24, choices=InterventionTarget.choices
    )
    partner_name = models.CharField(_("part (namn, kontor)"), max_length=200, blank=True)
    participants = models.JSONField(_("deltagare"), default=list)
    agreements = models.TextField(_("överenskommelser"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "recorded_at"]


class AssessmentArea(models.TextChoices):
    """Areas of the work-capacity assessment, in the spirit of FIA (Förutsättningar inför
    arbete)."""

    HEALTH = "health", _("Hälsa")
    LANGUAGE = "language", _("Språk")
    EDUCATION = "education", _("Utbildning")
    WORK_EXPERIENCE = "work_experience", _("Arbetslivserfarenhet")
    SOCIAL_SITUATION = "social_situation", _("Social situation")
    DAILY_STRUCTURE = "daily_structure", _("Vardagsstruktur och egen förmåga")
    MOTIVATION = "motivation", _("Motivation och egna mål")


class AssessmentRating(models.IntegerChoices):
    MAJOR_OBSTACLE = 1, _("Stort hinder")
    SOME_OBSTACLE = 2, _("Visst hinder")
    MINOR_OBSTACLE = 3, _("Litet hinder")
    RESOURCE = 4, _("Inget hinder – en styrka")


class WorkCapacityAssessment(FinalRecordMixin):
    """A structured assessment of one adult's capacity for work, attached to the plan.

    areas = {area: {"rating": 1-4, "comment": str}}. Final once signed; a new assessment
    replaces an older one."""

    plan = models.ForeignKey(WorkPlan, on_delete=models.PROTECT, related_name="assessments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(_("bedömningsdatum"))
    areas = models.JSONField(default=dict)
    summary = models.TextField(_("sammanfattande bedömning"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assessed_on", "id"]

    def area_rows(self) -> list[dict]:
        return [
            {
                "area": area,
                "label": area.label,
                "rating": self.areas.get(area.value, {}).get("rating"),
                "rating_label": AssessmentRating(self.areas[area.value]["rating"]).label
                if self.areas.get(area.value, {}).get("rating")
                else "",
                "comment": self.areas.get(area.value, {}).get("comment", ""),
            }
            for area in AssessmentArea
        ]


class DeviationKind(models.TextChoices):
    MISSED_FOLLOW_UP = "missed_follow_up", _("Uppföljning missad")
    NEW_SUPPORT_OBSTACLE = "new_support_obstacle", _("Nytt försörjningshinder")
    INCOME_CHANGE = "income_change", _("Inkomstförändring över gränsen")


class DeviationResolution(models.TextChoices):
    HANDED_OVER = "handed_over", _("Överlämnat till socialsekreterare")
    STAYS_C = "stays_c", _("Bedömt: ärendet kan ligga kvar som C-ärende")


class Deviation(models.Model):
    """A deviation from the plan in a C case: the case is flagged for handover to a social
    worker until a head hands it over or assesses that it may stay."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plan_deviations")
    plan = models.ForeignKey(WorkPlan, on_delete=models.PROTECT, related_name="deviations")
    kind = models.CharField(_("avvikelse"), max_length=24, choices=DeviationKind.choices)
    detected_on = models.DateField(_("upptäckt"))
    detail = models.CharField(_("beskrivning"), max_length=300, blank=True)
    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(max_length=16, choices=DeviationResolution.choices, blank=True)
    resolution_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["detected_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | ~Q(resolution=""),
                name="resolved_deviation_has_resolution",
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class HandoverRecord(FinalRecordMixin):
    """The handover summary stored when a case changed handler: what the new handler should
    know at once (plan, last follow-ups, open items)."""

    final_field = "created_at"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="handover_records")
    assignment = models.OneToOneField(
        CaseAssignment, on_delete=models.PROTECT, related_name="handover_record"
    )
    from_handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    to_handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    summary = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


# --- The applicant's e-ID signature ------------------------------------------------------


class PlanSignature(models.Model):
    """The applicant's (or co-applicant's) signature of a plan version with their own e-ID
    through the e-service (docs/portal.md). A new record, never an edit of the plan: the
    version stays as it is, and `content_sha256` holds what was signed, so a draft changed
    after the signature shows as changed. The handler still records the consent
    (`confirm_plan`, method "digital") to make a draft the plan in force."""

    version = models.ForeignKey(
        WorkPlanVersion, on_delete=models.PROTECT, related_name="signatures"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    # How the person proved who they were: the e-service login backend ("oidc", "test-eid").
    method = models.CharField(_("inloggningsmetod"), max_length=16)
    content_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "person", "content_sha256"], name="plan_signed_once_per_content"
            )
        ]

    def __str__(self) -> str:
        return f"Underskrift av arbetsplan version {self.version_id}"

    def matches(self, version: WorkPlanVersion) -> bool:
        """Whether the signature is of the version's content as it is now."""
        return self.content_sha256 == plan_content_sha256(version)


def plan_content_sha256(version: WorkPlanVersion) -> str:
    """A fingerprint of what the applicant signs: the content and the period."""
    payload = json.dumps(
        {
            "content": version.content,
            "valid_from": version.valid_from.isoformat(),
            "valid_to": version.valid_to.isoformat(),
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()
