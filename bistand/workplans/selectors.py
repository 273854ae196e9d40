"""Reads of plans, follow-ups and interventions, always through the case access rules
(cases.selectors), and logged where case data is read."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models import Case as SqlCase
from django.urls import reverse
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import AuditEvent, record_many
from bistand.cases.models import (
    CONTACT_KINDS,
    Case,
    CaseReopening,
    CaseStatus,
    CaseType,
    InvestigationVersion,
    JournalEntry,
)
from bistand.cases.selectors import TimelineItem, cases_visible_to
from bistand.core.codes import SUPPORT_OBSTACLE_BY_CODE, UNEMPLOYED_CODES
from bistand.core.dates import add_months
from bistand.core.models import prefetched
from bistand.households.models import ADULT_ROLES, HouseholdMembership, MemberRole, Person
from bistand.households.selectors import attach_applicants
from bistand.organisation.models import Role, Section, User
from bistand.organisation.permissions import can as can_org

from . import schedule
from .models import (
    LABOUR_MARKET_TARGETS,
    OPEN_INTERVENTION_STATUSES,
    CaseTypeSetting,
    Deviation,
    FollowUp,
    FollowUpMethod,
    HandoverRecord,
    Intervention,
    InterventionStatus,
    InterventionTarget,
    PlanSignature,
    PlanState,
    TripartiteMeeting,
    WorkCapacityAssessment,
    WorkPlan,
    WorkPlanVersion,
)
from .permissions import require

# Built-in defaults until a unit sets its own (DOMAIN.md: A frequent contacts, B sparser,
# C simplified handling). Units change them on the settings page; history is kept.
DEFAULT_CASE_TYPE_SETTINGS: dict[str, dict[str, Any]] = {
    CaseType.A: {
        "contact_interval_days": 14,
        "follow_up_interval_days": 30,
        "plan_period_months": 6,
        "income_change_limit": Decimal("1000.00"),
    },
    CaseType.B: {
        "contact_interval_days": 30,
        "follow_up_interval_days": 60,
        "plan_period_months": 6,
        "income_change_limit": Decimal("1000.00"),
    },
    CaseType.C: {
        "contact_interval_days": 90,
        "follow_up_interval_days": 90,
        "plan_period_months": 6,
        "income_change_limit": Decimal("1000.00"),
    },
}

REENTRY_MONTHS = 12  # DOMAIN.md: returns within 12 months of a closed case or ended programme
DUE_SOON_DAYS = 7


# --- Settings ---------------------------------------------------------------------------


def case_type_rule(
    unit_id: int | None, case_type: str, on: dt.date | None = None
) -> schedule.CaseTypeRule | None:
    """The unit's setting for `case_type` in force on `on` (default today); None if untyped."""
    if case_type not in CaseType.values:
        return None
    on = on or timezone.localdate()
    row = (
        CaseTypeSetting.objects.filter(unit_id=unit_id, case_type=case_type, valid_from__lte=on)
        .order_by("-valid_from", "-id")
        .first()
    )
    if row is None:
        return schedule.CaseTypeRule(
            case_type, **DEFAULT_CASE_TYPE_SETTINGS[case_type], is_default=True
        )
    return schedule.CaseTypeRule(
        case_type,
        row.contact_interval_days,
        row.follow_up_interval_days,
        row.plan_period_months,
        row.income_change_limit,
        row.valid_from,
    )


def case_type_rules(unit_id: int | None, on: dt.date | None = None) -> dict[str, Any]:
    return {t: case_type_rule(unit_id, t, on) for t in CaseType.values}


def case_type_setting_history(unit_id: int) -> QuerySet[CaseTypeSetting]:
    return CaseTypeSetting.objects.filter(unit_id=unit_id).select_related("set_by")


# --- One plan ---------------------------------------------------------------------------


def plan_of(case: Case) -> WorkPlan | None:
    relation = Case.work_plan.related
    if relation.is_cached(case):  # read with the case page's other rows
        return relation.get_cached_value(case)
    return WorkPlan.objects.filter(case_id=case.pk).first()


def case_page_prefetch() -> list:
    """What the plan's panel and timeline items read of a case, for the case page to read once
    (cases.views.CASE_PAGE_PREFETCH)."""
    return [
        "work_plan",
        "work_plan__versions",
        Prefetch(
            "interventions", queryset=Intervention.objects.select_related("programme", "person")
        ),
    ]


def _interventions(case: Case) -> list[Intervention]:
    """The case's interventions with programme and person: the case page's prefetched rows,
    else one query."""
    rows = prefetched(case, "interventions")
    if rows is None:
        rows = list(case.interventions.select_related("programme", "person"))
    return rows


def effective_follow_ups(plan: WorkPlan) -> QuerySet[FollowUp]:
    """Follow-ups that stand: those not corrected by a later record."""
    corrected = FollowUp.objects.filter(corrects_id=OuterRef("pk"))
    return (
        plan.follow_ups.annotate(is_corrected=Exists(corrected))
        .filter(is_corrected=False)
        .select_related("recorded_by", "corrects")
        .order_by("held_on", "recorded_at")
    )


@dataclass
class Schedule:
    planned: dt.date | None
    planned_method: str
    anchor: dt.date | None
    due: dt.date | None
    rule: schedule.CaseTypeRule | None
    period_end: dt.date | None


def compute_schedule(plan: WorkPlan, case: Case | None = None) -> Schedule:
    """The planned next follow-up, the anchor and the due date (see workplans.schedule)."""
    case = case or plan.case
    confirmed = plan.latest_confirmed()
    follow_ups = list(effective_follow_ups(plan))
    last = follow_ups[-1] if follow_ups else None
    last_held = next((f for f in reversed(follow_ups) if f.took_place), None)
    planned: dt.date | None = None
    method = ""
    if confirmed is not None and (last is None or confirmed.confirmed_at >= last.recorded_at):
        planned = schedule.first_planned_after(
            confirmed.planned_dates(), last.held_on if last else None
        )
        if planned is not None:
            method = next(
                (
                    f["method"]
                    for f in confirmed.planned_follow_ups
                    if f["on"] == planned.isoformat()
                ),
                "",
            )
    elif last is not None:
        planned, method = last.next_on, last.next_method
    anchors = [
        d for d in (last_held and last_held.held_on, confirmed and confirmed.consent_on) if d
    ]
    anchor = max(anchors) if anchors else None
    rule = case_type_rule(case.unit_id, case.case_type)
    period_end = confirmed.valid_to if confirmed else None
    due = schedule.due_on(
        planned=planned,
        anchor=anchor,
        interval_days=rule.follow_up_interval_days if rule else None,
        period_end=period_end,
    )
    return Schedule(planned, method, anchor, due, rule, period_end)


def last_contact_on(case: Case) -> dt.date | None:
    """The last contact with the client: a follow-up held, a tripartite meeting or a journal
    entry of a contact kind."""
    dates = [
        FollowUp.objects.filter(plan__case=case, took_place=True)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first(),
        TripartiteMeeting.objects.filter(case=case)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first(),
        JournalEntry.objects.filter(case=case, kind__in=CONTACT_KINDS)
        .order_by("-occurred_on")
        .values_list("occurred_on", flat=True)
        .first(),
    ]
    dates = [d for d in dates if d]
    return max(dates) if dates else None


def plan_state(case: Case, plan: WorkPlan | None, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    if plan is None:
        return PlanState.MISSING
    rows = prefetched(plan, "versions")
    if rows is not None:
        versions = [v.confirmed_at for v in rows]
    else:
        versions = list(plan.versions.values_list("confirmed_at", flat=True))
    return schedule.state_of(
        has_version=bool(versions),
        has_confirmed=any(v is not None for v in versions),
        due=plan.due_on,
        today=today,
    )


def plan_states_and_deviations(cases, today: dt.date | None = None) -> dict[int, tuple[str, int]]:
    """Per case id: the plan state (as `plan_state`) and the number of unresolved deviations,
    read set-wise (three queries for any number of cases)."""
    today = today or timezone.localdate()
    ids = [case.pk for case in cases]
    plans = {plan.case_id: plan for plan in WorkPlan.objects.filter(case_id__in=ids)}
    confirmed: dict[int, list[bool]] = defaultdict(list)
    for plan_id, confirmed_at in WorkPlanVersion.objects.filter(plan__case_id__in=ids).values_list(
        "plan_id", "confirmed_at"
    ):
        confirmed[plan_id].append(confirmed_at is not None)
    deviations = dict(
        Deviation.objects.filter(case_id__in=ids, resolved_at__isnull=True)
        .values("case_id")
        .annotate(n=Count("id"))
        .values_list("case_id", "n")
    )
    found = {}
    for case_id in ids:
        plan = plans.get(case_id)
        if plan is None:
            state = PlanState.MISSING
        else:
            versions = confirmed.get(plan.pk, [])
            state = schedule.state_of(
                has_version=bool(versions),
                has_confirmed=any(versions),
                due=plan.due_on,
                today=today,
            )
        found[case_id] = (state, deviations.get(case_id, 0))
    return found


def latest_obstacles(case: Case) -> dict[str, str]:
    """{person_id (str): support obstacle code} from the latest signed investigation."""
    investigation = getattr(case, "investigation", None)
    if investigation is None:
        return {}
    signed = investigation.latest_signed()
    if signed is None:
        return {}
    return {
        str(adult["person_id"]): adult.get("support_obstacle", "")
        for adult in signed.content.get("adults", [])
    }


def current_adults(case: Case, today: dt.date | None = None) -> list[Person]:
    today = today or timezone.localdate()
    return [
        m.person
        for m in case.household.members_list_on(today)
        if (m.role in ADULT_ROLES or m.role == MemberRole.OTHER_ADULT)
        and m.person.age_on(today) >= 18
    ]


def unemployed_without_referral(case: Case, today: dt.date | None = None) -> list[Person]:
    """Adults whose support obstacle in the latest signed investigation is unemployment and
    who have no open referral to a labour-market programme or Arbetsförmedlingen.

    The units' rule (shared/seeds): all unemployed adults are referred."""
    obstacles = latest_obstacles(case)
    unemployed = [
        p for p in current_adults(case, today) if obstacles.get(str(p.pk)) in UNEMPLOYED_CODES
    ]
    if not unemployed:
        return []
    ids = {p.pk for p in unemployed}
    referred = {
        i.person_id
        for i in _interventions(case)
        if i.person_id in ids
        and i.target in LABOUR_MARKET_TARGETS
        and i.status in OPEN_INTERVENTION_STATUSES
    }
    return [p for p in unemployed if p.pk not in referred]


def handover_flags(case: Case, plan: WorkPlan | None, today: dt.date | None = None) -> list[str]:
    """Why a C case should go to a social worker (empty: no flag). DOMAIN.md: in C cases any
    deviation from the plan hands the case to a social worker."""
    if plan is None:
        return []
    return handover_flags_many([(case, plan)], today).get(plan.pk, [])


def _latest_obstacles_many(case_ids: list[int]) -> dict[int, dict[str, str]]:
    """`latest_obstacles` for many cases (one query), by case id."""
    found: dict[int, dict[str, str]] = {}
    for case_id, content in (
        InvestigationVersion.objects.filter(
            investigation__case_id__in=case_ids, signed_at__isnull=False
        )
        .order_by("investigation__case_id", "number")
        .values_list("investigation__case_id", "content")
    ):
        found[case_id] = {
            str(adult["person_id"]): adult.get("support_obstacle", "")
            for adult in (content or {}).get("adults", [])
        }
    return found


def handover_flags_many(
    pairs: list[tuple[Case, WorkPlan]], today: dt.date | None = None
) -> dict[int, list[str]]:
    """`handover_flags` for many (case, plan) pairs in at most three queries, by plan id."""
    today = today or timezone.localdate()
    pairs = [
        (case, plan)
        for case, plan in pairs
        if plan is not None and case.case_type == CaseType.C and case.status != CaseStatus.CLOSED
    ]
    if not pairs:
        return {}
    plan_ids = [plan.pk for _, plan in pairs]
    deviations: dict[int, list[Deviation]] = defaultdict(list)
    for deviation in Deviation.objects.filter(
        plan_id__in=plan_ids, resolved_at__isnull=True
    ).order_by("detected_on", "id"):
        deviations[deviation.plan_id].append(deviation)
    confirmed: dict[int, WorkPlanVersion] = {}
    for version in WorkPlanVersion.objects.filter(
        plan_id__in=plan_ids, confirmed_at__isnull=False
    ).order_by("plan_id", "number"):
        confirmed[version.plan_id] = version
    obstacles = _latest_obstacles_many([case.pk for case, plan in pairs if plan.pk in confirmed])
    found = {}
    for case, plan in pairs:
        reasons = [
            f"{d.get_kind_display()} ({d.detected_on:%Y-%m-%d})"
            f"{': ' + d.detail if d.detail else ''}"
            for d in deviations[plan.pk]
        ]
        version = confirmed.get(plan.pk)
        if version is not None and plan.due_on and plan.due_on < today:
            reasons.append(f"Uppföljningen skulle ha skett senast {plan.due_on:%Y-%m-%d}.")
        if version is not None:
            for person_id, code in obstacles.get(case.pk, {}).items():
                before = version.support_obstacles.get(person_id)
                if code and before is not None and code != before:
                    label = SUPPORT_OBSTACLE_BY_CODE.get(code)
                    reasons.append(
                        "Nytt försörjningshinder i utredningen sedan planen bekräftades: "
                        f"{label.label if label else code}."
                    )
        found[plan.pk] = reasons
    return found


# --- Re-entry ---------------------------------------------------------------------------


@dataclass
class ReentryEvent:
    kind: str  # closed_case / programme
    on: dt.date
    text: str


def return_date(case: Case) -> dt.date:
    """When the household came back: the latest reopening, or the case's opening."""
    reopening = case.reopenings.order_by("-reopened_on", "-id").first()
    return reopening.reopened_on if reopening else case.opened_on


def reentry_for(case: Case) -> list[ReentryEvent]:
    """What happened before, if the household returned within 12 months of a closed case or
    an ended programme (återaktualisering). Empty if it is not a re-entry."""
    return reentry_for_many([case])[case.pk]


def reentry_for_many(cases: list[Case]) -> dict[int, list[ReentryEvent]]:
    """`reentry_for` for many cases in at most four queries, by case id."""
    if not cases:
        return {}
    reopenings: dict[int, list[CaseReopening]] = defaultdict(list)
    known = [prefetched(case, "reopenings") for case in cases]
    if all(rows is not None for rows in known):  # the case page read them already
        for rows in known:
            for reopening in rows:
                reopenings[reopening.case_id].append(reopening)
    else:
        for reopening in CaseReopening.objects.filter(case_id__in=[c.pk for c in cases]).order_by(
            "id"
        ):
            reopenings[reopening.case_id].append(reopening)
    previous_ids = {c.previous_case_id for c in cases if c.previous_case_id}
    previous_cases = (
        {p.pk: p for p in Case.objects.filter(pk__in=previous_ids)} if previous_ids else {}
    )
    back_on_of, since_of = {}, {}
    for case in cases:
        latest = max(reopenings[case.pk], key=lambda r: (r.reopened_on, r.pk), default=None)
        back_on_of[case.pk] = latest.reopened_on if latest else case.opened_on
        since_of[case.pk] = add_months(back_on_of[case.pk], -REENTRY_MONTHS)
    persons_of: dict[int, set[int]] = defaultdict(set)
    for household_id, person_id in HouseholdMembership.objects.filter(
        household_id__in={c.household_id for c in cases}
    ).values_list("household_id", "person_id"):
        persons_of[household_id].add(person_id)
    ended_of: dict[int, list[Intervention]] = defaultdict(list)
    all_persons = set().union(*persons_of.values()) if persons_of else set()
    if all_persons:
        for intervention in (
            Intervention.objects.filter(
                person_id__in=all_persons,
                target=InterventionTarget.PROGRAMME,
                status=InterventionStatus.ENDED,
                ended_on__gte=min(since_of.values()),
                ended_on__lte=max(back_on_of.values()),
            )
            .select_related("programme", "person")
            .order_by("ended_on", "id")
        ):
            ended_of[intervention.person_id].append(intervention)
    found = {}
    for case in cases:
        back_on, since = back_on_of[case.pk], since_of[case.pk]
        events: list[ReentryEvent] = []
        own_reopenings = reopenings[case.pk]
        for reopening in own_reopenings:
            if since <= reopening.previous_closed_on <= reopening.reopened_on:
                events.append(
                    ReentryEvent(
                        "closed_case",
                        reopening.previous_closed_on,
                        f"Ärendet avslutades {reopening.previous_closed_on:%Y-%m-%d} "
                        f"({reopening.get_previous_closing_reason_display()}) och "
                        f"återaktualiserades {reopening.reopened_on:%Y-%m-%d}.",
                    )
                )
        previous = previous_cases.get(case.previous_case_id)
        if previous is not None and previous.closed_on and since <= previous.closed_on <= back_on:
            events.append(
                ReentryEvent(
                    "closed_case",
                    previous.closed_on,
                    f"Tidigare ärende {previous.reference} avslutades "
                    f"{previous.closed_on:%Y-%m-%d} ({previous.get_closing_reason_display()}).",
                )
            )
        ended = sorted(
            (
                i
                for person_id in persons_of[case.household_id]
                for i in ended_of[person_id]
                if since <= i.ended_on <= back_on
            ),
            key=lambda i: (i.ended_on, i.pk),
        )
        for intervention in ended:
            if intervention.case_id == case.pk and not any(
                intervention.ended_on <= r.previous_closed_on and r.reopened_on == back_on
                for r in own_reopenings
            ):
                continue  # ended while the case stayed open: not a return
            events.append(
                ReentryEvent(
                    "programme",
                    intervention.ended_on,
                    f"{intervention.person.full_name}: {intervention.target_label} avslutades "
                    f"{intervention.ended_on:%Y-%m-%d} med resultat "
                    f"{intervention.get_result_display().lower()}.",
                )
            )
        events.sort(key=lambda e: e.on)
        found[case.pk] = events
    return found


def returned_within_12_months(intervention: Intervention) -> bool:
    """For programme results: did the person's household come back for assistance within
    12 months after the intervention ended?"""
    if intervention.ended_on is None:
        return False
    until = add_months(intervention.ended_on, REENTRY_MONTHS)
    households = HouseholdMembership.objects.filter(person_id=intervention.person_id).values(
        "household_id"
    )
    return (
        CaseReopening.objects.filter(
            case__household_id__in=households,
            reopened_on__gt=intervention.ended_on,
            reopened_on__lte=until,
        ).exists()
        or Case.objects.filter(
            household_id__in=households,
            opened_on__gt=intervention.ended_on,
            opened_on__lte=until,
        )
        .exclude(pk=intervention.case_id)
        .exists()
    )


# --- The plan page and the handover -----------------------------------------------------


def _party_label(activity: dict) -> str:
    from .models import ActivityParty

    label = ActivityParty(activity.get("party", "client")).label
    if activity.get("party") == "partner" and activity.get("partner"):
        return f"{label} ({activity['partner']})"
    return str(label)


def open_items(case: Case, plan: WorkPlan | None, today: dt.date | None = None) -> list[str]:
    """What the handler must act on (Swedish, one line each)."""
    today = today or timezone.localdate()
    items: list[str] = []
    if case.status == CaseStatus.CLOSED:
        return items
    state = plan_state(case, plan, today)
    if state == PlanState.MISSING:
        items.append("Arbetsplan saknas.")
    elif state == PlanState.UNCONFIRMED:
        items.append("Arbetsplanen är inte bekräftad av klienten.")
    elif state == PlanState.OVERDUE:
        items.append(f"Uppföljningen är försenad (senast {plan.due_on:%Y-%m-%d}).")
    if plan is not None:
        confirmed = plan.latest_confirmed()
        draft = plan.draft()
        if confirmed is not None and draft is not None:
            items.append(f"Version {draft.number} av planen är ett utkast som inte är bekräftat.")
        if confirmed is not None and confirmed.valid_to < today:
            items.append(
                f"Planens period gick ut {confirmed.valid_to:%Y-%m-%d}; gör en ny version."
            )
    for person in unemployed_without_referral(case, today):
        items.append(
            f"{person.full_name} är arbetslös men saknar anvisning till arbetsmarknadsinsats."
        )
    for reason in handover_flags(case, plan, today):
        items.append(f"C-ärende avviker från planen: {reason}")
    for intervention in (i for i in _interventions(case) if i.status in OPEN_INTERVENTION_STATUSES):
        items.append(
            f"Pågående insats: {intervention.target_label} för {intervention.person.full_name} "
            f"({intervention.get_status_display().lower()} {intervention.referred_on:%Y-%m-%d})."
        )
    return items


def handover_summary(case: Case, today: dt.date | None = None) -> dict[str, Any]:
    """Where the client stands, for a new handler: the plan, the last follow-ups and open
    items. JSON-ready (it is stored as a HandoverRecord when a case changes handler)."""
    today = today or timezone.localdate()
    plan = plan_of(case)
    summary: dict[str, Any] = {
        "generated_on": today.isoformat(),
        "case_reference": case.reference,
        "case_type": case.case_type,
        "plan": None,
        "follow_ups": [],
        "open_items": open_items(case, plan, today),
        "interventions": [],
        "assessment": None,
        "reentry": [e.text for e in reentry_for(case)],
    }
    if plan is None:
        return summary
    state = plan_state(case, plan, today)
    version = plan.latest_confirmed() or plan.draft()
    if version is not None:
        summary["plan"] = {
            "state": state,
            "state_label": str(PlanState(state).label),
            "version": version.number,
            "confirmed": version.is_confirmed,
            "consent_on": version.consent_on.isoformat() if version.consent_on else None,
            "consent_method": str(version.get_consent_method_display())
            if version.consent_method
            else "",
            "valid_from": version.valid_from.isoformat(),
            "valid_to": version.valid_to.isoformat(),
            "goals": [g["text"] for g in version.goals],
            "activities": [
                {"text": a["text"], "who": _party_label(a), "due_on": a.get("due_on", "")}
                for a in version.activities
            ],
            "due_on": plan.due_on.isoformat() if plan.due_on else None,
            "next_method": str(FollowUpMethod(plan.next_follow_up_method).label)
            if plan.next_follow_up_method
            else "",
        }
    else:
        summary["plan"] = {"state": state, "state_label": str(PlanState(state).label)}
    summary["follow_ups"] = [
        {
            "held_on": f.held_on.isoformat(),
            "method": str(f.get_method_display()),
            "took_place": f.took_place,
            "outcome": f.outcome,
            "next_on": f.next_on.isoformat() if f.next_on else None,
        }
        for f in list(effective_follow_ups(plan))[-3:][::-1]
    ]
    summary["interventions"] = [
        {
            "target": str(i.target_label),
            "person": i.person.full_name,
            "status": str(i.get_status_display()),
            "referred_on": i.referred_on.isoformat(),
            "started_on": i.started_on.isoformat() if i.started_on else None,
            "ended_on": i.ended_on.isoformat() if i.ended_on else None,
            "result": str(i.get_result_display()) if i.result else "",
        }
        for i in case.interventions.select_related("programme", "person").order_by("-referred_on")[
            :5
        ]
    ]
    assessment = plan.assessments.select_related("person").order_by("-assessed_on", "-id").first()
    if assessment is not None:
        summary["assessment"] = {
            "person": assessment.person.full_name,
            "assessed_on": assessment.assessed_on.isoformat(),
            "summary": assessment.summary,
        }
    return summary


@dataclass
class PlanPage:
    case: Case
    plan: WorkPlan | None
    state: str
    confirmed: WorkPlanVersion | None
    draft: WorkPlanVersion | None
    versions: list[WorkPlanVersion]
    follow_ups: list[FollowUp]
    corrected: list[FollowUp]
    schedule: Schedule | None
    interventions: list[Intervention]
    meetings: list[TripartiteMeeting]
    assessments: list[WorkCapacityAssessment]
    deviations: list[Deviation]
    handovers: list[HandoverRecord]
    flags: list[str]
    unemployed_without_referral: list[Person]
    reentry: list[ReentryEvent]
    open_items: list[str]
    last_contact: dt.date | None
    contact_overdue: bool
    adults: list[Person] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return str(PlanState(self.state).label)


def plan_page(case: Case, today: dt.date | None = None) -> PlanPage:
    """Everything on the plan page of a case the caller has already opened (open_case)."""
    today = today or timezone.localdate()
    # What the page's parts share, read once (the helpers use the prefetched rows).
    prefetch_related_objects(
        [case],
        "work_plan",
        Prefetch(
            "work_plan__versions",
            queryset=WorkPlanVersion.objects.select_related("created_by", "confirmed_by"),
        ),
        "investigation",
        "investigation__versions",
        "reopenings",
        Prefetch(
            "interventions",
            queryset=Intervention.objects.select_related("programme", "person", "referred_by"),
        ),
    )
    plan = plan_of(case)
    follow_ups: list[FollowUp] = []
    corrected: list[FollowUp] = []
    versions: list[WorkPlanVersion] = []
    sched = None
    if plan is not None:
        versions = sorted(prefetched(plan, "versions"), key=lambda v: v.number, reverse=True)
        follow_ups = list(effective_follow_ups(plan))[::-1]
        standing = {f.pk for f in follow_ups}
        corrected = [
            f for f in plan.follow_ups.select_related("recorded_by") if f.pk not in standing
        ]
        sched = compute_schedule(plan, case)
    last_contact = last_contact_on(case)
    rule = case_type_rule(case.unit_id, case.case_type)
    return PlanPage(
        case=case,
        plan=plan,
        state=plan_state(case, plan, today),
        confirmed=next((v for v in versions if v.is_confirmed), None),
        draft=next((v for v in versions if not v.is_confirmed), None),
        versions=versions,
        follow_ups=follow_ups,
        corrected=corrected,
        schedule=sched,
        interventions=sorted(
            _interventions(case), key=lambda i: (i.referred_on, i.pk), reverse=True
        ),
        meetings=list(case.tripartite_meetings.select_related("recorded_by").order_by("-held_on")),
        assessments=list(
            plan.assessments.select_related("person", "created_by").order_by("-assessed_on", "-id")
        )
        if plan
        else [],
        deviations=list(plan.deviations.select_related("resolved_by").order_by("-detected_on"))
        if plan
        else [],
        handovers=list(
            case.handover_records.select_related("from_handler", "to_handler").order_by(
                "-created_at"
            )
        ),
        flags=handover_flags(case, plan, today),
        unemployed_without_referral=unemployed_without_referral(case, today),
        reentry=reentry_for(case),
        open_items=open_items(case, plan, today),
        last_contact=last_contact,
        contact_overdue=schedule.contact_overdue(
            last_contact,
            case.opened_on,
            rule.contact_interval_days if rule else None,
            today,
        )
        if case.status != CaseStatus.CLOSED
        else False,
        adults=current_adults(case, today),
    )


# --- Lists: overview, start page, due list ------------------------------------------------


@dataclass
class OverviewRow:
    case: Case
    plan_id: int | None
    state: str
    due_on: dt.date | None
    applicant: str
    flagged: bool = False
    unemployed_unreferred: int = 0
    reentry: bool = False

    @property
    def state_label(self) -> str:
        return str(PlanState(self.state).label)


@dataclass
class WorkerPlans:
    worker: User | None
    open_cases: int = 0
    limit: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    by_state: dict[str, int] = field(default_factory=dict)

    @property
    def over_limit(self) -> bool:
        return bool(self.limit) and self.open_cases > self.limit

    @property
    def untyped(self) -> int:
        return self.by_type.get("-", 0)


def overview_cases(user, section_id: int | None = None) -> QuerySet[Case]:
    """Open cases a head oversees: every case with a handler or a plan, in the section (a
    section head: their own; a unit head: the unit or the chosen section)."""
    require(user, "view_plan_overview")
    qs = cases_visible_to(user).exclude(status=CaseStatus.CLOSED)
    if user.role == Role.SECTION_HEAD:
        qs = qs.filter(section_id=user.section_id)
    else:
        qs = qs.filter(unit_id=user.unit_id)
        if section_id:
            qs = qs.filter(section_id=section_id)
    has_plan = WorkPlan.objects.filter(case_id=OuterRef("pk"))
    return qs.filter(Q(handler__isnull=False) | Exists(has_plan))


def plan_state_annotations(today: dt.date) -> dict[str, Any]:
    """`plan_state` (as `schedule.state_of`) and `plan_flagged` (a C case that deviates from
    its plan: an unresolved deviation or an overdue follow-up) as SQL, so that a head's
    overview filters, counts and pages in the database instead of computing every plan in
    Python (issue #15)."""
    versions = WorkPlanVersion.objects.filter(plan__case_id=OuterRef("pk"))
    return {
        "plan_state": SqlCase(
            When(~Exists(versions), then=Value(PlanState.MISSING.value)),
            When(
                ~Exists(versions.filter(confirmed_at__isnull=False)),
                then=Value(PlanState.UNCONFIRMED.value),
            ),
            When(
                Exists(WorkPlan.objects.filter(case_id=OuterRef("pk"), due_on__lt=today)),
                then=Value(PlanState.OVERDUE.value),
            ),
            default=Value(PlanState.ON_TRACK.value),
            output_field=CharField(),
        ),
        "plan_flagged": ExpressionWrapper(
            Q(case_type=CaseType.C)
            & (
                Exists(Deviation.objects.filter(case_id=OuterRef("pk"), resolved_at__isnull=True))
                | Q(plan_state=PlanState.OVERDUE.value)
            ),
            output_field=BooleanField(),
        ),
    }


def with_plan_state(cases: QuerySet[Case], today: dt.date) -> QuerySet[Case]:
    annotations = plan_state_annotations(today)
    return cases.annotate(plan_state=annotations["plan_state"]).annotate(
        plan_flagged=annotations["plan_flagged"]
    )


@dataclass
class OverviewSummary:
    """The overview's figures for the whole scope (not one page): cases per plan state, the
    flagged C cases, and per worker the load against the limit by case type and state."""

    counts: dict[str, int]
    flagged: int
    workers: list[WorkerPlans]


def overview_summary(user, cases: QuerySet[Case], section_id: int | None = None) -> OverviewSummary:
    """Counted in the database: one grouped query and the workers (two queries for any
    number of cases)."""
    counts = {state: 0 for state in PlanState.values}
    flagged = 0
    per: dict[int | None, WorkerPlans] = {}
    workers = User.objects.filter(
        is_active=True,
        role__in=[Role.SOCIAL_WORKER, Role.BENEFIT_ADMINISTRATOR],
        unit_id=user.unit_id,
    ).select_related("unit")
    if user.role == Role.SECTION_HEAD:
        workers = workers.filter(section_id=user.section_id)
    elif section_id:
        workers = workers.filter(section_id=section_id)
    groups = list(
        cases.order_by()
        .values("handler_id", "case_type", "plan_state", "plan_flagged")
        .annotate(n=Count("pk"))
    )
    handler_ids = {group["handler_id"] for group in groups} - {None}
    workers = workers | User.objects.filter(pk__in=handler_ids).select_related("unit")
    for worker in workers.distinct().order_by("last_name", "first_name", "pk"):
        per[worker.pk] = WorkerPlans(worker, limit=worker.effective_caseload_limit)
    for group in groups:
        n, state = group["n"], group["plan_state"]
        counts[state] += n
        flagged += n if group["plan_flagged"] else 0
        handler_id = group["handler_id"]
        if handler_id not in per:
            per[handler_id] = WorkerPlans(None)
        load = per[handler_id]
        load.open_cases += n
        key = group["case_type"] or "-"
        load.by_type[key] = load.by_type.get(key, 0) + n
        load.by_state[state] = load.by_state.get(state, 0) + n
    return OverviewSummary(counts=counts, flagged=flagged, workers=list(per.values()))


def overview_page_rows(cases: list[Case], today: dt.date | None = None) -> list[OverviewRow]:
    """The rows of one page of cases read with `with_plan_state` (and the household, the
    handler and the plan): the signals that need more than SQL, read set-wise for the page."""
    today = today or timezone.localdate()
    attach_applicants((case.household for case in cases), today)
    unreferred = _unemployed_unreferred_counts(cases, today)
    reentries = reentry_for_many(
        [
            case
            for case in cases
            if case.has_reopening or case.previous_case_id or case.has_ended_programme
        ]
    )
    rows = []
    for case in cases:
        plan = getattr(case, "work_plan", None) if _has_plan(case) else None
        applicant = case.household.applicant_on(today)
        rows.append(
            OverviewRow(
                case=case,
                plan_id=plan.pk if plan else None,
                state=case.plan_state,
                due_on=plan.due_on if plan else None,
                applicant=applicant.full_name if applicant else f"Hushåll {case.household_id}",
                flagged=case.plan_flagged,
                unemployed_unreferred=unreferred.get(case.pk, 0),
                reentry=bool(reentries.get(case.pk)),
            )
        )
    return rows


def overview_queryset(cases: QuerySet[Case], today: dt.date) -> QuerySet[Case]:
    """What a page of the overview reads per case, in the same query as the page."""
    return (
        with_plan_state(cases, today)
        .select_related("household", "handler", "assistant", "section", "work_plan")
        .annotate(
            has_reopening=Exists(CaseReopening.objects.filter(case_id=OuterRef("pk"))),
            has_ended_programme=Exists(
                Intervention.objects.filter(
                    person__memberships__household_id=OuterRef("household_id"),
                    target=InterventionTarget.PROGRAMME,
                    status=InterventionStatus.ENDED,
                )
            ),
        )
    )


def overview_rows(cases: QuerySet[Case], today: dt.date | None = None) -> list[OverviewRow]:
    """Plan state of each case (a handful of queries for any number); the overview page
    pages instead (`overview_queryset` → `overview_page_rows`)."""
    today = today or timezone.localdate()
    return overview_page_rows(
        list(overview_queryset(cases, today).order_by("handler__last_name", "id")), today
    )


def _has_plan(case: Case) -> bool:
    try:
        return case.work_plan is not None
    except WorkPlan.DoesNotExist:
        return False


def _unemployed_unreferred_counts(cases: list[Case], today: dt.date) -> dict[int, int]:
    """Per case: adults unemployed per the latest signed investigation, without an open
    labour-market referral (set-wise)."""
    ids = [c.pk for c in cases]
    latest: dict[int, InvestigationVersion] = {}
    for version in (
        InvestigationVersion.objects.filter(investigation__case_id__in=ids, signed_at__isnull=False)
        .select_related("investigation")
        .order_by("investigation__case_id", "number")
    ):
        latest[version.investigation.case_id] = version
    if not latest:
        return {}
    referred = defaultdict(set)
    for case_id, person_id in Intervention.objects.filter(
        case_id__in=list(latest),
        target__in=LABOUR_MARKET_TARGETS,
        status__in=OPEN_INTERVENTION_STATUSES,
    ).values_list("case_id", "person_id"):
        referred[case_id].add(person_id)
    members = defaultdict(set)
    for household_id, person_id in (
        HouseholdMembership.objects.filter(
            household__cases__id__in=list(latest), valid_from__lte=today
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
        .exclude(role=MemberRole.CHILD)
        .values_list("household_id", "person_id")
    ):
        members[household_id].add(person_id)
    household_of = {c.pk: c.household_id for c in cases}
    counts = {}
    for case_id, version in latest.items():
        n = sum(
            1
            for adult in version.content.get("adults", [])
            if adult.get("support_obstacle") in UNEMPLOYED_CODES
            and adult.get("person_id") in members[household_of[case_id]]
            and adult.get("person_id") not in referred[case_id]
        )
        if n:
            counts[case_id] = n
    return counts


def log_case_list(user, cases: list[Case], what: str) -> None:
    """One access-log row per case shown in a list (case data is read)."""
    if cases:
        record_many(
            user,
            [
                AuditEvent(
                    AuditAction.VIEW, Case._meta.label_lower, c.pk, c.pk, None, {"what": what}
                )
                for c in cases
            ],
        )


def sections_for_overview(user) -> QuerySet[Section]:
    if user.role == Role.UNIT_HEAD:
        return Section.objects.filter(unit_id=user.unit_id)
    return Section.objects.filter(pk=user.section_id)


@dataclass
class DueRow:
    case: Case
    plan: WorkPlan
    due_on: dt.date
    applicant: str
    days_overdue: int
    flags: list[str] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


def _due_plans(qs: QuerySet[WorkPlan], on: dt.date, within_days: int) -> list[DueRow]:
    limit = on + dt.timedelta(days=within_days)
    plans = (
        qs.filter(due_on__isnull=False, due_on__lte=limit)
        # a confirmed version exists (a subquery: no join, so no DISTINCT over the selection)
        .filter(
            Exists(
                WorkPlanVersion.objects.filter(plan_id=OuterRef("pk"), confirmed_at__isnull=False)
            )
        )
        .exclude(case__status=CaseStatus.CLOSED)
        .select_related(
            "case", "case__household", "case__handler", "case__assistant", "case__section"
        )
        .order_by("due_on", "case_id")
    )
    plans = list(plans)
    attach_applicants((plan.case.household for plan in plans), on)
    rows = []
    for plan in plans:
        case = plan.case
        applicant = case.household.applicant_on(on)
        rows.append(
            DueRow(
                case=case,
                plan=plan,
                due_on=plan.due_on,
                applicant=applicant.full_name if applicant else f"Hushåll {case.household_id}",
                days_overdue=(on - plan.due_on).days,
            )
        )
    return rows


def my_follow_ups(
    user, today: dt.date | None = None
) -> tuple[list[DueRow], list[tuple[Case, list[str]]]]:
    """The worker's start page: their own cases (held or assisted) whose follow-up is due
    within a week or overdue, and their C cases flagged for handover (a deviation from the
    plan); the flags of both read once."""
    today = today or timezone.localdate()
    own = Q(case__handler=user) | Q(case__assistant=user)
    rows = _due_plans(WorkPlan.objects.filter(own), today, DUE_SOON_DAYS)
    c_plans = list(
        WorkPlan.objects.filter(own, case__case_type=CaseType.C)
        .exclude(case__status=CaseStatus.CLOSED)
        .select_related("case")
    )
    pairs = {plan.pk: (plan.case, plan) for plan in c_plans}
    pairs.update({row.plan.pk: (row.case, row.plan) for row in rows})
    flags = handover_flags_many(list(pairs.values()), today)
    for row in rows:
        row.flags = flags.get(row.plan.pk, [])
    flagged = [(plan.case, flags[plan.pk]) for plan in c_plans if flags.get(plan.pk)]
    return rows, flagged


def follow_ups_due(
    on: dt.date, *, within_days: int = 0, unit_id: int | None = None, section_id: int | None = None
) -> dict[User | None, list[DueRow]]:
    """For the `followups-due` command: plans due on or before `on` (+ within_days) per
    worker (the handler; None = no handler)."""
    qs = WorkPlan.objects.all()
    if unit_id:
        qs = qs.filter(case__unit_id=unit_id)
    if section_id:
        qs = qs.filter(case__section_id=section_id)
    grouped: dict[User | None, list[DueRow]] = {}
    for row in _due_plans(qs, on, within_days):
        grouped.setdefault(row.case.handler, []).append(row)
    return grouped


def section_overdue_count(user, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    if not can_org(user, "view_caseload"):
        return 0
    qs = cases_visible_to(user).exclude(status=CaseStatus.CLOSED)
    if user.role == Role.SECTION_HEAD:
        qs = qs.filter(section_id=user.section_id)
    return (
        WorkPlan.objects.filter(case__in=qs, due_on__lt=today)
        .filter(versions__confirmed_at__isnull=False)
        .distinct()
        .count()
    )


# --- Timeline ---------------------------------------------------------------------------


def timeline_items(case: Case, since: dt.date | None = None) -> list[TimelineItem]:
    """The plan's records on the case timeline (cases.selectors.TIMELINE_SOURCES; few rows:
    `since` unused)."""
    url = reverse("workplans:case_plan", args=[case.pk])
    items: list[TimelineItem] = []
    plan = plan_of(case)
    if plan is not None:
        versions = prefetched(plan, "versions")
        if versions is None:
            versions = plan.versions.filter(confirmed_at__isnull=False)
        for version in sorted(
            (v for v in versions if v.confirmed_at is not None), key=lambda v: v.number
        ):
            items.append(
                TimelineItem(
                    version.consent_on,
                    version.confirmed_at,
                    "workplan",
                    "Arbetsplan bekräftad",
                    version,
                    f"Version {version.number}, gäller {version.valid_from:%Y-%m-%d}–"
                    f"{version.valid_to:%Y-%m-%d} ({version.get_consent_method_display().lower()})",
                    url,
                )
            )
        for follow_up in plan.follow_ups.all():
            text = (
                f"{follow_up.get_method_display()}: {follow_up.outcome}"
                if follow_up.took_place
                else f"Uteblev ({follow_up.get_method_display().lower()}): {follow_up.outcome}"
            )
            if follow_up.corrects_id:
                text = f"Rättelse av uppföljning {follow_up.corrects.held_on:%Y-%m-%d}. {text}"
            items.append(
                TimelineItem(
                    follow_up.held_on,
                    follow_up.recorded_at,
                    "follow_up",
                    "Uppföljning",
                    follow_up,
                    text,
                    url,
                )
            )
        for assessment in plan.assessments.select_related("person"):
            items.append(
                TimelineItem(
                    assessment.assessed_on,
                    assessment.created_at,
                    "assessment",
                    "Bedömning av arbetsförmåga",
                    assessment,
                    f"{assessment.person.full_name}: {assessment.summary}",
                    url,
                )
            )
        for deviation in plan.deviations.all():
            items.append(
                TimelineItem(
                    deviation.detected_on,
                    deviation.created_at,
                    "deviation",
                    "Avvikelse från planen",
                    deviation,
                    f"{deviation.get_kind_display()}{': ' + deviation.detail if deviation.detail else ''}",
                    url,
                )
            )
    for intervention in _interventions(case):
        items.append(
            TimelineItem(
                intervention.referred_on,
                intervention.created_at,
                "intervention",
                "Anvisning",
                intervention,
                f"{intervention.person.full_name} anvisad till {intervention.target_label}",
                url,
            )
        )
        if intervention.ended_on:
            items.append(
                TimelineItem(
                    intervention.ended_on,
                    intervention.created_at,
                    "intervention",
                    "Insats avslutad",
                    intervention,
                    f"{intervention.target_label}: {intervention.get_result_display()}",
                    url,
                )
            )
    for meeting in case.tripartite_meetings.all():
        items.append(
            TimelineItem(
                meeting.held_on,
                meeting.recorded_at,
                "tripartite",
                "Trepartsmöte",
                meeting,
                f"{meeting.get_partner_display()}: {meeting.agreements}",
                url,
            )
        )
    for handover in case.handover_records.select_related("to_handler"):
        items.append(
            TimelineItem(
                timezone.localdate(handover.created_at),
                handover.created_at,
                "handover",
                "Överlämning",
                handover,
                f"Överlämningssammanfattning till {handover.to_handler or 'ingen handläggare'}",
                url,
            )
        )
    return items


def plan_signatures(case: Case) -> list:
    """The applicant's e-ID signatures of the case's plan versions, newest first, each marked
    whether it is of the version's content as it is now (docs/portal.md)."""
    signatures = list(
        PlanSignature.objects.filter(version__plan__case=case)
        .select_related("version", "person")
        .order_by("-signed_at", "-id")
    )
    for signature in signatures:
        signature.current = signature.matches(signature.version)
    return signatures
