"""The decision letter never prints the address of a household with protected identity: its
address field carries the unit's forwarding instruction, read back from the PDF with pypdf."""

import datetime as dt

from django.urls import reverse

from bistand.cases import protection
from bistand.decisions.letters import PROTECTED_MAIL_DEFAULT, letter_text

from .conftest import decide


def _text(pdf: bytes) -> str:
    return " ".join(letter_text(pdf).split())


def _mark(org, application):
    case = application.case
    person = case.household.memberships.get(role="applicant").person
    protection.mark_protected_identity(
        org.social_worker,
        case,
        person,
        kind="protected_registration",
        registered_on=dt.date(2026, 1, 1),
    )


def test_letter_of_a_protected_household_has_the_forwarding_text_not_the_address(
    org, make_application, this_month
):
    application = make_application(this_month)
    _mark(org, application)
    text = _text(bytes(decide(org.social_worker, application).letter.pdf))
    assert "Storgatan" not in text and "22100" not in text
    assert " ".join(PROTECTED_MAIL_DEFAULT.split()) in text


def test_letter_uses_the_units_own_forwarding_instruction(org, make_application, this_month):
    org.unit.protected_mail_instruction = "Skickas via Skatteverket, Box 1, 100 00 Stockholm."
    org.unit.save()
    application = make_application(this_month)
    _mark(org, application)
    text = _text(bytes(decide(org.social_worker, application).letter.pdf))
    assert "Skickas via Skatteverket, Box 1" in text and "Storgatan" not in text


def test_unprotected_letter_still_has_the_address(org, make_application, this_month):
    application = make_application(this_month)
    text = _text(bytes(decide(org.social_worker, application).letter.pdf))
    assert "Storgatan 1, 22100 Lund" in text


def test_a_letter_stored_before_the_marking_is_not_handed_out(
    client, org, make_application, this_month
):
    application = make_application(this_month)
    decision = decide(org.social_worker, application)
    client.force_login(org.social_worker)
    assert client.get(reverse("decisions:letter", args=[decision.pk])).status_code == 200
    _mark(org, application)
    response = client.get(reverse("decisions:letter", args=[decision.pk]))
    assert response.status_code == 400
    assert b"Storgatan" not in response.content
    assert "skyddade personuppgifter" in response.content.decode()
