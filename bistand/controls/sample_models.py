"""Monthly sample review (stickprov, internal control) and the review queue.

A draw is a record of authority: the seed, the ordered candidate decision ids and the drawn
ids are stored, so anyone can recompute it (docs/controls.md, "Sample review"); it is never
edited, a redraw is a new draw pointing at the one it replaces, with a reason. Decisions live
beside controls, so they are held by id (as `DecisionCheckUse` does).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from bistand.core.models import FinalRecordError, FinalRecordMixin
from bistand.organisation.models import Unit

DEFAULT_SAMPLE_SIZE = 5
MAX_SAMPLE_SIZE = 50


class SampleSettings(models.Model):
    """The unit's sample size; each change is a new row, the latest applies (default 5)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="sample_settings")
    size = models.PositiveSmallIntegerField(
        _("antal beslut per månad"), default=DEFAULT_SAMPLE_SIZE
    )
    note = models.TextField(_("anledning till ändringen"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gte=1) & Q(size__lte=MAX_SAMPLE_SIZE),
                name="sample_size_range",
            )
        ]


MAX_CHECKLIST_POINTS = 20
MAX_POINT_LABEL = 200


class ChecklistVersion(models.Model):
    """A version of the unit's checklist for the sample review: `points` is the ordered list
    `[{"key", "label"}]`. A change is a new version (never edited); each draw keeps the version
    it was drawn with, so a later change never rewrites past reviews. A unit's first version is
    the default checklist (`default_checklist()`), written at its first draw or first change."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="checklist_versions")
    number = models.PositiveSmallIntegerField(_("version"))
    points = models.JSONField(_("punkter"), default=list)
    note = models.TextField(_("anledning till ändringen"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="one_checklist_version_number")
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None and type(self).objects.filter(pk=self.pk).exists():
            raise FinalRecordError("En version av checklistan ändras inte; gör en ny version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FinalRecordError("En version av checklistan tas inte bort.")

    def __str__(self) -> str:
        return f"Checklista version {self.number}"


class SampleDraw(FinalRecordMixin):
    """One month's draw for a unit: seed, candidates and result. Never edited."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="sample_draws")
    month = models.DateField(_("månad"))
    seed = models.BigIntegerField(_("slumpfrö"))
    seed_given = models.BooleanField(_("fröet angavs"), default=False)
    size = models.PositiveSmallIntegerField(_("stickprovets storlek"))
    algorithm = models.CharField(max_length=20, default="sha256-rank/1")
    candidate_ids = models.JSONField(_("beslut att dra bland"), default=list)
    excluded_ids = models.JSONField(_("uteslutna (granskarens egna beslut)"), default=list)
    drawn_ids = models.JSONField(_("dragna beslut"), default=list)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    scheduled = models.BooleanField(_("schemalagd dragning"), default=False)
    drawn_at = models.DateTimeField(_("dragen"))
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    reason = models.TextField(_("skäl till omdragning"), blank=True)
    # The checklist the draw is reviewed against (null: drawn before checklists were per unit,
    # reviewed against the default checklist).
    checklist = models.ForeignKey(
        ChecklistVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    final_field = "drawn_at"

    class Meta:
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month"],
                condition=Q(replaces__isnull=True),
                name="one_first_sample_draw_per_unit_and_month",
            ),
            models.CheckConstraint(
                condition=Q(replaces__isnull=True) | ~Q(reason=""),
                name="sample_redraw_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Stickprov {self.month:%Y-%m}"


class ChecklistPoint(models.TextChoices):
    """The default checklist: what a reviewer looks at in each drawn decision (the issue's six
    points). A unit's checklist is data (`ChecklistVersion`); these are its first version."""

    DOCUMENTATION = "documentation", _("Dokumentationen är fullständig")
    CHECKS = "checks", _("Kontrollerna är gjorda (SSBTEK, handlingar)")
    CALCULATION = "calculation", _("Beräkningen är rätt")
    DELEGATION = "delegation", _("Delegationsordningen är följd")
    PLAN = "plan", _("Planeringen är följd")
    CHILD_PERSPECTIVE = "child_perspective", _("Barnperspektivet är beaktat")


def default_checklist() -> list[dict]:
    """The default points as data, with their Swedish labels (stored as written)."""
    with translation.override("sv"):
        return [{"key": point.value, "label": str(point.label)} for point in ChecklistPoint]


class Answer(models.TextChoices):
    YES = "yes", _("Ja")
    NO = "no", _("Nej – brist")
    NOT_APPLICABLE = "na", _("Ej tillämpligt")


class SampleItem(models.Model):
    """One drawn decision, its reviewer and (once) the review against the checklist."""

    draw = models.ForeignKey(SampleDraw, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField()
    decision_id = models.BigIntegerField(db_index=True)
    case_id = models.BigIntegerField()
    decided_by_id = models.BigIntegerField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(_("svar"), default=dict, blank=True)
    comments = models.JSONField(_("kommentarer"), default=dict, blank=True)
    conclusion = models.TextField(_("sammanfattning"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["draw_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "decision_id"], name="one_item_per_decision"),
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True) | Q(reviewed_by__isnull=False),
                name="sample_item_reviewed_by",
            ),
        ]

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None


class Finding(models.Model):
    """A shortcoming found in a review (one per checklist point answered "no")."""

    item = models.ForeignKey(SampleItem, on_delete=models.PROTECT, related_name="findings")
    point = models.CharField(_("punkt"), max_length=24)  # a key of the draw's checklist
    point_label = models.CharField(_("punktens lydelse"), max_length=MAX_POINT_LABEL, blank=True)
    description = models.TextField(_("brist"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item_id", "id"]

    @property
    def label(self) -> str:
        """The point as the checklist worded it when the finding was made."""
        return self.point_label or str(dict(ChecklistPoint.choices).get(self.point, self.point))


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Öppen")
    CLOSED = "closed", _("Åtgärdad")


class CorrectiveAction(models.Model):
    """What is to be done about a finding, by whom and when; followed up until closed."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField(_("åtgärd"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("klar senast"))
    status = models.CharField(
        _("status"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closing_note = models.TextField(_("vad som gjorts"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_at__isnull=False),
                name="corrective_action_closed_when",
            )
        ]


class QueueSignoff(models.Model):
    """The unit head's sign-off of one item in the review queue (once per item)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("slag"), max_length=32)
    object_id = models.BigIntegerField()
    made_by_id = models.BigIntegerField(null=True, blank=True)
    summary = models.CharField(_("avser"), max_length=300, blank=True)
    note = models.TextField(_("anteckning"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="one_signoff_per_item")
        ]
