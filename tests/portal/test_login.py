"""The applicant's login (issue #14, part 1): the test e-ID, separate from staff sessions."""

from django.core.checks import run_checks
from django.urls import reverse

from bistand.audit.models import AccessLogEntry, AuditAction
from bistand.portal.backends import is_test_number
from bistand.portal.session import SEEN_KEY, SESSION_KEY

from .conftest import APPLICANT, portal_login

HOME = "/e-tjanst/"


def test_the_test_eid_logs_in_a_person_with_a_test_number(client, household):
    response = portal_login(client, APPLICANT)
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    page = client.get(HOME)
    assert page.status_code == 200
    assert "Mina sidor" in page.content.decode()
    entry = AccessLogEntry.objects.filter(action=AuditAction.LOGIN).latest("id")
    assert entry.channel == "e-tjanst"
    assert entry.actor_id is None
    assert entry.actor_username.startswith("sokande:")
    assert entry.person_id == household.memberships.get(role="applicant").person_id


def test_the_login_page_is_clearly_marked_as_test(client, db):
    page = client.get(reverse("portal:login")).content.decode()
    assert "Test-e-legitimation – bara för demo och test" in page
    form = client.get(reverse("portal:test_eid_login")).content.decode()
    assert "Test-e-legitimation – bara för demo och test" in form


def test_a_number_that_is_not_a_test_number_is_refused(client, household):
    # Valid Luhn, but not in Skatteverket's list of test numbers.
    real_looking = "199001011239"
    assert not is_test_number(real_looking)
    response = portal_login(client, real_looking)
    assert response.status_code == 400
    assert "testpersonnummer" in response.content.decode()
    assert real_looking in response.content.decode()  # the value is kept
    assert SESSION_KEY not in client.session


def test_a_malformed_number_gets_a_swedish_message(client, db):
    response = portal_login(client, "abc")
    assert response.status_code == 400
    assert "Personnumret får bara innehålla siffror" in response.content.decode()


def test_a_test_number_without_a_person_is_refused(client, db):
    response = portal_login(client, APPLICANT)
    assert response.status_code == 400
    assert SESSION_KEY not in client.session


def test_without_debug_the_test_eid_answers_404(client, household, settings):
    settings.DEBUG = False
    settings.BISTAND_PORTAL_TEST_EID = True  # even when someone sets it
    assert client.get(reverse("portal:test_eid_login")).status_code == 404
    assert portal_login(client, APPLICANT).status_code == 404
    assert "Test-e-legitimation" not in client.get(reverse("portal:login")).content.decode()


def test_the_system_check_refuses_the_test_eid_without_debug(settings):
    settings.DEBUG = False
    settings.BISTAND_PORTAL_TEST_EID = True
    ids = {error.id for error in run_checks()}
    assert "portal.E001" in ids
    settings.BISTAND_PORTAL_TEST_EID = False
    assert "portal.E001" not in {error.id for error in run_checks()}


def test_pages_need_an_applicant_session(client, db):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


def test_a_staff_user_cannot_use_the_portal(client, org, household):
    client.force_login(org.social_worker)
    assert client.get(HOME).status_code == 403
    assert client.get(reverse("portal:login")).status_code == 403
    assert portal_login(client, APPLICANT).status_code == 403
    assert SESSION_KEY not in client.session


def test_an_applicant_session_grants_nothing_on_staff_pages(client, household):
    portal_login(client, APPLICANT)
    case_list = client.get(reverse("home"))
    assert case_list.status_code == 302 and "/login/" in case_list["Location"]
    assert client.get("/api/v1/cases/").status_code in (401, 403)


def test_log_out_ends_the_applicant_session(client, household):
    portal_login(client, APPLICANT)
    response = client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert client.get(HOME).status_code == 302
    assert AccessLogEntry.objects.filter(action=AuditAction.LOGOUT, channel="e-tjanst").exists()


def test_an_idle_applicant_session_ends(client, household, settings):
    portal_login(client, APPLICANT)
    session = client.session
    session[SEEN_KEY] -= settings.SESSION_COOKIE_AGE + 1
    session.save()
    assert client.get(HOME).status_code == 302


def test_the_next_page_stays_inside_the_portal(client, household):
    response = client.post(
        reverse("portal:test_eid_login"),
        {"identity_number": APPLICANT, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("portal:home")


def test_an_applicant_session_is_refreshed_while_used(client, household, settings):
    portal_login(client, APPLICANT)
    session = client.session
    session[SEEN_KEY] -= settings.SESSION_REFRESH_SECONDS
    session.save()
    before = client.session[SEEN_KEY]
    client.get(HOME)
    assert client.session[SEEN_KEY] > before


def test_the_staff_login_page_links_to_the_e_service(client, db):
    page = client.get(reverse("login")).content.decode()
    assert reverse("portal:login") in page


def test_a_staff_login_on_top_of_an_applicant_session_opens_no_portal_page(client, org, household):
    portal_login(client, APPLICANT)
    client.force_login(org.social_worker)
    assert client.get(HOME).status_code == 403
