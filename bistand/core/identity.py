"""Swedish identity numbers: personnummer and samordningsnummer (coordination numbers).

Plain Python (no Django). The Luhn check comes from python-stdnum; stdnum's personnummer
module does not handle coordination numbers (day + 60) nor a reference date for the century,
so the parsing is done here.

Accepted forms: YYMMDD-NNNC, YYMMDD+NNNC (aged 100 or more), YYMMDDNNNC, YYYYMMDDNNNC,
YYYYMMDD-NNNC. The canonical stored form is 12 digits YYYYMMDDNNNC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumValidationError


class IdentityNumberError(ValueError):
    """An identity number that cannot be valid. `message` is in Swedish for the UI."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class IdentityNumber:
    canonical: str  # YYYYMMDDNNNC
    birth_date: dt.date
    is_coordination_number: bool

    @property
    def sex(self) -> str:
        """Legal sex as registered: 'M' or 'F' (odd or even second-to-last digit)."""
        return "M" if int(self.canonical[-2]) % 2 else "F"

    def formatted(self) -> str:
        return f"{self.canonical[:8]}-{self.canonical[8:]}"

    def masked(self) -> str:
        return f"{self.canonical[:8]}-****"


def _clean(raw: str) -> tuple[str, str]:
    text = "".join(str(raw).split())
    separator = ""
    if len(text) in (11, 13) and text[-5] in "-+":
        separator = text[-5]
        text = text[:-5] + text[-4:]
    return text, separator


def parse_identity_number(raw: str, today: dt.date | None = None) -> IdentityNumber:
    """Validate and normalise a personnummer or samordningsnummer.

    `today` decides the century of a 10-digit number (Folkbokföringslagen 18 §: '+' from the
    year a person turns 100).
    """
    today = today or dt.date.today()
    if raw is None or not str(raw).strip():
        raise IdentityNumberError("empty", "Ange ett personnummer eller samordningsnummer.")
    digits, separator = _clean(raw)
    if not digits.isdigit():
        raise IdentityNumberError(
            "format", "Personnumret får bara innehålla siffror och ett bindestreck eller plus."
        )
    if len(digits) == 12:
        if separator == "+":
            raise IdentityNumberError(
                "format", "Plustecken används bara i den tiosiffriga formen (ÅÅMMDD+NNNN)."
            )
        year = int(digits[:4])
        rest = digits[4:]
    elif len(digits) == 10:
        yy = int(digits[:2])
        century = today.year // 100
        year = century * 100 + yy
        if year > today.year:
            year -= 100
        if separator == "+":
            year -= 100
        rest = digits[2:]
    else:
        raise IdentityNumberError(
            "length", "Personnumret ska ha 10 eller 12 siffror (ÅÅMMDD-NNNN eller ÅÅÅÅMMDDNNNN)."
        )
    month = int(rest[0:2])
    day = int(rest[2:4])
    coordination = day > 60
    if coordination:
        day -= 60
    if year < 1850:
        raise IdentityNumberError("date", "Födelseåret i personnumret är inte rimligt.")
    try:
        birth = dt.date(year, month, day)
    except ValueError:
        raise IdentityNumberError(
            "date",
            "Datumet i numret finns inte (kontrollera månad och dag; samordningsnummer har dag + 60).",
        )
    if birth > today:
        raise IdentityNumberError("future", "Födelsedatumet i personnumret ligger i framtiden.")
    if digits[-4:-1] == "000":
        # Skatteverket: the birth number (födelsenummer) runs 001-999; 000 is never issued.
        kind = "samordningsnumret" if coordination else "personnumret"
        raise IdentityNumberError(
            "serial",
            f"Födelsenumret (de tre siffrorna före kontrollsiffran) i {kind} kan inte vara 000.",
        )
    try:
        luhn.validate(digits[-10:])
    except StdnumValidationError:
        kind = "samordningsnumret" if coordination else "personnumret"
        raise IdentityNumberError("checksum", f"Kontrollsiffran i {kind} stämmer inte.")
    return IdentityNumber(
        canonical=f"{year:04d}{digits[-8:]}", birth_date=birth, is_coordination_number=coordination
    )


def is_valid_identity_number(raw: str, today: dt.date | None = None) -> bool:
    try:
        parse_identity_number(raw, today)
    except IdentityNumberError:
        return False
    return True


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Completed years on a date (a person born 29 Feb turns a year older on 1 Mar)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
