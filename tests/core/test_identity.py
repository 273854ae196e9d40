import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from bistand.core.identity import IdentityNumberError, age_on, parse_identity_number

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    "raw",
    ["198309192394", "19830919-2394", "830919-2394", "8309192394", " 830919 - 2394 "],
)
def test_valid_personal_number_in_every_form_normalises_to_twelve_digits(raw):
    number = parse_identity_number(raw, TODAY)
    assert number.canonical == "198309192394"
    assert number.birth_date == dt.date(1983, 9, 19)
    assert number.is_coordination_number is False
    assert number.sex == "M"


def test_wrong_check_digit_is_refused_in_swedish():
    with pytest.raises(IdentityNumberError) as error:
        parse_identity_number("198309192395", TODAY)
    assert error.value.code == "checksum"
    assert "Kontrollsiffran" in error.value.message


@pytest.mark.parametrize("raw", ["198302302397", "198313012390", "19830000-0000"])
def test_impossible_date_is_refused(raw):
    with pytest.raises(IdentityNumberError) as error:
        parse_identity_number(raw, TODAY)
    assert error.value.code == "date"


def test_coordination_number_has_day_plus_sixty():
    # Skatteverket test samordningsnummer (shared/data/personnummer).
    with open("bistand/demo/data/test_coordination_numbers.txt") as handle:
        sample = handle.readline().strip()
    number = parse_identity_number(sample, TODAY)
    assert number.is_coordination_number
    assert number.birth_date.day == int(sample[6:8]) - 60


def test_plus_sign_means_a_hundred_years_or_more():
    # Skatteverket test number born 1890; the 10-digit form carries '+'.
    assert parse_identity_number("900101+9802", TODAY).birth_date == dt.date(1890, 1, 1)
    assert parse_identity_number("900101-9802", TODAY).birth_date == dt.date(1990, 1, 1)


def test_ten_digit_form_takes_the_latest_century_not_in_the_future():
    number = parse_identity_number("150110-2386", TODAY)
    assert number.birth_date == dt.date(2015, 1, 10)


def test_plus_in_twelve_digit_form_is_refused():
    with pytest.raises(IdentityNumberError):
        parse_identity_number("19830919+2394", TODAY)


@pytest.mark.parametrize("raw", ["", "12345", "19830919239", "abcdefghij", "1983091923944"])
def test_malformed_input_is_refused(raw):
    with pytest.raises(IdentityNumberError):
        parse_identity_number(raw, TODAY)


def test_future_birth_date_is_refused():
    with pytest.raises(IdentityNumberError) as error:
        parse_identity_number("202712012382", TODAY)
    assert error.value.code in {"future", "checksum"}


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY), st.integers(1, 999))
def test_any_luhn_completed_number_is_valid_and_any_other_check_digit_is_not(birth, serial):
    body = f"{birth:%y%m%d}{serial:03d}"
    check = luhn.calc_check_digit(body)
    full = f"{birth.year:04d}{birth:%m%d}{serial:03d}{check}"
    assert parse_identity_number(full, TODAY).birth_date == birth
    wrong = str((int(check) + 1) % 10)
    with pytest.raises(IdentityNumberError):
        parse_identity_number(full[:-1] + wrong, TODAY)


@pytest.mark.parametrize(
    ("body", "kind"),
    [("830919000", "personnumret"), ("830979000", "samordningsnumret")],  # day 19 + 60
)
def test_birth_number_000_is_refused_even_with_a_correct_check_digit(body, kind):
    number = body + luhn.calc_check_digit(body)
    for raw in (number, f"19{number}", f"{number[:6]}-{number[6:]}"):
        with pytest.raises(IdentityNumberError) as error:
            parse_identity_number(raw, TODAY)
        assert error.value.code == "serial"
        assert error.value.message == (
            f"Födelsenumret (de tre siffrorna före kontrollsiffran) i {kind} kan inte vara 000."
        )


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY), st.booleans())
def test_birth_number_000_is_refused_for_every_date(birth, coordination):
    day = birth.day + (60 if coordination else 0)
    body = f"{birth:%y%m}{day:02d}000"
    with pytest.raises(IdentityNumberError) as error:
        parse_identity_number(f"{birth.year}{body[2:]}" + luhn.calc_check_digit(body), TODAY)
    assert error.value.code == "serial"


def test_age_is_completed_years():
    assert age_on(dt.date(2000, 2, 29), dt.date(2018, 2, 28)) == 17
    assert age_on(dt.date(2000, 2, 29), dt.date(2018, 3, 1)) == 18
