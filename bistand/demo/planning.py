"""Planning the demo municipality in plain Python: which households there are, what became of
their cases (fates), when, and how many staff the caseload needs. Nothing is written here."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bistand.core.codes import SUPPORT_OBSTACLE_BY_CODE
from bistand.core.dates import add_months, month_start
from bistand.organisation.models import Role, User

from . import texts
from .people import COMPOSITIONS, HouseholdMaker, PlannedHousehold

# (code, name, handles_intake). Staff are numbered in this order, so the plain demo logins
# (socialsekreterare, bidragshandlaggare, sektionschef) work in Arbetsmarknad, the largest.
SECTIONS = (
    ("arbetsmarknad", "Arbetsmarknad", False),
    ("mottagning", "Mottagning", True),
    ("rehabilitering", "Rehabilitering", False),
    ("unga-vuxna", "Unga vuxna", False),
)
INTAKE = "mottagning"

# Caseload guides in DOMAIN.md: at most 40 per worker, 25-30 in practice.
CASES_PER_SOCIAL_WORKER = 36
CASES_PER_BENEFIT_ADMINISTRATOR = 34

# One district in the reports: 1,565 households split A 280 / B 1,000 / C 285.
TYPE_SHARES = {"A": 280, "B": 1000, "C": 285}
CLOSED_SHARE = 0.035
INTAKE_SHARE = 0.025
REENTRY_SHARE_ACTIVE = 0.06
REENTRY_SHARE_INTAKE = 0.15
TAKEN_SHARE_INTAKE = 0.40
CLOSED_FROM_INTAKE_SHARE = 0.20
LONG_TERM_SHARE = 0.45  # active cases opened before the history window

# Fates of a household's case.
ACTIVE = "active"
ACTIVE_REENTRY = "active_reentry"
INTAKE_UNASSIGNED = "intake_unassigned"
INTAKE_TAKEN = "intake_taken"
INTAKE_REENTRY = "intake_reentry"
CLOSED = "closed"
CLOSED_FROM_INTAKE = "closed_from_intake"
TYPED_FATES = (ACTIVE, ACTIVE_REENTRY, CLOSED)


@dataclass
class Period:
    """A stretch with an open case: from a new application until closing (or now)."""

    start: dt.date
    end: dt.date | None = None
    reason: str = ""


@dataclass
class PlannedCase:
    household: PlannedHousehold
    fate: str
    periods: list[Period]
    section: str = INTAKE
    case_type: str = ""
    taken_on: dt.date | None = None
    transferred_on: dt.date | None = None
    handler: User | None = None
    assistant: User | None = None
    intake_worker: User | None = None
    registrar: User | None = None
    pk: int | None = None

    @property
    def opened_on(self) -> dt.date:
        return self.periods[0].start

    @property
    def closed(self) -> bool:
        return self.periods[-1].end is not None


def random_days(rng: random.Random, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(low, high))


def weighted_choice(rng: random.Random, weights: dict[str, int] | tuple) -> Any:
    if isinstance(weights, dict):
        return rng.choices(list(weights), weights=list(weights.values()), k=1)[0]
    return rng.choices([w[0] for w in weights], weights=[w[1] for w in weights], k=1)[0]


def pick_weighted(
    rng: random.Random, items: list, weight: Callable[[Any], float], k: int
) -> tuple[list, list]:
    """k items sampled without replacement by weight (Efraimidis-Spirakis); and the rest."""
    keyed = sorted(
        ((rng.random() ** (1.0 / weight(item)), index) for index, item in enumerate(items)),
        reverse=True,
    )
    chosen = {index for _, index in keyed[:k]}
    return (
        [item for i, item in enumerate(items) if i in chosen],
        [item for i, item in enumerate(items) if i not in chosen],
    )


def _category(obstacle: str) -> str:
    return SUPPORT_OBSTACLE_BY_CODE[obstacle].main_category


def _type_a_weight(case: PlannedCase) -> float:
    household = case.household
    if household.young_adult:
        return 3.0
    return {"social_reasons": 2.5, "unemployment": 1.2, "ill_health": 0.8}.get(
        _category(household.main_obstacle), 0.4
    )


def _type_c_weight(case: PlannedCase) -> float:
    obstacle = case.household.main_obstacle
    if case.household.young_adult:
        return 0.3
    return {
        "pension_insufficient": 6.0,
        "working_full_time_insufficient": 4.0,
        "parental_benefit_insufficient": 4.0,
        "activity_compensation_insufficient": 3.0,
        "sick_certified_awaiting": 3.0,
        "unemployed_insufficient_benefit": 1.5,
        "unemployed_awaiting_benefit": 1.5,
        "working_part_time_insufficient": 1.5,
        "social_reasons": 0.2,
    }.get(obstacle, 0.8)


def _target_section(household: PlannedHousehold) -> str:
    if household.young_adult:
        return "unga-vuxna"
    if _category(household.main_obstacle) in ("ill_health", "social_reasons"):
        return "rehabilitering"
    return "arbetsmarknad"


# --- Planning (pure Python) -----------------------------------------------------------


class Planner:
    def __init__(self, rng: random.Random, today: dt.date, months: int) -> None:
        self.rng = rng
        self.today = today
        self.window_start = add_months(month_start(today), -(months - 1))
        self.maker = HouseholdMaker(rng, today)

    def _between(self, low: dt.date, high: dt.date) -> dt.date:
        if high <= low:
            return low
        return low + dt.timedelta(days=self.rng.randint(0, (high - low).days))

    def periods_for(self, fate: str) -> list[Period]:
        rng, today, start = self.rng, self.today, self.window_start
        reason = weighted_choice(rng, texts.CLOSING_REASON_WEIGHTS)
        if fate == ACTIVE:
            if rng.random() < LONG_TERM_SHARE:
                opened = start - random_days(rng, 20, 1000)
            else:
                opened = self._between(start, today - dt.timedelta(days=25))
            return [Period(opened)]
        if fate == ACTIVE_REENTRY:
            reopened = today - random_days(rng, 25, 220)
            closed_on = reopened - random_days(rng, 30, 150)
            opened = closed_on - random_days(rng, 75, 420)
            return [Period(opened, closed_on, reason), Period(reopened)]
        if fate == INTAKE_UNASSIGNED:
            return [Period(today - dt.timedelta(days=weighted_choice(rng, _INTAKE_AGE_WEIGHTS)))]
        if fate == INTAKE_TAKEN:
            return [Period(today - random_days(rng, 2, 16))]
        if fate == INTAKE_REENTRY:
            opened = today - random_days(rng, 120, 500)
            closed_on = opened + random_days(rng, 10, 40)
            return [
                Period(opened, closed_on, weighted_choice(rng, _INTAKE_CLOSING_WEIGHTS)),
                Period(today - random_days(rng, 0, 12)),
            ]
        if fate == CLOSED:
            opened = self._between(start - dt.timedelta(days=365), today - dt.timedelta(days=90))
            earliest_end = max(opened + dt.timedelta(days=45), start + dt.timedelta(days=15))
            closed_on = self._between(earliest_end, today - dt.timedelta(days=5))
            return [Period(opened, closed_on, reason)]
        if fate == CLOSED_FROM_INTAKE:
            opened = self._between(start, today - dt.timedelta(days=45))
            return [
                Period(
                    opened,
                    opened + random_days(rng, 7, 30),
                    weighted_choice(rng, _INTAKE_CLOSING_WEIGHTS),
                )
            ]
        raise ValueError(fate)

    def plan(self, fate: str, composition: str | None = None) -> PlannedCase:
        periods = self.periods_for(fate)
        composition = composition or weighted_choice(self.rng, COMPOSITIONS)
        household = self.maker.make(composition, periods[0].start)
        case = PlannedCase(household, fate, periods)
        if fate in TYPED_FATES:
            case.section = _target_section(household)
        return case


_INTAKE_AGE_WEIGHTS = ((0, 8), (1, 12), (2, 12), (3, 10), (4, 9), (5, 8), (6, 7), (7, 6), (8, 4),
                       (9, 3), (10, 3), (12, 2), (14, 2), (17, 1))  # fmt: skip
_INTAKE_CLOSING_WEIGHTS = {
    "not_current": 40,
    "work": 25,
    "unemployment_benefit": 15,
    "moved": 10,
    "other": 10,
}


def fate_counts(households: int, sample: list[PlannedCase]) -> tuple[Counter, dict[str, int]]:
    """How many bulk households get each fate, and the bulk A/B/C split of active cases."""
    sample_fates = Counter(
        "active"
        if c.fate in (ACTIVE, ACTIVE_REENTRY)
        else "closed"
        if c.fate in (CLOSED, CLOSED_FROM_INTAKE)
        else "intake"
        for c in sample
    )
    # The sample walks through the services whatever the size, so it sets a floor.
    closed = max(round(households * CLOSED_SHARE), sample_fates["closed"])
    intake = max(round(households * INTAKE_SHARE), sample_fates["intake"])
    active = households - closed - intake
    total_share = sum(TYPE_SHARES.values())
    types = {"A": round(active * TYPE_SHARES["A"] / total_share)}
    types["C"] = round(active * TYPE_SHARES["C"] / total_share)
    types["B"] = active - types["A"] - types["C"]
    for case in sample:
        if case.fate in (ACTIVE, ACTIVE_REENTRY):
            active -= 1
            types[case.case_type] -= 1
        elif case.fate in (CLOSED, CLOSED_FROM_INTAKE):
            closed -= 1
        else:
            intake -= 1
    fates: Counter = Counter()
    fates[CLOSED_FROM_INTAKE] = round(closed * CLOSED_FROM_INTAKE_SHARE)
    fates[CLOSED] = closed - fates[CLOSED_FROM_INTAKE]
    fates[INTAKE_REENTRY] = round(intake * REENTRY_SHARE_INTAKE)
    fates[INTAKE_TAKEN] = round(intake * TAKEN_SHARE_INTAKE)
    fates[INTAKE_UNASSIGNED] = intake - fates[INTAKE_REENTRY] - fates[INTAKE_TAKEN]
    fates[ACTIVE_REENTRY] = round(active * REENTRY_SHARE_ACTIVE)
    fates[ACTIVE] = active - fates[ACTIVE_REENTRY]
    return fates, types


# The households that walk the case flow through the services: (fate, composition, case type,
# days ago the application arrived). They land in Mottagning and Arbetsmarknad, where the plain
# demo logins work.
SERVICE_SAMPLE = (
    (INTAKE_UNASSIGNED, "single_man", "", 1),
    (INTAKE_UNASSIGNED, "single_mother", "", 9),
    (INTAKE_TAKEN, "couple_with_children", "", 6),
    (ACTIVE, "single_man", "A", 5),
    (ACTIVE, "single_mother", "B", 6),
    (ACTIVE, "single_woman", "C", 4),
    (CLOSED_FROM_INTAKE, "single_woman", "", 20),
    (INTAKE_REENTRY, "single_man", "", 45),
)
_SAMPLE_OBSTACLES = {
    "A": "unemployed_no_benefit",
    "B": "unemployed_no_benefit",
    "C": "working_part_time_insufficient",
}


def service_sample_plans(planner: Planner) -> list[PlannedCase]:
    plans = []
    today = planner.today
    for fate, composition, case_type, days_ago in SERVICE_SAMPLE:
        received = today - dt.timedelta(days=days_ago)
        household = planner.maker.make(composition, received, young=False)
        for adult in household.adults:
            adult.obstacle = _SAMPLE_OBSTACLES.get(case_type, "unemployed_no_benefit")
        case = PlannedCase(household, fate, [Period(received)], case_type=case_type)
        if case_type:
            case.section = "arbetsmarknad"
        plans.append(case)
    return plans


def staffing_for(cases: list[PlannedCase], households: int) -> dict[tuple[str | None, str], int]:
    """Staff per section and role, so that caseloads land at 25-40 per handler."""
    load: Counter = Counter()
    intake = 0
    for case in cases:
        if case.fate in (ACTIVE, ACTIVE_REENTRY):
            role = Role.BENEFIT_ADMINISTRATOR if case.case_type == "C" else Role.SOCIAL_WORKER
            load[(case.section, role)] += 1
        elif not case.closed:
            intake += 1
    staffing: dict[tuple[str | None, str], int] = {}
    for code, _, handles_intake in SECTIONS:
        staffing[(code, Role.SECTION_HEAD)] = 1
        if handles_intake:
            staffing[(code, Role.SOCIAL_WORKER)] = max(2, math.ceil(intake / 25))
            staffing[(code, Role.BENEFIT_ADMINISTRATOR)] = 1
            staffing[(code, Role.RECEPTION)] = max(2, math.ceil(households / 600))
        else:
            staffing[(code, Role.SOCIAL_WORKER)] = max(
                1, math.ceil(load[(code, Role.SOCIAL_WORKER)] / CASES_PER_SOCIAL_WORKER)
            )
            staffing[(code, Role.BENEFIT_ADMINISTRATOR)] = max(
                1,
                math.ceil(
                    load[(code, Role.BENEFIT_ADMINISTRATOR)] / CASES_PER_BENEFIT_ADMINISTRATOR
                ),
            )
    staffing[(None, Role.UNIT_HEAD)] = 1
    staffing[(None, Role.FRAUD_INVESTIGATOR)] = max(1, round(households / 750))
    staffing[(None, Role.FINANCE)] = 2
    staffing[(None, Role.SYSTEM_ADMIN)] = 1
    staffing[(None, Role.CONTROLLER)] = 1
    staffing[(None, Role.ACTIVITY_COORDINATOR)] = 1
    return staffing


def plan_households(
    planner: Planner, households: int
) -> tuple[list[PlannedCase], list[PlannedCase]]:
    """The service-walk sample and the bulk households, with fates and case types."""
    rng = planner.rng
    sample = service_sample_plans(planner)
    fates, types = fate_counts(households, sample)
    bulk: list[PlannedCase] = []
    for fate in (
        ACTIVE,
        ACTIVE_REENTRY,
        CLOSED,
        CLOSED_FROM_INTAKE,
        INTAKE_UNASSIGNED,
        INTAKE_TAKEN,
        INTAKE_REENTRY,
    ):
        bulk.extend(planner.plan(fate) for _ in range(fates[fate]))
    active = [case for case in bulk if case.fate in (ACTIVE, ACTIVE_REENTRY)]
    type_a, rest = pick_weighted(rng, active, _type_a_weight, types["A"])
    type_c, type_b = pick_weighted(rng, rest, _type_c_weight, types["C"])
    for chosen, case_type in ((type_a, "A"), (type_b, "B"), (type_c, "C")):
        for case in chosen:
            case.case_type = case_type
    for case in bulk:
        if case.fate == CLOSED:
            case.case_type = rng.choices(list(TYPE_SHARES), weights=list(TYPE_SHARES.values()))[0]
    rng.shuffle(bulk)
    return sample, bulk
