"""Issue 13: the case-type form on the case page refuses at its field, keeps the page, and
never shows a type that was not chosen."""

import re

import pytest
from django.urls import reverse

from bistand.cases import services

from .test_field_errors import assert_refused_at


@pytest.fixture
def case(org, household_factory, this_month):
    household = household_factory(org.reception, children=True)
    case = services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    return services.take_case(org.social_worker, case)


def _select(html: str) -> str:
    return re.search(r'<select name="case_type".*?</select>', html, re.S).group(0)


def test_no_type_chosen_is_refused_at_the_field_on_the_case_page(client, org, case):
    client.force_login(org.social_worker)
    response = client.post(reverse("set_case_type", args=[case.pk]), {"case_type": ""})
    assert response.status_code == 400  # the case page again, not a redirect
    html = response.content.decode()
    assert_refused_at(html, "case_type", "Välj en ärendetyp.")
    assert re.search(r'<option value="" selected>— välj —</option>', _select(html))
    case.refresh_from_db()
    assert case.case_type == ""


def test_an_unknown_type_is_refused_at_the_field(client, org, case):
    client.force_login(org.social_worker)
    response = client.post(reverse("set_case_type", args=[case.pk]), {"case_type": "X"})
    assert response.status_code == 400
    assert_refused_at(response.content.decode(), "case_type", "Välj ett giltigt alternativ")
    case.refresh_from_db()
    assert case.case_type == ""


def test_a_set_type_is_selected_and_no_empty_choice_is_offered(client, org, case):
    client.force_login(org.social_worker)
    response = client.post(reverse("set_case_type", args=[case.pk]), {"case_type": "B"})
    assert response.status_code == 302
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    select = _select(html)
    assert re.search(r'<option value="B" selected>B – planering', select)
    assert "— välj —" not in select and 'value=""' not in select
    assert 'id="error-summary"' not in html


def test_another_workers_case_type_form_is_refused(client, org, case):
    client.force_login(org.other_social_worker)
    response = client.post(reverse("set_case_type", args=[case.pk]), {"case_type": "A"})
    assert response.status_code in (403, 404)
    case.refresh_from_db()
    assert case.case_type == ""


def test_a_type_the_handler_may_not_hold_is_refused_in_the_summary(client, org, case):
    # A C case is the benefit administrator's (the service refuses a social worker as handler).
    client.force_login(org.social_worker)
    response = client.post(reverse("set_case_type", args=[case.pk]), {"case_type": "C"})
    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(r'<div class="error-box".*?</div>', html, re.S).group(0)
    assert "<li>" in summary
    assert re.search(r'<option value="C" selected>', _select(html))  # the choice kept
    case.refresh_from_db()
    assert case.case_type == ""
