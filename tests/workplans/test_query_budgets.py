"""The plan pages' query cost does not grow with the number of cases (issue #15)."""

import pytest

from bistand.cases import services as case_services
from tests.query_budgets import assert_flat, page_queries, person_number

from .conftest import days, make_case, make_plan


def _reopen(org, case) -> None:
    """Close the case and let the household apply again: a re-entry (återaktualisering)."""
    for application in case.applications.filter(status__in=["received", "complete"]):
        case_services.withdraw_application(org.social_worker, application, "Fick arbete")
    case_services.close_case(org.social_worker, case, reason="work", closed_on=days(-30))
    case_services.register_application(
        org.reception, case.household, kind="new", month=days(0).replace(day=1)
    )


def _cases(org, household_factory, count: int) -> None:
    for index in range(count):
        case = make_case(
            org,
            household_factory,
            case_type="C" if index % 2 else "A",
            adult=person_number(),
        )
        if index % 6 == 0:  # A cases held by the social worker
            _reopen(org, case)
            case.refresh_from_db()
        handler = org.benefit_admin if index % 2 else org.social_worker
        # Due within the week: listed among the worker's follow-ups on the start page.
        make_plan(handler, case, first_follow_up=days(3))


@pytest.mark.parametrize(
    ("user", "url"),
    [
        ("intake_head", "/planer/"),
        ("unit_head", "/planer/"),
        ("social_worker", "/"),
        ("benefit_admin", "/"),
    ],
)
def test_plan_pages_cost_the_same_for_3_and_12_cases(client, org, household_factory, user, url):
    client.force_login(getattr(org, user))
    _cases(org, household_factory, 3)
    small, _ = page_queries(client, url)
    _cases(org, household_factory, 9)
    large, page = page_queries(client, url)
    assert_flat(small, large)
    assert "Tolvansson" in page
    if url == "/planer/":
        assert page.count('<span class="badge warn">återaktualiserad</span>') == 3
