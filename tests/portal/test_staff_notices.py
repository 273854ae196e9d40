"""Nytt från sökande (issue #14): what the applicant sends through the e-service — an
application, an answer to a completion request, a message, documents, an appeal — is a notice
to the case's handler (with no handler, to the section's queue) on the staff start page,
marked read by a row of its own; another section, a conflict of interest and anonymous see
nothing; the notice itself is never changed or deleted."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bistand.audit.models import AccessLogEntry, AuditAction
from bistand.cases import services as case_services
from bistand.core.models import FinalRecordError
from bistand.households.models import Person
from bistand.portal import services, services_apply, staff_notices
from bistand.portal.models import StaffNotice, StaffNoticeKind, StaffNoticeRead
from tests.conftest import make_household
from tests.payments.conftest import World

from .conftest import APPLICANT, portal_login
from .conftest import month_text as _month
from .conftest import pdf_upload as _pdf
from .conftest import repeat_post as _repeat_post

NEWS = 'data-testid="applicant-news"'


@pytest.fixture
def household(org):
    return make_household(org.reception, children=True)


@pytest.fixture
def case(org, household):
    """An open case in the intake section with no handler yet (registered by reception)."""
    return case_services.register_application(
        org.reception,
        household,
        kind="new",
        month=_month(0),
        stated_costs=[{"type": "rent", "amount": "6500.00"}],
    ).case


def _applicant() -> Person:
    return Person.objects.get(identity_number=APPLICANT)


def _home(user) -> str:
    staff = Client()
    staff.force_login(user)
    response = staff.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _staff(user) -> Client:
    staff = Client()
    staff.force_login(user)
    return staff


def test_a_message_is_a_notice_to_the_handler_only(org, case):
    case_services.take_case(org.social_worker, case)
    services.send_message(_applicant(), case, text="Jag har fått ett nytt jobb.")
    notice = StaffNotice.objects.get()
    assert notice.kind == StaffNoticeKind.MESSAGE and notice.case == case
    assert notice.handler == org.social_worker and notice.section == case.section

    page = _home(org.social_worker)
    assert NEWS in page and case.reference in page and "Meddelande" in page
    assert reverse("case_detail", args=[case.pk]) in page
    # No case content on the start page, and nothing e-mailed to the staff.
    assert "Jag har fått ett nytt jobb." not in page
    assert mail.outbox == []
    # The case has a handler: the rest of the section is not told; another section never.
    assert NEWS not in _home(org.intake_head)
    assert NEWS not in _home(org.other_social_worker)
    row = AccessLogEntry.objects.filter(detail__contains="applicant_news").latest("id")
    assert row.action == AuditAction.VIEW


def test_with_no_handler_the_section_queue_sees_it_and_each_reads_it_for_themselves(org, case):
    assert case.handler_id is None
    services.send_message(_applicant(), case, text="Hej.")
    assert NEWS in _home(org.social_worker)
    assert NEWS in _home(org.intake_head)
    assert "sektionens kö" in _home(org.social_worker)
    assert NEWS not in _home(org.other_social_worker)
    assert NEWS not in _home(org.labour_head)

    response = _staff(org.social_worker).post(reverse("applicant_news_read", args=[case.pk]))
    assert response.status_code == 302
    assert NEWS not in _home(org.social_worker)
    assert NEWS in _home(org.intake_head)
    # The read is a row of its own; the notice is still there.
    assert StaffNoticeRead.objects.get().user == org.social_worker
    assert StaffNotice.objects.count() == 1
    # Reading again writes nothing new.
    _staff(org.social_worker).post(reverse("applicant_news_read", args=[case.pk]))
    assert StaffNoticeRead.objects.count() == 1


def test_the_notice_follows_the_case_to_its_new_handler(org, case):
    services.send_message(_applicant(), case, text="Hej.")
    assert NEWS in _home(org.intake_head)
    case_services.take_case(org.social_worker, case)
    assert NEWS in _home(org.social_worker)
    assert NEWS not in _home(org.intake_head)


def test_another_section_cannot_mark_it_read(org, case):
    services.send_message(_applicant(), case, text="Hej.")
    response = _staff(org.labour_head).post(reverse("applicant_news_read", args=[case.pk]))
    assert response.status_code == 404
    assert not StaffNoticeRead.objects.exists()
    assert (
        _staff(org.social_worker).get(reverse("applicant_news_read", args=[case.pk])).status_code
        == 405
    )
    anonymous = Client().post(reverse("applicant_news_read", args=[case.pk]))
    assert anonymous.status_code == 302 and not StaffNoticeRead.objects.exists()


def test_a_conflict_of_interest_hides_the_notice(org, case):
    services.send_message(_applicant(), case, text="Hej.")
    # The section head belongs to the household (jäv): the case and its notice are hidden.
    assert NEWS in _home(org.intake_head)
    org.intake_head.identity_number = APPLICANT
    org.intake_head.save()
    assert NEWS not in _home(org.intake_head)
    assert not staff_notices.unread_for(org.intake_head).exists()
    response = _staff(org.intake_head).post(reverse("applicant_news_read", args=[case.pk]))
    assert response.status_code == 404


def test_notices_are_never_changed_or_deleted(org, case):
    services.send_message(_applicant(), case, text="Hej.")
    notice = StaffNotice.objects.get()
    notice.kind = StaffNoticeKind.APPEAL
    with pytest.raises(FinalRecordError):
        notice.save()
    with pytest.raises(FinalRecordError):
        notice.delete()
    staff_notices.mark_case_read(org.social_worker, case.pk)
    with pytest.raises(FinalRecordError):
        StaffNoticeRead.objects.get().delete()


def test_the_same_event_reported_twice_is_one_notice(org, case):
    person = _applicant()
    first = staff_notices.notify_staff(case, "message", person=person, event="message:1")
    again = staff_notices.notify_staff(case, "message", person=person, event="message:1")
    assert first.pk == again.pk and StaffNotice.objects.count() == 1


def test_an_online_application_documents_and_a_completion_answer_are_notices(client, org, case):
    case_services.take_case(org.social_worker, case)
    portal_login(client, APPLICANT)
    response = client.post(
        reverse("portal:apply_repeat", args=[case.pk]), _repeat_post(attachment=_pdf())
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    client.post(
        reverse("portal:send_documents", args=[case.pk]), {"file": _pdf(), "kind": "payslip"}
    )
    request = services_apply.request_completion(
        org.social_worker,
        case,
        text="Kontoutdrag.",
        due_on=timezone.localdate() + dt.timedelta(days=5),
    )
    client.post(
        reverse("portal:answer_request", args=[case.pk, request.pk]),
        {"file": _pdf(), "kind": "bank_statement", "text": "Här."},
    )
    kinds = set(StaffNotice.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == {
        StaffNoticeKind.APPLICATION,
        StaffNoticeKind.DOCUMENT,
        StaffNoticeKind.COMPLETION_ANSWER,
    }
    page = _home(org.social_worker)
    for label in ("Ansökan via e-tjänsten", "Handlingar", "Svar på begäran om komplettering"):
        assert label in page
    assert "(3)" in page


def test_an_appeal_is_a_notice_to_the_handler(client, org):
    world = World(org)
    services_follow_appeal = reverse("portal:appeal", args=[world.case.pk, world.decision.pk])
    portal_login(client, world.case.household.applicant_on(timezone.localdate()).identity_number)
    response = client.post(services_follow_appeal, {"text": "Jag behöver glasögonen."})
    assert response.status_code == 302
    notice = StaffNotice.objects.get(kind=StaffNoticeKind.APPEAL)
    assert notice.case == world.case
    assert "Överklagande" in _home(world.case.handler)


def test_the_start_page_does_not_ask_more_per_case_with_news(
    org, case, household_factory, django_assert_max_num_queries
):
    person = _applicant()
    staff_notices.notify_staff(case, "message", person=person, event="message:1")
    staff = _staff(org.social_worker)
    staff.get(reverse("home"))  # warm the session and the per-process caches
    with django_assert_max_num_queries(80) as few:
        assert NEWS in staff.get(reverse("home")).content.decode()
    for number in ("198801122394", "196504203792"):
        other = case_services.register_application(
            org.reception,
            household_factory(org.reception, adult=number),
            kind="new",
            month=_month(0),
        ).case
        staff_notices.notify_staff(other, "document", person=person, event=f"documents:{number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = staff.get(reverse("home")).content.decode()
    assert page.count(reverse("applicant_news_read", args=[case.pk])) == 1
    assert "<td>Handlingar</td>" in page
