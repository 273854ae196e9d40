"""The staff pages through HTTP: what each role may open, and Swedish errors."""

import pytest
from django.urls import reverse

from bistand.audit.models import AccessLogEntry
from bistand.cases import services
from bistand.cases.models import Case


@pytest.fixture
def case(org, household_factory, this_month):
    household = household_factory(org.reception, children=True)
    return services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case


def login(client, user):
    client.force_login(user)
    return client


def test_login_page_is_swedish_and_wrong_password_gives_swedish_error(client, org):
    response = client.get(reverse("login"))
    assert "Logga in" in response.content.decode()
    response = client.post(reverse("login"), {"username": "reception", "password": "fel"})
    assert "Fel användarnamn eller lösenord" in response.content.decode()
    assert AccessLogEntry.objects.filter(action="login_failed").exists()


def test_repeated_failed_logins_are_throttled(client, org, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT):
        client.post(reverse("login"), {"username": "reception", "password": "fel"})
    response = client.post(
        reverse("login"), {"username": "reception", "password": "demo-lösenord-1"}
    )
    assert response.status_code == 429
    assert "spärrat" in response.content.decode()


def test_login_with_right_password_is_logged(client, org):
    response = client.post(
        reverse("login"), {"username": "reception", "password": "demo-lösenord-1"}
    )
    assert response.status_code == 302
    assert AccessLogEntry.objects.filter(action="login", actor_id=org.reception.pk).exists()


def test_sessions_expire_after_inactivity(settings):
    """The idle timeout: refreshed by SessionIdleRefreshMiddleware at most once a minute
    (tests/organisation/test_session_idle.py)."""
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    assert settings.SESSION_REFRESH_SECONDS <= 60
    assert "bistand.organisation.middleware.SessionIdleRefreshMiddleware" in settings.MIDDLEWARE


def test_passwords_are_hashed_with_argon2(org, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    org.reception.set_password("ett-långt-lösenord")
    assert org.reception.password.startswith("argon2")


def test_reception_registers_household_with_child_and_new_application(client, org):
    login(client, org.reception)
    data = {
        "m-TOTAL_FORMS": "2",
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "1",
        "m-MAX_NUM_FORMS": "12",
        "m-0-identity_number": "19830919-2394",
        "m-0-first_name": "Tolvan",
        "m-0-last_name": "Tolvansson",
        "m-0-role": "applicant",
        "m-1-identity_number": "20150110-2386",
        "m-1-first_name": "Lilla",
        "m-1-last_name": "Tolvansson",
        "m-1-role": "child",
        "address": "Storgatan 1",
        "postal_code": "22100",
        "city": "Lund",
        "month": "",
        "received_on": "",
        "channel": "visit",
    }
    from django.utils import timezone

    data["month"] = f"{timezone.localdate():%Y-%m}"
    response = client.post(reverse("register_household"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert case.household.has_children_on(timezone.localdate())
    assert case.applications.get().channel == "visit"


def test_bad_personal_number_gives_swedish_error_and_stores_nothing(client, org, this_month):
    login(client, org.reception)
    data = {
        "m-TOTAL_FORMS": "1",
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "1",
        "m-MAX_NUM_FORMS": "12",
        "m-0-identity_number": "19830919-2395",
        "m-0-first_name": "Tolvan",
        "m-0-last_name": "Tolvansson",
        "m-0-role": "applicant",
        "month": f"{this_month:%Y-%m}",
        "channel": "paper",
    }
    response = client.post(reverse("register_household"), data)
    assert response.status_code == 400  # refused, shown again (docs/forms.md)
    assert "Kontrollsiffran i personnumret stämmer inte" in response.content.decode()
    from bistand.households.models import Household, Person

    assert Person.objects.count() == 0 and Household.objects.count() == 0


@pytest.mark.parametrize(
    "role_attr, allowed",
    [
        ("reception", True),
        ("social_worker", True),
        ("intake_head", True),
        ("unit_head", True),
        ("other_social_worker", False),
        ("benefit_admin", False),
        ("labour_head", False),
        ("fraud", False),
        ("finance", False),
        ("sysadmin", False),
    ],
)
def test_case_page_opens_only_for_those_whose_work_needs_it(client, org, case, role_attr, allowed):
    user = getattr(org, role_attr)
    response = login(client, user).get(reverse("case_detail", args=[case.pk]))
    if allowed:
        assert response.status_code == 200
        assert AccessLogEntry.objects.filter(
            actor_id=user.pk, action="view", case_id=case.pk
        ).exists()
    else:
        # The refusal offers emergency access to the roles that may take it; to the others a
        # forbidden case looks like a missing one.
        assert response.status_code == (403 if user.may_take_emergency_access else 404)
        assert "behörighet" in response.content.decode()
        assert AccessLogEntry.objects.filter(
            actor_id=user.pk, action="access_denied", case_id=case.pk
        ).exists()


def test_guessing_a_case_id_that_does_not_exist_looks_like_a_refusal(client, org):
    response = login(client, org.other_social_worker).get(reverse("case_detail", args=[999999]))
    assert response.status_code == 404
    assert "finns inte eller så saknar du behörighet" in response.content.decode()


def test_emergency_access_opens_case_and_shows_for_unit_head(client, org, case):
    login(client, org.other_social_worker)
    response = client.post(
        reverse("emergency_access", args=[case.pk]),
        {"reason": "Akut ärende, ordinarie handläggare sjuk."},
    )
    assert response.status_code == 302
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 200
    login(client, org.unit_head)
    page = client.get(reverse("access_log")).content.decode()
    assert "Akut ärende, ordinarie handläggare sjuk." in page


def test_emergency_access_without_reason_is_refused(client, org, case):
    login(client, org.other_social_worker)
    client.post(reverse("emergency_access", args=[case.pk]), {"reason": ""})
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 403


@pytest.mark.parametrize("role_attr", ["social_worker", "reception", "intake_head", "finance"])
def test_only_unit_head_reviews_the_access_log(client, org, role_attr):
    response = login(client, getattr(org, role_attr)).get(reverse("access_log"))
    assert response.status_code == 403


def test_benefit_administrator_cannot_sign_investigation_through_http(client, org, case):
    services.reassign_case(org.intake_head, case, handler=org.benefit_admin, reason="test")
    login(client, org.benefit_admin)
    response = client.get(reverse("investigation", args=[case.pk]))
    assert response.status_code == 403


def test_social_worker_takes_case_and_signs_investigation_with_child_perspective(client, org, case):
    login(client, org.social_worker)
    assert client.post(reverse("take_case", args=[case.pk])).status_code == 302
    case.refresh_from_db()
    assert case.handler == org.social_worker
    adult = case.household.memberships.get(role="applicant").person
    form = {
        "situation": "Arbetslös sedan i våras.",
        "household_economy": "Inga inkomster.",
        f"obstacle_{adult.pk}": "unemployed_no_benefit",
        "sign": "1",
    }
    response = client.post(reverse("investigation", args=[case.pk]), form)
    assert "Barnperspektivet måste bedömas" in response.content.decode()
    form["child_perspective"] = "Barnet påverkas av familjens ekonomi."
    response = client.post(reverse("investigation", args=[case.pk]), form)
    assert response.status_code == 302
    assert case.investigation.latest_signed().number == 1


def test_journal_entry_via_htmx_returns_timeline(client, org, case):
    login(client, org.social_worker)
    response = client.post(
        reverse("add_journal", args=[case.pk]),
        {
            "journal-kind": "phone",
            "journal-text": "Ringde klienten om kompletteringar.",
            "journal-sign": "on",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Ringde klienten" in response.content.decode()


def test_inbox_marks_waiting_days(client, org, household_factory, today):
    import datetime as dt

    household = household_factory(org.reception)
    services.register_application(
        org.reception,
        household,
        kind="new",
        month=today.replace(day=1),
        received_on=today - dt.timedelta(days=8),
    )
    page = login(client, org.social_worker).get(reverse("inbox")).content.decode()
    assert 'class="red"' in page


def test_caseload_page_for_section_head_only(client, org, case):
    assert login(client, org.intake_head).get(reverse("caseload")).status_code == 200
    assert login(client, org.social_worker).get(reverse("caseload")).status_code == 403


def test_search_is_logged_and_hides_cases_of_other_sections(client, org, case):
    login(client, org.other_social_worker)
    page = client.get(reverse("search"), {"q": "Tolvansson"}).content.decode()
    assert "ej behörig" in page
    assert AccessLogEntry.objects.filter(
        actor_id=org.other_social_worker.pk, action="search"
    ).exists()


def test_document_download_is_logged(client, org, case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ..files import pdf_bytes

    doc = services.upload_document(
        org.social_worker, case, SimpleUploadedFile("a.pdf", pdf_bytes()), kind="other"
    )
    response = login(client, org.social_worker).get(reverse("download_document", args=[doc.pk]))
    assert response.status_code == 200
    assert AccessLogEntry.objects.filter(actor_id=org.social_worker.pk, action="download").exists()
    # Finance may not open the case nor take emergency access: the document looks missing.
    assert (
        login(client, org.finance).get(reverse("download_document", args=[doc.pk])).status_code
        == 404
    )
