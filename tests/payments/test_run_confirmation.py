"""Issue 13: building a payment file first shows what it will include (count, sum, the oldest
pay date, orders due earlier) and builds only when confirmed."""

import datetime as dt

from django.urls import reverse

from bistand.core.dates import next_working_day
from bistand.payments import services
from bistand.payments.models import PaymentMethod, PaymentRun

from .test_runs import three_kinds


def test_run_page_shows_what_the_run_includes_and_builds_only_when_confirmed(client, world, org):
    three_kinds(world)
    later = next_working_day(world.pay_day + dt.timedelta(days=7))
    client.force_login(org.finance)
    response = client.post(reverse("payments:runs"), {"payment_date": later.isoformat()})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="run-confirmation"' in page
    assert "3 attesterade utbetalningar" in page
    assert "8\u00a0047,75\u00a0kr" in page
    assert f'data-testid="run-oldest">{world.pay_day:%Y-%m-%d}<' in page
    assert 'data-testid="run-earlier"' in page and "3 utbetalningar skulle ha betalats" in page
    assert str(PaymentMethod.INVOICE.label) in page and "invoice" not in page
    assert not PaymentRun.objects.exists()

    response = client.post(
        reverse("payments:runs"), {"payment_date": later.isoformat(), "confirmed": "1"}, follow=True
    )
    assert "byggd och kontrollerad" in response.content.decode()
    assert PaymentRun.objects.get().order_count == 3


def test_preview_counts_what_build_run_claims(world, org):
    three_kinds(world)
    preview = services.preview_run(org.finance, world.pay_day)
    assert preview.count == 3 and preview.earlier_count == 0
    assert preview.oldest_pay_on == world.pay_day
    result = services.build_run(org.finance, world.pay_day)
    assert result.claimed == preview.count and result.run.control_sum == preview.total
    assert services.preview_run(org.finance, world.pay_day).count == 0


def test_preview_with_nothing_to_pay_offers_no_build(client, world, org):
    client.force_login(org.finance)
    page = client.post(
        reverse("payments:runs"), {"payment_date": world.pay_day.isoformat()}
    ).content.decode()
    assert "Inga nya attesterade utbetalningar" in page
    assert 'data-testid="confirm-run"' not in page


def test_preview_is_refused_to_a_handler(client, world, org):
    client.force_login(org.benefit_admin)
    response = client.post(reverse("payments:runs"), {"payment_date": world.pay_day.isoformat()})
    assert response.status_code == 403


def test_payment_pages_follow_the_english_ui(client, world, org, settings):
    """Issue 13: the payment pages stayed Swedish in the English UI."""
    three_kinds(world)
    client.force_login(org.finance)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url, english, swedish in [
        (reverse("payments:runs"), "Payment files", "Betalningsfiler"),
        (reverse("payments:queue"), "Payment queue", "Utbetalningskö"),
        (reverse("payments:payees"), "Payee register", "Mottagarregister"),
    ]:
        page = client.get(url).content.decode()
        assert english in page, url
        assert f"<h1>{swedish}" not in page, url
    page = client.post(
        reverse("payments:runs"), {"payment_date": world.pay_day.isoformat()}
    ).content.decode()
    assert "The file includes 3 attested payments" in page
