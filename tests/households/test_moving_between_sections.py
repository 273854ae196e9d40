"""Taking a person out of (or into) a household with an open case needs access to that case.

Security issue #11, item 3: registering a household in section B moved the applicant out of
section A's open case, answered with the person's real name and identity number, and a
back-dated attempt named them in the refusal. Tried here through the service, the JSON API and
the reception form, as an insider in the other section would.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from rest_framework.test import APIClient

from bistand.audit.models import AccessLogEntry
from bistand.cases import services as case_services
from bistand.cases.models import Application, Case
from bistand.households import services as household_services
from bistand.households.models import Household, HouseholdMembership, Person
from bistand.households.services import (
    MOVE_IN_REFUSED_MESSAGE,
    MOVE_REFUSED_MESSAGE,
    MemberInput,
    MoveRefused,
    leave_household,
    move_person,
    register_household,
)
from tests.factories import ADULT_NUMBERS

HELD_NUMBER = ADULT_NUMBERS[0]  # Tolvan Tolvansson, applicant of section A's case
HELD_FORMS = (HELD_NUMBER, f"{HELD_NUMBER[:8]}-{HELD_NUMBER[8:]}", HELD_NUMBER[2:])
EXPECTED_MESSAGE = (
    "Personen är redan registrerad i ett annat hushåll med ett pågående ärende. "
    "Kontakta den sektion som handlägger ärendet."
)


@pytest.fixture
def section_a_case(org, today, this_month):
    """An open case in section A (intake): Tolvan Tolvansson and a child, since 60 days."""
    household = register_household(
        org.reception,
        [
            MemberInput(HELD_NUMBER, "Tolvan", "Tolvansson", "applicant"),
            MemberInput("201501102386", "Lilla", "Tolvansson", "child"),
        ],
        city="Lund",
        on=today - dt.timedelta(days=60),
    )
    return case_services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case


@pytest.fixture
def section_b_user(org):
    """A social worker in section B (labour market): may register households, not open A's case."""
    return org.other_social_worker


def _held_person() -> Person:
    return Person.objects.get(identity_number=HELD_NUMBER)


def _state(case: Case) -> tuple:
    """What a refused attempt must leave untouched."""
    memberships = tuple(
        HouseholdMembership.objects.order_by("pk").values_list(
            "pk", "household_id", "person_id", "valid_from", "valid_to"
        )
    )
    return (
        memberships,
        Household.objects.count(),
        Person.objects.count(),
        Case.objects.count(),
        Application.objects.count(),
        case.household.applicant_on(dt.date.today()),
    )


def _reveals_nothing(text: str, case: Case) -> None:
    assert "Tolvan" not in text and "Tolvansson" not in text
    for number in HELD_FORMS:
        assert number not in text
    assert case.reference not in text


def _refusal_logged(user, channel: str) -> AccessLogEntry:
    row = AccessLogEntry.objects.get(actor_id=user.pk, action="access_denied")
    assert row.person_id == _held_person().pk
    assert row.channel == channel
    return row


def _members(number: str = HELD_NUMBER) -> list[MemberInput]:
    # The insider types the number, and a name of their own choosing.
    return [MemberInput(number, "Någon", "Annan", "applicant")]


# --- The service ---------------------------------------------------------------------------


def test_the_message_is_the_agreed_swedish_sentence():
    assert MOVE_REFUSED_MESSAGE == EXPECTED_MESSAGE


def test_section_b_cannot_register_a_household_that_takes_the_applicant_of_a_section_a_case(
    org, section_a_case, section_b_user
):
    before = _state(section_a_case)

    with pytest.raises(MoveRefused) as refused:
        register_household(section_b_user, _members())

    assert refused.value.code == "person_in_other_open_case"
    assert refused.value.message == EXPECTED_MESSAGE
    assert refused.value.context == {}  # no case id for the refusal page to offer
    _reveals_nothing(refused.value.message, section_a_case)
    assert _state(section_a_case) == before
    assert section_a_case.household.applicant_on(dt.date.today()) == _held_person()
    _refusal_logged(section_b_user, "command")


def test_a_back_dated_attempt_is_refused_the_same_way_without_the_name(
    org, section_a_case, section_b_user, today
):
    before = _state(section_a_case)

    with pytest.raises(MoveRefused) as refused:
        register_household(section_b_user, _members(), on=today - dt.timedelta(days=90))

    assert refused.value.message == EXPECTED_MESSAGE
    _reveals_nothing(refused.value.message, section_a_case)
    assert _state(section_a_case) == before


def test_a_back_dated_move_by_someone_with_access_does_not_name_the_person_either(
    org, section_a_case, today
):
    with pytest.raises(household_services.DomainError) as refused:
        register_household(org.reception, _members(), on=today - dt.timedelta(days=90))

    assert refused.value.code == "membership_overlap"
    assert "Tolvan" not in refused.value.message


def test_refusal_also_covers_a_child_of_the_section_a_household(
    org, section_a_case, section_b_user
):
    members = [
        MemberInput(ADULT_NUMBERS[3], "Vuxen", "Annan", "applicant"),
        MemberInput("201501102386", "Barn", "Annan", "child"),
    ]
    before = _state(section_a_case)

    with pytest.raises(MoveRefused):
        register_household(section_b_user, members)

    assert _state(section_a_case) == before


def test_those_who_may_open_the_case_may_move_the_person_and_the_lookup_is_logged(
    org, section_a_case
):
    household = register_household(org.intake_head, _members())

    person = _held_person()
    assert HouseholdMembership.objects.get(person=person, valid_to__isnull=True).household == (
        household
    )
    assert AccessLogEntry.objects.filter(
        actor_id=org.intake_head.pk, action="view", person_id=person.pk
    ).exists()


def test_emergency_access_to_the_case_counts_as_access(org, section_a_case, section_b_user):
    case_services.take_emergency_access(
        section_b_user, section_a_case, "Personen söker hos oss efter flytt till vår sektion."
    )

    household = register_household(section_b_user, _members())

    assert HouseholdMembership.objects.get(
        person=_held_person(), valid_to__isnull=True
    ).household == (household)


def test_a_person_in_a_household_without_an_open_case_may_be_registered_by_anyone(
    org, section_b_user, today
):
    register_household(  # registered, no application
        org.reception, _members(ADULT_NUMBERS[5]), on=today - dt.timedelta(days=10)
    )

    household = register_household(section_b_user, _members(ADULT_NUMBERS[5]))

    assert household.memberships.get().person.identity_number == ADULT_NUMBERS[5]


def test_section_b_cannot_move_a_person_out_of_the_section_a_household(
    org, section_a_case, section_b_user, today
):
    own = register_household(section_b_user, [MemberInput(ADULT_NUMBERS[4], "B", "B", "applicant")])
    before = _state(section_a_case)

    with pytest.raises(MoveRefused) as refused:
        move_person(section_b_user, _held_person(), own, "co_applicant", today + dt.timedelta(1))

    assert refused.value.message == EXPECTED_MESSAGE
    assert _state(section_a_case) == before
    _refusal_logged(section_b_user, "command")


def test_section_b_cannot_move_its_own_person_into_the_section_a_household(
    org, section_a_case, section_b_user, today
):
    register_household(section_b_user, [MemberInput(ADULT_NUMBERS[4], "B", "B", "applicant")])
    own_person = Person.objects.get(identity_number=ADULT_NUMBERS[4])
    before = _state(section_a_case)

    with pytest.raises(MoveRefused) as refused:
        move_person(
            section_b_user, own_person, section_a_case.household, "child", today + dt.timedelta(1)
        )

    assert refused.value.message == MOVE_IN_REFUSED_MESSAGE
    assert _state(section_a_case) == before


def test_section_b_cannot_end_the_membership_of_the_section_a_applicant(
    org, section_a_case, section_b_user, today
):
    before = _state(section_a_case)

    with pytest.raises(MoveRefused):
        leave_household(section_b_user, _held_person(), today + dt.timedelta(1))

    assert _state(section_a_case) == before


def test_without_the_case_rule_registered_moves_are_refused_not_allowed(
    org, section_a_case, monkeypatch
):
    monkeypatch.setattr(household_services, "_household_change_rules", [])

    with pytest.raises(ImproperlyConfigured):
        register_household(org.reception, _members())


# --- The JSON API --------------------------------------------------------------------------


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _registration(**extra) -> dict:
    return {
        "members": [
            {
                "identity_number": f"{HELD_NUMBER[:8]}-{HELD_NUMBER[8:]}",
                "first_name": "Någon",
                "last_name": "Annan",
                "role": "applicant",
            }
        ],
        **extra,
    }


@pytest.mark.parametrize("back_dated", [False, True])
def test_api_refuses_section_b_without_revealing_anything_and_changes_nothing(
    org, section_a_case, section_b_user, today, back_dated
):
    extra = {"valid_from": (today - dt.timedelta(days=90)).isoformat()} if back_dated else {}
    before = _state(section_a_case)

    response = _api(section_b_user).post(
        "/api/v1/households/", _registration(**extra), format="json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "error": {"code": "person_in_other_open_case", "message": EXPECTED_MESSAGE}
    }
    text = response.content.decode()
    _reveals_nothing(text, section_a_case)
    assert not re.search(r"\d", json.dumps(response.json(), ensure_ascii=False))
    assert _state(section_a_case) == before
    _refusal_logged(section_b_user, "api")


def test_api_lets_the_section_holding_the_case_move_the_person_and_logs_the_lookup(
    org, section_a_case
):
    response = _api(org.reception).post("/api/v1/households/", _registration(), format="json")

    assert response.status_code == 201, response.json()
    person = _held_person()
    assert AccessLogEntry.objects.filter(
        actor_id=org.reception.pk, action="view", person_id=person.pk, channel="api"
    ).exists()


# --- The reception form --------------------------------------------------------------------


def _form(number: str, month: dt.date) -> dict:
    return {
        "m-TOTAL_FORMS": "1",
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "1",
        "m-MAX_NUM_FORMS": "12",
        "m-0-identity_number": number,
        "m-0-first_name": "Någon",
        "m-0-last_name": "Annan",
        "m-0-role": "applicant",
        "address": "Lillgatan 2",
        "postal_code": "22200",
        "city": "Lund",
        "month": f"{month:%Y-%m}",
        "received_on": "",
        "channel": "visit",
    }


def test_form_refuses_section_b_with_the_swedish_message_and_changes_nothing(
    client, org, section_a_case, section_b_user, this_month
):
    client.force_login(section_b_user)
    before = _state(section_a_case)

    response = client.post(reverse("register_household"), _form(HELD_NUMBER, this_month))

    assert response.status_code == 400  # refused, shown again (docs/forms.md)
    page = response.content.decode()
    assert EXPECTED_MESSAGE in page
    assert "Tolvan" not in page and section_a_case.reference not in page
    assert _state(section_a_case) == before
    _refusal_logged(section_b_user, "ui")


def test_form_lets_the_section_holding_the_case_register_and_logs_the_lookup(
    client, org, section_a_case, this_month
):
    client.force_login(org.intake_head)
    # The household's case is open, so a new application for the moved applicant's new
    # household is a new case; the old case keeps the child.
    response = client.post(reverse("register_household"), _form(HELD_NUMBER, this_month))

    assert response.status_code == 302
    assert AccessLogEntry.objects.filter(
        actor_id=org.intake_head.pk, action="view", person_id=_held_person().pk, channel="ui"
    ).exists()


def test_searching_by_identity_number_in_the_ui_is_logged(client, org, section_a_case):
    client.force_login(org.other_social_worker)

    response = client.get(reverse("search"), {"q": f"{HELD_NUMBER[:8]}-{HELD_NUMBER[8:]}"})

    assert response.status_code == 200
    row = AccessLogEntry.objects.get(actor_id=org.other_social_worker.pk, action="search")
    assert row.channel == "ui" and str(_held_person().pk) in row.detail
