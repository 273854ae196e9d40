"""Budget forecast: the next months' payments projected from the trend (docs/statistics.md).

Method (ratio-to-trend seasonality + linear trend), on the unit's monthly paid amounts (the
month paid out, assistance accounts), summed in the database per month:

1. Basis: the complete months up to the chosen month (a month still running is left out).
2. Seasonal factors, when at least 24 complete months exist: fit a straight line to the last
   24 or 36 months, divide each month by the line, average the ratios per calendar month and
   scale them to average 1. With fewer months every factor is 1 (no seasonality assumed).
3. Trend: a least-squares line through the last 12 months divided by their seasonal factors.
4. Projection for month h after the basis: (intercept + slope · t) × the calendar month's
   factor. The year's outcome = paid in the complete months + the projected rest of the year.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from bistand.core.dates import add_months, month_start
from bistand.organisation.models import Unit
from bistand.payments.models import BudgetAccount, BudgetAmount, BudgetKind

from .models import AccountMonth
from .periods import MONTH_NAMES, month_key

TREND_MONTHS = 12
MIN_MONTHS = 6
SEASONAL_MIN_MONTHS = 24
SEASONAL_MAX_MONTHS = 36
HORIZON = 12


def _line(values: list[float]) -> tuple[float, float]:
    """Least squares y = a + b t for t = 0..n-1."""
    n = len(values)
    if n == 1:
        return values[0], 0.0
    mean_t = (n - 1) / 2
    mean_y = sum(values) / n
    sxx = sum((t - mean_t) ** 2 for t in range(n))
    sxy = sum((t - mean_t) * (y - mean_y) for t, y in enumerate(values))
    slope = sxy / sxx if sxx else 0.0
    return mean_y - slope * mean_t, slope


def seasonal_factors(months: list[dt.date], amounts: list[float]) -> dict[int, float] | None:
    """Ratio-to-trend factors per calendar month (1-12), or None with under 24 months."""
    if len(amounts) < SEASONAL_MIN_MONTHS:
        return None
    years = min(len(amounts) // 12, SEASONAL_MAX_MONTHS // 12)
    window_months, window = months[-12 * years :], amounts[-12 * years :]
    intercept, slope = _line(window)
    ratios: dict[int, list[float]] = {k: [] for k in range(1, 13)}
    for t, (month, amount) in enumerate(zip(window_months, window, strict=True)):
        expected = intercept + slope * t
        if expected > 0:
            ratios[month.month].append(amount / expected)
    raw = {k: (sum(v) / len(v) if v else 1.0) for k, v in ratios.items()}
    mean = sum(raw.values()) / 12
    return {k: (v / mean if mean else 1.0) for k, v in raw.items()}


def project(
    months: list[dt.date], amounts: list[float], horizon: int = HORIZON
) -> tuple[list[tuple[dt.date, float]], dict[int, float] | None, float, float]:
    """(projected months, seasonal factors or None, trend intercept, slope per month)."""
    factors = seasonal_factors(months, amounts)
    factor = (lambda m: factors[m.month]) if factors else (lambda m: 1.0)
    basis_months, basis = months[-TREND_MONTHS:], amounts[-TREND_MONTHS:]
    adjusted = [a / factor(m) for m, a in zip(basis_months, basis, strict=True)]
    intercept, slope = _line(adjusted)
    last = len(adjusted) - 1
    projected = []
    for h in range(1, horizon + 1):
        month = add_months(basis_months[-1], h)
        value = max((intercept + slope * (last + h)) * factor(month), 0.0)
        projected.append((month, value))
    return projected, factors, intercept, slope


def _kr(value: float | Decimal) -> str:
    return f"{Decimal(str(round(float(value), 2))):.2f}"


def monthly_paid(unit: Unit, last: dt.date, count: int) -> list[tuple[dt.date, float]]:
    """Paid amounts per month (the month paid out) on the unit's assistance accounts, for up
    to `count` months ending with `last`, from the first month with any payment."""
    first = add_months(last, -(count - 1))
    totals = dict(
        AccountMonth.objects.filter(
            unit=unit,
            month__gte=first,
            month__lte=last,
            budget_account__kind=BudgetKind.ASSISTANCE,
        )
        .values_list("month")
        .annotate(total=Sum("amount"))
        .values_list("month", "total")
    )
    if not totals:
        return []
    month, series = min(totals), []
    while month <= last:
        series.append((month, float(totals.get(month) or 0)))
        month = add_months(month, 1)
    return series


def forecast_block(unit: Unit, through: dt.date, *, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    last_complete = min(month_start(through), add_months(month_start(today), -1))
    series = monthly_paid(unit, last_complete, SEASONAL_MAX_MONTHS)
    assumptions = [
        "Underlaget är utbetalt belopp per utbetalningsmånad på enhetens konton för "
        "ekonomiskt bistånd, hela månader fram till och med "
        f"{MONTH_NAMES[last_complete.month - 1]} {last_complete.year}.",
        f"Trenden är en rät linje (minsta kvadrat) genom de senaste {TREND_MONTHS} månaderna.",
        "Säsongsfaktorerna är genomsnittlig kvot mellan utfall och trend per kalendermånad "
        f"under de senaste 24–36 månaderna; med färre än {SEASONAL_MIN_MONTHS} månader antas "
        "ingen säsongsvariation.",
        "Prognosen förutsätter att regler, normbelopp och antal hushåll utvecklas som "
        "tidigare; kända förändringar (t.ex. ny riksnorm i januari) ingår inte.",
    ]
    if len(series) < MIN_MONTHS:
        return {
            "available": False,
            "reason": f"Prognosen behöver minst {MIN_MONTHS} hela månader med utbetalningar.",
            "method": "linear_trend_seasonal",
            "assumptions": assumptions,
        }
    months = [m for m, _ in series]
    amounts = [a for _, a in series]
    projected, factors, intercept, slope = project(months, amounts)
    year = last_complete.year if last_complete.month < 12 else last_complete.year + 1
    year_start = dt.date(year, 1, 1)
    paid_so_far = sum(a for m, a in series if m >= year_start)
    rest = sum(v for m, v in projected if m.year == year)
    budget = sum(
        (
            amount
            for amount in (
                BudgetAmount.objects.filter(account=account, year=year)
                .order_by("-id")
                .values_list("amount", flat=True)
                .first()
                for account in BudgetAccount.objects.filter(unit=unit, kind=BudgetKind.ASSISTANCE)
            )
            if amount is not None
        ),
        Decimal(0),
    )
    total = paid_so_far + rest
    return {
        "available": True,
        "method": "linear_trend_seasonal",
        "basis": {
            "from": month_key(months[-TREND_MONTHS:][0]),
            "to": month_key(months[-1]),
            "months": len(months[-TREND_MONTHS:]),
            "history_months": len(months),
        },
        "trend": {"intercept": _kr(intercept), "slope_per_month": _kr(slope)},
        "seasonal_factors": [{"month": k, "factor": round(factors[k], 4)} for k in range(1, 13)]
        if factors
        else None,
        "history": [{"month": month_key(m), "amount": _kr(a)} for m, a in series[-24:]],
        "projection": [{"month": month_key(m), "amount": _kr(v)} for m, v in projected],
        "year": {
            "year": year,
            "paid_so_far": _kr(paid_so_far),
            "projected_rest": _kr(rest),
            "projected_total": _kr(total),
            "budget": _kr(budget) if budget else None,
            "projected_minus_budget": _kr(total - float(budget)) if budget else None,
            "projected_share_of_budget": round(total / float(budget), 4) if budget else None,
        },
        "assumptions": assumptions,
    }
