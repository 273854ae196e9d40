"""Builders for the recovery tests: a decided, payable case (the payments tests' World), an
incorrect payment, a recovery decision, and decisions for later months on the same case."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bistand.cases import services as case_services
from bistand.controls import recovery
from bistand.core.dates import add_months
from tests.payments.conftest import World, decide_as_proposed

PERIOD = (dt.date(2026, 9, 1), dt.date(2026, 10, 1))


def incorrect_payment(world: World, amount="3000.00", *, by=None, **kwargs):
    return recovery.register_incorrect_payment(
        by or world.org.other_social_worker,
        world.case,
        cause=kwargs.pop("cause", "wrong_information"),
        amount=amount,
        period_from=kwargs.pop("period_from", PERIOD[0]),
        period_to=kwargs.pop("period_to", PERIOD[1]),
        description=kwargs.pop("description", "Lön från Lagerhuset AB redovisades inte."),
        **kwargs,
    )


def claim(world: World, payment=None, *, by=None, **kwargs):
    payment = payment or incorrect_payment(world)
    kwargs.setdefault("amount", payment.amount)
    kwargs.setdefault("ground", "incorrect_statement")
    kwargs.setdefault("reasoning", "Inkomsten skulle ha redovisats i ansökan.")
    kwargs.setdefault("plan", "deduction")
    kwargs.setdefault("monthly_amount", "1000.00")
    kwargs.setdefault("first_month", world.month)
    kwargs.setdefault("minimum_left", "5000.00")
    kwargs.setdefault("consent_on", world.today)
    return recovery.decide_recovery(by or world.org.labour_head, payment, **kwargs)


def decide_month(world: World, month: dt.date):
    """A repeat application for `month` on the world's case, decided as proposed."""
    application = case_services.register_application(
        world.org.reception,
        world.case.household,
        kind="repeat",
        month=month,
        stated_costs=[{"type": "rent", "amount": "6500.00"}],
    )
    return decide_as_proposed(world.org.other_social_worker, application)


def income_line(decision):
    return decision.lines.get(kind="income_support")


def next_months(world: World, count: int) -> list[dt.date]:
    return [add_months(world.month, n) for n in range(1, count + 1)]


ZERO = Decimal("0.00")
