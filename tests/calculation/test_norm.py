"""The riksnorm part: personal costs by age and adult status, common costs, adjustments."""

from decimal import Decimal

import pytest

from bistand.calculation import (
    InputError,
    NormAdjustment,
    NormTableError,
    calculate,
)

from .builders import adult, amounts_of, child, co_applicant, household, tables_for

D = Decimal


def child_amount(month: str, born: str, **options) -> Decimal:
    result = calculate(household(month, adult(), child(born, **options)))
    return next(line.amount for line in result.lines if line.type == "personal_child")


def test_child_takes_the_bracket_of_the_age_reached_during_the_month():
    # 2021: 4–6 år 2 440, 7–10 år 3 060. The child turns 7 on 2021-06-30.
    assert child_amount("2021-05", "2014-06-30") == D("2440")
    assert child_amount("2021-06", "2014-06-30") == D("3060")


def test_child_born_during_the_month_counts_as_under_one():
    assert child_amount("2021-06", "2021-06-29") == D("2180")


def test_youth_aged_twenty_uses_the_19_20_bracket():
    assert child_amount("2021-06", "2000-07-01") == D("4000")


def test_child_aged_21_is_refused_as_household_member():
    with pytest.raises(InputError) as caught:
        calculate(household("2021-06", adult(), child("2000-06-01")))
    assert caught.value.code == "child_too_old"
    assert caught.value.field == "members[1].birth_date"


def test_lunch_outside_home_lowers_the_amount_only_for_ages_0_to_6():
    # 2019: 1–2 år 2 380 / 2 190 without lunch; 7–10 år 2 990 has one amount.
    assert child_amount("2019-03", "2017-05-01", meals_outside_home=True) == D("2190")
    assert child_amount("2019-03", "2011-05-01", meals_outside_home=True) == D("2990")


def test_lunch_outside_home_is_refused_when_the_year_has_no_such_amount():
    with pytest.raises(NormTableError) as caught:
        child_amount("2023-03", "2020-05-01", meals_outside_home=True)
    assert caught.value.code == "norm_amount_missing"
    assert "inte äter lunch hemma" in caught.value.message
    assert caught.value.field == "members[1]"


def test_cohabiting_adults_get_one_amount_together():
    result = calculate(household("2024-02", adult(), co_applicant()))

    norm = [line for line in result.lines if line.kind == "norm"]
    assert [(line.type, line.amount) for line in norm] == [
        ("personal_cohabiting_couple", D("6850")),
        ("household_common_costs", D("1360")),
    ]
    assert norm[0].member is None


def test_common_costs_follow_household_size():
    sizes = []
    for children in range(0, 6):
        members = [child(f"201{n}-01-01") for n in range(children)]
        result = calculate(household("2019-08", adult(), *members))
        sizes.append(amounts_of(result, "norm")[-1])
    assert sizes == [D(n) for n in ("990", "1100", "1380", "1570", "1810", "2050")]


def test_household_of_ten_adds_three_times_the_step_above_seven():
    children = [child(f"20{10 + n}-01-01") for n in range(8)]
    result = calculate(household("2021-06", adult(), co_applicant(), *children))
    assert amounts_of(result, "norm")[-1] == D("2270") + 3 * D("170")


def test_shared_household_share_is_rounded_to_ore():
    # 2021: 3-person common 1 420; one of three: 473.333... -> 473.33
    result = calculate(household("2021-06", adult(), shared_household_size=3))
    assert amounts_of(result, "norm") == [D("3160"), D("473.33")]
    assert result.lines[-1].rule == "norm.common_shared_household"


def test_shared_household_must_be_larger_than_the_case():
    with pytest.raises(InputError) as caught:
        calculate(household("2021-06", adult(), child("2015-01-01"), shared_household_size=2))
    assert caught.value.code == "invalid_shared_household_size"


def test_child_in_the_household_part_of_the_month_counts_by_days_with_a_warning():
    # June 2021 has 30 days; 7–10 år 3 060 × 12 / 30 = 1 224
    result = calculate(household("2021-06", adult(), child("2013-01-01", days_in_household=12)))

    assert amounts_of(result, "norm")[1] == D("1224.00")
    assert result.lines[1].rule == "norm.child_part_month"
    assert [warning.code for warning in result.warnings] == ["part_month_unverified"]


def test_days_in_household_outside_the_month_is_refused():
    with pytest.raises(InputError) as caught:
        calculate(household("2021-02", adult(), child("2013-01-01", days_in_household=29)))
    assert caught.value.code == "invalid_days_in_household"


def test_norm_can_be_raised_and_lowered_with_a_reason():
    result = calculate(
        household(
            "2021-06",
            adult(),
            norm_adjustments=(
                NormAdjustment("increase", D("400"), "Fördyrad kost enligt läkarintyg", 0),
                NormAdjustment("decrease", D("150"), "Dagstidning ingår i annan ersättning"),
            ),
        )
    )

    assert amounts_of(result, "norm_adjustment") == [D("400"), D("-150")]
    assert result.norm_total == D("3160") + D("1020") + D("400") - D("150")
    assert result.lines[2].explanation == "Normen höjd: Fördyrad kost enligt läkarintyg"


def test_norm_adjustment_without_reason_is_refused():
    with pytest.raises(InputError) as caught:
        calculate(
            household(
                "2021-06", adult(), norm_adjustments=(NormAdjustment("increase", D("1"), " "),)
            )
        )
    assert caught.value.code == "missing_reason"


def test_norm_cannot_be_lowered_below_zero():
    with pytest.raises(InputError) as caught:
        calculate(
            household(
                "2021-06", adult(), norm_adjustments=(NormAdjustment("decrease", D("9999"), "x"),)
            )
        )
    assert caught.value.code == "norm_adjustment_too_large"


def test_verified_year_has_no_table_warning_and_unverified_year_has_one():
    verified = calculate(household("2019-01", adult()))
    secondary = calculate(household("2020-01", adult()))
    unverified = calculate(household("2024-12", adult()))

    assert verified.warnings == ()
    assert [w.code for w in secondary.warnings] == ["norm_table_unverified"]
    assert [w.code for w in unverified.warnings] == ["norm_table_unverified"]
    assert "2024" in unverified.warnings[0].message


# A partial year as the file once held 2026 (before the regulation text was read): only the
# single adult and the 1-person common cost. The file's years are all complete now.
PARTIAL = tables_for(2026, status="partial", single_adult=3940, common={1: 1280})


def test_partial_year_calculates_what_it_has_with_warnings():
    partial = tables_for(2026, status="partial", single_adult=3940, common={1: 1280})
    result = calculate(household("2026-03", adult()), partial)
    assert result.norm_total == D("3940") + D("1280")
    assert {w.code for w in result.warnings} == {"norm_table_unverified", "norm_table_partial"}


@pytest.mark.parametrize(
    ("members", "missing"),
    [
        ((adult(), co_applicant()), "sambor/makar"),
        ((adult(), child("2018-01-01")), "barn 7–10 år"),
    ],
)
def test_missing_amount_is_refused_never_invented(members, missing):
    with pytest.raises(NormTableError) as caught:
        calculate(household("2026-03", *members), PARTIAL)
    assert caught.value.code == "norm_amount_missing"
    assert missing in caught.value.message


def test_common_costs_missing_for_the_size_is_refused():
    # The table has the 1-person common cost only; a shared household of 3 needs the 3-person one.
    with pytest.raises(NormTableError) as caught:
        calculate(household("2026-03", adult(), shared_household_size=3), PARTIAL)
    assert caught.value.code == "norm_amount_missing"
    assert "3 personer" in caught.value.message


def test_2025_and_2026_follow_the_regulation_text():
    # Socialtjänstförordningen (2025:468) 12 kap. 2 §: 2025 as issued, 2026 as SFS 2025:1046.
    couple_2025 = calculate(household("2025-09", adult(), co_applicant()))
    assert couple_2025.norm_total == D("7050") + D("1400")
    family_2026 = calculate(
        household("2026-03", adult(), co_applicant(), child("2018-01-01"), child("2023-05-01"))
    )
    assert family_2026.norm_total == D("7100") + D("3820") + D("3060") + D("2030")
    # The government's published totals (regeringen.se 2025-11-13): 5 220 and 8 510.
    assert calculate(household("2026-03", adult())).norm_total == D("5220")
    assert calculate(household("2026-03", adult(), co_applicant())).norm_total == D("8510")
