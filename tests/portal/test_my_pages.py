"""Mina sidor (issue #14, part 2): the applicant follows their household's cases, and never
sees another household's."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bistand.audit.models import AccessLogEntry, AuditAction
from bistand.cases import services as case_services
from bistand.cases.models import Case
from bistand.households.models import Person
from bistand.households.services import MemberInput, leave_household, register_household
from tests.conftest import make_household
from tests.factories import ADULT_NUMBERS, CHILD_NUMBERS
from tests.payments.conftest import World

from .conftest import portal_login

APPLICANT = ADULT_NUMBERS[0]  # World's decided case
OTHER = ADULT_NUMBERS[2]


@pytest.fixture
def world(org):
    return World(org)


@pytest.fixture
def other(world):
    return world.decided_case(OTHER)


def _logged_in(client, number):
    response = portal_login(client, number)
    assert response.status_code == 302, response.content.decode()
    return client


def test_home_lists_the_case_and_the_application_status(client, world):
    _logged_in(client, APPLICANT)
    page = client.get(reverse("portal:home"))
    text = page.content.decode()
    assert world.case.reference in text
    assert "Beslut är fattat" in text
    rows = AccessLogEntry.objects.filter(
        action=AuditAction.VIEW, channel="e-tjanst", case_id=world.case.pk
    )
    assert rows.exists()
    assert all(row.actor_username.startswith("sokande:") for row in rows)


def test_the_case_page_shows_decision_letter_payments_and_follow_up(client, world):
    order = world.attested(amount="1234.00")
    Case.objects.filter(pk=world.case.pk).update(next_follow_up_on=dt.date(2027, 1, 15))
    _logged_in(client, APPLICANT)
    page = client.get(reverse("portal:case", args=[world.case.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    letter_url = reverse("portal:letter", args=[world.case.pk, world.decision.pk])
    assert letter_url in text
    assert "Planerad" in text and "1 234" in text.replace("\xa0", " ")
    assert f"{order.pay_on.day} " in text
    assert "15 januari 2027" in text
    assert AccessLogEntry.objects.filter(
        action=AuditAction.VIEW, channel="e-tjanst", case_id=world.case.pk
    ).exists()


def test_the_letter_is_the_stored_pdf_and_its_download_is_logged(client, world):
    _logged_in(client, APPLICANT)
    response = client.get(reverse("portal:letter", args=[world.case.pk, world.decision.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert bytes(response.content) == bytes(world.decision.letter.pdf)
    assert AccessLogEntry.objects.filter(
        action=AuditAction.DOWNLOAD, channel="e-tjanst", case_id=world.case.pk
    ).exists()


def test_another_households_case_answers_404(client, world, other):
    other_case, other_decision = other
    _logged_in(client, APPLICANT)
    home = client.get(reverse("portal:home")).content.decode()
    assert other_case.reference not in home
    assert client.get(reverse("portal:case", args=[other_case.pk])).status_code == 404
    assert (
        client.get(reverse("portal:letter", args=[other_case.pk, other_decision.pk])).status_code
        == 404
    )
    # Own case id with the other household's decision id: 404 too.
    assert (
        client.get(reverse("portal:letter", args=[world.case.pk, other_decision.pk])).status_code
        == 404
    )
    assert client.get(reverse("portal:case", args=[999999])).status_code == 404


def test_the_other_household_sees_only_its_own(client, world, other):
    other_case, _ = other
    _logged_in(client, OTHER)
    home = client.get(reverse("portal:home")).content.decode()
    assert other_case.reference in home
    assert world.case.reference not in home
    assert client.get(reverse("portal:case", args=[world.case.pk])).status_code == 404


def test_a_person_who_left_the_household_no_longer_sees_the_case(client, org):
    household = register_household(
        org.reception,
        [
            MemberInput(ADULT_NUMBERS[4], "Tolvan", "Tolvansson", "applicant"),
            MemberInput(ADULT_NUMBERS[3], "Elva", "Elvasson", "co_applicant"),
        ],
        address="Storgatan 1",
        postal_code="22100",
        city="Lund",
        on=timezone.localdate() - dt.timedelta(days=40),
    )
    application = case_services.register_application(
        org.reception, household, kind="new", month=timezone.localdate().replace(day=1)
    )
    case = application.case
    co_applicant = Person.objects.get(identity_number=ADULT_NUMBERS[3])
    _logged_in(client, ADULT_NUMBERS[3])
    assert client.get(reverse("portal:case", args=[case.pk])).status_code == 200
    assert "Vi har tagit emot din ansökan" in client.get(reverse("portal:home")).content.decode()
    leave_household(org.unit_head, co_applicant, timezone.localdate())
    assert client.get(reverse("portal:case", args=[case.pk])).status_code == 404
    assert case.reference not in client.get(reverse("portal:home")).content.decode()


def test_a_child_in_the_household_sees_no_case(client, org):
    household = make_household(org.reception, adult=ADULT_NUMBERS[5], children=True)
    application = case_services.register_application(
        org.reception, household, kind="new", month=timezone.localdate().replace(day=1)
    )
    _logged_in(client, CHILD_NUMBERS[0])
    assert client.get(reverse("portal:case", args=[application.case_id])).status_code == 404
    assert (
        "Du har inget ärende hos oss just nu" in client.get(reverse("portal:home")).content.decode()
    )


def test_staff_are_refused_the_portal_case_page(client, org, world):
    client.force_login(org.other_social_worker)
    assert client.get(reverse("portal:case", args=[world.case.pk])).status_code == 403


def test_a_letter_stored_before_a_protected_identity_marking_is_not_handed_out(client, org, world):
    from bistand.cases import protection

    _logged_in(client, APPLICANT)
    url = reverse("portal:letter", args=[world.case.pk, world.decision.pk])
    assert client.get(url).status_code == 200
    person = world.case.household.memberships.get(role="applicant").person
    protection.mark_protected_identity(
        org.other_social_worker,
        world.case,
        person,
        kind="protected_registration",
        registered_on=dt.date(2026, 1, 1),
    )
    response = client.get(url)
    assert response.status_code == 403
    assert b"Storgatan" not in response.content
    assert "Brevet kan inte visas här" in response.content.decode()
    # The case page shows no address at all.
    page = client.get(reverse("portal:case", args=[world.case.pk])).content.decode()
    assert "Storgatan" not in page
