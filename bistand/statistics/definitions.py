"""The definitions behind the figures: bands, targets and labels (docs/statistics.md).

Plain Python, so the refresh SQL, the figures, the exports and the tests read one source.
"""

from __future__ import annotations

from django.utils import translation

from bistand.cases.models import ClosingReason
from bistand.core.codes import HOUSEHOLD_TYPES, MAIN_CATEGORY_LABELS, SUPPORT_OBSTACLE_BY_CODE

# Age on the last day of the month, in completed years. 18-24 are the young adults DOMAIN.md
# asks for (unga vuxna); 0-17 are children.
AGE_BANDS: list[tuple[str, int, int | None, str]] = [
    ("0-17", 0, 17, "0–17 år (barn)"),
    ("18-24", 18, 24, "18–24 år (unga vuxna)"),
    ("25-34", 25, 34, "25–34 år"),
    ("35-44", 35, 44, "35–44 år"),
    ("45-54", 45, 54, "45–54 år"),
    ("55-64", 55, 64, "55–64 år"),
    ("65-", 65, None, "65 år och äldre"),
]
AGE_BAND_KEYS = [key for key, *_ in AGE_BANDS]
AGE_BAND_LABELS = {key: label for key, _, _, label in AGE_BANDS}
YOUNG_ADULT_AGES = (18, 24)
ADULT_AGE = 18

# Length of the current spell: consecutive calendar months with assistance up to and including
# the month (a month without paid assistance ends a spell).
SPELL_BANDS: list[tuple[str, int, int | None, str]] = [
    ("1-3", 1, 3, "1–3 månader"),
    ("4-6", 4, 6, "4–6 månader"),
    ("7-9", 7, 9, "7–9 månader"),
    ("10-12", 10, 12, "10–12 månader"),
    ("13-24", 13, 24, "13–24 månader"),
    ("25-36", 25, 36, "25–36 månader"),
    ("37-", 37, None, "mer än 36 månader"),
]
# Months with assistance in a calendar year (the yearly pattern).
YEAR_MONTH_BANDS: list[tuple[str, int, int | None, str]] = [
    ("1-3", 1, 3, "1–3 månader"),
    ("4-6", 4, 6, "4–6 månader"),
    ("7-9", 7, 9, "7–9 månader"),
    ("10-12", 10, 12, "10–12 månader (långvarigt)"),
]

# Socialstyrelsen: long-term assistance = an adult recipient with assistance in 10-12 months of
# a calendar year (shared/reference/calculation-rules.md section 8; the Kävlinge report).
LONG_TERM_MONTHS = 10
# NOT VERIFIED (no source found): "very long-term" is our choice, long-term in each of three
# consecutive calendar years (the year and the two before it).
VERY_LONG_TERM_YEARS = 3

# DOMAIN.md: a decision within one week of a complete application.
DECISION_TARGET_DAYS = 7
DECISION_DAY_BANDS: list[tuple[str, int, int | None, str]] = [
    ("0-7", 0, 7, "0–7 dagar (inom målet)"),
    ("8-14", 8, 14, "8–14 dagar"),
    ("15-30", 15, 30, "15–30 dagar"),
    ("31-", 31, None, "mer än 30 dagar"),
]

# Re-entry after a programme: the household comes back within this many months of its end
# (the same window as workplans.selectors.REENTRY_MONTHS).
REENTRY_MONTHS = 12

# Household types in the order Socialstyrelsen lists them (code, key, label).
HOUSEHOLD_TYPE_ORDER = [3, 5, 4, 6, 7, 8, 1, 9]
HOUSEHOLD_TYPE_BY_CODE = {code: (key, label) for key, (code, label) in HOUSEHOLD_TYPES.items()}
HOUSEHOLD_TYPE_CODES = set(HOUSEHOLD_TYPE_BY_CODE)

CASE_TYPES = ["A", "B", "C"]


def swedish(label) -> str:
    """A choice label in Swedish whatever the request's language: the figures, files and
    JSON keep one language (the UI source language)."""
    with translation.override("sv"):
        return str(label)


def choice_labels(choices) -> dict[str, str]:
    return {value: swedish(label) for value, label in choices.choices}


CLOSING_REASON_LABELS = choice_labels(ClosingReason)

# Short labels for chart axes (the tables carry the full labels).
HOUSEHOLD_TYPE_SHORT = {
    3: "Man utan barn",
    5: "Kvinna utan barn",
    4: "Man med barn",
    6: "Kvinna med barn",
    7: "Par utan barn",
    8: "Par med barn",
    1: "Endast barn",
    9: "Övriga",
}
CLOSING_REASON_SHORT = {
    "work": "Arbete",
    "studies": "Studier",
    "unemployment_benefit": "A-kassa",
    "sickness_benefit": "Sjukpenning",
    "parental_benefit": "Föräldrapenning",
    "pension": "Pension",
    "other_benefit": "Annan ersättning",
    "establishment": "Etablering",
    "moved": "Flyttat",
    "not_current": "Ej aktuell",
    "changed_household": "Ändrat hushåll",
    "deceased": "Avliden",
    "other": "Annat",
}

MAIN_CATEGORIES = list(MAIN_CATEGORY_LABELS)


def household_type_label(code: int) -> str:
    return HOUSEHOLD_TYPE_BY_CODE.get(code, ("other", "Okänd hushållstyp"))[1]


def household_type_key(code: int) -> str:
    return HOUSEHOLD_TYPE_BY_CODE.get(code, ("other", ""))[0]


def obstacle_label(code: str) -> str:
    if not code:
        return "Inte registrerat"
    item = SUPPORT_OBSTACLE_BY_CODE.get(code)
    return item.label if item else code


def obstacle_main_category(code: str) -> str:
    """The main category of a code; '' when no obstacle is registered."""
    if not code:
        return ""
    item = SUPPORT_OBSTACLE_BY_CODE.get(code)
    return item.main_category if item else "other"


def band_of(value: int, bands: list[tuple[str, int, int | None, str]]) -> str:
    for key, low, high, _ in bands:
        if value >= low and (high is None or value <= high):
            return key
    return bands[-1][0]


def band_case_sql(column: str, bands: list[tuple[str, int, int | None, str]]) -> str:
    """A portable SQL CASE giving the band key of an integer column."""
    parts = []
    for key, low, high, _ in bands:
        condition = f"{column} >= {int(low)}"
        if high is not None:
            condition += f" AND {column} <= {int(high)}"
        parts.append(f"WHEN {condition} THEN '{key}'")
    return "CASE " + " ".join(parts) + f" ELSE '{bands[-1][0]}' END"
