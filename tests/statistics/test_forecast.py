"""Budget forecast: linear trend over the last 12 months times seasonal factors."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bistand.core.dates import add_months
from bistand.statistics.forecast import _line, forecast_block, project, seasonal_factors
from bistand.statistics.models import AccountMonth

from .builders import World

D = dt.date


def series(first: dt.date, values: list[float]) -> tuple[list[dt.date], list[float]]:
    return [add_months(first, i) for i in range(len(values))], values


def test_the_trend_line_is_exact_on_a_straight_line():
    intercept, slope = _line([100.0 + 5 * t for t in range(12)])
    assert intercept == pytest.approx(100.0)
    assert slope == pytest.approx(5.0)


@given(
    st.floats(min_value=1000, max_value=1e6),
    st.floats(min_value=-500, max_value=500),
)
def test_a_straight_line_is_projected_along_itself(base, slope):
    months, values = series(D(2024, 1, 1), [base + slope * t for t in range(12)])
    projected, factors, _, fitted_slope = project(months, values, horizon=3)
    assert factors is None  # under 24 months: no seasonality assumed
    assert fitted_slope == pytest.approx(slope, abs=1e-6)
    assert projected[0][0] == D(2025, 1, 1)
    assert projected[0][1] == pytest.approx(max(base + slope * 12, 0.0), rel=1e-9, abs=1e-6)


def test_seasonal_factors_are_recovered_from_a_seasonal_series():
    season = [1.2, 1.1, 1.0, 1.0, 0.9, 0.8, 0.8, 0.9, 1.0, 1.0, 1.1, 1.2]
    months, values = series(D(2023, 1, 1), [1000.0 * season[t % 12] for t in range(36)])
    factors = seasonal_factors(months, values)
    for month_number, expected in enumerate(season, start=1):
        assert factors[month_number] == pytest.approx(expected, rel=1e-9)
    assert sum(factors.values()) / 12 == pytest.approx(1.0)
    projected, _, _, slope = project(months, values, horizon=12)
    assert slope == pytest.approx(0.0, abs=1e-6)
    assert [round(v) for _, v in projected] == [round(1000 * s) for s in season]


def test_forecast_block_projects_the_year_against_the_budget(org):
    world = World(org)
    world.budget(2025, 130000)
    # 2024-07 .. 2025-06: 10 000 a month paid; a straight line, no seasonality (12 months).
    AccountMonth.objects.bulk_create(
        AccountMonth(
            unit=org.unit,
            month=add_months(D(2024, 7, 1), i),
            budget_account=world.account,
            amount=Decimal("10000"),
            payments=10,
        )
        for i in range(12)
    )
    block = forecast_block(org.unit, D(2025, 6, 1), today=D(2025, 7, 15))
    assert block["available"] is True
    assert block["basis"] == {
        "from": "2024-07",
        "to": "2025-06",
        "months": 12,
        "history_months": 12,
    }
    assert block["seasonal_factors"] is None
    assert block["trend"] == {"intercept": "10000.00", "slope_per_month": "0.00"}
    assert block["projection"][0] == {"month": "2025-07", "amount": "10000.00"}
    year = block["year"]
    # Paid January-June 60 000 + projected July-December 60 000 against a budget of 130 000.
    assert year == {
        "year": 2025,
        "paid_so_far": "60000.00",
        "projected_rest": "60000.00",
        "projected_total": "120000.00",
        "budget": "130000.00",
        "projected_minus_budget": "-10000.00",
        "projected_share_of_budget": round(120000 / 130000, 4),
    }
    assert any("rät linje" in text for text in block["assumptions"])


def test_a_running_month_is_not_part_of_the_basis(org):
    world = World(org)
    AccountMonth.objects.bulk_create(
        AccountMonth(
            unit=org.unit,
            month=add_months(D(2025, 1, 1), i),
            budget_account=world.account,
            amount=Decimal("1000"),
            payments=1,
        )
        for i in range(8)
    )
    block = forecast_block(org.unit, D(2025, 8, 1), today=D(2025, 8, 10))
    assert block["basis"]["to"] == "2025-07"


def test_too_few_months_gives_no_forecast(org):
    world = World(org)
    AccountMonth.objects.create(
        unit=org.unit, month=D(2025, 5, 1), budget_account=world.account, amount=1, payments=1
    )
    block = forecast_block(org.unit, D(2025, 6, 1), today=D(2025, 7, 1))
    assert block["available"] is False
    assert "minst 6 hela månader" in block["reason"]
