"""The applicant's e-service on a phone (390 px): test e-ID log-in, Mina sidor, the case with
its decision letter, a message to the handler, the handler's answer from the case page; under the strict CSP (the `page` fixture fails
on any violation) and without sideways scrolling."""

import pytest

from tests.conftest import Org
from tests.factories import ADULT_NUMBERS
from tests.payments.conftest import World

from .support import login, logout, page, shot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _fits(page) -> None:  # noqa: F811
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def test_applicant_walk_on_a_phone(page, live_server, settings):  # noqa: F811
    from bistand.cases.models import JournalEntry, JournalKind

    settings.DEBUG = True
    settings.BISTAND_PORTAL_TEST_EID = True
    world = World(Org())
    base = live_server.url
    page.set_viewport_size(PHONE)

    page.goto(f"{base}/e-tjanst/")
    page.wait_for_selector("[data-testid=test-eid-link]")
    assert "Test-e-legitimation – bara för demo och test" in page.content()
    _fits(page)
    shot(page, "portal-01-login")
    page.click("[data-testid=test-eid-link]")
    page.fill("#id_identity_number", ADULT_NUMBERS[0])
    page.click("[data-testid=test-eid-submit]")
    page.wait_for_selector("[data-testid=portal-case]")
    assert "Beslut är fattat" in page.content()
    _fits(page)
    shot(page, "portal-02-mina-sidor")

    page.click(f"text=Ärende {world.case.reference}")
    page.wait_for_selector("[data-testid=letter-link]")
    _fits(page)
    shot(page, "portal-03-case")
    letter = page.request.get(base + page.get_attribute("[data-testid=letter-link]", "href"))
    assert letter.status == 200
    assert letter.headers["content-type"] == "application/pdf"
    assert letter.body().startswith(b"%PDF")

    page.click("[data-testid=messages-link]")
    page.fill("textarea", "Jag har fått en ny hyresavi, ska jag skicka den?")
    page.click("[data-testid=send-message]")
    page.wait_for_selector("[data-testid=message-sent]")
    assert "ny hyresavi" in page.content()
    _fits(page)
    shot(page, "portal-04-messages")
    assert JournalEntry.objects.filter(case=world.case, kind=JournalKind.RECEIVED_MESSAGE).exists()

    page.click("[data-testid=portal-logout]")
    page.wait_for_selector("[data-testid=test-eid-link]")

    # The handler reads it in the case timeline and answers from the case page.
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, base, "socialworker2")
    page.goto(f"{base}/arende/{world.case.pk}/")
    page.click("[data-testid=answer-message]")
    assert page.input_value("#id_journal-kind") == "sent_message"
    page.fill("#id_journal-text", "Ja, ladda gärna upp den eller skicka den med post.")
    page.click("[data-testid=save-journal]")
    page.wait_for_selector("text=Ja, ladda gärna upp den")
    assert JournalEntry.objects.filter(
        case=world.case, kind=JournalKind.SENT_MESSAGE, signed_at__isnull=False
    ).exists()
    shot(page, "portal-05-staff-answer")
    logout(page)

    # The applicant sees the answer.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/e-tjanst/login/test-e-legitimation/")
    page.fill("#id_identity_number", ADULT_NUMBERS[0])
    page.click("[data-testid=test-eid-submit]")
    page.wait_for_selector("[data-testid=portal-case]")
    page.goto(f"{base}/e-tjanst/arenden/{world.case.pk}/meddelanden/")
    page.wait_for_selector("text=Från din handläggare")
    assert "ladda gärna upp den" in page.content()
    _fits(page)
    shot(page, "portal-06-answer-seen")
