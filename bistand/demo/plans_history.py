"""Work plans for the open typed cases, written set-wise: plans with one confirmed version
(client consent in person or digitally), a few plans left as unconfirmed drafts, the follow-ups
held at the case type's interval (a tenth of the plans overdue) and referrals of unemployed
adults to the unit's programmes, each row with its access-log event.

The unit's default programmes are added through the service (workplans.services). The plan's
stored dates (WorkPlan.next_follow_up_on, due_on) and the case's cache
(Case.next_follow_up_on) are computed with workplans.schedule, as refresh_schedule would.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.cases.models import Case, CaseStatus, InvestigationVersion
from bistand.core.codes import UNEMPLOYED_CODES
from bistand.core.dates import add_months
from bistand.organisation.models import Role, User
from bistand.workplans import schedule, selectors
from bistand.workplans import services as plan_services
from bistand.workplans.models import (
    ActivityParty,
    Attendance,
    ConsentMethod,
    FollowUp,
    FollowUpMethod,
    Intervention,
    InterventionResult,
    InterventionStatus,
    InterventionTarget,
    Programme,
    WorkPlan,
    WorkPlanVersion,
)

from .auditing import AuditBuffer
from .history import _at
from .planning import random_days, weighted_choice
from .staff import Organisation

CONFIRMED_SHARE = 0.85
DRAFT_SHARE = 0.07
OVERDUE_SHARE = 0.10  # of the confirmed plans
REFERRAL_SHARE = 0.80  # of the unemployed adults
PLAN_MAX_AGE = 150  # days: an on-track plan's period (6 months) still runs today

FOLLOW_UP_METHODS = {
    "A": {FollowUpMethod.VISIT: 55, FollowUpMethod.PHONE: 25, FollowUpMethod.DIGITAL: 10,
          FollowUpMethod.HOME_VISIT: 5, FollowUpMethod.TRIPARTITE_MEETING: 5},
    "B": {FollowUpMethod.VISIT: 40, FollowUpMethod.PHONE: 40, FollowUpMethod.DIGITAL: 15,
          FollowUpMethod.TRIPARTITE_MEETING: 5},
    "C": {FollowUpMethod.PHONE: 60, FollowUpMethod.DIGITAL: 30, FollowUpMethod.VISIT: 10},
}  # fmt: skip
CONSENT_METHODS = {ConsentMethod.IN_PERSON: 70, ConsentMethod.DIGITAL: 30}
# Where unemployed adults are referred: a programme by name, or Arbetsförmedlingen.
REFERRAL_TARGETS = {"Jobbtorg": 50, "Jobbaktiv": 25, "Lärcentrum": 10, "": 15}
REFERRAL_STATUS = {
    InterventionStatus.REFERRED: 25,
    InterventionStatus.STARTED: 45,
    InterventionStatus.ENDED: 30,
}
RESULTS = {
    InterventionResult.SELF_SUPPORT: 15,
    InterventionResult.OTHER_BENEFIT: 10,
    InterventionResult.STUDIES: 15,
    InterventionResult.INTERRUPTED: 25,
    InterventionResult.NO_CHANGE: 35,
}
RESULT_NOTES = {
    InterventionResult.SELF_SUPPORT: "Fick anställning via insatsen.",
    InterventionResult.OTHER_BENEFIT: "Har beviljats aktivitetsstöd från Försäkringskassan.",
    InterventionResult.STUDIES: "Har börjat studera på Komvux med studiemedel.",
    InterventionResult.INTERRUPTED: "Insatsen avbröts efter upprepad frånvaro.",
    InterventionResult.NO_CHANGE: "Insatsen är slutförd utan att försörjningen har förändrats.",
}

GOALS = (
    "Få en anställning inom vård och omsorg",
    "Få ett arbete inom lager och logistik",
    "Börja studera svenska för invandrare (SFI)",
    "Läsa in gymnasiebehörighet på Komvux",
    "Få en praktikplats som leder till anställning",
    "Utreda arbetsförmågan tillsammans med vården",
    "Bli inskriven på Arbetsförmedlingen och söka arbete aktivt",
    "Ta B-körkort för att bredda arbetsmarknaden",
    "Få ordning på ekonomin med budget- och skuldrådgivning",
)
CLIENT_ACTIVITIES = (
    "Söka minst fem arbeten i veckan och redovisa dem",
    "Delta i Jobbtorgs coachning varje vecka",
    "Hålla kontakt med sin arbetsförmedlare",
    "Gå på SFI enligt schema",
    "Boka tid hos vårdcentralen",
    "Uppdatera sitt CV",
)
HANDLER_ACTIVITIES = (
    "Anvisa till Jobbtorg",
    "Begära läkarintyg",
    "Kalla till trepartsmöte med Arbetsförmedlingen",
    "Kontakta budget- och skuldrådgivningen",
)
PARTNER_ACTIVITIES = (
    ("Kartlägga kompetens och arbetslivserfarenhet", "Jobbtorg"),
    ("Studie- och yrkesvägledning", "Lärcentrum"),
    ("Ta fram en handlingsplan", "Arbetsförmedlingen"),
)
OUTCOMES = (
    "Har sökt arbeten enligt planen; fortsätter med samma aktiviteter.",
    "Deltar i insatsen med god närvaro. Planen följs.",
    "Har varit på två intervjuer utan resultat. Vi går igenom ansökningarna till nästa gång.",
    "Har fått besked om praktikplats. Planen följs; nästa uppföljning efter praktikstart.",
    "Sjukskriven en vecka under perioden; aktiviteterna återupptas.",
    "Har börjat på SFI. Närvaron är god.",
    "Har inte hunnit söka så många arbeten som planerat; vi sätter ett delmål till nästa gång.",
    "Klienten berättar att det går bra på Jobbtorg. Inga ändringar i planen.",
)


@dataclass
class PlanCounts:
    confirmed: int = 0
    unconfirmed: int = 0
    overdue: int = 0
    follow_ups: int = 0
    referrals: int = 0
    referrals_by_status: dict[str, int] = field(default_factory=dict)


@dataclass
class _Open:
    case: Case
    lower: dt.date  # earliest day of a plan: after the latest signed investigation
    obstacles: dict[str, str]  # {person_id (str): support obstacle code}


class PlanWriter:
    """Writes work plans, follow-ups and referrals for the open typed cases of the unit."""

    def __init__(
        self, rng: random.Random, org: Organisation, today: dt.date, audit: AuditBuffer
    ) -> None:
        self.rng = rng
        self.org = org
        self.today = today
        self.audit = audit
        self.rules = selectors.case_type_rules(org.unit.pk, today)
        self.counts = PlanCounts()

    def setup(self) -> None:
        """The unit's default programmes, through the service (outside historical_timestamps)."""
        plan_services.add_default_programmes(self.org.first(None, Role.UNIT_HEAD), self.org.unit)
        self.programmes = {p.name: p for p in Programme.objects.filter(unit=self.org.unit)}

    def write(self) -> PlanCounts:
        rng = self.rng
        cases = self._open_cases()
        rng.shuffle(cases)
        n_draft = round(len(cases) * DRAFT_SHARE)
        n_none = round(len(cases) * (1 - CONFIRMED_SHARE - DRAFT_SHARE))
        drafts = cases[:n_draft]
        confirmed = cases[n_draft + n_none :]
        eligible = [c for c in confirmed if self._can_be_overdue(c)]
        overdue = {c.case.pk for c in eligible[: round(len(confirmed) * OVERDUE_SHARE)]}
        plans: dict[int, WorkPlan] = {}
        self._plans(drafts, confirmed, overdue, plans)
        self._interventions(cases, plans)
        return self.counts

    # Cases -------------------------------------------------------------------------------

    def _open_cases(self) -> list[_Open]:
        cases = {
            c.pk: c
            for c in Case.objects.filter(unit=self.org.unit, case_type__in=["A", "B", "C"])
            .exclude(status=CaseStatus.CLOSED)
            .select_related("handler", "section")
            .order_by("pk")
        }
        latest: dict[int, tuple[dt.date, dict]] = {}
        for case_id, signed_at, content in (
            InvestigationVersion.objects.filter(
                investigation__case_id__in=list(cases), signed_at__isnull=False
            )
            .order_by("investigation__case_id", "number")
            .values_list("investigation__case_id", "signed_at", "content")
        ):
            latest[case_id] = (timezone.localdate(signed_at), content)
        rows = []
        for pk, case in cases.items():
            if pk not in latest:
                continue
            signed_on, content = latest[pk]
            lower = max(signed_on + random_days(self.rng, 1, 10), case.opened_on)
            rows.append(
                _Open(
                    case,
                    min(lower, self.today),
                    {
                        str(a["person_id"]): a.get("support_obstacle", "")
                        for a in content.get("adults", [])
                    },
                )
            )
        return rows

    def _interval(self, case: Case) -> int:
        return self.rules[case.case_type].follow_up_interval_days

    def _can_be_overdue(self, row: _Open) -> bool:
        return row.lower <= self.today - dt.timedelta(days=self._interval(row.case) + 15)

    def _handler(self, case: Case) -> User:
        return case.handler or self.org.first(case.section.code, Role.SECTION_HEAD)

    # Plans -------------------------------------------------------------------------------

    def _content(self, case_type: str, start: dt.date, end: dt.date, interval: int) -> dict:
        rng = self.rng
        goals = rng.sample(GOALS, rng.choice((1, 1, 2)))
        text, partner = rng.choice(PARTNER_ACTIVITIES)
        activities = [
            {"text": rng.choice(CLIENT_ACTIVITIES), "party": ActivityParty.CLIENT},
            {"text": rng.choice(HANDLER_ACTIVITIES), "party": ActivityParty.HANDLER},
            {"text": text, "party": ActivityParty.PARTNER, "partner": partner},
        ]
        follow_ups = []
        day = start + dt.timedelta(days=interval - rng.randint(0, min(7, interval // 4)))
        while day <= end:
            method = weighted_choice(rng, FOLLOW_UP_METHODS[case_type])
            follow_ups.append({"on": day.isoformat(), "method": str(method)})
            day += dt.timedelta(days=interval - rng.randint(0, min(7, interval // 4)))
        return plan_services.clean_plan_content(
            {
                "goals": [
                    {"text": g, "target_on": add_months(start, rng.randint(3, 6)).isoformat()}
                    for g in goals
                ],
                "activities": activities,
                "follow_ups": follow_ups,
                "notes": "",
            }
        )

    def _start(self, row: _Open, overdue: bool) -> dt.date:
        interval = self._interval(row.case)
        if overdue:
            low = max(row.lower, self.today - dt.timedelta(days=170))
            high = self.today - dt.timedelta(days=interval + 5)
        else:
            low = max(row.lower, self.today - dt.timedelta(days=PLAN_MAX_AGE))
            high = self.today
        return low + random_days(self.rng, 0, max(0, (high - low).days))

    def _plans(
        self,
        drafts: list[_Open],
        confirmed: list[_Open],
        overdue: set[int],
        plans: dict[int, WorkPlan],
    ) -> None:
        rng, today = self.rng, self.today
        planned = [(row, False) for row in drafts] + [(row, True) for row in confirmed]
        starts = []
        for row, is_confirmed in planned:
            if is_confirmed:
                start = self._start(row, row.case.pk in overdue)
            else:
                start = max(row.lower, today - random_days(rng, 0, 20))
            starts.append(start)
        plan_rows = [
            WorkPlan(
                case_id=row.case.pk,
                created_by=self._handler(row.case),
                created_at=_at(start, 9, rng.randint(0, 59)),
            )
            for (row, _), start in zip(planned, starts, strict=True)
        ]
        WorkPlan.objects.bulk_create(plan_rows)
        versions = []
        for (row, is_confirmed), start, plan in zip(planned, starts, plan_rows, strict=True):
            case = row.case
            plans[case.pk] = plan
            handler = plan.created_by
            self.audit.add(
                handler, AuditAction.CREATE, "workplans.workplan", plan.pk, case_id=case.pk
            )
            rule = self.rules[case.case_type]
            end = add_months(start, rule.plan_period_months)
            content = self._content(case.case_type, start, end, rule.follow_up_interval_days)
            version = WorkPlanVersion(
                plan_id=plan.pk,
                number=1,
                content=content,
                valid_from=start,
                valid_to=end,
                case_type=case.case_type,
                created_by=handler,
                created_at=plan.created_at,
                updated_at=_at(start, 10, rng.randint(0, 59)),
            )
            if is_confirmed:
                version.consent_on = start
                version.consent_method = weighted_choice(rng, CONSENT_METHODS)
                version.confirmed_by = handler
                version.confirmed_at = _at(start, 11, rng.randint(0, 59))
                version.updated_at = version.confirmed_at
                version.support_obstacles = row.obstacles
            versions.append(version)
        WorkPlanVersion.objects.bulk_create(versions)
        follow_ups: list[FollowUp] = []
        follow_up_cases: list[int] = []
        updated_plans, updated_cases = [], []
        for (row, is_confirmed), plan, version in zip(planned, plan_rows, versions, strict=True):
            case = row.case
            after = {
                "content": version.content,
                "valid_from": version.valid_from.isoformat(),
                "valid_to": version.valid_to.isoformat(),
            }
            self.audit.add(
                plan.created_by,
                AuditAction.CREATE,
                "workplans.workplanversion",
                version.pk,
                case_id=case.pk,
                detail={"version": 1, "after": after},
            )
            if not is_confirmed:
                self.counts.unconfirmed += 1
                continue
            self.counts.confirmed += 1
            self.audit.add(
                version.confirmed_by,
                AuditAction.SIGN,
                "workplans.workplanversion",
                version.pk,
                case_id=case.pk,
                detail={
                    "version": 1,
                    "consent_on": version.consent_on.isoformat(),
                    "consent_method": version.consent_method,
                    "changes": {},
                },
            )
            rows = self._follow_ups_of(row, plan, version, case.pk in overdue)
            follow_ups.extend(rows)
            follow_up_cases.extend([case.pk] * len(rows))
            # The schedule as selectors.compute_schedule computes it after the last record.
            interval = self._interval(case)
            if rows:
                last = rows[-1]
                planned_on, method = last.next_on, last.next_method
                anchor = last.held_on
            else:
                planned_on = schedule.first_planned_after(version.planned_dates(), None)
                method = next(
                    (
                        f["method"]
                        for f in version.planned_follow_ups
                        if planned_on and f["on"] == planned_on.isoformat()
                    ),
                    "",
                )
                anchor = version.consent_on
            plan.next_follow_up_on = planned_on
            plan.next_follow_up_method = method
            plan.due_on = schedule.due_on(
                planned=planned_on,
                anchor=anchor,
                interval_days=interval,
                period_end=version.valid_to,
            )
            if plan.due_on is not None and plan.due_on < self.today:
                self.counts.overdue += 1
            case.next_follow_up_on = plan.due_on
            updated_plans.append(plan)
            updated_cases.append(case)
        FollowUp.objects.bulk_create(follow_ups)
        self.counts.follow_ups = len(follow_ups)
        for follow_up, case_id in zip(follow_ups, follow_up_cases, strict=True):
            self.audit.add(
                follow_up.recorded_by,
                AuditAction.CREATE,
                "workplans.followup",
                follow_up.pk,
                case_id=case_id,
                detail={
                    "after": {
                        "held_on": follow_up.held_on.isoformat(),
                        "method": follow_up.method,
                        "took_place": True,
                        "next_on": follow_up.next_on.isoformat(),
                        "corrects": None,
                    }
                },
            )
        WorkPlan.objects.bulk_update(
            updated_plans, ["next_follow_up_on", "next_follow_up_method", "due_on"], batch_size=500
        )
        # Case.next_follow_up_on is the cache for 'Mina ärenden' (sync_case_next_follow_up).
        Case.objects.bulk_update(updated_cases, ["next_follow_up_on"], batch_size=500)

    def _follow_ups_of(
        self, row: _Open, plan: WorkPlan, version: WorkPlanVersion, overdue: bool
    ) -> list[FollowUp]:
        """Follow-ups held at the case type's interval up to today (an overdue plan stops more
        than an interval ago). Each records the due date in force when it was held."""
        rng, today = self.rng, self.today
        case = row.case
        interval = self._interval(case)
        stop = today - dt.timedelta(days=1)
        if overdue:
            stop = min(stop, today - dt.timedelta(days=interval + rng.randint(1, 25)))
        dates = version.planned_dates()
        planned_on = dates[0] if dates else None
        anchor = version.consent_on
        rows = []
        while planned_on is not None and planned_on <= stop:
            held_on = planned_on
            step = interval - rng.randint(0, min(7, interval // 4))
            next_on = held_on + dt.timedelta(days=step)
            method = weighted_choice(rng, FOLLOW_UP_METHODS[case.case_type])
            rows.append(
                FollowUp(
                    plan_id=plan.pk,
                    plan_version_id=version.pk,
                    due_on=schedule.due_on(
                        planned=planned_on,
                        anchor=anchor,
                        interval_days=interval,
                        period_end=version.valid_to,
                    ),
                    held_on=held_on,
                    method=method,
                    took_place=True,
                    outcome=rng.choice(OUTCOMES),
                    next_on=next_on,
                    next_method=weighted_choice(rng, FOLLOW_UP_METHODS[case.case_type]),
                    recorded_by=plan.created_by,
                    recorded_at=_at(held_on, 14, rng.randint(0, 59)),
                )
            )
            anchor, planned_on = held_on, next_on
        return rows

    # Referrals ---------------------------------------------------------------------------

    def _interventions(self, cases: list[_Open], plans: dict[int, WorkPlan]) -> None:
        rng, today = self.rng, self.today
        rows: list[Intervention] = []
        for row in sorted(cases, key=lambda r: r.case.pk):
            case = row.case
            plan = plans.get(case.pk)
            for person_id, code in row.obstacles.items():
                if code not in UNEMPLOYED_CODES or rng.random() >= REFERRAL_SHARE:
                    continue
                base = timezone.localdate(plan.created_at) if plan else row.lower
                referred_on = min(today, max(base, row.lower) + random_days(rng, 0, 30))
                name = weighted_choice(rng, REFERRAL_TARGETS)
                programme = self.programmes.get(name) if name else None
                intervention = Intervention(
                    case_id=case.pk,
                    plan_id=plan.pk if plan else None,
                    person_id=int(person_id),
                    target=InterventionTarget.PROGRAMME
                    if programme
                    else InterventionTarget.ARBETSFORMEDLINGEN,
                    programme=programme,
                    purpose=f"Stöd mot arbete eller studier ({name or 'Arbetsförmedlingen'}).",
                    referred_on=referred_on,
                    referred_by=self._handler(case),
                    created_at=_at(referred_on, 10, rng.randint(0, 59)),
                )
                status = weighted_choice(rng, REFERRAL_STATUS)
                if status != InterventionStatus.REFERRED:
                    started_on = referred_on + random_days(rng, 3, 21)
                    if started_on < today:
                        intervention.status = InterventionStatus.STARTED
                        intervention.started_on = started_on
                        ended_on = started_on + random_days(rng, 20, 120)
                        if status == InterventionStatus.ENDED and ended_on < today:
                            result = weighted_choice(rng, RESULTS)
                            intervention.status = InterventionStatus.ENDED
                            intervention.ended_on = ended_on
                            intervention.result = result
                            intervention.result_note = RESULT_NOTES[result]
                            intervention.attendance = (
                                weighted_choice(rng, {Attendance.NONE: 60, Attendance.PARTIAL: 40})
                                if result == InterventionResult.INTERRUPTED
                                else weighted_choice(
                                    rng, {Attendance.FULL: 75, Attendance.PARTIAL: 25}
                                )
                            )
                rows.append(intervention)
        Intervention.objects.bulk_create(rows)
        by_status: dict[str, int] = {}
        for row in rows:
            by_status[row.status] = by_status.get(row.status, 0) + 1
            self.audit.add(
                row.referred_by,
                AuditAction.CREATE,
                "workplans.intervention",
                row.pk,
                case_id=row.case_id,
                person_id=row.person_id,
                detail={
                    "after": {
                        "target": row.target,
                        "programme": row.programme.pk if row.programme else None,
                        "referred_on": row.referred_on.isoformat(),
                    }
                },
            )
            if row.started_on:
                self.audit.add(
                    row.referred_by,
                    AuditAction.UPDATE,
                    "workplans.intervention",
                    row.pk,
                    case_id=row.case_id,
                    person_id=row.person_id,
                    detail={
                        "after": {"status": "started", "started_on": row.started_on.isoformat()}
                    },
                )
            if row.ended_on:
                self.audit.add(
                    row.referred_by,
                    AuditAction.UPDATE,
                    "workplans.intervention",
                    row.pk,
                    case_id=row.case_id,
                    person_id=row.person_id,
                    detail={
                        "after": {
                            "status": "ended",
                            "ended_on": row.ended_on.isoformat(),
                            "attendance": row.attendance,
                            "result": row.result,
                        }
                    },
                )
        self.counts.referrals = len(rows)
        self.counts.referrals_by_status = by_status
