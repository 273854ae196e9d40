"""Bad input is refused with a CalculationError: an English code and a Swedish message."""

from datetime import date
from decimal import Decimal

import pytest

from bistand.calculation import (
    CalculationError,
    CalculationInput,
    Cost,
    Income,
    InputError,
    Member,
    Month,
    NormTableError,
    calculate,
    calculate_from_dict,
)

from .builders import adult, child, household

D = Decimal


def base(**changes) -> dict:
    data = {
        "month": "2023-06",
        "members": [{"birth_date": "1985-04-02", "role": "applicant"}],
        "costs": [{"type": "rent", "amount": "5000"}],
        "incomes": [{"type": "wages", "amount": "1000", "member": 0}],
    }
    data.update(changes)
    return data


def error_of(data) -> CalculationError:
    with pytest.raises(CalculationError) as caught:
        calculate_from_dict(data)
    return caught.value


def test_unknown_cost_type_is_refused():
    error = error_of(base(costs=[{"type": "yacht", "amount": "100"}]))
    assert (error.code, error.field) == ("unknown_cost_type", "costs[0].type")
    assert isinstance(error, InputError)
    assert "yacht" in error.message


def test_unknown_income_type_is_refused():
    error = error_of(base(incomes=[{"type": "lottery", "amount": "100", "member": 0}]))
    assert (error.code, error.field) == ("unknown_income_type", "incomes[0].type")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"costs": [{"type": "rent", "amount": "-1"}]}, "costs[0].amount"),
        ({"incomes": [{"type": "wages", "amount": -0.5, "member": 0}]}, "incomes[0].amount"),
    ],
)
def test_negative_amount_is_refused(changes, field):
    error = error_of(base(**changes))
    assert (error.code, error.field) == ("negative_amount", field)
    assert "negativt" in error.message


def test_negative_amount_in_dataclass_input_is_refused():
    calc_input = CalculationInput(
        month=Month(2023, 6), members=(adult(),), costs=(Cost("rent", D("-5")),)
    )
    with pytest.raises(InputError) as caught:
        calculate(calc_input)
    assert caught.value.code == "negative_amount"


@pytest.mark.parametrize("amount", ["12.345", "abc", "NaN", "Infinity", True, None, "1e40"])
def test_amount_that_is_not_kronor_and_ore_is_refused(amount):
    assert error_of(base(costs=[{"type": "rent", "amount": amount}])).code == "invalid_amount"


@pytest.mark.parametrize("month", ["2018-12", "2027-01", "1999-05"])
def test_month_without_norm_table_is_refused(month):
    error = error_of(base(month=month))
    assert isinstance(error, NormTableError)
    assert (error.code, error.field) == ("no_norm_table", "month")
    assert month in error.message


@pytest.mark.parametrize("month", ["2023-6", "2023-13", "23-06", "2023/06", "", 202306, None])
def test_bad_month_format_is_refused(month):
    error = error_of(base(month=month))
    assert error.code == "invalid_month"


def test_member_born_after_the_month_is_refused():
    with pytest.raises(InputError) as caught:
        calculate(household("2023-06", adult(), child("2023-07-01")))
    assert caught.value.code == "member_born_after_month"
    assert caught.value.field == "members[1].birth_date"
    assert "2023-07-01" in caught.value.message


def test_member_born_later_in_the_month_is_accepted():
    calculate(household("2023-06", adult(), child("2023-06-30")))


@pytest.mark.parametrize(
    ("members", "code"),
    [
        ([], "no_applicant"),
        ([{"birth_date": "2015-01-01", "role": "child"}], "no_applicant"),
        ([{"birth_date": "1985-01-01", "role": "applicant"}] * 2, "several_applicants"),
        (
            [{"birth_date": "1985-01-01", "role": "applicant"}]
            + [{"birth_date": "1986-01-01", "role": "co_applicant"}] * 2,
            "several_co_applicants",
        ),
        ([{"birth_date": "1985-01-01", "role": "lodger"}], "unknown_role"),
        ([{"birth_date": "1985-02-30", "role": "applicant"}], "invalid_date"),
        ([{"birth_date": "19850101", "role": "applicant"}], "invalid_date"),
        ([{"role": "applicant"}], "missing_field"),
        ([{"birth_date": "1985-01-01", "role": "applicant", "shoe_size": 42}], "unknown_field"),
    ],
)
def test_bad_household_is_refused(members, code):
    assert error_of(base(members=members)).code == code


def test_income_for_unknown_member_is_refused():
    error = error_of(base(incomes=[{"type": "wages", "amount": "100", "member": 3}]))
    assert (error.code, error.field) == ("unknown_member", "incomes[0].member")


def test_income_for_unknown_member_in_dataclass_input_is_refused():
    calc_input = CalculationInput(
        month=Month(2023, 6), members=(adult(),), incomes=(Income("pension", D("5"), -1),)
    )
    with pytest.raises(InputError) as caught:
        calculate(calc_input)
    assert caught.value.code == "unknown_member"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"surprise": 1}, "unknown_field"),
        ({"months_on_assistance": -1}, "invalid_number"),
        ({"months_on_assistance": "six"}, "invalid_number"),
        ({"costs": {"type": "rent"}}, "invalid_type"),
        ({"costs": [{"type": "rent"}]}, "missing_field"),
        ({"local_guidelines": {"rent_ceilings": {"one": "5000"}}}, "invalid_local_guidelines"),
        ({"local_guidelines": {"cost_ceilings": {"yacht": "5000"}}}, "invalid_local_guidelines"),
        (
            {"norm_adjustments": [{"type": "double", "amount": "1", "reason": "x"}]},
            "unknown_adjustment_type",
        ),
    ],
)
def test_malformed_input_is_refused(changes, code):
    assert error_of(base(**changes)).code == code


def test_input_that_is_not_an_object_is_refused():
    assert error_of([1, 2]).code == "invalid_type"


def test_pinned_norm_table_that_is_not_loaded_is_refused():
    error = error_of(base(norm_table_sha256="0" * 64))
    assert (error.code, error.field) == ("norm_table_mismatch", "norm_table_sha256")


def test_error_has_code_message_and_field_for_json():
    error = error_of(base(costs=[{"type": "yacht", "amount": "1"}]))
    assert error.to_dict() == {
        "code": "unknown_cost_type",
        "message": "Okänd kostnadstyp 'yacht'.",
        "field": "costs[0].type",
    }
    assert str(error) == error.message


def test_member_birth_date_as_text_in_dataclass_input_is_checked():
    calc_input = CalculationInput(
        month=Month(2023, 6),
        members=(Member("1985-13-01", "applicant"),),  # type: ignore[arg-type]
    )
    with pytest.raises(InputError) as caught:
        calculate(calc_input)
    assert caught.value.code == "invalid_date"


def test_month_as_text_in_dataclass_input_is_parsed():
    calc_input = CalculationInput(month="2023-06", members=(Member(date(1985, 1, 1), "applicant"),))  # type: ignore[arg-type]
    assert calculate(calc_input).norm_total == D("4620")
