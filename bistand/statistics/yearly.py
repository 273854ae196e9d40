"""The yearly analysis: composition, durations and patterns, inflow and outflow, closing
reasons and long-term assistance for a calendar year, compared with the year before
(the Kävlinge report's recommendation: "på årsbasis ... mer djupgående analyser").

Computed from the yearly summary tables (HouseholdYear, RecipientYear: one row per household
and person and year) and, for events, from the case tables; see docs/statistics.md.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from bistand.core.codes import MAIN_CATEGORY_LABELS
from bistand.organisation.models import Unit

from .access import Filters
from .definitions import (
    AGE_BANDS,
    HOUSEHOLD_TYPE_ORDER,
    SPELL_BANDS,
    YEAR_MONTH_BANDS,
    household_type_label,
    obstacle_main_category,
)
from .figures import (
    SUMMARY_FILTERS,
    _banded,
    _mean,
    _median,
    _rows,
    _summary_where,
    budget_block,
    dec,
    decision_times_block,
    flows_block,
    long_term_block,
    money,
    programmes_block,
    read_session,
    share,
    trend_block,
)
from .models import MonthRefresh
from .periods import Period

LAYOUT = "bistand.statistics.year/1"


def _households(unit: Unit, year: int, filters: Filters) -> dict:
    conditions, params = _summary_where("hy", unit, filters, person_level=False)
    params["year"] = year
    where = " AND ".join([*conditions, "hy.year = %(year)s"])
    grouped = _rows(
        "SELECT hy.household_type, hy.months, hy.spell_months, COUNT(*), SUM(hy.amount) "
        f"FROM statistics_householdyear hy WHERE {where} "
        "GROUP BY hy.household_type, hy.months, hy.spell_months",
        params,
    )
    by_type: dict[int, list] = defaultdict(lambda: [0, Decimal(0)])
    by_months: dict[int, int] = defaultdict(int)
    by_spell: dict[int, int] = defaultdict(int)
    households, amount, household_months = 0, Decimal(0), 0
    for kind, months, spell, count, total in grouped:
        households += count
        amount += dec(total)
        household_months += months * count
        by_type[kind][0] += count
        by_type[kind][1] += dec(total)
        by_months[months] += count
        by_spell[spell] += count
    return {
        "households": households,
        "amount": money(amount),
        "household_months": household_months,
        "mean_months": _mean(by_months),
        "amount_per_household": money(amount / households) if households else None,
        "by_household_type": [
            {
                "code": code,
                "label": household_type_label(code),
                "households": by_type[code][0],
                "amount": money(by_type[code][1]),
                "share": share(by_type[code][0], households),
            }
            for code in HOUSEHOLD_TYPE_ORDER
        ],
        "by_months_in_year": [{"months": m, "households": by_months[m]} for m in range(1, 13)],
        "months_in_year_bands": _banded(by_months, YEAR_MONTH_BANDS, "households"),
        "spell_at_year_end": {
            "mean_months": _mean(by_spell),
            "median_months": _median(by_spell),
            "bands": _banded(by_spell, SPELL_BANDS, "households"),
        },
    }


def _persons(unit: Unit, year: int, filters: Filters) -> dict:
    conditions, params = _summary_where("ry", unit, filters, person_level=True)
    params["year"] = year
    where = " AND ".join([*conditions, "ry.year = %(year)s"])
    grouped = _rows(
        "SELECT ry.age_band, ry.is_adult, ry.sex, ry.support_obstacle, COUNT(*) "
        f"FROM statistics_recipientyear ry WHERE {where} "
        "GROUP BY ry.age_band, ry.is_adult, ry.sex, ry.support_obstacle",
        params,
    )
    by_band: dict[str, int] = defaultdict(int)
    by_main: dict[str, int] = defaultdict(int)
    persons = adults = men = women = unregistered = 0
    for band, is_adult, sex, obstacle, count in grouped:
        persons += count
        by_band[band] += count
        if is_adult:
            adults += count
            men += count if sex == "M" else 0
            women += count if sex == "F" else 0
            if obstacle:
                by_main[obstacle_main_category(obstacle)] += count
            else:
                unregistered += count
    registered = adults - unregistered
    return {
        "recipients": persons,
        "adult_recipients": adults,
        "minors": by_band["0-17"],
        "young_adults": by_band["18-24"],
        "adults_by_sex": {"men": men, "women": women},
        "by_age_band": [
            {"key": key, "label": label, "persons": by_band[key]} for key, _, _, label in AGE_BANDS
        ],
        "support_obstacles": {
            "adults": adults,
            "not_registered": unregistered,
            "by_main_category": [
                {
                    "key": key,
                    "label": label,
                    "adults": by_main[key],
                    "share": share(by_main[key], registered),
                }
                for key, label in MAIN_CATEGORY_LABELS.items()
            ],
        },
    }


def year_core(
    unit: Unit, year: int, filters: Filters, *, today: dt.date, with_events: bool = True
) -> dict:
    period = Period.year(year)
    core = {
        "year": year,
        "months_with_data": MonthRefresh.objects.filter(
            month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 1)
        ).count(),
        "composition": {**_households(unit, year, filters), **_persons(unit, year, filters)},
        "long_term": long_term_block(unit, year, filters, today=today),
        "trend": trend_block(unit, period, filters),
    }
    if with_events:
        core.update(
            flows=flows_block(unit, period, filters),
            decision_times=decision_times_block(unit, period, filters),
            programmes=programmes_block(unit, period, filters),
            budget=budget_block(unit, period),
        )
    return core


def _change(current, previous) -> dict:
    current_value = float(current or 0)
    previous_value = float(previous or 0)
    return {
        "current": current,
        "previous": previous,
        "change": round(current_value - previous_value, 4),
        "change_percent": round((current_value - previous_value) / previous_value * 100, 1)
        if previous_value
        else None,
    }


def comparison(current: dict, previous: dict) -> dict:
    """The headline figures of the year against the year before."""
    c, p = current["composition"], previous["composition"]
    pairs = {
        "households": (c["households"], p["households"]),
        "amount": (c["amount"], p["amount"]),
        "amount_per_household": (c["amount_per_household"], p["amount_per_household"]),
        "household_months": (c["household_months"], p["household_months"]),
        "mean_months": (c["mean_months"], p["mean_months"]),
        "recipients": (c["recipients"], p["recipients"]),
        "adult_recipients": (c["adult_recipients"], p["adult_recipients"]),
        "minors": (c["minors"], p["minors"]),
        "young_adults": (c["young_adults"], p["young_adults"]),
        "long_term_share": (current["long_term"]["share"], previous["long_term"]["share"]),
        "long_term": (current["long_term"]["long_term"], previous["long_term"]["long_term"]),
    }
    if "flows" in current and "flows" in previous:
        pairs.update(
            inflow=(current["flows"]["inflow"]["total"], previous["flows"]["inflow"]["total"]),
            outflow=(current["flows"]["outflow"]["closed"], previous["flows"]["outflow"]["closed"]),
            share_decided_within_target=(
                current["decision_times"]["share_within_target"],
                previous["decision_times"]["share_within_target"],
            ),
        )
    return {key: _change(*values) for key, values in pairs.items()}


def year_figures(unit: Unit, year: int, filters: Filters, *, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    with read_session():
        current = year_core(unit, year, filters, today=today)
        previous = year_core(unit, year - 1, filters, today=today)
    return {
        "layout": LAYOUT,
        "unit": {
            "id": unit.pk,
            "name": unit.name,
            "municipality_code": unit.municipality_code,
            "municipality_name": unit.municipality_name,
        },
        "year": year,
        "filters": filters.as_dict(),
        "filters_applied": SUMMARY_FILTERS,
        "as_of": today.isoformat(),
        "complete": current["months_with_data"] == 12 and today > dt.date(year, 12, 31),
        "current": current,
        "previous": previous,
        "comparison": comparison(current, previous),
    }
