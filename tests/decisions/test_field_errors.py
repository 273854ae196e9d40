"""Issue 13: the decision page's forms (letter sent, appeal) refuse at the field, keep the
typed values, open their part of the page and store nothing."""

import datetime as dt
import re

from django.urls import reverse

from bistand.decisions.models import Appeal, LetterDispatch
from tests.cases.test_field_errors import assert_refused_at

from .conftest import decide


def _decision(org, make_application, this_month):
    application = make_application(this_month, stated_costs=[{"type": "rent", "amount": "6500"}])
    return decide(org.social_worker, application)


def test_letter_sent_with_a_bad_date_is_refused_at_the_field(
    client, org, make_application, this_month
):
    decision = _decision(org, make_application, this_month)
    client.force_login(org.social_worker)
    response = client.post(
        reverse("decisions:mark_sent", args=[decision.pk]),
        {"sent-sent_on": "2026-02-30", "sent-channel": "post", "sent-received_on": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "sent-sent_on", "datum")
    assert 'value="2026-02-30"' in html
    assert '<details id="mark-sent" open>' in html
    assert not LetterDispatch.objects.exists()


def test_letter_sent_in_the_future_is_refused_at_the_date_by_the_service(
    client, org, make_application, this_month, fixed_today
):
    decision = _decision(org, make_application, this_month)
    client.force_login(org.social_worker)
    future = (fixed_today + dt.timedelta(days=30)).isoformat()
    response = client.post(
        reverse("decisions:mark_sent", args=[decision.pk]),
        {"sent-sent_on": future, "sent-channel": "post"},
    )
    assert response.status_code == 400
    assert_refused_at(response.content.decode(), "sent-sent_on", "framtiden")
    assert not LetterDispatch.objects.exists()


def test_appeal_without_arrival_date_is_refused_at_the_field_text_kept(
    client, org, make_application, this_month
):
    decision = _decision(org, make_application, this_month)
    client.force_login(org.social_worker)
    response = client.post(
        reverse("decisions:register_appeal", args=[decision.pk]),
        {
            "appeal-received_on": "",
            "appeal-decision_received_on": "",
            "appeal-basis": "unknown",
            "appeal-text": "Vill ha hela hyran",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "appeal-received_on", "obligatoriskt")
    assert "Vill ha hela hyran" in html
    assert '<details id="register-appeal" open>' in html
    assert not Appeal.objects.exists()


def test_appeal_before_the_decision_is_refused_at_the_date_by_the_service(
    client, org, make_application, this_month
):
    decision = _decision(org, make_application, this_month)
    client.force_login(org.social_worker)
    before = (decision.decided_on - dt.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("decisions:register_appeal", args=[decision.pk]),
        {"appeal-received_on": before, "appeal-basis": "unknown", "appeal-text": ""},
    )
    assert response.status_code == 400
    assert_refused_at(response.content.decode(), "appeal-received_on", "före beslutet")
    assert not Appeal.objects.exists()


def test_appeal_registered_with_valid_fields(client, org, make_application, this_month):
    decision = _decision(org, make_application, this_month)
    client.force_login(org.social_worker)
    response = client.post(
        reverse("decisions:register_appeal", args=[decision.pk]),
        {"appeal-received_on": decision.decided_on.isoformat(), "appeal-basis": "unknown"},
    )
    assert response.status_code == 302
    assert Appeal.objects.count() == 1


def test_forwarding_an_appeal_without_opinion_is_refused_at_the_field(
    client, org, make_application, this_month, fixed_today
):
    from bistand.decisions import services

    decision = _decision(org, make_application, this_month)
    appeal = services.register_appeal(
        org.social_worker, decision, received_on=fixed_today, basis="unknown"
    )
    client.force_login(org.social_worker)
    response = client.post(
        reverse("decisions:appeal_forward", args=[appeal.pk]),
        {"fwd-opinion": "", "fwd-court": "Förvaltningsrätten i Malmö", "fwd-forwarded_on": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "fwd-opinion", "obligatoriskt")
    assert "Förvaltningsrätten i Malmö" in html
    appeal.refresh_from_db()
    assert appeal.status == "registered"


def test_a_review_needing_correction_without_note_is_refused_at_the_note(
    client, org, make_application, this_month
):
    from bistand.decisions.models import AutomaticDecisionReview

    decision = _decision(org, make_application, this_month)
    review = AutomaticDecisionReview.objects.create(
        decision=decision, unit=org.unit, sampled_on=decision.decided_on
    )
    client.force_login(org.unit_head)
    response = client.post(
        reverse("decisions:review", args=[review.pk]),
        {"result": "needs_correction", "note": "  "},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "note", "Beskriv vad som behöver rättas")
    assert 'value="needs_correction" selected' in html
    review.refresh_from_db()
    assert review.reviewed_at is None and review.result == ""


def test_a_review_with_an_unknown_result_is_refused_at_the_result(
    client, org, make_application, this_month
):
    from bistand.decisions.models import AutomaticDecisionReview

    decision = _decision(org, make_application, this_month)
    review = AutomaticDecisionReview.objects.create(
        decision=decision, unit=org.unit, sampled_on=decision.decided_on
    )
    client.force_login(org.unit_head)
    response = client.post(
        reverse("decisions:review", args=[review.pk]), {"result": "ok", "note": "Bra"}
    )
    html = response.content.decode()
    assert_refused_at(html, "result", "Välj ett giltigt alternativ")
    assert "Bra" in html
    review.refresh_from_db()
    assert review.reviewed_at is None


def test_a_delegation_rule_without_point_is_refused_at_the_point(client, org):
    from bistand.decisions.models import DelegationRule

    rules = DelegationRule.objects.count()
    client.force_login(org.sysadmin)
    response = client.post(
        reverse("decisions:settings"),
        {"what": "rule", "d-point": "", "d-kind": "income_support_grant", "d-role": "unit_head",
         "d-max_amount": "5000", "d-label": "Särskilda fall"},
    )  # fmt: skip
    html = response.content.decode()
    assert_refused_at(html, "d-point", "obligatoriskt")
    assert 'value="Särskilda fall"' in html and '<details id="new-rule" open>' in html
    assert DelegationRule.objects.count() == rules


def test_decision_settings_with_a_negative_tolerance_are_refused_at_the_field(client, org):
    from bistand.decisions.models import DecisionSettings

    rows = DecisionSettings.objects.count()
    client.force_login(org.sysadmin)
    response = client.post(
        reverse("decisions:settings"),
        {"what": "settings", "s-cost_tolerance_percent": "-5", "s-cost_tolerance_amount": "100",
         "s-income_tolerance_percent": "5", "s-income_tolerance_amount": "100",
         "s-review_sample_size": "2", "s-note": "Ny tolerans"},
    )  # fmt: skip
    html = response.content.decode()
    assert_refused_at(html, "s-cost_tolerance_percent", "större än eller lika med 0")
    assert "Ny tolerans" in html
    assert DecisionSettings.objects.count() == rows


def test_reviewing_an_already_reviewed_decision_is_refused_in_the_summary(
    client, org, make_application, this_month
):
    from bistand.decisions import services
    from bistand.decisions.models import AutomaticDecisionReview

    decision = _decision(org, make_application, this_month)
    review = AutomaticDecisionReview.objects.create(
        decision=decision, unit=org.unit, sampled_on=decision.decided_on
    )
    services.review_automatic_decision(org.unit_head, review, result="approved", note="Rätt")
    client.force_login(org.unit_head)
    response = client.post(
        reverse("decisions:review", args=[review.pk]),
        {"result": "needs_correction", "note": "Fel hyra"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(
        r'<div class="error-box" role="alert" id="error-summary".*?</div>', html, re.S
    )
    assert summary and "Beslutet är redan granskat" in summary.group(0)
    assert "Fel hyra" in html and 'value="needs_correction" selected' in html  # kept
    assert 'data-testid="reviewed"' in html and "Granskat – rätt" in html
    review.refresh_from_db()
    assert review.result == "approved" and review.note == "Rätt"
