"""The foundation walk: reception registers, a social worker investigates, signs and writes."""

import pytest

from tests.conftest import Org

from .support import login, logout, page, shot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reception_to_signed_investigation_walk(page, live_server):  # noqa: F811
    Org()
    base = live_server.url

    login(page, base, "reception")
    page.click("[data-testid=nav-group-cases] > summary")
    page.click("nav >> text=Ny ansökan")
    page.fill("#id_m-0-identity_number", "19830919-2394")
    page.fill("#id_m-0-first_name", "Tolvan")
    page.fill("#id_m-0-last_name", "Tolvansson")
    page.select_option("#id_m-0-role", "applicant")
    page.click("#add-member")
    page.wait_for_selector("#id_m-1-identity_number")
    page.fill("#id_m-1-identity_number", "20150110-2386")
    page.fill("#id_m-1-first_name", "Lilla")
    page.fill("#id_m-1-last_name", "Tolvansson")
    page.select_option("#id_m-1-role", "child")
    page.fill("#id_address", "Storgatan 1")
    page.select_option("#id_channel", "visit")
    shot(page, "01-reception-registers-household")
    page.click("form[data-testid=register-household] button[type=submit]")
    page.wait_for_selector("text=Ansökan registrerad")
    assert page.locator("[data-testid=members] >> text=Lilla Tolvansson").count() == 1
    shot(page, "02-case-created")
    logout(page)

    login(page, base, "socialworker")
    page.click("[data-testid=nav-group-cases] > summary")
    page.click("nav >> text=Inkorg")
    page.click("[data-testid=inbox] tbody a")
    page.click("[data-testid=take-case]")
    page.wait_for_selector("text=Du är nu ansvarig handläggare")
    page.click("[data-testid=open-investigation]")
    page.fill("#id_situation", "Ensamstående förälder med ett barn. Arbetslös sedan i våras.")
    page.fill("#id_household_economy", "Inga inkomster utöver barnbidrag. Hyra 7 900 kr.")
    page.select_option("select[id^=id_obstacle_]", "unemployed_no_benefit")
    page.click("[data-testid=sign-investigation]")
    problems = page.locator("[data-testid=sign-problems]")
    problems.wait_for()
    assert "Barnperspektivet måste bedömas" in problems.inner_text()
    shot(page, "03-sign-refused-without-child-perspective")
    page.fill(
        "#id_child_perspective",
        "Barnet går i skolan och har en stabil vardag; ekonomin påverkar fritiden.",
    )
    page.click("[data-testid=sign-investigation]")
    page.wait_for_selector("text=Utredningen är signerad")

    page.select_option("#id_journal-kind", "phone")
    page.fill("#id_journal-text", "Ringde sökande och bokade uppföljning om två veckor.")
    page.click("[data-testid=save-journal]")
    timeline = page.locator("[data-testid=timeline]")
    timeline.locator("text=Ringde sökande").wait_for()
    text = timeline.inner_text()
    assert "Grundutredning version 1" in text
    assert "Nyansökan" in text
    assert "Ringde sökande och bokade uppföljning" in text
    shot(page, "04-timeline-with-investigation-and-journal")
