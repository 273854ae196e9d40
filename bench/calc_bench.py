"""Benchmark of the calculation core: household calculations per second on one core.

Run: .venv/bin/python bench/calc_bench.py [--households N] [--repeat R]

Typical households: 1-6 members (one or two adults, children of all ages), 5 costs (rent
against a local ceiling, electricity, insurance, fees, childcare), 3 incomes (wages with
jobbstimulans for most, allowances), months in 2021-2024. The goal is 50,000 calculations/s.
Three figures are printed: calculate() on prepared inputs (what the Django side calls),
the JSON layout parsed and calculated (calculate_from_dict), and the same plus to_dict().

With --database the tables come from the database as at run time (a fresh SQLite database
migrated and seeded in a temporary directory; norms.selectors.rulebook(), cached per change):
calculate() with those tables, and rulebook() + calculate() as one web request does it.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bistand.calculation import (  # noqa: E402
    CalculationInput,
    Cost,
    Income,
    LocalGuidelines,
    Member,
    Month,
    calculate,
    calculate_from_dict,
)

GOAL_PER_SECOND = 50_000
GUIDELINES = LocalGuidelines(
    name="Benchmark municipality",
    rent_ceilings={size: Decimal(5000 + 900 * size) for size in range(1, 7)},
    cost_ceilings={"household_electricity": Decimal("700")},
)


def money(rng: random.Random, low: int, high: int) -> str:
    return f"{rng.randint(low, high)}.{rng.randint(0, 99):02d}"


def household_data(rng: random.Random) -> dict:
    year = rng.choice((2021, 2022, 2023, 2024))
    month = rng.randint(1, 12)
    size = rng.randint(1, 6)
    adults = 2 if size > 1 and rng.random() < 0.5 else 1
    members = [
        {
            "birth_date": f"{year - rng.randint(20, 60)}-{rng.randint(1, 12):02d}-15",
            "role": "applicant",
        }
    ]
    if adults == 2:
        members.append(
            {
                "birth_date": f"{year - rng.randint(20, 60)}-{rng.randint(1, 12):02d}-01",
                "role": "co_applicant",
            }
        )
    for _ in range(size - adults):
        age = rng.randint(0, 17)
        child = {"birth_date": f"{year - age - 1}-{rng.randint(1, 12):02d}-10", "role": "child"}
        if year == 2021 and age <= 5 and rng.random() < 0.5:
            child["meals_outside_home"] = True
        members.append(child)
    costs = [
        {"type": "rent", "amount": money(rng, 4000, 11000)},
        {"type": "household_electricity", "amount": money(rng, 200, 900)},
        {"type": "home_insurance", "amount": money(rng, 100, 300)},
        {
            "type": rng.choice(("union_fee", "unemployment_fund_fee", "work_travel")),
            "amount": money(rng, 100, 900),
        },
        {
            "type": rng.choice(("childcare_fee", "medicine", "glasses")),
            "amount": money(rng, 100, 1500),
        },
    ]
    incomes = [
        {"type": "wages", "amount": money(rng, 0, 15000), "member": 0},
        {
            "type": rng.choice(("child_allowance", "housing_allowance", "maintenance_support")),
            "amount": money(rng, 500, 4000),
            "member": adults - 1,
        },
        {
            "type": rng.choice(("unemployment_benefit", "sickness_benefit", "activity_support")),
            "amount": money(rng, 0, 9000),
            "member": 0,
        },
    ]
    return {
        "month": f"{year}-{month:02d}",
        "members": members,
        "costs": costs,
        "incomes": incomes,
        "months_on_assistance": rng.randint(0, 30),
        "local_guidelines": {
            "name": GUIDELINES.name,
            "rent_ceilings": {str(k): str(v) for k, v in GUIDELINES.rent_ceilings.items()},
            "cost_ceilings": {k: str(v) for k, v in GUIDELINES.cost_ceilings.items()},
        },
    }


def to_input(data: dict) -> CalculationInput:
    """Dataclasses as the Django side would build them (one shared LocalGuidelines object)."""
    return CalculationInput(
        month=Month.parse(data["month"]),
        members=tuple(
            Member(
                birth_date=date.fromisoformat(m["birth_date"]),
                role=m["role"],
                meals_outside_home=m.get("meals_outside_home", False),
            )
            for m in data["members"]
        ),
        costs=tuple(Cost(c["type"], Decimal(c["amount"])) for c in data["costs"]),
        incomes=tuple(
            Income(i["type"], Decimal(i["amount"]), i["member"]) for i in data["incomes"]
        ),
        months_on_assistance=data["months_on_assistance"],
        local_guidelines=GUIDELINES,
    )


def rate(function, items: list, repeat: int) -> float:
    """Best of `repeat` passes over all items, in calculations per second."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for item in items:
            function(item)
        best = min(best, time.perf_counter() - start)
    return len(items) / best


def _database_rulebook():
    """Django on a fresh SQLite database in a temporary directory, migrated (which seeds the
    rules); returns norms.selectors.rulebook."""
    import os
    import tempfile

    directory = tempfile.mkdtemp(prefix="calc-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bistand.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from bistand.norms.selectors import rulebook

    return rulebook


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--database", action="store_true", help="tables from a migrated database (norms app)"
    )
    args = parser.parse_args()
    tables = rulebook = None
    if args.database:
        rulebook = _database_rulebook()
        tables = rulebook()

    rng = random.Random(20260901)
    datas = [household_data(rng) for _ in range(args.households)]
    texts = [json.dumps(data) for data in datas]
    inputs = [to_input(data) for data in datas]
    for calc_input in inputs[:200]:
        calculate(calc_input, tables)  # warm the caches (tables, parsed months)

    core = rate(lambda item: calculate(item, tables), inputs, args.repeat)
    parsed = rate(lambda item: calculate_from_dict(item, tables), datas, args.repeat)
    with_json = rate(
        lambda text: json.dumps(
            calculate_from_dict(json.loads(text, parse_float=Decimal), tables).to_dict()
        ),
        texts,
        max(1, args.repeat // 2),
    )
    sizes = [len(calc_input.members) for calc_input in inputs]
    print(f"Python {platform.python_version()} on {platform.machine()}, one core (single thread)")
    print(
        f"{args.households} households, 1-6 members (mean {sum(sizes) / len(sizes):.1f}), 5 costs, 3 incomes"
    )
    print(
        f"calculate() on prepared inputs:        {core:>9,.0f} calculations/s ({1e6 / core:.1f} µs each)"
    )
    print(
        f"calculate_from_dict() (JSON layout):   {parsed:>9,.0f} calculations/s ({1e6 / parsed:.1f} µs each)"
    )
    print(
        f"JSON text in -> JSON text out:         {with_json:>9,.0f} calculations/s ({1e6 / with_json:.1f} µs each)"
    )
    if rulebook is not None:
        per_request = rate(lambda item: calculate(item, rulebook()), inputs, args.repeat)
        print("tables from the database (norms.selectors.rulebook(), cached per change)")
        print(
            f"rulebook() + calculate() per request:  {per_request:>9,.0f} calculations/s "
            f"({1e6 / per_request:.1f} µs each; generation query at most every 2 s)"
        )
    verdict = "meets" if core >= GOAL_PER_SECOND else "DOES NOT meet"
    print(f"goal {GOAL_PER_SECOND:,}/s for calculate(): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
