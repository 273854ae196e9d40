"""The norm tables: loaded from the versioned data file, with status, sources and a hash."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from bistand.calculation import Month, NormTableError, NormTables, calculate
from bistand.calculation.tables import DEFAULT_TABLE_FILE

from .builders import adult, household, table_data

SHARED_REFERENCE = Path("/work/shared/reference/riksnorm.json")


def test_every_year_of_the_file_is_loaded_with_status_and_source(tables):
    assert tables.years == (2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026)
    statuses = {table.year: table.status for table in tables}
    assert statuses[2021] == "verified_primary"
    assert statuses[2024] == "single_secondary_source_UNVERIFIED"
    assert statuses[2025] == "verified_secondary"
    assert statuses[2026] == "verified_primary"
    for table in tables:
        assert table.sources, table.year
        assert table.version == "2"
        assert len(table.sha256) == 64


def test_table_is_chosen_by_date():
    tables = NormTables.load()
    assert tables.for_month(Month(2022, 1)).year == 2022
    assert tables.for_month(Month(2022, 12)).year == 2022


def test_missing_amounts_stay_missing(tables):
    # Amounts no source gave stay null: the 2020 "without lunch" amounts and 2022+ ones.
    assert tables.for_year(2022).bracket_by_age[2].amount_without_lunch is None
    table_2026 = tables.for_year(2026)
    assert table_2026.cohabiting_couple == Decimal("7100")
    assert table_2026.common_by_size[2] == Decimal("1410")


@pytest.mark.skipif(not SHARED_REFERENCE.exists(), reason="shared reference not mounted")
def test_data_file_keeps_the_reference_content_and_adds_a_version():
    ours = json.loads(DEFAULT_TABLE_FILE.read_text(encoding="utf-8"))
    reference = json.loads(SHARED_REFERENCE.read_text(encoding="utf-8"))
    assert ours.pop("version") == "2"
    # Version 2 completes 2025 and 2026 from the regulation text (SFS 2025:468, 2025:1046);
    # every other year is the reference unchanged, and no amount the reference has changed.
    corrected = {"2025", "2026"}
    assert {k: v for k, v in ours.items() if k != "years"} == {
        k: v for k, v in reference.items() if k != "years"
    }
    for year, data in reference["years"].items():
        if year not in corrected:
            assert ours["years"][year] == data, year
            continue
        for before, after in zip(data["children"], ours["years"][year]["children"], strict=True):
            assert before["amount"] in (None, after["amount"])
        assert (
            data["adults"]["single"]["amount"] == ours["years"][year]["adults"]["single"]["amount"]
        )
        for size, amount in data["common_household_costs"]["by_household_size"].items():
            ours_amount = ours["years"][year]["common_household_costs"]["by_household_size"][size]
            assert amount in (None, ours_amount)


def test_result_records_the_table_year_version_and_hash(tables):
    result = calculate(household("2021-06", adult()))
    table = tables.for_year(2021)
    assert result.to_dict()["norm_table"] == {
        "year": 2021,
        "version": "2",
        "sha256": table.sha256,
        "status": "verified_primary",
        "valid_from": "2021-01-01",
        "valid_to": "2021-12-31",
        "draft": False,
    }


def test_hash_changes_with_the_content_and_not_with_the_file_version():
    data = table_data(2014, status="verified_primary", single_adult=2950, common={1: 990})
    same_content = copy.deepcopy(data)
    same_content["version"] = "2"
    changed = copy.deepcopy(data)
    changed["years"]["2014"]["adults"]["single"]["amount"] = 2960

    def sha(d):
        return NormTables.from_data(d).for_year(2014).sha256

    assert sha(data) == sha(same_content)
    assert sha(data) != sha(changed)


def test_old_decision_is_recomputed_with_the_archived_table(tmp_path):
    reference = json.loads(DEFAULT_TABLE_FILE.read_text(encoding="utf-8"))
    old = copy.deepcopy(reference)
    old["version"] = "0"
    old["years"]["2021"]["adults"]["single"]["amount"] = 3100  # a corrected amount, say
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "riksnorm-0.json").write_text(json.dumps(old), encoding="utf-8")
    current = tmp_path / "riksnorm.json"
    current.write_text(json.dumps(reference), encoding="utf-8")
    tables = NormTables.load(current, archive)
    old_sha = NormTables.from_data(old).for_year(2021).sha256

    now = calculate(household("2021-06", adult()), tables)
    again = calculate(household("2021-06", adult(), norm_table_sha256=old_sha), tables)

    assert now.norm_total == Decimal("4180")
    assert again.norm_total == Decimal("4120")
    assert again.norm_table.version == "0"


def test_pinning_the_current_hash_gives_the_same_result(tables):
    first = calculate(household("2023-06", adult()))
    again = calculate(household("2023-06", adult(), norm_table_sha256=first.norm_table.sha256))
    assert again == first


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda year: year["adults"]["single"].update(amount=3160.5), "heltal"),
        (lambda year: year["adults"]["single"].update(amount=-1), "heltal"),
        (lambda year: year["common_household_costs"]["by_household_size"].pop("7"), "1–7"),
        (lambda year: year["children"].pop(), "0–20"),
        (
            lambda year: year["common_household_costs"]["per_additional_member_above_7"].update(
                amount=999
            ),
            "skillnaden",
        ),
    ],
)
def test_malformed_table_data_is_refused(change, message):
    data = json.loads(DEFAULT_TABLE_FILE.read_text(encoding="utf-8"))
    change(data["years"]["2021"])
    with pytest.raises(NormTableError) as caught:
        NormTables.from_data(data)
    assert caught.value.code == "invalid_norm_data"
    assert message in caught.value.message


def test_overlapping_years_are_refused():
    data = table_data(2014, status="x", single_adult=1)
    other = table_data(2015, status="x", single_adult=1)
    other["years"]["2015"]["valid_from"] = "2014-12-01"
    data["years"].update(other["years"])
    with pytest.raises(NormTableError):
        NormTables.from_data(data)


def test_unreadable_table_file_is_refused(tmp_path):
    broken = tmp_path / "riksnorm.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(NormTableError) as caught:
        NormTables.load(broken)
    assert caught.value.code == "invalid_norm_data"
