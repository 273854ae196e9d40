"""Messages between the applicant and the handler (issue #14, part 3): journal entries of the
received/sent kinds, never edited, in the staff timeline and the applicant's thread."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from bistand.audit.models import AccessLogEntry, AuditAction
from bistand.cases.models import JournalEntry, JournalKind
from bistand.core.models import FinalRecordError
from tests.factories import ADULT_NUMBERS
from tests.payments.conftest import World

from .conftest import portal_login

APPLICANT = ADULT_NUMBERS[0]
OTHER = ADULT_NUMBERS[2]


@pytest.fixture
def world(org):
    return World(org)


def _send(client, case, text):
    return client.post(reverse("portal:messages", args=[case.pk]), {"text": text})


def test_the_applicant_writes_and_the_handler_sees_it_in_the_timeline(client, org, world):
    portal_login(client, APPLICANT)
    response = _send(client, world.case, "Hej! Jag har fått ett nytt jobb från januari.")
    assert response.status_code == 302
    entry = JournalEntry.objects.get(case=world.case, kind=JournalKind.RECEIVED_MESSAGE)
    assert entry.written_by is None and entry.from_person.identity_number == APPLICANT
    assert entry.signed_at is not None
    log = AccessLogEntry.objects.filter(
        action=AuditAction.CREATE, object_id=str(entry.pk), channel="e-tjanst"
    ).get()
    assert log.actor_username.startswith("sokande:")
    thread = client.get(response["Location"]).content.decode()
    assert "nytt jobb från januari" in thread and "Ditt meddelande är skickat" in thread

    staff = client.__class__()
    staff.force_login(org.other_social_worker)
    page = staff.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert "nytt jobb från januari" in page
    assert "sökande, via e-tjänsten" in page
    assert 'data-testid="answer-message"' in page  # sets the journal form to a sent message


def test_the_handler_answers_from_the_case_page_and_the_applicant_sees_it(client, org, world):
    staff = client.__class__()
    staff.force_login(org.other_social_worker)
    response = staff.post(
        reverse("add_journal", args=[world.case.pk]),
        {
            "journal-kind": JournalKind.SENT_MESSAGE,
            "journal-text": "Tack, skicka anställningsavtalet när du har det.",
            "journal-sign": "on",
        },
    )
    assert response.status_code in (200, 302)
    assert JournalEntry.objects.filter(case=world.case, kind=JournalKind.SENT_MESSAGE).exists()
    portal_login(client, APPLICANT)
    thread = client.get(reverse("portal:messages", args=[world.case.pk])).content.decode()
    assert "skicka anställningsavtalet" in thread
    assert "Från din handläggare" in thread


def test_an_unsigned_staff_note_or_other_journal_entry_is_not_shown(client, org, world):
    from bistand.cases import services as case_services

    case_services.add_journal_entry(
        org.other_social_worker, world.case, text="Intern anteckning om ekonomin."
    )
    case_services.add_journal_entry(
        org.other_social_worker,
        world.case,
        text="Utkast till svar.",
        kind=JournalKind.SENT_MESSAGE,
        sign=False,
    )
    portal_login(client, APPLICANT)
    thread = client.get(reverse("portal:messages", args=[world.case.pk])).content.decode()
    assert "Intern anteckning" not in thread
    assert "Utkast till svar" not in thread


def test_an_empty_message_gets_a_message_and_stores_nothing(client, world):
    portal_login(client, APPLICANT)
    response = _send(client, world.case, "   ")
    assert response.status_code == 400
    assert "Skriv ditt meddelande." in response.content.decode()
    assert not JournalEntry.objects.filter(kind=JournalKind.RECEIVED_MESSAGE).exists()


def test_a_too_long_message_is_refused_and_kept(client, world):
    portal_login(client, APPLICANT)
    text = "a" * 20_001
    response = _send(client, world.case, text)
    assert response.status_code == 400
    assert not JournalEntry.objects.filter(kind=JournalKind.RECEIVED_MESSAGE).exists()


def test_a_received_message_is_never_edited(client, world):
    portal_login(client, APPLICANT)
    _send(client, world.case, "Första versionen.")
    entry = JournalEntry.objects.get(kind=JournalKind.RECEIVED_MESSAGE)
    entry.text = "Ändrad"
    with pytest.raises(FinalRecordError):
        entry.save()


def test_a_journal_entry_has_exactly_one_author(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        JournalEntry.objects.create(
            case=world.case, kind="note", occurred_on="2026-01-01", text="x"
        )


def test_staff_cannot_choose_the_received_kind(org, world):
    from bistand.cases.forms import JournalForm

    assert JournalKind.RECEIVED_MESSAGE not in dict(JournalForm().fields["kind"].choices)


def test_another_household_cannot_read_or_write_the_thread(client, world):
    other_case, _ = world.decided_case(OTHER)
    portal_login(client, APPLICANT)
    _send(client, world.case, "Mitt eget meddelande.")
    client.post(reverse("portal:logout"))
    portal_login(client, OTHER)
    assert client.get(reverse("portal:messages", args=[world.case.pk])).status_code == 404
    assert _send(client, world.case, "Intrång").status_code == 404
    assert not JournalEntry.objects.filter(text="Intrång").exists()
    own = client.get(reverse("portal:messages", args=[other_case.pk])).content.decode()
    assert "Mitt eget meddelande" not in own


def test_staff_cannot_write_a_received_message_through_the_service_or_the_api(org, world):
    from bistand.cases import services as case_services
    from bistand.core.errors import DomainError

    with pytest.raises(DomainError):
        case_services.add_journal_entry(
            org.other_social_worker,
            world.case,
            text="Låtsas vara sökande.",
            kind=JournalKind.RECEIVED_MESSAGE,
        )
    assert not JournalEntry.objects.filter(kind=JournalKind.RECEIVED_MESSAGE).exists()
