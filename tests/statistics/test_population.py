"""Households and persons per 1,000 inhabitants (issue 17), from SCB's population in the
shipped panel; only for the whole unit, protected like the counts it rests on."""

import datetime as dt

from django.urls import reverse

from bistand.statistics.access import Filters
from bistand.statistics.figures import month_figures
from bistand.statistics.periods import Period
from bistand.statistics.suppression import SUPPRESSED, suppress_figures

JUNE = Period.month(dt.date(2025, 6, 1))
LUND_POPULATION = 127376  # SCB, 31 Dec 2021 (data/scb_municip_data22.csv, municip_code 1281)


def test_rates_per_thousand_inhabitants_of_the_municipality(lund):
    figures = month_figures(lund.unit, JUNE, Filters(), today=dt.date.today())
    block = figures["population"]
    assert (block["municipality_code"], block["population"]) == ("1281", LUND_POPULATION)
    assert block["population_date"] == "2021-12-31" and "SCB" in block["source"]
    assert block["households_per_1000"] == round(4 * 1000 / LUND_POPULATION, 2)
    assert block["recipients_per_1000"] == round(8 * 1000 / LUND_POPULATION, 2)
    assert block["comparison"] is None and block["comparison_note"]


def test_no_rate_for_a_filtered_view(lund):
    figures = month_figures(lund.unit, JUNE, Filters(case_type="C"), today=dt.date.today())
    assert figures["population"]["households_per_1000"] is None
    assert "utan filter" in figures["population"]["reason"]


def test_a_rate_resting_on_a_suppressed_count_is_suppressed(lund):
    figures = suppress_figures(month_figures(lund.unit, JUNE, Filters(), today=dt.date.today()))
    assert figures["households"]["count"] is SUPPRESSED
    assert figures["population"]["households_per_1000"] is SUPPRESSED
    assert figures["population"]["recipients_per_1000"] == round(8 * 1000 / LUND_POPULATION, 2)


def test_the_dashboard_shows_the_rate_beside_the_counts(client, lund):
    client.force_login(lund.org.unit_head)
    response = client.get(reverse("statistics:dashboard"), {"month": "2025-06"})
    section = next(s for s in response.context["page_sections"] if s.key == "befolkning")
    assert section.rows[0][:2] == ["Hushåll med utbetalning", "4"]
    assert section.rows[0][2] == "0,0"
    card = next(c for c in response.context["cards"] if "1 000" in c["label"])
    assert card["value"] == "0,0"
