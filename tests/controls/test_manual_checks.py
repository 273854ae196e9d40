"""A document the handler has read, recorded as a manual check (issue #11: this crashed on the
source's lazy label before the role × URL matrix recorded one)."""

import datetime as dt

import pytest
from django.urls import reverse

from bistand.audit.models import AccessLogEntry
from bistand.controls import services
from bistand.controls.models import Assessment, RegisterCheck

from .conftest import applicant_of

pytestmark = pytest.mark.django_db
MONTH = dt.date(2026, 11, 1)


def test_a_bank_statement_is_recorded_with_its_assessment(org, make_application):
    application = make_application(MONTH)
    made = services.record_manual_check(
        org.social_worker,
        application.case,
        person=applicant_of(application),
        source="bank_statement",
        period_from=MONTH,
        period_to=MONTH,
        found="Inga insättningar utöver barnbidrag.",
        discrepancy=False,
        assessment=Assessment.NO_DISCREPANCY,
        application=application,
    )
    made.refresh_from_db()
    assert made.answer["document"] == "Kontoutdrag från banken"
    assert made.comparison[0]["what"] == "Kontoutdrag från banken"
    assert AccessLogEntry.objects.filter(
        action="create", object_type="controls.registercheck", object_id=str(made.pk)
    ).exists()


def test_the_manual_check_form_stores_one_check(org, make_application, client):
    application = make_application(MONTH)
    client.force_login(org.social_worker)
    response = client.post(
        reverse("controls:manual", args=[application.case.pk]),
        {
            "person": applicant_of(application).pk,
            "source": "bank_statement",
            "period_from": "2026-11",
            "period_to": "2026-11",
            "found": "Lön 12 000 kr.",
            "discrepancy": "",
            "assessment": Assessment.NO_DISCREPANCY,
        },
    )
    assert response.status_code < 500
    assert RegisterCheck.objects.count() == 1, response.content.decode()[:2000]
