"""Applying online on a phone (390 px): a repeat application with an attachment from the
phone, a draft kept after a refusal, the receipt; the handler sees it in the inbox and on the
case page and asks for more documents; the applicant answers. Under the strict CSP (the `page`
fixture fails on any violation) and without sideways scrolling."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import Org, make_household
from tests.files import image_bytes, pdf_bytes

from .support import login, logout, page, shot  # noqa: F401
from .test_axe import axe_violations, readable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
APPLICANT = "198309192394"


def _fits(page) -> None:  # noqa: F811
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def test_filing_an_application_with_an_attachment_on_a_phone(page, live_server, settings, tmp_path):  # noqa: F811
    from bistand.cases import services as case_services
    from bistand.cases.models import Application, Document
    from bistand.core.dates import add_months, month_start
    from bistand.portal.models import CompletionAnswer

    settings.DEBUG = True
    settings.BISTAND_PORTAL_TEST_EID = True
    org = Org()
    household = make_household(org.reception)
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
    photo = tmp_path / "hyresavi.jpg"
    photo.write_bytes(image_bytes("JPEG"))

    base = live_server.url
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/e-tjanst/login/test-e-legitimation/")
    page.fill("#id_identity_number", APPLICANT)
    page.click("[data-testid=test-eid-submit]")
    page.wait_for_selector("[data-testid=portal-case]")
    page.click("[data-testid=apply-link]")
    page.click("[data-testid=apply-repeat]")
    page.wait_for_selector("[data-testid=incomes]")
    assert page.input_value("#id_cost_amount_0") == "6500.00"  # prefilled from last month
    _fits(page)
    found = {}

    def axe(name: str) -> None:
        if violations := axe_violations(page):
            found[name] = violations

    axe("ansökan")

    # A wrong amount is refused at the field; what was typed and the photo are kept.
    page.select_option("#id_month", next_month)
    page.select_option("#id_income_type_0", "wages")
    page.fill("#id_income_amount_0", "fyratusen")
    page.fill("#id_changes", "Jag har börjat arbeta deltid.")
    page.select_option("#id_attachment_kind", "rent_invoice")
    page.set_input_files("#id_attachment", str(photo))
    page.click("[data-testid=save-draft]")
    page.wait_for_selector("[data-testid=error-summary]")
    assert "Skriv beloppet i kronor med siffror" in page.content()
    assert page.input_value("#id_changes") == "Jag har börjat arbeta deltid."
    _fits(page)
    shot(page, "portal-apply-01-refused")
    axe("ansökan med felmeddelande")

    page.fill("#id_income_amount_0", "4200")
    page.select_option("#id_attachment_kind", "bank_statement")
    page.set_input_files("#id_attachment", str(statement))
    page.check("#id_assured")
    _fits(page)
    shot(page, "portal-apply-02-form")
    page.click("[data-testid=submit-application]")
    page.wait_for_selector("[data-testid=apply-receipt]")
    _fits(page)
    shot(page, "portal-apply-03-receipt")
    axe("kvitto")
    application = Application.objects.get(channel="e_service")
    assert application.stated_incomes == [{"type": "wages", "amount": "4200.00"}]
    assert Document.objects.filter(case=case, from_person__isnull=False).count() == 2
    page.click("[data-testid=portal-logout]")

    # The handler sees it in the inbox and on the case page, and asks for a payslip.
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, base, "socialworker")
    page.goto(f"{base}/inkorg/")
    page.wait_for_selector("[data-testid=via-e-service]")
    page.goto(f"{base}/arende/{case.pk}/")
    page.wait_for_selector("[data-testid=e-application]")
    assert "från sökande, via e-tjänsten" in page.content()
    page.click("[data-testid=request-completion]")
    page.wait_for_selector("#id_text")
    axe("begär komplettering")
    page.fill("#id_text", "Lönebesked för november.")
    page.fill("#id_due_on", (timezone.localdate() + dt.timedelta(days=7)).isoformat())
    page.click("[data-testid=send-completion-request]")
    page.wait_for_selector("text=väntar på svar")
    shot(page, "portal-apply-04-staff")
    logout(page)

    # The applicant answers with the phone's photo.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/e-tjanst/login/test-e-legitimation/")
    page.fill("#id_identity_number", APPLICANT)
    page.click("[data-testid=test-eid-submit]")
    page.wait_for_selector("[data-testid=open-requests]")
    page.click("[data-testid=answer-request]")
    page.wait_for_selector("#id_file")
    axe("svara på begäran")
    page.select_option("#id_kind", "payslip")
    page.set_input_files("#id_file", str(photo))
    page.click("[data-testid=send-documents]")
    page.wait_for_selector("[data-testid=answer-sent]")
    _fits(page)
    shot(page, "portal-apply-05-answered")
    assert CompletionAnswer.objects.get().documents.get().content_type == "image/jpeg"
    assert not found, "axe-core, serious or critical:\n" + readable(found)
