"""Swedish bank accounts, bankgiro, plusgiro, organisation numbers and OCR references.

Test vectors and where they come from (no real person's account is used; the public ones
are banks' and companies' own published examples):
- [BD]  Bankinfrastruktur/BankData, NET/Bankinfrastruktur.Tests/AccountTests.cs (MIT): the
        data source's own tests, whose comments cite Bankinfrastruktur's "IBAN och svenskt
        nationellt kontonummer" (1274 0235305, 6114 517182351, 8327-9 014 725 892-5), banks'
        IBAN pages (SEB 5140 0010004, DnB 9190 6543218, Danske 1294 0145237, LF 9022 1114884,
        iban.se 81034 9783242) and Nordea's account-structure document (5491 0000003).
- [BDT] Bankinfrastruktur/BankData, TS/tests/kontose.test.ts (Handelsbanken zero fill,
        Lunar Bank comment 2, clearing too short).
- [SK]  swantzter/kontonummer, test/index.test.ts (MIT): Swedbank/sparbank 5-digit clearing
        numbers, Nordea personkonto, Klarna, Multitude.
- [BT]  barsoom/banktools-se, spec/*.rb (MIT): bankgiro numbers published by Carnegie fonder,
        plusgiro numbers published by IKEA and Sveriges riksbank, 90-konto examples, and OCR
        examples from Bankgirot's manual BG6070 section 5.2.
- [LD]  lendai/node-se-check-bankgiro, tests/bankgiro.test.js (same Carnegie numbers).
- [SN]  python-stdnum, stdnum/se/orgnr.py doctests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bistand.payments import bank_accounts
from bistand.payments.bank_accounts import (
    ERROR_CODES,
    AccountValidationError,
    BankAccount,
    bank_ranges,
    find_bank,
    make_ocr,
    mod10_check_digit,
    mod11_is_valid,
    validate_bank_account,
    validate_bankgiro,
    validate_ocr,
    validate_organisation_number,
    validate_plusgiro,
)

DATA_DIR = Path(bank_accounts.__file__).parent / "data"
CHECK_DIGIT_MESSAGE = (
    "Kontrollsiffran i kontonumret stämmer inte. "
    "Kontrollera att clearingnummer och kontonummer är rätt skrivna."
)


def refusal(callable_, *args, **kwargs) -> AccountValidationError:
    with pytest.raises(AccountValidationError) as caught:
        callable_(*args, **kwargs)
    assert caught.value.code in ERROR_CODES
    assert str(caught.value) == caught.value.message_sv
    return caught.value


# --- bank accounts: published vectors ---------------------------------------------------


@pytest.mark.parametrize(
    ("clearing", "account", "bank", "clearing_display", "normalised"),
    [
        # type 1, comment 1
        ("1274", "0235 305", "Danske Bank", "1274", "0235305"),  # [BD] Bankinfrastruktur, method 1
        ("1294", "01 45237", "Danske Bank", "1294", "0145237"),  # [BD] Danske Bank IBAN page
        ("3473", "17 01473", "Nordea", "3473", "1701473"),  # [BD] Nordea företagskonto
        ("549 1", "000 0003", "SEB", "5491", "0000003"),  # [BD] Nordea account structure doc
        ("5839", "8257466", "SEB", "5839", "8257466"),  # [BD]
        ("5140", "0010004", "SEB", "5140", "0010004"),  # [BD] SEB's IBAN page
        ("9071", "417 23 83", "Multitude Bank", "9071", "4172383"),  # [SK]
        ("9789", "1111113", "Klarna Bank", "9789", "1111113"),  # [SK]
        # type 1, comment 2
        ("9022", "11 14884", "Länsförsäkringar Bank", "9022", "1114884"),  # [BD] LF press page
        ("9040", "1106944", "Citibank (filial)", "9040", "1106944"),  # [BD] Schwab document
        ("9190", "6543218", "DnB Bank", "9190", "6543218"),  # [BD] DnB's IBAN calculator
        ("9710", "1234560", "Lunar Bank", "9710", "1234560"),  # [BDT]
        # type 2, comment 1 (mod 10 over a 10-digit account)
        ("3300", "101010-1010", "Nordea", "3300", "1010101010"),  # [BD] personkonto
        ("3782", "101010-1010", "Nordea", "3782", "1010101010"),  # [BD] personkonto (legacy)
        ("3300", "000620-5124", "Nordea", "3300", "0006205124"),  # [SK] personkonto
        ("9180", "1111111116", "Danske Bank", "9180", "1111111116"),  # [BD]
        ("9570", "525 004 176 0", "Sparbanken Syd", "9570", "5250041760"),  # [BD]
        ("9570", "12344", "Sparbanken Syd", "9570", "0000012344"),  # [BD] zero padded
        # type 2, comment 2 (Handelsbanken, mod 11 over 9 digits)
        ("6114", "5171 82351", "Handelsbanken", "6114", "517182351"),  # [BD] method 2
        ("6789", "123456789", "Handelsbanken", "6789", "123456789"),  # [SK]
        ("6000", "12345679", "Handelsbanken", "6000", "012345679"),  # [BDT] zero fill
        # type 2, comment 3 (Swedbank 8xxx-x, Plusgirot)
        ("8327-9", "014 725 892-5", "Swedbank", "8327-9", "0147258925"),  # [BD] method 3
        ("81034", "978 3242", "Swedbank", "8103-4", "0009783242"),  # [BD] iban.se
        ("8424-4", "983 189 224-6", "Swedbank", "8424-4", "9831892246"),  # [SK]
        ("8351-9", "392 242 224-5", "Swedbank", "8351-9", "3922422245"),  # [SK] Sparbanken Tanum
        ("8129-9", "043 386 711-6", "Swedbank", "8129-9", "0433867116"),  # [SK] Hudiksvall
        ("9500", "1111111116", "Nordea (Plusgirot)", "9500", "1111111116"),  # [BD]
        ("9960", "1111111116", "Nordea (Plusgirot)", "9960", "1111111116"),  # [BD]
    ],
)
def test_published_bank_accounts_validate_and_normalise(
    clearing, account, bank, clearing_display, normalised
):
    result = validate_bank_account(clearing, account)

    assert result.bank_name == bank
    assert result.clearing_display == clearing_display
    assert result.clearing == clearing_display[:4]
    assert result.account == normalised
    assert result.formatted() == f"{clearing_display}, {normalised}"


def test_swedbank_clearing_without_its_fifth_digit_gets_it_computed():
    # [BD] 8327-9: the fifth digit is a mod-10 check digit over the first four.
    result = validate_bank_account("8327", "014 725 892-5")

    assert result.clearing == "8327"
    assert result.clearing_check_digit == "9"


def test_nordea_personkonto_accepts_personnummer_with_century():
    # [BT] 3300-800928-6249 is valid; the same personnummer written with 19.
    assert validate_bank_account("3300", "19800928-6249").account == "8009286249"


@pytest.mark.parametrize(
    ("clearing", "account", "normalised"),
    [
        ("6000", "0000 1234 5679", "012345679"),  # Handelsbanken, 9 digits
        ("8327-9", "00 014 725 892-5", "0147258925"),  # Swedbank, 10 digits
        ("5140", "0000010004", "0010004"),  # SEB, 7 digits
        ("9570", "0000000000012344", "0000012344"),  # Sparbanken Syd, 10 digits
        ("3300", "00101010-1010", "1010101010"),  # Nordea personkonto
    ],
)
def test_account_typed_with_leading_zeros_is_normalised_to_the_banks_length(
    clearing, account, normalised
):
    assert validate_bank_account(clearing, account).account == normalised


def test_account_too_long_without_leading_zeros_is_still_refused():
    error = refusal(validate_bank_account, "5140", "10000010004")

    assert error.code == "account_length"


@pytest.mark.parametrize(
    "birth_part",
    [
        "991399",  # month 13
        "990230",  # 30 February
        "010229",  # 29 February 2001 (and 1901)
        "990100",  # day 0
        "990132",  # day 32
        "990192",  # day 92 (a samordningsnummer has at most 31 + 60)
    ],
)
def test_nordea_personal_account_that_is_not_a_date_of_birth_is_refused(birth_part):
    body = birth_part + "123"
    account = body + mod10_check_digit(body)  # the mod-10 check alone would pass

    error = refusal(validate_bank_account, "3300", account)

    assert error.code == "account_personal_number"
    assert "personnummer" in error.message_sv
    assert account not in error.message_sv


def test_nordea_personal_account_with_birth_number_000_is_refused():
    body = "800928000"

    error = refusal(validate_bank_account, "3300", body + mod10_check_digit(body))

    assert error.code == "account_personal_number"


@pytest.mark.parametrize("birth_part", ["000229", "800928", "800988", "240229"])
def test_nordea_personal_account_accepts_real_dates_and_coordination_numbers(birth_part):
    body = birth_part + "624"
    account = body + mod10_check_digit(body)

    assert validate_bank_account("3300", account).account == account


def test_other_nordea_clearing_3782_is_not_held_to_the_personnummer_form():
    body = "991399123"
    account = body + mod10_check_digit(body)

    assert validate_bank_account("3782", account).account == account


def test_bank_account_shows_only_last_four_digits():
    result = validate_bank_account("8327-9", "014 725 892-5")

    assert result.masked() == "Swedbank, ****8925"
    assert str(result) == result.masked()
    assert "0147258925" not in repr(result)
    assert "0147258925" not in str(result)


@pytest.mark.parametrize(
    ("clearing", "account", "code", "message"),
    [
        # [BD] wrong check digit
        ("9272", "1829751", "account_check_digit", CHECK_DIGIT_MESSAGE),
        ("1234", "3456789", "account_check_digit", CHECK_DIGIT_MESSAGE),
        ("6789", "123456788", "account_check_digit", CHECK_DIGIT_MESSAGE),  # also [SK]
        ("6000", "123456780", "account_check_digit", CHECK_DIGIT_MESSAGE),  # [BDT]
        ("9710", "1234561", "account_check_digit", CHECK_DIGIT_MESSAGE),  # [BDT]
        ("8327-9", "014 725 892-6", "account_check_digit", CHECK_DIGIT_MESSAGE),
        (
            "5140",
            "0000000",
            "account_check_digit",
            "Kontonumret kan inte bestå av bara nollor.",
        ),
        # [SK] / [BD] wrong Swedbank clearing check digit
        (
            "8424-1",
            "983 189 224-6",
            "clearing_check_digit",
            "Kontrollsiffran i clearingnumret 8424-1 stämmer inte.",
        ),
        (
            "83270",
            "123456782",
            "clearing_check_digit",
            "Kontrollsiffran i clearingnumret 8327-0 stämmer inte.",
        ),
        # [BD] / [BDT] wrong clearing length
        (
            "64040",
            "123456782",
            "clearing_length",
            "Clearingnumret ska ha fyra siffror (Swedbank 8000–8999 ibland fem, t.ex. 8327-9), "
            "men 64040 har 5.",
        ),
        (
            "600",
            "123456789",
            "clearing_length",
            "Clearingnumret ska ha fyra siffror (Swedbank 8000–8999 ibland fem, t.ex. 8327-9), "
            "men 600 har 3.",
        ),
        # unknown clearing ranges: BankData's own validator falls back to type 1 for 9999;
        # we refuse, a payment must not go to a bank whose rules we do not know.
        ("9999", "0123454", "clearing_unknown", "Clearingnumret 9999 finns inte hos någon bank."),
        ("1000", "0000009", "clearing_unknown", "Clearingnumret 1000 finns inte hos någon bank."),
        # [BD] wrong account length
        (
            "5140",
            "10004",
            "account_length",
            "Kontonumret hos SEB ska ha 7 siffror efter clearingnumret, men har 5.",
        ),
        (
            "9272",
            "18297523",
            "account_length",
            "Kontonumret hos ICA Banken ska ha 7 siffror efter clearingnumret, men har 8.",
        ),
        (
            "3300",
            "12344",
            "account_length",
            "Kontonumret hos Nordea ska ha 10 siffror efter clearingnumret, men har 5.",
        ),
        (
            "6000",
            "123",
            "account_length",
            "Kontonumret hos Handelsbanken ska ha 7–9 siffror efter clearingnumret, men har 3.",
        ),
        (
            "5140",
            "51400010004",
            "account_length",
            "Kontonumret hos SEB ska ha 7 siffror efter clearingnumret, men har 11. "
            "Skriv kontonumret utan clearingnumret.",
        ),
        # input that is not a number
        ("5140", "", "account_empty", "Ange kontonummer."),
        ("", "0010004", "clearing_empty", "Ange clearingnummer."),
        (
            "5140",
            "00l0004",
            "account_characters",
            "Kontonumret får bara innehålla siffror, mellanslag och bindestreck.",
        ),
        ("51a0", "0010004", "clearing_characters", "Clearingnumret får bara innehålla siffror."),
        (
            "5140",
            "００１０００４",
            "account_characters",
            "Kontonumret får bara innehålla siffror, mellanslag och bindestreck.",
        ),
    ],
)
def test_wrong_bank_accounts_are_refused_with_a_swedish_message(clearing, account, code, message):
    error = refusal(validate_bank_account, clearing, account)

    assert error.code == code
    assert error.message_sv == message


def test_error_message_never_repeats_the_account_number():
    error = refusal(validate_bank_account, "9272", "1829751")

    assert "1829751" not in error.message_sv


# --- the clearing table -----------------------------------------------------------------


def test_clearing_table_is_loaded_from_the_shipped_data():
    ranges = bank_ranges()

    assert len(ranges) == 53  # data rows of bankdata_source.psv
    assert all(r.account_type in (1, 2) and r.check_method in (1, 2, 3) for r in ranges)
    assert all(r.min_length <= r.length for r in ranges)
    starts = [r.clearing_start for r in ranges]
    assert starts == sorted(starts)
    assert all(a.clearing_end < b.clearing_start for a, b in zip(ranges, ranges[1:], strict=False))


@pytest.mark.parametrize(
    ("clearing", "bank"),
    [  # [BD] BankNameFoundTest
        ("3300", "Nordea"),
        ("4001", "Nordea"),
        ("5839", "SEB"),
        ("6501", "Handelsbanken"),
        ("7104", "Swedbank"),
        ("8129", "Swedbank"),
        ("9272", "ICA Banken"),
        ("9420", "Forex Bank"),
        ("9570", "Sparbanken Syd"),
        ("9789", "Klarna Bank"),
    ],
)
def test_clearing_number_finds_its_bank(clearing, bank):
    found = find_bank(clearing)

    assert found is not None
    assert found.bank_name == bank


def test_clearing_table_agrees_with_bankgirots_document():
    """Every range in Bankgirot's "Bankernas kontonummeruppbyggnad" has its type and method."""
    lines = (DATA_DIR / "bankgirot_kontonummeruppbyggnad_2024-02-22.txt").read_text("utf-8")
    account_type = 1
    checked = 0
    for line in lines.splitlines():
        if line.startswith("# Typ 2"):
            account_type = 2
            continue
        if line.startswith("#"):
            continue
        name, ranges, _mask, comment = line.split("|")
        if name == "Riksgälden":
            # Not a bank for payees; left out of BankData's table, so refused as unknown.
            assert find_bank(ranges[:4]) is None
            continue
        ends = ranges.split("/") if "/" in ranges else ranges.split("-")
        for clearing in ends:
            found = find_bank(clearing)
            assert found is not None, line
            assert (found.account_type, found.check_method) == (account_type, int(comment)), line
            checked += 1
    assert checked > 90


# --- check-digit arithmetic -------------------------------------------------------------


@pytest.mark.parametrize(
    "digits",
    # [BD] Mod11Test (data with its first character dropped, as that test does)
    ["1041234562", "1021234567", "2763608957", "12763608956", "912763608909", "1912763608957"],
)
def test_modulus_11_accepts_published_numbers(digits):
    assert mod11_is_valid(digits)


@pytest.mark.parametrize("digits", ["83279", "123456782", "3316812057492"])  # [BD] Mod10Test
def test_modulus_10_check_digit_matches_published_numbers(digits):
    assert mod10_check_digit(digits[:-1]) == digits[-1]


def _mod11_completion(digits: str) -> str | None:
    """The digit that makes `digits + d` valid under Bankgirot's mod 11, or None (rest 10)."""
    total = sum(int(c) * ((i + 1) % 10 + 1) for i, c in enumerate(reversed(digits)))
    check = -total % 11
    return None if check == 10 else str(check)


type1_ranges = [r for r in bank_ranges() if r.account_type == 1]


@given(
    bank=st.sampled_from(type1_ranges),
    offset=st.integers(min_value=0, max_value=999),
    serial=st.from_regex(r"[0-9]{6}", fullmatch=True),
)
def test_type1_account_completed_by_mod11_validates(bank, offset, serial):
    clearing = str(min(bank.clearing_start + offset, bank.clearing_end))
    prefix = (clearing[1:] if bank.check_method == 1 else clearing) + serial
    check = _mod11_completion(prefix)
    assume(check is not None and int(serial + check) != 0)

    result = validate_bank_account(clearing, serial + check)

    assert result.account == serial + check
    assert result.bank_name == bank.bank_name


def _change_one_digit(digits: str, position: int, delta: int) -> str:
    position %= len(digits)
    changed = (int(digits[position]) + delta) % 10
    return digits[:position] + str(changed) + digits[position + 1 :]


@given(
    bank=st.sampled_from(type1_ranges),
    serial=st.from_regex(r"[0-9]{6}", fullmatch=True),
    position=st.integers(min_value=0, max_value=6),
    delta=st.integers(min_value=1, max_value=9),
)
def test_type1_account_with_one_digit_changed_is_refused(bank, serial, position, delta):
    clearing = str(bank.clearing_start)
    prefix = (clearing[1:] if bank.check_method == 1 else clearing) + serial
    check = _mod11_completion(prefix)
    assume(check is not None)

    error = refusal(
        validate_bank_account, clearing, _change_one_digit(serial + check, position, delta)
    )

    assert error.code == "account_check_digit"


@given(
    clearing=st.integers(min_value=8000, max_value=8999).map(str),
    serial=st.from_regex(r"[0-9]{9}", fullmatch=True),
    position=st.integers(min_value=0, max_value=9),
    delta=st.integers(min_value=1, max_value=9),
)
def test_swedbank_luhn_account_validates_and_any_digit_change_fails(
    clearing, serial, position, delta
):
    account = serial + mod10_check_digit(serial)
    assume(int(account) != 0)
    full_clearing = clearing + mod10_check_digit(clearing)

    assert validate_bank_account(full_clearing, account).account == account
    changed = _change_one_digit(account, position, delta)
    assert refusal(validate_bank_account, full_clearing, changed).code == "account_check_digit"
    wrong_clearing = _change_one_digit(full_clearing, 4, delta)
    assert refusal(validate_bank_account, wrong_clearing, account).code == "clearing_check_digit"


@given(
    clearing=st.integers(min_value=6000, max_value=6999).map(str),
    serial=st.from_regex(r"[0-9]{8}", fullmatch=True),
)
def test_handelsbanken_account_is_mod11_over_nine_digits(clearing, serial):
    check = _mod11_completion(serial)
    assume(check is not None and int(serial + check) != 0)

    assert validate_bank_account(clearing, serial + check).account == serial + check


@given(
    clearing=st.sampled_from(["5000", "6000", "8327-9", "9570", "3300"]),
    serial=st.from_regex(r"[0-9]{6,9}", fullmatch=True),
)
def test_masked_form_never_shows_more_than_four_digits(clearing, serial):
    try:
        account = validate_bank_account(clearing, serial)
    except AccountValidationError:
        return
    digits_shown = "".join(c for c in account.masked() if c.isdigit())

    assert digits_shown == account.account[-4:]
    assert account.account not in repr(account)


def test_bank_account_normalisation_is_idempotent():
    once = validate_bank_account("8129-9", "043 386 711-6")
    twice = validate_bank_account(once.clearing_display, once.account)

    assert once == twice
    assert isinstance(twice, BankAccount)


# --- bankgiro ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "formatted"),
    [
        ("5402-9681", "5402-9681"),  # [BT] [LD] Carnegie fonder
        ("297-3675", "297-3675"),  # [BT] [LD] Carnegie fonder
        ("640-5070", "640-5070"),  # [BT] [LD] Carnegie fonder
        ("902-0033", "902-0033"),  # [BT] 90-konto
        (" 6-40 - 5070", "640-5070"),  # [BT] normalisation
        (" 5 4 0 2 - 9 6 8 1 ", "5402-9681"),  # [BT]
        ("54029681", "5402-9681"),  # [LD]
    ],
)
def test_published_bankgiro_numbers_validate(value, formatted):
    assert validate_bankgiro(value).formatted() == formatted
    assert str(validate_bankgiro(value)) == formatted


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        (
            "5402-9682",
            "bankgiro_check_digit",
            "Kontrollsiffran i bankgironumret stämmer inte.",
        ),  # [BT] [LD]
        (
            "5402-96810",
            "bankgiro_length",
            "Ett bankgironummer har 7 eller 8 siffror, men detta har 9.",
        ),  # [BT] [LD]
        (
            "54-0296",
            "bankgiro_length",
            "Ett bankgironummer har 7 eller 8 siffror, men detta har 6.",
        ),  # [BT]
        (
            "5402-968X",
            "bankgiro_characters",
            "Bankgironumret får bara innehålla siffror och bindestreck.",
        ),  # [LD]
        ("", "bankgiro_empty", "Ange bankgironummer."),
    ],
)
def test_wrong_bankgiro_numbers_are_refused(value, code, message):
    error = refusal(validate_bankgiro, value)

    assert (error.code, error.message_sv) == (code, message)


# --- plusgiro ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "formatted"),
    [
        ("28 65 43-4", "286543-4"),  # [BT] IKEA
        ("410 54 68-5", "4105468-5"),  # [BT] IKEA
        ("4-2", "4-2"),  # [BT] Sveriges riksbank
        ("90 20 03-3", "902003-3"),  # [BT] 90-konto
        ("4 1 0 5 4 6 8 - 5 ", "4105468-5"),  # [BT]
    ],
)
def test_published_plusgiro_numbers_validate(value, formatted):
    assert validate_plusgiro(value).formatted() == formatted


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        (
            "410 54 68-6",
            "plusgiro_check_digit",
            "Kontrollsiffran i plusgironumret stämmer inte.",
        ),  # [BT]
        (
            "410 54 68-51",
            "plusgiro_length",
            "Ett plusgironummer har 2 till 8 siffror, men detta har 9.",
        ),  # [BT]
        ("1", "plusgiro_length", "Ett plusgironummer har 2 till 8 siffror, men detta har 1."),
        (
            "410 54 68-5X",
            "plusgiro_characters",
            "Plusgironumret får bara innehålla siffror, mellanslag och bindestreck.",
        ),  # [BT]
        (
            "1---------",
            "plusgiro_length",
            "Ett plusgironummer har 2 till 8 siffror, men detta har 1.",
        ),
    ],
)
def test_wrong_plusgiro_numbers_are_refused(value, code, message):
    error = refusal(validate_plusgiro, value)

    assert (error.code, error.message_sv) == (code, message)


@given(base=st.from_regex(r"[0-9]{6,7}", fullmatch=True))
def test_luhn_completed_bankgiro_validates(base):
    number = base + mod10_check_digit(base)

    assert validate_bankgiro(number).number == number


@given(
    base=st.from_regex(r"[0-9]{6,7}", fullmatch=True),
    position=st.integers(min_value=0, max_value=7),
    delta=st.integers(min_value=1, max_value=9),
)
def test_bankgiro_with_one_digit_changed_is_refused(base, position, delta):
    changed = _change_one_digit(base + mod10_check_digit(base), position, delta)

    assert refusal(validate_bankgiro, changed).code == "bankgiro_check_digit"


@given(
    base=st.from_regex(r"[0-9]{1,7}", fullmatch=True),
    position=st.integers(min_value=0, max_value=7),
    delta=st.integers(min_value=1, max_value=9),
)
def test_luhn_completed_plusgiro_validates_and_one_changed_digit_fails(base, position, delta):
    number = base + mod10_check_digit(base)

    assert validate_plusgiro(number).number == number
    changed = _change_one_digit(number, position, delta)
    assert refusal(validate_plusgiro, changed).code == "plusgiro_check_digit"


# --- organisation numbers (python-stdnum) -----------------------------------------------


@pytest.mark.parametrize(
    ("value", "formatted"),
    [
        ("1234567897", "123456-7897"),  # [SN] doctest
        ("123456-7897", "123456-7897"),  # [SN] doctest (format)
        ("556016-0680", "556016-0680"),  # Telefonaktiebolaget LM Ericsson, public registration
        ("16556016-0680", "556016-0680"),  # the same with Skatteverket's 16 prefix
    ],
)
def test_organisation_numbers_validate(value, formatted):
    assert validate_organisation_number(value).formatted() == formatted


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        (
            "1234567891",
            "orgnr_check_digit",
            "Kontrollsiffran i organisationsnumret stämmer inte.",
        ),  # [SN]
        (
            "12345678",
            "orgnr_length",
            "Ett organisationsnummer har 10 siffror, men detta har 8.",
        ),
        (
            "55601606B0",
            "orgnr_characters",
            "Organisationsnumret får bara innehålla siffror och bindestreck.",
        ),
    ],
)
def test_wrong_organisation_numbers_are_refused(value, code, message):
    error = refusal(validate_organisation_number, value)

    assert (error.code, error.message_sv) == (code, message)


# --- OCR references ---------------------------------------------------------------------


def test_ocr_references_from_bankgirots_manual():
    # [BT] from Bankgirot BG6070 section 5.2
    assert make_ocr("123") == "1230"
    assert make_ocr("1234567890", length_digit=True) == "123456789023"
    assert validate_ocr("1230") == "1230"
    assert validate_ocr("123456789023", length_digit=True) == "123456789023"
    assert validate_ocr("00") == "00"


@pytest.mark.parametrize(
    ("value", "kwargs", "code", "message"),
    [
        (
            "1231",
            {},
            "ocr_check_digit",
            "Kontrollsiffran i OCR-numret stämmer inte. Kontrollera numret mot fakturan.",
        ),  # [BT]
        (
            "12369",
            {"length_digit": True},
            "ocr_length_digit",
            "Längdsiffran i OCR-numret (näst sista siffran) stämmer inte med antalet siffror.",
        ),  # [BT]
        ("0", {}, "ocr_length", "OCR-numret ska ha 2–25 siffror, men har 1."),  # [BT]
        ("1" * 26, {}, "ocr_length", "OCR-numret ska ha 2–25 siffror, men har 26."),
        (
            "1230",
            {"lengths": {10, 12}},
            "ocr_length",
            "OCR-numret ska ha 10 eller 12 siffror, men har 4.",
        ),
        ("12 3X", {}, "ocr_characters", "OCR-numret får bara innehålla siffror."),
    ],
)
def test_wrong_ocr_references_are_refused(value, kwargs, code, message):
    error = refusal(validate_ocr, value, **kwargs)

    assert (error.code, error.message_sv) == (code, message)


@given(
    base=st.from_regex(r"[0-9]{1,22}", fullmatch=True),
    length_digit=st.booleans(),
    position=st.integers(min_value=0, max_value=24),
    delta=st.integers(min_value=1, max_value=9),
)
def test_made_ocr_validates_and_one_changed_digit_fails(base, length_digit, position, delta):
    reference = make_ocr(base, length_digit=length_digit)

    assert validate_ocr(reference, length_digit=length_digit) == reference
    changed = _change_one_digit(reference, position, delta)
    assert refusal(validate_ocr, changed, length_digit=length_digit).code in (
        "ocr_check_digit",
        "ocr_length_digit",
    )


# --- purity -----------------------------------------------------------------------------


def test_payment_modules_do_not_import_django():
    import subprocess
    import sys

    code = (
        "import sys, bistand.payments.bank_accounts, bistand.payments.iso20022;"
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
