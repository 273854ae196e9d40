"""The statute's table cell by cell, and the check that catches a typing error.

The government raises every item of the riksnorm by the same percentage and rounds to the
nearest ten kronor (calculation-rules.md section 2, "Uprating"), so every cell's change from
last year should be close to the others'. A cell whose change differs from the median by
more than one percentage point plus what rounding to 10 kr can explain is flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from statistics import median
from typing import Any

from bistand.calculation.rules import MAX_AGE_WITH_LUNCH_SPLIT, MAX_TABLED_HOUSEHOLD_SIZE

# The statute's age bands (SFS 2020:1013; riksnorm.json) in the order of its table.
CHILD_BRACKETS = (
    ("age_under_1", "under 1 år", 0, 0),
    ("age_1_2", "1–2 år", 1, 2),
    ("age_3", "3 år", 3, 3),
    ("age_4_6", "4–6 år", 4, 6),
    ("age_7_10", "7–10 år", 7, 10),
    ("age_11_14", "11–14 år", 11, 14),
    ("age_15_18", "15–18 år", 15, 18),
    ("age_19_20", "19–20 år (hemmavarande skolungdom)", 19, 20),
)
TOLERANCE_POINTS = Decimal("1.0")
ROUNDING_KR = Decimal("5")


@dataclass(frozen=True)
class Cell:
    key: str  # a stable form-field name, e.g. child_age_1_2, child_age_1_2_no_lunch, common_3
    group: str
    label: str
    amount: int | None


def cells(data: dict[str, Any] | None) -> list[Cell]:
    """Every amount of a year's table (riksnorm.json layout), in the statute's order."""
    data = data or {}
    children = {c.get("key"): c for c in data.get("children", []) if isinstance(c, dict)}
    found: list[Cell] = []
    for key, label, min_age, _max_age in CHILD_BRACKETS:
        child = children.get(key, {})
        found.append(Cell(f"child_{key}", "Barn", label, child.get("amount")))
        if min_age <= MAX_AGE_WITH_LUNCH_SPLIT:
            found.append(
                Cell(
                    f"child_{key}_no_lunch",
                    "Barn",
                    f"{label}, äter inte lunch hemma 5 dagar i veckan",
                    child.get("amount_without_lunch_5_days_per_week"),
                )
            )
    adults = data.get("adults", {})
    found.append(
        Cell("adult_single", "Vuxna", "Ensamstående", adults.get("single", {}).get("amount"))
    )
    found.append(
        Cell(
            "adult_couple",
            "Vuxna",
            "Sambor/makar (tillsammans)",
            adults.get("cohabiting_couple", {}).get("amount"),
        )
    )
    common = data.get("common_household_costs", {}).get("by_household_size", {})
    for size in range(1, MAX_TABLED_HOUSEHOLD_SIZE + 1):
        persons = "1 person" if size == 1 else f"{size} personer"
        found.append(
            Cell(f"common_{size}", "Gemensamma hushållskostnader", persons, common.get(str(size)))
        )
    return found


def table_data(amounts: dict[str, int | None], base: dict[str, Any] | None = None) -> dict:
    """A year's table in riksnorm.json layout from form cells (keys as in `cells`)."""
    base = base or {}
    children = []
    for key, label, min_age, max_age in CHILD_BRACKETS:
        child: dict[str, Any] = {
            "key": key,
            "label_sv": label,
            "min_age": min_age,
            "max_age": max_age,
            "amount": amounts.get(f"child_{key}"),
        }
        if min_age <= MAX_AGE_WITH_LUNCH_SPLIT:
            child["amount_without_lunch_5_days_per_week"] = amounts.get(f"child_{key}_no_lunch")
        children.append(child)
    return {
        **{
            k: v
            for k, v in base.items()
            if k not in ("children", "adults", "common_household_costs")
        },
        "children": children,
        "adults": {
            "single": {"amount": amounts.get("adult_single"), "label_sv": "Ensamstående (vuxen)"},
            "cohabiting_couple": {
                "amount": amounts.get("adult_couple"),
                "label_sv": "Sambor / makar – belopp för de två vuxna tillsammans",
            },
        },
        "common_household_costs": {
            "label_sv": "Gemensamma hushållskostnader",
            "by_household_size": {
                str(size): amounts.get(f"common_{size}")
                for size in range(1, MAX_TABLED_HOUSEHOLD_SIZE + 1)
            },
        },
    }


@dataclass(frozen=True)
class Comparison:
    cell: Cell
    previous: int | None
    change_percent: Decimal | None
    flagged: bool
    reason: str


def compare(new: dict[str, Any], old: dict[str, Any] | None) -> list[Comparison]:
    """Each cell beside last year's, with the change in per cent and the outlier flag."""
    before = {cell.key: cell.amount for cell in cells(old)}
    changes: dict[str, Decimal] = {}
    for cell in cells(new):
        previous = before.get(cell.key)
        if cell.amount is not None and previous:
            changes[cell.key] = (
                (Decimal(cell.amount) - Decimal(previous)) * 100 / Decimal(previous)
            ).quantize(Decimal("0.01"))
    typical = Decimal(median(changes.values())) if len(changes) >= 3 else None
    found = []
    for cell in cells(new):
        previous = before.get(cell.key)
        change = changes.get(cell.key)
        flagged, reason = False, ""
        if cell.amount is None and previous is not None:
            flagged, reason = True, "Beloppet saknas men fanns förra året."
        elif change is not None and typical is not None and previous:
            allowed = TOLERANCE_POINTS + ROUNDING_KR * 100 / Decimal(previous)
            if abs(change - typical) > allowed:
                flagged = True
                reason = (
                    f"Ändringen {_percent(change)} % avviker från de andra beloppens "
                    f"{_percent(typical)} %: kontrollera att beloppet är rätt inskrivet."
                )
        found.append(Comparison(cell, previous, change, flagged, reason))
    return found


def _percent(value: Decimal) -> str:
    """A change in per cent the Swedish way (decimal comma)."""
    return f"{value.quantize(Decimal('0.01'))}".replace(".", ",")
