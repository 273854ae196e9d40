"""The national norm (riksnormen) as data: one table per year, with its status and sources.

The tables are read from the versioned file data/riksnorm.json. A null amount in the file
means "not found in any source": it stays missing, and a calculation that needs it is refused
(NormTableError "norm_amount_missing"); nothing is projected from an uprating percentage.

Each year's table has a sha256 over its own data (and the year's prisbasbelopp), so a stored
result can name exactly the table it used. Older versions of the file may be kept in
data/archive/; they are loaded too and can be chosen by that hash to recompute an old decision.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from .errors import NormTableError
from .money import format_sek
from .months import Month
from .rules import (
    DEFAULT_INCENTIVE,
    DEFAULT_LEGAL_PERIODS,
    IMPLEMENTED_RULE_VERSIONS,
    MAX_CHILD_AGE,
    MAX_TABLED_HOUSEHOLD_SIZE,
    IncentiveRule,
    LegalPeriod,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_TABLE_FILE = DATA_DIR / "riksnorm.json"
ARCHIVE_DIR = DATA_DIR / "archive"

# Statuses defined in riksnorm.json; only these two are verified.
VERIFIED_STATUSES = frozenset({"verified_primary", "verified_secondary"})


class CalculationWarning(NamedTuple):
    """A visible warning on a result: a stable code and a Swedish message."""

    code: str
    message: str


class ChildBracket(NamedTuple):
    key: str
    label: str
    min_age: int
    max_age: int
    amount: Decimal | None
    amount_without_lunch: Decimal | None


@dataclass(frozen=True, eq=False)
class NormTable:
    """One year's riksnorm: personal costs, common household costs, status and sources."""

    year: int
    valid_from: date
    valid_to: date
    status: str
    version: str
    sha256: str
    sources: tuple[Mapping[str, Any], ...]
    not_verified: tuple[str, ...]
    single_adult: Decimal | None
    cohabiting_couple: Decimal | None
    children: tuple[ChildBracket, ...]
    common_by_size: Mapping[int, Decimal | None]
    price_base_amount: Decimal | None
    data: Mapping[str, Any] = field(repr=False)
    # A table entered but not yet verified by a second person (four-eyes): calculations
    # show a warning and cannot be saved for a decision.
    draft: bool = False
    # Derived, for fast lookup: the child bracket for every age 0..MAX_CHILD_AGE.
    bracket_by_age: tuple[ChildBracket, ...] = field(init=False, repr=False)
    warnings: tuple[CalculationWarning, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_age: list[ChildBracket | None] = [None] * (MAX_CHILD_AGE + 1)
        for bracket in self.children:
            for age in range(bracket.min_age, bracket.max_age + 1):
                if 0 <= age <= MAX_CHILD_AGE:
                    by_age[age] = bracket
        if any(bracket is None for bracket in by_age):
            raise NormTableError(
                "invalid_norm_data",
                f"Riksnormen {self.year}: åldersgrupperna för barn täcker inte 0–{MAX_CHILD_AGE} år.",
            )
        object.__setattr__(self, "bracket_by_age", tuple(by_age))
        object.__setattr__(self, "warnings", _status_warnings(self))

    @property
    def verified(self) -> bool:
        return self.status in VERIFIED_STATUSES

    @property
    def partial(self) -> bool:
        return "partial" in self.status.lower()

    def covers(self, month: Month) -> bool:
        return self.valid_from <= month.first_day <= self.valid_to

    def common_costs(self, size: int) -> tuple[Decimal, str]:
        """Common household costs for `size` members and how they were found (Swedish)."""
        if size <= MAX_TABLED_HOUSEHOLD_SIZE:
            amount = self.common_by_size.get(size)
            if amount is None:
                raise self.missing(f"gemensamma hushållskostnader för {size} personer")
            return amount, f"{size} {'person' if size == 1 else 'personer'}"
        # 2 kap. 1 § socialtjänstförordningen (SFS 2020:1013): above 7 members, add the
        # difference between the 7- and 6-person amounts for each further member.
        seven = self.common_by_size.get(7)
        six = self.common_by_size.get(6)
        if seven is None or six is None:
            raise self.missing(
                f"gemensamma hushållskostnader för 6 och 7 personer (behövs för {size} personer)"
            )
        step = seven - six
        extra = size - MAX_TABLED_HOUSEHOLD_SIZE
        how = f"{size} personer: {format_sek(seven)} för 7 personer + {extra} × {format_sek(step)}"
        return seven + step * extra, how

    def missing(self, what: str, field: str | None = None) -> NormTableError:
        return NormTableError(
            "norm_amount_missing",
            f"Riksnormen {self.year} saknar belopp för {what}. Beloppet finns inte i någon "
            "läst källa och hittas inte på; beräkningen kan inte göras med den här tabellen.",
            field=field,
        )

    def describe(self) -> dict[str, Any]:
        """What a result records about the table it used."""
        return {
            "year": self.year,
            "version": self.version,
            "sha256": self.sha256,
            "status": self.status,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat(),
            "draft": self.draft,
        }


# How well a table's figures are sourced, in Swedish (the same labels as norms.SourceStatus;
# this module imports no Django app).
STATUS_LABELS = {
    "verified_primary": "kontrollerad mot författningstexten",
    "verified_secondary": "kontrollerad mot två andrahandskällor",
    "secondary_two_code_sources": "andrahandskällor",
    "single_secondary_source_UNVERIFIED": "en andrahandskälla – ej kontrollerad",
    "partial": "ofullständig",
    "single_secondary_source_UNVERIFIED_partial": "en andrahandskälla, ofullständig",
    "proposal": "förslag – inte beslutat",
}


def _status_warnings(table: NormTable) -> tuple[CalculationWarning, ...]:
    warnings = []
    if table.draft:
        warnings.append(
            CalculationWarning(
                "norm_table_draft",
                f"Riksnormen {table.year} (version {table.version}) är ett utkast som ännu inte "
                "har granskats av en andra person. Beräkningen kan inte sparas för beslut "
                "förrän tabellen är verifierad.",
            )
        )
    if not table.verified:
        warnings.append(
            CalculationWarning(
                "norm_table_unverified",
                f"Riksnormen {table.year} är inte verifierad mot förordningstexten "
                f"(källäge: {STATUS_LABELS.get(table.status, table.status)}). Kontrollera "
                "beloppen innan beslut fattas.",
            )
        )
    if table.partial:
        warnings.append(
            CalculationWarning(
                "norm_table_partial",
                f"Riksnormen {table.year} är ofullständig: vissa belopp saknas i källorna. "
                "Beräkningar som behöver dem görs inte.",
            )
        )
    return tuple(warnings)


class MonthRules(NamedTuple):
    """What applies to one month: the law's references and the jobbstimulans parameters."""

    legal_period: LegalPeriod
    references: Mapping[str, str]
    incentive: IncentiveRule


class NormTables:
    """The rules in force by date: norm tables, legal periods and jobbstimulans parameters.

    Built from the database (norms app) at run time, from data files in tests and tools.
    """

    def __init__(
        self,
        tables: Iterable[NormTable],
        archived: Iterable[NormTable] = (),
        legal_periods: Iterable[LegalPeriod] | None = None,
        incentives: Iterable[tuple[date, IncentiveRule]] | None = None,
    ) -> None:
        self._tables = tuple(sorted(tables, key=lambda table: table.valid_from))
        self._archived = tuple(archived)
        self._by_month: dict[Month, NormTable] = {}
        self._rules_by_month: dict[Month, MonthRules] = {}
        self.legal_periods = tuple(
            sorted(
                DEFAULT_LEGAL_PERIODS if legal_periods is None else legal_periods,
                key=lambda period: period.valid_from,
            )
        )
        self.incentives = tuple(
            sorted(
                ((date.min, DEFAULT_INCENTIVE),) if incentives is None else incentives,
                key=lambda item: item[0],
            )
        )
        for earlier, later in zip(self._tables, self._tables[1:], strict=False):
            if later.valid_from <= earlier.valid_to:
                raise NormTableError(
                    "invalid_norm_data",
                    f"Riksnormen {earlier.year} och {later.year} gäller för samma tid.",
                )

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> NormTables:
        """Build tables from data laid out like riksnorm.json."""
        return cls(tables_from_data(data))

    @classmethod
    def load(cls, path: Path | str | None = None, archive: Path | str | None = None) -> NormTables:
        """Load the current file (default data/riksnorm.json) and any archived versions."""
        current = tables_from_data(_read_json(Path(path) if path else DEFAULT_TABLE_FILE))
        archive_dir = Path(archive) if archive else ARCHIVE_DIR
        archived: list[NormTable] = []
        if archive_dir.is_dir():
            for archived_file in sorted(archive_dir.glob("*.json")):
                archived.extend(tables_from_data(_read_json(archived_file)))
        return cls(current, archived)

    def __iter__(self) -> Iterator[NormTable]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(table.year for table in self._tables)

    def for_year(self, year: int) -> NormTable:
        for table in self._tables:
            if table.year == year:
                return table
        raise NormTableError("no_norm_table", f"Det finns ingen riksnorm för {year}.")

    def for_month(self, month: Month, sha256: str | None = None) -> NormTable:
        """The table in force in `month`; with `sha256`, exactly that table (or an error)."""
        if sha256 is not None:
            return self._exact(month, sha256)
        table = self._by_month.get(month)
        if table is not None:
            return table
        for table in self._tables:
            if table.covers(month):
                self._by_month[month] = table
                return table
        years = ", ".join(str(year) for year in self.years)
        raise NormTableError(
            "no_norm_table",
            f"Det finns ingen riksnorm för {month}. Normtabeller finns för: {years}.",
            field="month",
        )

    def rules_for(self, month: Month) -> MonthRules:
        """The legal period and jobbstimulans parameters in force in `month` (cached)."""
        found = self._rules_by_month.get(month)
        if found is not None:
            return found
        period = next((p for p in reversed(self.legal_periods) if p.covers(month)), None)
        if period is None:
            raise NormTableError(
                "no_legal_period",
                f"Det finns ingen lagperiod (regeluppsättning) för {month}.",
                field="month",
            )
        if period.rules_version not in IMPLEMENTED_RULE_VERSIONS:
            raise NormTableError(
                "rules_not_implemented",
                f"{period.name} från {period.valid_from.isoformat()} kräver beräkningsregler "
                f"(version {period.rules_version}) som den här versionen av Bistånd inte har.",
                field="month",
            )
        first = month.first_day
        incentive = DEFAULT_INCENTIVE
        for valid_from, rule in self.incentives:
            if valid_from <= first:
                incentive = rule
        found = MonthRules(period, period.references, incentive)
        self._rules_by_month[month] = found
        return found

    def _exact(self, month: Month, sha256: str) -> NormTable:
        for table in (*self._tables, *self._archived):
            if table.sha256 == sha256 and table.covers(month):
                return table
        raise NormTableError(
            "norm_table_mismatch",
            f"Normtabellen med kontrollsumman {sha256} för {month} finns inte bland de "
            "laddade tabellerna; den gamla beräkningen kan inte göras om exakt.",
            field="norm_table_sha256",
        )


def _read_json(path: Path) -> Mapping[str, Any]:
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise NormTableError(
            "invalid_norm_data", f"Normtabellfilen {path} kan inte läsas: {exc}"
        ) from exc


def tables_from_data(data: Mapping[str, Any]) -> list[NormTable]:
    """Parse every year of a riksnorm.json-shaped mapping into NormTable objects."""
    try:
        version = str(data.get("version", "unversioned"))
        price_base = data.get("price_base_amount", {}).get("per_year", {})
        return [
            table_from_year(int(year), year_data, version, price_base.get(year))
            for year, year_data in data["years"].items()
        ]
    except NormTableError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise NormTableError(
            "invalid_norm_data", f"Normtabellerna har fel format: {exc!r}"
        ) from exc


def table_from_year(
    year: int,
    year_data: Mapping[str, Any],
    version: str,
    price_base_amount: Any,
    *,
    draft: bool = False,
) -> NormTable:
    """Parse one year's table (riksnorm.json layout); raises NormTableError if malformed."""

    def amount(value: Any, what: str) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise NormTableError(
                "invalid_norm_data", f"Riksnormen {year}: {what} är inte ett heltal i kronor."
            )
        return Decimal(value)

    children = tuple(
        ChildBracket(
            key=child["key"],
            label=child["label_sv"],
            min_age=int(child["min_age"]),
            max_age=int(child["max_age"]),
            amount=amount(child.get("amount"), f"barn {child['label_sv']}"),
            amount_without_lunch=amount(
                child.get("amount_without_lunch_5_days_per_week"), f"barn {child['label_sv']}"
            ),
        )
        for child in year_data["children"]
    )
    adults = year_data["adults"]
    common = year_data["common_household_costs"]
    common_by_size = {
        int(size): amount(value, f"gemensamma kostnader {size} personer")
        for size, value in common["by_household_size"].items()
    }
    if sorted(common_by_size) != list(range(1, MAX_TABLED_HOUSEHOLD_SIZE + 1)):
        raise NormTableError(
            "invalid_norm_data", f"Riksnormen {year}: gemensamma kostnader ska finnas för 1–7."
        )
    stated_step = amount(
        common.get("per_additional_member_above_7", {}).get("amount"), "tillägg över 7"
    )
    seven, six = common_by_size[7], common_by_size[6]
    if (
        stated_step is not None
        and seven is not None
        and six is not None
        and stated_step != seven - six
    ):
        raise NormTableError(
            "invalid_norm_data",
            f"Riksnormen {year}: tillägget över 7 personer ({stated_step}) är inte "
            f"skillnaden mellan 7 och 6 personer ({seven - six}).",
        )
    pbb = amount(price_base_amount, "prisbasbelopp")
    return NormTable(
        year=year,
        valid_from=date.fromisoformat(year_data["valid_from"]),
        valid_to=date.fromisoformat(year_data["valid_to"]),
        status=str(year_data["status"]),
        version=version,
        sha256=table_hash(year, year_data, price_base_amount),
        sources=tuple(year_data.get("source", ())),
        not_verified=tuple(year_data.get("not_verified", ())),
        single_adult=amount(adults["single"].get("amount"), "ensamstående vuxen"),
        cohabiting_couple=amount(adults["cohabiting_couple"].get("amount"), "sambor/makar"),
        children=children,
        common_by_size=common_by_size,
        price_base_amount=pbb,
        data=year_data,
        draft=draft,
    )


def table_hash(year: int, year_data: Mapping[str, Any], price_base_amount: Any) -> str:
    """sha256 of the year's data in canonical JSON; independent of the file's version."""
    canonical = json.dumps(
        {"year": year, "table": year_data, "price_base_amount": price_base_amount},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def default_norm_tables() -> NormTables:
    """The tables shipped in data/riksnorm.json (loaded once per process)."""
    return NormTables.load()
