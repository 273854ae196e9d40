"""Issue #13, the daily pages at a phone's width (390 px): home, inbox, case page, calculation
and plan never scroll sideways (document.documentElement.scrollWidth <= clientWidth); case
numbers and long identifiers wrap instead of overflowing."""

import pytest
from django.utils import timezone

from bistand.cases import services as case_services
from bistand.decisions import services as decision_services
from tests.conftest import Org
from tests.workplans.conftest import make_case, make_plan

from .support import login, page, shot  # noqa: F401
from .test_controls_walk import WIDEST_ELEMENTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 390, "height": 844}


def _overflow(tab) -> int:
    return tab.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_daily_pages_fit_a_phone_without_sideways_scrolling(page, live_server):  # noqa: F811
    from tests.conftest import make_household

    org = Org()
    case = make_case(org, lambda *a, **k: make_household(*a, **k), case_type="A")
    make_plan(org.social_worker, case)
    # A new application in the inbox and a calculation for it, with a long unbroken text.
    month = timezone.localdate().replace(day=1)
    application = case_services.register_application(
        org.reception,
        case.household,
        kind="repeat",
        month=month,
        notes="Kontoutdrag" + "X" * 80,
    )
    calculation = decision_services.create_calculation(org.social_worker, application)
    # A journal note with a long identifier (a bank's reference) in one unbroken word.
    case_services.add_journal_entry(
        org.social_worker, case, text="Referens: SE45" + "5000000005801234567890" * 3
    )

    base = live_server.url
    login(page, base, "socialworker")
    page.set_viewport_size(NARROW)
    pages = {
        "home": "/",
        "inbox": "/inkorg/",
        "case page": f"/arende/{case.pk}/",
        "calculation": f"/beslut/berakning/{calculation.pk}/",
        "plan": f"/planer/arende/{case.pk}/",
    }
    failures = []
    for name, path in pages.items():
        page.goto(f"{base}{path}")
        page.wait_for_selector("main")
        overflow = _overflow(page)
        shot(page, f"phone-390-{name.replace(' ', '-')}")
        if overflow > 0:
            failures.append(f"{name}: {overflow}px {page.evaluate(WIDEST_ELEMENTS, 390)}")
    assert not failures, "\n".join(failures)
    # The case number is on the case page (and wraps rather than widening it).
    page.goto(f"{base}/arende/{case.pk}/")
    assert case.reference in page.inner_text("h1")
