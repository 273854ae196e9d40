"""Reads for activities, placements, attendance and the handler's follow-up, each through the
access rules: a coordinator reads the participants of the activities they coordinate (names
and identity numbers, never a case); case roles read the participants from cases they may
open; the unit head the unit's (docs/activity-requirement.md, "Who sees what")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from bistand.cases.models import CaseStatus
from bistand.cases.selectors import cases_visible_to
from bistand.core.errors import NotFound
from bistand.organisation.models import Role

from .models import (
    HOLDS_PLACE,
    OPEN_PLACEMENT,
    AbsenceAssessment,
    Activity,
    ActivityPlan,
    AttendanceRecord,
    AttendanceStatus,
    Placement,
    PlacementStatus,
    ProposedConsequence,
)
from .permissions import can


def _is_coordinator(user) -> bool:
    return user.role == Role.ACTIVITY_COORDINATOR


def activities_for(user) -> QuerySet[Activity]:
    """The unit's activities with places taken and the waiting list's length; a coordinator
    gets only the activities they coordinate."""
    if not can(user, "view_activities") or not user.unit_id:
        return Activity.objects.none()
    found = Activity.objects.filter(unit_id=user.unit_id)
    if _is_coordinator(user):
        found = found.filter(coordinators=user)
    return found.annotate(
        taken=Count("placements", filter=Q(placements__status__in=HOLDS_PLACE), distinct=True),
        waiting=Count(
            "placements", filter=Q(placements__status=PlacementStatus.WAITING), distinct=True
        ),
    ).order_by("name", "id")


def activity_for(user, activity_id: int) -> Activity:
    """One activity the user may see; any other id answers as a missing one."""
    activity = activities_for(user).filter(pk=activity_id).first()
    if activity is None:
        raise NotFound("activity_not_found", "Aktiviteten finns inte.")
    return activity


@dataclass
class Participants:
    placed: list[Placement] = field(default_factory=list)
    offered: list[Placement] = field(default_factory=list)
    waiting: list[Placement] = field(default_factory=list)
    # Participants from cases the reader may not open: counted, never named.
    hidden: int = 0
    waiting_positions: dict[int, int] = field(default_factory=dict)

    @property
    def shown(self) -> list[Placement]:
        return [*self.placed, *self.offered, *self.waiting]


def sees_all_participants(user, activity: Activity) -> bool:
    if user.role == Role.UNIT_HEAD:
        return user.unit_id == activity.unit_id
    return _is_coordinator(user)  # activity_for already limited them to their own


def participants(user, activity: Activity) -> Participants:
    """The activity's open placements (placed, offered, the waiting list in order) that the
    user may see. Positions in the queue count everyone waiting, shown or not."""
    found = (
        Placement.objects.filter(activity=activity, status__in=OPEN_PLACEMENT)
        .select_related("person", "case")
        .order_by("queued_at", "id")
    )
    everyone = list(found)
    position = 0
    positions = {}
    for placement in everyone:
        if placement.status == PlacementStatus.WAITING:
            position += 1
            positions[placement.pk] = position
        placement.queue_position = positions.get(placement.pk)
    if sees_all_participants(user, activity):
        visible = everyone
    else:
        open_ids = set(
            Placement.objects.filter(activity=activity, status__in=OPEN_PLACEMENT)
            .filter(case__in=cases_visible_to(user))
            .values_list("pk", flat=True)
        )
        visible = [p for p in everyone if p.pk in open_ids]
    result = Participants(hidden=len(everyone) - len(visible), waiting_positions=positions)
    for placement in visible:
        {
            PlacementStatus.PLACED: result.placed,
            PlacementStatus.OFFERED: result.offered,
            PlacementStatus.WAITING: result.waiting,
        }[PlacementStatus(placement.status)].append(placement)
    return result


def placed_in_week(activity: Activity, week: dt.date) -> list[Placement]:
    """Who held a place some day of the week starting `week` (the attendance form's rows),
    with the week's latest attendance record as `.attendance` (or None)."""
    sunday = week + dt.timedelta(days=6)
    rows = list(
        Placement.objects.filter(
            activity=activity,
            status__in=(PlacementStatus.PLACED, PlacementStatus.ENDED),
            placed_on__lte=sunday,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=week))
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "id")
    )
    latest = {
        r.placement_id: r
        for r in AttendanceRecord.objects.filter(
            placement__in=rows, week=week, replaced_by__isnull=True
        )
    }
    for placement in rows:
        placement.attendance = latest.get(placement.pk)
    return rows


def case_placements(case) -> list[Placement]:
    """The case's placements, open first, for the case panel."""
    placements = list(
        Placement.objects.filter(case=case)
        .select_related("activity", "person")
        .prefetch_related("skips", "waivers")
        .order_by("status", "queued_at", "id")
    )
    for placement in placements:
        # The latest pass-over while still waiting, and the reasons written since assignment.
        skips = list(placement.skips.all())
        placement.last_skip = skips[0] if skips and placement.status == "waiting" else None
        placement.waivers_shown = list(placement.waivers.all())
    return placements


def _unassessed_absences() -> QuerySet[AttendanceRecord]:
    return AttendanceRecord.objects.filter(
        status=AttendanceStatus.UNEXCUSED, replaced_by__isnull=True, assessment__isnull=True
    ).select_related("placement__person", "placement__activity", "placement__case")


def absences_to_assess(case) -> list[AttendanceRecord]:
    return list(_unassessed_absences().filter(placement__case=case).order_by("week", "id"))


def absences_for_handler(user) -> list[AttendanceRecord]:
    """Start page: absences without valid reason in open cases the user holds, not yet
    assessed (the flag to the case's handler)."""
    if not can(user, "assess_absence"):
        return []
    held = Q(placement__case__handler_id=user.pk) | Q(placement__case__assistant_id=user.pk)
    return list(
        _unassessed_absences()
        .filter(held)
        .exclude(placement__case__status=CaseStatus.CLOSED)
        .filter(placement__case__in=cases_visible_to(user))
        .order_by("week", "id")[:50]
    )


def assessments_of(case) -> list[AbsenceAssessment]:
    return list(
        AbsenceAssessment.objects.filter(attendance__placement__case=case)
        .select_related("attendance__placement__person", "attendance__placement__activity")
        .order_by("-created_at")
    )


def proposals_for_month(case, month: dt.date) -> list[AbsenceAssessment]:
    """Proposed consequences for the case's försörjningsstöd of `month` (the decision page)."""
    return list(
        AbsenceAssessment.objects.filter(
            attendance__placement__case=case,
            month=month,
        )
        .exclude(consequence=ProposedConsequence.NONE)
        .select_related("attendance__placement__person", "attendance__placement__activity")
        .order_by("created_at")
    )


def current_plans(case) -> list[ActivityPlan]:
    return list(
        ActivityPlan.objects.filter(case=case, replaced_by__isnull=True)
        .select_related("person", "work_plan", "consent")
        .prefetch_related("placements__activity", "signatures")
        .order_by("person__last_name", "id")
    )
