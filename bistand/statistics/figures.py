"""Every figure of the monthly dashboard, as one JSON-ready dict (layout in docs/statistics.md).

All counting and summing happens in the database: GROUP BY queries over the summary tables
(models.py) and, for events (cases opened and closed, decisions, follow-ups, referrals), over
the case tables with Count/Sum and filters. Python only adds up the few grouped rows that
come back (never one row per household or person) and turns them into shares and bands.

    month_figures(unit, Period.month(date(2026, 3, 1)), Filters(), today=date.today())
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from bistand.cases.models import Case, CaseReopening, CaseStatus, ClosingReason
from bistand.core.codes import MAIN_CATEGORY_LABELS, SUPPORT_OBSTACLES
from bistand.core.dates import add_months
from bistand.organisation.models import Section, Unit, User
from bistand.payments.models import BudgetAccount, BudgetAmount, BudgetKind

from .access import Filters
from .definitions import (
    AGE_BANDS,
    CASE_TYPES,
    DECISION_DAY_BANDS,
    DECISION_TARGET_DAYS,
    HOUSEHOLD_TYPE_ORDER,
    LONG_TERM_MONTHS,
    REENTRY_MONTHS,
    SPELL_BANDS,
    VERY_LONG_TERM_YEARS,
    band_of,
    household_type_key,
    household_type_label,
    obstacle_label,
    obstacle_main_category,
    swedish,
)
from .models import AccountMonth, MonthRefresh, StaleMonth, UnitYear
from .periods import Period, month_key

LAYOUT = "bistand.statistics.month/1"
SUMMARY_FILTERS = ["section", "handler", "case_type", "household_type", "age_band"]
CASE_FILTERS = ["section", "handler", "case_type"]

# --------------------------------------------------------------------------- small helpers


def money(value) -> str:
    """Kronor with two decimals as a string (JSON keeps it exact)."""
    return f"{dec(value):.2f}"


def dec(value) -> Decimal:
    if value is None:
        return Decimal("0.00")
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    return Decimal(str(round(float(value), 2))).quantize(Decimal("0.01"))


def share(part: int | float | Decimal, whole: int | float | Decimal) -> float | None:
    """part / whole rounded to 4 decimals; None when there is nothing to divide by."""
    if not whole:
        return None
    return round(float(part) / float(whole), 4)


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _p(value):
    """A date parameter for raw SQL (SQLite wants the ISO text Django stores)."""
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    return value


@contextmanager
def read_session():
    """One read-only transaction for a page of figures. On PostgreSQL without JIT: compiling
    these short aggregations costs more than it saves (0.3-0.5 s a dashboard on a large city)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '32MB'")
        yield


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, {k: _p(v) for k, v in params.items()})
        return cursor.fetchall()


def _days_between(start: str, end: str) -> str:
    if connection.vendor == "postgresql":
        return f"({end} - {start})"
    return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"


def _summary_where(alias: str, unit: Unit, filters: Filters, *, person_level: bool) -> tuple:
    """WHERE conditions and parameters for a summary table (all five filters apply)."""
    conditions = [f"{alias}.unit_id = %(unit)s"]
    params: dict = {"unit": unit.pk}
    if filters.section_id is not None:
        conditions.append(f"{alias}.section_id = %(f_section)s")
        params["f_section"] = filters.section_id
    if filters.handler_id is not None:
        conditions.append(f"{alias}.handler_id = %(f_handler)s")
        params["f_handler"] = filters.handler_id
    if filters.case_type:
        conditions.append(f"{alias}.case_type = %(f_case_type)s")
        params["f_case_type"] = filters.case_type
    if filters.household_type is not None:
        conditions.append(f"{alias}.household_type = %(f_household_type)s")
        params["f_household_type"] = filters.household_type
    if filters.age_band:
        column = "age_band" if person_level else "applicant_age_band"
        conditions.append(f"{alias}.{column} = %(f_age_band)s")
        params["f_age_band"] = filters.age_band
    return conditions, params


def _case_q(filters: Filters, prefix: str = "") -> Q:
    """The case filters on a case queryset (the case's current section, handler, type)."""
    q = Q()
    if filters.section_id is not None:
        q &= Q(**{f"{prefix}section_id": filters.section_id})
    if filters.handler_id is not None:
        q &= Q(**{f"{prefix}handler_id": filters.handler_id})
    if filters.case_type:
        q &= Q(**{f"{prefix}case_type": filters.case_type})
    return q


def _latest_households(unit: Unit, period: Period, filters: Filters) -> tuple[str, dict]:
    """A subquery with one row per household: its latest month in the period (matching the
    filters), and `period_amount`, its amount over the whole period."""
    conditions, params = _summary_where("hm", unit, filters, person_level=False)
    params.update(start=period.start, next=period.next)
    where = " AND ".join([*conditions, "hm.month >= %(start)s", "hm.month < %(next)s"])
    if period.single:
        return (
            f"(SELECT hm.*, hm.amount AS period_amount FROM statistics_householdmonth hm "
            f"WHERE {where})",
            params,
        )
    return (
        "(SELECT * FROM (SELECT hm.*, "
        "ROW_NUMBER() OVER (PARTITION BY hm.case_id ORDER BY hm.month DESC) AS position, "
        "SUM(hm.amount) OVER (PARTITION BY hm.case_id) AS period_amount "
        f"FROM statistics_householdmonth hm WHERE {where}) ranked WHERE ranked.position = 1)",
        params,
    )


def _latest_recipients(unit: Unit, period: Period, filters: Filters) -> tuple[str, dict]:
    """One row per person: their latest month in the period (matching the filters)."""
    conditions, params = _summary_where("rm", unit, filters, person_level=True)
    params.update(start=period.start, next=period.next)
    where = " AND ".join([*conditions, "rm.month >= %(start)s", "rm.month < %(next)s"])
    if period.single:
        return f"(SELECT rm.* FROM statistics_recipientmonth rm WHERE {where})", params
    return (
        "(SELECT * FROM (SELECT rm.*, "
        "ROW_NUMBER() OVER (PARTITION BY rm.person_id ORDER BY rm.month DESC) AS position "
        f"FROM statistics_recipientmonth rm WHERE {where}) ranked WHERE ranked.position = 1)",
        params,
    )


def _banded(histogram: dict[int, int], bands, name: str) -> list[dict]:
    """Counts per band of a {value: count} histogram, as [{"key", "label", name}]."""
    counts: dict[str, int] = defaultdict(int)
    for value, count in histogram.items():
        counts[band_of(value, bands)] += count
    return [{"key": key, "label": label, name: counts[key]} for key, _, _, label in bands]


def _median(histogram: dict[int, int]) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    ordered = sorted(histogram.items())

    def value_at(position: int) -> int:
        seen = 0
        for value, count in ordered:
            seen += count
            if seen > position:
                return value
        return ordered[-1][0]

    if total % 2:
        return float(value_at(total // 2))
    return (value_at(total // 2 - 1) + value_at(total // 2)) / 2


def _mean(histogram: dict[int, int]) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    return round(sum(v * c for v, c in histogram.items()) / total, 2)


# --------------------------------------------------------------------------------- blocks


HOUSEHOLD_DIMENSIONS = ("section", "case_type", "household_type", "spell", "handler")


def household_groups(unit: Unit, period: Period, filters: Filters) -> dict[str, dict]:
    """Each household in its latest month of the period, counted (and its period amount
    summed) by section, case type, household type, spell length and handler: one scan of the
    month table, materialised once and grouped five ways."""
    latest, params = _latest_households(unit, period, filters)
    columns = {
        "section": "CAST(h.section_id AS TEXT)",
        "case_type": "h.case_type",
        "household_type": "CAST(h.household_type AS TEXT)",
        "spell": "CAST(h.spell_months AS TEXT)",
        "handler": "CAST(h.handler_id AS TEXT)",
    }
    selects = " UNION ALL ".join(
        f"SELECT '{name}', {column}, COUNT(*), SUM(h.period_amount) FROM h GROUP BY {column}"
        for name, column in columns.items()
    )
    groups: dict[str, dict] = {name: {} for name in HOUSEHOLD_DIMENSIONS}
    for dimension, key, count, amount in _rows(
        f"WITH h AS MATERIALIZED (SELECT * FROM {latest} latest) {selects}", params
    ):
        groups[dimension][key] = (count, amount)
    return groups


def _int_keys(group: dict) -> dict:
    return {(int(key) if key is not None else None): value for key, value in group.items()}


def households_block(
    unit: Unit, period: Period, filters: Filters, groups: dict | None = None
) -> dict:
    """Households with assistance paid for the period's months, and the amount."""
    groups = household_groups(unit, period, filters) if groups is None else groups
    by_section = _int_keys(groups["section"])
    households = sum(count for count, _ in by_section.values())
    amount = sum((dec(total) for _, total in by_section.values()), Decimal(0))
    household_months = households
    if not period.single:
        conditions, params = _summary_where("hm", unit, filters, person_level=False)
        params.update(start=period.start, next=period.next)
        where = " AND ".join([*conditions, "hm.month >= %(start)s", "hm.month < %(next)s"])
        ((household_months,),) = _rows(
            f"SELECT COUNT(*) FROM statistics_householdmonth hm WHERE {where}", params
        )
    names = dict(Section.objects.filter(unit=unit).values_list("id", "name"))
    sections = sorted(
        (
            {
                "section_id": section_id,
                "name": names.get(section_id, f"Sektion {section_id}"),
                "households": count,
                "amount": money(total),
            }
            for section_id, (count, total) in by_section.items()
        ),
        key=lambda row: row["name"],
    )
    case_types = {kind or "": value for kind, value in groups["case_type"].items()}
    case_type_keys = [*CASE_TYPES, *([""] if "" in case_types else [])]
    return {
        "count": households,
        "household_months": household_months,
        "amount": money(amount),
        "amount_per_household_month": money(amount / household_months)
        if household_months
        else None,
        "by_section": sections,
        "by_case_type": [
            {
                "case_type": kind or "",
                "label": f"Ärendetyp {kind}" if kind else "Ärendetyp ej satt",
                "households": case_types.get(kind, (0, 0))[0],
                "amount": money(case_types.get(kind, (0, 0))[1]),
            }
            for kind in case_type_keys
        ],
        "filters_applied": SUMMARY_FILTERS,
    }


def household_types_block(
    unit: Unit, period: Period, filters: Filters, groups: dict | None = None
) -> dict:
    groups = household_groups(unit, period, filters) if groups is None else groups
    grouped = _int_keys(groups["household_type"])
    households = sum(count for count, _ in grouped.values())
    rows = []
    for code in HOUSEHOLD_TYPE_ORDER:
        count, total = grouped.get(code, (0, 0))
        rows.append(
            {
                "code": code,
                "key": household_type_key(code),
                "label": household_type_label(code),
                "households": count,
                "amount": money(total),
                "share": share(count, households),
            }
        )
    return {"households": households, "rows": rows, "filters_applied": SUMMARY_FILTERS}


def _recipient_groups(unit: Unit, period: Period, filters: Filters) -> list[tuple]:
    """(age band, adult?, sex, in programme?, support obstacle, persons): one scan serves
    the persons and the support-obstacle figures."""
    latest, params = _latest_recipients(unit, period, filters)
    return _rows(
        "SELECT r.age_band, r.is_adult, r.sex, r.in_programme, r.support_obstacle, COUNT(*) "
        f"FROM {latest} r "
        "GROUP BY r.age_band, r.is_adult, r.sex, r.in_programme, r.support_obstacle",
        params,
    )


def persons_block(
    unit: Unit, period: Period, filters: Filters, groups: list[tuple] | None = None
) -> dict:
    """Persons in households with assistance: adults, children, young adults, age bands."""
    groups = _recipient_groups(unit, period, filters) if groups is None else groups
    grouped = [
        (band, adult, sex, programme, count) for band, adult, sex, programme, _, count in groups
    ]
    by_band: dict[str, int] = defaultdict(int)
    adults = recipients = in_programme = 0
    adults_by_sex = {"M": 0, "F": 0}
    for band, is_adult, sex, programme, count in grouped:
        recipients += count
        by_band[band] += count
        if is_adult:
            adults += count
            adults_by_sex[sex] = adults_by_sex.get(sex, 0) + count
            if programme:
                in_programme += count
    minors = by_band["0-17"]
    return {
        "recipients": recipients,
        "adult_recipients": adults,
        "minors": minors,
        "young_adults": by_band["18-24"],
        "other_persons": recipients - adults - minors,
        "adults_by_sex": {"men": adults_by_sex.get("M", 0), "women": adults_by_sex.get("F", 0)},
        "adults_in_programme": in_programme,
        "by_age_band": [
            {"key": key, "label": label, "persons": by_band[key]} for key, _, _, label in AGE_BANDS
        ],
        "filters_applied": SUMMARY_FILTERS,
    }


def support_obstacles_block(
    unit: Unit, period: Period, filters: Filters, groups: list[tuple] | None = None
) -> dict:
    """Adult recipients by the support obstacle recorded with their latest decision."""
    groups = _recipient_groups(unit, period, filters) if groups is None else groups
    grouped: dict[str, int] = defaultdict(int)
    for _, is_adult, _, _, obstacle, count in groups:
        if is_adult:
            grouped[obstacle or ""] += count
    adults = sum(grouped.values())
    missing = grouped.get("", 0)
    by_main: dict[str, int] = defaultdict(int)
    for code, count in grouped.items():
        if code:
            by_main[obstacle_main_category(code)] += count
    registered = adults - missing
    known = {o.code for o in SUPPORT_OBSTACLES}
    codes = [o.code for o in SUPPORT_OBSTACLES if grouped.get(o.code)]
    codes += sorted(c for c in grouped if c and c not in known)
    return {
        "adults": adults,
        "registered": registered,
        "not_registered": missing,
        "by_main_category": [
            {
                "key": key,
                "label": label,
                "adults": by_main[key],
                "share": share(by_main[key], registered),
            }
            for key, label in MAIN_CATEGORY_LABELS.items()
        ],
        "by_code": [
            {
                "code": code,
                "label": obstacle_label(code),
                "main_category": obstacle_main_category(code),
                "adults": grouped[code],
                "share": share(grouped[code], registered),
            }
            for code in codes
        ],
        "filters_applied": SUMMARY_FILTERS,
    }


def durations_block(
    unit: Unit, period: Period, filters: Filters, groups: dict | None = None
) -> dict:
    """Length of each household's current spell at its latest month in the period."""
    groups = household_groups(unit, period, filters) if groups is None else groups
    histogram = {spell: count for spell, (count, _) in _int_keys(groups["spell"]).items()}
    bands = _banded(histogram, SPELL_BANDS, "households")
    return {
        "households": sum(histogram.values()),
        "mean_months": _mean(histogram),
        "median_months": _median(histogram),
        "bands": bands,
        "filters_applied": SUMMARY_FILTERS,
    }


def _long_term_groups(unit: Unit, first: int, last: int, filters: Filters) -> list[tuple]:
    """Adult recipients per (year, household type, age band, months with assistance)."""
    conditions, params = _summary_where("ry", unit, filters, person_level=True)
    params.update(first=first, last=last, true=True)
    where = " AND ".join(
        [*conditions, "ry.year >= %(first)s", "ry.year <= %(last)s", "ry.is_adult = %(true)s"]
    )
    return _rows(
        "SELECT ry.year, ry.household_type, ry.age_band, ry.months, COUNT(*) "
        f"FROM statistics_recipientyear ry WHERE {where} "
        "GROUP BY ry.year, ry.household_type, ry.age_band, ry.months",
        params,
    )


def _very_long_term(unit: Unit, year: int, filters: Filters) -> int:
    """Adult recipients long-term in the year (matching the filters) and in each of the two
    years before (wherever they were then)."""
    if not filters.active:
        total = (
            UnitYear.objects.filter(unit=unit, year=year)
            .values_list("very_long_term", flat=True)
            .first()
        )
        if total is not None:
            return total
    conditions, params = _summary_where("ry", unit, filters, person_level=True)
    params.update(year=year, minimum=LONG_TERM_MONTHS, true=True)
    joins = []
    for back in range(1, VERY_LONG_TERM_YEARS):
        params[f"year_{back}"] = year - back
        joins.append(
            f"JOIN statistics_recipientyear p{back} ON p{back}.year = %(year_{back})s "
            f"AND p{back}.person_id = ry.person_id AND p{back}.is_adult = %(true)s "
            f"AND p{back}.months >= %(minimum)s"
        )
    where = " AND ".join(
        [*conditions, "ry.year = %(year)s", "ry.is_adult = %(true)s", "ry.months >= %(minimum)s"]
    )
    ((count,),) = _rows(
        f"SELECT COUNT(*) FROM statistics_recipientyear ry {' '.join(joins)} WHERE {where}",
        params,
    )
    return count or 0


def _long_term_summary(
    unit: Unit, year: int, filters: Filters, groups: list[tuple], today: dt.date | None
) -> dict:
    adults = sum(count for y, _, _, _, count in groups if y == year)
    long_term = sum(
        count for y, _, _, months, count in groups if y == year and months >= LONG_TERM_MONTHS
    )
    very_long_term = _very_long_term(unit, year, filters)
    months_with_data = MonthRefresh.objects.filter(
        month__gte=dt.date(year, 1, 1), month__lt=dt.date(year + 1, 1, 1)
    ).count()
    return {
        "year": year,
        "months_with_data": months_with_data,
        "complete": months_with_data == 12
        and (today or timezone.localdate()) > dt.date(year, 12, 31),
        "adults": adults,
        "long_term": long_term,
        "share": share(long_term, adults),
        "very_long_term": very_long_term,
        "very_long_term_share": share(very_long_term, adults),
    }


def long_term_core(
    unit: Unit, year: int, filters: Filters, *, today: dt.date | None = None
) -> dict:
    """Long-term assistance in a calendar year (Socialstyrelsen): adult recipients with
    assistance in 10-12 months of the year, as a share of all adult recipients that year.
    Very long-term (our definition, not verified): long-term in each of three consecutive
    years. Each person counts once, whatever households they were in."""
    groups = _long_term_groups(unit, year, year, filters)
    return _long_term_summary(unit, year, filters, groups, today)


def long_term_block(
    unit: Unit, year: int, filters: Filters, *, today: dt.date | None = None
) -> dict:
    """The year's long-term figures with their breakdowns and the five years up to it.
    Without filters the history comes from the unit's yearly totals (UnitYear), with
    filters from one grouped scan of five years of the yearly table."""
    if filters.active:
        groups = _long_term_groups(unit, year - 4, year, filters)
    else:
        groups = _long_term_groups(unit, year, year, filters)
    core = _long_term_summary(unit, year, filters, groups, today)
    by_months: dict[int, int] = defaultdict(int)
    by_type: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    by_band: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    history: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    if not filters.active:
        for history_year, adults, long_term in UnitYear.objects.filter(
            unit=unit, year__gte=year - 4, year__lte=year
        ).values_list("year", "adults", "long_term"):
            history[history_year] = [adults, long_term]
    for group_year, kind, band, months, count in groups:
        long = count if months >= LONG_TERM_MONTHS else 0
        if filters.active:
            history[group_year][0] += count
            history[group_year][1] += long
        if group_year != year:
            continue
        by_months[months] += count
        by_type[kind][0] += count
        by_type[kind][1] += long
        by_band[band][0] += count
        by_band[band][1] += long
    return {
        **core,
        "definition": (
            "Vuxna biståndsmottagare (sökande och medsökande 18 år och äldre) med ekonomiskt "
            "bistånd 10–12 månader under kalenderåret, som andel av alla vuxna "
            "biståndsmottagare under året (Socialstyrelsen)."
        ),
        "very_long_term_definition": (
            "Långvarigt bistånd tre kalenderår i följd (året och de två föregående). "
            "Egen definition – ingen källa hittad (ej verifierad)."
        ),
        "very_long_term_verified": False,
        "by_months": [{"months": m, "adults": by_months[m]} for m in range(1, 13)],
        "by_household_type": [
            {
                "code": code,
                "label": household_type_label(code),
                "adults": by_type[code][0],
                "long_term": by_type[code][1],
                "share": share(by_type[code][1], by_type[code][0]),
            }
            for code in HOUSEHOLD_TYPE_ORDER
            if by_type.get(code, [0])[0]
        ],
        "by_age_band": [
            {
                "key": key,
                "label": label,
                "adults": by_band[key][0],
                "long_term": by_band[key][1],
                "share": share(by_band[key][1], by_band[key][0]),
            }
            for key, _, _, label in AGE_BANDS
            if by_band.get(key, [0])[0]
        ],
        "history": [
            {
                "year": y,
                "adults": history[y][0],
                "long_term": history[y][1],
                "share": share(history[y][1], history[y][0]),
            }
            for y in range(year - 4, year + 1)
        ],
        "filters_applied": SUMMARY_FILTERS,
    }


def flows_block(unit: Unit, period: Period, filters: Filters) -> dict:
    """Inflow and outflow: by case events (new, re-entry, closing with reason) and by
    payments (a household's spell of paid months starting or ending)."""
    cases = Case.objects.filter(unit=unit).filter(_case_q(filters))
    in_period = {"opened_on__gte": period.start, "opened_on__lt": period.next}
    opened = cases.filter(**in_period).aggregate(
        new=Count("id", filter=Q(previous_case__isnull=True)),
        linked=Count("id", filter=Q(previous_case__isnull=False)),
    )
    reopened = CaseReopening.objects.filter(
        case__in=cases, reopened_on__gte=period.start, reopened_on__lt=period.next
    ).count()
    closed_now = dict(
        cases.filter(
            status=CaseStatus.CLOSED, closed_on__gte=period.start, closed_on__lt=period.next
        )
        .values_list("closing_reason")
        .annotate(n=Count("id"))
        .values_list("closing_reason", "n")
    )
    closed_then = dict(
        CaseReopening.objects.filter(
            case__in=cases,
            previous_closed_on__gte=period.start,
            previous_closed_on__lt=period.next,
        )
        .values_list("previous_closing_reason")
        .annotate(n=Count("id"))
        .values_list("previous_closing_reason", "n")
    )
    reasons = {**{k: 0 for k in closed_then}, **{k: 0 for k in closed_now}}
    for source in (closed_now, closed_then):
        for reason, count in source.items():
            reasons[reason] += count
    # Payments: spells starting in the period; spells whose last month was the month before
    # one of the period's months (no payment the month after).
    conditions, params = _summary_where("hm", unit, filters, person_level=False)
    params.update(start=period.start, next=period.next, before=period.previous_month,
                  last=period.end)  # fmt: skip
    where = " AND ".join(conditions)
    ((started, continued),) = _rows(
        "SELECT SUM(CASE WHEN hm.spell_months = 1 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN hm.spell_months > 1 THEN 1 ELSE 0 END) "
        f"FROM statistics_householdmonth hm WHERE {where} "
        "AND hm.month >= %(start)s AND hm.month < %(next)s",
        params,
    )
    ((before,),) = _rows(
        f"SELECT COUNT(*) FROM statistics_householdmonth hm WHERE {where} "
        "AND hm.month >= %(before)s AND hm.month < %(last)s",
        params,
    )
    return {
        "inflow": {
            "total": opened["new"] + opened["linked"] + reopened,
            "new": opened["new"],
            "reentry": opened["linked"] + reopened,
            "reopened": reopened,
            "new_case_after_earlier_case": opened["linked"],
        },
        "outflow": {
            "closed": sum(reasons.values()),
            "by_reason": [
                {"key": key, "label": swedish(label), "cases": reasons.get(key, 0)}
                for key, label in ClosingReason.choices
                if reasons.get(key)
            ],
        },
        "payments": {
            "started": started or 0,
            "stopped": max((before or 0) - (continued or 0), 0),
        },
        "filters_applied": CASE_FILTERS,
    }


def decision_times_block(unit: Unit, period: Period, filters: Filters) -> dict:
    """Days from a complete application (or its arrival, if never marked complete) to the
    first final decision on it, for decisions made in the period; target: 7 days."""
    params: dict = {"start": period.start, "next": period.next, "unit": unit.pk}
    case_conditions = " AND ".join(_case_conditions("c", filters, params))
    if len(period.months) <= 3:
        # A few months: the application by primary key per decision (index lookups); joined,
        # the planner would hash every application of every year.
        started = (
            "(SELECT COALESCE(a.complete_on, a.received_on) FROM cases_application a "
            "WHERE a.id = d.application_id)"
        )
        kind = "(SELECT a.kind FROM cases_application a WHERE a.id = d.application_id)"
        source = "decisions_decision d"
    else:
        # A long period: hashing the applications once is cheaper than the lookups.
        started, kind = "COALESCE(a.complete_on, a.received_on)", "a.kind"
        source = "decisions_decision d JOIN cases_application a ON a.id = d.application_id"
    days = _days_between(started, "d.decided_on")
    grouped = _rows(
        f"SELECT x.days, x.kind, COUNT(*) FROM (SELECT {days} AS days, {kind} AS kind "
        f"FROM {source} "
        "WHERE d.status = 'final' AND d.replaces_id IS NULL "
        "AND d.decided_on >= %(start)s AND d.decided_on < %(next)s "
        f"AND d.case_id IN (SELECT c.id FROM cases_case c WHERE {case_conditions})) x "
        "GROUP BY x.days, x.kind",
        params,
    )
    histogram: dict[int, int] = defaultdict(int)
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for day_count, kind, count in grouped:
        day_count = max(int(day_count or 0), 0)
        histogram[day_count] += count
        by_kind[kind][0] += count
        if day_count <= DECISION_TARGET_DAYS:
            by_kind[kind][1] += count
    decisions = sum(histogram.values())
    within = sum(c for d, c in histogram.items() if d <= DECISION_TARGET_DAYS)
    kind_labels = {"new": "Nyansökan", "repeat": "Fortsatt ansökan"}
    return {
        "decisions": decisions,
        "target_days": DECISION_TARGET_DAYS,
        "within_target": within,
        "share_within_target": share(within, decisions),
        "median_days": _median(histogram),
        "mean_days": _mean(histogram),
        "bands": _banded(histogram, DECISION_DAY_BANDS, "decisions"),
        "by_kind": [
            {
                "kind": kind,
                "label": kind_labels.get(kind, kind),
                "decisions": by_kind[kind][0],
                "within_target": by_kind[kind][1],
                "share_within_target": share(by_kind[kind][1], by_kind[kind][0]),
            }
            for kind in ("new", "repeat")
        ],
        "filters_applied": CASE_FILTERS,
    }


def plans_block(unit: Unit, period: Period, filters: Filters, today: dt.date) -> dict:
    """Plans as they stand today (open cases with a handler or a plan), and the follow-ups
    that were due in the period: held on time, late, or not held. The states are those of the
    plan overview (workplans.schedule.state_of): missing, unconfirmed, overdue, on track."""
    from bistand.workplans.models import FollowUp

    params: dict = {"unit": unit.pk, "today": today, "true": True}
    conditions = _case_conditions("c", filters, params)
    ((open_cases, missing, unconfirmed, overdue),) = _rows(
        "SELECT COUNT(*), "
        "SUM(CASE WHEN v.versions IS NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN v.versions > 0 AND v.confirmed = 0 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN v.confirmed > 0 AND wp.due_on < %(today)s THEN 1 ELSE 0 END) "
        "FROM cases_case c "
        "LEFT JOIN workplans_workplan wp ON wp.case_id = c.id "
        "LEFT JOIN (SELECT plan_id, COUNT(*) AS versions, "
        "SUM(CASE WHEN confirmed_at IS NOT NULL THEN 1 ELSE 0 END) AS confirmed "
        "FROM workplans_workplanversion GROUP BY plan_id) v ON v.plan_id = wp.id "
        f"WHERE {' AND '.join(conditions)} AND c.status <> 'closed' "
        "AND (c.handler_id IS NOT NULL OR wp.id IS NOT NULL)",
        params,
    )
    states = {
        "open_cases": open_cases,
        "missing": missing or 0,
        "unconfirmed": unconfirmed or 0,
        "overdue": overdue or 0,
    }
    states["on_track"] = (
        states["open_cases"] - states["missing"] - states["unconfirmed"] - states["overdue"]
    )
    corrected = FollowUp.objects.filter(corrects_id=OuterRef("pk"))
    follow_ups = (
        FollowUp.objects.filter(
            plan__case__unit=unit, due_on__gte=period.start, due_on__lt=period.next
        )
        .filter(_case_q(filters, "plan__case__"))
        .filter(~Exists(corrected))
        .aggregate(
            due=Count("id"),
            on_time=Count("id", filter=Q(took_place=True, held_on__lte=F("due_on"))),
            late=Count("id", filter=Q(took_place=True, held_on__gt=F("due_on"))),
            not_held=Count("id", filter=Q(took_place=False)),
        )
    )
    return {
        "as_of": today.isoformat(),
        **states,
        "follow_ups": follow_ups,
        "filters_applied": CASE_FILTERS,
    }


def caseload_block(
    unit: Unit, period: Period, filters: Filters, today: dt.date, groups: dict | None = None
) -> dict:
    """Open cases per handler today against their limit, and households with assistance in
    the period per handler (summary tables)."""
    open_cases = (
        Case.objects.filter(unit=unit).exclude(status=CaseStatus.CLOSED).filter(_case_q(filters))
    )
    per_handler = dict(
        open_cases.values_list("handler_id").annotate(n=Count("id")).values_list("handler_id", "n")
    )
    groups = household_groups(unit, period, filters) if groups is None else groups
    paid = {handler: count for handler, (count, _) in _int_keys(groups["handler"]).items()}
    handler_ids = {h for h in [*per_handler, *paid] if h is not None}
    staff = {
        u.pk: u for u in User.objects.filter(pk__in=handler_ids).select_related("unit", "section")
    }
    workers = []
    for handler_id in handler_ids:
        user = staff.get(handler_id)
        limit = user.effective_caseload_limit if user else unit.default_caseload_limit
        count = per_handler.get(handler_id, 0)
        workers.append(
            {
                "handler_id": handler_id,
                "name": (user.get_full_name() or user.username) if user else f"#{handler_id}",
                "section": user.section.name if user and user.section else "",
                "open_cases": count,
                "limit": limit,
                "over_limit": count > limit,
                "households_paid": paid.get(handler_id, 0),
            }
        )
    workers.sort(key=lambda w: (-w["open_cases"], w["name"]))
    counts = [w["open_cases"] for w in workers]
    return {
        "as_of": today.isoformat(),
        "open_cases": sum(per_handler.values()),
        "unassigned": per_handler.get(None, 0),
        "workers_with_cases": len([c for c in counts if c]),
        "mean_per_worker": round(sum(counts) / len([c for c in counts if c]), 1)
        if any(counts)
        else None,
        "over_limit": sum(1 for w in workers if w["over_limit"]),
        "default_limit": unit.default_caseload_limit,
        "workers": workers,
        "filters_applied": CASE_FILTERS,
    }


def _add_months_sql(expression: str, months: int) -> str:
    if connection.vendor == "postgresql":
        return f"CAST({expression} + INTERVAL '{int(months)} months' AS DATE)"
    return f"date({expression}, '{int(months):+d} months')"


def _case_conditions(alias: str, filters: Filters, params: dict) -> list[str]:
    """The case filters as SQL on a cases_case alias (the case's current values)."""
    conditions = [f"{alias}.unit_id = %(unit)s"]
    if filters.section_id is not None:
        conditions.append(f"{alias}.section_id = %(f_section)s")
        params["f_section"] = filters.section_id
    if filters.handler_id is not None:
        conditions.append(f"{alias}.handler_id = %(f_handler)s")
        params["f_handler"] = filters.handler_id
    if filters.case_type:
        conditions.append(f"{alias}.case_type = %(f_case_type)s")
        params["f_case_type"] = filters.case_type
    return conditions


def programmes_block(unit: Unit, period: Period, filters: Filters) -> dict:
    """Referrals to programmes and partners in the period; the results of the municipal
    programmes that ended in it, whether the household then left assistance, and whether it
    came back for assistance within 12 months of the end (återaktualisering)."""
    from bistand.workplans.models import Intervention, InterventionResult, InterventionTarget

    interventions = Intervention.objects.filter(case__unit=unit).filter(_case_q(filters, "case__"))
    referred = interventions.filter(referred_on__gte=period.start, referred_on__lt=period.next)
    by_target = dict(
        referred.values_list("target").annotate(n=Count("id")).values_list("target", "n")
    )
    started = interventions.filter(started_on__gte=period.start, started_on__lt=period.next).count()
    by_programme = (
        referred.filter(target=InterventionTarget.PROGRAMME)
        .values("programme_id", "programme__name")
        .annotate(n=Count("id"))
        .order_by("programme__name")
    )
    params: dict = {"unit": unit.pk, "start": period.start, "next": period.next}
    conditions = _case_conditions("c", filters, params)
    until = _add_months_sql("i.ended_on", REENTRY_MONTHS)
    came_back = (
        "EXISTS (SELECT 1 FROM cases_casereopening r "
        "JOIN cases_case rc ON rc.id = r.case_id "
        "JOIN households_householdmembership rm ON rm.household_id = rc.household_id "
        f"WHERE rm.person_id = i.person_id AND r.reopened_on > i.ended_on "
        f"AND r.reopened_on <= {until}) "
        "OR EXISTS (SELECT 1 FROM cases_case nc "
        "JOIN households_householdmembership nm ON nm.household_id = nc.household_id "
        "WHERE nm.person_id = i.person_id AND nc.id <> i.case_id "
        f"AND nc.opened_on > i.ended_on AND nc.opened_on <= {until})"
    )
    left = (
        "EXISTS (SELECT 1 FROM cases_case cc WHERE cc.id = i.case_id AND cc.status = 'closed' "
        "AND cc.closed_on >= i.ended_on) "
        "OR EXISTS (SELECT 1 FROM cases_casereopening r2 WHERE r2.case_id = i.case_id "
        "AND r2.previous_closed_on >= i.ended_on)"
    )
    results = {
        result: (ended, came, gone)
        for result, ended, came, gone in _rows(
            f"SELECT i.result, COUNT(*), SUM(CASE WHEN {came_back} THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {left} THEN 1 ELSE 0 END) "
            "FROM workplans_intervention i JOIN cases_case c ON c.id = i.case_id "
            f"WHERE {' AND '.join(conditions)} AND i.target = 'programme' "
            "AND i.ended_on >= %(start)s AND i.ended_on < %(next)s GROUP BY i.result",
            params,
        )
    }
    ended_total = sum(r[0] for r in results.values())
    returned_total = sum(r[1] or 0 for r in results.values())
    return {
        "referred": sum(by_target.values()),
        "started": started,
        "by_target": [
            {"key": key, "label": swedish(label), "referred": by_target.get(key, 0)}
            for key, label in InterventionTarget.choices
        ],
        "by_programme": [
            {"programme_id": r["programme_id"], "name": r["programme__name"], "referred": r["n"]}
            for r in by_programme
        ],
        "programme_ended": ended_total,
        "results": [
            {
                "key": key,
                "label": swedish(label),
                "ended": results.get(key, (0, 0, 0))[0],
                "left_assistance": results.get(key, (0, 0, 0))[2] or 0,
                "came_back_within_12_months": results.get(key, (0, 0, 0))[1] or 0,
            }
            for key, label in InterventionResult.choices
        ],
        "left_assistance": sum(r[2] or 0 for r in results.values()),
        "came_back_within_12_months": returned_total,
        "came_back_share": share(returned_total, ended_total),
        "reentries_after_programme": _reentries_after_programme(unit, period, filters),
        "filters_applied": CASE_FILTERS,
    }


def _reentries_after_programme(unit: Unit, period: Period, filters: Filters) -> int:
    """Households coming back in the period (reopened case, or a new case after an earlier
    one) where a member's municipal programme ended within 12 months before."""
    params: dict = {"unit": unit.pk, "start": period.start, "next": period.next}
    conditions = " AND ".join(_case_conditions("c", filters, params))

    def ended_before(on: str) -> str:
        return (
            "EXISTS (SELECT 1 FROM workplans_intervention i "
            "JOIN households_householdmembership m ON m.person_id = i.person_id "
            "WHERE m.household_id = c.household_id AND i.target = 'programme' "
            f"AND i.ended_on IS NOT NULL AND i.ended_on <= {on} "
            f"AND i.ended_on >= {_add_months_sql(on, -REENTRY_MONTHS)})"
        )

    ((reopened,),) = _rows(
        "SELECT COUNT(*) FROM cases_casereopening r JOIN cases_case c ON c.id = r.case_id "
        f"WHERE {conditions} AND r.reopened_on >= %(start)s AND r.reopened_on < %(next)s "
        f"AND {ended_before('r.reopened_on')}",
        params,
    )
    ((linked,),) = _rows(
        f"SELECT COUNT(*) FROM cases_case c WHERE {conditions} "
        "AND c.previous_case_id IS NOT NULL "
        "AND c.opened_on >= %(start)s AND c.opened_on < %(next)s "
        f"AND {ended_before('c.opened_on')}",
        params,
    )
    return reopened + linked


def budget_block(unit: Unit, period: Period) -> dict:
    """Payments booked (by the day paid) on each assistance budget account against the
    year's budget (the unit's operating budget is kept apart and not shown here)."""
    year = period.end.year
    first = dt.date(year, 1, 1)
    latest_budget = BudgetAmount.objects.filter(account_id=OuterRef("pk"), year=year).order_by(
        "-id"
    )
    accounts = list(
        BudgetAccount.objects.filter(unit=unit, kind=BudgetKind.ASSISTANCE)
        .annotate(budget=Subquery(latest_budget.values("amount")[:1]))
        .order_by("kind", "code")
    )
    paid_ytd = dict(
        AccountMonth.objects.filter(unit=unit, month__gte=first, month__lte=period.end)
        .values_list("budget_account_id")
        .annotate(total=Sum("amount"))
        .values_list("budget_account_id", "total")
    )
    paid_period = dict(
        AccountMonth.objects.filter(unit=unit, month__gte=period.start, month__lte=period.end)
        .values_list("budget_account_id")
        .annotate(total=Sum("amount"))
        .values_list("budget_account_id", "total")
    )
    elapsed = period.end.month / 12
    rows = []
    for account in accounts:
        budget = account.budget
        ytd = dec(paid_ytd.get(account.pk))
        rows.append(
            {
                "id": account.pk,
                "code": account.code,
                "name": account.name,
                "kind": account.kind,
                "budget": money(budget) if budget is not None else None,
                "paid_year_to_date": money(ytd),
                "paid_in_period": money(paid_period.get(account.pk)),
                "share_used": share(ytd, budget) if budget else None,
                "remaining": money(dec(budget) - ytd) if budget is not None else None,
            }
        )
    total_budget = sum((dec(a.budget) for a in accounts if a.budget is not None), Decimal(0))
    total_ytd = sum((dec(v) for v in paid_ytd.values()), Decimal(0))
    return {
        "year": year,
        "through": month_key(period.end),
        "expected_share_by_now": round(elapsed, 4),
        "accounts": rows,
        "total": {
            "budget": money(total_budget),
            "paid_year_to_date": money(total_ytd),
            "paid_in_period": money(sum((dec(v) for v in paid_period.values()), Decimal(0))),
            "share_used": share(total_ytd, total_budget),
            "remaining": money(total_budget - total_ytd),
        },
        "filters_applied": [],
    }


def trend_block(unit: Unit, period: Period, filters: Filters) -> dict:
    """Households and amounts month by month: the period, or the 12 months up to a single
    month. Without filters from the unit's monthly totals, else from the month table."""
    first = add_months(period.end, -11) if period.single else period.start
    if filters.active:
        conditions, params = _summary_where("hm", unit, filters, person_level=False)
        params.update(first=first, next=period.next)
        where = " AND ".join([*conditions, "hm.month >= %(first)s", "hm.month < %(next)s"])
        sql = (
            "SELECT hm.month, COUNT(*), SUM(hm.amount), SUM(hm.adults), SUM(hm.minors) "
            f"FROM statistics_householdmonth hm WHERE {where} GROUP BY hm.month"
        )
    else:
        params = {"unit": unit.pk, "first": first, "next": period.next}
        sql = (
            "SELECT um.month, um.households, um.amount, um.adults, um.minors "
            "FROM statistics_unitmonth um WHERE um.unit_id = %(unit)s "
            "AND um.month >= %(first)s AND um.month < %(next)s"
        )
    grouped = {
        _as_date(month): (households, amount, adults, minors)
        for month, households, amount, adults, minors in _rows(sql, params)
    }
    months = []
    month = first
    while month <= period.end:
        households, amount, adults, minors = grouped.get(month, (0, 0, 0, 0))
        months.append(
            {
                "month": month_key(month),
                "households": households,
                "amount": money(amount),
                "adults": adults or 0,
                "minors": minors or 0,
            }
        )
        month = add_months(month, 1)
    return {"months": months, "filters_applied": SUMMARY_FILTERS}


def data_status(period: Period) -> dict:
    """Which of the period's months are built and current (payments changed since?)."""
    built = dict(
        MonthRefresh.objects.filter(month__gte=period.start, month__lte=period.end).values_list(
            "month", "refreshed_at"
        )
    )
    stale = set(
        StaleMonth.objects.filter(month__gte=period.start, month__lte=period.end).values_list(
            "month", flat=True
        )
    )
    return {
        "refreshed_at": max(built.values()).isoformat() if built else None,
        "months_missing": [month_key(m) for m in period.months if m not in built],
        "months_stale": [month_key(m) for m in sorted(stale)],
    }


# ------------------------------------------------------------------------------ the whole


def month_figures(
    unit: Unit, period: Period, filters: Filters, *, today: dt.date | None = None
) -> dict:
    """Every figure of the dashboard for the period (a month or any run of months)."""

    today = today or timezone.localdate()
    with read_session():
        return _month_figures(unit, period, filters, today)


def _month_figures(unit: Unit, period: Period, filters: Filters, today: dt.date) -> dict:
    from .population import population_block

    figures = _month_blocks(unit, period, filters, today)
    figures["population"] = population_block(figures, bool(filters.active))
    return figures


def _month_blocks(unit: Unit, period: Period, filters: Filters, today: dt.date) -> dict:
    from .birth_country import adults_by_birth_country
    from .forecast import forecast_block

    recipient_groups = _recipient_groups(unit, period, filters)
    groups = household_groups(unit, period, filters)
    return {
        "layout": LAYOUT,
        "unit": {
            "id": unit.pk,
            "name": unit.name,
            "municipality_code": unit.municipality_code,
            "municipality_name": unit.municipality_name,
        },
        "period": period.to_dict(),
        "filters": filters.as_dict(),
        "as_of": today.isoformat(),
        "data": data_status(period),
        "households": households_block(unit, period, filters, groups),
        "household_types": household_types_block(unit, period, filters, groups),
        "persons": {
            **persons_block(unit, period, filters, recipient_groups),
            "adults_by_birth_country": adults_by_birth_country(unit, period, filters),
        },
        "support_obstacles": support_obstacles_block(unit, period, filters, recipient_groups),
        "flows": flows_block(unit, period, filters),
        "durations": durations_block(unit, period, filters, groups),
        "long_term": long_term_block(unit, period.end.year, filters, today=today),
        "decision_times": decision_times_block(unit, period, filters),
        "plans": plans_block(unit, period, filters, today),
        "caseload": caseload_block(unit, period, filters, today, groups),
        "programmes": programmes_block(unit, period, filters),
        "budget": budget_block(unit, period),
        "forecast": forecast_block(unit, period.end, today=today),
        "trend": trend_block(unit, period, filters),
    }
