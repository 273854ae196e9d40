"""Issue #13, the main menu in a real browser for every role: grouped by task on ONE line at
1,366 px, and at a phone's width (390 px) a "Meny" disclosure that opens the groups without
sideways scrolling, also with JavaScript turned off."""

import pytest

from tests.conftest import Org

from .support import CHROMIUM, CHROMIUM_ARGS, login, logout, page, shot, watch_csp  # noqa: F401
from .test_controls_walk import WIDEST_ELEMENTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1366, "height": 768}
NARROW = {"width": 390, "height": 844}
USERNAMES = [
    "reception",
    "socialworker",
    "benefitadmin",
    "intakehead",
    "unithead",
    "fut",
    "finance",
    "sysadmin",
    "controller",
]

# The header's parts (brand, menu, user, language) and the menu's group buttons: their boxes.
HEADER_BOXES = """() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, height: r.height}; };
  const header = document.querySelector("header.top");
  const parts = [...header.children].filter((el) => el.getBoundingClientRect().height > 0);
  return {
    nav: box(document.querySelector("nav.main-nav")),
    summaries: [...document.querySelectorAll(".nav-group > summary")].map(box),
    parts: parts.map((el) => ({name: el.tagName + "." + el.className, ...box(el)})),
  };
}"""


def overflow(tab) -> int:
    return tab.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def assert_one_line(tab, who: str) -> None:
    boxes = tab.evaluate(HEADER_BOXES)
    summaries = boxes["summaries"]
    assert summaries, f"{who}: no menu groups"
    line = max(summary["height"] for summary in summaries)
    assert boxes["nav"]["height"] <= line + 2, f"{who}: the menu wraps: {boxes['nav']}"
    assert len({round(summary["top"]) for summary in summaries}) == 1, f"{who}: {summaries}"
    # Brand, menu, user and language share one line: every part overlaps every other vertically.
    lowest_top = max(part["top"] for part in boxes["parts"])
    highest_bottom = min(part["bottom"] for part in boxes["parts"])
    assert lowest_top < highest_bottom, f"{who}: the header wraps: {boxes['parts']}"


def assert_no_sideways_scroll(tab, what: str) -> None:
    extra = overflow(tab)
    assert extra <= 1, f"{what} scrolls sideways by {extra}px: {tab.evaluate(WIDEST_ELEMENTS, 390)}"


def test_every_roles_menu_fits_one_line_wide_and_opens_on_a_phone(page, live_server):  # noqa: F811
    Org()
    base = live_server.url
    for username in USERNAMES:
        page.set_viewport_size(WIDE)
        login(page, base, username)
        page.goto(f"{base}/")
        assert_one_line(page, username)
        # A group opens as a dropdown and its first link is visible and current on its page.
        group = page.locator(".nav-group").first
        group.locator("summary").click()
        first = group.locator("a").first
        assert first.is_visible()
        href = first.get_attribute("href")
        first.click()
        page.wait_for_url(f"{base}{href}")
        assert page.locator(f'nav.main-nav a[href="{href}"]').get_attribute("aria-current") in {
            "page",
            "true",
        }
        assert_one_line(page, f"{username} on {href}")
        if username in {"unithead", "intakehead", "finance"}:
            shot(page, f"nav-01-wide-{username}")

        page.set_viewport_size(NARROW)
        page.goto(f"{base}/")
        assert not page.locator(".nav-group").first.is_visible()
        assert_no_sideways_scroll(page, f"{username}'s start page")
        page.click(".nav-toggle > summary")
        for index in range(page.locator(".nav-group").count()):
            page.locator(".nav-group > summary").nth(index).click()
        assert page.locator(".nav-group a").last.is_visible()
        assert_no_sideways_scroll(page, f"{username}'s open menu")
        if username in {"unithead", "socialworker"}:
            shot(page, f"nav-02-narrow-{username}")
        page.set_viewport_size(WIDE)
        logout(page)


def test_the_phone_menu_works_without_javascript(page, live_server):  # noqa: F811
    Org()
    base = live_server.url
    context = page.context.browser.new_context(
        locale="sv-SE", viewport=NARROW, java_script_enabled=False
    )
    tab = context.new_page()
    violations = watch_csp(tab, [])
    try:
        login(tab, base, "socialworker")
        tab.goto(f"{base}/")
        assert not tab.locator(".nav-groups").is_visible()
        tab.click(".nav-toggle > summary")
        tab.click("[data-testid=nav-group-cases] > summary")
        tab.click("[data-testid=nav-group-cases] >> text=Inkorg")
        tab.wait_for_url("**/inkorg/")
        assert tab.locator('nav.main-nav a[aria-current="page"]').inner_text() == "Inkorg"
        assert_no_sideways_scroll(tab, "the inbox")
    finally:
        context.close()
    assert not violations, violations


def test_the_keyboard_reaches_a_skip_link_and_sees_where_focus_is(page, live_server):  # noqa: F811
    Org()
    base = live_server.url
    page.set_viewport_size(WIDE)
    login(page, base, "socialworker")
    page.goto(f"{base}/inkorg/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert skip.evaluate("(el) => el === document.activeElement")
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, f"the focused skip link is off screen: {box}"
    assert skip.evaluate("(el) => getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.tagName") == "MAIN"
    # The next Tab lands in the content, not back in the menu.
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('main')")
    # A menu group reached by keyboard shows a focus ring and opens with Enter.
    page.focus("[data-testid=nav-group-cases] > summary")
    page.keyboard.press("Enter")
    assert page.locator("[data-testid=nav-group-cases] a").first.is_visible()
    shot(page, "nav-03-keyboard")
