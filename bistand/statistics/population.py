"""Households and persons with assistance per 1,000 inhabitants (issue 17).

The population is SCB's: `pop` in the shipped panel `data/scb_municip_data22.csv` (population
on 31 December 2021, from SCB's Statistikdatabasen via github.com/mattiasnordin/Regression,
`data/raw/municip_data22.csv`; data/README.md), read by `benchmarking.load_reference`. It is the
latest year the stored data has; the page says which. The rate is only given for the whole
unit (no section, handler or other filter: a section has no population of its own) and relates
the unit's figures to the whole municipality's population — where a municipality has several
units, each unit's rate covers only its own cases (docs/statistics.md).

Comparison with other municipalities is not computed: their numbers of households and persons
with assistance (Kolada N31910 and the like) are not in the stored data (data/README.md).
"""

from __future__ import annotations

from .benchmarking import load_reference

POPULATION_DATE = "2021-12-31"
SOURCE = (
    "SCB, folkmängd 31 december 2021 (Statistikdatabasen, via github.com/mattiasnordin/"
    "Regression data/raw/municip_data22.csv)"
)
COMPARISON_NOTE = (
    "Jämförelse med andra kommuner saknas: deras antal hushåll och personer med bistånd finns "
    "inte i de lagrade uppgifterna."
)


def per_thousand(count, population: int) -> float | None:
    if not isinstance(count, int) or isinstance(count, bool) or not population:
        return None
    return round(count * 1000 / population, 2)


def population_block(figures: dict, filters_active: bool) -> dict:
    """Rates per 1,000 inhabitants from a month figures dict (before any suppression)."""
    code = figures["unit"].get("municipality_code") or ""
    population = load_reference().population.get(code)
    block = {
        "municipality_code": code,
        "population": population,
        "population_date": POPULATION_DATE,
        "source": SOURCE,
        "households_per_1000": None,
        "recipients_per_1000": None,
        "adult_recipients_per_1000": None,
        "comparison": None,
        "comparison_note": COMPARISON_NOTE,
        "reason": None,
    }
    if population is None:
        block["reason"] = "Kommunkoden finns inte i SCB:s uppgifter."
    elif filters_active:
        block["reason"] = "Andelen av befolkningen visas bara för hela enheten, utan filter."
    else:
        block["households_per_1000"] = per_thousand(figures["households"]["count"], population)
        block["recipients_per_1000"] = per_thousand(figures["persons"]["recipients"], population)
        block["adult_recipients_per_1000"] = per_thousand(
            figures["persons"]["adult_recipients"], population
        )
    return block
