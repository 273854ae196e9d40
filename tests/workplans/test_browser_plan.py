"""Browser walk (Playwright + Debian chromium): a worker makes a plan with the client, records
the client's consent and a follow-up; the section head sees the overview update.
Screenshots go to test-results/."""

import os
from pathlib import Path

import pytest

from tests.browser.support import pass_second_factor, watch_csp

from .conftest import make_case

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (building data) are safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
PASSWORD = "demo-lösenord-1"
CSP_VIOLATIONS: list[str] = []

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]


@pytest.fixture
def browser():
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        CSP_VIOLATIONS.clear()
        yield browser
        browser.close()
        assert not CSP_VIOLATIONS, "\n".join(CSP_VIOLATIONS)


def login(browser, base_url: str, username: str):
    page = browser.new_context(locale="sv-SE").new_page()
    watch_csp(page, CSP_VIOLATIONS)
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    pass_second_factor(page, username)
    page.wait_for_url(f"{base_url}/")
    return page


def shot(page, name: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / f"workplans-{name}.png"), full_page=True)


def row_state(page, case) -> str:
    return page.locator(f'tr[data-case="{case.pk}"] [data-testid=plan-state]').inner_text()


def test_worker_makes_plan_and_section_head_sees_overview_update(
    live_server, transactional_db, browser, org, household_factory
):
    expect = playwright_sync.expect
    case = make_case(org, household_factory, case_type="A")
    base = live_server.url

    head = login(browser, base, org.intake_head.username)
    head.click("[data-testid=nav-group-cases] > summary")  # the menu's Ärenden group
    head.click("[data-testid=nav-group-cases] a[href='/planer/']")
    head.wait_for_url(f"{base}/planer/")
    assert row_state(head, case) == "Saknas"
    shot(head, "01-overview-missing")

    worker = login(browser, base, org.social_worker.username)
    worker.goto(f"{base}/arende/{case.pk}/")
    expect(worker.get_by_test_id("plan-panel")).to_contain_text("Saknas")
    worker.get_by_test_id("new-plan").click()
    worker.fill("#id_goal-0-text", "Få ett arbete inom lager och logistik")
    worker.fill("#id_goal-1-text", "Ta truckkort")
    worker.fill("#id_activity-0-text", "Söka fem jobb i veckan")
    worker.fill("#id_activity-1-text", "Truckutbildning")
    worker.select_option("#id_activity-1-party", "partner")
    worker.fill("#id_activity-1-partner", "Jobbtorg")
    shot(worker, "02-plan-form")
    worker.get_by_test_id("save-plan").click()
    expect(worker.get_by_test_id("plan-state").first).to_have_text("Ej bekräftad")
    expect(worker.get_by_test_id("draft")).to_contain_text("Ta truckkort")

    head.reload()
    assert row_state(head, case) == "Ej bekräftad"

    worker.select_option("#consent_method", "in_person")
    worker.get_by_test_id("confirm-plan").click()
    expect(worker.get_by_test_id("plan-state").first).to_have_text("Följs enligt plan")
    expect(worker.get_by_test_id("current-plan")).to_contain_text("godkänd av klienten")
    shot(worker, "03-plan-confirmed")

    form = worker.get_by_test_id("follow-up-form")
    form.locator("#fu_outcome").fill("Har sökt tolv jobb och fått en intervju på ett lager.")
    next_on = form.locator("#fu_next_on").input_value()
    assert next_on  # proposed from the plan
    worker.get_by_test_id("save-follow-up").click()
    expect(worker.get_by_test_id("follow-ups")).to_contain_text("fått en intervju på ett lager")
    shot(worker, "04-follow-up-recorded")
    worker.goto(f"{base}/arende/{case.pk}/")
    expect(worker.get_by_test_id("plan-panel")).to_contain_text("Följs enligt plan")
    expect(worker.get_by_test_id("timeline")).to_contain_text("fått en intervju på ett lager")
    shot(worker, "05-case-page")

    head.reload()
    assert row_state(head, case) == "Följs enligt plan"
    expect(head.locator(f'tr[data-case="{case.pk}"]')).to_contain_text(next_on)
    expect(head.get_by_test_id("worker-plans")).to_contain_text(org.social_worker.get_full_name())
    shot(head, "06-overview-on-track")
