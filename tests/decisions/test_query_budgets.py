"""Fortsatta ansökningar (the repeat-application batch page) and the decision pages: the
query cost does not grow with the number of applications (issue #15: 2,079 queries)."""

import pytest

from bistand.cases import services as case_services
from tests.query_budgets import assert_flat, page_queries, person_number
from tests.workplans.conftest import make_plan

from .conftest import decide


@pytest.fixture
def repeat_applications(org, make_application, previous_month, this_month):
    """C cases granted last month, with a confirmed plan and this month's repeat application."""

    def make(count: int) -> None:
        for _ in range(count):
            first = make_application(
                previous_month,
                adult=person_number(),
                stated_costs=[{"type": "rent", "amount": "6000.00"}],
                handler=org.benefit_admin,
                case_type="C",
            )
            decide(org.benefit_admin, first)
            make_plan(org.benefit_admin, first.case)
            case_services.register_application(
                org.benefit_admin,
                first.case.household,
                kind="repeat",
                month=this_month,
                stated_costs=[{"type": "rent", "amount": "6000.00"}],
            )

    return make


@pytest.mark.parametrize("user", ["benefit_admin", "labour_head", "unit_head"])
def test_batch_page_costs_the_same_for_3_and_12_applications(
    client, org, repeat_applications, this_month, user
):
    client.force_login(getattr(org, user))
    url = f"/beslut/upprepade/?month={this_month:%Y-%m}"
    repeat_applications(3)
    small, _ = page_queries(client, url)
    repeat_applications(9)
    large, page = page_queries(client, url)
    # The batch also reads the register-check requirements and checks (controls) and the
    # protected-identity access list, set-wise: a few more queries, never more per row.
    assert_flat(small, large, budget=30)
    assert page.count('<span class="badge ok">ja</span>') == 12  # every one qualifies
