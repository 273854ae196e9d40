"""The monthly statistics at a phone's width (issue 17): a section head's protected view and the
unit head's population table read at 390 px without the page scrolling sideways."""

import pytest

from tests.conftest import org  # noqa: F401 - the lund fixture needs it
from tests.statistics.conftest import lund  # noqa: F401

from .support import login, page, shot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 390, "height": 844}


# The outermost elements reaching past the viewport's right edge (for the failure message).
WIDEST = """(width) => {
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && !(el.parentElement && el.parentElement.getBoundingClientRect().right > width + 1))
      out.push(`${el.tagName.toLowerCase()}.${el.className}#${el.id} right=${Math.round(r.right)}`);
  }
  return out.slice(0, 8);
}"""


def _sideways(tab) -> int:
    overflow = tab.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return overflow, tab.evaluate(WIDEST, NARROW["width"])


def test_statistics_read_at_390_px(page, live_server, lund):  # noqa: F811
    base = live_server.url
    page.set_viewport_size(NARROW)
    login(page, base, "intakehead")
    page.goto(f"{base}/statistik/?month=2025-06")
    note = page.get_by_test_id("suppression-note")
    assert note.is_visible() and ".." in note.inner_text()
    overflow, wide = _sideways(page)
    assert overflow <= 1, wide
    shot(page, "statistics-01-section-head-390px")
    page.click("text=Logga ut")
    login(page, base, "unithead")
    page.goto(f"{base}/statistik/?month=2025-06")
    assert page.get_by_test_id("suppression-note").count() == 0
    page.get_by_text("Andel av befolkningen").first.scroll_into_view_if_needed()
    overflow, wide = _sideways(page)
    assert overflow <= 1, wide
    shot(page, "statistics-02-unit-head-390px")
