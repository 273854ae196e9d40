"""Pure-Python calculation of försörjningsstöd (income support) for a household and a month.

No Django and no other project app is imported here (an import-linter contract holds it).
Public API: build a CalculationInput (or parse the JSON layout with parse_input), call
calculate(), read the CalculationResult, show it with display_rows() or to_dict().
"""

from .catalogue import COST_TYPES, INCOME_TYPES, CostType, IncomeType
from .display import DisplayRow, display_rows
from .engine import calculate
from .errors import CalculationError, InputError, NormTableError
from .inputs import (
    CalculationInput,
    Cost,
    Income,
    LocalGuidelines,
    Member,
    NormAdjustment,
    parse_input,
)
from .months import Month
from .result import CalculationResult, MemberSummary, ResultLine, WorkIncentivePeriod
from .rules import RULES_VERSION
from .tables import CalculationWarning, NormTable, NormTables, default_norm_tables


def calculate_from_dict(data: object, tables: NormTables | None = None) -> CalculationResult:
    """Parse the JSON input layout and calculate."""
    return calculate(parse_input(data), tables)


__all__ = [
    "COST_TYPES",
    "INCOME_TYPES",
    "RULES_VERSION",
    "CalculationError",
    "CalculationInput",
    "CalculationResult",
    "CalculationWarning",
    "Cost",
    "CostType",
    "DisplayRow",
    "Income",
    "IncomeType",
    "InputError",
    "LocalGuidelines",
    "Member",
    "MemberSummary",
    "Month",
    "NormAdjustment",
    "NormTable",
    "NormTableError",
    "NormTables",
    "ResultLine",
    "WorkIncentivePeriod",
    "calculate",
    "calculate_from_dict",
    "default_norm_tables",
    "display_rows",
    "parse_input",
]
