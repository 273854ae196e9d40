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
    assert response.status_code == 400
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
    assert response.status_code == 400
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
    assert response.status_code == 400
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
    assert response.status_code == 400
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
    assert response.status_code == 400
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
    assert response.status_code == 400
    html = response.content.decode()
    tag = re.search(r'<select name="rating_health"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in tag
    assert '<ul class="errorlist" id="id_rating_health_error">' in html
    assert 'href="#id_rating_health"' in _summary(html)
    assert "Står nära arbetsmarknaden." in html and "Väntar på läkarbesök" in html
    assert "Bedömningen är inte sparad" in _summary(html)


# --- The row forms (an intervention's start and end, a deviation) and the settings page ------


def _referral(org, case, programme="Jobbtorg"):
    from bistand.workplans import selectors, services

    if not org.unit.programmes.exists():
        services.add_default_programmes(org.unit_head, org.unit)
    return services.refer(
        org.social_worker,
        case,
        person=selectors.current_adults(case)[0],
        target="programme",
        programme=org.unit.programmes.get(name=programme),
        referred_on=days(-10),
        purpose="Coachning",
    )


def test_an_intervention_started_before_its_referral_is_refused_at_the_date(client, org, case_a):
    referral = _referral(org, case_a)
    other = _referral(org, case_a, "Lärcentrum")
    client.force_login(org.social_worker)
    response = client.post(
        reverse("workplans:start_intervention", args=[case_a.pk, referral.pk]),
        {"started_on": days(-20).isoformat()},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "started_on", "Insatsen kan inte starta före anvisningen")
    assert f'id="start{referral.pk}_started_on"' in html
    assert f'value="{days(-20).isoformat()}"' in html
    assert f'id="start{other.pk}_started_on"' not in html  # only the refused row is bound
    referral.refresh_from_db()
    assert referral.status == "referred" and referral.started_on is None


def test_ending_an_intervention_without_result_is_refused_at_the_field(client, org, case_a):
    from bistand.workplans import services

    referral = _referral(org, case_a)
    services.start_intervention(org.social_worker, referral, started_on=days(-5))
    client.force_login(org.social_worker)
    response = client.post(
        reverse("workplans:end_intervention", args=[case_a.pk, referral.pk]),
        {"ended_on": days(0).isoformat(), "attendance": "full", "result": "",
         "note": "Börjar Komvux"},
    )  # fmt: skip
    html = response.content.decode()
    assert_refused_at(html, "result", "obligatoriskt")
    assert "Börjar Komvux" in html and f'<details id="avsluta-{referral.pk}" open>' in html
    referral.refresh_from_db()
    assert referral.status == "started" and referral.result == ""


def test_a_deviation_kept_as_c_without_reason_is_refused_at_the_note(client, org, case_c):
    from bistand.workplans import services
    from bistand.workplans.models import Deviation

    make_plan(org.benefit_admin, case_c, first_follow_up=days(30))
    services.record_follow_up(
        org.benefit_admin, case_c, held_on=days(0), method="visit", took_place=False,
        outcome="Uteblev", next_on=days(7),
    )  # fmt: skip
    deviation = Deviation.objects.get()
    client.force_login(org.labour_head)
    response = client.post(
        reverse("workplans:resolve_deviation", args=[case_c.pk, deviation.pk]),
        {"resolution": "stays_c", "note": ""},
    )
    html = response.content.decode()
    assert_refused_at(html, "note", "Motivera varför ärendet kan ligga kvar")
    assert 'value="stays_c" selected' in html
    deviation.refresh_from_db()
    assert deviation.is_open


def test_a_case_type_setting_with_a_bad_interval_is_refused_at_the_field(client, org):
    from bistand.workplans.models import CaseTypeSetting

    rows = CaseTypeSetting.objects.count()
    client.force_login(org.intake_head)
    response = client.post(
        reverse("workplans:settings"),
        {"s-case_type": "A", "s-contact_interval_days": "sju", "s-follow_up_interval_days": "21",
         "s-plan_period_months": "3", "s-income_change_limit": "500", "s-reason": "Tätare",
         "save_setting": "1"},
    )  # fmt: skip
    html = response.content.decode()
    assert_refused_at(html, "s-contact_interval_days", "heltal")
    assert 'value="Tätare"' in html and '<details id="setting-form" open>' in html
    assert CaseTypeSetting.objects.count() == rows
