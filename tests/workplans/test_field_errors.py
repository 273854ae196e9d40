"""Issue 13: the plan page's forms (consent, follow-up, referral, tripartite meeting) refuse at
the field: the plan page again (status 200), the typed values kept, a summary linking to the
fields, nothing stored."""

import re

from django.urls import reverse

from bistand.workplans.models import FollowUp, Intervention, TripartiteMeeting, WorkPlanVersion
from tests.cases.test_field_errors import assert_refused_at

from .conftest import days, make_plan
from .test_views import plan_post


def _summary(html: str) -> str:
    match = re.search(
        r'<div class="error-box" role="alert" id="error-summary".*?</div>', html, re.S
    )
    assert match, "no error summary"
    return match.group(0)


def test_follow_up_with_a_bad_date_is_refused_at_the_field_text_kept(client, org, case_a):
    make_plan(org.social_worker, case_a)
    client.force_login(org.social_worker)
    response = client.post(
        reverse("workplans:record_follow_up", args=[case_a.pk]),
        {
            "held_on": "igår",
            "method": "visit",
            "took_place": "1",
            "outcome": "Har sökt tre jobb",
            "next_on": days(10).isoformat(),
            "next_method": "visit",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert_refused_at(html, "held_on", "datum")
    assert 'id="fu_held_on"' in html and 'value="igår"' in html
    assert "Har sökt tre jobb" in html
    assert "Uppföljningen kunde inte registreras" in _summary(html)
    assert not FollowUp.objects.exists()


def test_follow_up_refused_by_the_rules_is_in_the_summary_values_kept(client, org, case_a):
    make_plan(org.social_worker, case_a)
    client.force_login(org.social_worker)
    response = client.post(
        reverse("workplans:record_follow_up", args=[case_a.pk]),
        {
            "held_on": days(0).isoformat(),
            "method": "visit",
            "took_place": "1",
            "outcome": "Bra möte",
            "next_on": days(60).isoformat(),
            "next_method": "visit",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "följs upp minst var 30:e dag" in _summary(html)
    assert "Bra möte" in html and f'value="{days(60).isoformat()}"' in html
    assert not FollowUp.objects.exists()


def test_consent_without_date_is_refused_at_the_field(client, org, case_a):
    client.force_login(org.social_worker)
    client.post(reverse("workplans:edit_plan", args=[case_a.pk]), plan_post())
    response = client.post(
        reverse("workplans:confirm_plan", args=[case_a.pk]),
        {"consent_on": "", "method": "in_person", "note": "Underskriven på papper"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert_refused_at(html, "consent_on", "obligatoriskt")
    assert "Underskriven på papper" in html
    assert not WorkPlanVersion.objects.filter(confirmed_at__isnull=False).exists()


def test_referral_without_target_is_refused_at_the_field_details_open(client, org, case_a):
    applicant = case_a.household.applicant_on(days(0))
    client.force_login(org.social_worker)
    response = client.post(
        reverse("workplans:refer", args=[case_a.pk]),
        {"person": applicant.pk, "target": "", "referred_on": "", "purpose": "Coachning"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert_refused_at(html, "target", "obligatoriskt")
    assert '<details id="ny-anvisning" open>' in html and "Coachning" in html
    assert not Intervention.objects.exists()


def test_meeting_without_agreements_is_refused_at_the_field(client, org, case_a):
    client.force_login(org.social_worker)
    response = client.post(
        reverse("workplans:record_meeting", args=[case_a.pk]),
        {
            "held_on": days(0).isoformat(),
            "partner": "arbetsformedlingen",
            "partner_name": "AF Malmö",
            "participants": "Klienten\nHandläggaren",
            "agreements": "",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert_refused_at(html, "agreements", "obligatoriskt")
    assert 'id="meet_agreements"' in html and "AF Malmö" in html
    assert '<details id="nytt-trepartsmote" open>' in html
    assert not TripartiteMeeting.objects.exists()


def test_another_sections_case_is_refused_not_rendered(client, org, case_a):
    client.force_login(org.other_social_worker)
    response = client.post(reverse("workplans:record_meeting", args=[case_a.pk]), {"held_on": "x"})
    assert response.status_code in (403, 404)
    assert 'id="error-summary"' not in response.content.decode()


def test_assessment_missing_a_rating_is_refused_at_the_field_values_kept(client, org, case_a):
    applicant = case_a.household.applicant_on(days(0))
    client.force_login(org.social_worker)
    data = {
        "person": applicant.pk,
        "assessed_on": days(0).isoformat(),
        "summary": "Står nära arbetsmarknaden.",
    }
    for area in ("language", "education", "work_experience", "social_situation"):
        data[f"rating_{area}"] = "3"
    data["comment_health"] = "Väntar på läkarbesök"
    response = client.post(reverse("workplans:assessment", args=[case_a.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    tag = re.search(r'<select name="rating_health"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in tag
    assert '<ul class="errorlist" id="id_rating_health_error">' in html
    assert 'href="#id_rating_health"' in _summary(html)
    assert "Står nära arbetsmarknaden." in html and "Väntar på läkarbesök" in html
    assert "Bedömningen är inte sparad" in _summary(html)
