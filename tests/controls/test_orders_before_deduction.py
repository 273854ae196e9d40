"""A payment order registered before a recovery decision with a deduction plan: a registered
order is never changed afterwards, so the deduction plan is refused (in Swedish, naming the
orders) while such orders wait outside a payment run; cancelled and registered again after the
decision they are deducted. Through the service, the page and the API."""

from decimal import Decimal

import pytest

from bistand.controls import recovery
from bistand.controls.recovery_models import RecoveryClaim
from bistand.core.dates import add_months
from bistand.core.errors import DomainError
from bistand.payments import services as payments
from bistand.payments.models import PaymentMethod
from tests.payments.conftest import World

from .recovery_helpers import claim, incorrect_payment


@pytest.fixture
def world(org):
    return World(org)


def test_a_deduction_plan_is_refused_while_an_order_it_would_reduce_waits(world, org):
    waiting = world.order(amount="9000.00")
    assert waiting.amount == Decimal("9000.00")  # no claim yet: nothing deducted
    payment = incorrect_payment(world)
    with pytest.raises(DomainError) as error:
        claim(world, payment)
    assert error.value.code == "orders_registered_before_deduction"
    message = error.value.message
    assert f"BU{waiting.pk} ({world.month:%Y-%m}, 9 000,00 kr)" in message
    assert "Makulera dem" in message and "registrera dem sedan på nytt" in message
    assert not RecoveryClaim.objects.exists()
    waiting.refresh_from_db()
    assert waiting.amount == Decimal("9000.00") and waiting.status == "registered"

    # A repayment plan, or deductions from a later month, do not touch the waiting order.
    later = claim(world, payment, amount="1000.00", first_month=add_months(world.month, 1))
    assert later.plan == "deduction"
    claim(world, payment, amount="1000.00", plan="repayment", consent_on=None, minimum_left="")

    # Cancelled, decided, registered again: the new order is deducted.
    payments.cancel_order(world.registrar, waiting, reason="Registreras om efter återkravet")
    made = claim(world, payment, amount="1000.00")
    again = world.order(amount="9000.00")
    assert again.amount == Decimal("8000.00")
    assert recovery.balance(made) == Decimal("0.00")


def test_invoices_and_orders_already_deducted_on_the_chain_do_not_stop_it(world, org):
    world.order(PaymentMethod.INVOICE, "1000.00")  # an invoice is never deducted
    made = claim(world)
    deducted = world.order(amount="9000.00")
    assert deducted.amount == Decimal("8000.00")
    # A replacing decision: the order was deducted under the chain, so it does not wait.
    replacement = claim(world, made.incorrect_payment, replaces=made, amount="2500.00")
    assert replacement.replaces == made


def test_the_page_and_the_api_say_why_in_swedish(world, org, client):
    waiting = world.order(amount="9000.00")
    payment = incorrect_payment(world)
    client.force_login(org.labour_head)
    data = {"amount": "3000.00", "ground": "incorrect_statement", "reasoning": "Lön ej redovisad.",
            "plan": "deduction", "monthly_amount": "1000", "first_month": f"{world.month:%Y-%m}",
            "minimum_left": "5000", "consent_on": world.today.isoformat()}  # fmt: skip
    page = client.post(f"/kontroll/felaktig-utbetalning/{payment.pk}/aterkrav/", data, follow=True)
    assert f"BU{waiting.pk}" in page.content.decode()
    assert "En registrerad utbetalning ändras aldrig i efterhand" in page.content.decode()
    api = client.post("/api/v1/recovery-claims/", {**data, "incorrect_payment": payment.pk},
                      content_type="application/json")  # fmt: skip
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "orders_registered_before_deduction"
    assert not RecoveryClaim.objects.exists()
