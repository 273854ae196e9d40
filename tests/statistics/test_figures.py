"""The month figures on the hand-made Lund data set (conftest.py), worked out by hand."""

import datetime as dt

from bistand.statistics.access import Filters
from bistand.statistics.figures import month_figures
from bistand.statistics.periods import Period

D = dt.date
JUNE = Period.month(D(2025, 6, 1))


def figures(lund, period=JUNE, today=D(2026, 2, 15), **filters):
    return month_figures(lund.unit, period, Filters(**filters), today=today)


def by(rows, key, value_key):
    return {row[key]: row[value_key] for row in rows}


def test_households_with_payment_and_amount_paid_in_june(lund):
    f = figures(lund)
    # June: H1 10 000, H2 8 000, H3 15 000, H4a 7 000 (H4b starts in July, H5 in November).
    assert f["households"]["count"] == 4
    assert f["households"]["household_months"] == 4
    assert f["households"]["amount"] == "40000.00"
    assert f["households"]["amount_per_household_month"] == "10000.00"


def test_households_by_socialstyrelsens_household_type(lund):
    rows = {r["code"]: r for r in figures(lund)["household_types"]["rows"]}
    # H1 and H4a single men without children (3), H2 single woman with a child (6),
    # H3 a couple with children (8).
    assert rows[3]["households"] == 2 and rows[3]["amount"] == "17000.00"
    assert rows[6]["households"] == 1 and rows[6]["amount"] == "8000.00"
    assert rows[8]["households"] == 1 and rows[8]["amount"] == "15000.00"
    assert sum(r["households"] for r in rows.values()) == 4
    assert rows[3]["share"] == 0.5
    assert rows[3]["label"] == "Ensamstående man utan barn"


def test_a_couple_after_a_move_is_a_cohabiting_household_without_children(lund):
    rows = {
        r["code"]: r for r in figures(lund, Period.month(D(2025, 7, 1)))["household_types"]["rows"]
    }
    # July: H1 (3), H2 (6), H3 (8), H4b = Q + P (7).
    assert (rows[3]["households"], rows[6]["households"], rows[7]["households"]) == (1, 1, 1)
    assert rows[8]["households"] == 1


def test_adults_children_and_young_adults(lund):
    persons = figures(lund)["persons"]
    # June recipients: A, B, C, D, E, F, G, P. Adults = applicants/co-applicants 18+:
    # A, B, D, E, P. Children 0-17: C (10), F (15), G (12). Young adults 18-24: B (24).
    assert persons["recipients"] == 8
    assert persons["adult_recipients"] == 5
    assert persons["minors"] == 3
    assert persons["young_adults"] == 1
    assert persons["other_persons"] == 0
    assert persons["adults_by_sex"] == {"men": 3, "women": 2}
    bands = by(persons["by_age_band"], "key", "persons")
    # Ages on 30 June 2025: A 45, D 49, E 47 -> 45-54; P 34 -> 25-34; B 24 -> 18-24.
    assert bands == {
        "0-17": 3,
        "18-24": 1,
        "25-34": 1,
        "35-44": 0,
        "45-54": 3,
        "55-64": 0,
        "65-": 0,
    }


def test_support_obstacles_from_the_latest_decisions(lund):
    block = figures(lund)["support_obstacles"]
    assert block["adults"] == 5
    assert block["registered"] == 4
    assert block["not_registered"] == 1  # B: no obstacle recorded in her decisions
    main = by(block["by_main_category"], "key", "adults")
    assert main == {
        "unemployment": 2,  # A, P
        "ill_health": 1,  # D
        "social_reasons": 1,  # E
        "other": 0,
        "none": 0,
    }
    assert by(block["by_main_category"], "key", "share")["unemployment"] == 0.5
    codes = by(block["by_code"], "code", "adults")
    assert codes == {
        "unemployed_no_benefit": 1,
        "unemployed_insufficient_benefit": 1,
        "sick_certified_no_benefit": 1,
        "social_reasons": 1,
    }


def test_duration_of_the_current_spells(lund):
    block = figures(lund)["durations"]
    # H1 has had assistance every month since January 2023: 30 months; H2 6, H3 4, H4a 6.
    bands = by(block["bands"], "key", "households")
    assert bands["4-6"] == 3 and bands["25-36"] == 1 and sum(bands.values()) == 4
    assert block["mean_months"] == 11.5  # (30 + 6 + 4 + 6) / 4
    assert block["median_months"] == 6.0


def test_inflow_new_and_reentry_and_outflow_by_closing_reason(lund):
    june = figures(lund)["flows"]
    # Case 5 opened 25 June after P's earlier case: a re-entry; case 4 closed 30 June.
    assert june["inflow"] == {
        "total": 1,
        "new": 0,
        "reentry": 1,
        "reopened": 0,
        "new_case_after_earlier_case": 1,
    }
    assert june["outflow"]["closed"] == 1
    assert june["outflow"]["by_reason"] == [
        {"key": "changed_household", "label": "Ändrade familjeförhållanden", "cases": 1}
    ]
    autumn = figures(lund, Period(D(2025, 9, 1), D(2025, 12, 1)))["flows"]
    # Case 6 is new (20 Oct); case 2 closed 30 Sep (work) and was reopened 5 Dec.
    assert autumn["inflow"]["new"] == 1
    assert autumn["inflow"]["reopened"] == 1
    assert autumn["inflow"]["reentry"] == 1
    assert autumn["outflow"]["closed"] == 1
    assert autumn["outflow"]["by_reason"][0]["key"] == "work"


def test_payment_flows_start_and_stop_of_spells(lund):
    assert figures(lund)["flows"]["payments"] == {"started": 0, "stopped": 0}
    # July: H4b starts; H4a (paid in June) stops.
    assert figures(lund, Period.month(D(2025, 7, 1)))["flows"]["payments"] == {
        "started": 1,
        "stopped": 1,
    }


def test_trend_is_the_twelve_months_up_to_the_month(lund):
    trend = figures(lund)["trend"]["months"]
    assert [m["month"] for m in trend][:2] == ["2024-07", "2024-08"]
    assert trend[-1]["month"] == "2025-06"
    assert [m["households"] for m in trend] == [1, 1, 1, 1, 1, 1, 3, 3, 4, 4, 4, 4]
    assert trend[0]["amount"] == "10000.00"
    assert trend[-1]["adults"] == 5 and trend[-1]["minors"] == 3


def test_a_period_counts_each_household_once_in_its_latest_month(lund):
    f = figures(lund, Period(D(2025, 6, 1), D(2025, 7, 1)))
    # June: H1, H2, H3, H4a; July: H1, H2, H3, H4b = 5 households, 8 household-months.
    assert f["households"]["count"] == 5
    assert f["households"]["household_months"] == 8
    # 2 x (10 000 + 8 000 + 15 000) + 7 000 + 12 000
    assert f["households"]["amount"] == "85000.00"
    types = {r["code"]: r["households"] for r in f["household_types"]["rows"]}
    assert types == {3: 2, 5: 0, 4: 0, 6: 1, 7: 1, 8: 1, 1: 0, 9: 0}
    # P is in H4a in June and H4b in July: one person, counted in July.
    assert f["persons"]["recipients"] == 9  # A B C D E F G P Q
    assert f["persons"]["adult_recipients"] == 6


def test_filter_on_section(lund):
    f = figures(lund, section_id=lund.org.intake.pk)
    assert f["households"]["count"] == 1  # H3
    assert f["households"]["amount"] == "15000.00"
    assert f["persons"]["recipients"] == 4
    assert f["flows"]["inflow"]["total"] == 0  # case 5 is in the labour section


def test_filter_on_handler_and_case_type(lund):
    f = figures(lund, handler_id=lund.org.benefit_admin.pk)
    assert f["households"]["count"] == 1 and f["households"]["amount"] == "8000.00"
    f = figures(lund, case_type="C")
    assert f["households"]["count"] == 1 and f["households"]["amount"] == "10000.00"


def test_filter_on_household_type(lund):
    f = figures(lund, household_type=3)
    assert f["households"]["count"] == 2
    assert f["persons"]["recipients"] == 2  # A and P


def test_filter_on_age_band(lund):
    f = figures(lund, age_band="18-24")
    # Households by the applicant's age band: H2 (B is 24); persons: B only.
    assert f["households"]["count"] == 1
    assert f["households"]["amount"] == "8000.00"
    assert f["persons"]["recipients"] == 1
    assert f["persons"]["young_adults"] == 1


def test_budget_paid_by_account_against_the_budget(lund):
    budget = figures(lund)["budget"]
    # Paid out January-June 2025: H1 6 x 10 000, H2 6 x 8 000, H3 4 x 15 000, H4a 6 x 7 000.
    account = budget["accounts"][0]
    assert account["code"] == "4711"
    assert account["budget"] == "500000.00"
    assert account["paid_year_to_date"] == "210000.00"
    assert account["paid_in_period"] == "40000.00"
    assert account["share_used"] == 0.42
    assert account["remaining"] == "290000.00"
    assert budget["expected_share_by_now"] == 0.5
    assert budget["total"]["paid_year_to_date"] == "210000.00"


def test_every_block_says_which_filters_it_applied(lund):
    f = figures(lund)
    for block in (
        "households",
        "household_types",
        "persons",
        "support_obstacles",
        "flows",
        "durations",
        "long_term",
        "decision_times",
        "plans",
        "caseload",
        "programmes",
        "budget",
        "trend",
    ):
        assert isinstance(f[block]["filters_applied"], list), block
    assert f["budget"]["filters_applied"] == []


def test_data_status_lists_months_not_built(lund):
    f = figures(lund, Period(D(2025, 11, 1), D(2026, 1, 1)))
    assert f["data"]["months_missing"] == ["2026-01"]
    assert f["data"]["months_stale"] == []
