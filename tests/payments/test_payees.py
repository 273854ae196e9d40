"""Payees: only finance registers or changes an account; every change is a new version with
who and when; bad numbers get a clear Swedish error; and social workers and benefit
administrators never see a full account number (pages, API, exports), as in the banks' SUS."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from bistand.audit.models import AccessLogEntry
from bistand.core.models import FinalRecordError
from bistand.payments import selectors, services
from bistand.payments.models import AccountNumber, Payee, PayeeAccount, PaymentMethod

from .conftest import BANKGIRO, SWEDBANK_DIGITS

pytestmark = pytest.mark.django_db

FULL_NUMBERS = (SWEDBANK_DIGITS, "014 725 892-5", "0147258925", "54029681", "5402-9681")


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def assert_masked(text: str) -> None:
    for number in FULL_NUMBERS:
        assert number not in text, f"full number {number} leaked"


@pytest.mark.parametrize(
    "clearing,number,code,words",
    [
        ("8327-9", "014 725 892-4", "account_check_digit", "Kontrollsiffran i kontonumret"),
        ("0000", "1234567", "clearing_unknown", "finns inte hos någon bank"),
        ("8327-8", "0147258925", "clearing_check_digit", "Kontrollsiffran i clearingnumret"),
        ("8327-9", "", "account_empty", "Ange kontonummer"),
        ("8327-9", "abc", "account_characters", "bara innehålla"),
    ],
)
def test_bad_account_numbers_get_a_swedish_error(world, org, clearing, number, code, words):
    with pytest.raises(services.DomainError) as error:
        services.change_payee_account(
            org.finance,
            world.applicant_payee,
            account_kind="bank_account",
            clearing=clearing,
            number=number,
            reason="Ny uppgift",
        )
    assert error.value.code == code
    assert words in error.value.message
    assert world.applicant_payee.account_versions.count() == 1  # nothing half-saved


def test_bankgiro_plusgiro_and_orgnr_are_check_digit_validated(world, org):
    for kind, number, code in (
        ("bankgiro", "5402-9682", "bankgiro_check_digit"),
        ("plusgiro", "410 54 68-4", "plusgiro_check_digit"),
    ):
        with pytest.raises(services.DomainError) as error:
            services.register_organisation_payee(
                org.finance,
                name="Fel AB",
                organisation_number="556036-0793",
                account_kind=kind,
                number=number,
            )
        assert error.value.code == code
    with pytest.raises(services.DomainError) as error:
        services.register_organisation_payee(
            org.finance,
            name="Fel AB",
            organisation_number="556036-0794",
            account_kind="bankgiro",
            number=BANKGIRO,
        )
    assert error.value.code == "orgnr_check_digit"
    assert not Payee.objects.filter(name="Fel AB").exists()


def test_only_finance_registers_or_changes_an_account(world, org):
    for user in (org.social_worker, org.benefit_admin, org.unit_head, org.labour_head):
        with pytest.raises(services.PermissionRefused) as error:
            services.change_payee_account(
                user,
                world.applicant_payee,
                account_kind="bank_account",
                clearing="6114",
                number="5171 82351",
                reason="x",
            )
        assert "får inte registrera eller ändra mottagare och konton" in error.value.message
    assert world.applicant_payee.account_versions.count() == 1


def test_a_change_is_a_new_version_and_the_old_one_stays(world, org):
    services.change_payee_account(
        org.finance,
        world.applicant_payee,
        account_kind="bank_account",
        clearing="6114",
        number="5171 82351",
        reason="Kontobevis från Handelsbanken",
    )
    versions = list(world.applicant_payee.account_versions.order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert [v.masked for v in versions] == ["Swedbank, ****8925", "Handelsbanken, ****2351"]
    assert all(v.registered_by == org.finance for v in versions)
    world.applicant_payee.refresh_from_db()
    assert world.applicant_payee.current_account == versions[1]
    logged = AccessLogEntry.objects.filter(action="update", object_type="payments.payee").last()
    assert "Handelsbanken, ****2351" in logged.detail and "5171" not in logged.detail
    with pytest.raises(IntegrityError), transaction.atomic():
        PayeeAccount.objects.filter(pk=versions[0].pk).update(masked="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountNumber.objects.filter(account_id=versions[0].pk).update(number="1")
    with pytest.raises(FinalRecordError):
        versions[0].delete()


def test_payee_models_hold_only_the_masked_form(world):
    account = world.applicant_payee.current_account
    assert not hasattr(account, "number") and not hasattr(account, "sealed_number")
    values = list(PayeeAccount.objects.values().get(pk=account.pk).values())
    assert_masked(repr(values))
    assert_masked(repr(Payee.objects.values().get(pk=world.applicant_payee.pk)))


def test_full_number_only_for_finance_and_each_read_is_logged(world, org):
    account = world.applicant_payee.current_account
    assert selectors.full_account_number(org.finance, account) == "8327-9, 0147258925"
    assert AccessLogEntry.objects.filter(
        actor_id=org.finance.pk, detail__contains="full_account_number"
    ).exists()
    for user in (org.social_worker, org.benefit_admin, org.unit_head, org.labour_head):
        with pytest.raises(services.PermissionRefused):
            selectors.full_account_number(user, account)
        assert selectors.account_display(user, account) == "Swedbank, ****8925"


def _pay_some(world, org):
    order = world.attested(PaymentMethod.ACCOUNT, "1000")
    world.attested(PaymentMethod.INVOICE, "500")
    return order


@pytest.mark.parametrize("role", ["other_social_worker", "benefit_admin"])
def test_handlers_see_masked_numbers_on_every_page(client, world, org, role):
    order = _pay_some(world, org)
    user = getattr(org, role)
    client.force_login(user)
    pages = [
        reverse("case_detail", args=[world.case.pk]),
        reverse("payments:order", args=[order.pk]),
        reverse("payments:payees"),
        reverse("payments:payee", args=[world.applicant_payee.pk]),
        reverse("payments:payee", args=[world.landlord.pk]),
        reverse("payments:attest_queue"),
        reverse("payments:order_new", args=[world.case.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert_masked(text)
    assert "Swedbank, ****8925" in client.get(pages[0]).content.decode()
    assert "Bankgiro, ****9681" in client.get(pages[3 + 1]).content.decode()


@pytest.mark.parametrize("role", ["other_social_worker", "benefit_admin"])
def test_handlers_get_masked_numbers_in_the_case_export(client, world, org, role):
    _pay_some(world, org)
    client.force_login(getattr(org, role))
    response = client.get(reverse("payments:case_export", args=[world.case.pk]))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "Swedbank, ****8925" in text and "Bankgiro, ****9681" in text
    assert_masked(text)


@pytest.mark.urls("tests.payments.urls_api")
@pytest.mark.parametrize("role", ["other_social_worker", "benefit_admin"])
def test_handlers_get_masked_numbers_from_the_api(world, org, role):
    order = _pay_some(world, org)
    client = api(getattr(org, role))
    for url in (
        "/api/v1/payees/",
        f"/api/v1/payees/{world.applicant_payee.pk}/",
        f"/api/v1/payees/{world.applicant_payee.pk}/history/",
        "/api/v1/payment-orders/",
        f"/api/v1/payment-orders/{order.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_masked(response.content.decode())
    assert "Swedbank, ****8925" in client.get("/api/v1/payees/").content.decode()
    response = client.get(f"/api/v1/payees/{world.applicant_payee.pk}/account-number/")
    assert response.status_code == 403
    full = api(org.finance).get(f"/api/v1/payees/{world.applicant_payee.pk}/account-number/")
    assert full.json()["account_number"] == "8327-9, 0147258925"


def test_finance_sees_the_full_number_on_the_payee_page(client, world, org):
    client.force_login(org.finance)
    text = client.get(reverse("payments:payee", args=[world.applicant_payee.pk])).content.decode()
    assert "8327-9, 0147258925" in text


def test_finance_registers_payees_through_the_page_with_swedish_errors(client, world, org):
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
    assert "Kontrollsiffran i bankgironumret stämmer inte" in response.content.decode()
    response = client.post(
        reverse("payments:payees"),
        {
            "kind": "person",
            "person-identity_number": "19830919-2394",
            "person-clearing": "6114",
            "person-account_number": "5171 82351",
        },
    )
    assert "finns redan i mottagarregistret" in response.content.decode()
    client.force_login(org.benefit_admin)
    response = client.post(
        reverse("payments:payees"),
        {"kind": "organisation", "org-name": "X", "org-organisation_number": "556567-8900"},
    )
    assert response.status_code == 403


def test_payee_for_a_person_without_a_case_is_refused(org, world):
    with pytest.raises(services.DomainError) as error:
        services.register_person_payee(
            org.finance,
            identity_number="197910142392",
            clearing="6114",
            account_number="5171 82351",
        )
    assert error.value.code in ("person_not_on_case",)
