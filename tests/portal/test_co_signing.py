"""Co-applicant signing (issue #14): where the household has two adults today, an online
application reaches the unit only when both have signed with their own e-ID; the second may
decline with a reason, which returns it to the first as a draft. A single adult signs alone."""

import datetime as dt

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bistand.audit.models import AccessLogEntry, AuditAction
from bistand.cases import services as case_services
from bistand.cases.models import Application, Document
from bistand.core.dates import add_months, month_start
from bistand.core.errors import DomainError
from bistand.core.models import FinalRecordError
from bistand.households.models import HouseholdMembership, Person
from bistand.portal import services_apply
from bistand.portal.models import (
    ApplicantNotification,
    ContactPreference,
    EApplication,
    EApplicationSignature,
    EApplicationStatus,
    StagedAttachment,
)
from tests.conftest import make_household
from tests.files import pdf_bytes

from .conftest import APPLICANT, CO_APPLICANT, OTHER_APPLICANT, portal_login
from .conftest import month_text as _month
from .conftest import pdf_upload as _pdf
from .conftest import repeat_post as _repeat_post

CHILD = "201501102386"


@pytest.fixture
def case(org, household):
    """The two-adult household's open case (the conftest household: Tolvan and Elva)."""
    return case_services.register_application(
        org.reception,
        household,
        kind="new",
        month=_month(0),
        stated_costs=[{"type": "rent", "amount": "6500.00"}],
    ).case


@pytest.fixture
def other_case(org, other_household):
    return case_services.register_application(
        org.reception, other_household, kind="new", month=_month(0)
    ).case


def _first_signs(client, case, **extra) -> EApplication:
    portal_login(client, APPLICANT)
    response = client.post(
        reverse("portal:apply_repeat", args=[case.pk]), _repeat_post(attachment=_pdf(), **extra)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.post(reverse("portal:logout"))
    return EApplication.objects.get(person__identity_number=APPLICANT, kind="repeat")


def _person(number: str) -> Person:
    return Person.objects.get(identity_number=number)


def _leave_today(number: str) -> None:
    """The person's membership ends today (set up directly: the household forms need a
    membership that began before today)."""
    today = timezone.localdate()
    HouseholdMembership.objects.filter(person__identity_number=number).update(
        valid_from=today - dt.timedelta(days=30), valid_to=today
    )


# --- Both adults sign --------------------------------------------------------------------


def test_the_application_waits_for_the_second_adult_and_arrives_when_both_have_signed(
    client, org, case
):
    portal_login(client, APPLICANT)
    form = client.get(reverse("portal:apply_repeat", args=[case.pk])).content.decode()
    assert 'data-testid="co-signer-note"' in form and "Elva Elvasson" in form
    response = client.post(
        reverse("portal:apply_repeat", args=[case.pk]), _repeat_post(attachment=_pdf())
    )
    assert response.status_code == 302
    waiting = EApplication.objects.get()
    assert waiting.status == EApplicationStatus.AWAITING_CO_SIGNATURE
    assert waiting.co_signer == _person(CO_APPLICANT) and waiting.application is None
    assert not Application.objects.filter(channel="e_service").exists()
    assert not Document.objects.filter(case=case).exists()  # the file waits with it
    receipt = client.get(response["Location"]).content.decode()
    assert "Väntar på medsökandes underskrift" in receipt
    assert "Elva Elvasson har inte skrivit under ännu" in receipt
    home = client.get(reverse("portal:home")).content.decode()
    assert 'data-testid="waiting-for-other"' in home
    # Nothing reaches the unit yet.
    staff = Client()
    staff.force_login(org.social_worker)
    assert 'data-testid="via-e-service"' not in staff.get(reverse("inbox")).content.decode()
    client.post(reverse("portal:logout"))

    portal_login(client, CO_APPLICANT)
    home = client.get(reverse("portal:home")).content.decode()
    assert 'data-testid="to-sign"' in home
    for page_url in (reverse("portal:apply"), reverse("portal:case", args=[case.pk])):
        assert 'data-testid="to-sign"' in client.get(page_url).content.decode(), page_url
    # The co-applicant's own apply page leads to the application waiting for them.
    assert client.get(reverse("portal:apply_repeat", args=[case.pk]))["Location"] == reverse(
        "portal:apply_cosign", args=[waiting.pk]
    )
    url = reverse("portal:apply_cosign", args=[waiting.pk])
    review = client.get(url).content.decode()
    # amounts as everywhere in the Swedish UI: "4 200,50 kr" with non-breaking spaces
    assert (
        "Lön (efter skatt): 4\u00a0200,50\u00a0kr" in review and "6\u00a0500,00\u00a0kr" in review
    )
    assert "börjat arbeta deltid" in review and "kontoutdrag.pdf" in review
    attachment = StagedAttachment.objects.get()
    file_url = reverse("portal:apply_attachment", args=[waiting.pk, attachment.pk])
    assert file_url in review
    download = client.get(file_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf_bytes()
    assert download["X-Content-Type-Options"] == "nosniff"

    assert client.post(url, {"confirm": "1"}).status_code == 302
    sent = EApplication.objects.get()
    assert sent.status == EApplicationStatus.SUBMITTED
    application = sent.application
    assert application.channel == "e_service" and application.registered_by is None
    assert application.submitted_by == _person(APPLICANT)
    assert application.stated_incomes == [{"type": "wages", "amount": "4200.50"}]
    assert "båda vuxna" in application.notes
    assert Document.objects.get(case=case).from_person == _person(APPLICANT)
    signatures = list(EApplicationSignature.objects.order_by("at", "id"))
    assert [(s.person.identity_number, s.outcome, s.method) for s in signatures] == [
        (APPLICANT, "signed", "test-eid"),
        (CO_APPLICANT, "signed", "test-eid"),
    ]
    assert signatures[0].content_sha256 == signatures[1].content_sha256
    assert "Ni har båda skrivit under" in client.get(url).content.decode()

    inbox = staff.get(reverse("inbox")).content.decode()
    assert 'data-testid="via-e-service"' in inbox and case.reference in inbox
    page = staff.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="e-application-signatures"' in page
    assert "Underskriven av Tolvan Tolvansson" in page and "Underskriven av Elva Elvasson" in page


def test_every_read_and_signature_is_in_the_access_log(client, case):
    waiting = _first_signs(client, case)
    portal_login(client, CO_APPLICANT)
    co_signer = _person(CO_APPLICANT)
    client.get(reverse("portal:apply_cosign", args=[waiting.pk]))
    attachment = StagedAttachment.objects.get()
    client.get(reverse("portal:apply_attachment", args=[waiting.pk, attachment.pk]))
    client.post(reverse("portal:apply_cosign", args=[waiting.pk]), {"confirm": "1"})
    rows = AccessLogEntry.objects.filter(actor_username=f"sokande:{co_signer.pk}")
    views = rows.filter(action=AuditAction.VIEW, object_type="portal.eapplication")
    assert views.count() == 2  # the page, and the page the signature was posted from
    assert {(v.object_id, v.channel) for v in views} == {(str(waiting.pk), "e-tjanst")}
    assert rows.filter(
        action=AuditAction.DOWNLOAD,
        object_type="portal.stagedattachment",
        object_id=str(attachment.pk),
    ).exists()
    assert rows.filter(action=AuditAction.SIGN, object_type="portal.eapplicationsignature").exists()
    assert rows.filter(action=AuditAction.CREATE, object_type="cases.application").exists()


def test_the_second_adult_is_told_without_case_content_once(client, case):
    co_signer = _person(CO_APPLICANT)
    ContactPreference.objects.create(
        person=co_signer, email="elva@example.se", by_email=True, by_sms=False
    )
    waiting = _first_signs(client, case)
    rows = ApplicantNotification.objects.filter(person=co_signer, reason="signature")
    assert rows.count() == 1
    text = f"{rows.get().title} {rows.get().body}"
    assert "Nytt på Mina sidor" in text
    for secret in ("Tolvan", "6500", "deltid", case.reference, str(waiting.pk)):
        assert secret not in text
    # A reload of the form queues nothing new.
    portal_login(client, APPLICANT)
    client.post(reverse("portal:apply_repeat", args=[case.pk]), _repeat_post(draft=waiting.pk))
    assert rows.count() == 1


def test_a_new_application_from_two_adults_opens_a_case_when_both_have_signed(client, org):
    household = make_household(org.reception, co_applicant=CO_APPLICANT)
    portal_login(client, APPLICANT)
    response = client.post(
        reverse("portal:apply_new"),
        {
            "month": _month(0),
            "member_name_0": "Elva Elvasson",
            "member_role_0": "co_applicant",
            "cost_type_0": "rent",
            "cost_amount_0": "7200",
            "assured": "on",
            "action": "submit",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    waiting = EApplication.objects.get()
    assert waiting.status == EApplicationStatus.AWAITING_CO_SIGNATURE and waiting.case is None
    # The apply page leads to the waiting application, never a second one.
    assert client.get(reverse("portal:apply_new"))["Location"] == reverse(
        "portal:apply_done", args=[waiting.pk]
    )
    client.post(reverse("portal:logout"))
    portal_login(client, CO_APPLICANT)
    assert client.get(reverse("portal:apply_new"))["Location"] == reverse(
        "portal:apply_cosign", args=[waiting.pk]
    )
    client.post(reverse("portal:apply_cosign", args=[waiting.pk]), {"confirm": "1"})
    application = Application.objects.get(channel="e_service")
    assert application.kind == "new" and application.case.household == household
    assert EApplication.objects.count() == 1


def test_a_single_adult_signs_alone_and_the_signature_is_recorded(client, org):
    make_household(org.reception, adult=OTHER_APPLICANT)
    portal_login(client, OTHER_APPLICANT)
    response = client.post(
        reverse("portal:apply_new"),
        {
            "month": _month(0),
            "cost_type_0": "rent",
            "cost_amount_0": "5000",
            "assured": "on",
            "action": "submit",
        },
    )
    assert response.status_code == 302
    sent = EApplication.objects.get()
    assert sent.status == EApplicationStatus.SUBMITTED and sent.co_signer is None
    assert sent.application.channel == "e_service"
    signature = EApplicationSignature.objects.get()
    assert signature.person == sent.person and signature.method == "test-eid"
    # Nothing to co-sign: the signing page is not for a single signer's application.
    assert client.get(reverse("portal:apply_cosign", args=[sent.pk])).status_code == 404


def test_only_one_application_of_a_kind_waits_per_household(client, case):
    second_draft = services_apply.draft_for(_person(CO_APPLICANT), case.household, "repeat", case)
    _first_signs(client, case)
    statement = services_apply.Statement(
        month=add_months(month_start(timezone.localdate()), 1),
        members=[],
        incomes=[],
        costs=[{"type": "rent", "amount": "6500.00"}],
        changes="",
        assured=True,
    )
    with pytest.raises(DomainError, match="väntar på underskrift"):
        services_apply.submit(_person(CO_APPLICANT), second_draft, statement, method="test-eid")
    assert EApplication.objects.get(pk=second_draft.pk).status == EApplicationStatus.DRAFT


# --- Declining ---------------------------------------------------------------------------


def test_declining_needs_a_reason_and_returns_the_draft_to_the_first_signer(client, case):
    waiting = _first_signs(client, case)
    portal_login(client, CO_APPLICANT)
    decline = reverse("portal:apply_cosign_decline", args=[waiting.pk])
    refused = client.post(decline, {"reason": "   "})
    assert refused.status_code == 400
    assert "Skriv varför du inte vill skriva under" in refused.content.decode()
    assert EApplication.objects.get().status == EApplicationStatus.AWAITING_CO_SIGNATURE
    response = client.post(decline, {"reason": "Min lön är fel, den är 5 100 kr."})
    assert response.status_code == 302
    draft = EApplication.objects.get()
    assert draft.status == EApplicationStatus.DRAFT and draft.co_signer is None
    assert draft.signing_round == 2 and StagedAttachment.objects.get().file  # file kept
    declined = EApplicationSignature.objects.get(outcome="declined")
    assert declined.person == _person(CO_APPLICANT) and "5 100" in declined.reason
    assert not Application.objects.filter(channel="e_service").exists()
    # Once declined, nothing is left to sign.
    assert (
        client.post(reverse("portal:apply_cosign", args=[draft.pk]), {"confirm": "1"}).status_code
        == 404
    )
    client.post(reverse("portal:logout"))

    portal_login(client, APPLICANT)
    assert client.get(reverse("portal:apply_done", args=[draft.pk]))["Location"] == reverse(
        "portal:apply_repeat", args=[case.pk]
    )
    form = client.get(reverse("portal:apply_repeat", args=[case.pk])).content.decode()
    assert 'data-testid="co-signature-declined"' in form and "5 100" in form
    response = client.post(
        reverse("portal:apply_repeat", args=[case.pk]),
        _repeat_post(draft=draft.pk, income_amount_0="5100"),
    )
    assert response.status_code == 302
    again = EApplication.objects.get()
    assert again.status == EApplicationStatus.AWAITING_CO_SIGNATURE
    client.post(reverse("portal:logout"))

    portal_login(client, CO_APPLICANT)
    client.post(reverse("portal:apply_cosign", args=[again.pk]), {"confirm": "1"})
    application = Application.objects.get(channel="e_service")
    assert application.stated_incomes == [{"type": "wages", "amount": "5100.00"}]
    assert EApplicationSignature.objects.filter(signing_round=2, outcome="signed").count() == 2
    assert EApplicationSignature.objects.count() == 4  # round 1 kept as it was


# --- Safety ------------------------------------------------------------------------------


def test_the_first_signer_cannot_sign_for_the_other(client, case):
    waiting = _first_signs(client, case)
    portal_login(client, APPLICANT)
    url = reverse("portal:apply_cosign", args=[waiting.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="cosign-submit"' not in page and "har inte skrivit under ännu" in page
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 400
    assert "egen e-legitimation" in response.content.decode()
    assert (
        client.post(
            reverse("portal:apply_cosign_decline", args=[waiting.pk]), {"reason": "x"}
        ).status_code
        == 400
    )
    assert EApplication.objects.get().status == EApplicationStatus.AWAITING_CO_SIGNATURE
    assert EApplicationSignature.objects.count() == 1
    # The first signer's form cannot change a waiting application either.
    response = client.post(
        reverse("portal:apply_repeat", args=[case.pk]),
        _repeat_post(draft=waiting.pk, income_amount_0="1", action="save"),
    )
    assert response.status_code == 302
    assert EApplication.objects.get().signed_statement["incomes"][0]["amount"] == "4200.50"
    with pytest.raises(DomainError):
        services_apply.co_sign(_person(APPLICANT), waiting)


def test_signing_twice_makes_one_application_and_one_signature(client, case):
    waiting = _first_signs(client, case)
    portal_login(client, CO_APPLICANT)
    url = reverse("portal:apply_cosign", args=[waiting.pk])
    first = client.post(url, {"confirm": "1"})
    again = client.post(url, {"confirm": "1"})
    assert first.status_code == again.status_code == 302
    assert Application.objects.filter(channel="e_service").count() == 1
    assert EApplicationSignature.objects.filter(person=_person(CO_APPLICANT)).count() == 1
    services_apply.co_sign(_person(CO_APPLICANT), waiting)  # the service too: a no-op
    assert Application.objects.filter(channel="e_service").count() == 1


def test_signing_without_ticking_the_box_is_refused_in_swedish(client, case):
    waiting = _first_signs(client, case)
    portal_login(client, CO_APPLICANT)
    response = client.post(reverse("portal:apply_cosign", args=[waiting.pk]), {})
    assert response.status_code == 400
    assert "Kryssa i att du har läst ansökan" in response.content.decode()
    assert EApplication.objects.get().status == EApplicationStatus.AWAITING_CO_SIGNATURE


def test_a_co_applicant_who_left_the_household_cannot_sign(client, case):
    waiting = _first_signs(client, case)
    _leave_today(CO_APPLICANT)
    portal_login(client, CO_APPLICANT)
    url = reverse("portal:apply_cosign", args=[waiting.pk])
    page = client.get(url)
    assert page.status_code == 403
    text = page.content.decode()
    assert "inte längre sökande eller medsökande i hushållet" in text
    assert "4200.50" not in text  # nothing of the application shown
    assert client.post(url, {"confirm": "1"}).status_code == 403
    attachment = StagedAttachment.objects.get()
    assert (
        client.get(reverse("portal:apply_attachment", args=[waiting.pk, attachment.pk])).status_code
        == 404
    )
    with pytest.raises(DomainError, match="inte längre"):
        services_apply.co_sign(_person(CO_APPLICANT), waiting)
    assert not Application.objects.filter(channel="e_service").exists()


def test_another_applicant_a_child_and_staff_reach_nothing(client, org, case, other_case):
    waiting = _first_signs(client, case)
    attachment = StagedAttachment.objects.get()
    get_urls = [
        reverse("portal:apply_cosign", args=[waiting.pk]),
        reverse("portal:apply_attachment", args=[waiting.pk, attachment.pk]),
        reverse("portal:apply_done", args=[waiting.pk]),
    ]
    post_urls = [
        reverse("portal:apply_cosign", args=[waiting.pk]),
        reverse("portal:apply_cosign_decline", args=[waiting.pk]),
    ]
    for number in (OTHER_APPLICANT, CHILD):
        visitor = Client()
        portal_login(visitor, number)
        for url in get_urls:
            assert visitor.get(url).status_code == 404, (number, url)
        for url in post_urls:
            assert visitor.post(url, {"confirm": "1", "reason": "nej"}).status_code == 404
        home = visitor.get(reverse("portal:home")).content.decode()
        assert 'data-testid="signing"' not in home
    # The co-applicant with an id of an attachment of another application, or guessed ids.
    portal_login(client, CO_APPLICANT)
    for url in (
        reverse("portal:apply_attachment", args=[waiting.pk, attachment.pk + 1000]),
        reverse("portal:apply_cosign", args=[waiting.pk + 1000]),
    ):
        assert client.get(url).status_code == 404
    with pytest.raises(Http404):
        services_apply.co_sign(_person(OTHER_APPLICANT), waiting)
    staff = Client()
    staff.force_login(org.social_worker)
    for url in get_urls:
        assert staff.get(url).status_code == 403
    anonymous = Client()
    response = anonymous.get(get_urls[0])
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]
    assert EApplication.objects.get().status == EApplicationStatus.AWAITING_CO_SIGNATURE
    assert EApplicationSignature.objects.count() == 1


def test_the_attachment_of_a_submitted_application_is_no_longer_served(client, case):
    waiting = _first_signs(client, case)
    attachment = StagedAttachment.objects.get()
    portal_login(client, CO_APPLICANT)
    client.post(reverse("portal:apply_cosign", args=[waiting.pk]), {"confirm": "1"})
    url = reverse("portal:apply_attachment", args=[waiting.pk, attachment.pk])
    assert client.get(url).status_code == 404  # it is a case document now


def test_signatures_are_never_edited_or_deleted(client, case):
    _first_signs(client, case)
    signature = EApplicationSignature.objects.get()
    signature.method = "oidc"
    with pytest.raises(FinalRecordError):
        signature.save()
    with pytest.raises(FinalRecordError):
        signature.delete()


def test_a_decline_reason_with_a_nul_character_is_refused_without_a_server_error(client, case):
    waiting = _first_signs(client, case)
    portal_login(client, CO_APPLICANT)
    response = client.post(
        reverse("portal:apply_cosign_decline", args=[waiting.pk]), {"reason": "nej\x00"}
    )
    assert response.status_code == 400
    assert EApplication.objects.get().status == EApplicationStatus.AWAITING_CO_SIGNATURE


# --- The first signer takes a waiting application back ------------------------------------


def test_the_first_signer_takes_a_waiting_application_back_to_a_draft(client, case):
    ContactPreference.objects.create(
        person=_person(CO_APPLICANT), email="elva@example.invalid", by_email=True
    )
    waiting = _first_signs(client, case)
    portal_login(client, APPLICANT)
    receipt = client.get(reverse("portal:apply_done", args=[waiting.pk])).content.decode()
    assert 'data-testid="apply-withdraw"' in receipt
    response = client.post(reverse("portal:apply_withdraw", args=[waiting.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:apply_repeat", args=[case.pk])
    draft = EApplication.objects.get()
    assert draft.status == EApplicationStatus.DRAFT and draft.co_signer is None
    assert draft.signing_round == 2 and StagedAttachment.objects.get().file  # file kept
    withdrawal = draft.withdrawals.get()
    assert withdrawal.person == _person(APPLICANT) and withdrawal.co_signer == _person(CO_APPLICANT)
    assert withdrawal.signing_round == 1
    # The first signature stays as it was; nothing reached the unit.
    assert EApplicationSignature.objects.get().outcome == "signed"
    assert not Application.objects.filter(channel="e_service").exists()
    assert AccessLogEntry.objects.filter(
        object_type="portal.eapplicationwithdrawal", action=AuditAction.CREATE
    ).exists()
    form = client.get(reverse("portal:apply_repeat", args=[case.pk])).content.decode()
    assert 'data-testid="co-signature-withdrawn"' in form
    # A second click changes nothing.
    client.post(reverse("portal:apply_withdraw", args=[waiting.pk]))
    assert EApplication.objects.get().signing_round == 2 and draft.withdrawals.count() == 1
    client.post(reverse("portal:logout"))

    # The co-applicant's request to sign is gone, and they were told (no case content).
    told = ApplicantNotification.objects.get(event=f"co-signature-withdrawn:{draft.pk}:1")
    assert told.person == _person(CO_APPLICANT) and case.reference not in told.body
    portal_login(client, CO_APPLICANT)
    home = client.get(reverse("portal:home")).content.decode()
    assert 'data-testid="signing"' not in home
    assert client.get(reverse("portal:apply_cosign", args=[draft.pk])).status_code == 404
    assert (
        client.post(reverse("portal:apply_cosign", args=[draft.pk]), {"confirm": "1"}).status_code
        == 404
    )
    client.post(reverse("portal:logout"))

    # Signed again, it waits again and arrives when both have signed.
    portal_login(client, APPLICANT)
    client.post(reverse("portal:apply_repeat", args=[case.pk]), _repeat_post(draft=draft.pk))
    assert EApplication.objects.get().status == EApplicationStatus.AWAITING_CO_SIGNATURE
    client.post(reverse("portal:logout"))
    portal_login(client, CO_APPLICANT)
    client.post(reverse("portal:apply_cosign", args=[draft.pk]), {"confirm": "1"})
    assert Application.objects.filter(channel="e_service").count() == 1


def test_only_the_first_signer_may_take_it_back_and_only_while_it_waits(
    client, org, case, other_case
):
    waiting = _first_signs(client, case)
    url = reverse("portal:apply_withdraw", args=[waiting.pk])
    for number in (CO_APPLICANT, OTHER_APPLICANT, CHILD):
        visitor = Client()
        portal_login(visitor, number)
        assert visitor.post(url).status_code == 404, number
    staff = Client()
    staff.force_login(org.social_worker)
    assert staff.post(url).status_code == 403
    assert Client().post(url).status_code == 302
    portal_login(client, APPLICANT)
    assert client.get(url).status_code == 405
    assert EApplication.objects.get().status == EApplicationStatus.AWAITING_CO_SIGNATURE
    client.post(reverse("portal:logout"))

    portal_login(client, CO_APPLICANT)
    client.post(reverse("portal:apply_cosign", args=[waiting.pk]), {"confirm": "1"})
    client.post(reverse("portal:logout"))
    portal_login(client, APPLICANT)
    response = client.post(url)
    assert response.status_code == 403
    assert "redan inskickad" in response.content.decode()
    assert EApplication.objects.get().status == EApplicationStatus.SUBMITTED
    with pytest.raises(FinalRecordError):
        EApplicationSignature.objects.first().delete()
