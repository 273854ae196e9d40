"""Issue 13: the payment pages in the English UI: the form labels, the queue's stages and
reasons and the messages after an act were Swedish whatever the language."""

import pytest
from django.urls import reverse

from bistand.payments import services
from bistand.payments.models import PaymentMethod

from .conftest import HANDELSBANKEN

pytestmark = pytest.mark.django_db

# (Swedish that used to show, English that shows instead) per page.
PAGES = {
    "payees": [
        ("Sökandens personnummer", "Applicant&#x27;s personal identity number"),
        ("Bankgiro-, plusgiro- eller kontonummer", "Bankgiro, plusgiro or account number"),
        ("Clearingnummer (bara bankkonto)", "Clearing number (bank account only)"),
    ],
    "settings": [
        ("Beloppsspärr (kr)", "Amount limit (SEK)"),
        ("Betalarens namn i betalningsfilen", "Payer&#x27;s name in the payment file"),
        ("Kundnummer hos banken", "Customer number at the bank"),
    ],
    "reconcile": [("Bankens statusrapport", "The bank&#x27;s status report")],
    "budget": [("Förval för beslutsrader", "Default for decision lines")],
    "queue": [
        ("Klar för betalningsfil", "Ready for the payment file"),
        ("Kontant eller rekvisition att registrera", "Cash or requisition to record"),
        ("Mottagarens konto har ändrats efter registreringen", "The payee&#x27;s account changed"),
        ("I kön", "In the queue"),
    ],
    "order": [("Kvittonummer eller anteckning", "Receipt number or note")],
    "order_new": [
        ("Meddelande till mottagaren", "Message to the payee"),
        ("Skäl till kontant utbetalning", "Reason for paying in cash"),
    ],
}


def test_payment_pages_show_no_swedish_labels_in_the_english_ui(client, world, org, settings):
    held = world.attested(PaymentMethod.ACCOUNT, "100")
    services.change_payee_account(
        org.finance,
        world.applicant_payee,
        account_kind="bank_account",
        clearing=HANDELSBANKEN[0],
        number=HANDELSBANKEN[1],
        reason="Nytt kontobevis",
    )
    world.attested(PaymentMethod.INVOICE, "200")
    requisition = world.attested(PaymentMethod.REQUISITION, "300")
    urls = {
        "payees": (org.finance, reverse("payments:payees")),
        "settings": (org.unit_head, reverse("payments:settings")),
        "reconcile": (org.finance, reverse("payments:reconcile")),
        "budget": (org.finance, reverse("payments:budget")),
        "queue": (org.finance, reverse("payments:queue")),
        "order": (org.finance, reverse("payments:order", args=[requisition.pk])),
        "order_new": (world.registrar, reverse("payments:order_new", args=[world.case.pk])),
    }
    assert held.reference
    for name, (user, url) in urls.items():
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        for swedish, english in PAGES[name]:
            assert swedish not in html, (name, swedish)
            assert english in html, (name, english)


def test_the_message_after_an_act_follows_the_english_ui(client, world, org, settings):
    order = world.order(PaymentMethod.ACCOUNT, "100")
    client.force_login(world.registrar)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("payments:order_cancel", args=[order.pk]), {"reason": "Fel belopp"}, follow=True
    )
    html = response.content.decode()
    assert "The payment is cancelled." in html and "Utbetalningen är makulerad." not in html
