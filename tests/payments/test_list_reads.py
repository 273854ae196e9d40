"""Issue #11: the payee register, the attest and payment queues and the order lists show only
what the user may see, and every render of them is one access-log row naming the cases and
persons listed (set-wise, so logging does not slow the lists)."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bistand.audit.models import AccessLogEntry
from bistand.cases import services as case_services
from bistand.payments import services
from bistand.payments.models import PaymentMethod
from tests.conftest import make_household
from tests.factories import ADULT_NUMBERS
from tests.query_budgets import assert_flat, page_queries, person_number

from .conftest import BANKGIRO, SWEDBANK

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def list_reads(user, what: str) -> list[dict]:
    rows = AccessLogEntry.objects.filter(
        actor_id=user.pk, object_type="list", object_id=what
    ).order_by("id")
    return [json.loads(row.detail) for row in rows]


def intake_case_with_payee(org, adult: str = ADULT_NUMBERS[1]):
    """A case of the intake section (held by org.social_worker) whose applicant is a payee."""
    household = make_household(org.reception, adult=adult)
    application = case_services.register_application(
        org.reception, household, kind="new", month=timezone.localdate().replace(day=1)
    )
    case_services.take_case(org.social_worker, application.case)
    payee = services.register_person_payee(
        org.finance, identity_number=adult, clearing=SWEDBANK[0], account_number=SWEDBANK[1]
    )
    return application.case, payee


def payee_link(payee) -> str:
    return f'href="{reverse("payments:payee", args=[payee.pk])}"'


# --- Scope -----------------------------------------------------------------------------------


def test_handler_of_another_section_does_not_see_the_sections_payees(client, world, org):
    _, own_payee = intake_case_with_payee(org)
    client.force_login(org.social_worker)  # intake; world.case is the labour section's
    page = client.get(reverse("payments:payees")).content.decode()
    assert payee_link(own_payee) in page
    assert payee_link(world.landlord) in page  # organisations are no client data
    assert payee_link(world.applicant_payee) not in page
    assert client.get(reverse("payments:payee", args=[world.applicant_payee.pk])).status_code == 404

    listed = {row["id"] for row in api(org.social_worker).get("/api/v1/payees/").json()["results"]}
    assert own_payee.pk in listed and world.landlord.pk in listed
    assert world.applicant_payee.pk not in listed
    assert (
        api(org.social_worker).get(f"/api/v1/payees/{world.applicant_payee.pk}/").status_code == 404
    )


def test_handler_of_the_case_sees_its_payee_but_not_another_sections(client, world, org):
    _, intake_payee = intake_case_with_payee(org)
    client.force_login(org.other_social_worker)  # holds world.case (labour)
    page = client.get(reverse("payments:payees")).content.decode()
    assert payee_link(world.applicant_payee) in page
    assert payee_link(intake_payee) not in page
    listed = {row["id"] for row in api(org.labour_head).get("/api/v1/payees/").json()["results"]}
    assert world.applicant_payee.pk in listed and intake_payee.pk not in listed


def test_finance_keeps_the_whole_register_and_its_read_is_logged(client, world, org):
    _, intake_payee = intake_case_with_payee(org)
    client.force_login(org.finance)
    page = client.get(reverse("payments:payees")).content.decode()
    assert payee_link(world.applicant_payee) in page and payee_link(intake_payee) in page
    [detail] = list_reads(org.finance, "payee_list")
    assert detail["person_ids"] == sorted([world.applicant_payee.person_id, intake_payee.person_id])
    assert detail["payee_ids"] == sorted([world.applicant_payee.pk, intake_payee.pk])


def test_attest_queue_and_order_list_hold_only_orders_of_cases_the_user_may_open(world, org):
    order = world.order(PaymentMethod.ACCOUNT, "1000")
    intake_case_with_payee(org)
    for outsider in (org.social_worker, org.intake_head):
        client = api(outsider)
        assert order.pk not in {
            r["id"] for r in client.get("/api/v1/payment-orders/").json()["results"]
        }
    from django.test import Client

    for outsider, insider in (
        (org.intake_head, org.labour_head),
        (org.social_worker, org.benefit_admin),
    ):
        browser = Client()
        browser.force_login(outsider)
        assert order.reference not in browser.get(reverse("payments:attest_queue")).content.decode()
        browser.force_login(insider)
        assert order.reference in browser.get(reverse("payments:attest_queue")).content.decode()


# --- Logged set-wise ---------------------------------------------------------------------------


def test_attest_queue_read_is_one_row_naming_the_listed_cases(client, world, org):
    first = world.order(PaymentMethod.ACCOUNT, "1000")
    second = world.order(PaymentMethod.ACCOUNT, "500")
    client.force_login(org.benefit_admin)
    before = AccessLogEntry.objects.count()
    assert first.reference in client.get(reverse("payments:attest_queue")).content.decode()
    assert AccessLogEntry.objects.count() == before + 1  # one row for the page, not per line
    [detail] = list_reads(org.benefit_admin, "attest_queue")
    assert detail["case_ids"] == [world.case.pk]
    assert detail["order_ids"] == sorted([first.pk, second.pk])
    assert detail["person_ids"] == [world.applicant_payee.person_id]


def test_payment_queue_and_run_page_reads_are_logged(client, world, org):
    attested = world.attested(PaymentMethod.ACCOUNT, "1000")
    client.force_login(org.finance)
    assert client.get(reverse("payments:queue")).status_code == 200
    [detail] = list_reads(org.finance, "payment_queue")
    assert detail["case_ids"] == [world.case.pk] and attested.pk in detail["order_ids"]
    run = services.build_run(org.finance, world.pay_day).run
    assert client.get(reverse("payments:run", args=[run.pk])).status_code == 200
    [detail] = list_reads(org.finance, "payment_run_orders")
    assert detail["case_ids"] == [world.case.pk]


def test_api_order_and_payee_lists_are_logged(world, org):
    order = world.order(PaymentMethod.ACCOUNT, "1000")
    assert api(org.benefit_admin).get("/api/v1/payment-orders/").status_code == 200
    [detail] = list_reads(org.benefit_admin, "payment_order_list_api")
    assert detail["case_ids"] == [world.case.pk] and detail["order_ids"] == [order.pk]
    assert api(org.other_social_worker).get("/api/v1/payees/").status_code == 200
    [detail] = list_reads(org.other_social_worker, "payee_list_api")
    assert detail["person_ids"] == [world.applicant_payee.person_id]


# --- Query budgets -----------------------------------------------------------------------------


def _more_payees(org, count: int) -> None:
    for _ in range(count):
        number = person_number()
        household = make_household(org.reception, adult=number)
        application = case_services.register_application(
            org.reception, household, kind="new", month=timezone.localdate().replace(day=1)
        )
        case_services.take_case(org.social_worker, application.case)
        services.register_person_payee(
            org.finance, identity_number=number, clearing=SWEDBANK[0], account_number=SWEDBANK[1]
        )


@pytest.mark.parametrize("user", ["finance", "social_worker"])
def test_payee_list_costs_the_same_for_3_and_12_payees(client, world, org, user):
    client.force_login(getattr(org, user))
    url = reverse("payments:payees")
    _more_payees(org, 3)
    small, _ = page_queries(client, url)
    _more_payees(org, 9)
    large, page = page_queries(client, url)
    assert_flat(small, large)
    assert page.count("Tolvansson") >= 12


def test_attest_queue_costs_the_same_for_3_and_12_orders(client, world, org):
    """The chain check and the held check read their facts once for the list
    (payments.services.chain_facts, orders_held), not per order (issue #15)."""
    client.force_login(org.benefit_admin)
    url = reverse("payments:attest_queue")
    for _ in range(3):
        world.order(PaymentMethod.ACCOUNT, "10")
    small, _ = page_queries(client, url)
    for _ in range(9):
        world.order(PaymentMethod.ACCOUNT, "10")
    large, _ = page_queries(client, url)
    assert_flat(small, large, budget=40)


def test_attest_queue_of_a_head_costs_the_same_for_3_and_12_orders_of_every_kind(
    client, world, org
):
    """Second attestations (the first attester is read), invoices to an organisation and
    account payments: the facts are read once for the list (issue #15)."""
    from bistand.payments import services as payment_services

    def add(count):
        for _ in range(count):
            world.order(PaymentMethod.ACCOUNT, "10")
            world.order(PaymentMethod.INVOICE, "20")
        # above the amount limit (5,000): attested once, waiting for a head's second attest
        big = world.order(PaymentMethod.ACCOUNT, "5001")
        assert payment_services.attest_order(org.benefit_admin, big).status == "awaiting_second"

    client.force_login(org.unit_head)
    url = reverse("payments:attest_queue")
    add(1)
    small, page = page_queries(client, url)
    add(5)
    large, _ = page_queries(client, url)
    assert_flat(small, large, budget=40)


# --- The register as a work list (issue #13) ---------------------------------------------------


def _organisation_number(serial: int) -> str:
    body = f"5565{serial:05d}"
    total = 0
    for index, char in enumerate(body):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    number = body + str((10 - total % 10) % 10)
    return f"{number[:6]}-{number[6:]}"


def _organisations(org, count: int, prefix: str = "Hyresvärd", first: int = 0) -> None:
    for index in range(first, first + count):
        services.register_organisation_payee(
            org.finance,
            name=f"{prefix} {index:02d} AB",
            organisation_number=_organisation_number(index),
            account_kind="bankgiro",
            number=BANKGIRO,
        )


def test_payee_register_is_paged_searched_and_costs_the_same_for_3_and_30(client, world, org):
    client.force_login(org.finance)
    url = reverse("payments:payees") + "?kind=organisation&sort=-name"
    _organisations(org, 3)
    small, _ = page_queries(client, url)
    _organisations(org, 27, prefix="Elbolag", first=3)
    large, page = page_queries(client, url)
    assert_flat(small, large)
    assert len(re.findall(r'href="/utbetalning/mottagare/\d+/"', page)) == 25
    assert "av 3" in page.split('data-testid="list-count"')[1][:200]  # 30 + the world's
    found = client.get(reverse("payments:payees"), {"q": "Elbolag 07"}).content.decode()
    assert len(re.findall(r'href="/utbetalning/mottagare/\d+/"', found)) == 1
    bad = client.get(reverse("payments:payees"), {"kind": "<script>", "page": "-4"})
    assert bad.status_code == 200
    body = bad.content.decode()
    assert "Filtret ”Slag” används inte" in body and "sidan 1 visas" in body


def test_a_kind_filter_does_not_widen_the_payees_a_handler_sees(client, world, org):
    client.force_login(org.social_worker)  # intake: world.case is the labour section's
    page = client.get(reverse("payments:payees"), {"kind": "person"}).content.decode()
    assert payee_link(world.applicant_payee) not in page
    page = client.get(
        reverse("payments:payees"), {"q": world.applicant_payee.name}
    ).content.decode()
    assert payee_link(world.applicant_payee) not in page
