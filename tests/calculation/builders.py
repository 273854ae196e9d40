"""Builders for calculation tests: households, and norm tables for years not in the data file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bistand.calculation import (
    CalculationInput,
    Cost,
    Income,
    Member,
    Month,
    NormTables,
)

BRACKETS = [
    ("age_under_1", "under 1 år (0 år)", 0, 0),
    ("age_1_2", "1–2 år", 1, 2),
    ("age_3", "3 år", 3, 3),
    ("age_4_6", "4–6 år", 4, 6),
    ("age_7_10", "7–10 år", 7, 10),
    ("age_11_14", "11–14 år", 11, 14),
    ("age_15_18", "15–18 år", 15, 18),
    ("age_19_20", "19–20 år (hemmavarande skolungdom)", 19, 20),
]


def table_data(
    year: int,
    *,
    status: str,
    single_adult: int | None = None,
    couple: int | None = None,
    common: dict[int, int] | None = None,
    children: dict[str, int] | None = None,
    price_base_amount: int | None = None,
) -> dict:
    """A riksnorm.json-shaped mapping with one year; amounts not given are null (missing)."""
    common = common or {}
    children = children or {}
    return {
        "version": "test",
        "years": {
            str(year): {
                "valid_from": f"{year}-01-01",
                "valid_to": f"{year}-12-31",
                "status": status,
                "source": [{"kind": "test"}],
                "children": [
                    {
                        "key": key,
                        "label_sv": label,
                        "min_age": low,
                        "max_age": high,
                        "amount": children.get(key),
                    }
                    for key, label, low, high in BRACKETS
                ],
                "adults": {
                    "single": {"amount": single_adult},
                    "cohabiting_couple": {"amount": couple},
                },
                "common_household_costs": {
                    "by_household_size": {str(size): common.get(size) for size in range(1, 8)},
                    "per_additional_member_above_7": {"amount": None},
                },
            }
        },
        "price_base_amount": {"per_year": {str(year): price_base_amount}},
    }


def adult(born: str = "1985-04-02") -> Member:
    return Member(birth_date=date.fromisoformat(born), role="applicant")


def co_applicant(born: str = "1987-01-10") -> Member:
    return Member(birth_date=date.fromisoformat(born), role="co_applicant")


def child(born: str, **options) -> Member:
    return Member(birth_date=date.fromisoformat(born), role="child", **options)


def household(
    month: str,
    *members: Member,
    costs: tuple[tuple[str, str], ...] = (),
    incomes: tuple[tuple[str, str, int], ...] = (),
    **options,
) -> CalculationInput:
    return CalculationInput(
        month=Month.parse(month),
        members=members,
        costs=tuple(Cost(cost_type, Decimal(amount)) for cost_type, amount in costs),
        incomes=tuple(
            Income(income_type, Decimal(amount), member) for income_type, amount, member in incomes
        ),
        **options,
    )


def amounts_of(result, kind: str) -> list[Decimal]:
    return [line.amount for line in result.lines if line.kind == kind]


def tables_for(year: int, **amounts) -> NormTables:
    """NormTables with a single hand-built year (for worked examples outside riksnorm.json)."""
    return NormTables.from_data(table_data(year, **amounts))
