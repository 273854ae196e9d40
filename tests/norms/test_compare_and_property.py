"""The statute's table cell by cell: the typing-error check, and the statute's sum rule for
every verified year in the database."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bistand.calculation import CalculationInput, Member, Month, calculate
from bistand.calculation.errors import NormTableError
from bistand.norms.compare import cells, compare, table_data
from bistand.norms.selectors import rulebook

from .conftest import file_year


def test_real_uprating_flags_nothing():
    # 2022 -> 2023 (+8.6 %, each item rounded to 10 kr): no cell stands out.
    rows = compare(file_year(2023), file_year(2022))
    assert [r for r in rows if r.change_percent is not None]
    assert not [r.cell.key for r in rows if r.flagged]


def test_a_planted_typing_error_is_flagged_and_nothing_else():
    typo = file_year(2023)
    child = next(c for c in typo["children"] if c["key"] == "age_7_10")
    child["amount"] += 200  # one digit typed wrong, e.g. 3 480 as 3 680
    rows = compare(typo, file_year(2022))
    assert [r.cell.key for r in rows if r.flagged] == ["child_age_7_10"]
    assert "avviker" in next(r for r in rows if r.flagged).reason


def test_a_swapped_pair_of_digits_in_the_common_costs_is_flagged():
    typo = file_year(2023)
    sizes = typo["common_household_costs"]["by_household_size"]
    sizes["4"] = sizes["4"] + 90  # e.g. 1 930 typed as 2 020
    assert [r.cell.key for r in compare(typo, file_year(2022)) if r.flagged] == ["common_4"]


def test_an_amount_missing_this_year_is_flagged():
    data = file_year(2023)
    data["adults"]["single"]["amount"] = None
    assert [r.cell.key for r in compare(data, file_year(2022)) if r.flagged] == ["adult_single"]


def test_the_form_layout_round_trips_a_year():
    data = file_year(2021)
    amounts = {cell.key: cell.amount for cell in cells(data)}
    assert {c.key: c.amount for c in cells(table_data(amounts))} == amounts


ages = st.integers(min_value=0, max_value=20)


@pytest.mark.django_db
def test_norm_total_follows_the_statutes_sum_rule_for_every_verified_year_in_the_database():
    """2 kap. 1 § socialtjänstförordningen: personal costs of every member + common costs
    for the household's size (above 7: the 7-6 difference added per member)."""
    tables = rulebook()
    verified = [t for t in tables if t.verified]
    assert verified

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        table=st.sampled_from(verified),
        couple=st.booleans(),
        children=st.lists(st.tuples(ages, st.booleans()), max_size=8),
    )
    def check(table, couple, children):
        month = Month(table.year, 6)
        size = 1 + couple + len(children)
        if size > 10:
            return
        members = [Member(dt.date(table.year - 40, 1, 1), "applicant")]
        if couple:
            members.append(Member(dt.date(table.year - 38, 1, 1), "co_applicant"))
        for age, lunch_out in children:
            members.append(
                Member(dt.date(table.year - age, 1, 1), "child", meals_outside_home=lunch_out)
            )
        try:
            result = calculate(CalculationInput(month=month, members=tuple(members)), tables)
        except NormTableError as error:
            assert error.code == "norm_amount_missing"
            return
        expected = table.cohabiting_couple if couple else table.single_adult
        for age, lunch_out in children:
            bracket = table.bracket_by_age[age]
            expected += bracket.amount_without_lunch if lunch_out and age <= 6 else bracket.amount
        if size <= 7:
            expected += table.common_by_size[size]
        else:
            seven, six = table.common_by_size[7], table.common_by_size[6]
            expected += seven + (seven - six) * (size - 7)
        assert result.norm_total == expected

    check()
