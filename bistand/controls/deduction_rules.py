"""How much may be deducted (avräknas) from one payment against a recovery claim: plain Python,
no Django, so that the arithmetic is tested as properties.

A deduction never makes a payment negative, never leaves the household less for the month
than the minimum the recovery decision states, never takes more in a month than the decision
allows, and never more than the balance. Each limit that bites is named in Swedish.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0.00")


def sek(amount: Decimal) -> str:
    """'1 234,50 kr' (the letters' and pages' format)."""
    whole, _, cents = f"{amount:.2f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return f"{sign}{' '.join(groups) or '0'},{cents} kr"


@dataclass(frozen=True)
class DeductionLimits:
    """What the rules look at for one payment.

    gross: the payment before any deduction; paid_before: what the household already gets in
    hand for the month from other payments (net); minimum_left: the decided minimum for the
    month; monthly_amount: the most the decision deducts per month; deducted_in_month: already
    deducted for the month; balance: what is left of the claim.
    """

    gross: Decimal
    paid_before: Decimal
    minimum_left: Decimal
    monthly_amount: Decimal
    deducted_in_month: Decimal
    balance: Decimal
    month: dt.date
    reference: str = ""


@dataclass
class DeductionResult:
    amount: Decimal
    limits: list[str] = field(default_factory=list)  # the rules that bit, in Swedish


def allowed_deduction(limits: DeductionLimits) -> DeductionResult:
    """The largest deduction the rules allow, and which rules bound it."""
    month = f"{limits.month:%Y-%m}"
    candidates = [
        (
            max(limits.monthly_amount - limits.deducted_in_month, ZERO),
            f"Beslutet om återkrav {limits.reference} medger avräkning med högst "
            f"{sek(limits.monthly_amount)} per månad; {sek(limits.deducted_in_month)} är redan "
            f"avräknat för {month}.",
        ),
        (
            max(limits.balance, ZERO),
            f"Kvar att betala på återkravet är {sek(max(limits.balance, ZERO))}; mer än så kan "
            "inte avräknas.",
        ),
        (
            max(limits.gross, ZERO),
            "En avräkning får aldrig göra utbetalningen negativ: högst hela utbetalningen, "
            f"{sek(max(limits.gross, ZERO))}, kan avräknas.",
        ),
        (
            max(limits.paid_before + limits.gross - limits.minimum_left, ZERO),
            f"Hushållet ska enligt beslutet ha kvar minst {sek(limits.minimum_left)} för "
            f"{month} (lägsta belopp i beslutet om återkrav {limits.reference}).",
        ),
    ]
    amount = min(value for value, _ in candidates)
    binding = [reason for value, reason in candidates if value == amount]
    return DeductionResult(amount=amount.quantize(Decimal("0.01")), limits=binding)


def refusal_for(requested: Decimal, limits: DeductionLimits) -> str:
    """'' if `requested` is within the rules, else the Swedish reason naming the rule."""
    if requested < 0:
        return "Ett avräknat belopp kan inte vara negativt."
    result = allowed_deduction(limits)
    if requested <= result.amount:
        return ""
    return (
        f"Avräkningen {sek(requested)} är inte tillåten; högst {sek(result.amount)} kan "
        f"avräknas. {' '.join(result.limits)}"
    )
