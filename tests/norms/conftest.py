"""Builders for the rules tests: a complete year's table laid out as the statute's."""

import copy
import json

import pytest

from bistand.calculation.tables import DEFAULT_TABLE_FILE
from bistand.organisation.models import Role
from tests.factories import UserFactory


def file_year(year: int) -> dict:
    with DEFAULT_TABLE_FILE.open(encoding="utf-8") as handle:
        return copy.deepcopy(json.load(handle)["years"][str(year)])


def sample_year(year: int, base_year: int = 2026, percent: int = 3) -> dict:
    """A TEST table for `year`: the 2026 table raised by `percent` and rounded to 10 kr.

    Not a real riksnorm (no such amounts are shipped); it exercises entry and verification.
    """
    data = file_year(base_year)

    def up(value):
        return None if value is None else int(round(value * (100 + percent) / 100 / 10) * 10)

    for child in data["children"]:
        child["amount"] = up(child.get("amount"))
        if "amount_without_lunch_5_days_per_week" in child:
            child["amount_without_lunch_5_days_per_week"] = up(
                child["amount_without_lunch_5_days_per_week"]
            )
    for adult in data["adults"].values():
        adult["amount"] = up(adult.get("amount"))
    sizes = data["common_household_costs"]["by_household_size"]
    for size in sizes:
        sizes[size] = up(sizes[size])
    data["common_household_costs"].pop("per_additional_member_above_7", None)
    data["valid_from"] = f"{year}-01-01"
    data["valid_to"] = f"{year}-12-31"
    data["status"] = "verified_primary"
    data["source"] = [{"sfs": "SFS 2026:9999", "title": "Testtabell (inte en verklig riksnorm)"}]
    return data


SOURCES = [{"sfs": "SFS 2026:9999", "title": "Testtabell (inte en verklig riksnorm)"}]


@pytest.fixture
def maintainers(org):
    """The system administrator and a unit head the administrator named rules maintainer."""
    second = UserFactory(
        username="rulesowner", role=Role.UNIT_HEAD, unit=org.unit, rules_maintainer=True
    )
    return org.sysadmin, second
