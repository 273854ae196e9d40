"""Reads of the rules: what is in force by date, built into the calculation's objects.

`rulebook()` is what every calculation on the Django side uses. It is built once per
process and rebuilt only when a rule version changes (entered, verified or withdrawn):
each change appends a RulesChange row, and one indexed query compares its id. That query
runs at most every CHECK_SECONDS per process; the process that makes a change drops its
cache at once (services), other processes see it within CHECK_SECONDS.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import defaultdict
from decimal import Decimal

from bistand.calculation import NormTables
from bistand.calculation.errors import NormTableError
from bistand.calculation.rules import (
    DEFAULT_INCENTIVE,
    IncentiveRule,
)
from bistand.calculation.rules import (
    LegalPeriod as PureLegalPeriod,
)
from bistand.calculation.tables import NormTable, table_from_year

from .models import (
    LegalParameter,
    LegalPeriod,
    NormTableVersion,
    ParameterCode,
    RulesChange,
    VersionState,
)

CHECK_SECONDS = 2.0

_lock = threading.Lock()
_cache: dict[str, object] = {"generation": None, "rulebook": None, "checked": 0.0}


def generation() -> tuple:
    return RulesChange.objects.order_by("-id").values_list("id", "token").first() or (0, None)


def rulebook() -> NormTables:
    """The rules in force (norm tables, legal periods, parameters), cached per generation."""
    cached = _cache["rulebook"]
    now = time.monotonic()
    if cached is not None and now - _cache["checked"] < CHECK_SECONDS:  # type: ignore[operator]
        return cached  # type: ignore[return-value]
    current = generation()
    if cached is not None and _cache.get("generation") == current:
        _cache["checked"] = now
        return cached  # type: ignore[return-value]
    with _lock:
        built = build_rulebook()
        _cache.update(rulebook=built, generation=current, checked=now)
    return built


def clear_cache() -> None:
    """Drop the cached rules (after a change in this process, and between tests)."""
    _cache.clear()
    _cache.update(generation=None, rulebook=None, checked=0.0)


def _latest_per_key(rows, key) -> dict:
    """The highest revision per key (rows come ordered by revision ascending)."""
    found: dict = {}
    for row in rows:
        found[key(row)] = row
    return found


def _price_base_for_year(parameters: list[LegalParameter], year: int) -> Decimal | None:
    first = dt.date(year, 1, 1)
    amount = None
    for row in parameters:
        if (
            row.code == ParameterCode.PRICE_BASE_AMOUNT
            and row.valid_from <= first
            and (row.valid_to is None or row.valid_to >= first)
        ):
            amount = row.value
    return amount


def _whole(value: Decimal | None) -> int | None:
    return None if value is None else int(value)


def verified_parameters() -> list[LegalParameter]:
    rows = LegalParameter.objects.filter(state=VersionState.VERIFIED).order_by(
        "valid_from", "revision"
    )
    return sorted(
        _latest_per_key(rows, lambda r: (r.code, r.valid_from)).values(),
        key=lambda r: r.valid_from,
    )


def norm_table_object(version: NormTableVersion, parameters: list[LegalParameter]) -> NormTable:
    """The calculation's NormTable for a stored version (its prisbasbelopp from parameters)."""
    return table_from_year(
        version.year,
        version.data,
        str(version.revision),
        _whole(_price_base_for_year(parameters, version.year)),
        draft=not version.is_verified,
    )


def build_rulebook() -> NormTables:
    parameters = verified_parameters()
    versions = list(
        NormTableVersion.objects.exclude(state=VersionState.WITHDRAWN).order_by("year", "revision")
    )
    verified = _latest_per_key((v for v in versions if v.is_verified), lambda v: v.year)
    drafts = _latest_per_key((v for v in versions if v.is_draft), lambda v: v.year)
    in_force: list[NormTable] = []
    archived: list[NormTable] = []
    for version in versions:
        if not version.is_verified or verified.get(version.year) is version:
            continue
        try:
            archived.append(norm_table_object(version, parameters))
        except NormTableError:
            continue
    for year in sorted(set(verified) | set(drafts)):
        chosen = verified.get(year) or drafts[year]
        in_force.append(norm_table_object(chosen, parameters))
    periods = [
        pure_legal_period(row)
        for row in _latest_per_key(
            LegalPeriod.objects.filter(state=VersionState.VERIFIED).order_by("revision"),
            lambda r: r.code,
        ).values()
    ]
    return NormTables(in_force, archived, periods, incentive_rules(parameters))


def pure_legal_period(row: LegalPeriod) -> PureLegalPeriod:
    return PureLegalPeriod(
        code=row.code,
        name=row.name,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        act=row.act,
        norm_reference=row.norm_reference,
        incentive_reference=row.incentive_reference,
        rules_version=row.rules_version,
    )


def incentive_rules(parameters: list[LegalParameter]) -> list[tuple[dt.date, IncentiveRule]]:
    """The jobbstimulans parameters as change points: each date any of the three changes."""
    codes = {
        ParameterCode.WORK_INCENTIVE_SHARE: "share",
        ParameterCode.WORK_INCENTIVE_QUALIFYING: "qualifying_months",
        ParameterCode.WORK_INCENTIVE_PERIOD: "period_months",
    }
    by_date: dict[dt.date, dict[str, Decimal]] = defaultdict(dict)
    for row in parameters:
        if row.code in codes:
            by_date[row.valid_from][codes[row.code]] = row.value
    rules: list[tuple[dt.date, IncentiveRule]] = []
    current = DEFAULT_INCENTIVE._asdict()
    for day in sorted(by_date):
        for name, value in by_date[day].items():
            current[name] = value.normalize() if name == "share" else int(value)
        rules.append((day, IncentiveRule(**current)))
    return rules


def legal_period_on(day: dt.date) -> LegalPeriod | None:
    """The verified legal period in force on `day` (latest revision of its code)."""
    rulebook()  # refreshes the generation at most every CHECK_SECONDS
    current = _cache.get("generation")
    if _cache.get("periods_generation") != current or "periods" not in _cache:
        rows = LegalPeriod.objects.filter(state=VersionState.VERIFIED).order_by("revision")
        _cache["periods"] = sorted(
            _latest_per_key(rows, lambda r: r.code).values(), key=lambda r: r.valid_from
        )
        _cache["periods_generation"] = current
    found = None
    for row in _cache["periods"]:  # type: ignore[union-attr]
        if row.valid_from <= day and (row.valid_to is None or day <= row.valid_to):
            found = row
    return found


def previous_verified(version: NormTableVersion) -> NormTableVersion | None:
    """Last year's table in force (the latest verified revision of the nearest earlier
    year), to compare an entered table with."""
    return (
        NormTableVersion.objects.filter(year__lt=version.year, state=VersionState.VERIFIED)
        .order_by("-year", "-revision")
        .first()
    )


def corrected_version(version: NormTableVersion) -> NormTableVersion | None:
    """The verified version of the same year that this one corrects, if any."""
    return (
        NormTableVersion.objects.filter(
            year=version.year, state=VersionState.VERIFIED, revision__lt=version.revision
        )
        .order_by("-revision")
        .first()
    )
