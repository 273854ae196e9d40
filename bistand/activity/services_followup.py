"""Writes of the case's handler after attendance: the assessment of an absence without valid
reason (with a proposed consequence that only a decision can apply) and the person's activity
plan (docs/activity-requirement.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import Case
from bistand.core.dates import month_start
from bistand.core.errors import DomainError
from bistand.workplans.models import ConsentMethod

from .models import (
    OPEN_PLACEMENT,
    AbsenceAssessment,
    AbsenceOutcome,
    ActivityPlan,
    ActivityPlanConsent,
    ActivityPlanSignature,
    AttendanceRecord,
    AttendanceStatus,
    Placement,
    ProposedConsequence,
    activity_plan_sha256,
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
        Placement.objects.filter(
            pk__in=ids, case=case, person=person, status__in=OPEN_PLACEMENT
        ).select_related("activity")
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
        activity_hours=sum((p.activity.hours_per_week for p in placements), Decimal("0")),
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


# --- The activity plan's consent and the person's own signature ---------------------------


def _current_plan(plan: ActivityPlan) -> ActivityPlan:
    locked = ActivityPlan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
    if ActivityPlan.objects.filter(replaces=locked).exists():
        raise DomainError("plan_replaced", "Planen har ersatts av en nyare version.")
    return locked


@transaction.atomic
def confirm_activity_plan(
    actor,
    case: Case,
    plan: ActivityPlan,
    *,
    consent_on: dt.date,
    method: str,
    note: str = "",
) -> ActivityPlanConsent:
    """Record the person's consent to their activity plan, as the work plan's consent is
    recorded: at a meeting with the person's signature on paper, or digitally after the
    person signed with e-ID on Mina sidor (then their signature of this plan must exist)."""
    require(actor, "assess_absence")
    if plan.case_id != case.pk:
        raise DomainError("plan_not_found", "Aktivitetsplanen finns inte.")
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_open(case)
    plan = _current_plan(plan)
    if ActivityPlanConsent.objects.filter(plan=plan).exists():
        raise DomainError("already_confirmed", "Planen är redan godkänd.")
    if method not in ConsentMethod.values:
        raise DomainError("consent_method", "Ange hur klienten godkände planen.")
    if consent_on > timezone.localdate():
        raise DomainError("consent_future", "Datum för godkännandet kan inte ligga i framtiden.")
    if consent_on < timezone.localdate(plan.created_at):
        raise DomainError("consent_before_plan", "Planen kan inte ha godkänts innan den skrevs.")
    if (
        method == ConsentMethod.DIGITAL
        and not ActivityPlanSignature.objects.filter(plan=plan, person=plan.person_id).exists()
    ):
        raise DomainError(
            "not_signed",
            "Personen har inte skrivit under planen med e-legitimation på Mina sidor. "
            "Välj godkännande på plats eller vänta på underskriften.",
        )
    consent = ActivityPlanConsent.objects.create(
        plan=plan,
        consent_on=consent_on,
        method=method,
        note=note.strip()[:300],
        recorded_by=actor,
    )
    record(
        actor,
        AuditAction.SIGN,
        obj=consent,
        case_id=case.pk,
        person_id=plan.person_id,
        detail={"plan": plan.pk, "consent_on": consent_on.isoformat(), "method": method},
    )
    return consent


def sign_activity_plan_as_person(actor, person, plan: ActivityPlan, *, method: str):
    """The person signs their own activity plan with the e-ID they logged in with: a new
    `ActivityPlanSignature`, never a change of the plan. `actor` is the access log's actor for
    the person (bistand.portal has checked that the case is the person's household's)."""
    if not method:
        raise DomainError("no_method", "Du behöver vara inloggad med e-legitimation.")
    with transaction.atomic():
        plan = _current_plan(plan)
        if plan.person_id != person.pk:
            raise DomainError("plan_not_found", "Aktivitetsplanen finns inte.")
        _require_open(Case.objects.get(pk=plan.case_id))
        if ActivityPlanSignature.objects.filter(plan=plan, person=person).exists():
            raise DomainError("already_signed", "Du har redan skrivit under den här planen.")
        signature = ActivityPlanSignature.objects.create(
            plan=plan,
            person=person,
            signed_at=timezone.now(),
            method=method[:16],
            content_sha256=activity_plan_sha256(plan, plan.placements.select_related("activity")),
        )
        record(
            actor,
            AuditAction.SIGN,
            obj=signature,
            case_id=plan.case_id,
            person_id=person.pk,
            detail={"plan": plan.pk, "method": signature.method},
        )
    return signature
