"""Issue #13, work lists in a real browser: search as you type, sort, filter and page with htmx
(the address follows, the back button returns), the same without JavaScript, and the list at a
phone's width (390 px) without sideways scrolling of the page."""

import re

import pytest
from django.utils import timezone

from bistand.cases import services
from bistand.households.services import MemberInput, register_household
from tests.conftest import Org
from tests.query_budgets import person_number

from .support import CHROMIUM, CHROMIUM_ARGS, login, page, shot  # noqa: F401
from .test_controls_walk import WIDEST_ELEMENTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 390, "height": 844}


def held_cases(org: Org, count: int) -> None:
    month = timezone.localdate().replace(day=1)
    for index in range(count):
        household = register_household(
            org.reception,
            [MemberInput(person_number(), "Tolvan", f"Person{index:02d}", "applicant")],
            address="Storgatan 1",
            postal_code="22100",
            city="Lund",
        )
        application = services.register_application(
            org.reception, household, kind="new", month=month
        )
        services.take_case(org.social_worker, application.case)


def count_line(tab) -> str:
    return tab.get_by_test_id("list-count").inner_text().split("·")[0].strip()


def page_overflow(tab) -> int:
    return tab.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def assert_fits_narrow(tab, what: str) -> None:
    overflow = page_overflow(tab)
    wide = tab.evaluate(WIDEST_ELEMENTS, NARROW["width"])
    assert overflow <= 1, f"{what} scrolls sideways by {overflow}px at 390 px: {wide}"


def test_work_list_search_sort_filter_page_and_back(page, live_server):  # noqa: F811
    org = Org()
    held_cases(org, 30)
    base = live_server.url
    login(page, base, "socialworker")
    page.goto(f"{base}/")
    assert count_line(page) == "Visar 1–25 av 30"

    # Search as you type: only the results are swapped, the address follows.
    page.fill("#id_q", "Person05")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=list-count]').innerText.startsWith("
        "'Visar 1–1 av 1')"
    )
    assert "q=Person05" in page.url
    assert page.input_value("#id_q") == "Person05"  # the field kept its text (and focus)
    shot(page, "worklist-01-search")

    # Sort by the applicant, then filter: the sort stays in the address with the filter.
    page.fill("#id_q", "")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=list-count]').innerText.startsWith("
        "'Visar 1–25 av 30')"
    )
    page.click("th[aria-sort] a[data-sort=applicant]")
    page.wait_for_selector("th[aria-sort=ascending] a[data-sort=applicant]")
    page.click("th[aria-sort] a[data-sort=applicant]")
    page.wait_for_selector("th[aria-sort=descending] a[data-sort=applicant]")
    assert "sort=-applicant" in page.url
    first = page.locator("[data-testid=my-cases] tbody tr").first.inner_text()
    assert "Person29" in first
    page.select_option("#id_status", "intake")
    page.wait_for_url(re.compile(r"status=intake"))
    assert "sort=-applicant" in page.url
    assert count_line(page) == "Visar 1–25 av 30"

    # Page 2, then the back button returns to page 1.
    page.click("[data-testid=pager] a[rel=next]")
    page.wait_for_url(re.compile(r"page=2"))
    page.wait_for_function(
        "() => document.querySelector('[data-testid=list-count]').innerText.startsWith("
        "'Visar 26–30 av 30')"
    )
    assert "Person04" in page.locator("[data-testid=my-cases] tbody tr").first.inner_text()
    shot(page, "worklist-02-page-2")
    page.go_back()
    page.wait_for_url(lambda url: "page=2" not in url)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=list-count]').innerText.startsWith("
        "'Visar 1–25 av 30')"
    )
    assert "sort=-applicant" in page.url

    # At a phone's width the page does not scroll sideways; the table scrolls in its card.
    page.set_viewport_size(NARROW)
    page.goto(f"{base}/")
    assert_fits_narrow(page, "home")
    form = page.get_by_test_id("list-filter").bounding_box()
    assert form["x"] >= 0 and form["x"] + form["width"] <= NARROW["width"], form
    shot(page, "worklist-03-home-390px")
    page.goto(f"{base}/inkorg/?received_from=fel")
    assert_fits_narrow(page, "inbox")
    assert "Ange datumet som ÅÅÅÅ-MM-DD" in page.get_by_test_id("list-notice").first.inner_text()
    shot(page, "worklist-04-inbox-390px")


def test_work_list_works_without_javascript(live_server):
    from playwright.sync_api import sync_playwright

    org = Org()
    held_cases(org, 27)
    base = live_server.url
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="sv-SE", java_script_enabled=False)
        tab = context.new_page()
        tab.set_default_timeout(15000)
        login(tab, base, "socialworker")
        tab.goto(f"{base}/")
        tab.fill("#id_q", "Person1")
        tab.click("[data-testid=list-filter] button[type=submit]")
        tab.wait_for_url(re.compile(r"q=Person1"))
        assert count_line(tab) == "Visar 1–10 av 10"
        tab.goto(f"{base}/")
        tab.click("[data-testid=pager] a[rel=next]")
        tab.wait_for_url(re.compile(r"page=2"))
        assert count_line(tab) == "Visar 26–27 av 27"
        context.close()
        browser.close()


def test_payee_register_fits_a_phone(page, live_server):  # noqa: F811
    from bistand.payments import services as payment_services

    org = Org()
    payment_services.register_organisation_payee(
        org.finance,
        name="Fastighetsaktiebolaget Hyresvärden i Exempelby med ett långt namn",
        organisation_number="556036-0793",
        account_kind="bankgiro",
        number="5402-9681",
    )
    base = live_server.url
    login(page, base, "finance")
    page.set_viewport_size(NARROW)
    page.goto(f"{base}/utbetalning/mottagare/?kind=organisation")
    assert page.locator("[data-testid=payees] tbody tr").count() == 1
    assert_fits_narrow(page, "payee register")
    shot(page, "worklist-05-payees-390px")
