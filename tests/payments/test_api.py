"""The payment API: the same rules as the pages, through the same services."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from bistand.payments.iso20022 import SimulatedStatus, build_pain002, validate_pain001
from bistand.payments.models import OrderStatus, PaymentOrder, PaymentRun, RunStatus

from .conftest import AMOUNT_LIMIT

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.payments.urls_api")]


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_whole_flow_through_the_api(world, org):
    handler = api(world.registrar)  # neither decider nor account registrant
    response = handler.post(
        "/api/v1/payment-orders/",
        {"decision_line": world.income_line.pk, "method": "account", "amount": "2500.00"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    order_id = response.json()["id"]
    assert response.json()["payee_masked"] == "Swedbank, ****8925"
    response = api(org.benefit_admin).post(f"/api/v1/payment-orders/{order_id}/attest/")
    assert response.json()["status"] == "attested"
    finance = api(org.finance)
    response = finance.post(
        "/api/v1/payment-runs/", {"payment_date": world.pay_day.isoformat()}, format="json"
    )
    assert response.status_code == 201
    run = response.json()
    assert run["status"] == "built" and run["order_count"] == 1
    file = finance.get(f"/api/v1/payment-runs/{run['id']}/file/")
    assert file.status_code == 200
    assert validate_pain001(b"".join(file.streaming_content)).number_of_transactions == 1
    assert finance.post(f"/api/v1/payment-runs/{run['id']}/send/").json()["status"] == "sent"
    report = build_pain002(
        run["message_id"],
        [SimulatedStatus(f"BU{order_id}", "ACSC", f"{run['message_id']}-P")],
        message_id="P2",
        created_at=timezone.now(),
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("svar.xml", report, content_type="application/xml")
    response = finance.post("/api/v1/status-reports/", {"file": upload}, format="multipart")
    assert response.status_code == 201 and response.json()["paid_count"] == 1
    upload = SimpleUploadedFile("svar.xml", report, content_type="application/xml")
    response = finance.post("/api/v1/status-reports/", {"file": upload}, format="multipart")
    assert response.status_code == 200 and response.json()["already_imported"] is True
    assert PaymentOrder.objects.get(pk=order_id).status == OrderStatus.PAID
    assert PaymentRun.objects.get(pk=run["id"]).status == RunStatus.RECONCILED
    export = finance.get(f"/api/v1/accounting-export/?month={world.pay_day:%Y-%m}&type=sie")
    assert export.status_code == 200 and export.content.startswith(b"#FLAGGA 0")


def test_api_errors_are_swedish_and_nothing_is_saved(world, org):
    handler = api(world.registrar)  # neither decider nor account registrant
    response = handler.post(
        "/api/v1/payment-orders/",
        {"decision_line": world.other_line.pk, "method": "invoice", "amount": "99999"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("missing_payee", "over_granted")
    response = handler.post(
        "/api/v1/payment-orders/",
        {
            "decision_line": world.other_line.pk,
            "method": "invoice",
            "amount": "100",
            "payee": world.landlord.pk,
            "due_on": world.pay_day.isoformat(),
            "ocr_reference": "1234",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "OCR" in response.json()["error"]["message"]
    assert not PaymentOrder.objects.exists()


def test_api_requisition_countersignature_and_cash_approval(world, org):
    handler = api(world.registrar)  # neither decider nor account registrant
    requisition = handler.post(
        "/api/v1/payment-orders/",
        {
            "decision_line": world.other_line.pk,
            "method": "requisition",
            "amount": "500",
            "requisition_supplier": "Optikern",
        },
        format="json",
    ).json()
    assert requisition["requisition_number"].startswith("R")
    assert requisition["status"] == "registered"
    ok = api(org.benefit_admin).post(f"/api/v1/payment-orders/{requisition['id']}/attest/")
    assert ok.json()["status"] == "attested"
    cash = handler.post(
        "/api/v1/payment-orders/",
        {
            "decision_line": world.other_line.pk,
            "method": "cash",
            "amount": "300",
            "cash_reason": "Akut, kortet spärrat",
        },
        format="json",
    ).json()
    refused = api(org.labour_head).post(f"/api/v1/payment-orders/{cash['id']}/attest/")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "cash_needs_unit_head"
    approved = api(org.unit_head).post(f"/api/v1/payment-orders/{cash['id']}/attest/")
    assert approved.json()["status"] == "attested"
    paid = api(org.finance).post(
        f"/api/v1/payment-orders/{cash['id']}/record-paid/", {"note": "Kvitto 12"}, format="json"
    )
    assert paid.json()["status"] == "paid"


def test_api_payee_registration_is_for_finance_only(world, org):
    body = {
        "kind": "organisation",
        "name": "Värmeverket AB",
        "organisation_number": "556567-8900",
        "account_kind": "bankgiro",
        "number": "5402-9681",
    }
    response = api(org.benefit_admin).post("/api/v1/payees/", body, format="json")
    assert response.status_code == 403
    response = api(org.finance).post("/api/v1/payees/", body, format="json")
    assert response.status_code == 201
    assert response.json()["account"]["masked"] == "Bankgiro, ****9681"
    bad = api(org.finance).post(
        f"/api/v1/payees/{response.json()['id']}/change-account/",
        {"account_kind": "plusgiro", "number": "4105468-4", "reason": "Ny"},
        format="json",
    )
    assert bad.status_code == 400
    assert "Kontrollsiffran i plusgironumret" in bad.json()["error"]["message"]


def test_api_hides_other_sections_orders(world, org):
    world.order()
    response = api(org.social_worker).get("/api/v1/payment-orders/")
    assert response.json()["count"] == 0
    order = PaymentOrder.objects.get()
    assert api(org.social_worker).get(f"/api/v1/payment-orders/{order.pk}/").status_code == 404
    assert api(org.finance).get("/api/v1/payment-orders/").json()["count"] == 1


def test_api_above_limit_needs_second_attestation(world, org):
    order = world.order(amount=AMOUNT_LIMIT + 1)
    url = f"/api/v1/payment-orders/{order.pk}/attest/"
    assert api(org.benefit_admin).post(url).json()["status"] == "awaiting_second"
    assert api(org.labour_head).post(url).json()["status"] == "attested"


def test_payment_api_schema_is_clean_for_wiring():
    """bistand/api_urls.py will call register(router): the schema must stay warning-free."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="tests.payments.urls_api").get_schema(
        request=None, public=True
    )
    validate_schema(schema)
    assert not GENERATOR_STATS._error_cache
    assert not list(GENERATOR_STATS._warn_cache)
    for path in (
        "/api/v1/payees/",
        "/api/v1/payment-orders/{id}/attest/",
        "/api/v1/payment-runs/{id}/file/",
        "/api/v1/status-reports/",
        "/api/v1/accounting-export/",
    ):
        assert path in schema["paths"]
