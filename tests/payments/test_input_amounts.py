"""NaN and Infinity are refused at the payment and budget amounts (issue #11, item 8):
through the service, the page and the API; nothing is stored."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bistand.payments import services
from bistand.payments.models import BudgetAmount, PaymentOrder

NOT_AMOUNTS = ["NaN", "nan", "Infinity", "-Infinity", "inf", "sNaN", "1e999"]


@pytest.mark.parametrize("amount", NOT_AMOUNTS)
def test_order_amount_that_is_not_a_number_is_refused_by_the_service(world, amount):
    with pytest.raises(services.DomainError):
        world.order(amount=amount)
    assert not PaymentOrder.objects.exists()


@pytest.mark.parametrize("amount", ["NaN", "Infinity"])
def test_order_page_refuses_nan(client, world, amount):
    client.force_login(world.registrar)
    response = client.post(
        reverse("payments:order_new", args=[world.case.pk]),
        {"line": world.income_line.pk, "method": "account", "amount": amount},
    )
    assert response.status_code == 400
    assert not PaymentOrder.objects.exists()


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "1e999"])
def test_order_api_refuses_nan(world, amount):
    client = APIClient()
    client.force_authenticate(world.registrar)
    response = client.post(
        "/api/v1/payment-orders/",
        {"decision_line": world.income_line.pk, "method": "account", "amount": amount},
        format="json",
    )
    assert response.status_code == 400
    assert not PaymentOrder.objects.exists()


@pytest.mark.parametrize("amount", NOT_AMOUNTS)
def test_budget_amount_that_is_not_a_number_is_refused(world, org, amount):
    with pytest.raises(services.DomainError):
        services.set_yearly_budget(org.unit_head, world.income_account, year=2026, amount=amount)
    assert not BudgetAmount.objects.exists()


def test_budget_page_refuses_nan(client, world, org):
    client.force_login(org.unit_head)
    response = client.post(
        reverse("payments:budget"),
        {"form": "amount", "account": world.income_account.pk, "year": "2026", "amount": "NaN"},
    )
    assert response.status_code in (200, 302, 400)
    assert not BudgetAmount.objects.exists()
