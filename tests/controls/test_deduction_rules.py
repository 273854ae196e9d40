"""The deduction arithmetic as properties: never negative, never more than the payment, the
month's cap or the balance, never leaving the household below the decided minimum, and the
largest amount that does all that; a refusal names the rule in Swedish."""

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from bistand.controls.deduction_rules import DeductionLimits, allowed_deduction, refusal_for, sek

MONTH = dt.date(2026, 11, 1)
kronor = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False)


def limits(**values) -> DeductionLimits:
    defaults = dict(
        gross=Decimal("8000.00"), paid_before=Decimal("0.00"), minimum_left=Decimal("6000.00"),
        monthly_amount=Decimal("1000.00"), deducted_in_month=Decimal("0.00"),
        balance=Decimal("3000.00"), month=MONTH, reference="ÅK-1",
    )  # fmt: skip
    defaults.update(values)
    return DeductionLimits(**defaults)


@given(
    gross=kronor, paid_before=kronor, minimum=kronor, monthly=kronor, done=kronor, balance=kronor
)
def test_a_deduction_never_breaks_a_rule_and_takes_what_the_rules_allow(
    gross, paid_before, minimum, monthly, done, balance
):
    rules = limits(gross=gross, paid_before=paid_before, minimum_left=minimum,
                   monthly_amount=monthly, deducted_in_month=done, balance=balance)  # fmt: skip
    result = allowed_deduction(rules)
    amount = result.amount
    assert amount >= 0
    assert gross - amount >= 0  # never a negative payment
    assert amount <= max(monthly - done, 0)
    assert amount <= balance
    # The household keeps the decided minimum; when it gets less than that anyway, nothing
    # is deducted at all.
    if paid_before + gross >= minimum:
        assert paid_before + gross - amount >= minimum
    else:
        assert amount == 0
    # Largest allowed: one of the limits binds, and the message for it is given.
    assert amount == min(max(monthly - done, 0), balance, gross,
                         max(paid_before + gross - minimum, 0))  # fmt: skip
    assert result.limits


@given(requested=kronor, gross=kronor, minimum=kronor)
def test_a_requested_deduction_is_refused_exactly_when_a_rule_stops_it(requested, gross, minimum):
    rules = limits(gross=gross, minimum_left=minimum)
    allowed = allowed_deduction(rules).amount
    refusal = refusal_for(requested, rules)
    assert bool(refusal) == (requested > allowed)
    if refusal:
        assert f"högst {sek(allowed)} kan avräknas" in refusal


def test_refusals_name_the_rule_in_swedish():
    minimum = refusal_for(Decimal("1000.00"), limits(gross=Decimal("6500.00")))
    assert "Hushållet ska enligt beslutet ha kvar minst 6 000,00 kr för 2026-11" in minimum
    cap = refusal_for(Decimal("900.00"), limits(deducted_in_month=Decimal("500.00")))
    assert "högst 1 000,00 kr per månad; 500,00 kr är redan avräknat för 2026-11" in cap
    balance = refusal_for(Decimal("900.00"), limits(balance=Decimal("200.00")))
    assert "Kvar att betala på återkravet är 200,00 kr" in balance
    negative = refusal_for(Decimal("900.00"), limits(gross=Decimal("100.00"), minimum_left=0))
    assert "aldrig göra utbetalningen negativ" in negative
    assert refusal_for(Decimal("-1"), limits()) == "Ett avräknat belopp kan inte vara negativt."
