"""Issue #13, every role's main pages in a real browser: each link of the role's menu is opened
once and looked at 1,366 px and at a phone's 390 px; none answers with a server error and none
scrolls sideways (document.documentElement.scrollWidth <= clientWidth, a pixel of rounding
allowed). The layout is checked by resizing the loaded page, so each page is loaded only once."""

import pytest

from tests.conftest import Org, make_household
from tests.workplans.conftest import make_case, make_plan

from .support import login, logout, page  # noqa: F401
from .test_controls_walk import WIDEST_ELEMENTS
from .test_navigation_walk import NARROW, USERNAMES, WIDE, overflow

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MENU_LINKS = """() => [...new Set([...document.querySelectorAll("nav.main-nav a[href]")]
  .map((a) => a.getAttribute("href")).filter((href) => href.startsWith("/")))]"""


def test_every_roles_menu_pages_fit_wide_and_narrow_without_server_errors(page, live_server):  # noqa: F811
    org = Org()
    case = make_case(org, lambda *a, **k: make_household(*a, **k), case_type="A")
    make_plan(org.social_worker, case)
    base = live_server.url
    failures, visited = [], 0
    for username in USERNAMES:
        page.set_viewport_size(WIDE)
        login(page, base, username)
        page.goto(f"{base}/")
        links = page.evaluate(MENU_LINKS)
        assert links, f"{username}: no menu links"
        for href in ["/", *links]:
            response = page.goto(f"{base}{href}")
            visited += 1
            if response is None or response.status >= 500:
                failures.append(f"{username} {href}: {response and response.status}")
                continue
            for size in (WIDE, NARROW):
                page.set_viewport_size(size)
                extra = overflow(page)
                if extra > 1:
                    widest = page.evaluate(WIDEST_ELEMENTS, size["width"])
                    failures.append(f"{username} {href} at {size['width']}px: {extra}px {widest}")
            page.set_viewport_size(WIDE)
        logout(page)
    assert visited > len(USERNAMES) * 2
    assert not failures, "\n".join(failures)
