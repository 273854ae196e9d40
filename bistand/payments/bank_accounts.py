"""Swedish payee identifiers: bank accounts, bankgiro, plusgiro, organisation and OCR numbers.

Plain Python (no Django), so forms, services, the payment-file writer and the demo loader all
validate the same way. Every failure raises `AccountValidationError` with a stable `code` and
a Swedish message that says what is wrong. Bank account rules come from Bankgirot's
"Bankernas kontonummeruppbyggnad" as compiled by Bankinfrastruktur/BankData
(`data/bankdata_source.psv`, see `data/README.md`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from stdnum.se import orgnr as stdnum_orgnr
from stdnum.se import personnummer as stdnum_personnummer

__all__ = [
    "ERROR_CODES",
    "AccountValidationError",
    "BankAccount",
    "BankRange",
    "Bankgiro",
    "OrganisationNumber",
    "Plusgiro",
    "bank_ranges",
    "find_bank",
    "make_ocr",
    "mod10_check_digit",
    "mod11_is_valid",
    "validate_bank_account",
    "validate_bankgiro",
    "validate_ocr",
    "validate_organisation_number",
    "validate_plusgiro",
]

# Separators people type in account numbers ("8327-9", "014 725 892-5", "123.456").
_SEPARATORS = re.compile(r"[\s\-.]")
_DIGITS = re.compile(r"\d*")

ERROR_CODES = frozenset(
    {
        "clearing_empty",
        "clearing_characters",
        "clearing_length",
        "clearing_unknown",
        "clearing_check_digit",
        "account_empty",
        "account_characters",
        "account_length",
        "account_check_digit",
        "account_personal_number",
        "bankgiro_empty",
        "bankgiro_characters",
        "bankgiro_length",
        "bankgiro_check_digit",
        "plusgiro_empty",
        "plusgiro_characters",
        "plusgiro_length",
        "plusgiro_check_digit",
        "orgnr_empty",
        "orgnr_characters",
        "orgnr_length",
        "orgnr_check_digit",
        "ocr_empty",
        "ocr_characters",
        "ocr_length",
        "ocr_check_digit",
        "ocr_length_digit",
    }
)


class AccountValidationError(ValueError):
    """A payee identifier is wrong; `code` is stable, `message_sv` is shown to the user."""

    def __init__(self, code: str, message_sv: str) -> None:
        super().__init__(message_sv)
        self.code = code
        self.message_sv = message_sv

    def __repr__(self) -> str:
        return f"AccountValidationError({self.code!r}, {self.message_sv!r})"


# --- check digits -----------------------------------------------------------------------


def mod10_check_digit(digits: str) -> str:
    """The Luhn (modulus 10) check digit to append to `digits`."""
    return luhn.calc_check_digit(digits)


def _mod10_is_valid(digits: str) -> bool:
    return luhn.checksum(digits) == 0


def mod11_is_valid(digits: str) -> bool:
    """Bankgirot's modulus 11: weights 1, 2, ... 10, 1, 2 ... from the right; sum divisible by 11.

    A sum of 0 (all zeros) is not a valid number (as in BankData's SeMod11).
    """
    total = 0
    for position, char in enumerate(reversed(digits)):
        total += int(char) * (position % 10 + 1)
    return total != 0 and total % 11 == 0


# --- clearing ranges --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BankRange:
    """One row of `data/bankdata_source.psv`: the rules for a range of clearing numbers."""

    clearing_start: int
    clearing_end: int
    iban_id: str
    bic: str
    bank_name: str
    account_type: int  # Bankgirot's type 1 or 2
    check_method: int  # Bankgirot's "kommentar" 1, 2 or 3
    min_length: int  # shortest account accepted (left-padded with zeros)
    length: int  # full account length

    def contains(self, clearing: int) -> bool:
        return self.clearing_start <= clearing <= self.clearing_end


@cache
def bank_ranges() -> tuple[BankRange, ...]:
    """The clearing ranges from `data/bankdata_source.psv`, sorted by clearing number."""
    text = (
        resources.files("bistand.payments")
        .joinpath("data/bankdata_source.psv")
        .read_text(encoding="utf-8")
    )
    ranges = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        start, end, iban_id, bic, name, acc_type, chk_type, _iban_method, min_len, length = (
            line.split("|")
        )
        ranges.append(
            BankRange(
                clearing_start=int(start),
                clearing_end=int(end),
                iban_id=iban_id,
                bic=bic,
                bank_name=name,
                account_type=int(acc_type.removeprefix("Type")),
                check_method=int(chk_type.removeprefix("Comment")),
                min_length=int(min_len),
                length=int(length),
            )
        )
    ranges.sort(key=lambda r: r.clearing_start)
    return tuple(ranges)


def find_bank(clearing: int | str) -> BankRange | None:
    """The range a 4-digit clearing number belongs to, or None if no bank has it."""
    number = int(clearing)
    for bank_range in bank_ranges():
        if bank_range.contains(number):
            return bank_range
    return None


# --- bank accounts ----------------------------------------------------------------------

# Nordea personkonto: the account number is the holder's personnummer (BankData deviations).
_PERSONAL_ACCOUNT_CLEARINGS = frozenset({3300, 3782})
# Clearing 3300 is only the personnummer form (Nordea: "För Personkonto med ditt personnummer
# som kontonummer (10 siffror) är clearingnumret alltid 3300"); 3782 also has other accounts.
_PERSONAL_NUMBER_CLEARING = 3300


@dataclass(frozen=True, slots=True)
class BankAccount:
    """A validated Swedish bank account. `str()`/`repr()` show only the masked form.

    `clearing` is the 4-digit clearing number; Swedbank's 8xxx ranges also carry a fifth
    check digit in `clearing_check_digit`. `account` is the full-length account number
    (zero-padded to the bank's length), without the clearing number.
    """

    bank_name: str
    clearing: str
    account: str = field(repr=False)
    clearing_check_digit: str = ""
    bic: str = ""

    @property
    def clearing_display(self) -> str:
        """The clearing number as printed by the bank: "1274" or "8327-9"."""
        if self.clearing_check_digit:
            return f"{self.clearing}-{self.clearing_check_digit}"
        return self.clearing

    def formatted(self) -> str:
        """The full number, for the few who may see it: "8327-9, 0147258925"."""
        return f"{self.clearing_display}, {self.account}"

    def masked(self) -> str:
        """Bank and last four digits only, as in the banks' SUS service: "Swedbank, ****8925"."""
        return f"{self.bank_name}, ****{self.account[-4:]}"

    def __str__(self) -> str:
        return self.masked()

    def __repr__(self) -> str:
        return f"BankAccount({self.masked()!r})"


def _clean(value: object, kind: str, names_sv: tuple[str, str], allowed_sv: str) -> str:
    """Digits only, separators removed; raise `<kind>_empty` / `<kind>_characters`.

    `names_sv`: the number's name, indefinite and definite ("kontonummer", "Kontonumret").
    """
    text = _SEPARATORS.sub("", str(value if value is not None else ""))
    if not text:
        raise AccountValidationError(f"{kind}_empty", f"Ange {names_sv[0]}.")
    if not _DIGITS.fullmatch(text) or not text.isascii():
        raise AccountValidationError(
            f"{kind}_characters", f"{names_sv[1]} får bara innehålla {allowed_sv}."
        )
    return text


def _checks_out(bank: BankRange, clearing: str, account: str) -> bool:
    """Bankgirot's check-digit rule for the range; `account` is already full length."""
    if bank.account_type == 1:
        # Comment 1: last three clearing digits + account; comment 2: all four.
        digits = (clearing[1:] if bank.check_method == 1 else clearing) + account
        return mod11_is_valid(digits)
    if bank.check_method == 2:  # Handelsbanken: mod 11 over the 9-digit account
        return mod11_is_valid(account)
    # Comment 1 (10-digit account) and 3 (Swedbank 8xxx, Plusgirot): mod 10 over the account.
    return int(account) != 0 and _mod10_is_valid(account)


def _is_personal_number(account: str) -> bool:
    """YYMMDDNNNC with a real date of birth (day + 60 for a samordningsnummer) and a birth
    number other than 000. The check digit is the account's own mod-10 check."""
    day = int(account[4:6])
    if day > 60:
        day -= 60
    try:
        # A date is valid in one of the two centuries when it is in stdnum's (YY 00 = 2000).
        stdnum_personnummer.get_birth_date(f"{account[:4]}{day:02d}-{account[6:]}")
    except ValidationError:
        return False
    return account[6:9] != "000"


def validate_bank_account(clearing: str, account: str) -> BankAccount:
    """Validate and normalise a Swedish bank account by the rules of its clearing range.

    `clearing` is 4 digits, or 5 for Swedbank 8xxx-x (the fifth, a mod-10 check digit over
    the first four, is verified when given and computed when left out). `account` is the
    account number without the clearing number; short numbers are zero-padded where the
    bank allows it, and leading zeros beyond the bank's length (as some banks print the
    number) are dropped.
    """
    clearing_digits = _clean(clearing, "clearing", ("clearingnummer", "Clearingnumret"), "siffror")
    account_digits = _clean(
        account, "account", ("kontonummer", "Kontonumret"), "siffror, mellanslag och bindestreck"
    )

    check_digit = ""
    if len(clearing_digits) == 5 and clearing_digits.startswith("8"):
        clearing_digits, check_digit = clearing_digits[:4], clearing_digits[4]
        if mod10_check_digit(clearing_digits) != check_digit:
            raise AccountValidationError(
                "clearing_check_digit",
                f"Kontrollsiffran i clearingnumret {clearing_digits}-{check_digit} stämmer inte.",
            )
    if len(clearing_digits) != 4:
        raise AccountValidationError(
            "clearing_length",
            f"Clearingnumret ska ha fyra siffror (Swedbank 8000–8999 ibland fem, t.ex. 8327-9), "
            f"men {clearing_digits} har {len(clearing_digits)}.",
        )

    bank = find_bank(clearing_digits)
    if bank is None:
        raise AccountValidationError(
            "clearing_unknown", f"Clearingnumret {clearing_digits} finns inte hos någon bank."
        )
    if clearing_digits.startswith("8"):
        check_digit = mod10_check_digit(clearing_digits)

    if (
        int(clearing_digits) in _PERSONAL_ACCOUNT_CLEARINGS
        and len(account_digits) == 12
        and account_digits[:2] in ("19", "20")
    ):
        account_digits = account_digits[2:]  # personnummer written with the century

    if len(account_digits) > bank.length and not account_digits[: -bank.length].strip("0"):
        account_digits = account_digits[-bank.length :]  # leading zeros, as some banks print

    if not bank.min_length <= len(account_digits) <= bank.length:
        expected = (
            f"{bank.length}"
            if bank.min_length == bank.length
            else f"{bank.min_length}–{bank.length}"
        )
        hint = ""
        if len(account_digits) > bank.length and account_digits.startswith(clearing_digits):
            hint = " Skriv kontonumret utan clearingnumret."
        raise AccountValidationError(
            "account_length",
            f"Kontonumret hos {bank.bank_name} ska ha {expected} siffror efter clearingnumret, "
            f"men har {len(account_digits)}.{hint}",
        )
    account_digits = account_digits.zfill(bank.length)

    if int(account_digits) == 0:
        raise AccountValidationError(
            "account_check_digit", "Kontonumret kan inte bestå av bara nollor."
        )
    if int(clearing_digits) == _PERSONAL_NUMBER_CLEARING and not _is_personal_number(
        account_digits
    ):
        raise AccountValidationError(
            "account_personal_number",
            "Ett personkonto hos Nordea med clearingnummer 3300 har kontohavarens personnummer "
            "som kontonummer (ÅÅMMDDNNNN), men kontonumret är inte ett giltigt personnummer. "
            "Kontrollera kontonumret, eller använd de fyra första siffrorna i ett 11-siffrigt "
            "kontonummer som clearingnummer.",
        )
    if not _checks_out(bank, clearing_digits, account_digits):
        raise AccountValidationError(
            "account_check_digit",
            "Kontrollsiffran i kontonumret stämmer inte. "
            "Kontrollera att clearingnummer och kontonummer är rätt skrivna.",
        )
    return BankAccount(
        bank_name=bank.bank_name,
        clearing=clearing_digits,
        account=account_digits,
        clearing_check_digit=check_digit,
        bic=bank.bic,
    )


# --- bankgiro and plusgiro --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bankgiro:
    """A validated bankgiro number (7 or 8 digits, the last a Luhn check digit)."""

    number: str

    def formatted(self) -> str:
        """NNN-NNNN or NNNN-NNNN, as Bankgirot prints it."""
        return f"{self.number[:-4]}-{self.number[-4:]}"

    def __str__(self) -> str:
        return self.formatted()


@dataclass(frozen=True, slots=True)
class Plusgiro:
    """A validated plusgiro number (2 to 8 digits, the last a Luhn check digit)."""

    number: str

    def formatted(self) -> str:
        """NNNNNN-N: the check digit after a hyphen."""
        return f"{self.number[:-1]}-{self.number[-1]}"

    def __str__(self) -> str:
        return self.formatted()


# python-stdnum (2.x) has no bankgiro or plusgiro module (stdnum.se holds orgnr,
# personnummer, postnummer and vat), so these two are written here on stdnum's Luhn.
def validate_bankgiro(value: str) -> Bankgiro:
    """Validate a bankgiro number: 7-8 digits, mod 10 (Luhn) over the whole number."""
    digits = _clean(
        value, "bankgiro", ("bankgironummer", "Bankgironumret"), "siffror och bindestreck"
    )
    if not 7 <= len(digits) <= 8:
        raise AccountValidationError(
            "bankgiro_length",
            f"Ett bankgironummer har 7 eller 8 siffror, men detta har {len(digits)}.",
        )
    if not _mod10_is_valid(digits):
        raise AccountValidationError(
            "bankgiro_check_digit", "Kontrollsiffran i bankgironumret stämmer inte."
        )
    return Bankgiro(digits)


def validate_plusgiro(value: str) -> Plusgiro:
    """Validate a plusgiro number: 2-8 digits, mod 10 (Luhn) over the whole number."""
    digits = _clean(
        value,
        "plusgiro",
        ("plusgironummer", "Plusgironumret"),
        "siffror, mellanslag och bindestreck",
    )
    if not 2 <= len(digits) <= 8:
        raise AccountValidationError(
            "plusgiro_length",
            f"Ett plusgironummer har 2 till 8 siffror, men detta har {len(digits)}.",
        )
    if not _mod10_is_valid(digits):
        raise AccountValidationError(
            "plusgiro_check_digit", "Kontrollsiffran i plusgironumret stämmer inte."
        )
    return Plusgiro(digits)


# --- organisation numbers ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrganisationNumber:
    """A validated Swedish organisation number (10 digits)."""

    number: str

    def formatted(self) -> str:
        """NNNNNN-NNNN."""
        return stdnum_orgnr.format(self.number)

    def __str__(self) -> str:
        return self.formatted()


def validate_organisation_number(value: str) -> OrganisationNumber:
    """Validate an organisation number with python-stdnum (`stdnum.se.orgnr`).

    The 12-digit form with the "16" prefix used by Skatteverket is accepted and shortened.
    """
    digits = _clean(
        value, "orgnr", ("organisationsnummer", "Organisationsnumret"), "siffror och bindestreck"
    )
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]
    try:
        return OrganisationNumber(stdnum_orgnr.validate(digits))
    except InvalidLength:
        raise AccountValidationError(
            "orgnr_length",
            f"Ett organisationsnummer har 10 siffror, men detta har {len(digits)}.",
        )
    except InvalidChecksum:
        raise AccountValidationError(
            "orgnr_check_digit", "Kontrollsiffran i organisationsnumret stämmer inte."
        )
    except (InvalidFormat, ValidationError):
        raise AccountValidationError(
            "orgnr_characters", "Organisationsnumret får bara innehålla siffror och bindestreck."
        )


# --- OCR references ---------------------------------------------------------------------

# Bankgirot: an OCR reference has at most 25 digits, the last a mod-10 check digit; the
# payee may also require a length digit (second last: the total length, units digit).
OCR_MIN_LENGTH = 2
OCR_MAX_LENGTH = 25


def validate_ocr(
    value: str, *, length_digit: bool = False, lengths: Collection[int] | None = None
) -> str:
    """Validate an OCR reference for an invoice payment and return its digits.

    `length_digit`: the payee uses Bankgirot's length digit (variable length check).
    `lengths`: the payee accepts only these lengths (fixed length check).
    """
    digits = _clean(value, "ocr", ("OCR-nummer", "OCR-numret"), "siffror")
    if not OCR_MIN_LENGTH <= len(digits) <= OCR_MAX_LENGTH or (
        lengths is not None and len(digits) not in lengths
    ):
        allowed = (
            " eller ".join(str(n) for n in sorted(lengths))
            if lengths
            else f"{OCR_MIN_LENGTH}–{OCR_MAX_LENGTH}"
        )
        raise AccountValidationError(
            "ocr_length", f"OCR-numret ska ha {allowed} siffror, men har {len(digits)}."
        )
    if not _mod10_is_valid(digits):
        raise AccountValidationError(
            "ocr_check_digit",
            "Kontrollsiffran i OCR-numret stämmer inte. Kontrollera numret mot fakturan.",
        )
    if length_digit and (len(digits) < 3 or int(digits[-2]) != len(digits) % 10):
        raise AccountValidationError(
            "ocr_length_digit",
            "Längdsiffran i OCR-numret (näst sista siffran) stämmer inte med antalet siffror.",
        )
    return digits


def make_ocr(base: str, *, length_digit: bool = False) -> str:
    """An OCR reference from `base`: optional length digit, then the mod-10 check digit."""
    if not base.isdigit() or not base.isascii():
        raise ValueError("OCR base must be digits")
    if length_digit:
        base += str((len(base) + 2) % 10)
    reference = base + mod10_check_digit(base)
    if len(reference) > OCR_MAX_LENGTH:
        raise ValueError(f"OCR reference longer than {OCR_MAX_LENGTH} digits")
    return reference
