"""Rebuild the summary tables (models.py) with set-based SQL: one month at a time, each table
with one DELETE and one INSERT ... SELECT (plus two UPDATE ... FROM), never row by row.

    refresh_months([date(2026, 3, 1)])   # rebuild March 2026 (and what depends on it)
    refresh_stale()                       # every month the payment triggers marked
    refresh_all()                         # every month with paid assistance, in order

A month's rows depend on the month before (the length of the current spell), so a refresh
carries the spell lengths forward to later months already built, and rebuilds the yearly
tables of every year it touched. The SQL is standard (window functions, UPDATE ... FROM) and
runs on PostgreSQL and SQLite 3.33+; the two dialect differences are in `_ymd` and `_trunc`.

Definitions (docs/statistics.md):
- the month is the calendar month the paid assistance is for (PaymentOrder.month; HSLF-FS
  2015:30 3 §: "den kalendermånad som biståndet gäller för"); only orders with status paid
  count (a payment the bank returned is no longer paid);
- the budget accounts use the month the order was paid out (paid_on), as the ledger books it;
- section, handler and case type: the latest case assignment started before the end of the
  month (or before now, for the current month); the case's own values if it has none;
- members: memberships overlapping the month; a person in two households with assistance in
  the same month counts once, in the household they joined last;
- age in completed years on the last day of the month; adult recipient = applicant or
  co-applicant aged 18 or more; household type derived as core.codes.derive_household_type;
- support obstacle: the latest final decision for a month up to this one that records one for
  the person; in programme: a started municipal labour-market programme overlapping the month.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from bistand.core.dates import add_months, month_start

from .definitions import (
    ADULT_AGE,
    AGE_BANDS,
    LONG_TERM_MONTHS,
    VERY_LONG_TERM_YEARS,
    YOUNG_ADULT_AGES,
    band_case_sql,
)
from .models import HouseholdMonth, MonthRefresh, StaleMonth

logger = logging.getLogger("bistand.statistics")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@dataclass
class RefreshResult:
    months: list[dt.date] = field(default_factory=list)
    cascaded: list[dt.date] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    households: int = 0
    recipients: int = 0
    seconds: float = 0.0


def _date(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


def _timestamp(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _ymd(expression: str) -> str:
    """A date column as the integer YYYYMMDD (for ages in completed years)."""
    if connection.vendor == "postgresql":
        return f"CAST(to_char({expression}, 'YYYYMMDD') AS INTEGER)"
    return f"CAST(strftime('%%Y%%m%%d', {expression}) AS INTEGER)"


def household_type_case(adults: str, men: str, children: str, others: str) -> str:
    """SQL for Socialstyrelsen's household type code, the same rules as
    core.codes.derive_household_type (adults = applicant/co-applicant aged 18+)."""
    return (
        f"CASE WHEN {adults} = 0 AND {children} > 0 THEN 1 "
        f"WHEN {others} > 0 OR {adults} > 2 OR {adults} = 0 THEN 9 "
        f"WHEN {adults} = 2 THEN CASE WHEN {children} > 0 THEN 8 ELSE 7 END "
        f"WHEN {men} = 1 THEN CASE WHEN {children} > 0 THEN 4 ELSE 3 END "
        f"ELSE CASE WHEN {children} > 0 THEN 6 ELSE 5 END END"
    )


def _cut(next_month: dt.date) -> dt.datetime:
    """The end of the month (midnight, Stockholm), or now if the month has not ended."""
    end = dt.datetime(next_month.year, next_month.month, 1, tzinfo=STOCKHOLM)
    return min(end, timezone.now())


def _execute(sql: str, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _household_rows_sql() -> str:
    return """
INSERT INTO statistics_householdmonth
    (unit_id, month, case_id, household_id, section_id, handler_id, case_type,
     household_type, applicant_age_band, adults, other_adults, children, minors,
     young_adults, persons, amount, payments, decision_id, spell_months)
SELECT c.unit_id, %(month)s, c.id, c.household_id,
       CASE WHEN a.id IS NULL THEN c.section_id ELSE a.section_id END,
       CASE WHEN a.id IS NULL THEN c.handler_id ELSE a.handler_id END,
       CASE WHEN a.id IS NULL THEN c.case_type ELSE a.case_type END,
       9, '', 0, 0, 0, 0, 0, 0, paid.amount, paid.payments, paid.decision_id,
       COALESCE((
           SELECT prev.spell_months FROM statistics_householdmonth prev
           WHERE prev.case_id = c.id AND prev.month = %(previous)s
       ), 0) + 1
FROM (
    SELECT totals.*, (
        SELECT a2.id FROM cases_caseassignment a2
        WHERE a2.case_id = totals.case_id AND a2.started_at < %(cut)s
        ORDER BY a2.started_at DESC, a2.id DESC
        LIMIT 1
    ) AS assignment_id
    FROM (
        SELECT o.case_id, SUM(o.amount) AS amount, COUNT(*) AS payments,
               MAX(o.decision_id) AS decision_id
        FROM payments_paymentorder o
        WHERE o.status = 'paid' AND o.month >= %(month)s AND o.month < %(next)s
        GROUP BY o.case_id
    ) totals
) paid
JOIN cases_case c ON c.id = paid.case_id
LEFT JOIN cases_caseassignment a ON a.id = paid.assignment_id
"""


def _recipient_rows_sql() -> str:
    age = f"((%(end_ymd)s - {_ymd('p.birth_date')}) / 10000)"
    kind = household_type_case("y.adults", "y.men", "y.children", "y.other_adults")
    return f"""
INSERT INTO statistics_recipientmonth
    (unit_id, month, person_id, case_id, household_id, section_id, handler_id, case_type,
     household_type, role, sex, age, age_band, is_adult, support_obstacle, in_programme,
     spell_months)
SELECT y.unit_id, %(month)s, y.person_id, y.case_id, y.household_id, y.section_id,
       y.handler_id, y.case_type, {kind}, y.role, y.sex, y.age,
       {band_case_sql("y.age", AGE_BANDS)}, y.is_adult,
       CASE WHEN y.is_adult THEN COALESCE(
           (SELECT ob.code FROM decisions_decisionsupportobstacle ob
            WHERE ob.decision_id = y.decision_id AND ob.person_id = y.person_id),
           NULLIF((
               SELECT prev.support_obstacle FROM statistics_recipientmonth prev
               WHERE prev.person_id = y.person_id AND prev.month = %(previous)s
           ), ''),
           (SELECT ob.code FROM decisions_decisionsupportobstacle ob
            JOIN decisions_decision d ON d.id = ob.decision_id
            WHERE ob.person_id = y.person_id AND d.status = 'final' AND d.month < %(next)s
            ORDER BY d.month DESC, d.decided_at DESC, d.id DESC
            LIMIT 1),
           '') ELSE '' END,
       EXISTS (
           SELECT 1 FROM workplans_intervention i
           WHERE i.person_id = y.person_id AND i.target = 'programme'
             AND i.started_on IS NOT NULL AND i.started_on < %(next)s
             AND (i.ended_on IS NULL OR i.ended_on >= %(month)s)
       ),
       COALESCE((
           SELECT prev.spell_months FROM statistics_recipientmonth prev
           WHERE prev.person_id = y.person_id AND prev.month = %(previous)s
       ), 0) + 1
FROM (
    SELECT x.*,
           SUM(CASE WHEN x.is_adult THEN 1 ELSE 0 END) OVER household AS adults,
           SUM(CASE WHEN x.is_adult AND x.sex = 'M' THEN 1 ELSE 0 END) OVER household AS men,
           SUM(CASE WHEN x.role = 'child' THEN 1 ELSE 0 END) OVER household AS children,
           SUM(CASE WHEN x.role = 'other_adult' THEN 1 ELSE 0 END) OVER household
               AS other_adults
    FROM (
        SELECT hm.unit_id, hm.case_id, hm.household_id, hm.section_id, hm.handler_id,
               hm.case_type, hm.decision_id, m.person_id, m.role, p.sex,
               {age} AS age,
               (m.role IN ('applicant', 'co_applicant') AND {age} >= {ADULT_AGE}) AS is_adult,
               ROW_NUMBER() OVER (
                   PARTITION BY m.person_id
                   ORDER BY m.valid_from DESC, hm.amount DESC, hm.case_id DESC
               ) AS position
        FROM statistics_householdmonth hm
        JOIN households_householdmembership m
          ON m.household_id = hm.household_id
         AND m.valid_from < %(next)s AND (m.valid_to IS NULL OR m.valid_to > %(month)s)
        JOIN households_person p ON p.id = m.person_id
        WHERE hm.month = %(month)s
    ) x
    WHERE x.position = 1
    WINDOW household AS (PARTITION BY x.case_id)
) y
"""


def _composition_sql() -> str:
    low, high = YOUNG_ADULT_AGES
    return f"""
UPDATE statistics_householdmonth
SET adults = agg.adults, other_adults = agg.other_adults, children = agg.children,
    minors = agg.minors, young_adults = agg.young_adults, persons = agg.persons,
    applicant_age_band = agg.applicant_age_band, household_type = agg.household_type
FROM (
    SELECT case_id,
           SUM(CASE WHEN is_adult THEN 1 ELSE 0 END) AS adults,
           SUM(CASE WHEN role = 'other_adult' THEN 1 ELSE 0 END) AS other_adults,
           SUM(CASE WHEN role = 'child' THEN 1 ELSE 0 END) AS children,
           SUM(CASE WHEN age < {ADULT_AGE} THEN 1 ELSE 0 END) AS minors,
           SUM(CASE WHEN age >= {low} AND age <= {high} THEN 1 ELSE 0 END) AS young_adults,
           COUNT(*) AS persons,
           MAX(CASE WHEN role = 'applicant' THEN age_band ELSE '' END) AS applicant_age_band,
           MAX(household_type) AS household_type
    FROM statistics_recipientmonth
    WHERE month = %(month)s
    GROUP BY case_id
) agg
WHERE statistics_householdmonth.case_id = agg.case_id
  AND statistics_householdmonth.month = %(month)s
"""


_UNIT_ROWS_SQL = """
INSERT INTO statistics_unitmonth (unit_id, month, households, amount, persons, adults, minors)
SELECT hm.unit_id, %(month)s, COUNT(*), SUM(hm.amount), SUM(hm.persons), SUM(hm.adults),
       SUM(hm.minors)
FROM statistics_householdmonth hm
WHERE hm.month = %(month)s
GROUP BY hm.unit_id
"""

_ACCOUNT_ROWS_SQL = """
INSERT INTO statistics_accountmonth (unit_id, month, budget_account_id, amount, payments)
SELECT o.unit_id, %(month)s, o.budget_account_id, SUM(o.amount), COUNT(*)
FROM payments_paymentorder o
WHERE o.status = 'paid' AND o.paid_on >= %(month)s AND o.paid_on < %(next)s
GROUP BY o.unit_id, o.budget_account_id
"""

_SPELL_SQL = """
UPDATE {table}
SET spell_months = fresh.spell_months
FROM (
    SELECT cur.id, COALESCE((
        SELECT prev.spell_months FROM {table} prev
        WHERE prev.{key} = cur.{key} AND prev.month = %(previous)s
    ), 0) + 1 AS spell_months
    FROM {table} cur
    WHERE cur.month = %(month)s
) fresh
WHERE {table}.id = fresh.id AND {table}.spell_months <> fresh.spell_months
"""

_HOUSEHOLD_YEAR_SQL = """
INSERT INTO statistics_householdyear
    (unit_id, year, case_id, household_id, months, amount, last_month, section_id,
     handler_id, case_type, household_type, applicant_age_band, spell_months)
SELECT l.unit_id, %(year)s, g.case_id, l.household_id, g.months, g.amount, g.last_month,
       l.section_id, l.handler_id, l.case_type, l.household_type, l.applicant_age_band,
       l.spell_months
FROM (
    SELECT case_id, COUNT(*) AS months, SUM(amount) AS amount, MAX(month) AS last_month
    FROM statistics_householdmonth
    WHERE month >= %(start)s AND month < %(end)s
    GROUP BY case_id
) g
JOIN statistics_householdmonth l ON l.case_id = g.case_id AND l.month = g.last_month
 AND l.month >= %(start)s AND l.month < %(end)s
"""

_RECIPIENT_YEAR_SQL = """
INSERT INTO statistics_recipientyear
    (unit_id, year, person_id, months, adult_months, is_adult, last_month, section_id,
     handler_id, case_type, household_type, age_band, sex, support_obstacle)
SELECT l.unit_id, %(year)s, g.person_id, g.months, g.adult_months, g.adult_months > 0,
       g.last_month, l.section_id, l.handler_id, l.case_type, l.household_type, l.age_band,
       l.sex, l.support_obstacle
FROM (
    SELECT person_id, COUNT(*) AS months,
           SUM(CASE WHEN is_adult THEN 1 ELSE 0 END) AS adult_months,
           MAX(month) AS last_month
    FROM statistics_recipientmonth
    WHERE month >= %(start)s AND month < %(end)s
    GROUP BY person_id
) g
JOIN statistics_recipientmonth l ON l.person_id = g.person_id AND l.month = g.last_month
 AND l.month >= %(start)s AND l.month < %(end)s
"""


def _tune() -> None:
    """PostgreSQL, for this transaction only. The month being built is new to the planner's
    statistics (estimated at one row), which would lead it into nested loops that rescan a
    whole month per row: these statements are set-based, so hash joins throughout. No JIT
    (compiling costs more than it saves here) and room to sort a large city's month."""
    if connection.vendor == "postgresql":
        _execute("SET LOCAL enable_nestloop = off", {})
        _execute("SET LOCAL jit = off", {})
        _execute("SET LOCAL work_mem = '64MB'", {})


def _unit_year_sql() -> str:
    joins = " ".join(
        f"JOIN statistics_recipientyear p{back} ON p{back}.year = %(year)s - {back} "
        f"AND p{back}.person_id = ry.person_id AND p{back}.is_adult = %(true)s "
        f"AND p{back}.months >= %(minimum)s"
        for back in range(1, VERY_LONG_TERM_YEARS)
    )
    return f"""
INSERT INTO statistics_unityear (unit_id, year, adults, long_term, very_long_term)
SELECT ry.unit_id, %(year)s, COUNT(*),
       SUM(CASE WHEN ry.months >= %(minimum)s THEN 1 ELSE 0 END),
       (SELECT COUNT(*) FROM statistics_recipientyear v {joins.replace("ry.", "v.")}
        WHERE v.unit_id = ry.unit_id AND v.year = %(year)s AND v.is_adult = %(true)s
          AND v.months >= %(minimum)s)
FROM statistics_recipientyear ry
WHERE ry.year = %(year)s AND ry.is_adult = %(true)s
GROUP BY ry.unit_id
"""


def unit_year_totals(year: int) -> None:
    """The units' long-term totals of a year (they depend on the two years before)."""
    params = {"year": year, "minimum": LONG_TERM_MONTHS, "true": True}
    _execute("DELETE FROM statistics_unityear WHERE year = %(year)s", params)
    _execute(_unit_year_sql(), params)


def _rebuild_month(month: dt.date) -> tuple[int, int, Decimal]:
    _tune()
    following = add_months(month, 1)
    last_day = following - dt.timedelta(days=1)
    params = {
        "month": _date(month),
        "next": _date(following),
        "previous": _date(add_months(month, -1)),
        "cut": _timestamp(_cut(following)),
        "end_ymd": last_day.year * 10000 + last_day.month * 100 + last_day.day,
    }
    for table in ("recipientmonth", "householdmonth", "unitmonth", "accountmonth", "stalemonth"):
        _execute(f"DELETE FROM statistics_{table} WHERE month = %(month)s", params)
    households = _execute(_household_rows_sql(), params)
    recipients = _execute(_recipient_rows_sql(), params) if households else 0
    if households:
        _execute(_composition_sql(), params)
        _execute(_UNIT_ROWS_SQL, params)
    _execute(_ACCOUNT_ROWS_SQL, params)
    amount = HouseholdMonth.objects.filter(month=month).aggregate(total=Sum("amount"))["total"]
    return households, recipients, Decimal(amount or 0)


def _analyze(*, years: bool = False) -> None:
    """Fresh planner statistics after the tables grew (PostgreSQL)."""
    if connection.vendor == "postgresql":
        tables = ["statistics_householdmonth", "statistics_recipientmonth"]
        if years:
            tables += ["statistics_householdyear", "statistics_recipientyear"]
        _execute(f"ANALYZE {', '.join(tables)}", {})


def _carry_spells(month: dt.date) -> bool:
    """Recompute the spell lengths of an already built month from the month before it.
    True if anything changed (then the month after must be looked at too)."""
    params = {"month": _date(month), "previous": _date(add_months(month, -1))}
    changed = _execute(_SPELL_SQL.format(table="statistics_householdmonth", key="case_id"), params)
    changed += _execute(
        _SPELL_SQL.format(table="statistics_recipientmonth", key="person_id"), params
    )
    return changed > 0


def rebuild_year(year: int) -> None:
    """The yearly tables of one calendar year, from the month tables."""
    params = {
        "year": year,
        "start": _date(dt.date(year, 1, 1)),
        "end": _date(dt.date(year + 1, 1, 1)),
    }
    with transaction.atomic():
        _tune()
        _execute("DELETE FROM statistics_householdyear WHERE year = %(year)s", params)
        _execute("DELETE FROM statistics_recipientyear WHERE year = %(year)s", params)
        _execute(_HOUSEHOLD_YEAR_SQL, params)
        _execute(_RECIPIENT_YEAR_SQL, params)
        # The very long-term figure of the two following years looks back at this one.
        for later in range(year, year + VERY_LONG_TERM_YEARS):
            unit_year_totals(later)


def refresh_months(months: Iterable[dt.date], *, rebuild_years: bool = True) -> RefreshResult:
    """Rebuild the given months (in calendar order), carry spell lengths forward to later
    months already built, and rebuild the yearly tables of every year touched."""
    started = time.monotonic()
    result = RefreshResult()
    wanted = sorted({month_start(m) for m in months})
    already_built = set(
        MonthRefresh.objects.filter(month__in=wanted).values_list("month", flat=True)
    )
    years: set[int] = set()
    for position, month in enumerate(wanted):
        if position in (1, 6) or (position and position % 24 == 0):
            _analyze()  # a long rebuild: let the planner see the tables grow
        began = time.monotonic()
        with transaction.atomic():
            households, recipients, amount = _rebuild_month(month)
            MonthRefresh.objects.update_or_create(
                month=month,
                defaults={
                    "refreshed_at": timezone.now(),
                    "households": households,
                    "recipients": recipients,
                    "amount": amount,
                    "milliseconds": int((time.monotonic() - began) * 1000),
                },
            )
        result.months.append(month)
        result.households += households
        result.recipients += recipients
        years.add(month.year)
    # Spell lengths run on into months built earlier than (or between) the ones rebuilt.
    built = set(MonthRefresh.objects.values_list("month", flat=True))
    rebuilt = set(wanted)
    for month in wanted:
        cursor_month = add_months(month, 1)
        while cursor_month in built and cursor_month not in rebuilt:
            with transaction.atomic():
                _tune()
                changed = _carry_spells(cursor_month)
            if not changed:
                break
            result.cascaded.append(cursor_month)
            years.add(cursor_month.year)
            cursor_month = add_months(cursor_month, 1)
    if rebuild_years:
        for year in sorted(years):
            rebuild_year(year)
        result.years = sorted(years)
    if set(wanted) - already_built:
        # New months are unknown to the planner's statistics until analysed (the figures'
        # plans would estimate them at one row).
        _analyze(years=rebuild_years)
    result.seconds = time.monotonic() - started
    logger.info(
        "statistics refreshed: %d months (%s), spells carried into %d, years %s in %.1f s",
        len(result.months),
        " to ".join(sorted({m.isoformat()[:7] for m in result.months[:1] + result.months[-1:]})),
        len(result.cascaded),
        result.years,
        result.seconds,
    )
    return result


def stale_months() -> list[dt.date]:
    return list(StaleMonth.objects.order_by("month").values_list("month", flat=True))


def refresh_stale() -> RefreshResult:
    """Rebuild every month the payment triggers marked since its last refresh."""
    return refresh_months(stale_months())


def months_with_payments() -> list[dt.date]:
    """Every month that has paid assistance (for) or a payment paid out in it."""
    from bistand.payments.models import OrderStatus, PaymentOrder

    paid = PaymentOrder.objects.filter(status=OrderStatus.PAID)
    months = {month_start(m) for m in paid.values_list("month", flat=True).distinct()}
    months |= {month_start(d) for d in paid.values_list("paid_on", flat=True).distinct() if d}
    return sorted(months)


def refresh_all() -> RefreshResult:
    """Rebuild everything from scratch (after an import, or to re-attribute history)."""
    months = months_with_payments()
    with transaction.atomic():
        tables = [
            f"statistics_{name}"
            for name in (
                "recipientmonth",
                "householdmonth",
                "unitmonth",
                "unityear",
                "accountmonth",
                "recipientyear",
                "householdyear",
                "stalemonth",
            )
        ]
        if connection.vendor == "postgresql":
            _execute(f"TRUNCATE {', '.join(tables)}", {})
        else:
            for table in tables:
                _execute(f"DELETE FROM {table}", {})
        MonthRefresh.objects.all().delete()
    return refresh_months(months)


def refresh_status() -> dict:
    """When the figures were last rebuilt and which months wait for a refresh."""
    latest = MonthRefresh.objects.order_by("-refreshed_at").values("refreshed_at").first()
    counts = MonthRefresh.objects.aggregate(months=Count("id"))
    return {
        "last_refreshed_at": latest["refreshed_at"] if latest else None,
        "months_built": counts["months"],
        "stale_months": stale_months(),
    }
