"""Issue #16, slice 5: an absence without valid reason → the handler's assessment → a proposed
consequence shown on the month's decision page as a proposal (with its sources), applied only
by a decision the handler's delegation allows; never automatically. The letter then shows
the refusal with its reasoning and lagrum."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bistand.activity import services_attendance, services_followup
from bistand.activity.models import AbsenceAssessment, AttendanceRecord
from bistand.cases import services as case_services
from bistand.core.dates import month_start
from bistand.core.errors import DomainError
from bistand.decisions import services as decision_services
from bistand.decisions.letters import letter_text, render_letter
from bistand.decisions.models import Decision
from tests.activity.helpers import activity, coordinator
from tests.decisions.conftest import (
    as_proposed,
    make_household,
    obstacles_for,
    saved_calculation,
    sign_investigation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def absent(org):
    """An application this month; the applicant placed in an activity and reported absent
    without valid reason last week by the coordinator."""
    month = month_start(timezone.localdate())
    household = make_household(org.reception, on=month - dt.timedelta(days=60))
    application = case_services.register_application(
        org.reception, household, kind="new", month=month
    )
    case = application.case
    case_services.take_case(org.social_worker, case)
    sign_investigation(org.social_worker, case, children=False, obstacle="unemployed_no_benefit")
    application.refresh_from_db()
    person = case.household.applicant_on(timezone.localdate())
    boss = coordinator(org)
    act = activity(org, coordinators=[boss], name="Jobbtorg Väst")
    from bistand.activity import services_places

    placement = services_places.assign_to_activity(
        org.social_worker, case, person_id=person.pk, activity=act, today=timezone.localdate()
    )
    week = services_attendance.week_monday(timezone.localdate()) - dt.timedelta(days=7)
    placement.placed_on = week - dt.timedelta(days=7)
    placement.save(update_fields=["placed_on"])
    record = services_attendance.record_attendance(
        boss, placement, week=week, status="unexcused", note="Uteblev", today=timezone.localdate()
    )
    return application, record


def test_the_assessment_is_refused_at_the_field_and_stores_nothing(client, org, absent):
    application, record = absent
    client.force_login(org.social_worker)
    url = reverse("activity:assess_absence", args=[application.case_id, record.pk])
    response = client.post(
        url, {"outcome": "not_acceptable", "reasoning": "Ingen anmälan", "consequence": "reduce"}
    )
    assert response.status_code == 400
    assert "Ange vilken månads försörjningsstöd det gäller." in response.content.decode()
    response = client.post(
        url,
        {
            "outcome": "acceptable",
            "reasoning": "Sjuk",
            "consequence": "refuse",
            "month": f"{application.month:%Y-%m}",
        },
    )
    assert response.status_code == 400
    assert "Godtagbart skäl kan inte ge någon påföljd." in response.content.decode()
    assert not AbsenceAssessment.objects.exists()


def test_an_assessed_absence_is_a_proposal_on_the_decision_page_never_a_decision(
    client, org, absent
):
    application, record = absent
    case = application.case
    client.force_login(org.social_worker)
    response = client.post(
        reverse("activity:assess_absence", args=[case.pk, record.pk]),
        {
            "outcome": "not_acceptable",
            "reasoning": "Uteblev utan att höra av sig; inget godtagbart skäl.",
            "consequence": "reduce",
            "month": f"{application.month:%Y-%m}",
        },
    )
    assert response.status_code == 302
    assessment = AbsenceAssessment.objects.get()
    assert assessment.month == application.month
    # Assessed: no longer flagged; the case page lists the assessment.
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="absences-to-assess"' not in page
    assert 'data-testid="assessments"' in page
    # A second assessment of the same absence is refused.
    with pytest.raises(DomainError, match="redan bedömd"):
        services_followup.assess_absence(
            org.social_worker, case, record, outcome="acceptable", reasoning="x"
        )

    saved_calculation(org.social_worker, application)
    decide_page = client.get(reverse("decisions:decide", args=[application.pk])).content.decode()
    notice = decide_page.split('data-testid="consequence-proposals"')[1].split("</div>")[0]
    assert "Förslag: försörjningsstödet sätts ned (delvis avslag)" in notice
    assert "Uteblev utan att höra av sig" in notice
    assert "lagrådsremiss" in notice and "ej verifierat" in notice
    assert "12 kap. 1 § socialtjänstlagen (2025:400)" in notice
    assert "Inget belopp föreslås" in notice
    # Nothing was decided by the proposal.
    assert not Decision.objects.filter(application=application).exists()


def test_the_proposal_is_not_shown_for_another_month(client, org, absent):
    application, record = absent
    services_followup.assess_absence(
        org.social_worker,
        application.case,
        record,
        outcome="not_acceptable",
        reasoning="Uteblev",
        consequence="refuse",
        month=application.month + dt.timedelta(days=40),
    )
    saved_calculation(org.social_worker, application)
    client.force_login(org.social_worker)
    decide_page = client.get(reverse("decisions:decide", args=[application.pk])).content.decode()
    assert 'data-testid="consequence-proposals"' not in decide_page


def test_confirmed_in_the_decision_the_letter_shows_the_refusal_and_its_lagrum(org, absent):
    application, record = absent
    services_followup.assess_absence(
        org.social_worker,
        application.case,
        record,
        outcome="not_acceptable",
        reasoning="Uteblev",
        consequence="refuse",
        month=application.month,
    )
    calculation = saved_calculation(org.unit_head, application)
    reasoning = "Du har utan godtagbart skäl uteblivit från Jobbtorg Väst."
    lines = as_proposed(
        calculation,
        income_support=decision_services.LineDecision("refused", None, reasoning, "labour_market"),
    )
    decision = decision_services.decide_application(
        org.unit_head,
        application,
        calculation=calculation,
        lines=lines,
        support_obstacles=obstacles_for(calculation),
    )
    text = " ".join(letter_text(render_letter(decision)).split())
    assert "Uteblev" not in text  # the proposal's note is not the decision's reasoning
    assert "uteblivit från Jobbtorg Väst" in text
    assert "2025:400" in text
    assert AttendanceRecord.objects.get(pk=record.pk).status == "unexcused"
