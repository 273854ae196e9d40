"""Issue 13: *Registrera utbetalning* and the order page's forms refuse at the field: the form again with every value
kept, the error beside its field, a summary linking to it, nothing stored."""

import re

from django.urls import reverse

from bistand.cases import services as case_services
from bistand.payments import services
from bistand.payments.models import (
    Payee,
    PayeeException,
    PaymentMethod,
    PaymentOrder,
    PaymentSettings,
)
from tests.cases.test_field_errors import assert_refused_at
from tests.conftest import make_household
from tests.factories import ADULT_NUMBERS
from tests.payments.conftest import APPLICANT, HANDELSBANKEN


def test_an_amount_that_is_not_a_number_is_refused_at_the_amount(client, world):
    client.force_login(world.registrar)
    response = client.post(
        reverse("payments:order_new", args=[world.case.pk]),
        {
            "line": world.income_line.pk,
            "method": "account",
            "amount": "tusen",
            "pay_on": world.pay_day.isoformat(),
            "note": "Hyra december",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "amount", "Ange beloppet i kronor")
    assert 'value="tusen"' in html and "Hyra december" in html
    assert not PaymentOrder.objects.exists()


def test_an_invoice_without_payee_is_refused_by_the_service_at_the_payee(client, world):
    client.force_login(world.registrar)
    response = client.post(
        reverse("payments:order_new", args=[world.case.pk]),
        {
            "line": world.other_line.pk,
            "method": "invoice",
            "amount": "1500",
            "pay_on": world.pay_day.isoformat(),
            "due_on": world.pay_day.isoformat(),
            "invoice_number": "F-77",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "payee", "Välj mottagare")
    assert 'value="F-77"' in html
    assert not PaymentOrder.objects.exists()


def test_cancelling_without_reason_is_refused_at_the_field_details_open(client, world):
    order = world.order()
    client.force_login(world.registrar)
    response = client.post(reverse("payments:order_cancel", args=[order.pk]), {"reason": ""})
    assert response.status_code == 400
    html = response.content.decode()
    # Two reason fields on the page (re-register, cancel): the refused one is the cancel's.
    tag = re.search(r'<input[^>]*id="cancel_reason"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in tag and 'aria-describedby="cancel_reason_error"' in tag
    error = re.search(r'<ul class="errorlist" id="cancel_reason_error">(.*?)</ul>', html, re.S)
    assert error and "obligatoriskt" in error.group(1)
    assert 'href="#cancel_reason"' in html
    assert "aria-invalid" not in re.search(r'<input[^>]*id="reissue_reason"[^>]*>', html).group(0)
    assert '<details id="cancel" open>' in html
    order.refresh_from_db()
    assert order.status != "cancelled"


def test_recording_a_requisition_paid_in_the_future_is_refused_at_the_date(client, world, org):
    import datetime as dt

    order = world.attested(PaymentMethod.REQUISITION, "400")
    client.force_login(org.finance)
    future = (world.today + dt.timedelta(days=10)).isoformat()
    response = client.post(
        reverse("payments:order_paid", args=[order.pk]),
        {"paid_on": future, "note": "Kvitto 4711"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "paid_on", "framtiden")
    assert "Kvitto 4711" in html
    order.refresh_from_db()
    assert order.status == "attested"


# --- The forms converted next (docs/forms.md): exception, run cancel, payees, settings ---------


def test_an_exception_without_reason_is_refused_at_the_reason(client, world, org):
    household = make_household(org.reception, adult=ADULT_NUMBERS[3])
    case_services.register_application(
        org.reception, household, kind="new", month=world.month, section=org.intake
    )
    other = services.register_person_payee(
        org.finance,
        identity_number=ADULT_NUMBERS[3],
        clearing=HANDELSBANKEN[0],
        account_number=HANDELSBANKEN[1],
    )
    order = world.order(PaymentMethod.INVOICE, "1500", payee=other, request_payee_exception=True)
    client.force_login(org.unit_head)
    response = client.post(reverse("payments:order_exception", args=[order.pk]), {"reason": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "reason", "Ange motiveringen till undantaget")
    assert re.search(r'<textarea[^>]*id="exception_reason"', html)
    assert not PayeeException.objects.exists()


def test_cancelling_a_run_without_reason_is_refused_at_the_reason(client, world, org):
    world.attested()
    run = services.build_run(org.finance, world.pay_day).run
    client.force_login(org.finance)
    response = client.post(reverse("payments:run_cancel", args=[run.pk]), {"reason": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "reason", "Ange skälet till makuleringen")
    assert '<details id="cancel" open>' in html
    run.refresh_from_db()
    assert run.status == "built" and run.orders.count() == 1


def test_a_bad_bankgiro_is_refused_at_the_number_values_kept(client, world, org):
    before = Payee.objects.count()
    client.force_login(org.finance)
    response = client.post(
        reverse("payments:payees"),
        {
            "kind": "organisation",
            "org-name": "Elbolaget AB",
            "org-organisation_number": "556567-8900",
            "org-account_kind": "bankgiro",
            "org-number": "5402-9680",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "org-number", "Kontrollsiffran i bankgironumret stämmer inte")
    assert 'value="Elbolaget AB"' in html and 'value="5402-9680"' in html
    assert 'data-testid="payee-register-forms" open' in html
    assert Payee.objects.count() == before


def test_a_bad_identity_number_is_refused_at_the_field(client, world, org):
    before = Payee.objects.count()
    client.force_login(org.finance)
    response = client.post(
        reverse("payments:payees"),
        {
            "kind": "person",
            "person-identity_number": "19830919-2395",  # wrong check digit
            "person-clearing": "6114",
            "person-account_number": "5171 82351",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "person-identity_number", "Kontrollsiffran")
    assert 'value="5171 82351"' in html
    assert Payee.objects.count() == before


def test_an_existing_payee_is_refused_at_the_identity_number(client, world, org):
    before = Payee.objects.count()
    client.force_login(org.finance)
    response = client.post(
        reverse("payments:payees"),
        {
            "kind": "person",
            "person-identity_number": APPLICANT,
            "person-clearing": "6114",
            "person-account_number": "5171 82351",
        },
    )
    assert response.status_code == 400
    assert_refused_at(
        response.content.decode(), "person-identity_number", "finns redan i mottagarregistret"
    )
    assert Payee.objects.count() == before


def test_a_changed_account_with_a_bad_clearing_is_refused_at_the_clearing(client, world, org):
    payee = world.applicant_payee
    versions = payee.account_versions.count()
    client.force_login(org.finance)
    response = client.post(
        reverse("payments:payee", args=[payee.pk]),
        {
            "account_kind": "bank_account",
            "clearing": "12",
            "number": "5171 82351",
            "reason": "Nytt kontobevis",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "clearing", "Clearingnumret ska ha fyra siffror")
    assert 'value="Nytt kontobevis"' in html
    assert payee.account_versions.count() == versions


def test_payment_settings_with_a_bad_iban_are_refused_at_the_iban(client, world, org):
    rows = PaymentSettings.objects.count()
    client.force_login(org.unit_head)
    response = client.post(
        reverse("payments:settings"),
        {
            "amount_limit": "6000",
            "debtor_name": "Exempelkommun socialtjänst",
            "debtor_iban": "SE45 5000 0000 0583 9825 7467",
            "debtor_bic": "NDEASESS",
            "organisation_number": "212000-0142",
            "bank_ledger_account": "1930",
            "note": "Ny spärr",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "debtor_iban", "Kontrollsiffrorna i IBAN stämmer inte")
    assert 'value="6000"' in html and 'value="Ny spärr"' in html
    assert PaymentSettings.objects.count() == rows


def test_payment_settings_with_a_bad_amount_are_refused_at_the_limit(client, world, org):
    rows = PaymentSettings.objects.count()
    client.force_login(org.unit_head)
    response = client.post(
        reverse("payments:settings"),
        {
            "amount_limit": "femtusen",
            "debtor_name": "Exempelkommun socialtjänst",
            "debtor_iban": "SE45 5000 0000 0583 9825 7466",
            "debtor_bic": "NDEASESS",
            "organisation_number": "212000-0142",
            "bank_ledger_account": "1930",
        },
    )
    assert response.status_code == 400
    assert_refused_at(response.content.decode(), "amount_limit", "Ange beloppsspärren i kronor")
    assert PaymentSettings.objects.count() == rows


def test_a_new_budget_account_with_a_bad_number_is_refused_at_the_number(client, world, org):
    from bistand.payments.models import BudgetAccount

    accounts = BudgetAccount.objects.count()
    client.force_login(org.unit_head)
    response = client.post(
        reverse("payments:budget"),
        {"form": "account", "code": "45", "name": "Hyresskulder", "kind": "assistance"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "code", "Kontonumret anges med 3–10 siffror")
    assert 'value="45"' in html and 'value="Hyresskulder"' in html
    assert BudgetAccount.objects.count() == accounts


def test_a_yearly_budget_that_is_not_an_amount_is_refused_at_the_amount(client, world, org):
    from bistand.payments.models import BudgetAmount

    rows = BudgetAmount.objects.count()
    client.force_login(org.unit_head)
    response = client.post(
        reverse("payments:budget"),
        {
            "form": "amount",
            "account": world.income_account.pk,
            "year": "2026",
            "amount": "en miljon",
            "note": "Tilläggsbudget",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "amount", "i kronor")
    assert 'value="en miljon"' in html and 'value="Tilläggsbudget"' in html
    assert BudgetAmount.objects.count() == rows
    # A year out of range is the form's own check, also at its field.
    response = client.post(
        reverse("payments:budget"),
        {"form": "amount", "account": world.income_account.pk, "year": "1999", "amount": "5"},
    )
    assert response.status_code == 400
    assert_refused_at(response.content.decode(), "year", "2000")
    assert BudgetAmount.objects.count() == rows


def test_a_file_that_is_not_a_bank_report_is_refused_at_the_file(client, world, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bistand.payments.models import StatusReportImport

    client.force_login(org.finance)
    response = client.post(reverse("payments:reconcile"), {})
    assert response.status_code == 400
    assert_refused_at(response.content.decode(), "file", "obligatoriskt")
    upload = SimpleUploadedFile("rapport.xml", b"<inte-en-rapport/>", "application/xml")
    response = client.post(reverse("payments:reconcile"), {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    container = re.search(r'<div class="field has-error" data-field="file">.*?</div>', html, re.S)
    assert container, "the file field is not marked"
    assert not StatusReportImport.objects.exists()
