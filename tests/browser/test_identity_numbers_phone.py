"""Issue #13: at a phone's width (390 px) a personnummer (or a payee's organisation number) is
never broken at its hyphen: every one is rendered in a `.idnr` span that stays on one line,
on the case page's household table, the person search and the payee register."""

import pytest
from django.utils import timezone

from tests.conftest import Org
from tests.workplans.conftest import make_case

from .support import login, page, shot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 390, "height": 844}

# Each .idnr: its text, how many line boxes it takes (1 = not broken) and whether the page's
# style forbids breaking it at all (so a narrower cell could not break it either).
ID_LINES = """() => [...document.querySelectorAll('main .idnr')].map(
  el => [el.innerText, el.getClientRects().length, getComputedStyle(el).whiteSpace])"""


def _assert_whole(tab, what: str) -> list[str]:
    found = tab.evaluate(ID_LINES)
    assert found, f"no identity number on {what}"
    broken = [text for text, lines, style in found if lines != 1 or style != "nowrap"]
    assert not broken, f"{what}: may break over lines at 390 px: {found}"
    return [text for text, _lines, _style in found]


def test_identity_numbers_stay_whole_at_390_px(page, live_server):  # noqa: F811
    from tests.conftest import make_household

    org = Org()
    case = make_case(org, lambda *a, **k: make_household(*a, **k), case_type="A")
    applicant = case.household.applicant_on(timezone.localdate())
    base = live_server.url
    login(page, base, "socialworker")
    page.set_viewport_size(NARROW)

    page.goto(f"{base}/arende/{case.pk}/")
    texts = _assert_whole(page, "the case page")
    assert applicant.formatted_identity_number in texts
    assert all("-" in text for text in texts)
    shot(page, "phone-390-identity-case")

    page.goto(f"{base}/sok/?q={applicant.last_name}")
    _assert_whole(page, "the person search")
    shot(page, "phone-390-identity-search")


def test_organisation_numbers_stay_whole_at_390_px(page, live_server):  # noqa: F811
    from bistand.payments import services

    org = Org()
    services.register_organisation_payee(
        org.finance,
        name="Bostadsbolaget i Exempelstad med ett mycket långt namn AB",
        organisation_number="556036-0793",
        account_kind="bankgiro",
        number="5402-9681",
    )
    base = live_server.url
    login(page, base, "finance")
    page.set_viewport_size(NARROW)
    page.goto(f"{base}/utbetalning/mottagare/")
    assert "556036-0793" in _assert_whole(page, "the payee register")
    shot(page, "phone-390-identity-payees")
