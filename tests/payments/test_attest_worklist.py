"""Issue 13: the attestation queue is a work list (docs/worklists.md): filters in the URL,
sorting, paging, a count, bad values named, and the same queries for 3 orders as for 30."""

import re

import pytest
from django.urls import reverse

from bistand.payments import services
from bistand.payments.models import PaymentMethod
from tests.query_budgets import assert_flat, page_queries

pytestmark = pytest.mark.django_db


def _refs(html: str) -> list[str]:
    table = re.search(r'<table data-testid="attest-queue">.*?</table>', html, re.S).group(0)
    return re.findall(r'href="/utbetalning/order/\d+/">([^<]+)</a>', table)


def test_attest_queue_filters_by_method_and_level_and_counts(client, world, org):
    account = world.order(PaymentMethod.ACCOUNT, "10")
    invoice = world.order(PaymentMethod.INVOICE, "20")
    big = world.order(PaymentMethod.ACCOUNT, "5001")
    assert services.attest_order(org.benefit_admin, big).status == "awaiting_second"
    client.force_login(org.unit_head)
    url = reverse("payments:attest_queue")

    html = client.get(url).content.decode()
    assert {account.reference, invoice.reference, big.reference} <= set(_refs(html))
    assert "Visar 1–3 av 3" in html

    html = client.get(url, {"method": "invoice"}).content.decode()
    assert _refs(html) == [invoice.reference]
    html = client.get(url, {"level": "second"}).content.decode()
    assert _refs(html) == [big.reference]
    html = client.get(url, {"q": account.case.reference, "method": "account", "level": "first"})
    assert _refs(html.content.decode()) == [account.reference]


def test_attest_queue_search_by_payee_and_order_reference(client, world, org):
    invoice = world.order(PaymentMethod.INVOICE, "20")
    account = world.order(PaymentMethod.ACCOUNT, "10")
    client.force_login(org.benefit_admin)
    url = reverse("payments:attest_queue")
    assert _refs(client.get(url, {"q": invoice.payee_name}).content.decode()) == [invoice.reference]
    assert _refs(client.get(url, {"q": account.reference}).content.decode()) == [account.reference]


def test_attest_queue_bad_filter_values_are_named_and_the_rest_applies(client, world, org):
    world.order(PaymentMethod.ACCOUNT, "10")
    invoice = world.order(PaymentMethod.INVOICE, "20")
    client.force_login(org.benefit_admin)
    response = client.get(
        reverse("payments:attest_queue"),
        {"method": "invoice", "level": "tredje", "until": "igår", "sort": "bogus", "page": "-1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "finns inte bland valen" in html and "ÅÅÅÅ-MM-DD" in html
    assert _refs(html) == [invoice.reference]


def test_attest_queue_sorts_by_amount_both_ways(client, world, org):
    small = world.order(PaymentMethod.ACCOUNT, "10")
    large = world.order(PaymentMethod.ACCOUNT, "30")
    client.force_login(org.benefit_admin)
    url = reverse("payments:attest_queue")
    assert _refs(client.get(url, {"sort": "amount"}).content.decode()) == [
        small.reference,
        large.reference,
    ]
    assert _refs(client.get(url, {"sort": "-amount"}).content.decode()) == [
        large.reference,
        small.reference,
    ]


def test_attest_queue_pages_and_costs_the_same_for_3_and_30_orders(client, world, org):
    client.force_login(org.benefit_admin)
    url = reverse("payments:attest_queue")
    for _ in range(3):
        world.order(PaymentMethod.ACCOUNT, "10")
    small, _ = page_queries(client, url)
    for _ in range(27):
        world.order(PaymentMethod.ACCOUNT, "10")
    large, html = page_queries(client, url)
    assert_flat(small, large, budget=40)
    assert "Visar 1–25 av 30" in html
    assert len(_refs(html)) == 25
    second = client.get(url, {"page": "2"}).content.decode()
    assert len(_refs(second)) == 5


def test_attest_queue_never_shows_what_the_role_may_not_attest(client, world, org):
    big = world.order(PaymentMethod.ACCOUNT, "5001")
    services.attest_order(org.benefit_admin, big)
    client.force_login(org.benefit_admin)  # may not give the second attestation
    html = client.get(reverse("payments:attest_queue"), {"level": "second"}).content.decode()
    assert big.reference not in html
    assert client.get(reverse("payments:attest_queue")).status_code == 200
    client.force_login(org.reception)
    assert client.get(reverse("payments:attest_queue")).status_code == 403
