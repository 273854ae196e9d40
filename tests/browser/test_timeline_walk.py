"""Issue #13 in a real browser: a journal note saved with htmx is confirmed at the top of the
case page and shows first in the timeline (newest first); the order toggle is a link kept in
the address; without JavaScript the same form saves and confirms after a reload."""

import datetime as dt

import pytest
from django.utils import timezone

from bistand.cases import services
from tests.conftest import Org, make_household

from .support import login, page, shot, watch_csp  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_case(org: Org):
    household = make_household(org.reception)
    application = services.register_application(
        org.reception, household, kind="new", month=timezone.localdate().replace(day=1)
    )
    services.take_case(org.social_worker, application.case)
    services.add_journal_entry(
        org.social_worker,
        application.case,
        text="Äldre anteckning",
        occurred_on=timezone.localdate() - dt.timedelta(days=5),
    )
    return application.case


def write_note(tab, text: str) -> None:
    tab.fill("#id_journal-text", text)
    tab.click("[data-testid=save-journal]")


def test_saved_note_is_confirmed_at_the_top_and_shows_first(page, live_server):  # noqa: F811
    from playwright.sync_api import expect

    org = Org()
    case = open_case(org)
    base = live_server.url
    login(page, base, "socialworker")
    page.goto(f"{base}/arende/{case.pk}/")
    write_note(page, "Ny anteckning via htmx")
    messages = page.get_by_test_id("messages")
    expect(messages).to_contain_text("Journalanteckningen är sparad och signerad.")
    assert messages.is_visible() and messages.bounding_box()["y"] < 300
    first = page.locator("#timeline > li pre").first
    expect(first).to_have_text("Ny anteckning via htmx")
    assert page.input_value("#id_journal-text") == ""  # the form emptied itself
    shot(page, "timeline-01-saved-newest-first")

    page.click("[data-testid=timeline-order] >> text=Äldst först")
    page.wait_for_url("**?ordning=aldst#tidslinje")
    expect(page.locator("#timeline > li pre").first).to_have_text("Äldre anteckning")
    expect(page.locator("#timeline > li pre").last).to_have_text("Ny anteckning via htmx")
    # Saving keeps the order.
    write_note(page, "Andra anteckningen")
    expect(page.locator("#timeline > li pre").last).to_have_text("Andra anteckningen")
    shot(page, "timeline-02-oldest-first")


def test_without_javascript_the_note_saves_and_is_confirmed(page, live_server):  # noqa: F811
    org = Org()
    case = open_case(org)
    base = live_server.url
    context = page.context.browser.new_context(locale="sv-SE", java_script_enabled=False)
    tab = context.new_page()
    violations = watch_csp(tab, [])
    try:
        login(tab, base, "socialworker")
        tab.goto(f"{base}/arende/{case.pk}/?ordning=aldst")
        write_note(tab, "Utan skript")
        tab.wait_for_url(f"{base}/arende/{case.pk}/?ordning=aldst")
        assert (
            "Journalanteckningen är sparad och signerad."
            in tab.get_by_test_id("messages").inner_text()
        )
        assert tab.locator("#timeline > li pre").last.inner_text() == "Utan skript"
        tab.click("[data-testid=timeline-order] >> text=Nyast först")
        tab.wait_for_url("**?ordning=nyast#tidslinje")
        assert tab.locator("#timeline > li pre").first.inner_text() == "Utan skript"
    finally:
        context.close()
    assert not violations, violations
