"""Payment orders come only from a granted decision in force, never above what it grants;
requisitions need a countersignature, cash a unit head's approval; orders are records of
authority (never edited in place, never deleted)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from bistand.cases import services as case_services
from bistand.core.models import FinalRecordError
from bistand.decisions import services as decision_services
from bistand.decisions.calculations import proposals
from bistand.decisions.models import Decision, Outcome
from bistand.payments import services
from bistand.payments.models import OrderStatus, PaymentMethod, PaymentOrder
from tests.conftest import make_household

from .conftest import World, sign_investigation

pytestmark = pytest.mark.django_db


def test_order_carries_decision_month_budget_account_and_amount(world):
    order = world.order(amount="2500,50")
    assert order.decision == world.decision
    assert order.decision_line == world.income_line
    assert order.month == world.decision.month
    assert order.budget_account == world.income_account
    assert order.amount == Decimal("2500.50")
    assert order.payee == world.applicant_payee
    assert order.payee_masked == "Swedbank, ****8925"
    other = world.order(PaymentMethod.INVOICE, "300")
    assert other.budget_account == world.other_account


def test_orders_on_a_line_may_not_exceed_what_it_grants(world):
    granted = world.other_line.amount_granted
    world.order(PaymentMethod.INVOICE, granted - Decimal("100"))
    with pytest.raises(services.DomainError) as error:
        world.order(PaymentMethod.INVOICE, "100.01")
    assert error.value.code == "over_granted"
    assert "får inte överstiga det beviljade beloppet" in error.value.message
    world.order(PaymentMethod.INVOICE, "100.00")
    assert PaymentOrder.objects.filter(decision_line=world.other_line).count() == 2


def test_cancelled_orders_free_their_amount(world, org):
    order = world.order(amount=world.income_line.amount_granted)
    services.cancel_order(org.other_social_worker, order, reason="Fel belopp")
    world.order(amount=world.income_line.amount_granted)


def test_database_refuses_orders_above_the_granted_amount(world, org):
    order = world.order(amount=world.income_line.amount_granted)
    with pytest.raises(IntegrityError, match="over_granted"), transaction.atomic():
        PaymentOrder.objects.create(
            unit=order.unit,
            case=order.case,
            decision=order.decision,
            decision_line=order.decision_line,
            month=order.month,
            budget_account=order.budget_account,
            amount=Decimal("0.01"),
            method=PaymentMethod.ACCOUNT,
            payee=order.payee,
            payee_account=order.payee_account,
            payee_name="x",
            pay_on=order.pay_on,
            created_by=org.benefit_admin,
        )


def test_no_order_from_a_refused_decision(org):
    world = World(org, with_payees=False)
    household = make_household(org.reception, adult="199109202383")
    application = case_services.register_application(
        org.reception,
        household,
        kind="new",
        month=world.month,
        stated_costs=[{"type": "rent", "amount": "6500.00"}],
    )
    case_services.take_case(org.social_worker, application.case)
    sign_investigation(org.social_worker, application.case)
    calculation = decision_services.save_calculation(
        org.social_worker, decision_services.create_calculation(org.social_worker, application)
    )
    decision = decision_services.decide_application(
        org.social_worker,
        application,
        calculation=calculation,
        lines={
            p.key: decision_services.LineDecision(Outcome.REFUSED, None, "Behovet är inte styrkt.")
            for p in proposals(calculation)
        },
        support_obstacles={
            m["person_id"]: "unemployed_no_benefit"
            for m in calculation.members
            if m["role"] == "applicant"
        },
    )
    assert decision.outcome == Outcome.REFUSED
    with pytest.raises(services.DomainError) as error:
        services.create_payment_order(
            org.social_worker,
            decision.lines.first(),
            services.OrderInput(method=PaymentMethod.CASH, amount="10", cash_reason="x"),
        )
    assert error.value.code == "decision_not_granted"
    assert "bifall eller delvis bifall" in error.value.message


def test_no_order_from_a_replaced_decision(world, org):
    new = decision_services.replace_decision(
        org.other_social_worker,
        world.decision,
        reason="Ny hyresavi",
        lines={
            line.key: decision_services.LineDecision(Outcome.GRANTED)
            for line in world.decision.lines.all()
        },
        support_obstacles={o.person_id: o.code for o in world.decision.support_obstacles.all()},
    )
    assert not Decision.objects.get(pk=world.decision.pk).in_force
    with pytest.raises(services.DomainError) as error:
        world.order()
    assert error.value.code == "decision_replaced"
    assert "har ersatts" in error.value.message
    # the new decision's line counts what the replaced decision's same line already holds
    assert new.in_force


def test_corrected_decision_does_not_pay_the_month_twice(world, org):
    world.order(amount=world.income_line.amount_granted)
    new = decision_services.replace_decision(
        org.other_social_worker,
        world.decision,
        reason="Rättelse",
        lines={
            line.key: decision_services.LineDecision(Outcome.GRANTED)
            for line in world.decision.lines.all()
        },
        support_obstacles={o.person_id: o.code for o in world.decision.support_obstacles.all()},
    )
    line = new.lines.get(kind="income_support")
    with pytest.raises(services.DomainError) as error:
        world.order(line=line, amount="1.00")
    assert error.value.code == "over_granted"


def test_orders_book_to_assistance_never_to_the_operating_budget(world):
    with pytest.raises(services.DomainError) as error:
        world.order(budget_account=world.operating_account)
    assert error.value.code == "operating_budget"


def test_account_payment_goes_to_the_applicant_only(world):
    with pytest.raises(services.DomainError) as error:
        world.order(PaymentMethod.ACCOUNT, payee=world.landlord)
    assert error.value.code == "account_payment_not_to_applicant"


def test_invoice_needs_valid_ocr_or_reference(world):
    with pytest.raises(services.DomainError) as error:
        world.order(PaymentMethod.INVOICE, "100", ocr_reference="12345", invoice_number="")
    assert error.value.code == "ocr_check_digit"
    assert "Kontrollsiffran i OCR-numret" in error.value.message
    with pytest.raises(services.DomainError) as error:
        world.order(PaymentMethod.INVOICE, "100", invoice_number="")
    assert error.value.code == "missing_reference"
    order = world.order(PaymentMethod.INVOICE, "100", ocr_reference="1234567897")
    assert order.ocr_reference == "1234567897" and order.message == ""


def test_requisition_is_numbered_and_valid_only_after_countersignature(world, org):
    first = world.order(PaymentMethod.REQUISITION, "400")
    second = world.order(PaymentMethod.REQUISITION, "300")
    year = dt.date.today().year
    assert first.requisition_number == f"R{year}-{org.unit.pk}-00001"
    assert second.requisition_number == f"R{year}-{org.unit.pk}-00002"
    assert first.status == OrderStatus.REGISTERED
    with pytest.raises(services.ChainRefused) as error:
        services.attest_order(org.other_social_worker, first)  # issuer and decider
    assert error.value.code in ("chain_decider_attests", "chain_requisition_countersign")
    issued_by_admin = world.order(PaymentMethod.REQUISITION, "100", by=org.benefit_admin)
    with pytest.raises(services.ChainRefused) as error:
        services.attest_order(org.benefit_admin, issued_by_admin)
    assert error.value.code == "chain_requisition_countersign"
    assert "kontrasignerat" in error.value.message
    first = services.attest_order(org.benefit_admin, first)
    assert first.status == OrderStatus.ATTESTED


def test_requisition_voucher_page_says_invalid_until_countersigned(client, world, org):
    order = world.order(PaymentMethod.REQUISITION, "400")
    client.force_login(org.benefit_admin)
    page = client.get(reverse("payments:requisition", args=[order.pk])).content.decode()
    assert "Ogiltig: rekvisitionen är inte kontrasignerad" in page
    services.attest_order(org.benefit_admin, order)
    page = client.get(reverse("payments:requisition", args=[order.pk])).content.decode()
    assert "Ogiltig" not in page and order.requisition_number in page


def test_cash_needs_the_unit_heads_approval(world, org):
    with pytest.raises(services.DomainError) as error:
        world.order(PaymentMethod.CASH, "300", cash_reason="")
    assert error.value.code == "missing"
    order = world.order(PaymentMethod.CASH, "300")
    for user in (org.benefit_admin, org.labour_head):
        with pytest.raises(services.ChainRefused) as error:
            services.attest_order(user, order)
        assert error.value.code == "cash_needs_unit_head"
        assert "enhetschefens godkännande" in error.value.message
    order = services.attest_order(org.unit_head, order)
    assert order.status == OrderStatus.ATTESTED
    order = services.record_manual_payment(org.finance, order, note="Kvitto 77")
    assert order.status == OrderStatus.PAID


def test_cash_needs_unit_head_through_the_page(client, world, org):
    order = world.order(PaymentMethod.CASH, "300")
    client.force_login(org.labour_head)
    response = client.post(reverse("payments:order_attest", args=[order.pk]), follow=True)
    assert "kräver enhetschefens godkännande" in response.content.decode()
    client.force_login(org.unit_head)
    client.post(reverse("payments:order_attest", args=[order.pk]))
    assert PaymentOrder.objects.get(pk=order.pk).status == OrderStatus.ATTESTED


def test_orders_are_never_edited_in_place_nor_deleted(world):
    order = world.order()
    with pytest.raises(IntegrityError, match="ändras aldrig"), transaction.atomic():
        PaymentOrder.objects.filter(pk=order.pk).update(amount=Decimal("1.00"))
    with pytest.raises(FinalRecordError):
        order.delete()
    with pytest.raises(IntegrityError, match="otillåten statusändring"), transaction.atomic():
        PaymentOrder.objects.filter(pk=order.pk).update(
            status=OrderStatus.PAID, paid_on=dt.date.today()
        )


def test_create_order_page_shows_swedish_errors_and_saves_nothing(client, world, org):
    client.force_login(world.registrar)
    url = reverse("payments:order_new", args=[world.case.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Registrera utbetalning" in page.content.decode()
    response = client.post(
        url,
        {
            "line": world.income_line.pk,
            "method": "account",
            "amount": "999999",
            "pay_on": world.pay_day.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "mer än det som återstår" in response.content.decode()
    response = client.post(
        url, {"line": world.income_line.pk, "method": "account", "amount": "tusen"}
    )
    assert "Ange beloppet i kronor" in response.content.decode()
    assert not PaymentOrder.objects.exists()
    response = client.post(
        url,
        {"line": world.income_line.pk, "method": "account", "amount": "1 200,00"},
    )
    assert response.status_code == 302
    assert PaymentOrder.objects.get().amount == Decimal("1200.00")


def test_reception_cannot_register_payments(client, world, org):
    with pytest.raises(services.PermissionRefused):
        world.order(by=org.reception)
    client.force_login(org.reception)
    response = client.get(reverse("payments:order_new", args=[world.case.pk]))
    assert response.status_code == 403


def test_account_change_holds_back_unsent_orders_until_reissued(world, org):
    order = services.attest_order(org.benefit_admin, world.order())
    services.change_payee_account(
        org.finance,
        world.applicant_payee,
        account_kind="bank_account",
        clearing="6114",
        number="5171 82351",
        reason="Sökanden har bytt bank",
    )
    assert "konto har ändrats" in services.order_is_held(order)
    assert not services.claimable_orders(org.unit, world.pay_day).filter(pk=order.pk).exists()
    with pytest.raises(services.ChainRefused):
        services.reissue_order(org.finance, order, reason="Nytt konto")  # changed the account
    new = services.reissue_order(world.registrar, order, reason="Nytt konto")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert new.reissue_of_id == order.pk and new.status == OrderStatus.REGISTERED
    assert new.payee_masked == "Handelsbanken, ****2351"
    with pytest.raises(services.PermissionRefused):
        services.attest_order(org.finance, new)  # finance changed the account, and never attests
    assert services.attest_order(org.benefit_admin, new).status == OrderStatus.ATTESTED
