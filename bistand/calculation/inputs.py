"""What a calculation is made from: the household, the month, costs, incomes and local guidelines.

The Django side builds these dataclasses from its models; the CLI builds them from JSON with
`parse_input`. Amounts are Decimal kronor. Checks that need the month or the norm table are
made by `calculate`; `parse_input` checks the shape of the JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .catalogue import COST_TYPES
from .errors import InputError
from .money import ZERO, check_amount
from .months import Month, parse_date


@dataclass(frozen=True, slots=True)
class Member:
    """A member of the household in the case.

    role: "applicant", "co_applicant" (makes the adults cohabiting) or "child" (a child or
    school youth under 21 living at home). meals_outside_home: a child 0-6 who does not eat
    lunch at home 5 days a week. days_in_household: for a child living in the household only
    part of the month (umgänge). months_on_assistance and work_incentive_start are per-person
    facts for jobbstimulans; earned_earlier_this_year is a child's work income earlier in the
    calendar year (the prisbasbelopp rule).
    """

    birth_date: date
    role: str
    meals_outside_home: bool = False
    days_in_household: int | None = None
    months_on_assistance: int | None = None
    work_incentive_start: Month | None = None
    earned_earlier_this_year: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class Cost:
    """A cost applied for this month. accepted_until: last month a cost above the local
    ceiling is still accepted in full (time given to lower it); in JSON "YYYY-MM", or a date
    "YYYY-MM-DD" meaning its month."""

    type: str
    amount: Decimal
    description: str = ""
    accepted_until: Month | None = None


@dataclass(frozen=True, slots=True)
class Income:
    """An income of a member (index into members; None means the applicant)."""

    type: str
    amount: Decimal
    member: int | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class NormAdjustment:
    """The norm set higher ("increase") or lower ("decrease") for a special reason."""

    type: str
    amount: Decimal
    reason: str
    member: int | None = None


@dataclass(frozen=True)
class LocalGuidelines:
    """The municipality's own guidelines in force for the month (stored with history elsewhere).

    rent_ceilings: highest accepted housing cost by household size; the entry for the
    largest size not above the household's size applies (so the largest key means "or more").
    cost_ceilings: highest accepted amount for other cost types.
    """

    name: str = ""
    valid_from: date | None = None
    rent_ceilings: Mapping[int, Decimal] = field(default_factory=dict)
    cost_ceilings: Mapping[str, Decimal] = field(default_factory=dict)
    _by_size: dict[int, Mapping[str, Decimal]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for size, ceiling in self.rent_ceilings.items():
            if isinstance(size, bool) or not isinstance(size, int) or size < 1:
                raise InputError(
                    "invalid_local_guidelines",
                    f"Högsta boendekostnad måste anges per hushållsstorlek 1, 2, ... (fick {size!r}).",
                    field="local_guidelines.rent_ceilings",
                )
            check_amount(ceiling, f"local_guidelines.rent_ceilings.{size}")
        for cost_type, ceiling in self.cost_ceilings.items():
            if cost_type not in COST_TYPES or cost_type == "rent":
                raise InputError(
                    "invalid_local_guidelines",
                    f"Okänd kostnadstyp i kommunens tak: {cost_type!r} (hyra anges i rent_ceilings).",
                    field=f"local_guidelines.cost_ceilings.{cost_type}",
                )
            check_amount(ceiling, f"local_guidelines.cost_ceilings.{cost_type}")

    def ceiling_for(self, cost_type: str, household_size: int) -> Decimal | None:
        """The highest accepted amount of a cost type for a household of this size, if any."""
        if cost_type != "rent":
            return self.cost_ceilings.get(cost_type)
        best_size = 0
        best: Decimal | None = None
        for size, ceiling in self.rent_ceilings.items():
            if best_size < size <= household_size:
                best_size, best = size, ceiling
        return best

    def ceilings_for_size(self, household_size: int) -> Mapping[str, Decimal]:
        """Every ceiling (cost type -> amount) that applies to a household of this size."""
        ceilings = self._by_size.get(household_size)
        if ceilings is None:
            ceilings = dict(self.cost_ceilings)
            rent = self.ceiling_for("rent", household_size)
            if rent is not None:
                ceilings["rent"] = rent
            self._by_size[household_size] = ceilings
        return ceilings

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
        }


@dataclass(frozen=True, slots=True)
class CalculationInput:
    """Everything one month's calculation for one household needs.

    months_on_assistance: consecutive calendar months with försörjningsstöd right before
    `month` (for jobbstimulans; a member may override it). shared_household_size: the number
    of people in a shared household (hushållsgemenskap) when the case's adults are not sambo
    with the others. norm_table_sha256: recompute with exactly this norm table.
    """

    month: Month
    members: tuple[Member, ...]
    costs: tuple[Cost, ...] = ()
    incomes: tuple[Income, ...] = ()
    months_on_assistance: int = 0
    shared_household_size: int | None = None
    norm_adjustments: tuple[NormAdjustment, ...] = ()
    local_guidelines: LocalGuidelines | None = None
    norm_table_sha256: str | None = None


# --- JSON (plain mapping) to dataclasses ---------------------------------------------------

_TOP_FIELDS = frozenset(
    {
        "month",
        "members",
        "costs",
        "incomes",
        "months_on_assistance",
        "shared_household_size",
        "norm_adjustments",
        "local_guidelines",
        "norm_table_sha256",
    }
)
_MEMBER_FIELDS = frozenset(
    {
        "birth_date",
        "role",
        "meals_outside_home",
        "days_in_household",
        "months_on_assistance",
        "work_incentive_start",
        "earned_earlier_this_year",
    }
)
_COST_FIELDS = frozenset({"type", "amount", "description", "accepted_until"})
_INCOME_FIELDS = frozenset({"type", "amount", "member", "description"})
_ADJUSTMENT_FIELDS = frozenset({"type", "amount", "reason", "member"})
_GUIDELINE_FIELDS = frozenset({"name", "valid_from", "rent_ceilings", "cost_ceilings"})


def parse_input(data: object) -> CalculationInput:
    """Build a CalculationInput from the JSON input layout (see calc-input.schema.json)."""
    obj = _object(data, "indata")
    _known_fields(obj, _TOP_FIELDS, "")
    month = Month.parse(_required(obj, "month", ""), "month")
    members = tuple(
        _member(item, f"members[{i}]")
        for i, item in enumerate(_list(_required(obj, "members", ""), "members"))
    )
    costs = tuple(
        _cost(item, f"costs[{i}]") for i, item in enumerate(_list(obj.get("costs", []), "costs"))
    )
    incomes = tuple(
        _income(item, f"incomes[{i}]")
        for i, item in enumerate(_list(obj.get("incomes", []), "incomes"))
    )
    adjustments = tuple(
        _adjustment(item, f"norm_adjustments[{i}]")
        for i, item in enumerate(_list(obj.get("norm_adjustments", []), "norm_adjustments"))
    )
    guidelines = obj.get("local_guidelines")
    sha256 = obj.get("norm_table_sha256")
    if sha256 is not None and not isinstance(sha256, str):
        raise _type_error("norm_table_sha256", "en text")
    return CalculationInput(
        month=month,
        members=members,
        costs=costs,
        incomes=incomes,
        months_on_assistance=_count(obj.get("months_on_assistance", 0), "months_on_assistance"),
        shared_household_size=_optional_count(
            obj.get("shared_household_size"), "shared_household_size"
        ),
        norm_adjustments=adjustments,
        local_guidelines=None if guidelines is None else _guidelines(guidelines),
        norm_table_sha256=sha256,
    )


def _member(data: object, path: str) -> Member:
    obj = _object(data, path)
    _known_fields(obj, _MEMBER_FIELDS, path)
    start = obj.get("work_incentive_start")
    return Member(
        birth_date=parse_date(_required(obj, "birth_date", path), f"{path}.birth_date"),
        role=_text(_required(obj, "role", path), f"{path}.role"),
        meals_outside_home=_bool(
            obj.get("meals_outside_home", False), f"{path}.meals_outside_home"
        ),
        days_in_household=_optional_count(
            obj.get("days_in_household"), f"{path}.days_in_household"
        ),
        months_on_assistance=_optional_count(
            obj.get("months_on_assistance"), f"{path}.months_on_assistance"
        ),
        work_incentive_start=None
        if start is None
        else Month.parse(start, f"{path}.work_incentive_start"),
        earned_earlier_this_year=check_amount(
            obj.get("earned_earlier_this_year", ZERO), f"{path}.earned_earlier_this_year"
        ),
    )


def _cost(data: object, path: str) -> Cost:
    obj = _object(data, path)
    _known_fields(obj, _COST_FIELDS, path)
    until = obj.get("accepted_until")
    return Cost(
        type=_text(_required(obj, "type", path), f"{path}.type"),
        amount=check_amount(_required(obj, "amount", path), f"{path}.amount"),
        description=_text(obj.get("description", ""), f"{path}.description"),
        accepted_until=None if until is None else _month_or_date(until, f"{path}.accepted_until"),
    )


def _income(data: object, path: str) -> Income:
    obj = _object(data, path)
    _known_fields(obj, _INCOME_FIELDS, path)
    return Income(
        type=_text(_required(obj, "type", path), f"{path}.type"),
        amount=check_amount(_required(obj, "amount", path), f"{path}.amount"),
        member=_optional_count(obj.get("member"), f"{path}.member"),
        description=_text(obj.get("description", ""), f"{path}.description"),
    )


def _adjustment(data: object, path: str) -> NormAdjustment:
    obj = _object(data, path)
    _known_fields(obj, _ADJUSTMENT_FIELDS, path)
    return NormAdjustment(
        type=_text(_required(obj, "type", path), f"{path}.type"),
        amount=check_amount(_required(obj, "amount", path), f"{path}.amount"),
        reason=_text(_required(obj, "reason", path), f"{path}.reason"),
        member=_optional_count(obj.get("member"), f"{path}.member"),
    )


def _guidelines(data: object) -> LocalGuidelines:
    path = "local_guidelines"
    obj = _object(data, path)
    _known_fields(obj, _GUIDELINE_FIELDS, path)
    rent = _object(obj.get("rent_ceilings", {}), f"{path}.rent_ceilings")
    rent_ceilings: dict[int, Decimal] = {}
    for size, ceiling in rent.items():
        if not (isinstance(size, str) and size.isdigit() and int(size) >= 1):
            raise InputError(
                "invalid_local_guidelines",
                f'Högsta boendekostnad anges per hushållsstorlek "1", "2", ... (fick {size!r}).',
                field=f"{path}.rent_ceilings",
            )
        rent_ceilings[int(size)] = check_amount(ceiling, f"{path}.rent_ceilings.{size}")
    costs = _object(obj.get("cost_ceilings", {}), f"{path}.cost_ceilings")
    valid_from = obj.get("valid_from")
    return LocalGuidelines(
        name=_text(obj.get("name", ""), f"{path}.name"),
        valid_from=None if valid_from is None else parse_date(valid_from, f"{path}.valid_from"),
        rent_ceilings=rent_ceilings,
        cost_ceilings={
            cost_type: check_amount(ceiling, f"{path}.cost_ceilings.{cost_type}")
            for cost_type, ceiling in costs.items()
        },
    )


def _month_or_date(value: object, path: str) -> Month:
    """A month "YYYY-MM", or the month of a date "YYYY-MM-DD" (accepted until that month)."""
    if isinstance(value, str) and len(value) == 10:
        return Month.of(parse_date(value, path))
    return Month.parse(value, path)


def _object(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _type_error(path or "indata", "ett objekt")
    return value


def _list(value: object, path: str) -> list[Any] | tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        raise _type_error(path, "en lista")
    return value


def _required(obj: Mapping[str, Any], name: str, path: str) -> Any:
    if name not in obj:
        where = f"{path}.{name}" if path else name
        raise InputError("missing_field", f"Uppgiften {where} saknas.", field=where)
    return obj[name]


def _known_fields(obj: Mapping[str, Any], known: frozenset[str], path: str) -> None:
    for name in obj:
        if name not in known:
            where = f"{path}.{name}" if path else str(name)
            raise InputError("unknown_field", f"Okänd uppgift: {where}.", field=where)


def _text(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise _type_error(path, "en text")
    return value


def _bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise _type_error(path, "true eller false")
    return value


def _count(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(
            "invalid_number",
            f"{path} ska vara ett heltal, 0 eller större (fick {value!r}).",
            field=path,
        )
    return value


def _optional_count(value: object, path: str) -> int | None:
    return None if value is None else _count(value, path)


def _type_error(path: str, expected: str) -> InputError:
    return InputError("invalid_type", f"{path} ska vara {expected}.", field=path)
