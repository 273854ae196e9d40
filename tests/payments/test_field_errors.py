"""Issue 13: *Registrera utbetalning* and the order page's forms refuse at the field: the form again with every value
kept, the error beside its field, a summary linking to it, nothing stored."""

import re

from django.urls import reverse

from bistand.payments.models import PaymentMethod, PaymentOrder
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


def test_cancelling_without_reason_is_refused_at_the_field_details_open(client, world):
    order = world.order()
    client.force_login(world.registrar)
    response = client.post(reverse("payments:order_cancel", args=[order.pk]), {"reason": ""})
    assert response.status_code == 400
    html = response.content.decode()
    # Two reason fields on the page (re-register, cancel): the refused one is the cancel's.
    tag = re.search(r'<input[^>]*id="cancel_reason"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in tag and 'aria-describedby="cancel_reason_error"' in tag
    error = re.search(r'<ul class="errorlist" id="cancel_reason_error">(.*?)</ul>', html, re.S)
    assert error and "obligatoriskt" in error.group(1)
    assert 'href="#cancel_reason"' in html
    assert "aria-invalid" not in re.search(r'<input[^>]*id="reissue_reason"[^>]*>', html).group(0)
    assert '<details id="cancel" open>' in html
    order.refresh_from_db()
    assert order.status != "cancelled"


def test_recording_a_requisition_paid_in_the_future_is_refused_at_the_date(client, world, org):
    import datetime as dt

    order = world.attested(PaymentMethod.REQUISITION, "400")
    client.force_login(org.finance)
    future = (world.today + dt.timedelta(days=10)).isoformat()
    response = client.post(
        reverse("payments:order_paid", args=[order.pk]),
        {"paid_on": future, "note": "Kvitto 4711"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "paid_on", "framtiden")
    assert "Kvitto 4711" in html
    order.refresh_from_db()
    assert order.status == "attested"
