"""The result of a calculation: every line with its amount, explanation and rule, and the totals.

Line kinds and how they add up (docs/calculation.md):
  norm + norm_adjustment          = norm_total
  cost + cost_reduction           = costs_total (reasonable + other_living)
  income + income_disregard       = incomes_counted (income alone = incomes_total)
  norm_total + costs_total        = total_need
  total_need - incomes_counted    = amount_to_pay if positive, else its opposite is the surplus
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from .inputs import LocalGuidelines
from .money import format_amount
from .months import Month
from .rules import RULES_VERSION
from .tables import CalculationWarning, NormTable

NORM_KINDS = frozenset({"norm", "norm_adjustment"})
COST_KINDS = frozenset({"cost", "cost_reduction"})
INCOME_KINDS = frozenset({"income", "income_disregard"})


class ResultLine(NamedTuple):
    """One line of the calculation. Reductions and disregards have negative amounts."""

    kind: str
    type: str
    amount: Decimal
    explanation: str
    rule: str
    rule_reference: str
    member: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "type": self.type,
            "amount": format_amount(self.amount),
            "explanation": self.explanation,
            "rule": self.rule,
            "rule_reference": self.rule_reference,
            "member": self.member,
        }


class MemberSummary(NamedTuple):
    role: str
    age: int


class WorkIncentivePeriod(NamedTuple):
    """A person's jobbstimulans period applied this month; store it for the coming months."""

    member: int
    period_start: Month
    period_end: Month
    started_this_month: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "member": self.member,
            "period_start": str(self.period_start),
            "period_end": str(self.period_end),
            "started_this_month": self.started_this_month,
        }


class CalculationResult(NamedTuple):
    """The calculation of one household and month; immutable (a tuple, for speed)."""

    month: Month
    members: tuple[MemberSummary, ...]
    household_size: int
    lines: tuple[ResultLine, ...]
    norm_total: Decimal
    reasonable_costs_total: Decimal
    other_living_costs_total: Decimal
    costs_total: Decimal
    total_need: Decimal
    incomes_total: Decimal
    incomes_counted: Decimal
    amount_to_pay: Decimal
    surplus: Decimal
    proposed_outcome: str  # "granted" | "partly_granted" | "refused"
    work_incentive: tuple[WorkIncentivePeriod, ...]
    norm_table: NormTable
    local_guidelines: LocalGuidelines | None
    warnings: tuple[CalculationWarning, ...]
    rules_version: str = RULES_VERSION

    def to_dict(self) -> dict[str, Any]:
        """The JSON output layout (calc-output.schema.json); amounts as "1234.50" strings."""
        return {
            "month": str(self.month),
            "household_size": self.household_size,
            "members": [
                {"index": index, "role": member.role, "age": member.age}
                for index, member in enumerate(self.members)
            ],
            "lines": [line.to_dict() for line in self.lines],
            "norm_total": format_amount(self.norm_total),
            "reasonable_costs_total": format_amount(self.reasonable_costs_total),
            "other_living_costs_total": format_amount(self.other_living_costs_total),
            "costs_total": format_amount(self.costs_total),
            "total_need": format_amount(self.total_need),
            "incomes_total": format_amount(self.incomes_total),
            "incomes_counted": format_amount(self.incomes_counted),
            "amount_to_pay": format_amount(self.amount_to_pay),
            "surplus": format_amount(self.surplus),
            "proposed_outcome": self.proposed_outcome,
            "work_incentive": [period.to_dict() for period in self.work_incentive],
            "norm_table": self.norm_table.describe(),
            "local_guidelines": None
            if self.local_guidelines is None
            else self.local_guidelines.describe(),
            "warnings": [
                {"code": warning.code, "message": warning.message} for warning in self.warnings
            ],
            "rules_version": self.rules_version,
        }
