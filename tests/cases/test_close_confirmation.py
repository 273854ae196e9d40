"""Issue 13: closing a case shows what will happen and asks for a confirmation first (a page,
so it works without JavaScript); undecided applications are named at the form before that."""

import pytest
from django.urls import reverse

from bistand.cases import services
from bistand.cases.models import Case


@pytest.fixture
def taken_case(org, household_factory, this_month):
    household = household_factory(org.reception, children=True)
    case = services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    return services.take_case(org.social_worker, case)


def _without_undecided(case: Case, actor) -> Case:
    for application in case.applications.all():
        services.withdraw_application(actor, application, "Sökanden drog tillbaka ansökan.")
    return case


def test_closing_asks_for_confirmation_and_closes_only_when_confirmed(client, org, taken_case):
    case = _without_undecided(taken_case, org.social_worker)
    client.force_login(org.social_worker)
    url = reverse("close_case", args=[case.pk])
    data = {"close-reason": "", "close-closed_on": "", "ordning": "aldst"}
    data["close-reason"] = next(iter(_reasons()))
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="close-confirmation"' in html
    applicant = case.household.applicant_on(case.opened_on)
    assert str(case.reference) in html and applicant.full_name in html
    assert _reasons()[data["close-reason"]] in html
    assert 'name="confirmed" value="1"' in html
    assert f'name="close-reason" value="{data["close-reason"]}"' in html
    case.refresh_from_db()
    assert case.status != "closed"

    assert client.post(url, data | {"confirmed": "ja"}).status_code == 200
    case.refresh_from_db()
    assert case.status != "closed"

    response = client.post(url, data | {"confirmed": "1"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.closing_reason == data["close-reason"]


def test_undecided_applications_are_said_at_the_form_not_after_confirming(client, org, taken_case):
    client.force_login(org.social_worker)
    response = client.post(
        reverse("close_case", args=[taken_case.pk]),
        {"close-reason": next(iter(_reasons())), "close-closed_on": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="close-confirmation"' not in html
    assert "obeslutade ansökningar" in html and 'id="error-summary"' in html
    assert '<details id="close-case" open>' in html
    taken_case.refresh_from_db()
    assert taken_case.status != "closed"


def test_the_close_confirmation_is_refused_to_a_role_that_may_not_close(client, org, taken_case):
    case = _without_undecided(taken_case, org.social_worker)
    client.force_login(org.reception)
    response = client.post(
        reverse("close_case", args=[case.pk]), {"close-reason": next(iter(_reasons()))}
    )
    assert response.status_code in (403, 404)
    assert 'data-testid="close-confirmation"' not in response.content.decode()


def _reasons() -> dict[str, str]:
    from bistand.cases.models import ClosingReason

    return {str(value): str(label) for value, label in ClosingReason.choices}
