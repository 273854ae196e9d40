"""The calculation in the case: the engine's input built from the case and the application,
prefilled from last month's saved calculation; the stored result shown as Swedish rows and
turned into proposals for the decision's lines.

The engine (bistand.calculation) is pure Python; this module is its only Django-side caller.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q

from bistand.calculation import COST_TYPES, INCOME_TYPES, CalculationError, calculate_from_dict
from bistand.calculation.catalogue import (
    COST_CATEGORY_LABELS,
    OTHER_LIVING,
    OUTCOME_LABELS,
    REASONABLE,
)
from bistand.calculation.money import format_sek
from bistand.core.dates import add_months
from bistand.core.errors import DomainError
from bistand.households.models import HouseholdMembership, MemberRole
from bistand.norms.selectors import rulebook

from .legal import legal_basis
from .models import Calculation, Decision, DecisionStatus, LineKind, LocalGuideline, Outcome

ZERO = Decimal("0.00")

SOURCE_LABELS = {
    "application": "Ansökan",
    "previous": "Förra månaden",
    "surplus": "Normöverskott förra månaden",
    "manual": "Handläggaren",
}

_MONEY_RE = re.compile(r"\A\d{1,9}(\.\d{1,2})?\Z")


def parse_money(value: Any, what: str) -> str:
    """A non-negative amount typed as '6 500,50' or '6500.50' -> '6500.50', else a Swedish error."""
    text = str(value if value is not None else "").strip()
    text = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if text.lower().endswith("kr"):
        text = text[:-2]
    if not _MONEY_RE.match(text):
        raise DomainError(
            "bad_amount",
            f"Beloppet för {what} måste vara ett belopp i kronor, till exempel 6 500 eller "
            f"6 500,50 (fick {value!r}).",
        )
    return f"{Decimal(text):.2f}"


def _month_text(month: dt.date) -> str:
    return f"{month:%Y-%m}"


# --- What the calculation is made from ---------------------------------------------------


_ROLE_ORDER = {MemberRole.APPLICANT: 0, MemberRole.CO_APPLICANT: 1, MemberRole.CHILD: 2}


def memberships_during(household, month: dt.date, memberships: list | None = None) -> list:
    """Everyone who belongs to the household some day of the month (a household registered
    mid-month counts for that month); a person whose role changed counts once, latest role.

    `memberships`: all of the household's memberships with their persons, ordered by
    (valid_from, id), when read set-wise for many households (`memberships_of`)."""
    last_day = add_months(month, 1) - dt.timedelta(days=1)
    if memberships is None:
        rows = (
            household.memberships.filter(valid_from__lte=last_day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=month))
            .select_related("person")
            .order_by("valid_from", "id")
        )
    else:
        rows = [
            m
            for m in memberships
            if m.valid_from <= last_day and (m.valid_to is None or m.valid_to > month)
        ]
    found = {}
    for membership in rows:
        found[membership.person_id] = membership
    return list(found.values())


def memberships_of(household_ids) -> dict[int, list]:
    """Every membership of the households with its person, in one query, for
    `memberships_during(..., memberships=)`."""
    found: dict[int, list] = {household_id: [] for household_id in household_ids}
    for membership in (
        HouseholdMembership.objects.filter(household_id__in=list(found))
        .select_related("person")
        .order_by("valid_from", "id")
    ):
        found[membership.household_id].append(membership)
    return found


def household_members(
    household, month: dt.date, memberships: list | None = None
) -> tuple[list[dict], int | None]:
    """The month's members: applicant, co-applicant, children (oldest first).

    Another adult in the household who is not a spouse or sambo (hushållsgemenskap) is a case
    of their own: not a member of this calculation, but counted in the shared household size.
    """
    memberships = memberships_during(household, month, memberships)
    members = [
        {
            "person_id": m.person_id,
            "name": m.person.full_name,
            "birth_date": m.person.birth_date.isoformat(),
            "role": m.role,
            "meals_outside_home": False,
        }
        for m in sorted(
            (m for m in memberships if m.role in _ROLE_ORDER),
            key=lambda m: (_ROLE_ORDER[m.role], m.person.birth_date),
        )
    ]
    others = [m for m in memberships if m.role == MemberRole.OTHER_ADULT]
    return members, (len(memberships) if others else None)


def previous_saved_calculation(case, month: dt.date) -> Calculation | None:
    """Last month's saved calculation: the one the decision in force used, else the latest."""
    previous_month = add_months(month, -1)
    decision = (
        Decision.objects.filter(case=case, month=previous_month, status=DecisionStatus.FINAL)
        .select_related("calculation")
        .order_by("-decided_at", "-id")
        .first()
    )
    if decision is not None:
        return decision.calculation
    return (
        Calculation.objects.filter(case=case, month=previous_month, saved_at__isnull=False)
        .order_by("-saved_at", "-id")
        .first()
    )


def granted_months_of(case_ids, before: dt.date) -> dict[int, set[dt.date]]:
    """Per case, the months before `before` with income support granted by a final decision
    (one query for all cases)."""
    found: dict[int, set[dt.date]] = {case_id: set() for case_id in case_ids}
    for case_id, month in Decision.objects.filter(
        case_id__in=list(found),
        status=DecisionStatus.FINAL,
        month__lt=before,
        lines__kind=LineKind.INCOME_SUPPORT,
        lines__amount_granted__gt=0,
    ).values_list("case_id", "month"):
        found[case_id].add(month)
    return found


def months_on_assistance(case, month: dt.date, granted_months: set | None = None) -> int:
    """Consecutive calendar months right before `month` with income support granted.

    `granted_months`: the case's granted months when read set-wise (`granted_months_of`);
    months from `month` on are ignored, so a set read up to a later month will do."""
    if granted_months is None:
        granted_months = granted_months_of([case.pk], month)[case.pk]
    count = 0
    current = add_months(month, -1)
    while current in granted_months:
        count += 1
        current = add_months(current, -1)
    return count


def guideline_in_force(unit_id: int, day: dt.date) -> LocalGuideline | None:
    return (
        LocalGuideline.objects.filter(
            unit_id=unit_id, valid_from__lte=day, verified_at__isnull=False
        )
        .order_by("-valid_from", "-id")
        .first()
    )


def _stated(items: Any) -> list[dict]:
    return [item for item in (items or []) if isinstance(item, dict)]


def _normalise_cost(item: dict) -> dict:
    cost_type = str(item.get("type") or item.get("code") or "other")
    description = str(item.get("description") or "")
    if cost_type not in COST_TYPES:
        description = f"{cost_type}: {description}".strip(": ")
        cost_type = "other"
    return {
        "type": cost_type,
        "amount": str(item.get("amount", "")),
        "description": description,
        "accepted_until": item.get("accepted_until") or "",
    }


def _income_person(item: dict, members: list[dict]) -> int | None:
    if item.get("person_id"):
        return int(item["person_id"])
    adults = [m for m in members if m["role"] in (MemberRole.APPLICANT, MemberRole.CO_APPLICANT)]
    index = item.get("member")
    if isinstance(index, int) and 0 <= index < len(adults):
        return adults[index]["person_id"]
    return adults[0]["person_id"] if adults else None


_UNREAD: Any = object()


def prefill(application, members: list[dict], previous: Any = _UNREAD) -> dict[str, Any]:
    """Costs, incomes and adjustments for a new calculation.

    Last month's saved calculation gives the recurring lines (reasonable costs, incomes, norm
    adjustments, meals, jobbstimulans periods) and any surplus to confirm; what the applicant
    states in this application replaces or adds to them. Items of other living costs are
    one-off needs and come only from this application. `previous`: last month's saved
    calculation when the caller has read it already (`previous_saved_calculation`).
    """
    if previous is _UNREAD:
        previous = previous_saved_calculation(application.case, application.month)
    costs: list[dict] = []
    incomes: list[dict] = []
    adjustments: list[dict] = []
    if previous is not None:
        for line in previous.costs:
            if COST_TYPES.get(line["type"]) and COST_TYPES[line["type"]].category == REASONABLE:
                costs.append({**line, "source": "previous"})
        for line in previous.incomes:
            if line["type"] != "previous_month_surplus":
                incomes.append({**line, "source": "previous"})
        adjustments = [{**line, "source": "previous"} for line in previous.norm_adjustments]
        surplus = Decimal(str((previous.result or {}).get("surplus", "0")))
        applicant = next((m for m in members if m["role"] == MemberRole.APPLICANT), None)
        if surplus > 0 and applicant is not None:
            incomes.append(
                {
                    "type": "previous_month_surplus",
                    "amount": f"{surplus:.2f}",
                    "person_id": applicant["person_id"],
                    "description": f"Normöverskott {_month_text(previous.month)} – bekräfta",
                    "source": "surplus",
                }
            )
        _carry_member_facts(previous, members)

    for item in _stated(application.stated_costs):
        stated = _normalise_cost(item)
        same = next(
            (c for c in costs if c["type"] == stated["type"] and c["source"] == "previous"), None
        )
        if same is not None and stated["type"] != "other":
            same.update(
                amount=stated["amount"],
                description=stated["description"] or same.get("description", ""),
                source="application",
            )
        else:
            costs.append({**stated, "source": "application"})

    for item in _stated(application.stated_incomes):
        income_type = str(item.get("type") or "other")
        description = str(item.get("description") or "")
        if income_type not in INCOME_TYPES:
            description = f"{income_type}: {description}".strip(": ")
            income_type = "other"
        person_id = _income_person(item, members)
        stated = {
            "type": income_type,
            "amount": str(item.get("amount", "")),
            "person_id": person_id,
            "description": description,
            "source": "application",
        }
        same = next(
            (
                i
                for i in incomes
                if i["type"] == income_type
                and i.get("person_id") == person_id
                and i["source"] == "previous"
            ),
            None,
        )
        if same is not None and income_type != "other":
            same.update(stated)
        else:
            incomes.append(stated)
    return {
        "costs": costs,
        "incomes": incomes,
        "norm_adjustments": adjustments,
        "prefilled_from": previous,
    }


def _carry_member_facts(previous: Calculation, members: list[dict]) -> None:
    """Meals outside home and running jobbstimulans periods follow the person."""
    before = {m["person_id"]: m for m in previous.members}
    index_person = {i: m["person_id"] for i, m in enumerate(previous.members)}
    periods = {
        index_person.get(p["member"]): p["period_start"]
        for p in (previous.result or {}).get("work_incentive", [])
    }
    for member in members:
        old = before.get(member["person_id"])
        if old is not None:
            member["meals_outside_home"] = bool(old.get("meals_outside_home"))
            if old.get("work_incentive_start"):
                member["work_incentive_start"] = old["work_incentive_start"]
        if periods.get(member["person_id"]):
            member["work_incentive_start"] = periods[member["person_id"]]


# --- Running the engine ------------------------------------------------------------------


def guideline_input(row: LocalGuideline | None) -> dict | None:
    if row is None:
        return None
    return {
        "name": row.name,
        "valid_from": row.valid_from.isoformat(),
        "rent_ceilings": {str(k): str(v) for k, v in (row.rent_ceilings or {}).items()},
        "cost_ceilings": {str(k): str(v) for k, v in (row.cost_ceilings or {}).items()},
    }


def build_input(calculation: Calculation) -> dict[str, Any]:
    """The engine's JSON input layout for this calculation (stored with the result)."""
    members = calculation.members
    index_of = {m["person_id"]: i for i, m in enumerate(members)}
    data: dict[str, Any] = {
        "month": _month_text(calculation.month),
        "members": [],
        "costs": [],
        "incomes": [],
        "norm_adjustments": [],
        "months_on_assistance": calculation.months_on_assistance,
    }
    for member in members:
        item: dict[str, Any] = {
            "birth_date": member["birth_date"],
            "role": "child" if member["role"] == MemberRole.CHILD else member["role"],
            "meals_outside_home": bool(member.get("meals_outside_home")),
        }
        if member.get("work_incentive_start"):
            item["work_incentive_start"] = member["work_incentive_start"]
        data["members"].append(item)
    for line in calculation.costs:
        cost = {
            "type": line["type"],
            "amount": line["amount"],
            "description": line.get("description", ""),
        }
        if line.get("accepted_until"):
            cost["accepted_until"] = line["accepted_until"]
        data["costs"].append(cost)
    for line in calculation.incomes:
        data["incomes"].append(
            {
                "type": line["type"],
                "amount": line["amount"],
                "member": _member_index(index_of, line.get("person_id")),
                "description": line.get("description", ""),
            }
        )
    for line in calculation.norm_adjustments:
        data["norm_adjustments"].append(
            {
                "type": line["type"],
                "amount": line["amount"],
                "reason": line.get("reason", ""),
                "member": _member_index(index_of, line.get("person_id")),
            }
        )
    if calculation.shared_household_size:
        data["shared_household_size"] = calculation.shared_household_size
    guidelines = guideline_input(calculation.local_guideline)
    if guidelines is not None:
        data["local_guidelines"] = guidelines
    return data


def _member_index(index_of: dict[int, int], person_id: Any) -> int | None:
    if person_id in (None, ""):
        return None
    index = index_of.get(int(person_id))
    if index is None:
        raise DomainError(
            "member_not_in_household",
            "En rad hör till en person som inte finns i hushållet den här månaden.",
        )
    return index


def run(calculation: Calculation, tables=None) -> None:
    """Calculate and store input, result (or the Swedish error) and the key figures.

    `tables`: the rules to use; by default those in force in the database (norms app)."""
    data = build_input(calculation)
    calculation.input = data
    try:
        result = calculate_from_dict(data, tables if tables is not None else rulebook())
    except CalculationError as error:
        calculation.result = None
        calculation.error = error.to_dict()
        calculation.amount_to_pay = None
        calculation.proposed_outcome = ""
        calculation.norm_year = None
        calculation.norm_version = calculation.norm_status = calculation.norm_sha256 = ""
        return
    stored = result.to_dict()
    calculation.result = stored
    calculation.error = None
    calculation.amount_to_pay = result.amount_to_pay
    calculation.proposed_outcome = result.proposed_outcome
    calculation.norm_year = result.norm_table.year
    calculation.norm_version = result.norm_table.version
    calculation.norm_status = result.norm_table.status
    calculation.norm_sha256 = result.norm_table.sha256
    calculation.rules_version = result.rules_version


# --- The result shown in Swedish -----------------------------------------------------------


@dataclass(frozen=True)
class Row:
    section: str
    label: str
    amount: Decimal | None
    reference: str
    style: str  # warning / line / subtotal / total / outcome

    @property
    def amount_text(self) -> str:
        return "" if self.amount is None else format_sek(self.amount)


def member_labels(members: list[dict]) -> list[str]:
    role_labels = {"applicant": "Sökande", "co_applicant": "Medsökande", "child": "Barn"}
    return [f"{m.get('name') or role_labels.get(m['role'], m['role'])}" for m in members]


def breakdown(calculation: Calculation) -> list[Row]:
    """The stored result, line by line, in reading order (as on the case page and letter)."""
    result = calculation.result
    if not result:
        return []
    labels = member_labels(calculation.members)
    rows = [Row("Observera", w["message"], None, "", "warning") for w in result["warnings"]]
    lines = result["lines"]

    def add_lines(section: str, selected: list[dict]) -> None:
        for line in selected:
            label = line["explanation"]
            if line["member"] is not None and line["member"] < len(labels):
                label = f"{labels[line['member']]}: {label}"
            rows.append(
                Row(section, label, Decimal(line["amount"]), line["rule_reference"], "line")
            )

    def total(section: str, label: str, amount: str, style: str = "subtotal") -> None:
        rows.append(Row(section, label, Decimal(amount), "", style))

    add_lines("Riksnormen", [x for x in lines if x["kind"] in ("norm", "norm_adjustment")])
    size = result["household_size"]
    persons = "1 person" if size == 1 else f"{size} personer"
    total("Riksnormen", f"Summa riksnorm ({persons})", result["norm_total"])
    for category, key in (
        (REASONABLE, "reasonable_costs_total"),
        (OTHER_LIVING, "other_living_costs_total"),
    ):
        section = COST_CATEGORY_LABELS[category]
        selected = [
            x
            for x in lines
            if x["kind"] in ("cost", "cost_reduction")
            and COST_TYPES[x["type"]].category == category
        ]
        if selected:
            add_lines(section, selected)
            total(section, f"Summa {section.lower()}", result[key])
    total("Resultat", "Summa behov", result["total_need"], "total")
    incomes = [x for x in lines if x["kind"] in ("income", "income_disregard")]
    if incomes:
        add_lines("Inkomster", incomes)
    total("Inkomster", "Summa inkomster som räknas", result["incomes_counted"])
    if Decimal(result["surplus"]) > 0:
        total("Resultat", "Normöverskott (inkomster över behovet)", result["surplus"], "total")
    total("Resultat", "Ekonomiskt bistånd enligt beräkningen", result["amount_to_pay"], "total")
    rows.append(
        Row(
            "Resultat",
            f"Förslag till beslut: {OUTCOME_LABELS[result['proposed_outcome']]}",
            None,
            "",
            "outcome",
        )
    )
    table = result["norm_table"]
    rows.append(
        Row(
            "Resultat",
            f"Riksnorm {table['year']}, tabellversion {table['version']} "
            f"(kontrollsumma {table['sha256'][:12]})",
            None,
            "",
            "line",
        )
    )
    return rows


# --- From the result to the decision's lines -----------------------------------------------


@dataclass(frozen=True)
class LineProposal:
    """One line the decision must decide, with what the calculation proposes."""

    key: str
    kind: str
    cost_type: str
    label: str
    amount_applied: Decimal
    max_grant: Decimal
    proposed_grant: Decimal
    proposed_outcome: str
    proposed_reasons: str
    proposed_ground: str

    def legal_basis(self, decided_on: dt.date, refusal_ground: str = "") -> str:
        return legal_basis(self.kind, decided_on, refusal_ground)


def _outcome(applied: Decimal, granted: Decimal) -> str:
    if granted <= 0:
        return Outcome.REFUSED
    if granted < applied:
        return Outcome.PARTLY_GRANTED
    return Outcome.GRANTED


def proposals(calculation: Calculation) -> list[LineProposal]:
    """Income support for the month, then each item of other living costs.

    Income support = norm + reasonable costs (after the local ceilings) - counted incomes; a
    surplus over that first pays towards the items of other living costs, in order. The
    proposed grants add up to the calculation's amount to pay.
    """
    result = calculation.result
    if not result:
        return []
    lines = result["lines"]
    norm = Decimal(result["norm_total"])
    incomes = Decimal(result["incomes_counted"])
    reasonable_after = Decimal(result["reasonable_costs_total"])
    reasonable_stated = sum(
        (
            Decimal(x["amount"])
            for x in lines
            if x["kind"] == "cost" and COST_TYPES[x["type"]].category == REASONABLE
        ),
        ZERO,
    )
    # Rows of one cost type share its ceiling: their reduction lines carry the same
    # explanation, so each explanation is given once with the sum of its lines.
    reduced: dict[str, Decimal] = {}
    for x in lines:
        if x["kind"] == "cost_reduction" and COST_TYPES[x["type"]].category == REASONABLE:
            reduced[x["explanation"]] = reduced.get(x["explanation"], ZERO) + Decimal(x["amount"])
    applied = max(ZERO, norm + reasonable_stated - incomes)
    cap = max(ZERO, norm + reasonable_after - incomes)
    surplus = max(ZERO, incomes - norm - reasonable_after)
    outcome = _outcome(applied, cap)
    reasons, ground = "", ""
    if outcome == Outcome.REFUSED:
        ground = "surplus"
        reasons = (
            f"Hushållets inkomster ({format_sek(incomes)}) är lika stora som eller större än "
            f"behovet enligt riksnormen och skäliga kostnader "
            f"({format_sek(norm + reasonable_after)}). Ni har därför inte rätt till "
            "försörjningsstöd för månaden."
        )
    elif outcome == Outcome.PARTLY_GRANTED:
        ground = "above_guideline"
        reasons = (
            " ".join(f"{text} ({format_sek(-amount)})." for text, amount in reduced.items())
            or "Hela det sökta beloppet räknas inte som skälig kostnad."
        )
    found = [
        LineProposal(
            key="income_support",
            kind=LineKind.INCOME_SUPPORT,
            cost_type="",
            label=f"Försörjningsstöd {_month_text(calculation.month)}",
            amount_applied=applied,
            max_grant=cap,
            proposed_grant=cap,
            proposed_outcome=outcome,
            proposed_reasons=reasons,
            proposed_ground=ground,
        )
    ]
    items: list[dict] = []
    for line in lines:
        if line["kind"] not in ("cost", "cost_reduction"):
            continue
        if COST_TYPES[line["type"]].category != OTHER_LIVING:
            continue
        if line["kind"] == "cost":
            items.append({"line": line, "stated": Decimal(line["amount"]), "reduction": ZERO})
        elif items:
            items[-1]["reduction"] += Decimal(line["amount"])
            items[-1]["reduction_text"] = line["explanation"]
    remaining_surplus = surplus
    for number, item in enumerate(items, start=1):
        line = item["line"]
        after_ceiling = item["stated"] + item["reduction"]
        covered = min(remaining_surplus, after_ceiling)
        remaining_surplus -= covered
        grant = after_ceiling - covered
        outcome = _outcome(item["stated"], grant)
        reasons, ground = "", ""
        parts = []
        if item["reduction"]:
            parts.append(f"{item.get('reduction_text', '')}.")
            ground = "above_guideline"
        if covered:
            parts.append(
                f"Hushållets inkomster över behovet ({format_sek(covered)}) räcker till en del "
                "av kostnaden."
                if grant
                else "Hushållets inkomster räcker till kostnaden."
            )
            ground = ground or "surplus"
        if outcome != Outcome.GRANTED:
            reasons = " ".join(parts) or "Inget belopp har angetts för kostnaden."
        found.append(
            LineProposal(
                key=f"other_living:{number}",
                kind=LineKind.OTHER_LIVING_COSTS,
                cost_type=line["type"],
                label=line["explanation"],
                amount_applied=item["stated"],
                max_grant=after_ceiling,
                proposed_grant=grant,
                proposed_outcome=outcome,
                proposed_reasons=reasons,
                proposed_ground=ground,
            )
        )
    return found
