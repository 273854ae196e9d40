"""Income support for one household and one month: norm + reasonable costs - counted incomes.

Arithmetic as in calculation-rules.md sections 1-5: the household's need is the riksnorm
(personal costs of every member + common household costs) plus costs outside the norm; the
counted incomes are all incomes less the disregards (jobbstimulans, a child's work income up
to one prisbasbelopp a year). A deficit is the amount to pay; a surplus (normöverskott) gives
a proposed refusal. Amounts are exact Decimals; derived amounts (shares, part months, 25 %)
are rounded once, to öre, half up. No other rounding rule was found in the sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from .catalogue import (
    ADJUSTMENT_INCREASE,
    ADJUSTMENT_TYPES,
    COST_TYPES,
    INCOME_TYPES,
    REASONABLE,
    ROLE_APPLICANT,
    ROLE_CHILD,
    ROLE_CO_APPLICANT,
)
from .errors import InputError, NormTableError
from .inputs import CalculationInput, Cost, LocalGuidelines, Member
from .money import CENT, MAX_AMOUNT, ZERO, check_amount, format_sek, round_to_ore
from .months import Month, parse_date
from .result import CalculationResult, MemberSummary, ResultLine, WorkIncentivePeriod
from .rules import (
    MAX_AGE_WITH_LUNCH_SPLIT,
    MAX_CHILD_AGE,
    MAX_TABLED_HOUSEHOLD_SIZE,
    RULES_VERSION,
    IncentiveRule,
)
from .tables import CalculationWarning, NormTable, NormTables, default_norm_tables

_new = tuple.__new__  # builds NamedTuples without keyword handling (hot path)
_NO_CEILINGS: dict[str, Decimal] = {}

# code -> (label, rule id)
_COST_INFO = {
    code: (cost.label, "cost.reasonable" if cost.category == REASONABLE else "cost.other_living")
    for code, cost in COST_TYPES.items()
}
# code -> (label, income from employment)
_INCOME_INFO = {code: (income.label, income.employment) for code, income in INCOME_TYPES.items()}


class _Part(NamedTuple):
    """A precomputed norm amount with its explanation and rule id (None amount: missing)."""

    amount: Decimal | None
    explanation: str
    rule: str
    missing: str  # what the table lacks, for the error, when amount is None


class _NormParts(NamedTuple):
    single: _Part
    couple: _Part
    child: tuple[tuple[_Part, _Part], ...]  # by age: (eats lunch at home, not at home)
    common: tuple[_Part, ...]  # by household size 0..7 (0 unused)


@lru_cache(maxsize=64)
def _norm_parts(table: NormTable) -> _NormParts:
    """Look up every amount of a table once, with its Swedish explanation."""
    year = f"(riksnorm {table.year})"
    single = _Part(
        table.single_adult,
        f"Personliga kostnader, ensamstående vuxen {year}",
        "norm.adult_single",
        "ensamstående vuxen",
    )
    couple = _Part(
        table.cohabiting_couple,
        f"Personliga kostnader, sambor/makar tillsammans {year}",
        "norm.adult_cohabiting",
        "sambor/makar",
    )
    child = []
    for age, bracket in enumerate(table.bracket_by_age):
        at_home = _Part(
            bracket.amount,
            f"Personliga kostnader, barn {bracket.label} {year}",
            "norm.child",
            f"barn {bracket.label}",
        )
        if age <= MAX_AGE_WITH_LUNCH_SPLIT:
            away = _Part(
                bracket.amount_without_lunch,
                f"Personliga kostnader, barn {bracket.label} som inte äter lunch hemma "
                f"5 dagar i veckan {year}",
                "norm.child_no_lunch",
                f"barn {bracket.label} som inte äter lunch hemma 5 dagar i veckan",
            )
        else:
            away = at_home  # ages 7+ have one amount only
        child.append((at_home, away))
    common = [_Part(None, "", "norm.common", "")]
    for size in range(1, MAX_TABLED_HOUSEHOLD_SIZE + 1):
        persons = "1 person" if size == 1 else f"{size} personer"
        common.append(
            _Part(
                table.common_by_size.get(size),
                f"Gemensamma hushållskostnader, {persons} {year}",
                "norm.common",
                f"gemensamma hushållskostnader för {persons}",
            )
        )
    return _NormParts(single, couple, tuple(child), tuple(common))


def calculate(calc_input: CalculationInput, tables: NormTables | None = None) -> CalculationResult:
    """Calculate income support for the household and month in `calc_input`.

    Raises InputError for invalid input and NormTableError when the norm tables cannot
    answer (no table for the month, or a needed amount missing from it).
    """
    month = calc_input.month
    if type(month) is not Month:
        month = Month.parse(month)
    if tables is None:
        tables = default_norm_tables()
    table = tables.for_month(month, calc_input.norm_table_sha256)
    month_rules = tables.rules_for(month)
    references = month_rules.references
    warnings: list[CalculationWarning] = list(table.warnings)
    lines: list[ResultLine] = []
    members = calc_input.members

    applicant, co_applicant, children, summaries = _household(members, month)
    size = len(members)
    norm_total = _norm_lines(
        lines, calc_input, table, references, warnings, month, applicant, co_applicant, children
    )
    reasonable_total, other_living_total, reduced = _cost_lines(
        lines, calc_input, references, warnings, month, size
    )
    incomes_total, incomes_counted, periods = _income_lines(
        lines, calc_input, table, references, warnings, month, applicant, month_rules.incentive
    )

    costs_total = reasonable_total + other_living_total
    total_need = norm_total + costs_total
    balance = incomes_counted - total_need
    if balance < ZERO:
        amount_to_pay = -balance
        surplus = ZERO
        outcome = "partly_granted" if reduced else "granted"
    else:
        amount_to_pay = ZERO
        surplus = balance
        outcome = "refused"  # normöverskott: no försörjningsstöd (rules section 1)
    # Positional, in CalculationResult's field order (faster than keywords on this path).
    return _new(
        CalculationResult,
        (
            month,
            tuple(summaries),
            size,
            tuple(lines),
            norm_total,
            reasonable_total,
            other_living_total,
            costs_total,
            total_need,
            incomes_total,
            incomes_counted,
            amount_to_pay,
            surplus,
            outcome,
            tuple(periods),
            table,
            calc_input.local_guidelines,
            tuple(warnings),
            RULES_VERSION,
        ),
    )


def _household(
    members: tuple[Member, ...], month: Month
) -> tuple[int, int | None, list[tuple[int, Member, int]], list[MemberSummary]]:
    """Check the members; find the applicant, the co-applicant and the children with ages."""
    year, month_number = month
    applicant: int | None = None
    co_applicant: int | None = None
    children: list[tuple[int, Member, int]] = []
    summaries: list[MemberSummary] = []
    for index, member in enumerate(members):
        birth = member.birth_date
        if type(birth) is not date:
            birth = parse_date(birth, f"members[{index}].birth_date")
        if birth.year > year or (birth.year == year and birth.month > month_number):
            raise InputError(
                "member_born_after_month",
                f"Hushållsmedlem {index + 1} är född {birth.isoformat()}, efter {month}.",
                field=f"members[{index}].birth_date",
            )
        # The age reached during the month gives the norm bracket for the whole month.
        age = year - birth.year - (birth.month > month_number)
        role = member.role
        if role == ROLE_CHILD:
            if age > MAX_CHILD_AGE:
                raise InputError(
                    "child_too_old",
                    f"Hushållsmedlem {index + 1} är {age} år. Barn och skolungdomar räknas till "
                    "hushållet till och med 20 år; en äldre person är ett eget ärende "
                    "(hushållsgemenskap).",
                    field=f"members[{index}].birth_date",
                )
            children.append((index, member, age))
        elif member.days_in_household is not None:
            raise InputError(
                "invalid_days_in_household",
                "Dagar i hushållet kan bara anges för barn.",
                field=f"members[{index}].days_in_household",
            )
        elif role == ROLE_APPLICANT:
            if applicant is not None:
                raise InputError(
                    "several_applicants",
                    "Hushållet kan bara ha en sökande.",
                    field=f"members[{index}].role",
                )
            applicant = index
        elif role == ROLE_CO_APPLICANT:
            if co_applicant is not None:
                raise InputError(
                    "several_co_applicants",
                    "Hushållet kan bara ha en medsökande.",
                    field=f"members[{index}].role",
                )
            co_applicant = index
        else:
            raise InputError(
                "unknown_role",
                f"Okänd roll {role!r}; rollen ska vara applicant, co_applicant eller child.",
                field=f"members[{index}].role",
            )
        summaries.append(_new(MemberSummary, (role, age)))
    if applicant is None:
        raise InputError("no_applicant", "Hushållet saknar sökande.", field="members")
    return applicant, co_applicant, children, summaries


def _norm_lines(
    lines: list[ResultLine],
    calc_input: CalculationInput,
    table: NormTable,
    references: Mapping[str, str],
    warnings: list[CalculationWarning],
    month: Month,
    applicant: int,
    co_applicant: int | None,
    children: list[tuple[int, Member, int]],
) -> Decimal:
    """The riksnorm lines (personal costs, common costs, adjustments); returns the norm total."""
    parts = _norm_parts(table)
    append = lines.append

    # Adults: one amount for a single adult, one amount for a cohabiting couple together.
    if co_applicant is None:
        part, line_type, owner = parts.single, "personal_single_adult", applicant
    else:
        part, line_type, owner = parts.couple, "personal_cohabiting_couple", None
    amount = part.amount
    if amount is None:
        raise table.missing(part.missing, f"members[{applicant}].role")
    append(
        _new(
            ResultLine,
            ("norm", line_type, amount, part.explanation, part.rule, references[part.rule], owner),
        )
    )
    norm_total = amount

    for index, member, age in children:
        part = parts.child[age][
            1 if member.meals_outside_home and age <= MAX_AGE_WITH_LUNCH_SPLIT else 0
        ]
        amount = part.amount
        if amount is None:
            raise table.missing(part.missing, f"members[{index}]")
        explanation, rule = part.explanation, part.rule
        days = member.days_in_household
        if days is not None:
            days_in_month = month.days
            if type(days) is not int or not 1 <= days <= days_in_month:
                raise InputError(
                    "invalid_days_in_household",
                    f"Dagar i hushållet ska vara 1–{days_in_month} för {month} (fick {days!r}).",
                    field=f"members[{index}].days_in_household",
                )
            if days < days_in_month:
                amount = round_to_ore(amount * days / days_in_month)
                explanation = f"{explanation}, {days} av {days_in_month} dagar"
                rule = "norm.child_part_month"
                _warn_once(
                    warnings,
                    "part_month_unverified",
                    "Barn som bor i hushållet del av månaden räknas efter antal dagar "
                    "(månadsbelopp × dagar ÷ dagar i månaden). Hur delmånader ska räknas och "
                    "avrundas är inte verifierat; kontrollera beloppet.",
                )
        append(
            _new(
                ResultLine,
                ("norm", "personal_child", amount, explanation, rule, references[rule], index),
            )
        )
        norm_total += amount

    # Common household costs, by the number of members.
    size = len(calc_input.members)
    shared = calc_input.shared_household_size
    if shared is None:
        if size <= MAX_TABLED_HOUSEHOLD_SIZE:
            part = parts.common[size]
            amount = part.amount
            if amount is None:
                raise table.missing(part.missing, "members")
            explanation, rule = part.explanation, part.rule
        else:
            amount, how = table.common_costs(size)
            explanation = f"Gemensamma hushållskostnader, {how} (riksnorm {table.year})"
            rule = "norm.common_above_7"
    else:
        if type(shared) is not int or shared <= size:
            raise InputError(
                "invalid_shared_household_size",
                f"Hushållsgemenskapen ska ha fler personer än de {size} i beräkningen "
                f"(fick {shared!r}).",
                field="shared_household_size",
            )
        whole, how = table.common_costs(shared)
        # SFS 2020:1013: the common costs of the whole household divided by its members.
        amount = round_to_ore(whole * size / shared)
        explanation = (
            f"Gemensamma hushållskostnader i hushållsgemenskap: {format_sek(whole)} "
            f"({how}) ÷ {shared} × {size} (riksnorm {table.year})"
        )
        rule = "norm.common_shared_household"
    append(
        _new(
            ResultLine,
            ("norm", "household_common_costs", amount, explanation, rule, references[rule], None),
        )
    )
    norm_total += amount

    # The norm set higher or lower for special reasons (SOSFS 2013:1).
    for index, adjustment in enumerate(calc_input.norm_adjustments):
        path = f"norm_adjustments[{index}]"
        if adjustment.type not in ADJUSTMENT_TYPES:
            raise InputError(
                "unknown_adjustment_type",
                f"Okänd normjustering {adjustment.type!r}; den ska vara increase eller decrease.",
                field=f"{path}.type",
            )
        amount = check_amount(adjustment.amount, f"{path}.amount")
        reason = adjustment.reason.strip() if isinstance(adjustment.reason, str) else ""
        if not reason:
            raise InputError(
                "missing_reason",
                "En justering av normen måste ha ett skäl.",
                field=f"{path}.reason",
            )
        if adjustment.member is not None:
            _check_member(adjustment.member, size, f"{path}.member")
        increase = adjustment.type == ADJUSTMENT_INCREASE
        signed = amount if increase else -amount
        append(
            ResultLine(
                "norm_adjustment",
                adjustment.type,
                signed,
                f"Normen {'höjd' if increase else 'sänkt'}: {reason}",
                "norm.adjustment",
                references["norm.adjustment"],
                adjustment.member,
            )
        )
        norm_total += signed
    if norm_total < ZERO:
        raise InputError(
            "norm_adjustment_too_large",
            "Normen kan inte sänkas under noll.",
            field="norm_adjustments",
        )
    return norm_total


def _cost_lines(
    lines: list[ResultLine],
    calc_input: CalculationInput,
    references: Mapping[str, str],
    warnings: list[CalculationWarning],
    month: Month,
    size: int,
) -> tuple[Decimal, Decimal, bool]:
    """Cost lines, capped at the local ceilings; returns (reasonable, other living, reduced).

    A ceiling applies to the total of all rows of its cost type in the month (rules section 3
    "Municipal caps": the highest accepted cost, not the highest accepted row).
    """
    append = lines.append
    guidelines = calc_input.local_guidelines
    ceilings = _NO_CEILINGS if guidelines is None else guidelines.ceilings_for_size(size)
    reasonable_total = other_living_total = ZERO
    # cost type -> its rows: (position of the cost line's successor, index, cost, amount)
    capped: dict[str, list[tuple[int, int, Cost, Decimal]]] | None = None
    for index, cost in enumerate(calc_input.costs):
        cost_type = cost.type
        info = _COST_INFO.get(cost_type)
        if info is None:
            raise InputError(
                "unknown_cost_type",
                f"Okänd kostnadstyp {cost_type!r}.",
                field=f"costs[{index}].type",
            )
        label, rule = info
        amount = cost.amount
        if not (  # is_valid_amount(), inlined
            type(amount) is Decimal
            and amount.is_finite()
            and ZERO <= amount < MAX_AMOUNT
            and amount == amount.quantize(CENT)
        ):
            amount = check_amount(amount, f"costs[{index}].amount")
        explanation = f"{label}: {cost.description}" if cost.description else label
        append(
            _new(ResultLine, ("cost", cost_type, amount, explanation, rule, references[rule], None))
        )
        if rule == "cost.reasonable":
            reasonable_total += amount
        else:
            other_living_total += amount
        if cost_type in ceilings:
            row = (len(lines), index, cost, amount)
            if capped is None:
                capped = {cost_type: [row]}
            elif cost_type in capped:
                capped[cost_type].append(row)
            else:
                capped[cost_type] = [row]
        elif cost_type == "rent":
            _warn_once(
                warnings,
                "rent_not_checked",
                "Boendekostnaden är inte prövad mot någon högsta godtagbar boendekostnad: "
                f"kommunens riktlinjer saknas eller har ingen nivå för {size} "
                f"{'person' if size == 1 else 'personer'}.",
            )
    if capped is None:
        return reasonable_total, other_living_total, False

    reductions: list[tuple[int, ResultLine]] = []
    for cost_type, rows in capped.items():
        ceiling = ceilings[cost_type]
        total = rows[0][3] if len(rows) == 1 else sum([row[3] for row in rows], ZERO)
        if total <= ceiling:
            continue
        reductions += _ceiling_reductions(
            cost_type, rows, total, ceiling, references, warnings, month, size, guidelines
        )
    if not reductions:
        return reasonable_total, other_living_total, False
    # Each reduction goes right after its cost line; inserting from the end keeps positions.
    reductions.sort(key=_position, reverse=True)
    for position, line in reductions:
        lines.insert(position, line)
        if _COST_INFO[line.type][1] == "cost.reasonable":
            reasonable_total += line.amount
        else:
            other_living_total += line.amount
    return reasonable_total, other_living_total, True


def _position(reduction: tuple[int, ResultLine]) -> int:
    return reduction[0]


def _ceiling_reductions(
    cost_type: str,
    rows: list[tuple[int, int, Cost, Decimal]],
    total: Decimal,
    ceiling: Decimal,
    references: dict[str, str],
    warnings: list[CalculationWarning],
    month: Month,
    size: int,
    guidelines: LocalGuidelines | None,
) -> list[tuple[int, ResultLine]]:
    """The cost_reduction lines that bring the rows of one cost type down to its ceiling.

    A row accepted above the ceiling until this month or later counts in full; the other rows
    share what is left of the ceiling in the order given, so the later rows are reduced first.
    """
    label = _COST_INFO[cost_type][0]
    room = ceiling
    open_rows = []
    for row in rows:
        position, index, cost, amount = row
        until = cost.accepted_until
        if until is not None and type(until) is not Month:
            until = Month.parse(until, f"costs[{index}].accepted_until")
        if until is not None and month <= until:
            room -= amount
            warnings.append(
                CalculationWarning(
                    "cost_above_ceiling_accepted",
                    f"{label} {format_sek(amount)} är över kommunens högsta godtagbara "
                    f"nivå {format_sek(ceiling)} men godtas till och med {until}."
                    if len(rows) == 1
                    else f"{label} sammanlagt {format_sek(total)} är över kommunens högsta "
                    f"godtagbara nivå {format_sek(ceiling)}; {format_sek(amount)} godtas till "
                    f"och med {until}.",
                )
            )
        else:
            open_rows.append(row)
    if not open_rows:
        return []
    explanation, reference = _ceiling_texts(
        label,
        ceiling,
        size,
        references["cost.local_ceiling"],
        guidelines.name if guidelines else "",
        None if len(rows) == 1 else total,
    )
    reductions = []
    for position, _index, _cost, amount in open_rows:
        counted = amount if amount <= room else max(room, ZERO)
        room -= counted
        if counted != amount:
            reductions.append(
                (
                    position,
                    _new(
                        ResultLine,
                        (
                            "cost_reduction",
                            cost_type,
                            counted - amount,
                            explanation,
                            "cost.local_ceiling",
                            reference,
                            None,
                        ),
                    ),
                )
            )
    return reductions


def _income_lines(
    lines: list[ResultLine],
    calc_input: CalculationInput,
    table: NormTable,
    references: Mapping[str, str],
    warnings: list[CalculationWarning],
    month: Month,
    applicant: int,
    incentive: IncentiveRule,
) -> tuple[Decimal, Decimal, list[WorkIncentivePeriod]]:
    """Income lines and their disregards; returns (all incomes, counted incomes, periods)."""
    append = lines.append
    members = calc_input.members
    size = len(members)
    incomes_total = incomes_counted = ZERO
    periods: dict[int, WorkIncentivePeriod | None] = {}
    child_earned: dict[int, Decimal] = {}
    counted_reference = references["income.counted"]
    for index, income in enumerate(calc_input.incomes):
        income_type = income.type
        info = _INCOME_INFO.get(income_type)
        if info is None:
            raise InputError(
                "unknown_income_type",
                f"Okänd inkomsttyp {income_type!r}.",
                field=f"incomes[{index}].type",
            )
        label, employment = info
        amount = income.amount
        if not (  # is_valid_amount(), inlined
            type(amount) is Decimal
            and amount.is_finite()
            and ZERO <= amount < MAX_AMOUNT
            and amount == amount.quantize(CENT)
        ):
            amount = check_amount(amount, f"incomes[{index}].amount")
        owner = income.member
        if owner is None:
            owner = applicant
        elif type(owner) is not int or not 0 <= owner < size:
            _check_member(owner, size, f"incomes[{index}].member")
        explanation = f"{label}: {income.description}" if income.description else label
        append(
            _new(
                ResultLine,
                (
                    "income",
                    income_type,
                    amount,
                    explanation,
                    "income.counted",
                    counted_reference,
                    owner,
                ),
            )
        )
        incomes_total += amount
        if employment and amount:
            member = members[owner]
            if member.role == ROLE_CHILD:
                disregard = _child_earnings_disregard(table, member, owner, amount, child_earned)
                if disregard:
                    append(
                        ResultLine(
                            "income_disregard",
                            income_type,
                            -disregard,
                            "Barns arbetsinkomst upp till ett prisbasbelopp per år "
                            f"({format_sek(table.price_base_amount or ZERO)}) räknas inte",
                            "income.child_earnings",
                            references["income.child_earnings"],
                            owner,
                        )
                    )
                    amount -= disregard
            else:
                if owner in periods:
                    period = periods[owner]
                else:
                    period = periods[owner] = _work_incentive_period(
                        member, owner, month, calc_input.months_on_assistance, incentive
                    )
                if period is not None:
                    disregard = round_to_ore(amount * incentive.share)
                    append(
                        _new(
                            ResultLine,
                            (
                                "income_disregard",
                                income_type,
                                -disregard,
                                _work_incentive_explanation(
                                    period.period_start, period.period_end, incentive.share
                                ),
                                "income.work_incentive",
                                references["income.work_incentive"],
                                owner,
                            ),
                        )
                    )
                    amount -= disregard
        elif income_type == "job_premium":
            _warn_once(
                warnings,
                "job_premium_treatment_unknown",
                "Jobbpremien räknas här som inkomst. Om den ska räknas vid prövningen av "
                "försörjningsstöd är inte fastställt i de källor som lästs; kontrollera.",
            )
        elif income_type == "previous_month_surplus":
            _warn_once(
                warnings,
                "previous_surplus_confirm",
                "Normöverskott från föregående månad räknas som inkomst (HFD 2017 ref. 51). "
                "Handläggaren ska bekräfta det; hur länge ett överskott får föras vidare "
                "(högst tre månader enligt en inofficiell källa) är inte verifierat.",
            )
        incomes_counted += amount
    return (
        incomes_total,
        incomes_counted,
        [period for period in periods.values() if period is not None],
    )


@lru_cache(maxsize=1024)
def _period_end(start: Month, period_months: int) -> Month:
    """The last month of a (two-year) jobbstimulans period starting in `start`."""
    return start.plus(period_months - 1)


@lru_cache(maxsize=1024)
def _work_incentive_explanation(start: Month, end: Month, share: Decimal) -> str:
    percent = format(share * 100, "f").rstrip("0").rstrip(".")
    return (
        f"Jobbstimulans: {percent} % av inkomsten av anställning räknas inte "
        f"(period {start} – {end})"
    )


def _work_incentive_period(
    member: Member, index: int, month: Month, household_months: int, incentive: IncentiveRule
) -> WorkIncentivePeriod | None:
    """The jobbstimulans period covering `month` for this adult, or None.

    Rule (calculation-rules.md section 5): a person who has had försörjningsstöd six months
    in a row has 25 % of income from employment disregarded, for two years; after that it
    applies again once the person has had six new months in a row. Counting convention used
    (the meddelandeblad with the details was not read): the two years start with the first
    month the disregard is applied, i.e. a qualifying month with income from employment.
    """
    months = member.months_on_assistance
    if months is None:
        months = household_months
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise InputError(
            "invalid_number",
            f"Antal månader med försörjningsstöd ska vara ett heltal, 0 eller större (fick {months!r}).",
            field=f"members[{index}].months_on_assistance",
        )
    start = member.work_incentive_start
    if start is not None:
        if type(start) is not Month:
            start = Month.parse(start, f"members[{index}].work_incentive_start")
        if start > month:
            raise InputError(
                "invalid_work_incentive_start",
                f"Jobbstimulansens period kan inte börja ({start}) efter {month}.",
                field=f"members[{index}].work_incentive_start",
            )
        end = _period_end(start, incentive.period_months)
        if month <= end:
            return _new(WorkIncentivePeriod, (index, start, end, month == start))
        # Period over: again only after six months in a row that all lie after it ended.
        qualifying = incentive.qualifying_months
        if months >= qualifying and month.ordinal - end.ordinal > qualifying:
            return _new(
                WorkIncentivePeriod,
                (index, month, _period_end(month, incentive.period_months), True),
            )
        return None
    if months >= incentive.qualifying_months:
        return _new(
            WorkIncentivePeriod, (index, month, _period_end(month, incentive.period_months), True)
        )
    return None


def _child_earnings_disregard(
    table: NormTable, member: Member, index: int, amount: Decimal, earned: dict[int, Decimal]
) -> Decimal:
    """The part of a child's work income not counted: up to one prisbasbelopp per year."""
    price_base = table.price_base_amount
    if price_base is None:
        raise NormTableError(
            "price_base_amount_missing",
            f"Prisbasbeloppet för {table.year} saknas i normtabellen; barns arbetsinkomst kan "
            "inte beräknas.",
            field=f"members[{index}]",
        )
    before = earned.get(index)
    if before is None:
        before = check_amount(
            member.earned_earlier_this_year, f"members[{index}].earned_earlier_this_year"
        )
    earned[index] = before + amount
    left = price_base - before
    if left <= 0:
        return ZERO
    return amount if amount <= left else left


def _check_member(member: object, size: int, field: str) -> None:
    if isinstance(member, bool) or not isinstance(member, int) or not 0 <= member < size:
        raise InputError(
            "unknown_member",
            f"Hushållsmedlem {member!r} finns inte; ange ett index 0–{size - 1} i members.",
            field=field,
        )


def _warn_once(warnings: list[CalculationWarning], code: str, message: str) -> None:
    for warning in warnings:
        if warning.code == code:
            return
    warnings.append(CalculationWarning(code, message))


@lru_cache(maxsize=1024)
def _ceiling_texts(
    label: str,
    ceiling: Decimal,
    size: int,
    reference: str,
    guidelines_name: str,
    total: Decimal | None = None,
) -> tuple[str, str]:
    """Explanation and reference of a cost_reduction line (the same few recur).

    `total`: the sum of the cost type's rows, when there are several.
    """
    persons = "1 person" if size == 1 else f"{size} personer"
    what = label if total is None else f"{label} sammanlagt {format_sek(total)}"
    explanation = (
        f"{what} över kommunens högsta godtagbara nivå {format_sek(ceiling)} för {persons} "
        "räknas inte"
    )
    return explanation, f"{reference} ({guidelines_name})" if guidelines_name else reference
