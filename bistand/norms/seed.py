"""Seed the rules from the package's data files when they are missing (run on migrate).

Idempotent: a year, parameter or legal period already in the database is left alone (a
release that corrects a seeded year adds a draft to verify), so a
table entered or corrected in the app is never overwritten by a release.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from bistand.calculation.tables import DEFAULT_TABLE_FILE

from .models import (
    LegalParameter,
    LegalPeriod,
    NormTableVersion,
    ParameterCode,
    RulesChange,
    SourceStatus,
    VersionState,
)
from .selectors import clear_cache

RULES_FILE = Path(__file__).resolve().parent / "data" / "rules.json"

# The prisbasbelopp figures of riksnorm.json come from the government's yearly articles
# read through a mirror (calculation-rules.md section 4).
PRICE_BASE_STATUS = SourceStatus.VERIFIED_SECONDARY


def _read(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _seeded(**fields) -> dict:
    return {
        "state": VersionState.VERIFIED,
        "seeded": True,
        "verified_at": timezone.now(),
        "revision": 1,
        **fields,
    }


def _offer_release_correction(latest: NormTableVersion, year_data: dict) -> int:
    """A release whose file corrects a year the database holds only as seeded: the new
    figures become a draft (from the package) that a person in the unit must verify.
    A table entered or corrected in the app is never touched."""
    if not latest.seeded or latest.state == VersionState.DRAFT or latest.data == year_data:
        return 0
    if latest.state == VersionState.WITHDRAWN and latest.data == year_data:
        return 0
    NormTableVersion.objects.create(
        year=latest.year,
        revision=latest.revision + 1,
        state=VersionState.DRAFT,
        seeded=True,
        valid_from=dt.date.fromisoformat(year_data["valid_from"]),
        valid_to=dt.date.fromisoformat(year_data["valid_to"]),
        source_status=year_data["status"],
        sources=list(year_data.get("source", [])),
        note="Rättelse från en ny version av programmets datafil; granska och verifiera.",
        data=year_data,
    )
    return 1


@transaction.atomic
def seed_rules(norm_file: Path | None = None, rules_file: Path | None = None) -> int:
    """Create what the data files hold and the database lacks; returns rows created."""
    norms = _read(norm_file or DEFAULT_TABLE_FILE)
    rules = _read(rules_file or RULES_FILE)
    created = 0
    latest = {v.year: v for v in NormTableVersion.objects.order_by("year", "revision")}
    for year_text, year_data in norms["years"].items():
        year = int(year_text)
        if year in latest:
            created += _offer_release_correction(latest[year], year_data)
            continue
        NormTableVersion.objects.create(
            **_seeded(
                year=year,
                valid_from=dt.date.fromisoformat(year_data["valid_from"]),
                valid_to=dt.date.fromisoformat(year_data["valid_to"]),
                source_status=year_data["status"],
                sources=list(year_data.get("source", [])),
                note="Från programmets datafil riksnorm.json (version "
                f"{norms.get('version', '?')}).",
                data=year_data,
            )
        )
        created += 1
    have_parameters = set(LegalParameter.objects.values_list("code", "valid_from"))
    price_base = norms.get("price_base_amount", {})
    wanted = [
        {
            "code": ParameterCode.PRICE_BASE_AMOUNT,
            "valid_from": f"{year}-01-01",
            "valid_to": f"{year}-12-31",
            "value": str(amount),
            "source_status": PRICE_BASE_STATUS,
            "sources": [{"title": str(price_base.get("source", ""))}],
        }
        for year, amount in price_base.get("per_year", {}).items()
        if amount is not None
    ] + list(rules["parameters"])
    for item in wanted:
        valid_from = dt.date.fromisoformat(item["valid_from"])
        if (item["code"], valid_from) in have_parameters:
            continue
        LegalParameter.objects.create(
            **_seeded(
                code=item["code"],
                valid_from=valid_from,
                valid_to=dt.date.fromisoformat(item["valid_to"]) if item.get("valid_to") else None,
                value=Decimal(item["value"]),
                source_status=item["source_status"],
                sources=item.get("sources", []),
            )
        )
        created += 1
    have_periods = set(LegalPeriod.objects.values_list("code", flat=True))
    for item in rules["legal_periods"]:
        if item["code"] in have_periods:
            continue
        LegalPeriod.objects.create(
            **_seeded(
                code=item["code"],
                name=item["name"],
                act=item["act"],
                valid_from=dt.date.fromisoformat(item["valid_from"]),
                valid_to=dt.date.fromisoformat(item["valid_to"]) if item["valid_to"] else None,
                rules_version=item["rules_version"],
                norm_reference=item["norm_reference"],
                incentive_reference=item["incentive_reference"],
                decision_basis=item["decision_basis"],
                source_status=item["source_status"],
                sources=item.get("sources", []),
            )
        )
        created += 1
    if created:
        RulesChange.objects.create(what=f"seed: {created} rows from the package's data files")
        clear_cache()
    return created
