"""Every change of state of plans, follow-ups and interventions, named for the act. Each takes
the acting user first, checks permission and rules, writes the audit record and runs in one
transaction: bad input raises a DomainError with a Swedish message and nothing is saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any

from django.db import transaction
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import Case, CaseAssignment, CaseStatus, CaseType
from bistand.cases.rules import can_open_case
from bistand.core.codes import SUPPORT_OBSTACLE_BY_CODE
from bistand.core.dates import add_months
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.households.models import Person
from bistand.organisation.models import Unit

from . import schedule, selectors
from .models import (
    INTERVENTION_TRANSITIONS,
    OPEN_INTERVENTION_STATUSES,
    ActivityParty,
    AssessmentArea,
    AssessmentRating,
    Attendance,
    CaseTypeSetting,
    ConsentMethod,
    Deviation,
    DeviationKind,
    DeviationResolution,
    FollowUp,
    FollowUpMethod,
    HandoverRecord,
    Intervention,
    InterventionResult,
    InterventionStatus,
    InterventionTarget,
    PlanSignature,
    Programme,
    ProgrammeKind,
    TripartiteMeeting,
    WorkCapacityAssessment,
    WorkPlan,
    WorkPlanVersion,
    plan_content_sha256,
)
from .permissions import require

DEFAULT_PROGRAMMES = (
    (
        "Jobbtorg",
        ProgrammeKind.LABOUR_MARKET,
        "Stadens arbetsmarknadsinsats: coachning och matchning.",
    ),
    ("Lärcentrum", ProgrammeKind.EDUCATION, "Vuxenutbildning, studie- och yrkesvägledning."),
    ("Jobbaktiv", ProgrammeKind.LABOUR_MARKET, "Informationsmöte och handlingsplan mot arbete."),
)


# --- Helpers ----------------------------------------------------------------------------


def _require_case(actor, case: Case) -> None:
    if not can_open_case(actor, case):
        record(
            actor,
            AuditAction.ACCESS_DENIED,
            obj=case,
            case_id=case.pk,
            detail={"what": "workplan_write"},
        )
        raise PermissionRefused(
            "case_access_denied", "Du har inte behörighet till det här ärendet.", case_id=case.pk
        )


def case_act(capability: str, case_of: Callable[[Any], Case] = lambda subject: subject):
    """Run the act in one transaction after checking the actor's role and access to the
    case. The check runs first and outside the transaction, so that a refusal's access-log
    row is kept although nothing of the act is saved."""

    def decorator(act):
        @wraps(act)
        def wrapper(actor, subject, *args, **kwargs):
            case = Case.objects.get(pk=case_of(subject).pk)
            require(actor, capability, case)
            _require_case(actor, case)
            with transaction.atomic():
                return act(actor, subject, *args, **kwargs)

        return wrapper

    return decorator


def _require_not_closed(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise DomainError("case_closed", "Ärendet är avslutat.")


def may_edit_plan_draft(user, case_id: int) -> None:
    """For the autosaved draft of the edit-plan page (bistand/core/drafts.py): may `user` write
    the plan of this case? The same rules as the page (`edit_plan`, a benefit administrator
    only in C cases, not a closed case), but nothing is logged: typing is not reading the case
    again. A case the user may not open answers as a missing one."""
    require(user, "edit_plan")
    case = Case.objects.filter(pk=case_id).first()
    if case is None or not can_open_case(user, case):
        raise NotFound("case_not_found", "Ärendet finns inte eller så saknar du behörighet.")
    require(user, "edit_plan", case)
    _require_not_closed(case)


def _date(value: Any, label: str, *, required: bool = False) -> dt.date | None:
    """A date from a form (date) or JSON (ISO string); a Swedish error for anything else."""
    if value in (None, ""):
        if required:
            raise DomainError("date_required", f"{label}: ange ett datum.")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError("bad_date", f"{label}: ange datumet som ÅÅÅÅ-MM-DD.")


def _not_future(day: dt.date, label: str) -> dt.date:
    if day > timezone.localdate():
        raise DomainError("future_date", f"{label} kan inte ligga i framtiden.")
    return day


def _amount(value: Any, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise DomainError(
            "bad_amount", f"{label}: ange ett belopp i kronor, t.ex. 1500 eller -800."
        )
    if not amount.is_finite() or abs(amount) >= Decimal("1e9"):
        raise DomainError("bad_amount", f"{label}: beloppet är orimligt.")
    return amount.quantize(Decimal("0.01"))


def _adult_of(case: Case, person: Person | int) -> Person:
    person_id = person.pk if isinstance(person, Person) else int(person)
    for adult in selectors.current_adults(case):
        if adult.pk == person_id:
            return adult
    raise DomainError("not_adult_member", "Personen är inte en vuxen i hushållet.")


def sync_case_next_follow_up(case_id: int, due_on: dt.date | None) -> None:
    """Case.next_follow_up_on is a cache for 'Mina ärenden': the plan's due date."""
    Case.objects.filter(pk=case_id).update(next_follow_up_on=due_on)


def refresh_schedule(plan: WorkPlan) -> WorkPlan:
    """Recompute the plan's planned and due follow-up dates (and the case's cache)."""
    sched = selectors.compute_schedule(plan)
    WorkPlan.objects.filter(pk=plan.pk).update(
        next_follow_up_on=sched.planned,
        next_follow_up_method=sched.planned_method or "",
        due_on=sched.due,
    )
    plan.next_follow_up_on = sched.planned
    plan.next_follow_up_method = sched.planned_method or ""
    plan.due_on = sched.due
    sync_case_next_follow_up(plan.case_id, sched.due)
    return plan


# --- Plan content -----------------------------------------------------------------------


def clean_plan_content(content: dict[str, Any]) -> dict[str, Any]:
    """Goals, activities and planned follow-ups, blank rows dropped, each checked."""
    goals = []
    for index, goal in enumerate(content.get("goals") or [], start=1):
        text = str(goal.get("text", "") or "").strip()
        target = _date(goal.get("target_on"), f"Mål {index}")
        if not text:
            if target:
                raise DomainError(
                    "goal_text_required", f"Mål {index} har ett datum men ingen text."
                )
            continue
        goals.append({"text": text, "target_on": target.isoformat() if target else ""})
    activities = []
    for index, activity in enumerate(content.get("activities") or [], start=1):
        text = str(activity.get("text", "") or "").strip()
        party = str(activity.get("party", "") or ActivityParty.CLIENT)
        partner = str(activity.get("partner", "") or "").strip()
        due = _date(activity.get("due_on"), f"Aktivitet {index}")
        if not text:
            if partner or due:
                raise DomainError(
                    "activity_text_required", f"Aktivitet {index}: beskriv vad som ska göras."
                )
            continue
        if party not in ActivityParty.values:
            raise DomainError("bad_party", f"Aktivitet {index}: välj vem som gör den.")
        if party == ActivityParty.PARTNER and not partner:
            raise DomainError(
                "partner_required", f"Aktivitet {index}: ange vilken samarbetspart som gör den."
            )
        activities.append(
            {
                "text": text,
                "party": party,
                "partner": partner if party == ActivityParty.PARTNER else "",
                "due_on": due.isoformat() if due else "",
            }
        )
    follow_ups = []
    seen = set()
    for index, follow_up in enumerate(content.get("follow_ups") or [], start=1):
        on = _date(follow_up.get("on"), f"Uppföljning {index}")
        method = str(follow_up.get("method", "") or FollowUpMethod.VISIT)
        if on is None:
            continue
        if method not in FollowUpMethod.values:
            raise DomainError("bad_method", f"Uppföljning {index}: välj hur den ska ske.")
        if on in seen:
            raise DomainError(
                "duplicate_follow_up", f"Uppföljningen {on:%Y-%m-%d} finns redan i planen."
            )
        seen.add(on)
        follow_ups.append({"on": on.isoformat(), "method": method})
    follow_ups.sort(key=lambda f: f["on"])
    return {
        "goals": goals,
        "activities": activities,
        "follow_ups": follow_ups,
        "notes": str(content.get("notes", "") or "").strip(),
    }


def _content_changes(before: WorkPlanVersion | None, after: WorkPlanVersion) -> dict[str, Any]:
    if before is None:
        return {}
    changes: dict[str, Any] = {}
    for key in ("goals", "activities", "follow_ups", "notes"):
        if before.content.get(key) != after.content.get(key):
            changes[key] = {"before": before.content.get(key), "after": after.content.get(key)}
    for key in ("valid_from", "valid_to"):
        if getattr(before, key) != getattr(after, key):
            changes[key] = {
                "before": getattr(before, key).isoformat(),
                "after": getattr(after, key).isoformat(),
            }
    return changes


def plan_problems(case: Case, version: WorkPlanVersion, consent_on: dt.date) -> list[str]:
    """What is missing before the client can confirm the plan (Swedish, one line each)."""
    problems = []
    content = version.content
    if not case.case_type:
        problems.append("Sätt ärendetyp (A, B eller C) innan planen bekräftas.")
    if not content.get("goals"):
        problems.append("Ange minst ett mål mot egen försörjning.")
    if not content.get("activities"):
        problems.append("Ange minst en aktivitet: vad ska göras och vem gör det.")
    dates = version.planned_dates()
    if not dates:
        problems.append("Planera minst en uppföljning: datum och hur den ska ske.")
    for day in dates:
        if not (version.valid_from <= day <= version.valid_to):
            problems.append(f"Uppföljningen {day:%Y-%m-%d} ligger utanför planens period.")
    rule = selectors.case_type_rule(case.unit_id, case.case_type)
    if rule is not None:
        longest = add_months(version.valid_from, rule.plan_period_months)
        if version.valid_to > longest:
            problems.append(
                f"Ett {case.case_type}-ärendes plan gäller högst {rule.plan_period_months} "
                f"månader (till {longest:%Y-%m-%d})."
            )
        interval = dt.timedelta(days=rule.follow_up_interval_days)
        previous = max(consent_on, version.valid_from)
        for day in [d for d in dates if d > previous]:
            if day - previous > interval:
                problems.append(
                    f"Uppföljningen {day:%Y-%m-%d} kommer för sent: {case.case_type}-ärenden "
                    f"följs upp minst var {rule.follow_up_interval_days}:e dag (senast "
                    f"{previous + interval:%Y-%m-%d})."
                )
                break
            previous = day
    return problems


# --- The plan ---------------------------------------------------------------------------


@case_act("edit_plan")
def save_plan_draft(
    actor,
    case: Case,
    *,
    content: dict[str, Any],
    valid_from: dt.date | str | None = None,
    valid_to: dt.date | str | None = None,
) -> WorkPlanVersion:
    """Save the plan's draft; after a confirmed version the first save starts a new version
    (the confirmed one is never changed)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_not_closed(case)
    clean = clean_plan_content(content)
    today = timezone.localdate()
    start = _date(valid_from, "Planen gäller från") or today
    rule = selectors.case_type_rule(case.unit_id, case.case_type)
    months = rule.plan_period_months if rule else 6
    end = _date(valid_to, "Planen gäller till") or add_months(start, months)
    if end <= start:
        raise DomainError("bad_period", "Planens slutdatum måste ligga efter startdatumet.")
    if start < case.opened_on - dt.timedelta(days=31):
        raise DomainError("period_before_case", "Planen kan inte börja långt före ärendet.")
    plan, created = WorkPlan.objects.get_or_create(case=case, defaults={"created_by": actor})
    if created:
        record(actor, AuditAction.CREATE, obj=plan, case_id=case.pk)
    draft = (
        WorkPlanVersion.objects.select_for_update()
        .filter(plan=plan, confirmed_at__isnull=True)
        .first()
    )
    base = plan.latest_confirmed()
    if draft is None:
        number = (
            plan.versions.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        draft = WorkPlanVersion(plan=plan, number=number, based_on=base, created_by=actor)
        action = AuditAction.CREATE
    else:
        action = AuditAction.UPDATE
    before = {"content": draft.content, "valid_from": str(draft.valid_from or "")}
    draft.content = clean
    draft.valid_from = start
    draft.valid_to = end
    draft.case_type = case.case_type
    draft.changes = _content_changes(base, draft)
    draft.save()
    record(
        actor,
        action,
        obj=draft,
        case_id=case.pk,
        detail={
            "version": draft.number,
            "before": before if action == AuditAction.UPDATE else None,
            "after": {
                "content": clean,
                "valid_from": start.isoformat(),
                "valid_to": end.isoformat(),
            },
        },
    )
    return draft


@case_act("edit_plan")
def confirm_plan(
    actor,
    case: Case,
    *,
    consent_on: dt.date | str | None = None,
    method: str,
    note: str = "",
) -> WorkPlanVersion:
    """Record the client's consent (signature) to the draft: the version becomes final."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_not_closed(case)
    plan = WorkPlan.objects.filter(case=case).first()
    draft = (
        plan
        and WorkPlanVersion.objects.select_for_update()
        .filter(plan=plan, confirmed_at__isnull=True)
        .first()
    )
    if not draft:
        raise DomainError("no_draft", "Det finns inget utkast till arbetsplan att bekräfta.")
    if method not in ConsentMethod.values:
        raise DomainError("consent_method", "Ange hur klienten godkände planen.")
    consent_on = _not_future(
        _date(consent_on, "Datum för godkännandet") or timezone.localdate(),
        "Datum för godkännandet",
    )
    if consent_on < timezone.localdate(draft.created_at) - dt.timedelta(days=31):
        raise DomainError(
            "consent_too_early", "Godkännandet kan inte ligga mer än en månad före planen skrevs."
        )
    problems = plan_problems(case, draft, consent_on)
    if problems:
        raise DomainError(
            "plan_incomplete",
            "Planen kan inte bekräftas: " + " ".join(problems),
            problems=problems,
        )
    draft.consent_on = consent_on
    draft.consent_method = method
    draft.consent_note = note.strip()[:300]
    draft.confirmed_by = actor
    draft.confirmed_at = timezone.now()
    draft.case_type = case.case_type
    draft.support_obstacles = selectors.latest_obstacles(case)
    draft.save()
    refresh_schedule(plan)
    record(
        actor,
        AuditAction.SIGN,
        obj=draft,
        case_id=case.pk,
        detail={
            "version": draft.number,
            "consent_on": consent_on.isoformat(),
            "consent_method": method,
            "changes": draft.changes,
        },
    )
    return draft


# --- Follow-ups -------------------------------------------------------------------------


@case_act("record_follow_up")
def record_follow_up(
    actor,
    case: Case,
    *,
    held_on: dt.date | str | None,
    method: str,
    outcome: str,
    took_place: bool = True,
    next_on: dt.date | str | None = None,
    next_method: str = "",
    income_change: Decimal | str | None = None,
    new_support_obstacle: str = "",
    corrects: FollowUp | None = None,
) -> FollowUp:
    """Record a follow-up of the plan (held or missed), its outcome and the next date.
    In a C case a missed follow-up, a new support obstacle or an income change beyond the
    unit's limit is a deviation: the case is flagged for handover to a social worker."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_not_closed(case)
    plan = WorkPlan.objects.select_for_update().filter(case=case).first()
    if plan is None or not plan.versions.exists():
        raise DomainError(
            "no_plan", "Ärendet har ingen arbetsplan att följa upp. Upprätta en plan först."
        )
    held_on = _not_future(_date(held_on, "Datum", required=True), "Datum för uppföljningen")
    if held_on < case.opened_on:
        raise DomainError("before_case", "Uppföljningen kan inte ligga före ärendets start.")
    if method not in FollowUpMethod.values:
        raise DomainError("bad_method", "Välj hur uppföljningen skedde.")
    outcome = (outcome or "").strip()
    if not outcome:
        raise DomainError(
            "outcome_required",
            "Beskriv resultatet av uppföljningen."
            if took_place
            else "Beskriv vad som hände (varför uppföljningen uteblev).",
        )
    next_on = _date(next_on, "Nästa uppföljning")
    if next_on is None:
        raise DomainError("next_required", "Ange datum för nästa uppföljning.")
    if next_on <= held_on:
        raise DomainError("next_before_held", "Nästa uppföljning måste ligga efter denna.")
    rule = selectors.case_type_rule(case.unit_id, case.case_type)
    latest = schedule.latest_allowed_next(held_on, rule.follow_up_interval_days if rule else None)
    if latest is not None and next_on > latest:
        raise DomainError(
            "next_too_late",
            f"Nästa uppföljning kan inte ligga senare än {latest:%Y-%m-%d}: "
            f"{case.case_type}-ärenden följs upp minst var {rule.follow_up_interval_days}:e dag "
            "enligt enhetens inställning.",
        )
    next_method = next_method or method
    if next_method not in FollowUpMethod.values:
        raise DomainError("bad_method", "Välj hur nästa uppföljning ska ske.")
    income = _amount(income_change, "Inkomstförändring")
    new_support_obstacle = (new_support_obstacle or "").strip()
    if new_support_obstacle and new_support_obstacle not in SUPPORT_OBSTACLE_BY_CODE:
        raise DomainError("bad_support_obstacle", "Okänt försörjningshinder.")
    if corrects is not None:
        if corrects.plan_id != plan.pk:
            raise DomainError("bad_correction", "Bara en uppföljning i samma plan kan rättas.")
        if corrects.corrections.exists():
            raise DomainError(
                "already_corrected", "Uppföljningen är redan rättad; rätta den senaste rättelsen."
            )
    version = plan.latest_confirmed() or plan.draft()
    follow_up = FollowUp.objects.create(
        plan=plan,
        plan_version=version,
        due_on=plan.due_on,
        held_on=held_on,
        method=method,
        took_place=bool(took_place),
        outcome=outcome,
        next_on=next_on,
        next_method=next_method,
        income_change=income,
        new_support_obstacle=new_support_obstacle,
        corrects=corrects,
        recorded_by=actor,
    )
    deviations = []
    if case.case_type == CaseType.C:
        if not took_place:
            deviations.append((DeviationKind.MISSED_FOLLOW_UP, f"Uteblev {held_on:%Y-%m-%d}."))
        if new_support_obstacle:
            deviations.append(
                (
                    DeviationKind.NEW_SUPPORT_OBSTACLE,
                    SUPPORT_OBSTACLE_BY_CODE[new_support_obstacle].label,
                )
            )
        if income is not None and rule is not None and abs(income) > rule.income_change_limit:
            deviations.append(
                (
                    DeviationKind.INCOME_CHANGE,
                    f"{income:+.0f} kr/månad (gräns {rule.income_change_limit:.0f} kr).",
                )
            )
    for kind, detail in deviations:
        deviation = Deviation.objects.create(
            case=case,
            plan=plan,
            kind=kind,
            detected_on=held_on,
            detail=detail[:300],
            follow_up=follow_up,
            created_by=actor,
        )
        record(
            actor,
            AuditAction.CREATE,
            obj=deviation,
            case_id=case.pk,
            detail={"after": {"kind": kind, "detail": detail}},
        )
    refresh_schedule(plan)
    record(
        actor,
        AuditAction.CREATE,
        obj=follow_up,
        case_id=case.pk,
        detail={
            "after": {
                "held_on": held_on.isoformat(),
                "method": method,
                "took_place": bool(took_place),
                "next_on": next_on.isoformat(),
                "corrects": corrects.pk if corrects else None,
            }
        },
    )
    return follow_up


@case_act("resolve_deviation", lambda deviation: deviation.case)
def resolve_deviation(actor, deviation: Deviation, *, resolution: str, note: str = "") -> Deviation:
    """A head closes a C-case deviation: handed over, or assessed as able to stay a C case."""
    deviation = Deviation.objects.select_for_update().select_related("case").get(pk=deviation.pk)
    if deviation.resolved_at is not None:
        raise DomainError("already_resolved", "Avvikelsen är redan hanterad.")
    if resolution not in DeviationResolution.values:
        raise DomainError("bad_resolution", "Välj hur avvikelsen hanteras.")
    note = (note or "").strip()
    if resolution == DeviationResolution.STAYS_C and not note:
        raise DomainError("note_required", "Motivera varför ärendet kan ligga kvar som C-ärende.")
    deviation.resolution = resolution
    deviation.resolution_note = note[:300]
    deviation.resolved_by = actor
    deviation.resolved_at = timezone.now()
    deviation.save(update_fields=["resolution", "resolution_note", "resolved_by", "resolved_at"])
    record(
        actor,
        AuditAction.UPDATE,
        obj=deviation,
        case_id=deviation.case_id,
        detail={"after": {"resolution": resolution, "note": note}},
    )
    return deviation


# --- Interventions and meetings ---------------------------------------------------------


@case_act("refer")
def refer(
    actor,
    case: Case,
    *,
    person: Person | int,
    target: str,
    programme: Programme | None = None,
    referred_on: dt.date | str | None = None,
    purpose: str = "",
) -> Intervention:
    """Refer an adult of the household to a programme or partner agency (anvisning)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_not_closed(case)
    person = _adult_of(case, person)
    if target not in InterventionTarget.values:
        raise DomainError("bad_target", "Välj vart klienten anvisas.")
    if target == InterventionTarget.PROGRAMME:
        if programme is None:
            raise DomainError("programme_required", "Välj vilken arbetsmarknadsinsats.")
        if programme.unit_id != case.unit_id or not programme.active:
            raise DomainError("bad_programme", "Insatsen används inte av enheten.")
    else:
        programme = None
    referred_on = _not_future(
        _date(referred_on, "Anvisningsdatum") or timezone.localdate(), "Anvisningsdatum"
    )
    duplicate = Intervention.objects.filter(
        case=case,
        person=person,
        target=target,
        programme=programme,
        status__in=OPEN_INTERVENTION_STATUSES,
    ).first()
    if duplicate is not None:
        raise DomainError(
            "already_referred",
            f"{person.full_name} har redan en pågående anvisning till {duplicate.target_label}.",
        )
    intervention = Intervention.objects.create(
        case=case,
        plan=WorkPlan.objects.filter(case=case).first(),
        person=person,
        target=target,
        programme=programme,
        purpose=(purpose or "").strip(),
        referred_on=referred_on,
        referred_by=actor,
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=intervention,
        case_id=case.pk,
        person_id=person.pk,
        detail={
            "after": {
                "target": target,
                "programme": programme.pk if programme else None,
                "referred_on": referred_on.isoformat(),
            }
        },
    )
    return intervention


def _transition(intervention: Intervention, new_status: str) -> None:
    if new_status not in INTERVENTION_TRANSITIONS[InterventionStatus(intervention.status)]:
        raise DomainError(
            "bad_transition",
            f"Insatsen kan inte gå från {intervention.get_status_display().lower()} till "
            f"{InterventionStatus(new_status).label.lower()}.",
        )
    intervention.status = new_status


@case_act("record_follow_up", lambda intervention: intervention.case)
def start_intervention(
    actor, intervention: Intervention, *, started_on: dt.date | str | None = None
) -> Intervention:
    intervention = (
        Intervention.objects.select_for_update().select_related("case").get(pk=intervention.pk)
    )
    started_on = _not_future(_date(started_on, "Startdatum") or timezone.localdate(), "Startdatum")
    if started_on < intervention.referred_on:
        raise DomainError("start_before_referral", "Insatsen kan inte starta före anvisningen.")
    _transition(intervention, InterventionStatus.STARTED)
    intervention.started_on = started_on
    intervention.save(update_fields=["status", "started_on"])
    record(
        actor,
        AuditAction.UPDATE,
        obj=intervention,
        case_id=intervention.case_id,
        person_id=intervention.person_id,
        detail={"after": {"status": "started", "started_on": started_on.isoformat()}},
    )
    return intervention


@case_act("record_follow_up", lambda intervention: intervention.case)
def end_intervention(
    actor,
    intervention: Intervention,
    *,
    ended_on: dt.date | str | None = None,
    attendance: str,
    result: str,
    note: str = "",
) -> Intervention:
    """End the intervention with attendance and result; it is then final."""
    intervention = (
        Intervention.objects.select_for_update().select_related("case").get(pk=intervention.pk)
    )
    ended_on = _not_future(_date(ended_on, "Slutdatum") or timezone.localdate(), "Slutdatum")
    if ended_on < (intervention.started_on or intervention.referred_on):
        raise DomainError("end_before_start", "Insatsen kan inte sluta innan den började.")
    if attendance not in Attendance.values:
        raise DomainError("attendance_required", "Ange hur klienten deltog.")
    if result not in InterventionResult.values:
        raise DomainError("result_required", "Ange resultatet av insatsen.")
    _transition(intervention, InterventionStatus.ENDED)
    intervention.ended_on = ended_on
    intervention.attendance = attendance
    intervention.result = result
    intervention.result_note = (note or "").strip()
    intervention.save(update_fields=["status", "ended_on", "attendance", "result", "result_note"])
    record(
        actor,
        AuditAction.UPDATE,
        obj=intervention,
        case_id=intervention.case_id,
        person_id=intervention.person_id,
        detail={
            "after": {
                "status": "ended",
                "ended_on": ended_on.isoformat(),
                "attendance": attendance,
                "result": result,
            }
        },
    )
    return intervention


@case_act("record_follow_up")
def record_tripartite_meeting(
    actor,
    case: Case,
    *,
    held_on: dt.date | str | None,
    partner: str,
    participants: list[str] | str,
    agreements: str,
    partner_name: str = "",
) -> TripartiteMeeting:
    """A meeting of the client, the unit and a partner: who took part, what was agreed."""
    _require_not_closed(case)
    held_on = _not_future(_date(held_on, "Mötesdatum", required=True), "Mötesdatum")
    if partner not in InterventionTarget.values:
        raise DomainError("bad_partner", "Välj samarbetspart.")
    if isinstance(participants, str):
        participants = participants.splitlines()
    people = [p.strip() for p in participants if p and p.strip()]
    if len(people) < 2:
        raise DomainError(
            "participants_required", "Ange deltagarna (en per rad): klienten, vi och parten."
        )
    agreements = (agreements or "").strip()
    if not agreements:
        raise DomainError("agreements_required", "Skriv vad ni kom överens om.")
    meeting = TripartiteMeeting.objects.create(
        case=case,
        plan=WorkPlan.objects.filter(case=case).first(),
        held_on=held_on,
        partner=partner,
        partner_name=(partner_name or "").strip()[:200],
        participants=people,
        agreements=agreements,
        recorded_by=actor,
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=meeting,
        case_id=case.pk,
        detail={"after": {"held_on": held_on.isoformat(), "partner": partner}},
    )
    return meeting


# --- Assessment -------------------------------------------------------------------------


@case_act("assess_work_capacity")
def record_assessment(
    actor,
    case: Case,
    *,
    person: Person | int,
    assessed_on: dt.date | str | None = None,
    areas: dict[str, dict[str, Any]],
    summary: str,
) -> WorkCapacityAssessment:
    """A structured assessment of an adult's work capacity (in the spirit of FIA), attached
    to the plan (a plan is started if the case has none). Final once recorded."""
    _require_not_closed(case)
    person = _adult_of(case, person)
    assessed_on = _not_future(
        _date(assessed_on, "Bedömningsdatum") or timezone.localdate(), "Bedömningsdatum"
    )
    clean: dict[str, dict[str, Any]] = {}
    missing = []
    for area in AssessmentArea:
        given = (areas or {}).get(area.value) or {}
        try:
            rating = int(given.get("rating") or 0)
        except (TypeError, ValueError):
            rating = 0
        if rating not in AssessmentRating.values:
            missing.append(str(area.label).lower())
            continue
        clean[area.value] = {
            "rating": rating,
            "comment": str(given.get("comment", "") or "").strip(),
        }
    if missing:
        raise DomainError(
            "assessment_incomplete", "Bedöm alla områden. Saknas: " + ", ".join(missing) + "."
        )
    summary = (summary or "").strip()
    if not summary:
        raise DomainError("summary_required", "Skriv en sammanfattande bedömning.")
    plan, created = WorkPlan.objects.get_or_create(case=case, defaults={"created_by": actor})
    if created:
        record(actor, AuditAction.CREATE, obj=plan, case_id=case.pk)
    assessment = WorkCapacityAssessment.objects.create(
        plan=plan,
        person=person,
        assessed_on=assessed_on,
        areas=clean,
        summary=summary,
        created_by=actor,
        signed_at=timezone.now(),
    )
    record(
        actor,
        AuditAction.SIGN,
        obj=assessment,
        case_id=case.pk,
        person_id=person.pk,
        detail={"after": {"assessed_on": assessed_on.isoformat(), "areas": clean}},
    )
    return assessment


# --- Unit settings ----------------------------------------------------------------------


def _require_own_unit(actor, unit: Unit) -> None:
    if actor.unit_id != unit.pk:
        raise PermissionRefused("other_unit", "Du kan bara ändra inställningar för din egen enhet.")


def _positive_int(value: Any, label: str, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError("bad_number", f"{label}: ange ett heltal.")
    if not 1 <= number <= high:
        raise DomainError("bad_number", f"{label}: ange ett tal mellan 1 och {high}.")
    return number


@transaction.atomic
def set_case_type_setting(
    actor,
    unit: Unit,
    case_type: str,
    *,
    contact_interval_days: int,
    follow_up_interval_days: int,
    plan_period_months: int,
    income_change_limit: Decimal | str,
    valid_from: dt.date | str | None = None,
    reason: str = "",
) -> CaseTypeSetting:
    """A new setting for a case type in the unit, from a date (the old one stays as history).
    Due dates of the unit's plans of that type are recomputed."""
    require(actor, "configure_plans")
    _require_own_unit(actor, unit)
    if case_type not in CaseType.values:
        raise DomainError("bad_case_type", "Okänd ärendetyp.")
    contact = _positive_int(contact_interval_days, "Kontaktintervall", 366)
    follow_up = _positive_int(follow_up_interval_days, "Uppföljningsintervall", 366)
    months = _positive_int(plan_period_months, "Planens giltighetstid", 24)
    limit = _amount(income_change_limit, "Gräns för inkomstförändring")
    if limit is None or limit < 0:
        raise DomainError("bad_amount", "Gräns för inkomstförändring: ange ett belopp i kronor.")
    valid_from = _not_future(
        _date(valid_from, "Gäller från") or timezone.localdate(), "Gäller från"
    )
    latest = (
        CaseTypeSetting.objects.filter(unit=unit, case_type=case_type)
        .order_by("-valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )
    if latest and valid_from < latest:
        raise DomainError(
            "setting_backdated",
            f"Det finns en inställning från {latest:%Y-%m-%d}; en ny kan inte gälla från ett tidigare datum.",
        )
    before = selectors.case_type_rule(unit.pk, case_type)
    setting = CaseTypeSetting.objects.create(
        unit=unit,
        case_type=case_type,
        contact_interval_days=contact,
        follow_up_interval_days=follow_up,
        plan_period_months=months,
        income_change_limit=limit,
        valid_from=valid_from,
        reason=(reason or "").strip()[:300],
        set_by=actor,
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=setting,
        detail={
            "case_type": case_type,
            "before": {
                "contact_interval_days": before.contact_interval_days,
                "follow_up_interval_days": before.follow_up_interval_days,
                "plan_period_months": before.plan_period_months,
                "income_change_limit": str(before.income_change_limit),
            },
            "after": {
                "contact_interval_days": contact,
                "follow_up_interval_days": follow_up,
                "plan_period_months": months,
                "income_change_limit": str(limit),
                "valid_from": valid_from.isoformat(),
            },
        },
    )
    for plan in (
        WorkPlan.objects.filter(case__unit=unit, case__case_type=case_type)
        .exclude(case__status=CaseStatus.CLOSED)
        .select_related("case")
    ):
        refresh_schedule(plan)
    return setting


@transaction.atomic
def add_programme(
    actor, unit: Unit, *, name: str, kind: str = ProgrammeKind.LABOUR_MARKET, description: str = ""
) -> Programme:
    require(actor, "configure_plans")
    _require_own_unit(actor, unit)
    name = (name or "").strip()
    if not name:
        raise DomainError("name_required", "Ange insatsens namn.")
    if kind not in ProgrammeKind.values:
        raise DomainError("bad_kind", "Okänd typ av insats.")
    if Programme.objects.filter(unit=unit, name__iexact=name).exists():
        raise DomainError("duplicate_programme", f"Det finns redan en insats som heter {name}.")
    programme = Programme.objects.create(
        unit=unit, name=name[:100], kind=kind, description=(description or "").strip()[:300]
    )
    record(actor, AuditAction.CREATE, obj=programme, detail={"after": {"name": name, "kind": kind}})
    return programme


@transaction.atomic
def add_default_programmes(actor, unit: Unit) -> list[Programme]:
    """Jobbtorg, Lärcentrum and Jobbaktiv (those the unit does not already have)."""
    require(actor, "configure_plans")
    _require_own_unit(actor, unit)
    added = []
    for name, kind, description in DEFAULT_PROGRAMMES:
        if not Programme.objects.filter(unit=unit, name__iexact=name).exists():
            added.append(add_programme(actor, unit, name=name, kind=kind, description=description))
    return added


@transaction.atomic
def set_programme_active(actor, programme: Programme, active: bool) -> Programme:
    require(actor, "configure_plans")
    _require_own_unit(actor, programme.unit)
    programme.active = bool(active)
    programme.save(update_fields=["active"])
    record(actor, AuditAction.UPDATE, obj=programme, detail={"after": {"active": programme.active}})
    return programme


# --- Reassignment: handover summary -----------------------------------------------------


def on_case_assigned(assignment: CaseAssignment) -> HandoverRecord | None:
    """Called in the reassignment's transaction (post_save of CaseAssignment): recompute the
    plan's due date for the (possibly new) case type, close C-case deviations when the case
    went to a social worker, and store the handover summary when the handler changed."""
    case = Case.objects.select_related("household", "previous_case").get(pk=assignment.case_id)
    actor = assignment.assigned_by
    plan = WorkPlan.objects.filter(case=case).first()
    if plan is not None:
        refresh_schedule(plan)
        if case.case_type in (CaseType.A, CaseType.B):
            for deviation in plan.deviations.filter(resolved_at__isnull=True):
                deviation.resolution = DeviationResolution.HANDED_OVER
                deviation.resolved_by = actor
                deviation.resolved_at = timezone.now()
                deviation.resolution_note = f"Ärendet blev {case.case_type}-ärende."
                deviation.save(
                    update_fields=["resolution", "resolved_by", "resolved_at", "resolution_note"]
                )
                record(
                    actor,
                    AuditAction.UPDATE,
                    obj=deviation,
                    case_id=case.pk,
                    detail={"after": {"resolution": "handed_over"}},
                )
    previous = (
        CaseAssignment.objects.filter(case=case)
        .exclude(pk=assignment.pk)
        .order_by("-started_at", "-id")
        .first()
    )
    if previous is None or previous.handler_id == assignment.handler_id:
        return None
    if previous.handler_id is None and plan is None:
        return None  # a first assignment with nothing to hand over
    handover = HandoverRecord.objects.create(
        case=case,
        assignment=assignment,
        from_handler_id=previous.handler_id,
        to_handler_id=assignment.handler_id,
        created_by=actor,
        summary=selectors.handover_summary(case),
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=handover,
        case_id=case.pk,
        detail={"from_handler": previous.handler_id, "to_handler": assignment.handler_id},
    )
    return handover


# --- The applicant's e-ID signature ------------------------------------------------------


def sign_plan_as_applicant(actor, person: Person, version: WorkPlanVersion, *, method: str):
    """The applicant (or co-applicant) signs a plan version with the e-ID they logged in
    with: a new `PlanSignature` (time, method, fingerprint of the content), never a change
    of the plan. Signing the same content twice is refused. `actor` is the access log's
    actor for the applicant (bistand.portal, which has checked that the person is applicant
    or co-applicant of the case today and that the version belongs to its plan)."""
    if not method:
        raise DomainError("no_method", "Du behöver vara inloggad med e-legitimation.")
    with transaction.atomic():
        version = (
            WorkPlanVersion.objects.select_for_update().select_related("plan").get(pk=version.pk)
        )
        case = Case.objects.get(pk=version.plan.case_id)
        _require_not_closed(case)
        fingerprint = plan_content_sha256(version)
        if PlanSignature.objects.filter(
            version=version, person=person, content_sha256=fingerprint
        ).exists():
            raise DomainError("already_signed", "Du har redan skrivit under den här planen.")
        signature = PlanSignature.objects.create(
            version=version,
            person=person,
            signed_at=timezone.now(),
            method=method[:16],
            content_sha256=fingerprint,
        )
        record(
            actor,
            AuditAction.SIGN,
            obj=signature,
            case_id=case.pk,
            person_id=person.pk,
            detail={"version": version.number, "method": signature.method},
        )
    return signature
