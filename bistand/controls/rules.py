"""What a decision needs from controls: the unit's required checks for a decision, whether
they are on record and assessed, and the comparison of a register answer with what the
applicant stated. Pure reads; the services and the decisions hook use them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from bistand.cases.models import Application, ApplicationKind, Case
from bistand.core.dates import add_months
from bistand.households.models import ADULT_ROLES, HouseholdMembership, Person

from .adapter import ITEM_KINDS, ITEM_LABELS
from .models import (
    SOURCE_SHORT,
    CheckRequirement,
    CheckRequirementSet,
    DecisionKind,
    PersonScope,
    RegisterCheck,
    Source,
)

# A register amount this close to the stated one is the same (rounding, öre, small fees).
TOLERANCE = Decimal("100.00")


def _sek(value: Decimal) -> str:
    return f"{value:,.2f}".replace(",", "\u00a0").replace(".", ",") + "\u00a0kr"


# --- Requirements ---------------------------------------------------------------------------


def requirement_set_in_force(unit_id: int, month: dt.date) -> CheckRequirementSet | None:
    return (
        CheckRequirementSet.objects.filter(unit_id=unit_id, valid_from__lte=month)
        .order_by("-valid_from", "-created_at", "-id")
        .first()
    )


def decision_kinds(application: Application, *, automatic: bool) -> tuple[str, ...]:
    if application.kind == ApplicationKind.NEW:
        return (DecisionKind.NEW,)
    if automatic:
        return (DecisionKind.REPEAT, DecisionKind.AUTOMATIC)
    return (DecisionKind.REPEAT,)


def adults_in_month(case: Case, month: dt.date, memberships=None) -> list[tuple[Person, str]]:
    """(person, role) of the applicant and co-applicant in the household during the month
    (`memberships`: the household's adult memberships, when read set-wise)."""
    end = add_months(month, 1)
    if memberships is None:
        memberships = (
            HouseholdMembership.objects.filter(
                household_id=case.household_id, role__in=ADULT_ROLES, valid_from__lt=end
            )
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=month))
            .select_related("person")
            .order_by("role", "valid_from")
        )
    else:
        memberships = sorted(
            (
                m
                for m in memberships
                if m.valid_from < end and (m.valid_to is None or m.valid_to > month)
            ),
            key=lambda m: (m.role, m.valid_from),
        )
    seen, adults = set(), []
    for membership in memberships:
        if membership.person_id not in seen:
            seen.add(membership.person_id)
            adults.append((membership.person, membership.role))
    return adults


@dataclass(frozen=True)
class Need:
    requirement: CheckRequirement
    person: Person

    @property
    def label(self) -> str:
        often = (
            "denna månad"
            if self.requirement.every_months == 1
            else f"någon av de senaste {self.requirement.every_months} månaderna"
        )
        return f"{SOURCE_SHORT[self.requirement.source]} för {self.person.full_name} ({often})"


def requirements_in_force(unit_id: int, month: dt.date) -> list[CheckRequirement]:
    rules = requirement_set_in_force(unit_id, month)
    return [] if rules is None else list(rules.requirements.all())


def needs_for(
    application: Application,
    *,
    automatic: bool = False,
    requirements: list[CheckRequirement] | None = None,
    adults: list[tuple[Person, str]] | None = None,
) -> list[Need]:
    """The checks the decision on `application` needs (`requirements` and `adults` may be
    given when read set-wise for many applications)."""
    case = application.case
    if requirements is None:
        requirements = requirements_in_force(case.unit_id, application.month)
    kinds = decision_kinds(application, automatic=automatic)
    requirements = [
        r
        for r in requirements
        if r.decision_kind in kinds and r.applies_to_case_type(case.case_type)
    ]
    if not requirements:
        return []
    if adults is None:
        adults = adults_in_month(case, application.month)
    needs = []
    for requirement in requirements:
        for person, role in adults:
            if requirement.persons == PersonScope.APPLICANT and role != "applicant":
                continue
            needs.append(Need(requirement, person))
    return needs


def checks_covering(case: Case, start: dt.date, end: dt.date):
    """The case's checks whose period overlaps the months start..end."""
    return checks_covering_cases([case.pk], start, end)


def checks_covering_cases(case_ids, start: dt.date, end: dt.date):
    """The cases' checks whose period overlaps the months start..end (newest first)."""
    return (
        RegisterCheck.objects.filter(
            case_id__in=list(case_ids), period_start__lte=end, period_end__gte=start
        )
        .select_related("person", "checked_by", "assessed_by")
        .order_by("-checked_at", "-id")
    )


@dataclass
class ChecksStatus:
    """The answer to "may this decision be made, as far as checks go?"."""

    required: list[Need] = field(default_factory=list)
    missing: list[Need] = field(default_factory=list)
    unassessed: list[RegisterCheck] = field(default_factory=list)
    unexplained: list[RegisterCheck] = field(default_factory=list)
    checks: list[RegisterCheck] = field(default_factory=list)  # what the decision rests on
    automatic: bool = False

    @property
    def ok(self) -> bool:
        return (
            not self.missing and not self.unassessed and not (self.automatic and self.unexplained)
        )

    @property
    def message(self) -> str:
        parts = []
        if self.missing:
            parts.append(
                "Kontroller som krävs innan beslut saknas: "
                + "; ".join(need.label for need in self.missing)
                + "."
            )
        if self.unassessed:
            parts.append(
                "Registersvar som avviker från ansökan måste bedömas före beslut: "
                + "; ".join(
                    f"{c.short_source} {c.period_label} ({c.person.full_name})"
                    for c in self.unassessed
                )  # fmt: skip
                + "."
            )
        if self.automatic and self.unexplained:
            parts.append(
                "En avvikelse som inte är förklarad gör att beslutet inte kan fattas "
                "automatiskt: "
                + "; ".join(f"{c.short_source} {c.period_label}" for c in self.unexplained)
                + "."
            )
        return " ".join(parts) or "Kontrollerna som krävs finns och är bedömda."

    @property
    def sources(self) -> list[str]:
        seen: list[str] = []
        for check in sorted(self.checks, key=lambda c: list(Source.values).index(c.source)):
            if check.short_source not in seen:
                seen.append(check.short_source)
        return seen


def status_for(
    application: Application,
    *,
    automatic: bool = False,
    requirements: list[CheckRequirement] | None = None,
    adults: list[tuple[Person, str]] | None = None,
    case_checks: list[RegisterCheck] | None = None,
) -> ChecksStatus:
    """Required checks of the month on record, discrepancies assessed (and, for an automatic
    decision, none unexplained). The keyword arguments come from `status_for_many`."""
    case = application.case
    month = application.month
    status = ChecksStatus(automatic=automatic)
    status.required = needs_for(
        application, automatic=automatic, requirements=requirements, adults=adults
    )
    widest = max((n.requirement.every_months for n in status.required), default=1)
    window_start = add_months(month, 1 - widest)
    if case_checks is None:
        candidates = list(checks_covering(case, window_start, month))
    else:
        candidates = [
            c for c in case_checks if c.period_start <= month and c.period_end >= window_start
        ]
    used: dict[int, RegisterCheck] = {}
    for need in status.required:
        window_start = add_months(month, 1 - need.requirement.every_months)
        found = next(
            (
                c
                for c in candidates
                if c.person_id == need.person.pk
                and c.source == need.requirement.source
                and c.period_start <= month
                and c.period_end >= window_start
            ),
            None,
        )
        if found is None:
            status.missing.append(need)
        else:
            used[found.pk] = found
    for check in candidates:
        if check.period_start <= month <= check.period_end:
            used.setdefault(check.pk, check)
    status.checks = sorted(used.values(), key=lambda c: (c.source, c.person_id, c.pk))
    status.unassessed = [c for c in status.checks if c.needs_assessment]
    status.unexplained = [c for c in status.checks if c.unexplained]
    return status


def status_for_many(applications, *, automatic: bool = False) -> dict[int, ChecksStatus]:
    """`status_for` of each application with a few queries for all (the batch page)."""
    applications = list(applications)
    if not applications:
        return {}
    # Every unit's requirement sets up to the latest month, in one query: the set in force
    # for a month is the latest valid_from on or before it (latest created on the same day).
    keys = {(a.case.unit_id, a.month) for a in applications}
    sets_by_unit: dict[int, list[CheckRequirementSet]] = {}
    for rule_set in (
        CheckRequirementSet.objects.filter(
            unit_id__in={unit for unit, _ in keys}, valid_from__lte=max(m for _, m in keys)
        )
        .prefetch_related("requirements")
        .order_by("valid_from", "created_at", "id")
    ):
        sets_by_unit.setdefault(rule_set.unit_id, []).append(rule_set)
    requirements = {}
    for unit_id, month in keys:
        in_force = [r for r in sets_by_unit.get(unit_id, []) if r.valid_from <= month]
        requirements[unit_id, month] = list(in_force[-1].requirements.all()) if in_force else []
    household_ids = {a.case.household_id for a in applications}
    memberships: dict[int, list] = {}
    for membership in HouseholdMembership.objects.filter(
        household_id__in=household_ids, role__in=ADULT_ROLES
    ).select_related("person"):
        memberships.setdefault(membership.household_id, []).append(membership)
    widest = max((r.every_months for found in requirements.values() for r in found), default=1)
    earliest = add_months(min(a.month for a in applications), 1 - widest)
    checks: dict[int, list[RegisterCheck]] = {}
    for check in checks_covering_cases(
        {a.case_id for a in applications}, earliest, max(a.month for a in applications)
    ):
        checks.setdefault(check.case_id, []).append(check)
    return {
        application.pk: status_for(
            application,
            automatic=automatic,
            requirements=requirements[application.case.unit_id, application.month],
            adults=adults_in_month(
                application.case,
                application.month,
                memberships.get(application.case.household_id, []),
            ),
            case_checks=checks.get(application.case_id, []),
        )
        for application in applications
    }


# --- Comparison of an answer with the application ------------------------------------------


def _stated_for(case: Case, person: Person, months: set[dt.date]) -> dict:
    """{month: {income type: amount}} the person stated in the case's applications."""
    applicant_id = (
        HouseholdMembership.objects.filter(household_id=case.household_id, role="applicant")
        .values_list("person_id", flat=True)
        .first()
    )
    stated: dict = {}
    for application in Application.objects.filter(case=case, month__in=months):
        per_type = stated.setdefault(application.month, {})
        for income in application.stated_incomes or []:
            owner = income.get("person_id")
            owner_id = int(owner) if str(owner or "").isdigit() else applicant_id
            if owner_id != person.pk:
                continue
            try:
                amount = Decimal(str(income.get("amount")))
            except ArithmeticError:
                continue
            if amount.is_finite():
                kind = income.get("type")
                per_type[kind] = per_type.get(kind, Decimal("0")) + amount
    return stated


def compare(case: Case, person: Person, source: str, answer: dict) -> tuple[list[dict], bool]:
    """Side by side, per month the case has an application for: what was stated and what the
    register says. Returns (rows, any discrepancy)."""
    start = dt.date.fromisoformat(answer["period"]["from"] + "-01")
    end = dt.date.fromisoformat(answer["period"]["to"] + "-01")
    months, month = set(), start
    while month <= end:
        months.add(month)
        month = add_months(month, 1)
    stated = _stated_for(case, person, months)
    rows: list[dict] = []
    kinds = ITEM_KINDS.get(source, {})
    for month in sorted(stated):
        register: dict[str, Decimal] = {}
        for item in answer.get("items", []):
            if item["month"] == f"{month:%Y-%m}":
                net = Decimal(item["amount"]) - Decimal(item.get("tax", "0"))
                register[item["kind"]] = register.get(item["kind"], Decimal("0")) + net
        for kind, stated_types in kinds.items():
            said = sum((stated[month].get(t, Decimal("0")) for t in stated_types), Decimal("0"))
            found = register.get(kind, Decimal("0"))
            if not said and not found:
                continue
            differs = abs(said - found) > TOLERANCE
            rows.append(
                {
                    "month": f"{month:%Y-%m}",
                    "what": ITEM_LABELS[kind],
                    "stated": _sek(said),
                    "register": _sek(found),
                    "differs": differs,
                }
            )
        if source == Source.TRANSPORTSTYRELSEN:
            for vehicle in answer.get("vehicles", []):
                rows.append(
                    {
                        "month": f"{month:%Y-%m}",
                        "what": f"Fordon {vehicle['registration']} ({vehicle['make']} "
                        f"{vehicle['model_year']}, värde ca {_sek(Decimal(vehicle['estimated_value']))})",
                        "stated": "inget fordon uppgivet",
                        "register": "ägs enligt registret",
                        "differs": True,
                    }
                )
    return rows, any(row["differs"] for row in rows)


def summarise(source: str, answer: dict) -> str:
    """One line for lists: what the register said."""
    if answer.get("status") == "no_data":
        return "Inga uppgifter i registret för perioden."
    parts = []
    totals: dict[str, Decimal] = {}
    for item in answer.get("items", []):
        net = Decimal(item["amount"]) - Decimal(item.get("tax", "0"))
        totals[item["kind"]] = totals.get(item["kind"], Decimal("0")) + net
    for kind, total in totals.items():
        parts.append(f"{ITEM_LABELS.get(kind, kind)} {_sek(total)}")
    for vehicle in answer.get("vehicles", []):
        parts.append(
            f"fordon {vehicle['registration']} ({vehicle['make']} {vehicle['model_year']})"
        )
    for registration in answer.get("registrations", []):
        if registration["status"] == "registered":
            parts.append(f"inskriven som arbetssökande sedan {registration['since']}"
                         + (f", {registration['programme']}" if registration["programme"] else ""))  # fmt: skip
        else:
            parts.append("inte inskriven som arbetssökande")
    return ("; ".join(parts) or "Inga uppgifter.")[:500]
