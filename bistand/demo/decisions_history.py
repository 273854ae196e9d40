"""Decisions for the bulk history: a saved calculation, a final decision with its line and the
support obstacle of each adult, for every application the history marks decided; a few appeals.

The calculation is the engine's own result (bistand.calculation, run in plain Python) wherever
the norm table has the amounts. Where it has not (riksnorm.json lacks couples from 2025 and
children in 2026), the engine is run on the nearest earlier *verified* year's table, with the
household aged as in the real month, and the result carries a warning that says so (code
`demo_substitute_norm`); `norm_year` records the table actually used. No amount is invented.
Rows are inserted final (the triggers of decisions 0002 refuse only updates); no letter PDFs
are rendered for the history (a decision page then shows no letter for it).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

from bistand.audit.models import AuditAction
from bistand.calculation import CalculationError, calculate_from_dict
from bistand.cases.models import Application, ApplicationStatus, InvestigationVersion
from bistand.core.dates import add_months
from bistand.decisions import calculations as calc
from bistand.decisions import legal
from bistand.decisions.models import (
    Appeal,
    AppealStatus,
    Calculation,
    Decision,
    DecisionLine,
    DecisionStatus,
    DecisionSupportObstacle,
    DelegationKind,
    DelegationRule,
    LineKind,
    LocalGuideline,
    Outcome,
    ReceiptBasis,
    RefusalGround,
)
from bistand.norms.selectors import rulebook
from bistand.organisation.models import Role, User

from .auditing import AuditBuffer
from .history import _at
from .planning import PlannedCase, random_days, weighted_choice
from .staff import Organisation

# Days from arrival to decision (DOMAIN.md: target within a week); a few wait longer.
DECISION_LAG_WEIGHTS = (
    (0, 4), (1, 12), (2, 16), (3, 16), (4, 13), (5, 11), (6, 8), (7, 7), (9, 5), (12, 4),
    (16, 2), (22, 2),
)  # fmt: skip
REFUSED_NEED_NOT_SHOWN_SHARE = 0.015
APPEAL_SHARE = 0.12  # of decisions going against the applicant
ZERO = Decimal("0.00")
DEMO_NORM_CODE = "demo_substitute_norm"

# The demo's own rent ceilings per household size (not Lund's): just under the dearest demo
# rents (people.py), so a few households get a partial grant for rent above the guideline.
RENT_CEILINGS = {1: 7550, 2: 8850, 3: 10150, 4: 11450, 5: 12750, 6: 14050, 7: 15350}

NEED_NOT_SHOWN_REASONS = (
    "Underlag om hushållets inkomster och kontoutdrag har inte kommit in trots begäran. "
    "Behovet är därför inte styrkt för månaden."
)


def _shift_years(day: str, years: int) -> str:
    date = dt.date.fromisoformat(day)
    try:
        return date.replace(year=date.year - years).isoformat()
    except ValueError:  # 29 February
        return date.replace(year=date.year - years, day=28).isoformat()


class NormCalculator:
    """The engine, with the nearest verified year's table where the month's table lacks an
    amount (marked as demo data in the result's warnings)."""

    def __init__(self) -> None:
        self.tables = rulebook()
        self.verified_years = sorted(t.year for t in self.tables if t.verified)
        self.substituted = 0

    def run(self, data: dict) -> tuple[dict, object]:
        try:
            return data, calculate_from_dict(data, self.tables)
        except CalculationError as error:
            if error.code != "norm_amount_missing":
                raise
            year = int(data["month"][:4])
            for earlier in reversed([y for y in self.verified_years if y < year]):
                shift = year - earlier
                shifted = {
                    **data,
                    "month": f"{earlier}{data['month'][4:]}",
                    "members": [
                        {**m, "birth_date": _shift_years(m["birth_date"], shift)}
                        for m in data["members"]
                    ],
                }
                try:
                    result = calculate_from_dict(shifted, self.tables)
                except CalculationError:
                    continue
                self.substituted += 1
                shifted["demo_note"] = (
                    f"Demodata: riksnormen {year} saknar belopp ({error.message}) Beräknat med "
                    f"riksnormen {earlier}, närmaste verifierade år."
                )
                return shifted, result
            raise


class DecisionWriter:
    """Writes calculations, decisions, lines, support obstacles and appeals set-wise."""

    def __init__(
        self,
        rng: random.Random,
        org: Organisation,
        today: dt.date,
        audit: AuditBuffer,
        applications: dict[int, list[Application]],
        versions: dict[int, list[tuple[dt.date, InvestigationVersion]]],
        guideline: LocalGuideline,
    ) -> None:
        self.rng = rng
        self.org = org
        self.today = today
        self.audit = audit
        self.applications = applications
        self.versions = versions
        self.guideline = guideline
        self.calculator = NormCalculator()
        self.rules = {
            (rule.kind, rule.role): rule
            for rule in DelegationRule.objects.filter(unit=org.unit, retired_at=None)
        }
        self.decisions: list[tuple[PlannedCase, Decision, DecisionLine]] = []
        self.unit_head = org.first(None, Role.UNIT_HEAD)

    # One application -------------------------------------------------------------------

    def _members(self, case: PlannedCase, month: dt.date) -> tuple[list[dict], int | None]:
        last_day = add_months(month, 1) - dt.timedelta(days=1)
        present = [
            m
            for m in case.household.members
            if m.valid_from <= last_day and m.identity.birth_date <= last_day
        ]
        order = {"applicant": 0, "co_applicant": 1, "child": 2}
        members = [
            {
                "person_id": m.pk,
                "name": m.full_name,
                "birth_date": m.identity.birth_date.isoformat(),
                "role": m.role,
                "meals_outside_home": False,
            }
            for m in sorted(
                (m for m in present if m.role in order),
                key=lambda m: (order[m.role], m.identity.birth_date),
            )
        ]
        others = [m for m in present if m.role == "other_adult"]
        return members, (len(present) if others else None)

    def _lines(self, case: PlannedCase, members: list[dict]) -> tuple[list[dict], list[dict]]:
        costs = [
            {**cost, "description": "", "accepted_until": "", "source": "application"}
            for cost in case.household.stated_costs()
        ]
        adults = [m for m in members if m["role"] in ("applicant", "co_applicant")]
        incomes = []
        for item in case.household.stated_incomes():
            index = item.get("member") or 0
            person = adults[min(index, len(adults) - 1)]["person_id"] if adults else None
            incomes.append(
                {
                    "type": item["type"],
                    "amount": item["amount"],
                    "person_id": person,
                    "description": "",
                    "source": "application",
                }
            )
        return costs, incomes

    def _version_on(self, case: PlannedCase, day: dt.date) -> tuple[dt.date, InvestigationVersion]:
        versions = self.versions[case.pk]
        chosen = versions[0]
        for on, version in versions:
            if on <= day:
                chosen = (on, version)
        return chosen

    def _decider(self, case: PlannedCase, needs_refusal: bool) -> User:
        handler = case.handler or case.intake_worker
        if needs_refusal and handler.role == Role.BENEFIT_ADMINISTRATOR:
            return self.org.first(case.section, Role.SECTION_HEAD)
        return handler

    def _calculation(
        self, case: PlannedCase, app: Application, months_on: int, author: User, at: dt.datetime
    ) -> Calculation:
        members, shared = self._members(case, app.month)
        costs, incomes = self._lines(case, members)
        row = Calculation(
            application_id=app.pk,
            case_id=case.pk,
            month=app.month,
            members=members,
            shared_household_size=shared,
            costs=costs,
            incomes=incomes,
            norm_adjustments=[],
            months_on_assistance=months_on,
            local_guideline=self.guideline,
            created_by=author,
            created_at=at - dt.timedelta(minutes=40),
            updated_at=at,
            saved_by=author,
            saved_at=at,
        )
        data = calc.build_input(row)
        used, result = self.calculator.run(data)
        stored = result.to_dict()
        if "demo_note" in used:
            stored["warnings"] = [
                *stored.get("warnings", []),
                {"code": DEMO_NORM_CODE, "message": used["demo_note"]},
            ]
        row.input = used
        row.result = stored
        row.amount_to_pay = result.amount_to_pay
        row.proposed_outcome = result.proposed_outcome
        row.norm_year = result.norm_table.year
        row.norm_version = result.norm_table.version
        row.norm_status = result.norm_table.status
        row.norm_sha256 = result.norm_table.sha256
        row.rules_version = result.rules_version
        return row

    def _decide(
        self, case: PlannedCase, app: Application, row: Calculation, decided_on: dt.date
    ) -> tuple[Decision, DecisionLine, list[DecisionSupportObstacle]]:
        rng = self.rng
        proposal = calc.proposals(row)[0]
        applied, granted = proposal.amount_applied, proposal.proposed_grant
        outcome, reasons, ground = (
            proposal.proposed_outcome,
            proposal.proposed_reasons,
            proposal.proposed_ground,
        )
        if applied > 0 and rng.random() < REFUSED_NEED_NOT_SHOWN_SHARE:
            outcome, granted = Outcome.REFUSED, ZERO
            reasons, ground = NEED_NOT_SHOWN_REASONS, RefusalGround.NEED_NOT_SHOWN
        if applied <= 0:
            outcome, granted = Outcome.REFUSED, ZERO
        if outcome == Outcome.REFUSED and not reasons:
            reasons = "Hushållets inkomster täcker behovet för månaden."
            ground = ground or RefusalGround.SURPLUS
        if outcome == Outcome.GRANTED:
            reasons, ground = "", ""
        needs_refusal = outcome != Outcome.GRANTED
        decider = self._decider(case, needs_refusal)
        version_on, version = self._version_on(case, decided_on)
        has_children = any(m["role"] == "child" for m in row.members)
        at = timezone_at(decided_on, rng.randint(9, 16), rng.randint(0, 59), self.today)
        grant_rule = refusal_rule = None
        points = []
        if outcome in (Outcome.GRANTED, Outcome.PARTLY_GRANTED):
            grant_rule = self.rules.get((DelegationKind.INCOME_SUPPORT_GRANT, decider.role))
            points.append(grant_rule.point)
        if needs_refusal:
            refusal_rule = self.rules.get((DelegationKind.INCOME_SUPPORT_REFUSAL, decider.role))
            points.append(refusal_rule.point)
        decision = Decision(
            case_id=case.pk,
            application_id=app.pk,
            calculation_id=row.pk,
            month=app.month,
            status=DecisionStatus.FINAL,
            outcome=outcome,
            total_granted=granted,
            reasons=reasons,
            investigation_version=version,
            has_children=has_children,
            child_perspective_version=version if has_children else None,
            decided_by=decider,
            decided_at=at,
            decided_on=decided_on,
            delegation_points=", ".join(points),
            created_by=decider,
            created_at=at - dt.timedelta(minutes=5),
        )
        line = DecisionLine(
            position=0,
            key=proposal.key,
            kind=LineKind.INCOME_SUPPORT,
            description=proposal.label,
            outcome=outcome,
            amount_applied=max(applied, ZERO),
            amount_granted=granted,
            refusal_ground=ground,
            legal_basis=legal.legal_basis(LineKind.INCOME_SUPPORT, decided_on, ground),
            reasons=reasons,
            grant_delegation=grant_rule,
            refusal_delegation=refusal_rule,
        )
        obstacles = [
            DecisionSupportObstacle(person_id=m.pk, household_role=m.role, code=m.obstacle)
            for m in case.household.adults
            if m.role in ("applicant", "co_applicant")
            and any(x["person_id"] == m.pk for x in row.members)
        ]
        return decision, line, obstacles

    # All applications --------------------------------------------------------------------

    def write(self, cases: list[PlannedCase]) -> None:
        rng, today = self.rng, self.today
        planned: list[tuple[PlannedCase, Application, Calculation, dt.date]] = []
        for case in cases:
            if not self.versions.get(case.pk):
                continue
            first_version_on = self.versions[case.pk][0][0]
            months_on = 0
            for app in sorted(self.applications.get(case.pk, []), key=lambda a: a.month):
                if app.status != ApplicationStatus.DECIDED:
                    months_on = 0
                    continue
                lag = weighted_choice(rng, DECISION_LAG_WEIGHTS)
                decided_on = max(
                    app.received_on + dt.timedelta(days=lag),
                    app.complete_on or app.received_on,
                    first_version_on,
                )
                decided_on = min(decided_on, today)
                decider = self._decider(case, False)
                at = timezone_at(decided_on, 9, rng.randint(0, 59), today)
                row = self._calculation(case, app, months_on, decider, at)
                planned.append((case, app, row, decided_on))
                months_on += 1
        Calculation.objects.bulk_create([row for _, _, row, _ in planned], batch_size=1000)
        decisions, lines, obstacles_of = [], [], []
        for case, app, row, decided_on in planned:
            decision, line, obstacles = self._decide(case, app, row, decided_on)
            decisions.append(decision)
            lines.append(line)
            obstacles_of.append(obstacles)
        Decision.objects.bulk_create(decisions, batch_size=1000)
        for decision, line in zip(decisions, lines, strict=True):
            line.decision_id = decision.pk
        DecisionLine.objects.bulk_create(lines, batch_size=2000)
        all_obstacles = []
        for decision, obstacles in zip(decisions, obstacles_of, strict=True):
            for obstacle in obstacles:
                obstacle.decision_id = decision.pk
                all_obstacles.append(obstacle)
        DecisionSupportObstacle.objects.bulk_create(all_obstacles, batch_size=2000)
        for (case, _app, row, _), decision, line in zip(planned, decisions, lines, strict=True):
            self.audit.add(
                row.saved_by,
                AuditAction.SIGN,
                "decisions.calculation",
                row.pk,
                case_id=case.pk,
                detail={"amount_to_pay": str(row.amount_to_pay), "norm_year": row.norm_year},
            )
            self.audit.add(
                decision.decided_by,
                AuditAction.SIGN,
                "decisions.decision",
                decision.pk,
                case_id=case.pk,
                detail={
                    "application": decision.application_id,
                    "calculation": row.pk,
                    "outcome": decision.outcome,
                    "total_granted": str(decision.total_granted),
                    "delegation": decision.delegation_points,
                },
            )
            self.decisions.append((case, decision, line))
        self._appeals()

    def _appeals(self) -> None:
        rng, today = self.rng, self.today
        rows = []
        for case, decision, _ in self.decisions:
            if decision.outcome == Outcome.GRANTED or rng.random() > APPEAL_SHARE:
                continue
            received_decision = decision.decided_on + random_days(rng, 1, 4)
            received = received_decision + random_days(rng, 4, 18)
            if received > today:
                continue
            deadline = received_decision + dt.timedelta(days=21)
            forward_deadline = received + dt.timedelta(days=7)
            status = AppealStatus.REGISTERED
            forwarded_on = None
            if forward_deadline < today - dt.timedelta(days=3):
                status = AppealStatus.FORWARDED
                forwarded_on = received + random_days(rng, 2, 6)
            rows.append(
                Appeal(
                    decision_id=decision.pk,
                    case_id=case.pk,
                    received_on=received,
                    decision_received_on=received_decision,
                    decision_received_basis=ReceiptBasis.E_SERVICE,
                    appeal_deadline=deadline,
                    in_time=received <= deadline,
                    forward_deadline=forward_deadline,
                    text="Jag anser att jag har rätt till hela det sökta beloppet.",
                    status=status,
                    registered_by=decision.decided_by,
                    registered_at=timezone_at(received, 10, 15, today),
                    forwarded_on=forwarded_on,
                    forwarded_by=decision.decided_by if forwarded_on else None,
                    court="Förvaltningsrätten i Malmö" if forwarded_on else "",
                )
            )
        Appeal.objects.bulk_create(rows)
        for row in rows:
            self.audit.add(
                row.registered_by,
                AuditAction.CREATE,
                "decisions.appeal",
                row.pk,
                case_id=row.case_id,
                detail={"decision": row.decision_id, "status": row.status},
            )

    def counts(self) -> Counter:
        return Counter(decision.outcome for _, decision, _ in self.decisions)


def timezone_at(day: dt.date, hour: int, minute: int, today: dt.date) -> dt.datetime:
    return _at(day, hour, minute)
