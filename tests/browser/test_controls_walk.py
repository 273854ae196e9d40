"""The controls walks (issue #12), clicked through the real pages:

1. a handler asks a register, sees the discrepancy side by side, is refused the decision until
   the discrepancy is assessed, assesses it, decides (through the confirmation step) and the
   decision lists the source consulted;
2. the unit head draws the monthly sample with a seed, assigns a reviewer who is not the
   decider, the reviewer answers the checklist with a "no" (a finding), the unit head adds a
   corrective action, its owner closes it, and the draw page shows it closed.

Only the preconditions are set up with services; each walk also looks at one page at a phone's
width (390 px): the main form inside the viewport and its button reachable.
"""

import datetime as dt
import json

import pytest

from bistand.controls.models import RegisterCheck
from bistand.controls.sample_models import ActionStatus, CorrectiveAction, Finding, SampleItem
from bistand.controls.simulator import SimulatedRegister
from bistand.decisions.models import Decision
from tests.controls.conftest import require_checks
from tests.decisions.conftest import (  # noqa: F401 - make_application is a fixture
    FIXED_TODAY,
    clock,
    decide,
    make_application,
    saved_calculation,
)
from tests.factories import ADULT_NUMBERS

from .support import login, logout, page, shot, watch_csp  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOVEMBER = dt.date(2026, 11, 1)
OCTOBER = dt.date(2026, 10, 1)
NARROW = {"width": 390, "height": 844}


class AkassaPaysMore(SimulatedRegister):
    """The simulator, with the a-kassa reporting 12 000 kr where the applicant stated 8 000."""

    def reply(self, request):
        body = super().reply(request)
        if request.source == "akassa":
            body["status"] = "ok"
            body["items"] = [
                {"month": f"{request.period_to:%Y-%m}", "kind": "unemployment_benefit",
                 "payer": "Arbetslöshetskassan Alfa", "amount": "12000.00"}
            ]  # fmt: skip
        return body

    def fetch(self, request):
        return json.dumps(self.reply(request)).encode()


@pytest.fixture
def fixed_clock(live_server):
    """Today is the decisions tests' fixed day, in the test and in the live server's thread."""
    with clock(FIXED_TODAY):
        yield FIXED_TODAY


# The outermost elements reaching past the viewport's right edge (for the failure message).
WIDEST_ELEMENTS = """(width) => {
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && !(el.parentElement && el.parentElement.getBoundingClientRect().right > width + 1))
      out.push(`${el.tagName.toLowerCase()}.${el.className}#${el.id} right=${Math.round(r.right)}`);
  }
  return out.slice(0, 8);
}"""


def fits_narrow(tab, form_selector: str, button_selector: str) -> None:
    """At 390 px: the form lies inside the viewport's width and its button can be reached."""
    tab.set_viewport_size(NARROW)
    form = tab.locator(form_selector)
    form.scroll_into_view_if_needed()
    box = form.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"], box
    overflow = tab.evaluate(
        "(selector) => { const f = document.querySelector(selector);"
        " return f.scrollWidth - f.clientWidth; }",
        form_selector,
    )
    assert overflow <= 1, f"{form_selector} scrolls sideways by {overflow}px"
    button = tab.locator(button_selector)
    button.scroll_into_view_if_needed()
    assert button.is_visible()
    button_box = button.bounding_box()
    assert button_box["x"] >= 0 and button_box["x"] + button_box["width"] <= NARROW["width"]
    page_overflow = tab.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    wide = tab.evaluate(WIDEST_ELEMENTS, NARROW["width"])
    assert page_overflow <= 1, f"the page scrolls sideways by {page_overflow}px at 390 px: {wide}"


def test_register_check_discrepancy_assessment_decision_walk(
    page,  # noqa: F811
    live_server,
    fixed_clock,
    org,
    make_application,  # noqa: F811
    settings,
):
    settings.BISTAND_SSBTEK = {"client": f"{__name__}.AkassaPaysMore"}
    require_checks(org, sources=("akassa",))
    application = make_application(
        NOVEMBER, stated_incomes=[{"type": "unemployment_benefit", "amount": "8000.00"}]
    )
    saved_calculation(org.social_worker, application)
    case = application.case
    applicant = case.household.memberships.get(role="applicant").person
    base = live_server.url

    login(page, base, "socialworker")
    page.goto(f"{base}/arende/{case.pk}/")
    panel = page.get_by_test_id("checks-panel")
    assert "beslut kan inte fattas ännu" in panel.inner_text()
    panel.locator("summary", has_text="Fråga ett register").click()
    form = page.get_by_test_id("register-check-form")
    form.locator("select[name=person]").select_option(str(applicant.pk))
    form.locator("select[name=source]").select_option("akassa")
    form.locator("input[name=period_from]").fill("2026-11")
    form.locator("input[name=period_to]").fill("2026-11")
    shot(page, "controls-01-ask-the-register")
    page.get_by_test_id("request-check").click()

    # The check page: the application and the source side by side, the difference marked.
    side = page.get_by_test_id("side-by-side")
    side.wait_for()
    assert "Registrets svar avviker från ansökan" in page.inner_text("body")
    differing = side.locator("tr.flag-warn")
    assert differing.count() == 1
    row = differing.inner_text()
    assert "8\u00a0000,00" in row and "12\u00a0000,00" in row, row
    check = RegisterCheck.objects.get(case=case)
    assert check.discrepancy and not check.assessment
    check_url = page.url
    fits_narrow(page, "[data-testid=assess-form]", "[data-testid=assess]")
    shot(page, "controls-02-check-at-390px")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Deciding is refused, in Swedish, while the discrepancy is not assessed.
    page.click(f"main a[href='/arende/{case.pk}/#kontroller']")
    page.get_by_test_id("decide").click()
    blocking = page.get_by_test_id("decision-checks-blocking")
    assert "måste bedömas" in blocking.inner_text()
    _fill_decision(page)
    page.get_by_test_id("make-decision").click()
    error = page.get_by_test_id("decision-error")
    error.wait_for()
    assert "Registersvar som avviker från ansökan måste bedömas före beslut" in error.inner_text()
    assert not Decision.objects.filter(application=application).exists()
    shot(page, "controls-03-decision-refused")

    # The handler assesses the discrepancy on the check page.
    page.get_by_test_id("decision-checks").locator("a", has_text="kassa").first.click()
    page.wait_for_url(check_url)
    assess = page.get_by_test_id("assess-form")
    assess.locator("select[name=assessment]").select_option("explained")
    assess.locator("textarea[name=note]").fill(
        "Retroaktiv ersättning för oktober, betald i november."
    )
    page.get_by_test_id("assess").click()
    page.wait_for_selector("text=Bedömningen är sparad")
    checks = page.get_by_test_id("checks-panel").inner_text()
    assert "Avvikelse – förklarad" in checks and "kontrollerna som krävs finns" in checks, checks

    # Now the decision goes through the confirmation step.
    page.get_by_test_id("decide").click()
    assert page.get_by_test_id("decision-checks-blocking").count() == 0
    _fill_decision(page)
    page.get_by_test_id("make-decision").click()
    page.get_by_test_id("decision-confirmation").wait_for()
    assert not Decision.objects.filter(application=application).exists()
    shot(page, "controls-04-confirm-decision")
    page.get_by_test_id("confirm-decision").click()
    page.wait_for_selector("text=är fattat")
    decision = Decision.objects.get(application=application)
    assert decision.status == "final"
    consulted = page.get_by_test_id("consulted-sources").inner_text()
    assert "2026-11" in consulted and "kassa" in consulted, consulted
    shot(page, "controls-05-decision-lists-the-source")

    page.goto(check_url)  # the check names the decision resting on it
    resting = page.get_by_test_id("assessment").inner_text()
    assert f"Beslut som vilar på kontrollen: {decision.pk}" in resting, resting
    logout(page)


def _fill_decision(tab) -> None:
    """Reasons on every line that asks for them, an obstacle for every adult."""
    form = tab.get_by_test_id("decision-form")
    for select in form.locator("select[name^=obstacle-]").all():
        if not select.input_value():
            select.select_option("unemployed_no_benefit")
    for reasons in form.locator("textarea[name$=-reasons]").all():
        if not reasons.input_value():
            reasons.fill("Enligt beräkningen.")


@pytest.fixture
def october_decisions(org, make_application):  # noqa: F811
    """Final decisions made in October: two by the social worker, one by the other."""
    made = []
    with clock(dt.date(2026, 10, 12)):
        for number, handler in zip(
            ADULT_NUMBERS[:3],
            [org.social_worker, org.social_worker, org.other_social_worker],
            strict=True,
        ):
            made.append(decide(handler, make_application(OCTOBER, adult=number, handler=handler)))
    return made


def test_sample_draw_review_finding_action_walk(
    page,  # noqa: F811
    live_server,
    october_decisions,
    fixed_clock,
    org,
):
    base = live_server.url
    deciders = {d.pk: d.decided_by_id for d in october_decisions}

    # The unit head draws October's sample with a seed.
    login(page, base, "unithead")
    page.goto(f"{base}/kontroll/stickprov/")
    draw_form = page.get_by_test_id("draw-form")
    draw_form.locator("input[name=month]").fill("2026-10")
    draw_form.locator("input[name=seed]").fill("424242")
    draw_form.locator("input[name=size]").fill("2")
    shot(page, "sample-01-draw")
    draw_form.locator("button[type=submit]").click()
    page.wait_for_selector("text=Stickprovet för 2026-10 är draget")
    assert page.get_by_test_id("seed").inner_text() == "424242"
    assert "Kontrollräknad" in page.get_by_test_id("draw-facts").inner_text()
    items = page.get_by_test_id("sample-item")
    assert items.count() == 2

    # Assign the first item to a reviewer who did not decide it: the decider is not offered.
    first = SampleItem.objects.get(draw__month=OCTOBER, position=1)
    decider = deciders[first.decision_id]
    reviewer = org.benefit_admin
    select = items.first.locator("select[name=reviewer]")
    offered = select.locator("option").evaluate_all("(options) => options.map(o => o.value)")
    assert str(decider) not in offered and str(reviewer.pk) in offered
    select.select_option(str(reviewer.pk))
    items.first.locator("button[type=submit]").click()
    page.wait_for_selector("text=Granskaren är tilldelad")
    first.refresh_from_db()
    assert first.reviewer_id == reviewer.pk != decider
    draw_url = page.url

    # The reviewer, in a browser of her own, answers the checklist with one "no".
    other = page.context.browser.new_context(locale="sv-SE", viewport=NARROW)
    second = other.new_page()
    second.set_default_timeout(30000)
    violations = watch_csp(second, [])
    try:
        login(second, base, "benefitadmin")
        second.goto(f"{base}/kontroll/granskningar/")
        second.get_by_test_id("my-review").locator("a").click()
        review = second.get_by_test_id("review-form")
        review.wait_for()
        fits_narrow(second, "[data-testid=review-form]", "[data-testid=review-form] button")
        shot(second, "sample-02-review-at-390px")
        second.set_viewport_size({"width": 1280, "height": 900})
        fieldsets = review.locator("fieldset")
        for index in range(fieldsets.count()):
            fieldsets.nth(index).locator("input[type=radio][value=yes]").check()
        fieldsets.first.locator("input[type=radio][value=no]").check()
        fieldsets.first.locator("textarea").fill("Journalanteckning om hembesöket saknas.")
        review.locator("textarea[name=conclusion]").fill("En brist i dokumentationen.")
        review.locator("button[type=submit]").click()
        second.wait_for_selector("text=Granskningen är sparad")
        assert "Nej – brist" in second.get_by_test_id("review-result").inner_text()
        finding = Finding.objects.get(item=first)
        assert "hembesöket" in finding.description

        # The unit head adds a corrective action with an owner and a due date.
        page.goto(f"{base}/kontroll/granskning/{first.pk}/")
        action_form = page.get_by_test_id("action-form")
        action_form.locator("textarea[name=description]").fill(
            "Gå igenom dokumentationskraven med handläggarna."
        )
        action_form.locator("select[name=owner]").select_option(str(org.intake_head.pk))
        action_form.locator("input[name=due_on]").fill("2026-12-15")
        action_form.locator("button[type=submit]").click()
        page.get_by_test_id("action").wait_for()
        assert "2026-12-15" in page.get_by_test_id("action").inner_text()
        action = CorrectiveAction.objects.get(finding=finding)
        assert action.owner_id == org.intake_head.pk and action.status == ActionStatus.OPEN
        shot(page, "sample-03-action-added")

        # The owner closes it.
        logout(second)
        login(second, base, "intakehead")
        second.goto(f"{base}/kontroll/granskningar/")
        second.get_by_test_id("my-action").locator("a").click()
        close = second.get_by_test_id("close-action-form")
        close.locator("textarea").fill("Genomgång hölls på APT den 1 december.")
        close.locator("button[type=submit]").click()
        second.wait_for_selector("text=Åtgärden är avslutad")
        action.refresh_from_db()
        assert action.status == ActionStatus.CLOSED
    finally:
        other.close()
    assert not violations, "\n".join(violations)

    # The draw page shows the review, its finding and the closed action.
    page.goto(draw_url)
    row = page.get_by_test_id("sample-item").first.inner_text()
    assert "Granskad" in row and "1 brister" in row, row
    state = page.get_by_test_id("sample-action").inner_text()
    assert "Gå igenom dokumentationskraven" in state and "Åtgärdad" in state, state
    shot(page, "sample-04-draw-with-closed-action")
