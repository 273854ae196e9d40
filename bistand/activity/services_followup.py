"""Writes of the case's handler after attendance: the assessment of an absence without valid
reason (with a proposed consequence that only a decision can apply) and the person's activity
plan (docs/activity-requirement.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import Case
from bistand.core.dates import month_start
from bistand.core.errors import DomainError

from .models import (
    OPEN_PLACEMENT,
    AbsenceAssessment,
    AbsenceOutcome,
    ActivityPlan,
    AttendanceRecord,
    AttendanceStatus,
    Placement,
    ProposedConsequence,
)
from .permissions import require
from .services import _member_of, _require_open


@transaction.atomic
def assess_absence(
    actor,
    case: Case,
    attendance: AttendanceRecord,
    *,
    outcome: str,
    reasoning: str,
    consequence: str = ProposedConsequence.NONE,
    month: dt.date | None = None,
) -> AbsenceAssessment:
    """Assess a reported absence without valid reason. A consequence is a proposal for the
    month's decision: nothing is reduced or refused here."""
    require(actor, "assess_absence")
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_open(case)
    attendance = (
        AttendanceRecord.objects.select_for_update()
        .select_related("placement")
        .filter(pk=attendance.pk, placement__case=case)
        .first()
    )
    if attendance is None:
        raise DomainError("attendance_not_found", "Närvaron finns inte.")
    if attendance.status != AttendanceStatus.UNEXCUSED:
        raise DomainError("not_unexcused", "Bara frånvaro utan giltigt skäl bedöms.")
    if AttendanceRecord.objects.filter(replaces=attendance).exists():
        raise DomainError("replaced", "Närvaron är rättad; bedöm den senaste uppgiften.")
    if AbsenceAssessment.objects.filter(attendance=attendance).exists():
        raise DomainError("already_assessed", "Frånvaron är redan bedömd.")
    if outcome not in AbsenceOutcome.values:
        raise DomainError("bad_outcome", "Välj en bedömning.")
    if consequence not in ProposedConsequence.values:
        raise DomainError("bad_consequence", "Välj en påföljd från listan.")
    if not reasoning.strip():
        raise DomainError("reasoning_required", "Skriv en motivering.")
    if outcome == AbsenceOutcome.ACCEPTABLE and consequence != ProposedConsequence.NONE:
        raise DomainError(
            "acceptable_has_no_consequence", "Godtagbart skäl kan inte ge någon påföljd."
        )
    if consequence != ProposedConsequence.NONE:
        if month is None:
            raise DomainError("month_required", "Ange vilken månads försörjningsstöd det gäller.")
        month = month_start(month)
    else:
        month = None
    assessment = AbsenceAssessment.objects.create(
        attendance=attendance,
        outcome=outcome,
        reasoning=reasoning.strip(),
        consequence=consequence,
        month=month,
        assessed_by=actor,
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=assessment,
        case_id=case.pk,
        person_id=attendance.placement.person_id,
        detail={
            "after": {
                "outcome": outcome,
                "consequence": consequence,
                "month": month.isoformat() if month else None,
            }
        },
    )
    return assessment


@transaction.atomic
def record_activity_plan(
    actor,
    case: Case,
    *,
    person_id: int,
    goals: str,
    follow_up_on: dt.date,
    job_search_hours: Decimal = Decimal("0"),
    adaptation: str = "",
    placement_ids=(),
    today: dt.date,
) -> ActivityPlan:
    """A new version of the person's activity plan (the earlier one is replaced, not edited),
    linked to the case's work plan when it has one."""
    require(actor, "assess_absence")
    case = Case.objects.select_for_update().select_related("household").get(pk=case.pk)
    _require_open(case)
    person = _member_of(case, person_id, today)
    if not goals.strip():
        raise DomainError("goals_required", "Skriv planens mål.")
    if follow_up_on < today:
        raise DomainError("follow_up_past", "Uppföljningen kan inte vara före i dag.")
    if not (Decimal("0") <= job_search_hours <= Decimal("40")):
        raise DomainError("bad_hours", "Timmar jobbsökande ska vara mellan 0 och 40.")
    ids = set(placement_ids or ())
    placements = list(
        Placement.objects.filter(pk__in=ids, case=case, person=person, status__in=OPEN_PLACEMENT)
    )
    if len(placements) != len(ids):
        raise DomainError("bad_placement", "Välj personens aktiviteter från listan.")
    earlier = (
        ActivityPlan.objects.select_for_update(of=("self",))  # replaced_by: an outer join
        .filter(case=case, person=person, replaced_by__isnull=True)
        .first()
    )
    work_plan = getattr(case, "work_plan", None)
    plan = ActivityPlan.objects.create(
        person=person,
        case=case,
        work_plan=work_plan,
        goals=goals.strip(),
        job_search_hours=job_search_hours,
        adaptation=adaptation.strip(),
        follow_up_on=follow_up_on,
        replaces=earlier,
        recorded_by=actor,
    )
    plan.placements.set(placements)
    record(
        actor,
        AuditAction.CREATE,
        obj=plan,
        case_id=case.pk,
        person_id=person.pk,
        detail={
            "after": {
                "follow_up_on": follow_up_on.isoformat(),
                "placements": sorted(p.pk for p in placements),
                "replaces": earlier.pk if earlier else None,
            }
        },
    )
    return plan
