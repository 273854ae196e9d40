"""Every payment page opens for the roles it is for (and refuses the others) in Swedish."""

import pytest
from django.urls import reverse

from bistand.payments import services
from bistand.payments.models import PaymentMethod, PaymentRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def full(world, org):
    orders = [
        world.attested(PaymentMethod.ACCOUNT, "1000"),
        world.attested(PaymentMethod.INVOICE, "200", ocr_reference="1234567897"),
        world.attested(PaymentMethod.REQUISITION, "300"),
        world.attested(PaymentMethod.CASH, "100"),
        world.order(PaymentMethod.INVOICE, "50"),
    ]
    run = services.build_run(org.finance, world.pay_day).run
    return orders, run


def test_finance_pages(client, world, org, full):
    orders, run = full
    client.force_login(org.finance)
    for url in [
        reverse("payments:index"),
        reverse("payments:queue"),
        reverse("payments:payees"),
        reverse("payments:payee", args=[world.landlord.pk]),
        reverse("payments:runs"),
        reverse("payments:run", args=[run.pk]),
        reverse("payments:reconcile"),
        reverse("payments:budget"),
        *[reverse("payments:order", args=[o.pk]) for o in orders],
        reverse("payments:requisition", args=[orders[2].pk]),
    ]:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
    home = client.get(reverse("home")).content.decode()
    for label in ("Utbetalningar", "Mottagare", "Betalningsfiler", "Avstämning", "Budget"):
        assert label in home


def test_unit_head_pages(client, world, org, full):
    orders, run = full
    client.force_login(org.unit_head)
    for url in [
        reverse("payments:attest_queue"),
        reverse("payments:queue"),
        reverse("payments:runs"),
        reverse("payments:run", args=[run.pk]),
        reverse("payments:budget"),
        reverse("payments:settings"),
        reverse("payments:order", args=[orders[0].pk]),
    ]:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("payments:reconcile")).status_code == 403
    response = client.post(
        reverse("payments:settings"),
        {
            "amount_limit": "12000",
            "debtor_name": "Exempelkommun",
            "debtor_iban": "SE45 5000 0000 0583 9825 7466",
            "debtor_bic": "NDEASESS",
            "organisation_number": "212000-0142",
            "bank_ledger_account": "1930",
            "note": "Nämndbeslut",
        },
        follow=True,
    )
    assert "Inställningarna är sparade" in response.content.decode()
    response = client.post(
        reverse("payments:settings"),
        {
            "amount_limit": "12000",
            "debtor_name": "Exempelkommun",
            "debtor_iban": "SE45 5000 0000 0583 9825 7467",
            "debtor_bic": "NDEASESS",
            "organisation_number": "212000-0142",
            "bank_ledger_account": "1930",
        },
        follow=True,
    )
    assert "Kontrollsiffrorna i IBAN stämmer inte" in response.content.decode()


def test_handler_pages_and_refusals(client, world, org, full):
    orders, run = full
    client.force_login(org.benefit_admin)
    assert client.get(reverse("payments:attest_queue")).status_code == 200
    assert client.get(reverse("payments:order", args=[orders[0].pk])).status_code == 200
    for url in (
        reverse("payments:queue"),
        reverse("payments:runs"),
        reverse("payments:run", args=[run.pk]),
        reverse("payments:reconcile"),
        reverse("payments:budget"),
        reverse("payments:settings"),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "får inte" in response.content.decode()
    client.force_login(org.social_worker)  # other section: the order does not exist for them
    assert client.get(reverse("payments:order", args=[orders[0].pk])).status_code == 404


def test_run_cancel_and_build_through_pages(client, world, org, full):
    _, run = full
    client.force_login(org.finance)
    response = client.post(
        reverse("payments:run_cancel", args=[run.pk]), {"reason": "Fel dag"}, follow=True
    )
    assert "tillbaka i kön" in response.content.decode()
    response = client.post(
        reverse("payments:runs"),
        {"payment_date": world.pay_day.isoformat(), "confirmed": "1"},
        follow=True,
    )
    assert "byggd och kontrollerad" in response.content.decode()
    assert PaymentRun.objects.filter(status="built").count() == 1
