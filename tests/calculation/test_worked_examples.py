"""The worked examples of shared/reference/calculation-rules.md section 9, to the krona.

WE1, WE2, WE5 and WE7 use years or fixture norms that are not in riksnorm.json; their tables
are built here from the amounts the example's source gives, and nothing else.
"""

from decimal import Decimal

import pytest

from bistand.calculation import CalculationInput, Cost, Income, Member, Month, calculate

from .builders import adult, amounts_of, child, co_applicant, household, tables_for

D = Decimal


def test_we1_adult_in_shared_household_not_sambo_2014():
    # Socialstyrelsen 2013-11-19, 2014 tables: 5-person common 1 710, single adult 2 950.
    tables = tables_for(2014, status="verified_primary", single_adult=2950, common={5: 1710})
    result = calculate(household("2014-05", adult(), shared_household_size=5), tables)

    assert amounts_of(result, "norm") == [D("2950"), D("342.00")]  # 1 710 ÷ 5 = 342
    assert result.norm_total == D("3292")
    assert result.amount_to_pay == D("3292")


def test_we2_adult_in_shared_household_not_sambo_2017():
    # "Riksnormen för försörjningsstöd 2017": 5-person common 1 740, single adult 2 980.
    tables = tables_for(2017, status="verified_primary", single_adult=2980, common={5: 1740})
    result = calculate(household("2017-03", adult(), shared_household_size=5), tables)

    assert amounts_of(result, "norm") == [D("2980"), D("348.00")]
    assert result.norm_total == D("3328")


@pytest.mark.parametrize(
    ("first_child", "second_child"),
    [("2018-02-01", "2017-09-15"), ("2021-06-01", "2022-01-20")],
    ids=["two children 4-6", "two children 1-2"],
)
def test_we3_norm_for_sambo_couple_with_two_children_2023(first_child, second_child):
    result = calculate(
        household("2023-04", adult(), co_applicant(), child(first_child), child(second_child))
    )

    # 6 300 (couple) + 2 700 + 2 700 + 1 790 (4-person common costs)
    assert amounts_of(result, "norm") == [D("6300"), D("2700"), D("2700"), D("1790")]
    assert result.norm_total == D("13490")
    assert result.warnings == ()  # 2023 is verified_secondary


def test_we4_single_adult_without_income_or_costs_2026():
    result = calculate(household("2026-02", adult()))

    assert amounts_of(result, "norm") == [D("3940"), D("1280")]
    assert result.norm_total == D("5220")
    assert result.incomes_counted - result.total_need == D("-5220")
    assert result.amount_to_pay == D("5220")
    assert result.proposed_outcome == "granted"
    # 2026 is read from the regulation text (SFS 2025:1046): no table warning any more.
    assert result.warnings == ()


def test_we5_surplus_after_work_incentive_gives_refusal():
    # Lifecare fixture: norm 3 393, all personal, 0 common costs.
    tables = tables_for(2026, status="fixture", single_adult=3393, common={1: 0})
    calc_input = CalculationInput(
        month=Month(2026, 9),
        members=(adult(),),
        costs=(Cost("rent", D("5153")),),
        incomes=(
            Income("wages", D("5000"), 0),
            Income("other", D("5750"), 0, description="övriga inkomster i exemplet"),
        ),
        months_on_assistance=6,
    )
    result = calculate(calc_input, tables)

    assert amounts_of(result, "income_disregard") == [D("-1250.00")]
    assert result.incomes_counted == D("9500")
    assert result.norm_total == D("3393")
    assert result.costs_total == D("5153")
    assert result.surplus == D("954")  # 9 500 − 3 393 − 5 153
    assert result.amount_to_pay == D("0")
    assert result.proposed_outcome == "refused"


def test_we6_deficit_with_other_living_costs_2026():
    result = calculate(
        household(
            "2026-05",
            adult(),
            costs=(("household_electricity", "454"), ("medicine", "300")),
        )
    )

    assert result.norm_total == D("5220")
    assert result.reasonable_costs_total == D("454")
    assert result.other_living_costs_total == D("300")
    # Summa = 0 − 5 220 − 454 = −5 674; resultat = −5 674 − 300 = −5 974.
    assert result.incomes_counted - result.norm_total - result.reasonable_costs_total == D("-5674")
    assert result.amount_to_pay == D("5974")
    assert result.proposed_outcome == "granted"


def test_we7_work_incentive_arithmetic_with_the_fixture_norm():
    # The SUN fixture leaves the common costs out: norm 3 940.
    tables = tables_for(2026, status="fixture", single_adult=3940, common={1: 0})
    applicant = Member(
        birth_date=adult().birth_date, role="applicant", work_incentive_start=Month(2026, 4)
    )
    result = calculate(
        household("2026-09", applicant, costs=(("rent", "5000"),), incomes=(("wages", "5000", 0),)),
        tables,
    )

    assert amounts_of(result, "income_disregard") == [D("-1250.00")]
    assert result.incomes_counted == D("3750")
    assert result.incomes_counted - result.total_need == D("-5190")  # 3 750 − 3 940 − 5 000
    assert result.amount_to_pay == D("5190")


def test_we7_work_incentive_with_the_real_2026_norm_includes_common_costs():
    result = calculate(
        household(
            "2026-09",
            adult(),
            costs=(("rent", "5000"),),
            incomes=(("wages", "5000", 0),),
            months_on_assistance=6,
        )
    )

    assert result.incomes_counted == D("3750")
    assert result.amount_to_pay == D("6470")  # 3 940 + 1 280 + 5 000 − 3 750


def test_we8_single_parent_with_two_children_2021():
    result = calculate(household("2021-06", adult(), child("2019-01-15"), child("2013-03-01")))

    # 3 160 + 2 440 (2 years, lunch at home) + 3 060 (8 years) + 1 420 (3-person common)
    assert amounts_of(result, "norm") == [D("3160"), D("2440"), D("3060"), D("1420")]
    assert result.norm_total == D("10080")
    assert result.warnings == ()  # 2021 is verified_primary


def test_we8_two_year_old_with_lunch_in_preschool_2021():
    result = calculate(
        household(
            "2021-06",
            adult(),
            child("2019-01-15", meals_outside_home=True),
            child("2013-03-01"),
        )
    )

    assert amounts_of(result, "norm") == [D("3160"), D("2240"), D("3060"), D("1420")]
    assert result.norm_total == D("9880")


def test_we9_household_of_nine_adds_the_7_to_6_difference_per_extra_member_2021():
    children = [
        child(born)
        for born in (
            "2020-09-01",  # 0 years: 2 180
            "2019-01-01",  # 2: 2 440
            "2018-01-01",  # 3: 2 170
            "2016-01-01",  # 5: 2 440
            "2013-01-01",  # 8: 3 060
            "2009-01-01",  # 12: 3 520
            "2005-01-01",  # 16: 3 970
        )
    ]
    result = calculate(household("2021-06", adult(), co_applicant(), *children))

    common = [line for line in result.lines if line.type == "household_common_costs"]
    assert [line.amount for line in common] == [D("2610")]  # 2 270 + 2 × (2 270 − 2 100)
    assert common[0].rule == "norm.common_above_7"
    assert result.norm_total == D("5700") + D("19780") + D("2610")
