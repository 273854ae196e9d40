"""Browser walk (Playwright + Debian chromium): a social worker calculates, decides with a
partial grant, and opens the decision letter, which carries the appeal instructions."""

import datetime as dt
import io
import os
from pathlib import Path

import pytest

from bistand.cases import services as case_services
from tests.browser.support import watch_csp
from tests.conftest import Org

from .conftest import FIXED_TODAY, make_household, sign_investigation

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS = Path(__file__).resolve().parents[2] / "test-results" / "decisions"


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), "Debian's chromium is required: apt-get install chromium"
    RESULTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            locale="sv-SE", viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        violations = watch_csp(page, [])
        yield page
        context.close()
        browser.close()
        assert not violations, "\n".join(violations)


def shot(page, name: str) -> None:
    page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)


def test_social_worker_calculates_decides_and_opens_the_letter(page, live_server):
    from playwright.sync_api import expect

    org = Org()
    month = dt.date(FIXED_TODAY.year, FIXED_TODAY.month, 1)
    household = make_household(org.reception, on=month)
    application = case_services.register_application(
        org.reception,
        household,
        kind="new",
        month=month,
        stated_costs=[{"type": "rent", "amount": "6500.00"}],
    )
    case = application.case
    case_services.take_case(org.social_worker, case)
    sign_investigation(org.social_worker, case, children=False)
    base = live_server.url

    page.goto(f"{base}/login/")
    page.fill("#id_username", "socialworker")
    page.fill("#id_password", "demo-lösenord-1")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")

    page.goto(f"{base}/arende/{case.pk}/")
    page.click("[data-testid=new-calculation]")
    page.wait_for_selector("[data-testid=calculation-form]")
    breakdown = page.inner_text("[data-testid=breakdown]")
    assert "Riksnorm 2026" in breakdown and "inte prövad" in breakdown  # no local ceiling
    page.click("[data-testid=add-cost]")
    expect(page.locator("#cost-rows tr")).to_have_count(2)
    new_row = page.locator("#cost-rows tr").nth(1)
    new_row.locator("select").select_option("glasses")
    new_row.locator("input[name$=-amount]").fill("1 200")
    new_row.locator("input[name$=-description]").fill("Nya glasögon efter synundersökning")
    page.click("[data-testid=recalculate]")
    page.locator("[data-testid=breakdown] >> text=Glasögon: Nya glasögon").wait_for()
    assert "12\u00a0920,00\u00a0kr" in page.inner_text("[data-testid=breakdown]")
    shot(page, "01-calculation-with-glasses")
    page.click("[data-testid=save-calculation]")
    page.wait_for_selector("text=Beräkningen är sparad")

    page.click("[data-testid=decide]")
    page.wait_for_selector("[data-testid=decision-form]")
    page.select_option("#id_line-1-outcome", "partly_granted")
    page.fill("#id_line-1-amount", "800")
    page.fill("#id_line-1-reasons", "Glasögon beviljas med högst 800 kr enligt riktlinjerna.")
    page.select_option("#id_line-1-ground", "above_guideline")
    shot(page, "02-decision-form")
    page.click("[data-testid=make-decision]")
    page.wait_for_selector("[data-testid=decision-confirmation]")
    assert "Delvis bifall" in page.inner_text("[data-testid=confirm-lines]")
    page.click("[data-testid=confirm-decision]")
    page.wait_for_selector("text=är fattat")
    assert "Delvis bifall" in page.inner_text("h1")
    assert "12 kap. 1 §" in page.inner_text("[data-testid=decision-lines]")
    shot(page, "03-decision-made")

    with page.expect_download() as download_info:
        page.click("text=Ladda ner")
    download = download_info.value
    target = RESULTS / "04-decision-letter.pdf"
    download.save_as(str(target))
    from pypdf import PdfReader

    text = " ".join(
        " ".join(
            p.extract_text() or "" for p in PdfReader(io.BytesIO(target.read_bytes())).pages
        ).split()
    )
    assert "Beslut om ekonomiskt bistånd" in text
    assert "Du får delvis bistånd till glasögon" in text
    assert "Hur du överklagar" in text and "tre veckor" in text

    letter_url = page.get_attribute("[data-testid=open-letter]", "href")
    response = page.request.get(f"{base}{letter_url}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"

    page.click("[data-testid=mark-sent]")
    page.wait_for_selector("text=Utskicket är registrerat")
    shot(page, "05-letter-sent")

    page.goto(f"{base}/arende/{case.pk}/#beslut")
    panel = page.locator("[data-testid=decisions-panel]")
    assert "Delvis bifall" in panel.inner_text()
    shot(page, "06-case-panel")
