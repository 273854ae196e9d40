"""Issue 13: finance's payment queue is a work list (docs/worklists.md): the ready, held,
rejected and manual orders in one list with its stage, filters in the URL, sorting, paging,
a count, bad values named, figures for the whole queue, and the same queries for 3 orders as
for 30. Building the payment file from the page still works."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from bistand.payments import services
from bistand.payments.iso20022 import SimulatedStatus, build_pain002
from bistand.payments.models import PaymentMethod, PaymentRun
from tests.query_budgets import assert_flat, page_queries

from .conftest import HANDELSBANKEN

pytestmark = pytest.mark.django_db


def _rows(html: str) -> list[tuple[str, str]]:
    """(order reference, stage) of each row of the list."""
    table = re.search(r'<table data-testid="payment-queue">.*?</table>', html, re.S).group(0)
    return re.findall(
        r'<tr data-stage="(\w+)">\s*<td><a href="/utbetalning/order/\d+/">([^<]+)</a>', table
    )


def _refs(html: str) -> list[str]:
    return [ref for _stage, ref in _rows(html)]


@pytest.fixture
def stages(world, org):
    """One order in each stage of the queue."""
    rejected = world.attested(PaymentMethod.INVOICE, "412.25", payee=world.utility)
    run = services.build_run(org.finance, world.pay_day).run
    services.mark_run_sent(org.finance, run)
    run.refresh_from_db()
    report = build_pain002(
        run.message_id,
        [SimulatedStatus(rejected.reference, "RJCT", f"{run.message_id}-F", "AC04", "Avslutat")],
        message_id="PAIN002-Q",
        created_at=timezone.now(),
    )
    services.import_status_report(org.finance, report, filename="svar.xml")
    held = world.attested(PaymentMethod.ACCOUNT, "100")
    services.change_payee_account(
        org.finance,
        world.applicant_payee,
        account_kind="bank_account",
        clearing=HANDELSBANKEN[0],
        number=HANDELSBANKEN[1],
        reason="Nytt kontobevis",
    )
    ready = world.attested(PaymentMethod.INVOICE, "200")
    manual = world.attested(PaymentMethod.REQUISITION, "300")
    return {"ready": ready, "held": held, "rejected": rejected, "manual": manual}


def test_the_queue_lists_every_stage_with_its_count_and_filters_by_stage(client, org, stages):
    client.force_login(org.finance)
    url = reverse("payments:queue")
    html = client.get(url).content.decode()
    assert sorted(_rows(html)) == sorted((s, o.reference) for s, o in stages.items())
    assert "Visar 1–4 av 4" in html
    assert "Mottagarens konto har ändrats efter registreringen" in html  # why it is held
    assert "Mottagarens konto är avslutat" in html  # the bank's reason
    stage_counts = re.search(r'<ul data-testid="queue-stages">.*?</ul>', html, re.S).group(0)
    assert stage_counts.count("<strong>1</strong>") == 4
    for stage, order in stages.items():
        assert _rows(client.get(url, {"stage": stage}).content.decode()) == [
            (stage, order.reference)
        ]
    # The run form is still there and builds from the ready orders only.
    assert f'action="{reverse("payments:runs")}"' in html
    client.post(
        reverse("payments:runs"),
        {"payment_date": stages["ready"].pay_on.isoformat(), "confirmed": "1"},
    )
    run = PaymentRun.objects.order_by("-id").first()
    assert list(run.orders.values_list("pk", flat=True)) == [stages["ready"].pk]


def test_search_method_and_date_filters_stay_in_the_url(client, world, org, stages):
    client.force_login(org.finance)
    url = reverse("payments:queue")
    html = client.get(url, {"q": stages["manual"].reference}).content.decode()
    assert _refs(html) == [stages["manual"].reference]
    html = client.get(url, {"method": "requisition"}).content.decode()
    assert _refs(html) == [stages["manual"].reference]
    html = client.get(url, {"q": world.utility.name, "stage": "rejected"}).content.decode()
    assert _refs(html) == [stages["rejected"].reference]
    # Sort links keep the filters.
    assert "stage=rejected" in re.search(r"<a[^>]*sort=amount[^>]*>", html).group(0)


def test_the_queue_sorts_by_amount_both_ways(client, org, stages):
    client.force_login(org.finance)
    url = reverse("payments:queue")
    amounts = ["held", "ready", "manual", "rejected"]  # 100, 200, 300, 412.25
    assert _refs(client.get(url, {"sort": "amount"}).content.decode()) == [
        stages[s].reference for s in amounts
    ]
    assert _refs(client.get(url, {"sort": "-amount"}).content.decode()) == [
        stages[s].reference for s in reversed(amounts)
    ]


def test_bad_filter_values_are_named_and_the_rest_applies(client, org, stages):
    client.force_login(org.finance)
    response = client.get(
        reverse("payments:queue"),
        {"stage": "borta", "method": "requisition", "until": "igår", "sort": "bogus",
         "page": "tre"},
    )  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert "Värdet ”borta” finns inte bland valen" in html and "ÅÅÅÅ-MM-DD" in html
    assert _refs(html) == [stages["manual"].reference]


def test_a_filter_never_shows_another_units_or_a_refused_role_anything(client, world, org, stages):
    from tests.factories import UnitFactory, UserFactory

    other_unit = UnitFactory()
    stranger = UserFactory(username="ekonom2", role="finance", unit=other_unit)
    client.force_login(stranger)
    url = reverse("payments:queue")
    for params in ({}, {"q": stages["ready"].reference}, {"q": stages["ready"].case.reference}):
        html = client.get(url, params).content.decode()
        assert _refs(html) == [], params
    client.force_login(org.benefit_admin)  # not a role of the queue
    assert client.get(url, {"stage": "ready"}).status_code == 403


def test_htmx_gets_the_list_only(client, org, stages):
    client.force_login(org.finance)
    response = client.get(reverse("payments:queue"), {"stage": "ready"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert _refs(html) == [stages["ready"].reference]
    assert "<html" not in html and 'data-testid="queue-stages"' not in html


def test_the_queue_pages_and_costs_the_same_for_3_and_30_orders(client, world, org):
    client.force_login(org.finance)
    url = reverse("payments:queue")
    for _ in range(3):
        world.attested(PaymentMethod.INVOICE, "10")
    small, _ = page_queries(client, url)
    for _ in range(27):
        world.attested(PaymentMethod.INVOICE, "10")
    large, html = page_queries(client, url)
    assert_flat(small, large, budget=30)
    assert "Visar 1–25 av 30" in html
    assert len(_refs(html)) == 25
    assert len(_refs(client.get(url, {"page": "2"}).content.decode())) == 5
