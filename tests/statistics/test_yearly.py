"""The yearly analysis on the Lund data set: 2025 against 2024, worked out by hand."""

import datetime as dt

from bistand.statistics.access import Filters
from bistand.statistics.yearly import year_figures

TODAY = dt.date(2026, 2, 15)


def test_composition_of_the_year_and_the_year_before(lund):
    y = year_figures(lund.unit, 2025, Filters(), today=TODAY)
    c, p = y["current"]["composition"], y["previous"]["composition"]
    # 2025: cases 1-6 = six households; 2024: only H1.
    assert (c["households"], p["households"]) == (6, 1)
    # 12 x 10 000 + 9 x 8 000 + 10 x 15 000 + 6 x 7 000 + 4 x 12 000 + 5 000
    assert c["amount"] == "437000.00"
    assert p["amount"] == "120000.00"
    assert c["household_months"] == 42
    assert c["mean_months"] == 7.0  # 42 / 6
    types = {r["code"]: r["households"] for r in c["by_household_type"]}
    assert types == {3: 2, 5: 1, 4: 0, 6: 1, 7: 1, 8: 1, 1: 0, 9: 0}
    assert c["recipients"] == 10  # A B C D E F G P Q R
    assert c["adult_recipients"] == 7
    assert c["minors"] == 3
    assert c["young_adults"] == 1


def test_patterns_months_in_the_year_and_spells(lund):
    c = year_figures(lund.unit, 2025, Filters(), today=TODAY)["current"]["composition"]
    bands = {b["key"]: b["households"] for b in c["months_in_year_bands"]}
    # H5 1 month; H4a 6, H4b 4; H2 9; H1 12, H3 10.
    assert bands == {"1-3": 1, "4-6": 2, "7-9": 1, "10-12": 2}
    # Spell at each household's last month of the year: H1 36, H2 9, H3 10, H4a 6, H4b 4, H5 1.
    spells = {b["key"]: b["households"] for b in c["spell_at_year_end"]["bands"]}
    assert spells == {"1-3": 1, "4-6": 2, "7-9": 1, "10-12": 1, "13-24": 0, "25-36": 1, "37-": 0}


def test_flows_closing_reasons_and_long_term_of_the_year(lund):
    y = year_figures(lund.unit, 2025, Filters(), today=TODAY)
    flows = y["current"]["flows"]
    # Opened 2025: case 3 (new), case 5 (after case 4), case 6 (new); case 2 reopened.
    assert flows["inflow"]["new"] == 2 and flows["inflow"]["reentry"] == 2
    reasons = {r["key"]: r["cases"] for r in flows["outflow"]["by_reason"]}
    assert reasons == {"work": 1, "changed_household": 1}
    assert y["current"]["long_term"]["share"] == round(4 / 7, 4)
    assert y["previous"]["long_term"]["share"] == 1.0


def test_comparison_with_the_previous_year(lund):
    cmp = year_figures(lund.unit, 2025, Filters(), today=TODAY)["comparison"]
    assert cmp["households"] == {
        "current": 6,
        "previous": 1,
        "change": 5.0,
        "change_percent": 500.0,
    }
    assert cmp["amount"]["change_percent"] == round((437000 - 120000) / 120000 * 100, 1)
    assert cmp["long_term_share"]["current"] == round(4 / 7, 4)


def test_the_year_is_complete_only_when_it_has_ended(lund):
    assert year_figures(lund.unit, 2025, Filters(), today=TODAY)["complete"] is True
    assert (
        year_figures(lund.unit, 2025, Filters(), today=dt.date(2025, 12, 31))["complete"] is False
    )
