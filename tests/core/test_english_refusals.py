"""Issue 13: a service's refusal (a DomainError shown as a message or at a field) was Swedish
even in the English UI. The messages are marked gettext_lazy with Swedish msgids and read in
the language of the refused request (core.errors.DomainError); one refusal per app here, each
through the page in English (or the service under English, where no page is at hand)."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from bistand.core.errors import DomainError
from tests.cases.test_field_errors import household_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_payments_budget_refusal_in_english(english, org):
    english.force_login(org.unit_head)
    response = english.post(
        reverse("payments:budget"),
        {"form": "account", "code": "45", "name": "Rent debts", "kind": "assistance"},
    )
    html = response.content.decode()
    assert "Enter the account number with 3–10 digits" in html
    assert "Kontonumret anges" not in html


def test_norms_import_refusal_in_english(english, org):
    english.force_login(org.sysadmin)
    upload = SimpleUploadedFile("n.json", json.dumps({"years": {}}).encode(), "application/json")
    html = english.post(reverse("norms:import"), {"file": upload}).content.decode()
    assert "The file contains no year." in html and "inget år" not in html


def test_decisions_review_refusal_in_english(english, org, household_factory):
    from bistand.decisions import services
    from bistand.decisions.models import AutomaticDecisionReview
    from tests.decisions.conftest import decide
    from tests.workplans.conftest import make_case

    case = make_case(org, household_factory, opened_days_ago=3)
    decision = decide(org.social_worker, case.applications.get())
    review = AutomaticDecisionReview.objects.create(
        decision=decision, unit=org.unit, sampled_on=decision.decided_on
    )
    services.review_automatic_decision(org.unit_head, review, result="approved", note="")
    english.force_login(org.unit_head)
    response = english.post(
        reverse("decisions:review", args=[review.pk]), {"result": "approved", "note": ""}
    )
    html = response.content.decode()
    assert "The decision has already been reviewed." in html
    assert "redan granskat" not in html


def test_households_refusal_in_english(english, org, this_month):
    english.force_login(org.reception)
    data = household_data(
        f"{this_month:%Y-%m}",
        **{"m-0-identity_number": "19830919-2394", "m-1-first_name": "Lilla",
           "m-1-role": "applicant", "m-1-identity_number": "19981102-2384"},
    )  # fmt: skip
    html = english.post(reverse("register_household"), data).content.decode()
    assert "The household must have exactly one applicant." in html
    assert "exakt en sökande" not in html


def test_activity_and_controls_refusals_follow_the_language():
    from bistand.activity.services_attendance import _decode
    from bistand.controls.services import _period

    for language, activity, controls in (
        ("en", "The file must be saved as UTF-8.", "The end of the period is before its start."),
        ("sv", "Filen måste vara sparad som UTF-8.", "Periodens slut ligger före dess början."),
    ):
        with translation.override(language):
            with pytest.raises(DomainError) as refused:
                _decode("å".encode("latin-1"))
            assert refused.value.message == activity
            with pytest.raises(DomainError) as refused:
                _period(dt.date(2026, 5, 1), dt.date(2026, 3, 1))
            assert refused.value.message == controls
