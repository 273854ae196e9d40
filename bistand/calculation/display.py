"""A result as plain Swedish display rows, for the case page and the decision letter.

Works on a CalculationResult or on its stored to_dict() form, so a saved result can be shown
again without recalculating.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from .catalogue import (
    COST_CATEGORY_LABELS,
    COST_TYPES,
    OTHER_LIVING,
    OUTCOME_LABELS,
    REASONABLE,
    ROLE_CHILD,
    ROLE_LABELS,
)
from .money import format_sek
from .result import CalculationResult

SECTION_WARNINGS = "Observera"
SECTION_NORM = "Riksnormen"
SECTION_REASONABLE = COST_CATEGORY_LABELS[REASONABLE]
SECTION_OTHER_LIVING = COST_CATEGORY_LABELS[OTHER_LIVING]
SECTION_NEED = "Behov"
SECTION_INCOMES = "Inkomster"
SECTION_RESULT = "Resultat"


class DisplayRow(NamedTuple):
    """One row to show. style: "warning", "line", "subtotal", "total" or "outcome"."""

    section: str
    label: str
    amount: Decimal | None
    amount_text: str
    reference: str
    style: str


def member_labels(members: Sequence[Mapping[str, Any]]) -> list[str]:
    """ "Sökande", "Medsökande", "Barn 1 (8 år)" ... for the result's members, in order."""
    labels = []
    child_number = 0
    for member in members:
        if member["role"] == ROLE_CHILD:
            child_number += 1
            labels.append(f"Barn {child_number} ({member['age']} år)")
        else:
            labels.append(ROLE_LABELS.get(member["role"], member["role"]))
    return labels


def display_rows(
    result: CalculationResult | Mapping[str, Any], member_names: Sequence[str] | None = None
) -> list[DisplayRow]:
    """The breakdown in reading order: warnings, norm, costs, need, incomes, result.

    member_names, if given, replaces "Sökande", "Barn 1 (8 år)" ... (one name per member).
    """
    data = result.to_dict() if isinstance(result, CalculationResult) else result
    labels = list(member_names) if member_names else member_labels(data["members"])
    lines = data["lines"]
    rows: list[DisplayRow] = [
        DisplayRow(SECTION_WARNINGS, warning["message"], None, "", "", "warning")
        for warning in data["warnings"]
    ]

    def line_rows(section: str, selected: list[Mapping[str, Any]]) -> None:
        for line in selected:
            label = line["explanation"]
            member = line["member"]
            if member is not None and member < len(labels):
                label = f"{labels[member]}: {label}"
            amount = Decimal(line["amount"])
            rows.append(
                DisplayRow(
                    section, label, amount, format_sek(amount), line["rule_reference"], "line"
                )
            )

    def total_row(section: str, label: str, amount_text: str, style: str = "subtotal") -> None:
        amount = Decimal(amount_text)
        rows.append(DisplayRow(section, label, amount, format_sek(amount), "", style))

    line_rows(SECTION_NORM, [line for line in lines if line["kind"] in ("norm", "norm_adjustment")])
    total_row(
        SECTION_NORM, f"Summa riksnorm ({data['household_size']} personer)", data["norm_total"]
    )
    for category, section, total in (
        (REASONABLE, SECTION_REASONABLE, data["reasonable_costs_total"]),
        (OTHER_LIVING, SECTION_OTHER_LIVING, data["other_living_costs_total"]),
    ):
        cost_lines = [
            line
            for line in lines
            if line["kind"] in ("cost", "cost_reduction")
            and COST_TYPES[line["type"]].category == category
        ]
        if cost_lines:
            line_rows(section, cost_lines)
            total_row(section, f"Summa {section.lower()}", total)
    total_row(SECTION_NEED, "Summa behov", data["total_need"], "total")

    income_lines = [line for line in lines if line["kind"] in ("income", "income_disregard")]
    if income_lines:
        line_rows(SECTION_INCOMES, income_lines)
    total_row(SECTION_INCOMES, "Summa inkomster som räknas", data["incomes_counted"])

    if Decimal(data["surplus"]) > 0:
        total_row(
            SECTION_RESULT, "Normöverskott (inkomster över behovet)", data["surplus"], "total"
        )
    total_row(SECTION_RESULT, "Försörjningsstöd att betala ut", data["amount_to_pay"], "total")
    outcome = OUTCOME_LABELS[data["proposed_outcome"]]
    rows.append(
        DisplayRow(SECTION_RESULT, f"Förslag till beslut: {outcome}", None, "", "", "outcome")
    )
    table = data["norm_table"]
    rows.append(
        DisplayRow(
            SECTION_RESULT,
            f"Riksnorm {table['year']}, tabellversion {table['version']} "
            f"(kontrollsumma {table['sha256'][:12]})",
            None,
            "",
            "",
            "line",
        )
    )
    return rows
