"""Properties that hold for every household the tables can answer (hypothesis)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bistand.calculation import (
    COST_TYPES,
    INCOME_TYPES,
    CalculationInput,
    Cost,
    Income,
    LocalGuidelines,
    Member,
    Month,
    calculate,
)
from bistand.calculation.result import COST_KINDS, INCOME_KINDS, NORM_KINDS

FULL_YEARS = (2019, 2020, 2021, 2022, 2023, 2024)  # every amount present (lunch split: 2019, 2021)
LUNCH_SPLIT_YEARS = (2019, 2021)

amounts = st.decimals(min_value=0, max_value=60000, places=2, allow_nan=False, allow_infinity=False)
months = st.builds(Month, st.sampled_from(FULL_YEARS), st.integers(1, 12))


def born(month: Month, age: int, day_offset: int) -> date:
    """A birth date that gives `age` in `month` (born in or before the month)."""
    birth_month = (month.month - 1 - day_offset % 12) % 12 + 1
    year = month.year - age - (1 if birth_month > month.month else 0)
    return date(year, birth_month, 1 + day_offset % 28)


@st.composite
def children(draw, month: Month):
    age = draw(st.integers(0, 20))
    lunch = month.year in LUNCH_SPLIT_YEARS and age <= 6 and draw(st.booleans())
    return Member(
        born(month, age, draw(st.integers(0, 400))),
        "child",
        meals_outside_home=lunch,
        earned_earlier_this_year=draw(amounts),
    )


@st.composite
def households(draw):
    month = draw(months)
    members = [
        Member(born(month, draw(st.integers(18, 80)), draw(st.integers(0, 400))), "applicant")
    ]
    if draw(st.booleans()):
        members.append(
            Member(
                born(month, draw(st.integers(18, 80)), draw(st.integers(0, 400))), "co_applicant"
            )
        )
    members.extend(draw(st.lists(children(month), max_size=7)))
    size = len(members)
    costs = draw(
        st.lists(st.builds(Cost, st.sampled_from(sorted(COST_TYPES)), amounts), max_size=6)
    )
    incomes = []
    for income_type, amount, owner in draw(
        st.lists(
            st.tuples(st.sampled_from(sorted(INCOME_TYPES)), amounts, st.integers(0, size - 1)),
            max_size=4,
        )
    ):
        # A child's wages need the year's prisbasbelopp, which riksnorm.json has from 2022.
        if income_type == "wages" and members[owner].role == "child" and month.year < 2022:
            owner = 0
        incomes.append(Income(income_type, amount, owner))
    guidelines = draw(
        st.one_of(
            st.none(),
            st.builds(
                LocalGuidelines,
                rent_ceilings=st.dictionaries(st.integers(1, 8), amounts, max_size=4),
                cost_ceilings=st.dictionaries(
                    st.sampled_from(sorted(set(COST_TYPES) - {"rent"})), amounts, max_size=3
                ),
            ),
        )
    )
    shared = draw(st.one_of(st.none(), st.integers(size + 1, size + 6)))
    return CalculationInput(
        month=month,
        members=tuple(members),
        costs=tuple(costs),
        incomes=tuple(incomes),
        months_on_assistance=draw(st.integers(0, 40)),
        shared_household_size=shared,
        local_guidelines=guidelines,
    )


@settings(max_examples=300, deadline=None)
@given(households(), amounts, st.sampled_from(sorted(INCOME_TYPES)))
def test_more_income_never_raises_the_amount_to_pay(calc_input, extra, income_type):
    before = calculate(calc_input)
    added = calculate(
        replace(calc_input, incomes=(*calc_input.incomes, Income(income_type, extra, 0)))
    )
    assert added.amount_to_pay <= before.amount_to_pay
    if calc_input.incomes:
        first, *rest = calc_input.incomes
        raised = calculate(
            replace(calc_input, incomes=(replace(first, amount=first.amount + extra), *rest))
        )
        assert raised.amount_to_pay <= before.amount_to_pay


@settings(max_examples=300, deadline=None)
@given(households(), st.data())
def test_adding_a_child_never_lowers_the_norm(calc_input, data):
    new_child = data.draw(children(calc_input.month))
    shared = calc_input.shared_household_size
    bigger = replace(
        calc_input,
        members=(*calc_input.members, new_child),
        shared_household_size=None if shared is None else shared + 1,
    )
    assert calculate(bigger).norm_total >= calculate(calc_input).norm_total


@settings(max_examples=300, deadline=None)
@given(households())
def test_amount_to_pay_is_never_negative(calc_input):
    result = calculate(calc_input)
    assert result.amount_to_pay >= 0
    assert result.surplus >= 0
    assert not (result.amount_to_pay > 0 and result.surplus > 0)
    assert result.amount_to_pay == max(Decimal(0), result.total_need - result.incomes_counted)


@settings(max_examples=300, deadline=None)
@given(households())
def test_lines_always_sum_to_the_totals(calc_input):
    result = calculate(calc_input)

    def total(kinds):
        return sum((line.amount for line in result.lines if line.kind in kinds), Decimal(0))

    assert total(NORM_KINDS) == result.norm_total
    assert total(COST_KINDS) == result.costs_total
    assert result.costs_total == result.reasonable_costs_total + result.other_living_costs_total
    assert total({"income"}) == result.incomes_total
    assert total(INCOME_KINDS) == result.incomes_counted
    assert result.total_need == result.norm_total + result.costs_total
    assert result.total_need - result.incomes_counted == result.amount_to_pay - result.surplus
    for line in result.lines:
        assert line.amount == line.amount.quantize(Decimal("0.01"))
        assert line.explanation and line.rule_reference


@st.composite
def households_with_ceilings(draw):
    """Several rows of the same few cost types against ceilings, some accepted until a month."""
    calc_input = draw(households())
    month = calc_input.month
    accepted_until = st.one_of(
        st.none(), st.builds(month.plus, st.integers(-3, 3)), st.just(str(month))
    )
    costs = draw(
        st.lists(
            st.builds(
                Cost,
                st.sampled_from(["rent", "household_electricity", "medicine"]),
                amounts,
                accepted_until=accepted_until,
            ),
            max_size=8,
        )
    )
    guidelines = LocalGuidelines(
        rent_ceilings=draw(st.dictionaries(st.integers(1, 8), amounts, min_size=1, max_size=3)),
        cost_ceilings=draw(
            st.dictionaries(
                st.sampled_from(["household_electricity", "medicine"]), amounts, max_size=2
            )
        ),
    )
    return replace(calc_input, costs=tuple(costs), local_guidelines=guidelines)


@settings(max_examples=300, deadline=None)
@given(households_with_ceilings())
def test_counted_total_of_a_cost_type_never_exceeds_its_ceiling(calc_input):
    result = calculate(calc_input)
    ceilings = calc_input.local_guidelines.ceilings_for_size(len(calc_input.members))
    for cost_type, ceiling in ceilings.items():
        rows = [cost for cost in calc_input.costs if cost.type == cost_type]
        accepted = sum(
            (
                cost.amount
                for cost in rows
                if cost.accepted_until is not None
                and calc_input.month <= Month.parse(str(cost.accepted_until))
            ),
            Decimal(0),
        )
        stated = sum((cost.amount for cost in rows), Decimal(0))
        counted = sum(
            (
                line.amount
                for line in result.lines
                if line.kind in COST_KINDS and line.type == cost_type
            ),
            Decimal(0),
        )
        # Rows accepted until this month or later count in full; the rest only up to the ceiling.
        assert counted == max(accepted, min(stated, ceiling))
        if not accepted:
            assert counted <= ceiling
        for line in result.lines:
            if line.kind == "cost_reduction" and line.type == cost_type:
                assert line.amount < 0
