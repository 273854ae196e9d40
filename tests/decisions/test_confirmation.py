"""Issue 13: *Besluta* shows what will be decided and asks for confirmation before the final
decision is made; going back keeps the values; a refusal is still caught before the step."""

from django.urls import reverse

from bistand.decisions.models import Decision

from .conftest import saved_calculation
from .test_views import _decide_post


def _unconfirmed(calculation, **extra):
    data = _decide_post(calculation, **extra)
    del data["confirmed"]
    return data


def test_besluta_shows_a_confirmation_and_decides_only_when_confirmed(
    logged_in, org, make_application, this_month
):
    application = make_application(this_month, stated_costs=[{"type": "rent", "amount": "6500"}])
    calculation = saved_calculation(org.social_worker, application)
    client = logged_in(org.social_worker)
    url = reverse("decisions:decide", args=[application.pk])
    response = client.post(url, _unconfirmed(calculation, reasons="Beviljas enligt norm."))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="decision-confirmation"' in page
    assert "Bifall" in page and "Beviljas enligt norm." in page
    assert 'name="confirmed" value="1"' in page
    assert not Decision.objects.exists()

    # The confirmation form posts the same values again, with the confirmation.
    back = client.post(url, _unconfirmed(calculation) | {"action": "edit", "confirmed": "1"})
    assert back.status_code == 200 and 'data-testid="decision-form"' in back.content.decode()
    assert not Decision.objects.exists()

    response = client.post(url, _decide_post(calculation, reasons="Beviljas enligt norm."))
    assert response.status_code == 302
    assert Decision.objects.filter(application=application).count() == 1


def test_confirmation_is_not_offered_for_a_decision_that_would_be_refused(
    logged_in, org, make_application, this_month
):
    application = make_application(this_month)
    calculation = saved_calculation(org.social_worker, application)
    client = logged_in(org.social_worker)
    data = _unconfirmed(calculation, **{"line-0-outcome": "refused", "line-0-reasons": ""})
    response = client.post(reverse("decisions:decide", args=[application.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Skäl måste anges för avslag och delvis bifall" in page
    assert 'data-testid="decision-confirmation"' not in page
    assert not Decision.objects.exists()


def _referred(org, application, calculation, client):
    from .test_views import _decide_post as post

    url = reverse("decisions:decide", args=[application.pk])
    data = post(calculation, action="refer", referred_to=org.labour_head.pk, note="Avslag")
    assert client.post(url, data).status_code == 302
    return Decision.objects.get()


def test_a_referred_decision_is_made_final_only_after_the_confirmation_step(
    logged_in, org, make_application, this_month
):
    application = make_application(
        this_month, handler=org.benefit_admin, stated_incomes=[{"type": "wages", "amount": "9000"}]
    )
    calculation = saved_calculation(org.benefit_admin, application)
    referred = _referred(org, application, calculation, logged_in(org.benefit_admin))
    head = logged_in(org.labour_head)
    url = reverse("decisions:decide_draft", args=[referred.pk])

    response = head.post(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="decision-confirmation"' in page
    # What will be decided: case, person, month, amount and outcome.
    applicant = application.case.household.applicant_on(application.received_on)
    assert str(application.case.reference) in page
    assert applicant.full_name in page
    assert f"{referred.month:%Y-%m}" in page
    assert referred.get_outcome_display() in page
    assert 'data-testid="confirm-total"' in page
    assert 'name="confirmed" value="1"' in page
    referred.refresh_from_db()
    assert referred.status == "referred" and referred.decided_by is None

    # Anything but the confirmation field's "1" is no confirmation.
    assert head.post(url, {"confirmed": "yes"}).status_code == 200
    referred.refresh_from_db()
    assert referred.status == "referred"

    assert head.post(url, {"confirmed": "1"}).status_code == 302
    referred.refresh_from_db()
    assert referred.status == "final" and referred.decided_by == org.labour_head


def test_the_draft_confirmation_is_refused_to_whoever_may_not_decide_it(
    logged_in, org, make_application, this_month
):
    from bistand.organisation.models import Role
    from tests.factories import UserFactory

    application = make_application(
        this_month, handler=org.benefit_admin, stated_incomes=[{"type": "wages", "amount": "9000"}]
    )
    calculation = saved_calculation(org.benefit_admin, application)
    referred = _referred(org, application, calculation, logged_in(org.benefit_admin))
    url = reverse("decisions:decide_draft", args=[referred.pk])
    # Reception may not decide at all; another section head is not the one it was sent to.
    other_head = UserFactory(
        username="otherhead", role=Role.SECTION_HEAD, unit=org.unit, section=org.labour_head.section
    )
    for user in (org.reception, other_head):
        response = logged_in(user).post(url)
        assert response.status_code in (403, 404), user
        assert 'data-testid="decision-confirmation"' not in response.content.decode()
    assert logged_in(org.labour_head).post(url, {"confirmed": "1"}).status_code == 302

    # A final decision offers no confirmation any more.
    response = logged_in(org.labour_head).post(url)
    assert 'data-testid="decision-confirmation"' not in response.content.decode()
    referred.refresh_from_db()
    assert referred.decided_by == org.labour_head


def test_besluta_confirmation_names_the_case_and_the_person(
    logged_in, org, make_application, this_month
):
    application = make_application(this_month, stated_costs=[{"type": "rent", "amount": "6500"}])
    calculation = saved_calculation(org.social_worker, application)
    client = logged_in(org.social_worker)
    url = reverse("decisions:decide", args=[application.pk])
    page = client.post(url, _unconfirmed(calculation)).content.decode()
    applicant = application.case.household.applicant_on(application.received_on)
    assert 'data-testid="confirm-summary"' in page
    assert str(application.case.reference) in page and applicant.full_name in page
    assert f"{application.month:%Y-%m}" in page
