"""Issue #13, axe-core in a real browser: the ten most used staff pages and the applicant's
Mina sidor have no serious or critical violation of the WCAG 2.1 A/AA rules.

axe-core is vendored (tests/browser/vendor/, see its README) and injected with page.evaluate:
DevTools evaluation is not subject to the page's strict Content-Security-Policy, so no script tag
and no policy exception is needed. One live server and one log-in per user keep it fast."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from bistand.cases import services as case_services
from bistand.cases.models import Case
from bistand.decisions.models import Calculation
from bistand.payments.models import PaymentMethod
from tests.conftest import Org, make_household
from tests.factories import ADULT_NUMBERS
from tests.payments.conftest import World

from .support import login, logout, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""


def axe_violations(tab) -> list[dict]:
    """axe's serious and critical WCAG 2.1 A/AA violations on the page now shown."""
    if not tab.evaluate("() => typeof window.axe !== 'undefined'"):
        tab.evaluate(AXE)
    return [v for v in tab.evaluate(RUN_AXE, WCAG_TAGS) if v["impact"] in BLOCKING]


def readable(found: dict[str, list[dict]]) -> str:
    lines = []
    for where, violations in found.items():
        for v in violations:
            targets = ", ".join(v["targets"][:5]) + (" …" if len(v["targets"]) > 5 else "")
            lines.append(f"{where}: {v['id']} ({v['impact']}) at {targets} – {v['help']}")
    return "\n".join(lines)


def test_the_checker_reports_a_serious_violation(page, live_server):  # noqa: F811
    """The check can fail: a page with an unnamed field and grey-on-white text is caught."""
    Org()
    login(page, live_server.url, "socialworker")
    page.evaluate(
        """() => {
          const main = document.querySelector("main");
          main.append(Object.assign(document.createElement("input"), {type: "text"}));
          const grey = Object.assign(document.createElement("p"), {textContent: "Grått"});
          grey.style.color = "#ccc";  // CSSOM, which the style-src policy allows
          grey.style.background = "#fff";
          main.append(grey);
        }"""
    )
    ids = {v["id"] for v in axe_violations(page)}
    assert {"label", "color-contrast"} <= ids, ids


def test_the_most_used_pages_have_no_serious_axe_violations(page, live_server, settings):  # noqa: F811
    settings.DEBUG = True
    settings.BISTAND_PORTAL_TEST_EID = True
    org = Org()
    world = World(org)
    world.attested(PaymentMethod.ACCOUNT, "6890.00")
    world.order(PaymentMethod.INVOICE, "745.50", ocr_reference="1234567897")
    # A repeat application for the inbox and a case in intake, as tests/core/test_accessibility.py.
    next_month = (world.month + timedelta(days=32)).replace(day=1)
    case_services.register_application(
        org.other_social_worker,
        world.case.household,
        kind="repeat",
        month=next_month,
        stated_costs=[{"type": "rent", "amount": "6500.00"}],
        stated_incomes=[{"type": "wages", "amount": "1220.00"}],
    )
    intake = make_household(org.reception, adult=ADULT_NUMBERS[2], children=True)
    case_services.register_application(org.reception, intake, kind="new", month=world.month)
    case = Case.objects.get(pk=world.case.pk)
    calculation = Calculation.objects.filter(case=case).order_by("pk").first()
    base = live_server.url
    pages = {
        "socialworker2": [
            reverse("home"),  # Mina ärenden
            reverse("inbox"),
            reverse("case_detail", args=[case.pk]),
            reverse("investigation", args=[case.pk]),
            reverse("decisions:calculation", args=[calculation.pk]),
            reverse("decisions:decision", args=[world.decision.pk]),
            reverse("workplans:case_plan", args=[case.pk]),
            reverse("search") + "?q=Tolvan",
            reverse("payments:attest_queue"),
        ],
        "socialworker": [reverse("inbox")],
        "finance": [reverse("payments:queue")],
        # Beyond the ten: the rest of tests/core/test_accessibility.py's list.
        "reception": [reverse("register_household")],
        "labourhead": [reverse("home"), reverse("decisions:overview"), reverse("caseload")],
    }
    found = {}
    for username, addresses in pages.items():
        login(page, base, username)
        for address in addresses:
            response = page.goto(base + address)
            assert response.status == 200, (address, response.status)
            if violations := axe_violations(page):
                found[f"{username} {address}"] = violations
        if username == "reception":
            # The form sent with a wrong identity number: the error messages shown pass too.
            form = page.locator("[data-testid=register-household]")
            form.evaluate("(form) => { form.noValidate = true; }")
            page.fill("#id_m-0-identity_number", "123")
            page.fill("#id_m-0-first_name", "Tolvan")
            page.fill("#id_m-0-last_name", "Tolvansson")
            with page.expect_navigation():
                form.locator("button[type=submit]").click()
            page.wait_for_selector("main .errorlist, main .msg.error")
            if violations := axe_violations(page):
                found[f"{username} {address}, med felmeddelande"] = violations
        logout(page)

    page.goto(base + reverse("portal:home"))
    if violations := axe_violations(page):
        found["e-tjänsten, inloggning"] = violations
    page.click("[data-testid=test-eid-link]")
    page.fill("#id_identity_number", ADULT_NUMBERS[0])
    page.click("[data-testid=test-eid-submit]")
    page.wait_for_selector("[data-testid=portal-case]")
    if violations := axe_violations(page):
        found["e-tjänsten, Mina sidor"] = violations
    assert not found, "axe-core, serious or critical:\n" + readable(found)
