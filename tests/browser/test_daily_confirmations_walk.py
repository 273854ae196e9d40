"""Issue #13, daily tasks in a real browser that end in a final act, each through its
confirmation step: the section head decides a decision sent to her from *Att besluta*, and
the social worker closes a case (nothing is final before the confirmation is pressed); the
benefit administrator attests a payment found in the attestation work list."""

import pytest
from django.utils import timezone

from bistand.cases import services as case_services
from bistand.cases.models import Case
from bistand.decisions import services as decision_services
from bistand.decisions.models import Decision
from tests.conftest import Org, make_household
from tests.decisions.conftest import as_proposed, obstacles_for, saved_calculation
from tests.workplans.conftest import make_case

from .support import login, logout, page, shot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _referred_decision(org: Org) -> Decision:
    case = make_case(org, make_household, case_type="A", adult="199811022384")
    application = case_services.register_application(
        org.reception,
        case.household,
        kind="repeat",
        month=timezone.localdate().replace(day=1),
        stated_costs=[{"type": "rent", "amount": "6500"}],
    )
    calculation = saved_calculation(org.social_worker, application)
    return decision_services.refer_decision(
        org.social_worker,
        application,
        calculation=calculation,
        lines=as_proposed(calculation),
        support_obstacles=obstacles_for(calculation),
        referred_to=org.intake_head,
        reasons="",
        note="Hyran över riktlinjen",
    )


def _case_to_close(org: Org) -> Case:
    case = make_case(org, make_household, case_type="A", adult="199109202383")
    for application in case.applications.all():
        case_services.withdraw_application(org.social_worker, application, "Flyttar till Malmö.")
    return case


def test_head_decides_and_worker_closes_each_through_a_confirmation(page, live_server):  # noqa: F811
    org = Org()
    referred = _referred_decision(org)
    to_close = _case_to_close(org)
    base = live_server.url

    # The section head: Att besluta -> the decision -> Fatta beslutet -> confirmation.
    login(page, base, "intakehead")
    page.goto(f"{base}/beslut/chef/")
    rows = page.get_by_test_id("referral-list")
    assert referred.case.reference in rows.inner_text()
    rows.get_by_text(referred.case.reference).click()
    page.get_by_test_id("decide-draft").click()
    confirmation = page.get_by_test_id("decision-confirmation")
    confirmation.wait_for()
    summary = page.get_by_test_id("confirm-summary").inner_text()
    assert referred.case.reference in summary and "Tolvan Tolvansson" in summary
    shot(page, "daily-01-head-confirms-decision")
    referred.refresh_from_db()
    assert referred.status == "referred"  # not final before the confirmation
    page.get_by_test_id("confirm-decision").click()
    page.wait_for_selector("text=är fattat")
    referred.refresh_from_db()
    assert referred.status == "final" and referred.decided_by_id == org.intake_head.pk
    logout(page)

    # The social worker closes a case: the form, then the confirmation that says what ends.
    login(page, base, "socialworker")
    page.goto(f"{base}/arende/{to_close.pk}/")
    page.click("#close-case > summary")
    page.select_option("#id_close-reason", index=1)
    page.click("#close-case button[type=submit]")
    page.get_by_test_id("close-confirmation").wait_for()
    assert to_close.reference in page.get_by_test_id("confirm-summary").inner_text()
    shot(page, "daily-02-worker-confirms-closing")
    to_close.refresh_from_db()
    assert to_close.status != "closed"
    page.get_by_test_id("confirm-close").click()
    page.wait_for_selector("text=Ärendet är avslutat")
    to_close.refresh_from_db()
    assert to_close.status == "closed"


def test_attester_finds_a_payment_in_the_queue_and_attests_it(page, live_server):  # noqa: F811
    """The benefit administrator's daily attestation: the queue is a work list; a search for
    the case narrows it (htmx, the address follows), and the order is attested."""
    from bistand.payments.models import PaymentMethod, PaymentOrder
    from tests.payments.conftest import World

    org = Org()
    world = World(org)
    wanted = world.order(PaymentMethod.ACCOUNT, "900")
    world.order(PaymentMethod.INVOICE, "300")
    base = live_server.url

    login(page, base, "benefitadmin")
    page.goto(f"{base}/utbetalning/attest/")
    assert "Visar 1–2 av 2" in page.get_by_test_id("list-count").inner_text()
    page.select_option("#id_method", "account")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=list-count]').innerText.startsWith("
        "'Visar 1–1 av 1')"
    )
    assert "method=account" in page.url
    queue = page.get_by_test_id("attest-queue")
    assert wanted.reference in queue.inner_text()
    shot(page, "daily-03-attest-queue-filtered")
    queue.get_by_role("button", name="Attestera").click()
    page.wait_for_selector("text=Utbetalningen är attesterad")
    assert PaymentOrder.objects.get(pk=wanted.pk).status == "attested"
