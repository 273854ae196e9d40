"""Issue 13: *Registrera utbetalning* refuses at the field: the form again with every value
kept, the error beside its field, a summary linking to it, nothing stored."""

from django.urls import reverse

from bistand.payments.models import PaymentOrder
from tests.cases.test_field_errors import assert_refused_at


def test_an_amount_that_is_not_a_number_is_refused_at_the_amount(client, world):
    client.force_login(world.registrar)
    response = client.post(
        reverse("payments:order_new", args=[world.case.pk]),
        {
            "line": world.income_line.pk,
            "method": "account",
            "amount": "tusen",
            "pay_on": world.pay_day.isoformat(),
            "note": "Hyra december",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "amount", "Ange beloppet i kronor")
    assert 'value="tusen"' in html and "Hyra december" in html
    assert not PaymentOrder.objects.exists()


def test_an_invoice_without_payee_is_refused_by_the_service_at_the_payee(client, world):
    client.force_login(world.registrar)
    response = client.post(
        reverse("payments:order_new", args=[world.case.pk]),
        {
            "line": world.other_line.pk,
            "method": "invoice",
            "amount": "1500",
            "pay_on": world.pay_day.isoformat(),
            "due_on": world.pay_day.isoformat(),
            "invoice_number": "F-77",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "payee", "Välj mottagare")
    assert 'value="F-77"' in html
    assert not PaymentOrder.objects.exists()
