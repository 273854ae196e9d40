import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bistand.audit.models import AccessLogEntry
from bistand.cases import services
from bistand.cases.models import ApplicationKind, CaseStatus, CaseType
from bistand.cases.selectors import case_timeline, open_case, section_inbox
from bistand.core.errors import DomainError, PermissionRefused
from bistand.core.models import FinalRecordError

from ..files import pdf_bytes


def test_new_application_opens_case_in_intake_section(org, household_factory, this_month):
    household = household_factory(org.reception)
    application = services.register_application(
        org.reception, household, kind=ApplicationKind.NEW, month=this_month
    )
    assert application.case.section == org.intake
    assert application.case.status == CaseStatus.INTAKE
    assert [row.application for row in section_inbox(org.social_worker)] == [application]


def test_received_on_in_the_future_is_refused(org, household_factory, this_month, today):
    household = household_factory(org.reception)
    with pytest.raises(DomainError) as error:
        services.register_application(
            org.reception,
            household,
            kind="new",
            month=this_month,
            received_on=today + dt.timedelta(days=1),
        )
    assert "framtiden" in error.value.message


def test_second_new_application_for_open_case_is_refused_not_duplicated(
    org, household_factory, this_month
):
    household = household_factory(org.reception)
    services.register_application(org.reception, household, kind="new", month=this_month)
    with pytest.raises(DomainError) as error:
        services.register_application(org.reception, household, kind="new", month=this_month)
    assert error.value.code == "case_already_open"
    assert household.cases.count() == 1


def test_returning_household_gets_old_case_reopened_as_reentry(
    org, household_factory, this_month, today
):
    household = household_factory(org.reception)
    case = services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    services.take_case(org.social_worker, case)
    application = case.applications.get()
    services.withdraw_application(org.social_worker, application, "Fick arbete")
    services.close_case(org.social_worker, case, reason="work", closed_on=today)
    again = services.register_application(org.reception, household, kind="new", month=this_month)
    assert again.case.pk == case.pk
    assert again.case.status == CaseStatus.INTAKE
    reopening = case.reopenings.get()
    assert reopening.previous_closing_reason == "work"
    assert any(item.kind == "reentry" for item in case_timeline(case))


def test_investigation_signing_refused_until_child_perspective(org, household_factory, this_month):
    household = household_factory(org.reception, children=True)
    case = services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    services.take_case(org.social_worker, case)
    adult = household.applicant_on(dt.date.today())
    content = {
        "situation": "Ensamstående förälder, nyligen separerad.",
        "household_economy": "Saknar inkomst sedan oktober.",
        "adults": [{"person_id": adult.pk, "support_obstacle": "unemployed_no_benefit"}],
    }
    services.save_investigation_draft(org.social_worker, case, content)
    with pytest.raises(DomainError) as error:
        services.sign_investigation(org.social_worker, case)
    assert "Barnperspektivet" in error.value.message
    services.save_investigation_draft(
        org.social_worker, case, content | {"child_perspective": "Barnet går i skolan."}
    )
    version = services.sign_investigation(org.social_worker, case)
    assert version.is_signed and version.number == 1
    version.content["situation"] = "ändrad"
    with pytest.raises(FinalRecordError):
        version.save()
    second = services.save_investigation_draft(
        org.social_worker,
        case,
        content | {"child_perspective": "Barnet går i skolan.", "situation": "Ny situation."},
    )
    assert second.number == 2 and second.based_on == version
    assert "situation" in second.changes


def test_signed_journal_entry_is_immutable_and_corrected_by_a_new_entry(
    org, household_factory, this_month
):
    household = household_factory(org.reception)
    case = services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    entry = services.add_journal_entry(
        org.social_worker, case, text="Nybesök genomfört.", kind="first_visit"
    )
    with pytest.raises(DomainError):
        services.update_journal_draft(org.social_worker, entry, text="ändrat")
    with pytest.raises(FinalRecordError):
        entry.delete()
    correction = services.add_journal_entry(
        org.social_worker, case, text="Rättelse: besöket var 12/11.", corrects=entry
    )
    assert correction.corrects == entry
    assert case.journal_entries.count() == 2


def test_document_upload_checks_real_type_and_size(org, household_factory, this_month):
    household = household_factory(org.reception)
    case = services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    pdf = SimpleUploadedFile("lonebesked.pdf", pdf_bytes(), content_type="application/pdf")
    document = services.upload_document(org.social_worker, case, pdf, kind="payslip")
    assert document.content_type == "application/pdf" and len(document.sha256) == 64
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError) as error:
        services.upload_document(org.social_worker, case, fake, kind="payslip")
    assert error.value.code == "file_type"


def test_case_type_c_requires_benefit_administrator(org, household_factory, this_month):
    household = household_factory(org.reception)
    case = services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    services.take_case(org.social_worker, case)
    with pytest.raises(DomainError) as error:
        services.set_case_type(org.social_worker, case, CaseType.C)
    assert "bidragshandläggare" in error.value.message
    services.reassign_case(
        org.intake_head,
        case,
        handler=org.benefit_admin,
        case_type=CaseType.C,
        reason="Förenklad handläggning",
    )
    case.refresh_from_db()
    assert case.handler == org.benefit_admin and case.case_type == "C"
    assert case.assignments.count() == 3


def test_reading_a_case_is_logged_and_refused_for_other_section(org, household_factory, this_month):
    household = household_factory(org.reception)
    case = services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    before = AccessLogEntry.objects.count()
    open_case(org.social_worker, case.pk)
    assert AccessLogEntry.objects.filter(
        actor_id=org.social_worker.pk, action="view", case_id=case.pk
    ).exists()
    with pytest.raises(PermissionRefused):
        open_case(org.other_social_worker, case.pk)
    assert AccessLogEntry.objects.filter(
        actor_id=org.other_social_worker.pk, action="access_denied"
    ).exists()
    assert AccessLogEntry.objects.count() == before + 2
    services.take_emergency_access(
        org.other_social_worker, case, "Klienten ringer akut, handläggaren sjuk."
    )
    open_case(org.other_social_worker, case.pk)


def test_refused_write_is_logged_even_though_the_service_rolls_back(
    org, household_factory, this_month
):
    household = household_factory(org.reception)
    case = services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    with pytest.raises(PermissionRefused):
        services.take_case(org.other_social_worker, case)
    assert AccessLogEntry.objects.filter(
        actor_id=org.other_social_worker.pk, action="access_denied", case_id=case.pk
    ).exists()


def test_reception_cannot_complete_or_withdraw_applications(org, household_factory, this_month):
    household = household_factory(org.reception)
    application = services.register_application(
        org.reception, household, kind="new", month=this_month
    )
    with pytest.raises(PermissionRefused):
        services.mark_application_complete(org.reception, application)
    with pytest.raises(PermissionRefused):
        services.withdraw_application(org.reception, application, "test")


def test_emergency_access_is_limited_to_own_unit(org, household_factory, this_month):
    from tests.factories import UnitFactory, UserFactory

    household = household_factory(org.reception)
    case = services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    stranger = UserFactory(role="social_worker", unit=UnitFactory(name="Annan enhet"))
    with pytest.raises(PermissionRefused):
        services.take_emergency_access(stranger, case, "Behöver se ärendet av annat skäl.")
