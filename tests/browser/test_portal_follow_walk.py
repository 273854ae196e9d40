"""Following the case on a phone (390 px), issue #14: the decision with its calculation in plain
Swedish, an appeal sent online, the work plan signed with the test e-ID, contact choices; under
the strict CSP (the `page` fixture fails on any violation), without sideways scrolling, and with
no serious or critical axe-core WCAG 2.1 A/AA violation on any of these pages."""

import pytest
from django.utils import timezone

from tests.conftest import Org
from tests.factories import ADULT_NUMBERS
from tests.payments.conftest import World
from tests.workplans.conftest import plan_content

from .support import page, shot  # noqa: F401
from .test_axe import axe_violations, readable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _fits(page) -> None:  # noqa: F811
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"
    found = axe_violations(page)
    assert not found, "axe-core, serious or critical:\n" + readable({page.url: found})


def test_decision_appeal_and_plan_signature_on_a_phone(page, live_server, settings):  # noqa: F811
    from bistand.decisions.models import Appeal
    from bistand.workplans import services as plan_services
    from bistand.workplans.models import PlanSignature

    settings.DEBUG = True
    settings.BISTAND_PORTAL_TEST_EID = True
    org = Org()
    world = World(org)
    plan_services.save_plan_draft(
        org.other_social_worker,
        world.case,
        content=plan_content(),
        valid_from=timezone.localdate(),
        valid_to=None,
    )
    base = live_server.url
    page.set_viewport_size(PHONE)

    page.goto(f"{base}/e-tjanst/login/test-e-legitimation/")
    page.fill("#id_identity_number", ADULT_NUMBERS[0])
    page.click("[data-testid=test-eid-submit]")
    page.wait_for_selector("[data-testid=portal-case]")
    page.click(f"text=Ärende {world.case.reference}")

    page.click("[data-testid=decision-link]")
    page.wait_for_selector("[data-testid=calculation]")
    text = page.inner_text("[data-testid=calculation]")
    assert "Det ert hushåll behöver till vardagen (riksnormen)" in text
    assert "Summa behov" in text
    assert "tre veckor" in page.inner_text("[data-testid=appeal-deadline]")
    _fits(page)
    shot(page, "portal-follow-01-decision")

    page.click("[data-testid=send-appeal]")  # empty: refused at the field
    page.wait_for_selector("[data-testid=error-summary]")
    _fits(page)
    page.fill("textarea", "Jag behöver glasögonen för att kunna arbeta.")
    page.click("[data-testid=send-appeal]")
    page.wait_for_selector("[data-testid=appeal-sent]")
    assert "Inkommet" in page.inner_text("[data-testid=my-appeals]")
    _fits(page)
    shot(page, "portal-follow-02-appeal-sent")
    appeal = Appeal.objects.get(decision=world.decision)
    assert appeal.from_person is not None and appeal.received_on == timezone.localdate()

    page.goto(f"{base}/e-tjanst/arenden/{world.case.pk}/")
    page.click("[data-testid=plan-link]")
    page.wait_for_selector("[data-testid=plan-version]")
    assert "Få ett arbete som undersköterska" in page.content()
    _fits(page)
    page.check("input[name=confirm]")
    page.click("[data-testid=sign-plan]")
    page.wait_for_selector("[data-testid=plan-signed]")
    page.wait_for_selector("[data-testid=signed-by-me]")
    _fits(page)
    shot(page, "portal-follow-03-plan-signed")
    assert PlanSignature.objects.get().method == "test-eid"

    page.goto(f"{base}/e-tjanst/kontaktuppgifter/")
    page.fill("#id_email", "tolvan@example.se")
    page.check("#id_by_email")
    page.click("[data-testid=save-contact]")
    page.wait_for_selector("[data-testid=contact-saved]")
    _fits(page)
    shot(page, "portal-follow-04-contact")
