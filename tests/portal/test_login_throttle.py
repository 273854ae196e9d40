"""Rate limiting of the e-service's log-in (issue #14): the staff lock-out (django-axes,
organisation.lockout) counts failed test e-ID and e-ID log-ins per person and per address;
a locked one gets a Swedish page (429), never the staff one, and no number is stored."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from bistand.portal import throttle
from tests.factories import ADULT_NUMBERS

from .conftest import APPLICANT as OIDC_APPLICANT
from .conftest import portal_login
from .test_oidc_login import CLAIM, case, come_back, eid, provider  # noqa: F401

APPLICANT = ADULT_NUMBERS[0]
UNKNOWN = ADULT_NUMBERS[5]  # a test number with no person in the database


@pytest.fixture
def applicant(org):
    from tests.conftest import make_household

    return make_household(org.reception, adult=APPLICANT)


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT = 3
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 6


def test_repeated_failures_for_one_number_lock_that_number(client, applicant):
    for _ in range(2):
        assert portal_login(client, UNKNOWN).status_code == 400
    locked = portal_login(client, UNKNOWN)
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "För många misslyckade inloggningar" in text and "Vänta en kvart" in text
    assert 'data-testid="portal-locked"' in text  # the e-service's page, not the staff one
    assert portal_login(client, UNKNOWN).status_code == 429
    # Another person from the same address is not locked out by it.
    assert portal_login(client, APPLICANT).status_code == 302


def test_the_number_is_never_stored_in_the_lock_out(client, applicant):
    portal_login(client, UNKNOWN)
    usernames = list(AccessAttempt.objects.values_list("username", flat=True))
    assert usernames and all(name.startswith("e-tjanst:") for name in usernames)
    assert not any(UNKNOWN in name or UNKNOWN[2:] in name for name in usernames)


def test_many_failures_from_one_address_lock_the_address(client, applicant):
    for garbage in ("1", "2", "3"):
        portal_login(client, garbage)
    for number in ADULT_NUMBERS[6:9]:
        portal_login(client, number)
    assert portal_login(client, APPLICANT).status_code == 429


def test_a_successful_login_clears_that_persons_failures(client, applicant, rf):
    key = throttle.key_for_number(APPLICANT)
    request = rf.post("/e-tjanst/login/test-e-legitimation/")
    throttle.failed(request, key)
    throttle.failed(request, key)
    assert portal_login(client, APPLICANT).status_code == 302
    assert not AccessAttempt.objects.filter(username=key).exists()


def test_the_test_eid_form_still_works_below_the_limit(client, applicant):
    assert portal_login(client, UNKNOWN).status_code == 400
    assert portal_login(client, APPLICANT).status_code == 302
    assert client.get(reverse("portal:home")).status_code == 200


def test_repeated_failed_eid_logins_lock_the_address(client, eid, household, case):  # noqa: F811
    """The e-ID's round trip has no number to go by until it succeeds: failures count per
    address (here 3), then even a good round trip from there waits."""
    from bistand.audit.models import AccessLogEntry, AuditAction

    for _ in range(2):
        refused = come_back(client, eid, state="forged-state", **{CLAIM: OIDC_APPLICANT})
        assert refused.status_code == 403
    locked = come_back(client, eid, state="forged-state", **{CLAIM: OIDC_APPLICANT})
    assert locked.status_code == 429
    assert 'data-testid="portal-locked"' in locked.content.decode()
    again = come_back(client, eid, **{CLAIM: OIDC_APPLICANT})
    assert again.status_code == 429
    rows = AccessLogEntry.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert any('"locked"' in str(row.detail) or "'locked'" in str(row.detail) for row in rows)
