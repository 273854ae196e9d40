"""Issue #16, slice 2: medical certificates (läkarintyg) per person with period and extent;
illness without a valid certificate is flagged on the case page and on the decision page
before a decision; a certificate ending within 14 days is a follow-up on the start page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bistand.activity.models import MedicalCertificate
from bistand.cases import services as case_services
from bistand.core.dates import month_start
from bistand.core.models import FinalRecordError
from tests.decisions.conftest import make_household, saved_calculation, sign_investigation

pytestmark = pytest.mark.django_db


def sick_application(org, obstacle="sick_certified_no_benefit"):
    month = month_start(timezone.localdate())
    household = make_household(org.reception, on=month)
    application = case_services.register_application(
        org.reception, household, kind="new", month=month
    )
    case = application.case
    case_services.take_case(org.social_worker, case)
    sign_investigation(org.social_worker, case, children=False, obstacle=obstacle)
    application.refresh_from_db()
    return application


def certificate(org, case, person, start, end, extent=100):
    return MedicalCertificate.objects.create(
        person=person,
        case=case,
        valid_from=start,
        valid_to=end,
        extent=extent,
        issuer="Dr Test, Vårdcentralen Exempel",
        recorded_by=org.social_worker,
    )


def test_illness_without_a_certificate_is_flagged_on_the_case_page_until_one_is_recorded(
    client, org
):
    application = sick_application(org)
    case = application.case
    person = case.household.applicant_on(timezone.localdate())
    client.force_login(org.social_worker)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="certificate-missing"' in page

    url = reverse("activity:record_certificate", args=[case.pk])
    response = client.post(
        url,
        {
            "person": person.pk,
            "valid_from": "2026-12-20",
            "valid_to": "2026-12-01",
            "extent": "60",
            "issuer": "Dr Exempel",
        },
    )
    assert response.status_code == 400
    bad = response.content.decode()
    assert 'data-testid="field-error-extent"' in bad
    assert 'data-testid="field-error-valid_to">Slutdatum kan inte vara före startdatum.' in bad
    assert "Dr Exempel" in bad  # the value is kept
    assert not MedicalCertificate.objects.exists()

    today = timezone.localdate()
    response = client.post(
        url,
        {
            "person": person.pk,
            "valid_from": f"{today - dt.timedelta(days=5):%Y-%m-%d}",
            "valid_to": f"{today + dt.timedelta(days=30):%Y-%m-%d}",
            "extent": "50",
            "issuer": "Dr Exempel",
        },
    )
    assert response.status_code == 302
    stored = MedicalCertificate.objects.get()
    assert stored.extent == 50 and stored.person == person
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="certificate-missing"' not in page
    assert "50 % · Dr Exempel" in page
    stored.extent = 100
    with pytest.raises(FinalRecordError):
        stored.save()


def test_a_correction_replaces_the_certificate_and_the_flag_follows_it(client, org):
    application = sick_application(org)
    case = application.case
    person = case.household.applicant_on(timezone.localdate())
    today = timezone.localdate()
    wrong = certificate(org, case, person, today - dt.timedelta(days=3), today + dt.timedelta(30))
    client.force_login(org.social_worker)
    assert (
        'data-testid="certificate-missing"'
        not in client.get(reverse("case_detail", args=[case.pk])).content.decode()
    )
    response = client.post(
        reverse("activity:record_certificate", args=[case.pk]),
        {
            "person": person.pk,
            "valid_from": f"{today - dt.timedelta(days=40):%Y-%m-%d}",
            "valid_to": f"{today - dt.timedelta(days=10):%Y-%m-%d}",
            "extent": "100",
            "issuer": "Dr Exempel",
            "replaces": wrong.pk,
        },
    )
    assert response.status_code == 302
    assert MedicalCertificate.objects.get(replaces=wrong)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="certificate-missing"' in page


def test_no_flag_when_the_obstacle_is_not_illness(client, org):
    application = sick_application(org, obstacle="unemployed_no_benefit")
    client.force_login(org.social_worker)
    page = client.get(reverse("case_detail", args=[application.case_id])).content.decode()
    assert 'data-testid="certificate-missing"' not in page
    page = client.get(reverse("decisions:decide", args=[application.pk])).content.decode()
    assert 'data-testid="certificate-missing-decision"' not in page


def test_the_decision_page_flags_illness_without_a_certificate_for_the_month(client, org):
    application = sick_application(org)
    saved_calculation(org.social_worker, application)
    case = application.case
    person = case.household.applicant_on(timezone.localdate())
    client.force_login(org.social_worker)
    url = reverse("decisions:decide", args=[application.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="certificate-missing-decision"' in page
    assert person.full_name in page.split('data-testid="certificate-missing-decision"')[1]
    # A certificate for another month does not help; one for a day of the month does.
    month = application.month
    certificate(org, case, person, month - dt.timedelta(days=40), month - dt.timedelta(days=1))
    assert 'data-testid="certificate-missing-decision"' in client.get(url).content.decode()
    certificate(org, case, person, month + dt.timedelta(days=20), month + dt.timedelta(days=60))
    assert 'data-testid="certificate-missing-decision"' not in client.get(url).content.decode()


def test_a_certificate_ending_within_14_days_is_on_the_handlers_start_page(client, org):
    application = sick_application(org)
    case = application.case
    person = case.household.applicant_on(timezone.localdate())
    today = timezone.localdate()
    soon = certificate(org, case, person, today - dt.timedelta(days=20), today + dt.timedelta(10))
    client.force_login(org.social_worker)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="certificates-ending"' in page
    assert f"{soon.valid_to:%Y-%m-%d}" in page
    # Another handler does not see it.
    client.force_login(org.other_social_worker)
    assert 'data-testid="certificates-ending"' not in client.get(reverse("home")).content.decode()
    # A later certificate (renewed) takes it off the list.
    certificate(org, case, person, soon.valid_to + dt.timedelta(days=1), today + dt.timedelta(60))
    client.force_login(org.social_worker)
    assert 'data-testid="certificates-ending"' not in client.get(reverse("home")).content.decode()


def test_a_certificate_ending_in_more_than_14_days_is_not_a_follow_up_yet(client, org):
    application = sick_application(org)
    case = application.case
    person = case.household.applicant_on(timezone.localdate())
    today = timezone.localdate()
    certificate(org, case, person, today - dt.timedelta(days=20), today + dt.timedelta(15))
    client.force_login(org.social_worker)
    assert 'data-testid="certificates-ending"' not in client.get(reverse("home")).content.decode()


def test_the_reminder_job_mails_each_handler_once_a_day_without_names(org):
    from django.core import mail

    from bistand.jobs.notifications import deliver_pending
    from bistand.jobs.runner import execute

    org.social_worker.email = "handlaggare@example.se"
    org.social_worker.save()
    application = sick_application(org)
    case = application.case
    person = case.household.applicant_on(timezone.localdate())
    today = timezone.localdate()
    certificate(org, case, person, today - dt.timedelta(days=20), today + dt.timedelta(days=7))
    first = execute("certificates-ending", {}, trigger="manual")
    assert first.result["reminders"] == 1 and first.result["queued"] == 1
    second = execute("certificates-ending", {}, trigger="manual")
    assert second.result["reminders"] == 0 and second.result["queued"] == 0
    deliver_pending()
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert case.reference in body and person.last_name not in body
