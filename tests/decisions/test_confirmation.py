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
