"""Issue 13: a draft calculation's breakdown follows its lines. On view, a draft is calculated
again in memory (the autosaved lines as typed, or the stored lines under today's rules);
nothing is stored until *Räkna om* or *Spara*. Lines that cannot be read leave the last
breakdown, marked as not matching. A saved calculation shows what was saved."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from bistand.audit.models import AccessLogEntry, AuditAction
from bistand.calculation.money import format_sek
from bistand.decisions import services
from bistand.decisions.models import Calculation

from .test_calculation_drafts import TYPED, autosave

pytestmark = pytest.mark.django_db


@pytest.fixture
def calculation(org, make_application, this_month):
    application = make_application(this_month, stated_costs=[{"type": "rent", "amount": "6500"}])
    return services.create_calculation(org.social_worker, application)


def _breakdown(html: str) -> str:
    return re.search(r'<div class="card" data-testid="breakdown">.*?</table>', html, re.S).group(0)


def test_an_autosaved_draft_shows_the_breakdown_of_the_typed_lines(logged_in, org, calculation):
    client = logged_in(org.social_worker)
    autosave(client, calculation, TYPED)
    stored = Calculation.objects.get(pk=calculation.pk)
    changes = AccessLogEntry.objects.filter(action=AuditAction.UPDATE).count()

    html = client.get(reverse("decisions:calculation", args=[calculation.pk])).content.decode()
    breakdown = _breakdown(html)
    assert format_sek(Decimal("7100")) in breakdown
    assert format_sek(Decimal("6500")) not in breakdown
    assert 'data-testid="calc-stale"' not in html
    # Nothing stored: the lines and the result are as before the view.
    again = Calculation.objects.get(pk=calculation.pk)
    assert again.costs == stored.costs and again.amount_to_pay == stored.amount_to_pay
    assert AccessLogEntry.objects.filter(action=AuditAction.UPDATE).count() == changes


def test_a_stored_draft_is_calculated_again_on_view(logged_in, org, calculation):
    # The stored result lags behind the stored lines (as after a rule change): the page
    # shows the lines' breakdown, not the stored one.
    costs = [dict(calculation.costs[0], amount="8200.00")]
    Calculation.objects.filter(pk=calculation.pk).update(costs=costs)
    before = Calculation.objects.get(pk=calculation.pk)
    client = logged_in(org.social_worker)
    html = client.get(reverse("decisions:calculation", args=[calculation.pk])).content.decode()
    breakdown = _breakdown(html)
    assert format_sek(Decimal("8200")) in breakdown
    assert format_sek(Decimal("6500")) not in breakdown
    after = Calculation.objects.get(pk=calculation.pk)
    assert after.result == before.result and after.amount_to_pay == before.amount_to_pay


def test_typed_lines_that_cannot_be_read_mark_the_breakdown_as_not_matching(
    logged_in, org, calculation
):
    client = logged_in(org.social_worker)
    autosave(client, calculation, {**TYPED, "cost-1-amount": "sjutusen"})
    response = client.get(reverse("decisions:calculation", args=[calculation.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="calc-stale"' in html and "Räkna om" in html
    assert format_sek(Decimal("6500")) in _breakdown(html)  # the last calculated breakdown


def test_a_saved_calculation_shows_what_was_saved(logged_in, org, calculation, monkeypatch):
    saved = services.save_calculation(org.social_worker, calculation)

    def refuse(*args, **kwargs):
        raise AssertionError("a saved calculation is never calculated again")

    monkeypatch.setattr(services, "preview_calculation", refuse)
    client = logged_in(org.social_worker)
    response = client.get(reverse("decisions:calculation", args=[saved.pk]))
    assert response.status_code == 200
    assert format_sek(Decimal("6500")) in _breakdown(response.content.decode())
