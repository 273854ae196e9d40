"""Bulk data for the crash test and the benchmark: many attested payment orders, fast.

The unit, its settings, payees and one decided case are made through the services (as in
the tests). Volume is then added set-wise: decision lines on that final decision (one line per
ten orders, each granting exactly what its orders pay), orders inserted `registered`, their
attestations inserted, and one UPDATE to `attested`. Every row still passes the database's
payment-chain triggers. Building 100,000 real decisions through the decision services would
take hours and measures nothing the payment run does.

Run as a script (used by the crash test, in a subprocess on its own database):
    python -m tests.payments.bulk seed N       -> a fresh unit with N attested orders
    python -m tests.payments.bulk add N        -> N more attested orders in that unit
    python -m tests.payments.bulk state DATE FILE -> JSON: runs, orders, ids in the file
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal

ORDERS_PER_LINE = 10


def _setup_django() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bistand.settings")
    import django

    django.setup()


def make_world():
    """A unit ready to pay, through the services (tests/payments/conftest.World)."""
    from tests.conftest import Org

    from .conftest import World

    return World(Org())


def add_attested_orders(world, count: int, *, pay_on: dt.date | None = None) -> list[int]:
    """`count` attested orders on new lines of the world's decision; returns their ids."""
    from django.db import transaction
    from django.utils import timezone

    from bistand.decisions.legal import legal_basis
    from bistand.decisions.models import DecisionLine, LineKind, Outcome
    from bistand.payments.models import (
        Attestation,
        OrderStatus,
        PaymentMethod,
        PaymentOrder,
    )

    org = world.org
    decision = world.decision
    pay_on = pay_on or world.pay_day
    limit = world.settings.amount_limit
    now = timezone.now()
    applicant, landlord, utility = world.applicant_payee, world.landlord, world.utility
    start = DecisionLine.objects.filter(decision=decision).count()

    def amount(i: int) -> Decimal:
        return Decimal(300 + (i * 7919) % 4500) + Decimal(i % 100) / 100

    with transaction.atomic():
        base = PaymentOrder.objects.count()
        amounts = [amount(base + i) for i in range(count)]
        lines = DecisionLine.objects.bulk_create(
            [
                DecisionLine(
                    decision=decision,
                    position=start + n,
                    key=f"bulk-{start + n}",
                    kind=LineKind.OTHER_LIVING_COSTS,
                    cost_type="other",
                    description="Bulk",
                    outcome=Outcome.GRANTED,
                    amount_applied=sum(amounts[n * ORDERS_PER_LINE : (n + 1) * ORDERS_PER_LINE]),
                    amount_granted=sum(amounts[n * ORDERS_PER_LINE : (n + 1) * ORDERS_PER_LINE]),
                    legal_basis=legal_basis(LineKind.OTHER_LIVING_COSTS, decision.decided_on),
                )
                for n in range((count + ORDERS_PER_LINE - 1) // ORDERS_PER_LINE)
            ],
            batch_size=2000,
        )
        orders = []
        for i, value in enumerate(amounts):
            if i % 5:
                payee, method, extra = applicant, PaymentMethod.ACCOUNT, {"message": "Bistånd"}
            else:
                payee = landlord if i % 2 else utility
                method, extra = PaymentMethod.INVOICE, {"due_on": pay_on, "message": f"Faktura {i}"}
            orders.append(
                PaymentOrder(
                    unit=org.unit,
                    case=world.case,
                    decision=decision,
                    decision_line=lines[i // ORDERS_PER_LINE],
                    month=decision.month,
                    budget_account=world.other_account,
                    amount=value,
                    method=method,
                    payee=payee,
                    payee_account=payee.current_account,
                    payee_name=payee.name,
                    payee_masked=payee.current_account.masked,
                    pay_on=pay_on,
                    created_by=org.labour_head,  # neither decider nor attester
                    created_at=now,
                    **extra,
                )
            )
        created = PaymentOrder.objects.bulk_create(orders, batch_size=5000)
        ids = [order.pk for order in created]
        if ids[0] is None:  # backends without RETURNING on bulk insert
            ids = list(
                PaymentOrder.objects.filter(created_at=now)
                .order_by("id")
                .values_list("id", flat=True)
            )
        Attestation.objects.bulk_create(
            (
                Attestation(
                    order_id=order_id,
                    level=1,
                    attested_by=org.benefit_admin,
                    role=org.benefit_admin.role,
                    amount_limit=limit,
                    attested_at=now,
                )
                for order_id in ids
            ),
            batch_size=5000,
        )
        PaymentOrder.objects.filter(created_at=now, status=OrderStatus.REGISTERED).update(
            status=OrderStatus.ATTESTED
        )
    return ids


def load_world():
    """The world made by `seed`, found again in a later process."""
    from bistand.decisions.models import Decision
    from bistand.organisation.models import User
    from bistand.payments.models import BudgetAccount, Payee, PaymentSettings

    class Found:
        pass

    world = Found()
    org = Found()
    for name, username in (
        ("other_social_worker", "socialworker2"),
        ("benefit_admin", "benefitadmin"),
        ("labour_head", "labourhead"),
        ("finance", "finance"),
    ):
        setattr(org, name, User.objects.get(username=username))
    org.unit = org.finance.unit
    world.org = org
    world.decision = Decision.objects.order_by("id").first()
    world.case = world.decision.case
    world.settings = PaymentSettings.objects.filter(unit=org.unit).order_by("-id").first()
    world.other_account = BudgetAccount.objects.get(unit=org.unit, code="4562")
    payees = Payee.objects.filter(unit=org.unit).select_related("current_account").order_by("id")
    world.applicant_payee, world.landlord, world.utility = payees[:3]
    return world


def state(payment_date: str, path: str) -> dict:
    """What the database and the file hold, for the crash test's assertions."""
    from pathlib import Path

    from lxml import etree

    from bistand.payments.iso20022 import PAIN001_NS, Pain001ValidationError, validate_pain001
    from bistand.payments.models import PaymentOrder, PaymentRun

    runs = list(
        PaymentRun.objects.filter(payment_date=payment_date).values(
            "id", "status", "order_count", "control_sum", "message_id", "file_sha256"
        )
    )
    orders = list(PaymentOrder.objects.values_list("id", "run_id", "status"))
    file_ids: list[str] = []
    valid = None
    if Path(path).exists():
        tree = etree.parse(path)
        file_ids = tree.xpath(
            "//p:CdtTrfTxInf/p:PmtId/p:EndToEndId/text()", namespaces={"p": PAIN001_NS}
        )
        try:
            valid = validate_pain001(path).number_of_transactions
        except Pain001ValidationError as error:
            valid = str(error)
    return {
        "runs": [{**run, "control_sum": str(run["control_sum"])} for run in runs],
        "orders": orders,
        "file_ids": file_ids,
        "file_valid_count": valid,
    }


def main(argv: list[str]) -> None:
    _setup_django()
    command = argv[0]
    if command == "seed":
        world = make_world()
        add_attested_orders(world, int(argv[1]))
        print(json.dumps({"pay_day": world.pay_day.isoformat()}))
    elif command == "add":
        add_attested_orders(load_world(), int(argv[1]), pay_on=dt.date.fromisoformat(argv[2]))
    elif command == "state":
        print(json.dumps(state(argv[1], argv[2])))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
