"""Issue #13, printing in a real browser (print media emulated): the case page with its
journal timeline, the investigation and the plan print without menu, buttons or action forms;
their content stays."""

import pytest

from bistand.cases import services as case_services
from tests.conftest import Org
from tests.payments.conftest import World

from .support import login, page, shot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def visible_count(tab, selector: str) -> int:
    return tab.evaluate(
        "(selector) => [...document.querySelectorAll(selector)]"
        ".filter((el) => el.getClientRects().length > 0).length",
        selector,
    )


def assert_printed_without_controls(tab, what: str) -> None:
    assert visible_count(tab, "nav.main-nav") == 0, f"{what}: the menu prints"
    assert visible_count(tab, "main button") == 0, f"{what}: buttons print"
    assert visible_count(tab, "a.skip-link, form.lang, .who") == 0, what
    assert visible_count(tab, "header.top .brand") == 1, f"{what}: the municipality is missing"
    assert visible_count(tab, "footer.foot") == 1, f"{what}: the secrecy notice is missing"


def test_case_journal_investigation_and_plan_print_without_menu_or_buttons(page, live_server):  # noqa: F811
    org = Org()
    world = World(org)
    case = world.case
    handler = org.other_social_worker
    case_services.add_journal_entry(
        handler, case, text="Telefonsamtal med klienten.", kind="phone", sign=True
    )
    base = live_server.url
    login(page, base, "socialworker2")

    page.goto(f"{base}/arende/{case.pk}/")
    assert visible_count(page, "nav.main-nav") == 1  # on screen the menu is there
    page.emulate_media(media="print")
    assert_printed_without_controls(page, "case page")
    assert visible_count(page, "main form") == 0, "the case page's action forms print"
    assert visible_count(page, "[data-testid=timeline] li") >= 1, "the journal is missing"
    assert visible_count(page, "#journal-form, [data-correct-field]") == 0, "write controls print"
    shot(page, "print-01-case")

    page.emulate_media(media="screen")
    page.goto(f"{base}/arende/{case.pk}/utredning/")
    page.emulate_media(media="print")
    assert_printed_without_controls(page, "investigation")
    assert visible_count(page, "[data-testid=investigation-form] textarea") >= 1
    shot(page, "print-02-investigation")

    page.emulate_media(media="screen")
    page.goto(f"{base}/planer/arende/{case.pk}/")
    page.emulate_media(media="print")
    assert_printed_without_controls(page, "plan")
    assert visible_count(page, "main form") == 0
    assert visible_count(page, "main h1") == 1
    shot(page, "print-03-plan")
