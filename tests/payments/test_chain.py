"""The broken payment chain: the person who registered or changed the payee account, the
person who decided and the person who attests must be different; above the amount limit a
second attestation by another person, a section or unit head. Refused through the service,
the pages, the API, and by the database itself."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bistand.audit.models import AccessLogEntry
from bistand.payments import services
from bistand.payments.models import Attestation, OrderStatus, PaymentMethod, PaymentOrder

from .conftest import AMOUNT_LIMIT, World

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def refused(error_info, code):
    assert error_info.value.code == code
    assert "utbetalningskedja" in error_info.value.message or code in (
        "second_attest_needs_head",
        "cash_needs_unit_head",
        "chain_requisition_countersign",
        "chain_second_attest_same_person",
    )


# --- service layer ---------------------------------------------------------------------------


def test_decision_maker_cannot_attest_the_payment(world):
    order = world.order()
    with pytest.raises(services.ChainRefused) as error:
        services.attest_order(world.org.other_social_worker, order)
    refused(error, "chain_decider_attests")
    assert "Du fattade beslutet" in error.value.message
    order.refresh_from_db()
    assert order.status == OrderStatus.REGISTERED
    assert not Attestation.objects.exists()


def test_refusal_is_logged_after_the_rollback(world):
    order = world.order()
    with pytest.raises(services.ChainRefused):
        services.attest_order(world.org.other_social_worker, order)
    entry = AccessLogEntry.objects.filter(action="access_denied").last()
    assert entry.actor_id == world.org.other_social_worker.pk
    assert "chain_decider_attests" in entry.detail
    assert entry.case_id == order.case_id


def test_whoever_registered_the_account_cannot_attest(world, org):
    # A section head registers nothing (only finance does); make finance's registration
    # belong to someone who could attest by changing roles for the test's sake.
    order = world.order()
    org.finance.role = "section_head"
    org.finance.section = org.labour
    org.finance.save()
    with pytest.raises(services.ChainRefused) as error:
        services.attest_order(org.finance, order)
    refused(error, "chain_account_registrant_attests")
    assert "registrerade eller ändrade mottagarens konto" in error.value.message


def test_whoever_changed_the_account_cannot_attest_orders_to_it(world, org):
    other_finance = type(org.finance).objects.create(
        username="finance2", role="finance", unit=org.unit
    )
    services.change_payee_account(
        other_finance,
        world.applicant_payee,
        account_kind="bank_account",
        clearing="6114",
        number="5171 82351",
        reason="Nytt kontobevis",
    )
    world.applicant_payee.refresh_from_db()
    order = world.order()
    other_finance.role, other_finance.section = "section_head", org.labour
    other_finance.save()
    with pytest.raises(services.ChainRefused) as error:
        services.attest_order(other_finance, order)
    refused(error, "chain_account_registrant_attests")


def test_decider_who_registered_the_account_breaks_the_chain(world, org):
    """If the decision maker entered the account, no order may be made to it."""
    decider = org.other_social_worker
    decider.role = "finance"
    decider.save()
    services.change_payee_account(
        decider,
        world.applicant_payee,
        account_kind="bank_account",
        clearing="6114",
        number="5171 82351",
        reason="Nytt konto",
    )
    decider.role = "social_worker"
    decider.save()
    with pytest.raises(services.ChainRefused) as error:
        world.order(by=org.benefit_admin)
    refused(error, "chain_decider_registered_account")


def test_above_the_amount_limit_a_second_attestation_is_needed(world, org):
    amount = AMOUNT_LIMIT + Decimal("500.00")
    order = world.order(amount=amount)
    order = services.attest_order(org.benefit_admin, order)
    assert order.status == OrderStatus.AWAITING_SECOND
    with pytest.raises(services.ChainRefused) as error:
        services.attest_order(org.benefit_admin, order)  # a benefit administrator: no
    refused(error, "second_attest_needs_head")
    org.benefit_admin.role = "section_head"  # the same person, even as a head: no
    org.benefit_admin.save()
    with pytest.raises(services.ChainRefused) as error:
        services.attest_order(org.benefit_admin, order)
    refused(error, "chain_second_attest_same_person")
    order = services.attest_order(org.labour_head, order)
    assert order.status == OrderStatus.ATTESTED
    assert [a.level for a in order.attestations.all()] == [1, 2]
    assert order.attestations.get(level=1).amount_limit == AMOUNT_LIMIT


def test_at_or_below_the_limit_one_attestation_suffices(world, org):
    order = services.attest_order(org.benefit_admin, world.order(amount=AMOUNT_LIMIT))
    assert order.status == OrderStatus.ATTESTED


def test_second_attester_cannot_be_the_decider(org):
    world = World(org)
    case, decision = world.decided_case("199811022384", decider=org.labour_head)
    line = decision.lines.get(kind="income_support")
    services.register_person_payee(
        org.finance, identity_number="199811022384", clearing="6114", account_number="5171 82351"
    )
    order = world.order(amount=AMOUNT_LIMIT + 1, line=line)
    order = services.attest_order(org.benefit_admin, order)
    with pytest.raises(services.ChainRefused) as error:
        services.attest_order(org.labour_head, order)
    refused(error, "chain_decider_attests")
    assert services.attest_order(org.unit_head, order).status == OrderStatus.ATTESTED


def test_amount_limit_is_a_unit_setting_with_history(world, org):
    services.change_payment_settings(
        org.unit_head,
        amount_limit="20000",
        debtor_name="Exempelkommun",
        debtor_iban="SE45 5000 0000 0583 9825 7466",
        debtor_bic="NDEASESS",
        organisation_number="212000-0142",
        note="Höjd efter beslut i nämnden",
    )
    assert world.org.unit.payment_settings.count() == 2
    order = services.attest_order(org.benefit_admin, world.order(amount="9000"))
    assert order.status == OrderStatus.ATTESTED
    with pytest.raises(services.PermissionRefused):
        services.change_payment_settings(
            org.finance,
            amount_limit="1",
            debtor_name="x",
            debtor_iban="SE4550000000058398257466",
            debtor_bic="NDEASESS",
            organisation_number="212000-0142",
        )


# --- through the pages -----------------------------------------------------------------------


def test_decision_maker_is_refused_on_the_attest_page(client, world, org):
    order = world.order()
    client.force_login(org.other_social_worker)
    page = client.get(reverse("payments:order", args=[order.pk]))
    assert "Du fattade beslutet" in page.content.decode()
    response = client.post(reverse("payments:order_attest", args=[order.pk]), follow=True)
    text = response.content.decode()
    assert "Du fattade beslutet och får inte attestera" in text
    assert "Bruten utbetalningskedja" in text
    order.refresh_from_db()
    assert order.status == OrderStatus.REGISTERED


def test_account_registrant_is_refused_on_the_attest_page(client, world, org):
    order = world.order()
    org.finance.role, org.finance.section = "section_head", org.labour
    org.finance.save()
    client.force_login(org.finance)
    response = client.post(reverse("payments:order_attest", args=[order.pk]), follow=True)
    assert "registrerade eller ändrade mottagarens konto" in response.content.decode()
    assert PaymentOrder.objects.get(pk=order.pk).status == OrderStatus.REGISTERED


def test_second_attestation_refused_on_the_page_for_the_first_attester(client, world, org):
    order = services.attest_order(org.benefit_admin, world.order(amount=AMOUNT_LIMIT + 1))
    client.force_login(org.benefit_admin)
    response = client.post(reverse("payments:order_attest", args=[order.pk]), follow=True)
    assert "sektionschef eller enhetschef" in response.content.decode()
    client.force_login(org.labour_head)
    response = client.post(reverse("payments:order_attest", args=[order.pk]), follow=True)
    assert "Utbetalningen är attesterad" in response.content.decode()
    assert PaymentOrder.objects.get(pk=order.pk).status == OrderStatus.ATTESTED


def test_finance_has_no_attest_button_and_is_refused(client, world, org):
    order = world.order()
    client.force_login(org.finance)
    response = client.post(reverse("payments:order_attest", args=[order.pk]))
    assert response.status_code == 403
    assert "får inte attestera" in response.content.decode()


def test_attest_queue_shows_why_a_user_may_not_attest(client, world, org):
    world.order()
    client.force_login(org.other_social_worker)
    text = client.get(reverse("payments:attest_queue")).content.decode()
    assert "Du fattade beslutet" in text
    client.force_login(org.benefit_admin)
    text = client.get(reverse("payments:attest_queue")).content.decode()
    assert "Attestera" in text and "Du fattade beslutet" not in text


# --- through the API ------------------------------------------------------------------------


@pytest.mark.urls("tests.payments.urls_api")
def test_api_refuses_the_decider_and_the_first_attester(world, org):
    order = world.order(amount=AMOUNT_LIMIT + 1)
    url = f"/api/v1/payment-orders/{order.pk}/attest/"
    response = api(org.other_social_worker).post(url)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "chain_decider_attests"
    assert "Bruten utbetalningskedja" in response.json()["error"]["message"]
    assert api(org.benefit_admin).post(url).json()["status"] == "awaiting_second"
    response = api(org.benefit_admin).post(url)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "second_attest_needs_head"
    assert api(org.labour_head).post(url).json()["status"] == "attested"


@pytest.mark.urls("tests.payments.urls_api")
def test_api_refuses_the_account_registrant(world, org):
    order = world.order()
    org.finance.role, org.finance.section = "section_head", org.labour
    org.finance.save()
    response = api(org.finance).post(f"/api/v1/payment-orders/{order.pk}/attest/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "chain_account_registrant_attests"


# --- the database ----------------------------------------------------------------------------


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


def test_database_refuses_an_attestation_by_the_decider(world, org):
    order = world.order()
    with pytest.raises(IntegrityError, match="chain_decider_attests"):
        _attest_row(order, org.other_social_worker)


def test_database_refuses_an_attestation_by_the_account_registrant(world, org):
    order = world.order()
    with pytest.raises(IntegrityError, match="chain_account_registrant_attests"):
        _attest_row(order, org.finance)


def test_database_refuses_second_attestation_by_the_same_person_or_a_non_head(world, org):
    order = services.attest_order(org.benefit_admin, world.order(amount=AMOUNT_LIMIT + 1))
    with pytest.raises(IntegrityError, match="chain_second_attest_same_person"):
        _attest_row(order, org.benefit_admin, level=2)
    with pytest.raises(IntegrityError, match="second_attest_needs_head"):
        _attest_row(order, org.social_worker, level=2)


def test_database_refuses_skipping_the_second_attestation(world, org):
    order = services.attest_order(org.benefit_admin, world.order(amount=AMOUNT_LIMIT + 1))
    with pytest.raises(IntegrityError, match="andra attest"), transaction.atomic():
        PaymentOrder.objects.filter(pk=order.pk).update(status=OrderStatus.ATTESTED)


def test_database_refuses_attested_without_attestation(world):
    order = world.order()
    with pytest.raises(IntegrityError, match="inte attesterad"), transaction.atomic():
        PaymentOrder.objects.filter(pk=order.pk).update(status=OrderStatus.ATTESTED)


def test_database_refuses_a_wrong_amount_limit_on_the_attestation(world, org):
    order = world.order()
    with pytest.raises(IntegrityError, match="beloppsspärr"):
        _attest_row(order, org.benefit_admin, limit=Decimal("999999"))


def test_database_refuses_cash_approved_by_other_than_unit_head(world, org):
    order = world.order(PaymentMethod.CASH, "300")
    with pytest.raises(IntegrityError, match="cash_needs_unit_head"):
        _attest_row(order, org.labour_head)


def test_database_refuses_requisition_countersigned_by_its_issuer(world, org):
    order = world.order(PaymentMethod.REQUISITION, "300", by=org.benefit_admin)
    with pytest.raises(IntegrityError, match="chain_requisition_countersign"):
        _attest_row(order, org.benefit_admin)


def test_database_refuses_an_order_to_an_account_the_decider_registered(world, org):
    order = world.order()
    decider = org.other_social_worker
    decider.role = "finance"
    decider.save()
    version = services.change_payee_account(
        decider,
        world.applicant_payee,
        account_kind="bank_account",
        clearing="6114",
        number="5171 82351",
        reason="x",
    )
    with (
        pytest.raises(IntegrityError, match="chain_decider_registered_account"),
        transaction.atomic(),
    ):
        PaymentOrder.objects.create(
            unit=order.unit,
            case=order.case,
            decision=order.decision,
            decision_line=order.decision_line,
            month=order.month,
            budget_account=order.budget_account,
            amount=Decimal("10"),
            method=PaymentMethod.ACCOUNT,
            payee=world.applicant_payee,
            payee_account=version,
            payee_name="x",
            pay_on=order.pay_on,
            created_by=org.benefit_admin,
        )
