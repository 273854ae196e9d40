"""Applying online (issue #14): new and repeat applications with attachments and drafts,
arriving as real applications in the staff inbox; completion requests; access."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bistand.audit.models import AccessLogEntry, AuditAction
from bistand.cases import services as case_services
from bistand.cases.models import Application, ApplicationStatus, CaseStatus, Document
from bistand.core.dates import month_start
from bistand.core.errors import DomainError, PermissionRefused
from bistand.portal import services_apply
from bistand.portal.models import (
    CompletionAnswer,
    CompletionRequest,
    EApplication,
    EApplicationStatus,
    StagedAttachment,
)
from tests.conftest import make_household
from tests.files import image_bytes

from .conftest import APPLICANT, OTHER_APPLICANT, portal_login
from .conftest import month_text as _month
from .conftest import pdf_upload as _pdf
from .conftest import repeat_post as _repeat_post


@pytest.fixture
def household(org):
    """A single-adult household (with a child): the applicant signs alone. Two adults signing
    together: tests/portal/test_co_signing.py."""
    return make_household(org.reception, children=True)


@pytest.fixture
def case(org, household):
    """The household's open case, with last month's application (its figures prefill)."""
    application = case_services.register_application(
        org.reception,
        household,
        kind="new",
        month=_month(0),
        stated_costs=[{"type": "rent", "amount": "6500.00"}],
        stated_incomes=[{"type": "child_allowance", "amount": "1250.00"}],
    )
    return application.case


@pytest.fixture
def other_case(org, other_household):
    return case_services.register_application(
        org.reception, other_household, kind="new", month=_month(0)
    ).case


# --- Repeat application ------------------------------------------------------------------


def test_repeat_application_is_prefilled_from_last_month(client, case):
    portal_login(client, APPLICANT)
    page = client.get(reverse("portal:apply_repeat", args=[case.pk])).content.decode()
    assert 'value="6500.00"' in page and 'value="1250.00"' in page


def test_repeat_application_arrives_as_a_real_application_with_its_attachment(client, org, case):
    portal_login(client, APPLICANT)
    response = client.post(
        reverse("portal:apply_repeat", args=[case.pk]), _repeat_post(attachment=_pdf())
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    sent = EApplication.objects.get(status=EApplicationStatus.SUBMITTED)
    application = sent.application
    assert application.case == case and application.kind == "repeat"
    assert application.channel == "e_service" and application.registered_by is None
    assert application.submitted_by.identity_number == APPLICANT
    assert application.received_on == timezone.localdate()
    assert application.status == ApplicationStatus.RECEIVED
    assert application.stated_incomes == [{"type": "wages", "amount": "4200.50"}]
    assert application.stated_costs == [{"type": "rent", "amount": "6500.00"}]
    assert "börjat arbeta deltid" in application.notes
    document = Document.objects.get(case=case)
    assert document.from_person_id == application.submitted_by_id
    assert document.uploaded_by is None and document.kind == "bank_statement"
    assert not StagedAttachment.objects.get().file  # moved, not kept twice
    log = AccessLogEntry.objects.get(
        action=AuditAction.CREATE, object_type="cases.application", object_id=str(application.pk)
    )
    assert log.channel == "e-tjanst" and log.actor_username.startswith("sokande:")

    receipt = client.get(response["Location"]).content.decode()
    assert "Vi har tagit emot din ansökan" in receipt

    staff = Client()
    staff.force_login(org.social_worker)
    inbox = staff.get(reverse("inbox")).content.decode()
    assert 'data-testid="via-e-service"' in inbox and case.reference in inbox
    page = staff.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "från sökande, via e-tjänsten" in page  # the document in the timeline
    assert 'data-testid="e-application"' in page and "börjat arbeta deltid" in page
    assert reverse("download_document", args=[document.pk]) in page


def test_a_second_submit_of_the_same_form_shows_the_receipt_and_applies_once(client, case):
    portal_login(client, APPLICANT)
    url = reverse("portal:apply_repeat", args=[case.pk])
    client.get(url)
    draft = EApplication.objects.get()
    first = client.post(url, _repeat_post(draft=draft.pk))
    again = client.post(url, _repeat_post(draft=draft.pk))
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert Application.objects.filter(channel="e_service").count() == 1


def test_a_month_already_applied_for_is_refused_at_the_field(client, case):
    portal_login(client, APPLICANT)
    response = client.post(
        reverse("portal:apply_repeat", args=[case.pk]), _repeat_post(month=_month(0))
    )
    assert response.status_code == 400
    assert "Det finns redan en obeslutad ansökan" in response.content.decode()
    assert not Application.objects.filter(channel="e_service").exists()
    assert EApplication.objects.get().data["month"] == _month(0)  # the draft is kept


# --- New application ---------------------------------------------------------------------


def test_new_application_for_a_household_without_a_case_opens_one_in_intake(client, org, household):
    portal_login(client, APPLICANT)
    home = client.get(reverse("portal:home")).content.decode()
    assert 'data-testid="apply-link"' in home
    page = client.get(reverse("portal:apply_new")).content.decode()
    assert 'value="Lilla Tolvansson"' in page  # the household as the unit has it
    assert "201501102386" not in page  # names and roles only, no numbers prefilled
    response = client.post(
        reverse("portal:apply_new"),
        {
            "month": _month(0),
            "member_name_0": "Elva Elvasson",
            "member_role_0": "co_applicant",
            "member_name_1": "Nyfödd Tolvansson",
            "member_number_1": "20220102-2387",
            "member_role_1": "child",
            "income_type_0": "parental_benefit",
            "income_amount_0": "5700",
            "cost_type_0": "rent",
            "cost_amount_0": "7200",
            "attachment_kind": "rent_invoice",
            "attachment": SimpleUploadedFile("hyra.png", image_bytes("PNG"), "image/png"),
            "assured": "on",
            "action": "submit",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    application = Application.objects.get(channel="e_service")
    case = application.case
    assert application.kind == "new" and case.household == household
    assert case.status == CaseStatus.INTAKE and case.section == org.intake
    assert "Nyfödd Tolvansson 20220102-2387 (Barn)" in application.notes
    assert household.memberships.count() == 2  # proposed, not written
    assert Document.objects.get(case=case).content_type == "image/png"
    staff = Client()
    staff.force_login(org.reception)
    assert case.reference in staff.get(reverse("inbox")).content.decode()


def test_new_application_reopens_a_closed_case_through_the_same_service(
    client, org, household, case
):
    case_services.withdraw_application(
        org.social_worker, case.applications.get(), "Sökande har fått arbete."
    )
    case_services.close_case(org.social_worker, case, reason="work")
    portal_login(client, APPLICANT)
    response = client.post(
        reverse("portal:apply_new"),
        {"month": _month(1), "assured": "on", "action": "submit"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    assert case.status == CaseStatus.INTAKE
    reopening = case.reopenings.get()
    assert reopening.reopened_by is None


def test_new_application_is_404_while_the_household_has_an_open_case(client, case):
    portal_login(client, APPLICANT)
    assert client.get(reverse("portal:apply_new")).status_code == 404


# --- Drafts and bad input ----------------------------------------------------------------


def test_a_draft_keeps_what_was_typed_even_when_refused_and_staff_never_see_it(client, org, case):
    portal_login(client, APPLICANT)
    url = reverse("portal:apply_repeat", args=[case.pk])
    response = client.post(
        url,
        _repeat_post(
            income_amount_0="fyratusen",
            cost_type_1="",
            cost_amount_1="300",
            assured="",
            action="save",
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Skriv beloppet i kronor med siffror" in body
    assert "Välj vad beloppet gäller" in body
    assert not Application.objects.filter(channel="e_service").exists()
    page = client.get(url).content.decode()
    assert 'value="fyratusen"' in page and "Jag har börjat arbeta deltid." in page
    staff = Client()
    staff.force_login(org.social_worker)
    assert "fyratusen" not in staff.get(reverse("case_detail", args=[case.pk])).content.decode()


def test_submit_without_the_assurance_is_refused_in_swedish(client, case):
    portal_login(client, APPLICANT)
    response = client.post(reverse("portal:apply_repeat", args=[case.pk]), _repeat_post(assured=""))
    assert response.status_code == 400
    assert "Du måste intyga att uppgifterna är sanna" in response.content.decode()
    assert not Application.objects.filter(channel="e_service").exists()


def test_a_bad_member_number_is_refused_at_the_field(client, household):
    portal_login(client, APPLICANT)
    response = client.post(
        reverse("portal:apply_new"),
        {
            "month": _month(0),
            "member_name_0": "Någon",
            "member_number_0": "19991399-1234",
            "member_role_0": "other_adult",
            "assured": "on",
            "action": "submit",
        },
    )
    assert response.status_code == 400
    assert "Personnumret stämmer inte" in response.content.decode()
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("kontoutdrag.pdf", b"%PDF-1.4\n<html><script>x</script></html>", "ingen riktig PDF"),
        ("bild.png", b"MZ\x90\x00 this is a program", "Endast PDF, JPEG och PNG"),
        ("tom.pdf", b"", "Filen är tom"),
        ("trasig.jpg", image_bytes("JPEG")[:40], "Bilden går inte att öppna"),
    ],
)
def test_bad_uploads_are_refused_and_the_draft_is_kept(client, case, name, content, message):
    portal_login(client, APPLICANT)
    response = client.post(
        reverse("portal:apply_repeat", args=[case.pk]),
        _repeat_post(attachment=SimpleUploadedFile(name, content, "application/pdf")),
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not StagedAttachment.objects.exists()
    assert not Application.objects.filter(channel="e_service").exists()
    assert EApplication.objects.get().data["changes"] == "Jag har börjat arbeta deltid."


def test_an_oversized_upload_is_refused(client, case, settings):
    settings.DOCUMENT_MAX_BYTES = 100
    portal_login(client, APPLICANT)
    response = client.post(
        reverse("portal:apply_repeat", args=[case.pk]), _repeat_post(attachment=_pdf())
    )
    assert response.status_code == 400
    assert "Filen är för stor" in response.content.decode()
    assert not Document.objects.exists()


def test_a_staged_attachment_can_be_removed_from_the_draft(client, case):
    portal_login(client, APPLICANT)
    url = reverse("portal:apply_repeat", args=[case.pk])
    client.post(url, _repeat_post(attachment=_pdf(), action="save"))
    attachment = StagedAttachment.objects.get()
    draft = attachment.e_application
    response = client.post(
        reverse("portal:apply_remove_attachment", args=[draft.pk, attachment.pk])
    )
    assert response.status_code == 302
    assert not StagedAttachment.objects.exists()


def test_a_submitted_application_is_never_changed(org, case):
    person = case.household.memberships.get(role="applicant").person
    draft = services_apply.draft_for(person, case.household, "repeat", case)
    statement = services_apply.Statement(
        month=dt.date.fromisoformat(_month(1) + "-01"),
        members=[],
        incomes=[],
        costs=[],
        changes="",
        assured=True,
    )
    services_apply.submit(person, draft, statement)
    with pytest.raises(DomainError, match="redan inskickad"):
        services_apply.save_draft(person, draft, {"changes": "ändrat i efterhand"})
    with pytest.raises(DomainError, match="redan inskickad"):
        services_apply.submit(person, draft, statement)


def test_an_application_has_exactly_one_registrar(org, case):
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            case=case,
            kind="repeat",
            month=month_start(timezone.localdate()),
            received_on=timezone.localdate(),
            channel="paper",
        )


# --- Documents later, completion requests ------------------------------------------------


def test_the_applicant_sends_documents_later(client, org, case):
    portal_login(client, APPLICANT)
    response = client.post(
        reverse("portal:send_documents", args=[case.pk]), {"file": _pdf(), "kind": "payslip"}
    )
    assert response.status_code == 302
    document = Document.objects.get(case=case)
    assert document.from_person.identity_number == APPLICANT and document.kind == "payslip"


def test_completion_request_answered_and_seen_by_staff(client, org, case):
    staff = Client()
    staff.force_login(org.social_worker)
    due = timezone.localdate() + dt.timedelta(days=10)
    response = staff.post(
        reverse("request_completion", args=[case.pk]),
        {"text": "Kontoutdrag för november.", "due_on": due.isoformat()},
    )
    assert response.status_code == 302
    request = CompletionRequest.objects.get()
    assert request.requested_by == org.social_worker and request.due_on == due

    portal_login(client, APPLICANT)
    home = client.get(reverse("portal:home")).content.decode()
    assert "Kontoutdrag för november." in home
    url = reverse("portal:answer_request", args=[case.pk, request.pk])
    response = client.post(url, {"file": _pdf(), "kind": "bank_statement", "text": "Här är det."})
    assert response.status_code == 302
    answer = CompletionAnswer.objects.get()
    assert answer.documents.get().case == case
    assert "Kontoutdrag för november." not in client.get(reverse("portal:home")).content.decode()

    page = staff.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "besvarad" in page and "Här är det." in page
    assert "Komplettering inkommen (e-tjänst)" in page


def test_a_completion_request_tells_the_applicant_once_without_personal_data(org, case):
    from bistand.households.models import Person
    from bistand.portal.models import ApplicantNotification, ContactPreference

    person = Person.objects.get(identity_number=APPLICANT)
    ContactPreference.objects.create(
        person=person, email="tolvan@example.se", by_email=True, by_sms=False
    )
    due = timezone.localdate() + dt.timedelta(days=10)
    request = services_apply.request_completion(
        org.social_worker, case, text="Kontoutdrag för november.", due_on=due
    )
    rows = ApplicantNotification.objects.filter(person=person, event=f"completion:{request.pk}")
    assert list(rows.values_list("channel", flat=True)) == ["email"]
    assert "Kontoutdrag" not in str(rows.get().__dict__)


def test_an_unanswered_request_past_its_date_shows_on_the_case(client, org, case):
    CompletionRequest.objects.create(
        case=case,
        text="Lönebesked.",
        due_on=timezone.localdate() - dt.timedelta(days=1),
        requested_by=org.social_worker,
    )
    staff = Client()
    staff.force_login(org.social_worker)
    page = staff.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="overdue-request"' in page and "sista dag passerad" in page


def test_an_empty_answer_is_refused_in_swedish(client, org, case):
    request = services_apply.request_completion(
        org.social_worker, case, text="Hyresavi.", due_on=timezone.localdate()
    )
    portal_login(client, APPLICANT)
    response = client.post(
        reverse("portal:answer_request", args=[case.pk, request.pk]), {"kind": "other"}
    )
    assert response.status_code == 400
    assert "Bifoga en fil eller skriv ett svar" in response.content.decode()
    assert not CompletionAnswer.objects.exists()


@pytest.mark.parametrize(
    ("text", "due", "message"),
    [
        ("", 5, "Skriv vilka handlingar som behövs"),
        ("Kontoutdrag", -1, "Sista dag kan inte ligga i det förflutna"),
        ("Kontoutdrag", 200, "högst 90 dagar"),
    ],
)
def test_a_bad_completion_request_is_refused_at_the_field(org, case, text, due, message):
    staff = Client()
    staff.force_login(org.social_worker)
    response = staff.post(
        reverse("request_completion", args=[case.pk]),
        {"text": text, "due_on": (timezone.localdate() + dt.timedelta(days=due)).isoformat()},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CompletionRequest.objects.exists()


# --- Access ------------------------------------------------------------------------------


def test_another_applicant_reaches_nothing_of_the_household(client, org, case, other_case):
    request = services_apply.request_completion(
        org.social_worker, case, text="Hyresavi.", due_on=timezone.localdate()
    )
    portal_login(client, APPLICANT)
    client.post(reverse("portal:apply_repeat", args=[case.pk]), _repeat_post(action="save"))
    draft = EApplication.objects.get()
    client.post(reverse("portal:apply_repeat", args=[case.pk]), _repeat_post(draft=draft.pk))
    client.post(reverse("portal:logout"))

    portal_login(client, OTHER_APPLICANT)
    for url in (
        reverse("portal:apply_repeat", args=[case.pk]),
        reverse("portal:send_documents", args=[case.pk]),
        reverse("portal:answer_request", args=[case.pk, request.pk]),
        reverse("portal:answer_request", args=[other_case.pk, request.pk]),
        reverse("portal:apply_done", args=[draft.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("portal:send_documents", args=[case.pk]), {"file": _pdf(), "kind": "other"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("portal:answer_request", args=[case.pk, request.pk]),
            {"file": _pdf(), "kind": "other"},
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("portal:apply_remove_attachment", args=[draft.pk, 1])).status_code
        == 404
    )
    assert not Document.objects.filter(case=case).exists()
    assert not CompletionAnswer.objects.exists()
    # Their own page shows nothing of the first household's request.
    assert "Hyresavi." not in client.get(reverse("portal:home")).content.decode()


def test_a_child_of_the_household_cannot_apply(client, case):
    portal_login(client, "201501102386")
    assert client.get(reverse("portal:apply_repeat", args=[case.pk])).status_code == 404
    assert client.get(reverse("portal:apply_new")).status_code == 404


def test_staff_of_another_section_or_without_the_role_cannot_request_completion(org, case):
    for user in (org.other_social_worker, org.reception, org.finance):
        staff = Client()
        staff.force_login(user)
        response = staff.post(
            reverse("request_completion", args=[case.pk]),
            {"text": "Kontoutdrag", "due_on": timezone.localdate().isoformat()},
        )
        assert response.status_code in (403, 404), user
    with pytest.raises(PermissionRefused):
        services_apply.request_completion(
            org.other_social_worker, case, text="x", due_on=timezone.localdate()
        )
    assert not CompletionRequest.objects.exists()


def test_staff_sessions_are_refused_on_the_apply_pages(org, case):
    staff = Client()
    staff.force_login(org.social_worker)
    assert staff.get(reverse("portal:apply")).status_code == 403
    assert staff.get(reverse("portal:apply_repeat", args=[case.pk])).status_code == 403


def test_anonymous_is_sent_to_the_portal_login(client, case):
    response = client.get(reverse("portal:apply_repeat", args=[case.pk]))
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]


def test_uploads_are_rate_limited_per_person(client, case, monkeypatch):
    monkeypatch.setattr(services_apply, "MAX_UPLOADS_PER_HOUR", 2)
    portal_login(client, APPLICANT)
    url = reverse("portal:send_documents", args=[case.pk])
    for _ in range(2):
        assert client.post(url, {"file": _pdf(), "kind": "other"}).status_code == 302
    response = client.post(url, {"file": _pdf(), "kind": "other"})
    assert response.status_code == 400
    assert "Vänta en stund" in response.content.decode()
    assert Document.objects.filter(case=case).count() == 2


def test_the_staged_copy_is_deleted_only_when_the_submission_commits(
    client, case, django_capture_on_commit_callbacks
):
    portal_login(client, APPLICANT)
    url = reverse("portal:apply_repeat", args=[case.pk])
    client.post(url, _repeat_post(attachment=_pdf(), action="save"))
    staged = StagedAttachment.objects.get()
    storage, name = staged.file.storage, staged.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, _repeat_post()).status_code == 302
    assert not storage.exists(name)
    document = Document.objects.get(case=case)
    assert document.file.storage.exists(document.file.name)


def test_the_case_api_lists_an_e_service_application_without_a_staff_registrar(client, org, case):
    portal_login(client, APPLICANT)
    client.post(reverse("portal:apply_repeat", args=[case.pk]), _repeat_post())
    staff = Client()
    staff.force_login(org.social_worker)
    response = staff.get(f"/api/v1/cases/{case.pk}/applications/")
    assert response.status_code == 200
    sent = [row for row in response.json() if row["channel"] == "e_service"]
    assert len(sent) == 1 and sent[0]["registered_by"] is None


def test_a_nul_character_is_refused_without_a_server_error(client, case):
    portal_login(client, APPLICANT)
    response = client.post(
        reverse("portal:apply_repeat", args=[case.pk]), _repeat_post(changes="a\x00b")
    )
    assert response.status_code == 400
    assert not Application.objects.filter(channel="e_service").exists()


def test_the_calculation_carries_over_the_figures_the_applicant_typed(client, case):
    from bistand.decisions.calculations import prefill

    portal_login(client, APPLICANT)
    client.post(reverse("portal:apply_repeat", args=[case.pk]), _repeat_post())
    application = Application.objects.get(channel="e_service")
    lines = prefill(application, members=[], previous=None)
    assert {(c["type"], c["amount"], c["source"]) for c in lines["costs"]} == {
        ("rent", "6500.00", "application")
    }
    assert [(i["type"], i["amount"]) for i in lines["incomes"]] == [("wages", "4200.50")]
