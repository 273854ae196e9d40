"""Issue 17, risk groups as work: the open cases behind the board's goals, listed for section
and unit heads (bistand/statistics/risk_groups.py, views_risk.py; docs/statistics.md,
"Risk-group work lists"). Membership edge cases, sections, roles, bad input, query budget."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from bistand.audit.models import AccessLogEntry
from bistand.statistics.risk_groups import (
    BY_KEY,
    LONG_TERM_CHILDREN,
    NO_PLAN,
    SOON_LONG_TERM_KEY,
    YOUNG_ADULTS,
    reference_month,
    risk_group_cases,
    risk_group_counts,
)
from bistand.workplans.models import WorkPlan
from tests.query_budgets import assert_flat, page_queries
from tests.workplans.conftest import make_plan

from .builders import World
from .conftest import months, pay_months

pytestmark = pytest.mark.django_db

D = dt.date
DEC = D(2025, 12, 1)  # the reference month: the latest month built


def member(w, born, role="applicant"):
    return (w.person(born), role)


def household_case(w, *members, section=None, handler=None):
    household = w.household(*members)
    return w.case(household, opened_on=D(2023, 12, 1), section=section, handler=handler)


def refresh(w, first=D(2025, 1, 1)):
    w.refresh(*months(first, DEC))


def listed(user, key, today=None):
    today = today or timezone.localdate()
    month = reference_month(today)
    return set(risk_group_cases(user, BY_KEY[key], month, today).values_list("pk", flat=True))


def url(slug="langvariga-barnfamiljer", **params):
    address = reverse("statistics:risk_list", args=[slug])
    if params:
        address += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return address


# ------------------------------------------------------------------------ membership


def test_long_term_with_children_needs_ten_months_in_the_year_and_a_child(org):
    w = World(org)
    ten = household_case(w, member(w, D(1985, 1, 1)), member(w, D(2019, 5, 5), "child"))
    nine = household_case(w, member(w, D(1985, 1, 1)), member(w, D(2019, 5, 5), "child"))
    no_child = household_case(w, member(w, D(1985, 1, 1)))
    child_of_18 = household_case(w, member(w, D(1985, 1, 1)), member(w, D(2007, 1, 1), "child"))
    pay_months(w, ten, D(2025, 3, 1), DEC, 5000)  # 10 months: long-term
    pay_months(w, nine, D(2025, 4, 1), DEC, 5000)  # 9 months: not
    pay_months(w, no_child, D(2025, 1, 1), DEC, 5000)
    pay_months(w, child_of_18, D(2025, 1, 1), DEC, 5000)  # the "child" is 18: not a minor
    refresh(w)
    assert listed(org.unit_head, LONG_TERM_CHILDREN) == {ten.pk}


def test_long_term_in_the_year_before_counts_while_still_on_assistance(org):
    w = World(org)
    last_year = household_case(w, member(w, D(1985, 1, 1)), member(w, D(2019, 5, 5), "child"))
    nine_last_year = household_case(w, member(w, D(1985, 1, 1)), member(w, D(2019, 5, 5), "child"))
    pay_months(w, last_year, D(2024, 1, 1), D(2024, 10, 1), 5000)  # 10 months in 2024
    pay_months(w, nine_last_year, D(2024, 1, 1), D(2024, 9, 1), 5000)  # 9 months in 2024
    for case in (last_year, nine_last_year):
        w.pay(case, DEC, 5000, paid_on=D(2025, 12, 3))  # back in December 2025 only
    refresh(w, first=D(2024, 1, 1))
    assert listed(org.unit_head, LONG_TERM_CHILDREN) == {last_year.pk}


def test_young_adults_are_18_to_24_on_the_last_day_of_the_month(org):
    w = World(org)
    ages = {
        17: D(2008, 12, 31),  # 17 on 2025-12-31 (18 the next day)
        18: D(2007, 12, 31),  # 18 on the last day of the month
        24: D(2001, 1, 1),
        25: D(2000, 12, 31),
    }
    cases = {age: household_case(w, member(w, born)) for age, born in ages.items()}
    for case in cases.values():
        w.pay(case, DEC, 5000, paid_on=D(2025, 12, 3))
    refresh(w, first=DEC)
    assert listed(org.unit_head, YOUNG_ADULTS) == {cases[18].pk, cases[24].pk}


def test_about_to_become_long_term_is_months_7_to_9_in_a_row(org):
    w = World(org)
    spells = {n: household_case(w, member(w, D(1980, 1, 1))) for n in (6, 7, 9, 10)}
    for n, case in spells.items():
        pay_months(w, case, D(2025, 13 - n, 1), DEC, 5000)
    gap = household_case(w, member(w, D(1980, 1, 1)))  # 9 months, but not in a row
    pay_months(w, gap, D(2025, 3, 1), D(2025, 7, 1), 5000)
    pay_months(w, gap, D(2025, 9, 1), DEC, 5000)
    refresh(w)
    assert listed(org.unit_head, SOON_LONG_TERM_KEY) == {spells[7].pk, spells[9].pk}


def test_a_closed_case_is_not_work(org):
    w = World(org)
    case = household_case(w, member(w, D(1980, 1, 1)))
    pay_months(w, case, D(2025, 5, 1), DEC, 5000)  # 8 in a row
    refresh(w)
    assert listed(org.unit_head, SOON_LONG_TERM_KEY) == {case.pk}
    w.close(case, D(2025, 12, 20), "work")
    assert listed(org.unit_head, SOON_LONG_TERM_KEY) == set()


def test_no_plan_or_an_overdue_follow_up(org):
    w = World(org)
    today = timezone.localdate()
    no_plan = household_case(w, member(w, D(1980, 1, 1)))
    overdue = household_case(w, member(w, D(1980, 1, 1)))
    due_today = household_case(w, member(w, D(1980, 1, 1)))
    unconfirmed = household_case(w, member(w, D(1980, 1, 1)))
    for case in (overdue, due_today):
        make_plan(org.unit_head, case)
    make_plan(org.unit_head, unconfirmed, confirm=False)
    # The schedule's due date as the plan service keeps it: yesterday, and today.
    WorkPlan.objects.filter(case=overdue).update(due_on=today - dt.timedelta(days=1))
    WorkPlan.objects.filter(case=due_today).update(due_on=today)
    assert listed(org.unit_head, NO_PLAN) == {no_plan.pk, overdue.pk}


# ------------------------------------------------------------------------ who sees what


def test_a_section_head_sees_only_their_own_sections_rows(client, org):
    w = World(org)
    labour = household_case(w, member(w, D(1980, 1, 1)))
    intake = household_case(
        w, member(w, D(1980, 1, 1)), section=org.intake, handler=org.social_worker
    )
    for case in (labour, intake):
        pay_months(w, case, D(2025, 5, 1), DEC, 5000)
    refresh(w)
    assert listed(org.labour_head, SOON_LONG_TERM_KEY) == {labour.pk}
    assert listed(org.intake_head, SOON_LONG_TERM_KEY) == {intake.pk}
    assert listed(org.unit_head, SOON_LONG_TERM_KEY) == {labour.pk, intake.pk}
    client.force_login(org.labour_head)
    page = client.get(url("snart-langvariga")).content.decode()
    assert labour.reference in page and intake.reference not in page
    # Not even through a filter naming the other section or its handler.
    for params in ({"section": org.intake.pk}, {"handler": org.social_worker.pk}):
        page = client.get(url("snart-langvariga", **params)).content.decode()
        assert intake.reference not in page
    assert risk_group_counts(org.labour_head, DEC, timezone.localdate())[SOON_LONG_TERM_KEY] == 1


@pytest.mark.parametrize(
    "role",
    [
        "reception",
        "social_worker",
        "benefit_admin",
        "fraud",
        "finance",
        "sysadmin",
        "controller",
    ],
)
def test_other_roles_are_refused(client, org, role):
    client.force_login(getattr(org, role))
    for slug in ("langvariga-barnfamiljer", "unga-vuxna", "snart-langvariga", "utan-plan"):
        assert client.get(url(slug)).status_code == 403
    for key in ("long-term-with-children", "young-adults", "soon-long-term", NO_PLAN):
        assert client.get(f"/api/v1/statistics/risk-groups/{key}/").status_code == 403
    assert client.get("/api/v1/statistics/risk-groups/").status_code == 403


def test_an_unknown_group_is_not_found(client, org):
    client.force_login(org.unit_head)
    assert client.get(url("alla-rika")).status_code == 404


# ------------------------------------------------------------------------ the page


def test_the_page_links_the_case_names_the_applicant_and_logs_the_rows(client, org):
    w = World(org)
    case = household_case(w, member(w, D(1980, 1, 1)))
    pay_months(w, case, D(2025, 5, 1), DEC, 5000)
    refresh(w)
    client.force_login(org.unit_head)
    before = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    page = client.get(url("snart-langvariga")).content.decode()
    assert f'href="{reverse("case_detail", args=[case.pk])}"' in page
    assert "Test Testsson" in page  # the applicant, by the lists' own helper
    assert "Ingen plan" in page
    assert re.search(r"<td class=\"num\">8</td>", page)  # months in a row
    assert 'data-testid="risk-tab-soon-long-term"' in page and "(1)" in page
    entry = AccessLogEntry.objects.get(pk__gt=before, object_id="risk_group:soon-long-term")
    detail = json.loads(entry.detail)
    assert detail["case_ids"] == [case.pk] and len(detail["person_ids"]) == 1


def test_the_dashboard_links_the_lists(client, org):
    client.force_login(org.labour_head)
    page = client.get(reverse("statistics:dashboard")).content.decode()
    assert url() in page


def test_bad_filter_values_give_a_swedish_notice_and_keep_the_list(client, org):
    w = World(org)
    case = household_case(w, member(w, D(1980, 1, 1)))
    pay_months(w, case, D(2025, 5, 1), DEC, 5000)
    refresh(w)
    client.force_login(org.unit_head)
    for params in ({"handler": "nisse"}, {"section": "999999"}, {"case_type": "X"}):
        response = client.get(url("snart-langvariga", **params))
        assert response.status_code == 200
        page = response.content.decode()
        assert "används inte" in page and "finns inte bland valen" in page
        assert case.reference in page  # the other filters still apply
    page = client.get(url("utan-plan", plan="kanske")).content.decode()
    assert "används inte" in page
    page = client.get(url("snart-langvariga", page="tre")).content.decode()
    assert "är inte ett tal" in page


def test_the_plan_filter_narrows_to_missing_or_overdue(client, org):
    w = World(org)
    no_plan = household_case(w, member(w, D(1980, 1, 1)))
    overdue = household_case(w, member(w, D(1980, 1, 1)))
    make_plan(org.unit_head, overdue)
    WorkPlan.objects.filter(case=overdue).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    client.force_login(org.unit_head)
    missing_page = client.get(url("utan-plan", plan="missing")).content.decode()
    overdue_page = client.get(url("utan-plan", plan="overdue")).content.decode()
    assert no_plan.reference in missing_page and overdue.reference not in missing_page
    assert overdue.reference in overdue_page and no_plan.reference not in overdue_page
    assert "Uppföljningen är försenad" in overdue_page


@pytest.mark.parametrize("slug", ["snart-langvariga", "utan-plan"])
def test_query_count_does_not_grow_with_rows(client, org, slug):
    w = World(org)

    def add(n):
        for _ in range(n):
            case = household_case(w, member(w, D(1980, 1, 1)))
            pay_months(w, case, D(2025, 5, 1), DEC, 5000)

    client.force_login(org.unit_head)
    add(3)
    refresh(w)
    small, page = page_queries(client, url(slug))
    assert "Visar 1–3 av 3" in page
    add(27)
    refresh(w)
    large, page = page_queries(client, url(slug))
    assert "Visar 1–25 av 30" in page
    assert_flat(small, large)


# ------------------------------------------------------------------------ the API


def test_the_api_lists_the_same_rows_with_counts_and_logs_them(client, org):
    w = World(org)
    labour = household_case(w, member(w, D(2003, 5, 5)))  # 22 in December 2025
    intake = household_case(
        w, member(w, D(2003, 5, 5)), section=org.intake, handler=org.social_worker
    )
    for case in (labour, intake):
        pay_months(w, case, D(2025, 5, 1), DEC, 5000)
    refresh(w)
    client.force_login(org.labour_head)
    overview = client.get("/api/v1/statistics/risk-groups/").json()
    assert overview["reference_month"] == "2025-12"
    counts = {g["key"]: g["count"] for g in overview["groups"]}
    assert counts == {
        LONG_TERM_CHILDREN: 0,
        YOUNG_ADULTS: 1,
        SOON_LONG_TERM_KEY: 1,
        NO_PLAN: 1,
    }
    before = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    body = client.get(f"/api/v1/statistics/risk-groups/{YOUNG_ADULTS}/").json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert row["case_id"] == labour.pk and row["case_number"] == labour.reference
    assert row["applicant"] == "Test Testsson"
    assert row["months_in_row"] == 8 and row["young_adult_ages"] == [22]
    assert row["next_step"]["state"] == "missing"
    assert row["handler"]["id"] == org.other_social_worker.pk
    entry = AccessLogEntry.objects.get(pk__gt=before, object_id="risk_group:young-adults")
    assert json.loads(entry.detail)["case_ids"] == [labour.pk]
    page = client.get(url("unga-vuxna")).content.decode()  # the page shows the same row
    assert labour.reference in page and intake.reference not in page
    assert "Ålder 18–24" in page and "<td>22</td>" in page


def test_the_api_refuses_bad_filters_in_swedish(client, org):
    client.force_login(org.unit_head)
    for params in ("handler=nisse", "case_type=X", "limit=-1", "offset=tre", "section=99999"):
        response = client.get(f"/api/v1/statistics/risk-groups/{NO_PLAN}/?{params}")
        assert response.status_code == 400, params
        assert response.json()["error"]["message"]
    assert client.get("/api/v1/statistics/risk-groups/alla-rika/").status_code == 404
