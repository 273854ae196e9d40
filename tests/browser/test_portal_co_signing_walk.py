"""Two adults apply together (issue #14), at desktop and phone width: the applicant fills in a
repeat application with an attachment and signs; it waits for the co-applicant, who logs in
with their own e-ID, reviews the figures and the attachment and signs; only then does the
handler see it in the inbox, with both signatures. Under the strict CSP (the `page` fixture
fails on any violation) and without sideways scrolling on the phone."""

import pytest
from django.utils import timezone

from tests.conftest import Org, make_household
from tests.files import pdf_bytes

from .support import login, logout, page, shot  # noqa: F401
from .test_axe import axe_violations, readable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
APPLICANT = "198309192394"
CO_APPLICANT = "199811022384"


def _portal_login(page, base: str, number: str) -> None:  # noqa: F811
    page.goto(f"{base}/e-tjanst/login/test-e-legitimation/")
    page.fill("#id_identity_number", number)
    page.click("[data-testid=test-eid-submit]")
    page.wait_for_selector("[data-testid=portal-case]")


def _fits(page, viewport) -> None:  # noqa: F811
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{page.url} is {width} px wide"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_two_adults_apply_together_and_both_sign(page, live_server, settings, tmp_path, viewport):  # noqa: F811
    from bistand.cases import services as case_services
    from bistand.cases.models import Application
    from bistand.core.dates import add_months, month_start
    from bistand.portal.models import EApplicationSignature

    settings.DEBUG = True
    settings.BISTAND_PORTAL_TEST_EID = True
    org = Org()
    household = make_household(org.reception, co_applicant=CO_APPLICANT)
    this_month = month_start(timezone.localdate())
    case = case_services.register_application(
        org.reception,
        household,
        kind="new",
        month=this_month,
        stated_costs=[{"type": "rent", "amount": "6500.00"}],
    ).case
    next_month = add_months(this_month, 1).strftime("%Y-%m")
    statement = tmp_path / "kontoutdrag.pdf"
    statement.write_bytes(pdf_bytes())
    name = "phone" if viewport is PHONE else "desktop"
    found = {}

    def axe(label: str) -> None:
        if violations := axe_violations(page):
            found[label] = violations

    base = live_server.url
    page.set_viewport_size(viewport)

    # The applicant fills in and signs; the application waits for the co-applicant.
    _portal_login(page, base, APPLICANT)
    page.click("[data-testid=apply-link]")
    page.click("[data-testid=apply-repeat]")
    page.wait_for_selector("[data-testid=co-signer-note]")
    page.select_option("#id_month", next_month)
    page.select_option("#id_income_type_0", "wages")
    page.fill("#id_income_amount_0", "4200")
    page.select_option("#id_attachment_kind", "bank_statement")
    page.set_input_files("#id_attachment", str(statement))
    page.check("#id_assured")
    page.click("[data-testid=submit-application]")
    page.wait_for_selector("[data-testid=apply-awaiting-co]")
    assert "Elva Elvasson har inte skrivit under ännu" in page.content()
    _fits(page, viewport)
    shot(page, f"portal-cosign-{name}-01-waiting")
    axe("väntar på medsökande")
    assert not Application.objects.filter(channel="e_service").exists()
    page.goto(f"{base}/e-tjanst/")
    page.wait_for_selector("[data-testid=waiting-for-other]")
    page.click("[data-testid=portal-logout]")

    # The co-applicant, with their own e-ID, sees it on Mina sidor, reviews and signs.
    _portal_login(page, base, CO_APPLICANT)
    page.wait_for_selector("[data-testid=to-sign]")
    _fits(page, viewport)
    shot(page, f"portal-cosign-{name}-02-home")
    page.click("[data-testid=to-sign-link]")
    page.wait_for_selector("[data-testid=cosign-review]")
    incomes = page.locator("[data-testid=cosign-incomes]").text_content()
    assert "4\u00a0200,00\u00a0kr" in incomes and "kontoutdrag.pdf" in page.content()
    _fits(page, viewport)
    shot(page, f"portal-cosign-{name}-03-review")
    axe("granska och skriv under")
    # Signing without ticking the box is refused at the box.
    page.click("[data-testid=cosign-submit]")
    page.wait_for_selector("[data-testid=cosign-error]")
    axe("skriv under med fel")
    page.check("#cosign-confirm")
    page.click("[data-testid=cosign-submit]")
    page.wait_for_selector("[data-testid=cosign-done]")
    _fits(page, viewport)
    shot(page, f"portal-cosign-{name}-04-signed")
    axe("underskriven")
    application = Application.objects.get(channel="e_service")
    assert application.stated_incomes == [{"type": "wages", "amount": "4200.00"}]
    assert EApplicationSignature.objects.filter(outcome="signed").count() == 2
    page.click("[data-testid=portal-logout]")

    # The handler sees it in the inbox and both signatures on the case page.
    page.set_viewport_size(DESKTOP)
    login(page, base, "socialworker")
    page.goto(f"{base}/inkorg/")
    page.wait_for_selector("[data-testid=via-e-service]")
    page.goto(f"{base}/arende/{case.pk}/")
    page.wait_for_selector("[data-testid=e-application]")
    page.click("[data-testid=e-application] summary")
    page.wait_for_selector("[data-testid=e-application-signatures]")
    content = page.content()
    assert "Underskriven av Tolvan Tolvansson" in content
    assert "Underskriven av Elva Elvasson" in content
    shot(page, f"portal-cosign-{name}-05-staff")
    logout(page)
    assert not found, "axe-core, serious or critical:\n" + readable(found)
