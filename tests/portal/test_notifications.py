"""Notifications to the applicant (issue #14): "news on Mina sidor" by e-mail and SMS when a
decision is made or the handler sends a message; no personal data in the message; queued once
per event and channel, sent once by the job however often it runs or is retried."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bistand.cases import services as case_services
from bistand.cases.models import JournalKind
from bistand.jobs.registry import JOBS, JobContext
from bistand.portal import notifications
from bistand.portal.models import ApplicantNotification, ContactPreference
from tests.factories import ADULT_NUMBERS
from tests.payments.conftest import World

from .conftest import decided_new_case, portal_login

APPLICANT = ADULT_NUMBERS[0]


@pytest.fixture
def world(org):
    return World(org)


@pytest.fixture
def applicant(world):
    return world.case.household.applicant_on(timezone.localdate())


@pytest.fixture
def sms(monkeypatch):
    """The SMS backend as configured (BISTAND_SMS_BACKEND), recording what it is given."""
    from bistand.jobs.notifications import SmsBackend

    sent = []

    class Recording(SmsBackend):
        def send(self, to, text):
            sent.append((to, text))

    monkeypatch.setattr(notifications, "sms_backend", lambda: Recording())
    return sent


def _prefer(person, *, email="tolvan@example.se", phone="0701234567", by_email=True, by_sms=True):
    return ContactPreference.objects.create(
        person=person, email=email, phone=phone, by_email=by_email, by_sms=by_sms
    )


def _answer(org, case, text="Vi har fattat beslut, se Mina sidor."):
    """The handler's answer, written as a draft first (no news yet) and then signed."""
    entry = case_services.add_journal_entry(
        org.other_social_worker, case, text=text, kind=JournalKind.SENT_MESSAGE, sign=False
    )
    assert not ApplicantNotification.objects.exists()
    return case_services.sign_journal_entry(org.other_social_worker, entry)


def test_a_signed_message_from_the_handler_queues_email_and_sms(world, org, applicant):
    _prefer(applicant)
    entry = _answer(org, world.case)
    rows = ApplicantNotification.objects.filter(person=applicant, event=f"message:{entry.pk}")
    assert sorted(rows.values_list("channel", flat=True)) == ["email", "sms"]
    for row in rows:
        # Only that there is news: no name, case number, amount or message text.
        for secret in (
            applicant.first_name,
            applicant.last_name,
            applicant.identity_number,
            world.case.reference,
            "beslut",
        ):
            assert secret.lower() not in (row.title + row.body).lower()
        assert "Mina sidor" in row.body


def test_a_final_decision_queues_a_notification_for_the_household(world, org, applicant):
    """The post_save hook: a decision made after the preference was set is notified; the
    decision made before it (World's) was not."""
    assert not ApplicantNotification.objects.exists()

    def prefer_email(household):
        _prefer(household.applicant_on(timezone.localdate()), by_sms=False)

    case, decision = decided_new_case(world, org, ADULT_NUMBERS[2], before_decision=prefer_email)
    row = ApplicantNotification.objects.get()
    assert row.person == case.household.applicant_on(timezone.localdate())
    assert row.channel == "email" and row.reason == "decision"
    assert row.event == f"decision:{decision.pk}"


def test_an_event_is_queued_once_however_often_it_is_reported(applicant):
    _prefer(applicant)
    assert notifications.notify_applicant(applicant, "completion", key="completion:7") == 2
    assert notifications.notify_applicant(applicant, "completion", key="completion:7") == 0
    assert ApplicantNotification.objects.count() == 2


def test_no_preference_or_no_channel_queues_nothing(applicant):
    assert notifications.notify_applicant(applicant, "message", key="message:1") == 0
    _prefer(applicant, by_email=False, by_sms=False)
    assert notifications.notify_applicant(applicant, "message", key="message:1") == 0
    assert not ApplicantNotification.objects.exists()


def test_the_latest_preference_applies(applicant):
    _prefer(applicant)
    _prefer(applicant, by_sms=False)
    notifications.notify_applicant(applicant, "message", key="message:2")
    assert list(ApplicantNotification.objects.values_list("channel", flat=True)) == ["email"]


def test_the_job_sends_each_row_once(applicant, sms):
    _prefer(applicant)
    notifications.notify_applicant(applicant, "message", key="message:3")
    job = JOBS[notifications.JOB]
    assert job.run(JobContext(today=timezone.localdate())) == {"sent": 2}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["tolvan@example.se"]
    assert len(sms) == 1 and sms[0][0] == "0701234567"
    assert job.run(JobContext(today=timezone.localdate())) == {"sent": 0}
    assert len(mail.outbox) == 1 and len(sms) == 1
    assert not ApplicantNotification.objects.filter(sent_at__isnull=True).exists()


def test_a_failed_send_is_retried_and_then_sent_once(applicant, sms, monkeypatch):
    _prefer(applicant, by_sms=False)
    notifications.notify_applicant(applicant, "message", key="message:4")

    def broken(*args, **kwargs):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(notifications, "send_mail", broken)
    with pytest.raises(notifications.DeliveryFailed):
        notifications.deliver_pending()
    row = ApplicantNotification.objects.get()
    assert row.sent_at is None and row.attempts == 1 and row.last_error == "ConnectionError"
    monkeypatch.undo()
    assert notifications.deliver_pending() == {"sent": 1}
    assert notifications.deliver_pending() == {"sent": 0}
    assert len(mail.outbox) == 1


def test_an_unknown_reason_is_a_programming_error(applicant):
    with pytest.raises(ValueError):
        notifications.notify_applicant(applicant, "gossip", key="x")


# --- The contact page ---------------------------------------------------------------------


def test_the_applicant_sets_contact_choices(client, world, applicant):
    assert portal_login(client, APPLICANT).status_code == 302
    url = reverse("portal:contact")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"email": "tolvan@example.se", "phone": "070-123 45 67", "by_email": "on"}
    )
    assert response.status_code == 302
    preference = notifications.contact_preference(applicant)
    assert preference.by_email and not preference.by_sms and preference.phone == "0701234567"


def test_contact_choices_without_an_address_are_refused_at_the_field(client, world):
    assert portal_login(client, APPLICANT).status_code == 302
    response = client.post(reverse("portal:contact"), {"by_sms": "on", "phone": "abc"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Skriv mobilnumret med siffror" in text
    assert not ContactPreference.objects.exists()
    response = client.post(reverse("portal:contact"), {"by_email": "on"})
    assert "Skriv din e-postadress" in response.content.decode()
    assert not ContactPreference.objects.exists()
