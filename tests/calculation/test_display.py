"""The result as Swedish display rows for the case page and the decision letter."""

import json
from decimal import Decimal
from pathlib import Path

from bistand.calculation import calculate, calculate_from_dict, display_rows
from bistand.calculation.money import format_sek

from .builders import adult, household

EXAMPLES = Path(__file__).parent / "examples"


def rows_of(name):
    data = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return display_rows(calculate_from_dict(data))


def test_amounts_are_shown_the_swedish_way():
    assert format_sek(Decimal("15420")) == "15\u00a0420,00\u00a0kr"
    assert format_sek(Decimal("-3000.5")) == "-3\u00a0000,50\u00a0kr"
    assert format_sek(Decimal("0")) == "0,00\u00a0kr"


def test_rows_follow_the_reading_order_with_warnings_first():
    rows = rows_of("family-2024.json")
    sections = [row.section for row in rows]
    order = [
        "Observera",
        "Riksnormen",
        "Skäliga kostnader utanför riksnormen",
        "Livsföring i övrigt",
        "Behov",
        "Inkomster",
        "Resultat",
    ]
    assert [s for i, s in enumerate(sections) if i == 0 or sections[i - 1] != s] == order
    assert rows[0].style == "warning"


def test_rows_name_the_member_and_carry_the_rule_reference():
    rows = rows_of("family-2024.json")
    labels = [row.label for row in rows]
    assert "Barn 1 (8 år): Personliga kostnader, barn 7–10 år (riksnorm 2024)" in labels
    assert "Medsökande: Barnbidrag" in labels
    child_row = next(row for row in rows if row.label.startswith("Barn 1"))
    assert child_row.amount_text == "3\u00a0680,00\u00a0kr"
    assert "2 kap. 1 § socialtjänstförordningen" in child_row.reference


def test_totals_and_outcome_close_the_breakdown():
    rows = rows_of("family-2024.json")
    by_label = {row.label: row for row in rows}
    assert by_label["Summa riksnorm (4 personer)"].amount == Decimal("15420")
    assert by_label["Summa behov"].amount == Decimal("25635")
    assert by_label["Summa inkomster som räknas"].amount == Decimal("13000")
    assert by_label["Försörjningsstöd att betala ut"].amount == Decimal("12635")
    assert "Förslag till beslut: Delvis bifall" in by_label
    assert rows[-1].label.startswith("Riksnorm 2024, tabellversion 2")


def test_surplus_is_shown_with_a_refusal():
    result = calculate(household("2023-06", adult(), incomes=(("pension", "9000", 0),)))
    labels = {row.label: row for row in display_rows(result)}
    assert labels["Normöverskott (inkomster över behovet)"].amount == Decimal("4380")
    assert "Förslag till beslut: Avslag" in labels


def test_a_stored_result_is_shown_the_same_way_with_member_names():
    data = json.loads((EXAMPLES / "family-2024.json").read_text(encoding="utf-8"))
    result = calculate_from_dict(data)
    stored = json.loads(json.dumps(result.to_dict()))

    assert display_rows(stored) == display_rows(result)
    named = display_rows(stored, member_names=["Anna", "Bo", "Cia", "Dan"])
    assert "Cia: Personliga kostnader, barn 7–10 år (riksnorm 2024)" in [r.label for r in named]
