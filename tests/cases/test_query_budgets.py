"""The case pages' query cost does not grow with the number of rows (issue #15)."""

import datetime as dt

import pytest
from django.utils import timezone

from bistand.cases import services
from bistand.households.services import MemberInput, register_household
from tests.query_budgets import assert_flat, page_queries, person_number


def _household(org, name="Tolvan"):
    return register_household(
        org.reception,
        [MemberInput(person_number(), name, "Tolvansson", "applicant")],
        address="Storgatan 1",
        postal_code="22100",
        city="Lund",
    )


def _application(org, *, take=True, name="Tolvan"):
    month = timezone.localdate().replace(day=1)
    application = services.register_application(
        org.reception, _household(org, name), kind="new", month=month
    )
    if take:
        services.take_case(org.social_worker, application.case)
    return application


def _grow(make, have: int, want: int) -> None:
    for _ in range(want - have):
        make()


@pytest.mark.parametrize(
    ("user", "url"),
    [
        ("social_worker", "/"),
        ("social_worker", "/inkorg/"),
        ("intake_head", "/inkorg/"),
        ("intake_head", "/arbetsbelastning/"),
        ("unit_head", "/arbetsbelastning/"),
    ],
)
def test_list_pages_cost_the_same_for_3_and_12_cases(client, org, user, url):
    client.force_login(getattr(org, user))
    for index in range(3):
        _application(org, take=index % 2 == 0)  # held and unassigned cases
    small, _ = page_queries(client, url)
    for index in range(9):
        _application(org, take=index % 2 == 0)
    large, page = page_queries(client, url)
    assert_flat(small, large)
    assert "Tolvansson" in page


def test_worker_cases_page_costs_the_same_for_3_and_12_cases(client, org):
    client.force_login(org.intake_head)
    url = f"/arbetsbelastning/{org.social_worker.pk}/"
    for _ in range(3):
        _application(org)
    small, _ = page_queries(client, url)
    for _ in range(9):
        _application(org)
    large, page = page_queries(client, url)
    assert_flat(small, large)
    assert page.count("Tolvansson") == 12


def test_person_search_costs_the_same_for_3_and_12_hits(client, org):
    client.force_login(org.social_worker)
    url = "/sok/?q=Tolvansson"
    for _ in range(3):
        _application(org)
    small, _ = page_queries(client, url)
    for _ in range(9):
        _application(org)
    large, page = page_queries(client, url)
    assert_flat(small, large)
    assert page.count("Registrera ansökan") == 12


def test_case_page_costs_the_same_for_3_and_12_applications_and_notes(client, org):
    client.force_login(org.social_worker)
    case = _application(org).case
    url = f"/arende/{case.pk}/"
    month = timezone.localdate().replace(day=1)

    def more(count: int) -> None:
        for _ in range(count):
            services.add_journal_entry(
                org.social_worker, case, text="Telefonsamtal.", kind="phone", sign=True
            )
        for index in range(count):
            services.register_application(
                org.reception,
                case.household,
                kind="repeat",
                month=month - dt.timedelta(days=31 * (index + 1 + more.made)),
            )
        more.made += count

    more.made = 0
    more(2)
    small, _ = page_queries(client, url)
    more(9)
    large, _ = page_queries(client, url)
    # 36 since #15; 39 with the activity panel (#16); 43 with its placements and activity
    # plans; 44 with the persons' language levels (the waiting list's criteria, #16)
    assert_flat(small, large, budget=44)
