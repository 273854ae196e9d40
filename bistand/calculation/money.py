"""Money as Decimal kronor with at most two decimals, and its Swedish display."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from .errors import InputError

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
NBSP = "\u00a0"
# Amounts as text: plain decimal notation ("1234.50"); no exponent, grouping or comma.
_AMOUNT_TEXT = re.compile(r"\A[+-]?[0-9]+(\.[0-9]+)?\Z")


def round_to_ore(value: Decimal) -> Decimal:
    """Round a derived amount (a share, a disregard, a part month) to whole öre, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# Larger amounts are refused as input errors (and would exceed Decimal's default precision).
MAX_AMOUNT = Decimal("1000000000000")


def is_valid_amount(value: object) -> bool:
    """True for a non-negative Decimal below MAX_AMOUNT with no fraction of an öre.

    The engine inlines this same test on its hot path; keep the two alike.
    """
    return (
        type(value) is Decimal
        and value.is_finite()
        and ZERO <= value < MAX_AMOUNT
        and value == value.quantize(CENT)
    )


def check_amount(value: object, field: str) -> Decimal:
    """Return `value` as a valid amount (see is_valid_amount), or raise InputError."""
    if type(value) is not Decimal:
        value = to_decimal(value, field)
    if not value.is_finite():
        raise InputError("invalid_amount", f"Beloppet i {field} är inte ett tal.", field=field)
    if value < ZERO:
        raise InputError(
            "negative_amount", f"Beloppet i {field} är negativt ({value}).", field=field
        )
    if value >= MAX_AMOUNT or value != value.quantize(CENT):
        raise InputError(
            "invalid_amount",
            f"Beloppet i {field} har fler än två decimaler eller är för stort ({value}).",
            field=field,
        )
    return value


def to_decimal(value: object, field: str) -> Decimal:
    """Convert an int, a plain decimal string, a float or a Decimal to Decimal."""
    if isinstance(value, bool):
        raise InputError("invalid_amount", f"Beloppet i {field} är inte ett tal.", field=field)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # the float's shortest text, not its binary value
    if isinstance(value, str) and _AMOUNT_TEXT.match(value):
        return Decimal(value)
    raise InputError(
        "invalid_amount", f"Beloppet i {field} är inte ett tal ({value!r}).", field=field
    )


def format_amount(value: Decimal) -> str:
    """Amount as JSON text: two decimals, point, no grouping ("5220.00")."""
    return f"{value:.2f}"


def format_sek(value: Decimal) -> str:
    """Amount for Swedish display: "5 220,00 kr" with non-breaking spaces."""
    text = f"{value:,.2f}".replace(",", NBSP).replace(".", ",")
    return f"{text}{NBSP}kr"
