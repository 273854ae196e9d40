"""Security issue #11, item 1: the holes an insider used, closed.

1. Order registrant, account registrant, decision maker and attester are four different
   people (a benefit administrator registered an order and attested it himself).
2. A payment to a private person goes only to someone in the case's household in the
   decision's month (an invoice order paid one client's furniture line to another client's
   personal account), unless the unit head approved an exception with a written reason.

Each hole is tried through the service, the JSON API, the pages and the database itself.
"""

import json
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bistand.audit.models import AccessLogEntry
from bistand.cases import services as case_services
from bistand.households.models import HouseholdMembership
from bistand.payments import services
from bistand.payments.models import (
    Attestation,
    OrderStatus,
    PayeeException,
    PaymentMethod,
    PaymentOrder,
)
from tests.conftest import make_household
from tests.factories import ADULT_NUMBERS

from .conftest import AMOUNT_LIMIT, HANDELSBANKEN

pytestmark = pytest.mark.django_db

OTHER_CLIENT = ADULT_NUMBERS[3]
EXCEPTION_REASON = "Sökanden är inlagd på sjukhus; hyran betalas via god man enligt beslut."


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def other_client(world, org):
    """Another client of the unit, with a case in another section (intake) and a personal
    account registered by finance."""
    household = make_household(org.reception, adult=OTHER_CLIENT)
    case_services.register_application(
        org.reception, household, kind="new", month=world.month, section=org.intake
    )
    return services.register_person_payee(
        org.finance,
        identity_number=OTHER_CLIENT,
        clearing=HANDELSBANKEN[0],
        account_number=HANDELSBANKEN[1],
    )


def invoice_to(world, payee, **kw):
    return world.order(PaymentMethod.INVOICE, "1500", payee=payee, **kw)


def _attest_row(order, user, level=1, limit=AMOUNT_LIMIT):
    with transaction.atomic():
        Attestation.objects.create(
            order=order,
            level=level,
            attested_by=user,
            role=user.role,
            amount_limit=limit if level == 1 else None,
            attested_at=timezone.now(),
        )


# --- 1. the order registrant is nobody else in the chain: service ----------------------------


def test_order_registrant_cannot_attest_own_order(world, org):
    order = world.order(by=org.benefit_admin)
    with pytest.raises(services.ChainRefused) as error:
        services.attest_order(org.benefit_admin, order)
    assert error.value.code == "chain_registrant_attests"
    assert "Du registrerade utbetalningen och får inte attestera den" in error.value.message
    assert PaymentOrder.objects.get(pk=order.pk).status == OrderStatus.REGISTERED
    assert not Attestation.objects.exists()
    entry = AccessLogEntry.objects.filter(action="access_denied").last()
    assert entry.actor_id == org.benefit_admin.pk and "chain_registrant_attests" in entry.detail


def test_order_registrant_cannot_give_the_second_attestation(world, org):
    order = world.order(amount=AMOUNT_LIMIT + 1, by=org.labour_head)
    order = services.attest_order(org.benefit_admin, order)
    assert order.status == OrderStatus.AWAITING_SECOND
    with pytest.raises(services.ChainRefused) as error:
        services.attest_order(org.labour_head, order)
    assert error.value.code == "chain_registrant_attests"
    assert services.attest_order(org.unit_head, order).status == OrderStatus.ATTESTED


def test_decision_maker_cannot_register_the_order(world, org):
    with pytest.raises(services.ChainRefused) as error:
        world.order(by=org.other_social_worker)
    assert error.value.code == "chain_decider_registers_order"
    assert "Bruten utbetalningskedja" in error.value.message
    assert not PaymentOrder.objects.exists()


def test_account_registrant_cannot_register_an_order_to_that_account(world, org):
    # Finance cannot open cases; the same person later in a handler's role can.
    org.finance.role, org.finance.section = "section_head", org.labour
    org.finance.save()
    with pytest.raises(services.ChainRefused) as error:
        world.order(by=org.finance)
    assert error.value.code == "chain_account_registrant_registers_order"
    # Cash has no account to have registered.
    assert world.order(PaymentMethod.CASH, "100", by=org.finance).status == "registered"


def test_reissue_by_the_account_registrant_is_refused(world, org):
    order = services.attest_order(org.benefit_admin, world.order())
    services.change_payee_account(
        org.finance,
        world.applicant_payee,
        account_kind="bank_account",
        clearing=HANDELSBANKEN[0],
        number=HANDELSBANKEN[1],
        reason="Nytt konto",
    )
    with pytest.raises(services.ChainRefused) as error:
        services.reissue_order(org.finance, order, reason="Nytt konto")
    assert error.value.code == "chain_account_registrant_registers_order"
    assert PaymentOrder.objects.get(pk=order.pk).status == OrderStatus.ATTESTED


# --- 2. a private payee is in the household: service -------------------------------------------


def test_invoice_to_another_clients_personal_account_is_refused(world, org, other_client):
    with pytest.raises(services.ChainRefused) as error:
        invoice_to(world, other_client)
    assert error.value.code == "payee_not_in_household"
    assert "ingår inte i hushållet" in error.value.message
    assert error.value.message.startswith("Mottagaren ")  # never the person's name
    assert not PaymentOrder.objects.exists()


def test_account_payment_to_another_client_is_refused(world, org, other_client):
    with pytest.raises(services.ChainRefused) as error:
        world.order(payee=other_client)
    assert error.value.code == "payee_not_in_household"


def test_member_who_left_before_the_decisions_month_is_outside_the_household(world, org):
    membership = HouseholdMembership.objects.get(household=world.case.household)
    HouseholdMembership.objects.filter(pk=membership.pk).update(
        valid_from=world.month.replace(year=world.month.year - 1), valid_to=world.month
    )
    with pytest.raises(services.ChainRefused) as error:
        invoice_to(world, world.applicant_payee)
    assert error.value.code == "payee_not_in_household"


def test_invoices_to_organisations_are_unaffected(world, org):
    order = world.order(PaymentMethod.INVOICE, "1500")
    assert services.attest_order(org.benefit_admin, order).status == OrderStatus.ATTESTED


def test_unit_head_exception_lets_the_payment_through_and_is_logged(world, org, other_client):
    order = invoice_to(world, other_client, request_payee_exception=True)
    with pytest.raises(services.ChainRefused) as error:
        services.attest_order(org.benefit_admin, order)
    assert error.value.code == "payee_not_in_household"
    for head in (org.labour_head, org.benefit_admin):
        with pytest.raises(services.ChainRefused) as error:
            services.approve_payee_exception(head, order, reason=EXCEPTION_REASON)
        assert error.value.code == "exception_needs_unit_head"
    with pytest.raises(services.DomainError) as error:
        services.approve_payee_exception(org.unit_head, order, reason="  ")
    assert error.value.code == "missing"
    exception = services.approve_payee_exception(org.unit_head, order, reason=EXCEPTION_REASON)
    assert exception.approved_by == org.unit_head and exception.reason == EXCEPTION_REASON
    entry = AccessLogEntry.objects.filter(action="sign", actor_id=org.unit_head.pk).last()
    detail = json.loads(entry.detail)
    assert detail["what"] == "payee_exception" and detail["reason"] == EXCEPTION_REASON
    assert entry.case_id == order.case_id
    assert services.attest_order(org.benefit_admin, order).status == OrderStatus.ATTESTED


def test_unit_head_cannot_approve_an_exception_for_an_order_they_registered(
    world, org, other_client
):
    order = invoice_to(world, other_client, request_payee_exception=True, by=org.unit_head)
    with pytest.raises(services.ChainRefused) as error:
        services.approve_payee_exception(org.unit_head, order, reason=EXCEPTION_REASON)
    assert error.value.code == "exception_by_registrant"


# --- through the JSON API ----------------------------------------------------------------------


@pytest.mark.urls("tests.payments.urls_api")
def test_api_refuses_the_registrant_as_attester(world, org):
    order = world.order(by=org.benefit_admin)
    response = api(org.benefit_admin).post(f"/api/v1/payment-orders/{order.pk}/attest/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "chain_registrant_attests"
    assert "Bruten utbetalningskedja" in response.json()["error"]["message"]
    assert PaymentOrder.objects.get(pk=order.pk).status == OrderStatus.REGISTERED


@pytest.mark.urls("tests.payments.urls_api")
def test_api_refuses_the_decider_as_registrant(world, org):
    response = api(org.other_social_worker).post(
        "/api/v1/payment-orders/",
        {"decision_line": world.income_line.pk, "method": "account", "amount": "100"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "chain_decider_registers_order"
    assert not PaymentOrder.objects.exists()


@pytest.mark.urls("tests.payments.urls_api")
def test_api_refuses_an_invoice_to_another_client_and_takes_the_exception_route(
    world, org, other_client
):
    payload = {
        "decision_line": world.other_line.pk,
        "method": "invoice",
        "amount": "1500",
        "payee": other_client.pk,
        "due_on": world.pay_day.isoformat(),
        "invoice_number": "M-1",
    }
    response = api(org.benefit_admin).post("/api/v1/payment-orders/", payload, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "payee_not_in_household"
    assert "ingår inte i hushållet" in response.json()["error"]["message"]
    assert not PaymentOrder.objects.exists()

    payload["request_payee_exception"] = True
    response = api(org.benefit_admin).post("/api/v1/payment-orders/", payload, format="json")
    assert response.status_code == 201 and response.json()["payee_exception"] is None
    order_id = response.json()["id"]
    attest = f"/api/v1/payment-orders/{order_id}/attest/"
    assert api(org.labour_head).post(attest).json()["error"]["code"] == "payee_not_in_household"
    approve = f"/api/v1/payment-orders/{order_id}/approve-exception/"
    response = api(org.labour_head).post(approve, {"reason": EXCEPTION_REASON}, format="json")
    assert response.status_code == 403
    response = api(org.unit_head).post(approve, {"reason": EXCEPTION_REASON}, format="json")
    assert response.status_code == 200
    assert response.json()["payee_exception"]["reason"] == EXCEPTION_REASON
    assert api(org.labour_head).post(attest).json()["status"] == "attested"


# --- through the pages -------------------------------------------------------------------------


def test_registrant_gets_no_attest_button_and_a_forged_post_is_refused(client, world, org):
    order = world.order(by=org.benefit_admin)
    client.force_login(org.benefit_admin)
    page = client.get(reverse("payments:order", args=[order.pk])).content.decode()
    assert "Du registrerade utbetalningen" in page
    assert 'data-testid="attest"' not in page
    queue = client.get(reverse("payments:attest_queue")).content.decode()
    assert "Du registrerade utbetalningen" in queue
    assert reverse("payments:order_attest", args=[order.pk]) not in queue
    response = client.post(reverse("payments:order_attest", args=[order.pk]), follow=True)
    assert "Du registrerade utbetalningen och får inte attestera den" in response.content.decode()
    assert PaymentOrder.objects.get(pk=order.pk).status == OrderStatus.REGISTERED
    # Someone else may, and is offered the button.
    client.force_login(org.labour_head)
    page = client.get(reverse("payments:order", args=[order.pk])).content.decode()
    assert 'data-testid="attest"' in page


def test_decider_cannot_register_the_order_on_the_page(client, world, org):
    client.force_login(org.other_social_worker)
    response = client.post(
        reverse("payments:order_new", args=[world.case.pk]),
        {"line": world.income_line.pk, "method": "account", "amount": "100"},
    )
    assert response.status_code == 400
    assert "Du fattade beslutet och får inte registrera utbetalningen" in (
        response.content.decode()
    )
    assert not PaymentOrder.objects.exists()


def test_order_page_does_not_offer_another_clients_account(client, world, org, other_client):
    client.force_login(org.benefit_admin)
    url = reverse("payments:order_new", args=[world.case.pk])
    assert other_client.current_account.masked not in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "line": world.other_line.pk,
            "method": "invoice",
            "amount": "1500",
            "payee": other_client.pk,
            "due_on": world.pay_day.isoformat(),
            "invoice_number": "M-1",
            "request_payee_exception": "on",
        },
    )
    assert response.status_code == 400
    assert "Kontrollera fälten" in response.content.decode()
    assert not PaymentOrder.objects.exists()


def test_exception_is_approved_on_the_order_page_and_shown(client, world, org, other_client):
    order = invoice_to(world, other_client, request_payee_exception=True)
    url = reverse("payments:order_exception", args=[order.pk])
    client.force_login(org.labour_head)
    page = client.get(reverse("payments:order", args=[order.pk])).content.decode()
    assert "Väntar på enhetschefens undantag" in page
    assert 'data-testid="attest"' not in page and 'data-testid="approve-exception"' not in page
    response = client.post(url, {"reason": EXCEPTION_REASON}, follow=True)
    assert "Bara enhetschefen kan godkänna undantag" in response.content.decode()
    assert not PayeeException.objects.exists()
    client.force_login(org.unit_head)
    page = client.get(reverse("payments:order", args=[order.pk])).content.decode()
    assert 'data-testid="approve-exception"' in page
    response = client.post(url, {"reason": EXCEPTION_REASON}, follow=True)
    text = response.content.decode()
    assert "Undantaget är godkänt" in text and EXCEPTION_REASON in text
    client.force_login(org.labour_head)
    page = client.get(reverse("payments:order", args=[order.pk])).content.decode()
    assert EXCEPTION_REASON in page and 'data-testid="attest"' in page


@pytest.mark.parametrize(
    "role",
    [
        "reception",
        "social_worker",
        "other_social_worker",
        "benefit_admin",
        "labour_head",
        "intake_head",
        "fraud",
        "finance",
        "sysadmin",
        "unit_head",
    ],
)
def test_exception_url_per_role(client, world, org, other_client, role):
    order = invoice_to(world, other_client, request_payee_exception=True)
    url = reverse("payments:order_exception", args=[order.pk])
    client.force_login(getattr(org, role))
    assert client.get(url).status_code == 405
    response = client.post(url, {"reason": EXCEPTION_REASON})
    if role == "unit_head":
        assert response.status_code == 302 and PayeeException.objects.filter(order=order).exists()
    else:
        assert response.status_code in (302, 403, 404)
        assert not PayeeException.objects.exists()


# --- the database ------------------------------------------------------------------------------


def _raw_order(world, **fields):
    values = {
        "unit": world.case.unit,
        "case": world.case,
        "decision": world.decision,
        "decision_line": world.other_line,
        "month": world.decision.month,
        "budget_account": world.other_account,
        "amount": Decimal("10"),
        "method": PaymentMethod.INVOICE,
        "payee": world.landlord,
        "payee_account": world.landlord.current_account,
        "payee_name": "x",
        "due_on": world.pay_day,
        "pay_on": world.pay_day,
        "created_by": world.registrar,
    }
    values.update(fields)
    with transaction.atomic():
        return PaymentOrder.objects.create(**values)


def test_database_refuses_an_attestation_by_the_order_registrant(world, org):
    order = world.order(by=org.benefit_admin)
    with pytest.raises(IntegrityError, match="chain_registrant_attests"):
        _attest_row(order, org.benefit_admin)
    order = world.order(amount=AMOUNT_LIMIT + 1, by=org.labour_head)
    services.attest_order(org.benefit_admin, order)
    with pytest.raises(IntegrityError, match="chain_registrant_attests"):
        _attest_row(order, org.labour_head, level=2)


def test_database_refuses_an_order_registered_by_the_decider_or_account_registrant(world, org):
    with pytest.raises(IntegrityError, match="chain_decider_registers_order"):
        _raw_order(world, created_by=org.other_social_worker)
    with pytest.raises(IntegrityError, match="chain_account_registrant_registers_order"):
        _raw_order(world, created_by=org.finance)
    assert _raw_order(world).status == OrderStatus.REGISTERED


def test_database_refuses_attesting_a_payment_outside_the_household(world, org, other_client):
    order = _raw_order(world, payee=other_client, payee_account=other_client.current_account)
    with pytest.raises(IntegrityError, match="payee_not_in_household"):
        _attest_row(order, org.benefit_admin)
    with pytest.raises(IntegrityError, match="inte attesterad"), transaction.atomic():
        PaymentOrder.objects.filter(pk=order.pk).update(status=OrderStatus.ATTESTED)

    def exception_row(user, reason=EXCEPTION_REASON):
        with transaction.atomic():
            return PayeeException.objects.create(
                order=order,
                approved_by=user,
                role=user.role,
                reason=reason,
                approved_at=timezone.now(),
            )

    with pytest.raises(IntegrityError, match="exception_needs_unit_head"):
        exception_row(org.labour_head)
    with pytest.raises(IntegrityError):
        exception_row(org.unit_head, reason=" ")
    exception = exception_row(org.unit_head)
    with pytest.raises(IntegrityError, match="historik"), transaction.atomic():
        PayeeException.objects.filter(pk=exception.pk).update(reason="Ändrad i efterhand")
    _attest_row(order, org.benefit_admin)
    assert order.attestations.count() == 1


def test_database_lets_a_household_member_through_without_exception(world, org):
    order = _raw_order(
        world, payee=world.applicant_payee, payee_account=world.applicant_payee.current_account
    )
    _attest_row(order, org.benefit_admin)
    assert order.attestations.count() == 1
