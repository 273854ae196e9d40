"""Öppna jämförelser: a municipality's actual against its expected cost of ekonomiskt bistånd.

Socialstyrelsen's model predicts each municipality's cost per inhabitant aged 18-64 from the
shares unemployed without benefit, foreign-born with 0-5 and 6-10 years in Sweden, low
education and low income. We fit that linear model by ordinary least squares over the
municipalities in the user's CSV, merged with the shipped SCB reference data (data/README.md),
and rank our municipality by how far its actual cost lies from the expected.

Plain Python, no Django and no numpy: the normal equations are solved by Gaussian elimination
with partial pivoting (a few hundred rows, at most six unknowns). docs/benchmarking.md
describes the CSV columns, the sources and every error code.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bistand.core.errors import DomainError

DATA_DIR = Path(__file__).resolve().parent / "data"

CODE = "kommunkod"
DEPENDENT = "cost_per_inhabitant_18_64"
# Socialstyrelsen, Öppna jämförelser ekonomiskt bistånd: the five explanatory shares.
EXPLANATORY = (
    "unemployed_without_benefit_share",
    "foreign_born_0_5_share",
    "foreign_born_6_10_share",
    "low_education_share",
    "low_income_share",
)
INTERCEPT = "intercept"

LABELS = {
    DEPENDENT: "Kostnad för ekonomiskt bistånd per invånare 18–64 år (kr)",
    "unemployed_without_benefit_share": "Andel arbetslösa utan ersättning (%)",
    "foreign_born_0_5_share": "Andel utrikes födda med 0–5 år i Sverige (%)",
    "foreign_born_6_10_share": "Andel utrikes födda med 6–10 år i Sverige (%)",
    "low_education_share": "Andel med låg utbildning (%)",
    "low_income_share": "Andel med låg inkomst (%)",
    INTERCEPT: "Konstant",
}

MAX_CSV_BYTES = 1024 * 1024  # a 290-row file is ~20 kB; the file is kept in the session
MISSING_MARKERS = {"", ".", "..", "...", "-", "–", "na", "n/a", "nan", "saknas", "x"}

# Header words that carry no meaning for matching ("andel", "per invånare", "%" ...).
_NOISE_TOKENS = {
    "andel", "share", "procent", "percent", "pct", "med", "per", "inv", "invanare",
    "inhabitant", "inhabitants", "kr", "sek", "i", "in", "sverige", "sweden", "years",
}  # fmt: skip
_HEADER_ALIASES: dict[str, set[str]] = {
    CODE: {"kommunkod", "kommun_kod", "municipality_code", "municip_code", "code", "kod", "region"},
    DEPENDENT: {
        "cost_18_64",
        "kostnad_18_64",
        "kostnad_ekonomiskt_bistand_18_64",
        "cost_economic_assistance_18_64",
    },
    "unemployed_without_benefit_share": {
        "unemployed_without_benefit",
        "arbetslosa_utan_ersattning",
        "unemployed_no_benefit",
    },
    "foreign_born_0_5_share": {"foreign_born_0_5", "utrikes_fodda_0_5"},
    "foreign_born_6_10_share": {"foreign_born_6_10", "utrikes_fodda_6_10"},
    "low_education_share": {
        "low_education",
        "lag_utbildning",
        "lagutbildade",
        "kortutbildade",
        "forgymnasial_utbildning",
    },
    "low_income_share": {"low_income", "lag_inkomst", "laginkomsttagare", "lag_ekonomisk_standard"},
}
# Descriptive columns that are read past without comment (names, county, year).
_DESCRIPTIVE_HEADERS = {
    "kommun", "kommunnamn", "namn", "name", "municipality", "municipality_name",
    "municipality_name_short", "municip_name", "lan", "lanskod", "county", "county_code",
    "ar", "year",
}  # fmt: skip
_CODE_PATTERN = re.compile(r"^(\d{3,4})(?:\s+\S.*)?$")


class BenchmarkError(DomainError):
    """A benchmark that cannot be made: `code` (English) for programs, `message` (Swedish) for people."""

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, **self.context}


# --------------------------------------------------------------------------- OLS


@dataclass(frozen=True)
class Coefficient:
    name: str
    estimate: float
    std_error: float
    t_value: float | None
    p_value: float | None


@dataclass(frozen=True)
class OlsFit:
    """An ordinary least squares fit with an intercept (first coefficient)."""

    coefficients: tuple[Coefficient, ...]
    n: int
    r_squared: float
    adjusted_r_squared: float
    residual_std_error: float
    fitted: tuple[float, ...]
    residuals: tuple[float, ...]

    @property
    def df_residual(self) -> int:
        return self.n - len(self.coefficients)

    def coefficient(self, name: str) -> Coefficient:
        return next(c for c in self.coefficients if c.name == name)


def fit_ols(y: Sequence[float], columns: Mapping[str, Sequence[float]]) -> OlsFit:
    """Fit y = b0 + sum(b_j * x_j) by least squares; `columns` maps a name to its values.

    Solves (X'X) b = X'y; standard errors from sigma² (X'X)^-1 with sigma² = SSR / (n - k).
    """
    names = [INTERCEPT, *columns]
    n = len(y)
    rows = [[1.0, *(float(columns[name][i]) for name in columns)] for i in range(n)]
    k = len(names)
    if n < k + 1:
        raise BenchmarkError(
            "too_few_rows",
            f"Modellen behöver minst {k + 1} kommuner med fullständiga värden men har {n}.",
            needed=k + 1,
            rows=n,
        )
    for j, name in enumerate(names[1:], start=1):
        if max(row[j] for row in rows) == min(row[j] for row in rows):
            raise BenchmarkError(
                "constant_variable",
                f"Variabeln {LABELS.get(name, name)} har samma värde för alla kommuner i modellen "
                "och kan inte skattas.",
                variable=name,
            )
    xtx = [[sum(row[a] * row[b] for row in rows) for b in range(k)] for a in range(k)]
    xty = [sum(row[a] * y[i] for i, row in enumerate(rows)) for a in range(k)]
    identity = [[1.0 if a == b else 0.0 for a in range(k)] for b in range(k)]
    solution = solve_linear_system(xtx, [xty, *identity])
    beta = solution[0]
    inverse_columns = solution[1:]

    fitted = [sum(b * x for b, x in zip(beta, row, strict=True)) for row in rows]
    residuals = [observed - expected for observed, expected in zip(y, fitted, strict=True)]
    mean_y = sum(y) / n
    total = sum((value - mean_y) ** 2 for value in y)
    if total == 0:
        raise BenchmarkError(
            "constant_cost",
            "Kostnaden är densamma för alla kommuner i modellen; det finns inget att förklara.",
        )
    ssr = sum(r * r for r in residuals)
    df = n - k
    r_squared = 1 - ssr / total
    adjusted = 1 - (1 - r_squared) * (n - 1) / df
    sigma2 = ssr / df
    coefficients = []
    for j, name in enumerate(names):
        std_error = math.sqrt(max(sigma2 * inverse_columns[j][j], 0.0))
        t_value = beta[j] / std_error if std_error > 0 else None
        p_value = t_two_sided_p(t_value, df) if t_value is not None else None
        coefficients.append(Coefficient(name, beta[j], std_error, t_value, p_value))
    return OlsFit(
        coefficients=tuple(coefficients),
        n=n,
        r_squared=r_squared,
        adjusted_r_squared=adjusted,
        residual_std_error=math.sqrt(sigma2),
        fitted=tuple(fitted),
        residuals=tuple(residuals),
    )


def solve_linear_system(
    matrix: Sequence[Sequence[float]], right_hand_sides: Sequence[Sequence[float]]
) -> list[list[float]]:
    """Solve A x = b for each b by Gaussian elimination with partial pivoting.

    Returns one solution per right-hand side; raises `singular_matrix` when A is (numerically)
    singular, i.e. the explanatory variables are linearly dependent.
    """
    size = len(matrix)
    width = len(right_hand_sides)
    augmented = [
        [float(v) for v in matrix[r]] + [float(rhs[r]) for rhs in right_hand_sides]
        for r in range(size)
    ]
    scale = max((abs(v) for row in matrix for v in row), default=0.0)
    tolerance = scale * size * 1e-12
    for col in range(size):
        pivot_row = max(range(col, size), key=lambda r: abs(augmented[r][col]))
        if abs(augmented[pivot_row][col]) <= tolerance:
            raise BenchmarkError(
                "singular_matrix",
                "Modellen kan inte skattas: förklaringsvariablerna är linjärt beroende av "
                "varandra (en variabel kan räknas ut ur de andra).",
            )
        augmented[col], augmented[pivot_row] = augmented[pivot_row], augmented[col]
        pivot = augmented[col][col]
        for r in range(col + 1, size):
            factor = augmented[r][col] / pivot
            if factor:
                for c in range(col, size + width):
                    augmented[r][c] -= factor * augmented[col][c]
    solutions = []
    for w in range(width):
        x = [0.0] * size
        for r in range(size - 1, -1, -1):
            known = sum(augmented[r][c] * x[c] for c in range(r + 1, size))
            x[r] = (augmented[r][size + w] - known) / augmented[r][r]
        solutions.append(x)
    return solutions


def t_two_sided_p(t_value: float, df: int) -> float:
    """P(|T| >= |t|) for Student's t with `df` degrees of freedom."""
    return _regularized_incomplete_beta(df / 2, 0.5, df / (df + t_value * t_value))


def _regularized_incomplete_beta(a: float, b: float, x: float) -> float:
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1) / (a + b + 2):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1 - front * _beta_continued_fraction(b, a, 1 - x) / b


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """Lentz's method for the continued fraction of the incomplete beta function."""
    tiny = 1e-300
    c = 1.0
    d = 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return h


# ----------------------------------------------------------------- reference data


@dataclass(frozen=True)
class Reference:
    """The shipped data: names of all municipalities and the explanatory variables we have."""

    names: dict[str, str]
    values: dict[str, dict[str, float]]
    descriptions: dict[str, str]
    population: dict[str, int]


@lru_cache(maxsize=1)
def load_reference() -> Reference:
    """Read data/municipalities.csv and data/scb_municip_data22.csv (see data/README.md)."""
    with open(DATA_DIR / "municipalities.csv", encoding="utf-8", newline="") as handle:
        names = {
            row["municipality_code"]: row["municipality_name_short"]
            for row in csv.DictReader(handle)
        }
    low_education: dict[str, float] = {}
    population: dict[str, int] = {}
    with open(DATA_DIR / "scb_municip_data22.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["municip_code"].zfill(4)
            # SCB: highest education förgymnasial, 16-74 years, 31 Dec 2021; a fraction → percent.
            low_education[code] = float(row["share_elementary_school"]) * 100
            population[code] = int(row["pop"])
    return Reference(
        names=names,
        values={"low_education_share": low_education},
        descriptions={
            "low_education_share": (
                "SCB: andel 16–74 år med högst förgymnasial utbildning, 31 december 2021 "
                "(ersättning för Öppna jämförelsers variabel)"
            )
        },
        population=population,
    )


# ----------------------------------------------------------------------- user CSV


@dataclass(frozen=True)
class UserTable:
    """The user's file: one row per municipality, values by variable (None = missing)."""

    codes: tuple[str, ...]
    columns: dict[str, dict[str, float | None]]
    ignored_columns: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Swedish Excel saves it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise BenchmarkError(
            "unreadable_file", "Filen kan inte läsas som text (UTF-8 eller Windows-1252)."
        ) from error


def read_csv(text: str, reference: Reference | None = None) -> UserTable:
    """Parse the user's CSV (delimiter ; or , or tab) into a `UserTable`, or raise BenchmarkError."""
    reference = reference or load_reference()
    text = text.lstrip("\ufeff")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise BenchmarkError("empty_file", "Filen är tom.")
    delimiter = _detect_delimiter(lines[0])
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    records: list[tuple[int, list[str]]] = []
    for fields in reader:
        if not any(value.strip() for value in fields):
            continue
        if header is None:
            header = fields
            continue
        if len(fields) != len(header):
            raise BenchmarkError(
                "wrong_field_count",
                f"Rad {reader.line_num} har {len(fields)} fält men rubrikraden har {len(header)}. "
                "Kontrollera avgränsaren (semikolon eller komma) och att decimaltal med "
                "decimalkomma står inom citattecken när avgränsaren är komma.",
                row=reader.line_num,
            )
        records.append((reader.line_num, fields))
    if header is None:
        raise BenchmarkError("empty_file", "Filen är tom.")
    mapping, ignored = _map_headers(header)
    if CODE not in mapping.values():
        raise BenchmarkError(
            "missing_code_column",
            "Kolumnen kommunkod saknas. Första raden ska vara rubriker, t.ex. "
            "kommunkod;cost_per_inhabitant_18_64;...",
        )
    if not records:
        raise BenchmarkError("no_rows", "Filen innehåller inga datarader, bara rubriker.")

    codes: list[str] = []
    columns: dict[str, dict[str, float | None]] = {
        variable: {} for variable in mapping.values() if variable != CODE
    }
    for line_number, fields in records:
        code = None
        values: dict[str, float | None] = {}
        for index, variable in mapping.items():
            raw = fields[index]
            if variable == CODE:
                code = _parse_code(raw, line_number, reference)
            else:
                values[variable] = _parse_value(raw, variable, header[index], line_number)
        assert code is not None
        if code in codes:
            raise BenchmarkError(
                "duplicate_municipality",
                f"Rad {line_number}: kommunkoden {code} ({reference.names[code]}) förekommer "
                "mer än en gång.",
                row=line_number,
                value=code,
            )
        codes.append(code)
        for variable, value in values.items():
            columns[variable][code] = value

    notices = []
    for variable, values_by_code in columns.items():
        present = [v for v in values_by_code.values() if v is not None]
        if variable != DEPENDENT and present and max(present) <= 1:
            notices.append(
                f"Alla värden i kolumnen för {_plain_label(variable)} är högst 1. Andelar ska "
                "anges i procent (0–100); koefficienten gäller annars per hel andel."
            )
    if ignored:
        notices.append("Okända kolumner lästes inte: " + ", ".join(ignored) + ".")
    return UserTable(
        codes=tuple(codes),
        columns=columns,
        ignored_columns=tuple(ignored),
        notices=tuple(notices),
    )


def _detect_delimiter(header_line: str) -> str:
    for delimiter in (";", "\t", ","):
        if delimiter in header_line:
            return delimiter
    raise BenchmarkError(
        "wrong_delimiter",
        "Rubrikraden har bara en kolumn. Använd semikolon (;) eller komma (,) som avgränsare "
        "mellan kolumnerna.",
    )


def _normalise_header(header: str) -> str:
    text = header.strip().lower()
    for swedish, plain in (("å", "a"), ("ä", "a"), ("ö", "o"), ("é", "e"), ("–", "-")):
        text = text.replace(swedish, plain)
    tokens = [t for t in re.split(r"[^a-z0-9]+", text) if t]
    meaningful = [t for t in tokens if t not in _NOISE_TOKENS]
    if len(meaningful) > 1:
        meaningful = [t for t in meaningful if t != "ar"]
    return "_".join(meaningful)


def _map_headers(header: list[str]) -> tuple[dict[int, str], list[str]]:
    """Column index → variable key, and the headers that matched nothing."""
    mapping: dict[int, str] = {}
    ignored: list[str] = []
    for index, raw in enumerate(header):
        key = _normalise_header(raw)
        variable = next((v for v, aliases in _HEADER_ALIASES.items() if key in aliases), None)
        if variable is None:
            if key not in _DESCRIPTIVE_HEADERS and raw.strip():
                ignored.append(raw.strip())
            continue
        if variable in mapping.values():
            raise BenchmarkError(
                "duplicate_column",
                f"Kolumnen {raw.strip()} betyder samma sak som en tidigare kolumn "
                f"({_plain_label(variable)}).",
                column=raw.strip(),
            )
        mapping[index] = variable
    return mapping, ignored


def _parse_code(raw: str, line_number: int, reference: Reference) -> str:
    match = _CODE_PATTERN.match(raw.strip())
    if not match:
        raise BenchmarkError(
            "invalid_municipality_code",
            f"Rad {line_number}: {raw.strip()!r} är ingen kommunkod (fyra siffror, t.ex. 0114).",
            row=line_number,
            value=raw.strip(),
        )
    code = match.group(1).zfill(4)
    if code not in reference.names:
        raise BenchmarkError(
            "unknown_municipality",
            f"Rad {line_number}: kommunkoden {code} finns inte bland Sveriges 290 kommuner.",
            row=line_number,
            value=code,
        )
    return code


def _parse_value(raw: str, variable: str, header: str, line_number: int) -> float | None:
    text = raw.strip()
    if text.lower() in MISSING_MARKERS:
        return None
    cleaned = re.sub(r"[\s\u00a0\u202f\u2009]", "", text).removesuffix("%").replace(",", ".")
    cleaned = cleaned.replace("\u2212", "-")
    try:
        value = float(cleaned)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise BenchmarkError(
            "non_numeric_value",
            f"Rad {line_number}, kolumn {header.strip()}: {text!r} är inget tal.",
            row=line_number,
            column=header.strip(),
            value=text,
        )
    upper = math.inf if variable == DEPENDENT else 100.0
    if not 0 <= value <= upper:
        raise BenchmarkError(
            "value_out_of_range",
            f"Rad {line_number}, kolumn {header.strip()}: {text} ligger utanför det tillåtna "
            + ("(kostnaden kan inte vara negativ)." if variable == DEPENDENT else "(0–100 %)."),
            row=line_number,
            column=header.strip(),
            value=text,
        )
    return value


def _plain_label(variable: str) -> str:
    """The label without its unit, lower-cased for use inside a sentence."""
    label = LABELS[variable].rsplit(" (", 1)[0]
    return label[0].lower() + label[1:]


# --------------------------------------------------------------------- benchmark


@dataclass(frozen=True)
class Observation:
    """One municipality in the fit. Rank 1 = lowest cost relative to expected."""

    code: str
    name: str
    actual: float
    expected: float
    residual: float
    deviation_percent: float | None
    rank: int
    cost_rank: int


@dataclass(frozen=True)
class Exclusion:
    code: str
    name: str
    missing: tuple[str, ...]


@dataclass(frozen=True)
class BenchmarkResult:
    fit: OlsFit
    variables: tuple[str, ...]
    missing_variables: tuple[str, ...]
    sources: dict[str, str]
    observations: tuple[Observation, ...]
    excluded: tuple[Exclusion, ...]
    focus_code: str
    focus_name: str
    focus: Observation | None
    focus_note: str | None = None
    notices: tuple[str, ...] = field(default_factory=tuple)

    @property
    def missing_variables_message(self) -> str | None:
        if not self.missing_variables:
            return None
        return "Följande förklaringsvariabler saknades och ingår inte i modellen: " + (
            ", ".join(_plain_label(v) for v in self.missing_variables) + "."
        )

    @property
    def ranked(self) -> list[Observation]:
        return sorted(self.observations, key=lambda o: (o.rank, o.code))

    def to_dict(self) -> dict[str, object]:
        fit = self.fit
        return {
            "n": fit.n,
            "excluded_rows": len(self.excluded),
            "r_squared": fit.r_squared,
            "adjusted_r_squared": fit.adjusted_r_squared,
            "residual_std_error": fit.residual_std_error,
            "df_residual": fit.df_residual,
            "dependent": DEPENDENT,
            "variables": list(self.variables),
            "missing_variables": list(self.missing_variables),
            "missing_variables_message": self.missing_variables_message,
            "sources": self.sources,
            "coefficients": [
                {
                    "name": c.name,
                    "label": LABELS.get(c.name, c.name),
                    "estimate": c.estimate,
                    "std_error": c.std_error,
                    "t_value": c.t_value,
                    "p_value": c.p_value,
                }
                for c in fit.coefficients
            ],
            "municipality": {
                "code": self.focus_code,
                "name": self.focus_name,
                "in_fit": self.focus is not None,
                "note": self.focus_note,
                **(_observation_dict(self.focus) if self.focus else {}),
                "of": fit.n,
            },
            "observations": [_observation_dict(o) for o in self.ranked],
            "excluded": [
                {"code": e.code, "name": e.name, "missing": list(e.missing)} for e in self.excluded
            ],
            "notices": list(self.notices),
        }


def _observation_dict(observation: Observation) -> dict[str, object]:
    return {
        "code": observation.code,
        "name": observation.name,
        "actual": observation.actual,
        "expected": observation.expected,
        "residual": observation.residual,
        "deviation_percent": observation.deviation_percent,
        "rank": observation.rank,
        "cost_rank": observation.cost_rank,
    }


def normalise_municipality_code(raw: str, reference: Reference | None = None) -> str:
    """'114', '0114' or '0114 Upplands Väsby' → '0114'; BenchmarkError if no such municipality."""
    reference = reference or load_reference()
    match = _CODE_PATTERN.match((raw or "").strip())
    code = match.group(1).zfill(4) if match else None
    if code not in reference.names:
        raise BenchmarkError(
            "unknown_municipality",
            f"Kommunkoden {(raw or '').strip() or '(tom)'} finns inte bland Sveriges 290 kommuner.",
            value=(raw or "").strip(),
        )
    return code


def run_benchmark(
    csv_text: str, municipality_code: str, reference: Reference | None = None
) -> BenchmarkResult:
    """Read the CSV, merge it with the reference data, fit the model and place our municipality."""
    reference = reference or load_reference()
    focus_code = normalise_municipality_code(municipality_code, reference)
    table = read_csv(csv_text, reference)
    return benchmark(table, focus_code, reference)


def benchmark(table: UserTable, focus_code: str, reference: Reference) -> BenchmarkResult:
    """Fit the expected-cost model on `table` (user data over reference data) for `focus_code`."""
    costs = table.columns.get(DEPENDENT)
    if costs is None or all(v is None for v in costs.values()):
        raise BenchmarkError(
            "missing_cost_column",
            "Kolumnen med kostnad per invånare 18–64 år saknas eller är tom "
            "(cost_per_inhabitant_18_64 eller kostnad_per_invanare_18_64). Koladas N31001 "
            "avser kostnad per invånare totalt och är inte samma mått.",
        )
    values: dict[str, dict[str, float | None]] = {}
    sources: dict[str, str] = {}
    missing: list[str] = []
    notices = list(table.notices)
    for variable in EXPLANATORY:
        user_column = table.columns.get(variable)
        if user_column and any(v is not None for v in user_column.values()):
            values[variable] = user_column
            sources[variable] = "user"
        elif variable in reference.values:
            values[variable] = {code: reference.values[variable].get(code) for code in table.codes}
            sources[variable] = "reference"
            notices.append(
                f"{LABELS[variable].rsplit(' (', 1)[0]} hämtades ur medföljande data: "
                f"{reference.descriptions[variable]}."
            )
        else:
            missing.append(variable)
    variables = tuple(v for v in EXPLANATORY if v in values)
    if not variables:
        raise BenchmarkError(
            "no_explanatory_variables",
            "Ingen förklaringsvariabel finns i filen eller i medföljande data; modellen kan "
            "inte skattas.",
        )

    values[DEPENDENT] = costs
    included: list[str] = []
    excluded: list[Exclusion] = []
    for code in table.codes:
        lacking = tuple(v for v in (DEPENDENT, *variables) if values[v].get(code) is None)
        if lacking:
            excluded.append(Exclusion(code, reference.names[code], lacking))
        else:
            included.append(code)
    needed = len(variables) + 2
    if len(included) < needed:
        raise BenchmarkError(
            "too_few_rows",
            f"Modellen med {len(variables)} förklaringsvariabler behöver minst {needed} kommuner "
            f"med fullständiga värden, men filen har {len(included)}"
            + (f" ({len(excluded)} rader saknar värden)." if excluded else "."),
            needed=needed,
            rows=len(included),
        )
    complete = {v: [_present(values[v].get(code)) for code in included] for v in values}
    y = complete[DEPENDENT]
    fit = fit_ols(y, {v: complete[v] for v in variables})

    rank_by_residual = _competition_ranks(fit.residuals)
    rank_by_cost = _competition_ranks(y)
    observations = tuple(
        Observation(
            code=code,
            name=reference.names[code],
            actual=y[i],
            expected=fit.fitted[i],
            residual=fit.residuals[i],
            deviation_percent=(fit.residuals[i] / fit.fitted[i] * 100)
            if fit.fitted[i] > 0
            else None,
            rank=rank_by_residual[i],
            cost_rank=rank_by_cost[i],
        )
        for i, code in enumerate(included)
    )
    focus = next((o for o in observations if o.code == focus_code), None)
    focus_note = None
    if focus is None:
        exclusion = next((e for e in excluded if e.code == focus_code), None)
        if exclusion:
            focus_note = (
                f"{reference.names[focus_code]} ingår inte i modellen eftersom värden saknas för: "
                + ", ".join(_plain_label(v) for v in exclusion.missing)
                + "."
            )
        else:
            focus_note = f"{reference.names[focus_code]} ({focus_code}) finns inte i filen."
    return BenchmarkResult(
        fit=fit,
        variables=variables,
        missing_variables=tuple(missing),
        sources=sources,
        observations=observations,
        excluded=tuple(excluded),
        focus_code=focus_code,
        focus_name=reference.names[focus_code],
        focus=focus,
        focus_note=focus_note,
        notices=tuple(notices),
    )


def _present(value: float | None) -> float:
    assert value is not None
    return value


def _competition_ranks(values: Sequence[float]) -> list[int]:
    """1 for the lowest value; ties share the lower rank (1, 2, 2, 4)."""
    ordered = sorted(values)
    first_position: dict[float, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)
    return [first_position[value] for value in values]


# ---------------------------------------------------------------------- CSV out


def _csv_number(value: float | None, decimals: int = 2) -> str:
    return "" if value is None else f"{value:.{decimals}f}".replace(".", ",")


def _write_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return "\ufeff" + buffer.getvalue()


def observations_csv(result: BenchmarkResult) -> str:
    """The numbers behind the chart: semicolon, decimal comma, UTF-8 with BOM (Swedish Excel)."""
    rows = [
        [
            "kommunkod",
            "kommun",
            "faktisk_kostnad",
            "forvantad_kostnad",
            "avvikelse_kr",
            "avvikelse_procent",
            "rang_avvikelse",
            "rang_kostnad",
            "var_kommun",
        ]
    ]
    for o in result.ranked:
        rows.append(
            [
                o.code,
                o.name,
                _csv_number(o.actual),
                _csv_number(o.expected),
                _csv_number(o.residual),
                _csv_number(o.deviation_percent),
                str(o.rank),
                str(o.cost_rank),
                "ja" if o.code == result.focus_code else "",
            ]
        )
    return _write_csv(rows)


def template_csv(reference: Reference | None = None) -> str:
    """An empty input file with every municipality, to fill in (reference variables left blank)."""
    reference = reference or load_reference()
    rows = [[CODE, "kommun", DEPENDENT, *EXPLANATORY]]
    for code, name in sorted(reference.names.items()):
        rows.append([code, name, *([""] * (1 + len(EXPLANATORY)))])
    return _write_csv(rows)
