"""Small-count protection for every figure outside the unit head's own view (issue 17).

One rule, the one `outcomes.py` introduced, applied to the figures dicts of the monthly
dashboard and the yearly analysis *before* anything is drawn or written, so that the page, its
charts, the CSV/XLSX tables, the PDF and the JSON API all show the same protected numbers:

- **primary**: a count of people, households, cases or decisions of 1-4 is suppressed
  (0 is shown: it singles nobody out);
- **secondary**: where the parts of a breakdown add up to a total that is shown, one suppressed
  part could be worked out from the total and the others; so when exactly one part of a group
  is suppressed, the smallest other non-zero part is suppressed too;
- **derived**: a share is suppressed when its numerator or denominator is suppressed or its
  denominator is under the threshold; an amount, mean or median when the count it describes is
  suppressed or under the threshold.

The threshold, 5, is the issue's default and **our choice**: no national rule was consulted
(docs/statistics.md, "Small-count protection"). Suppressed cells become `SUPPRESSED`, shown as
".." (SCB's sign for a figure not shown) and written as `null` in JSON.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from bistand.organisation.models import Role

THRESHOLD = 5
MARK = ".."

# Keys whose integer values count people, households, cases, decisions, referrals or events
# about them. Ids, codes, years, month numbers, limits and staff counts are not in it.
COUNT_KEYS = frozenset(
    {
        "count", "households", "household_months", "persons", "recipients", "adult_recipients",
        "minors", "young_adults", "other_persons", "men", "women", "adults_in_programme",
        "adults", "registered", "not_registered", "total", "new", "reentry", "reopened",
        "new_case_after_earlier_case", "closed", "cases", "started", "stopped",
        "long_term", "very_long_term", "decisions", "within_target", "open_cases", "missing",
        "unconfirmed", "overdue", "on_track", "due", "on_time", "late", "not_held",
        "unassigned", "households_paid", "referred", "programme_ended", "ended",
        "left_assistance", "came_back_within_12_months", "reentries_after_programme",
        "born_in_sweden", "born_abroad", "birth_country_unknown",
    }
)  # fmt: skip

# Parts of a dict that add up to a total shown beside them.
PART_GROUPS = (
    ("missing", "unconfirmed", "overdue", "on_track"),
    ("on_time", "late", "not_held"),
    ("new", "reentry"),
    ("reopened", "new_case_after_earlier_case"),
    ("men", "women"),
    ("registered", "not_registered"),
    ("born_in_sweden", "born_abroad", "birth_country_unknown"),
)
# A list whose rows add up, together with one count beside the list, to a total.
LIST_EXTRAS = {"by_main_category": "not_registered", "workers": "unassigned"}
# Lists of points in time (a month, a year): their rows do not add up to anything shown.
TIME_KEYS = ("month", "year")

# Derived values and the counts they rest on: the first base is the denominator.
DERIVED_BASES = {
    "share_within_target": ("decisions", "within_target"),
    "median_days": ("decisions",),
    "mean_days": ("decisions",),
    "very_long_term_share": ("adults", "very_long_term"),
    "came_back_share": ("programme_ended", "came_back_within_12_months"),
    "mean_per_worker": ("open_cases",),
}
ROW_SHARE_BASES = ("households", "adults", "persons", "cases", "decisions", "count")


class _Suppressed:
    """A figure that is not shown. Arithmetic on it fails loudly, so it cannot be summed."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "SUPPRESSED"

    def __str__(self) -> str:
        return MARK

    def __deepcopy__(self, memo) -> _Suppressed:
        return self


SUPPRESSED = _Suppressed()


def is_suppressed(value) -> bool:
    return value is SUPPRESSED


def suppresses(user) -> bool:
    """Every figure is shown only in the unit head's own view of the whole unit."""
    return getattr(user, "role", None) != Role.UNIT_HEAD


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _small(value) -> bool:
    return _is_int(value) and 0 < value < THRESHOLD


# ---------------------------------------------------------------------------- the passes


def _walk(node, raw):
    """Yield (dict, raw dict) pairs of the protected copy and the original, depth first."""
    if isinstance(node, dict):
        yield node, raw
        for key, value in node.items():
            yield from _walk(value, raw.get(key) if isinstance(raw, dict) else None)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            other = raw[index] if isinstance(raw, list) and index < len(raw) else None
            yield from _walk(value, other)


def _primary(data: dict) -> None:
    for node, _ in _walk(data, None):
        for key, value in node.items():
            if key in COUNT_KEYS and _small(value):
                node[key] = SUPPRESSED


def _protect_group(cells: list[tuple[dict, str]]) -> bool:
    """If exactly one cell of the group is suppressed, suppress the smallest other non-zero
    cell. Returns whether anything changed."""
    suppressed = [(node, key) for node, key in cells if node.get(key) is SUPPRESSED]
    if len(suppressed) != 1:
        return False
    shown = [(node[key], node, key) for node, key in cells if _is_int(node.get(key)) and node[key]]
    if not shown:
        return False
    _, node, key = min(shown, key=lambda item: item[0])
    node[key] = SUPPRESSED
    return True


def _list_groups(node: dict) -> Iterable[list[tuple[dict, str]]]:
    for list_key, rows in node.items():
        if not (isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows)):
            continue
        if any(time_key in rows[0] for time_key in TIME_KEYS):
            continue
        groups: dict[object, list[dict]] = {}
        for row in rows:
            groups.setdefault(row.get("main_category"), []).append(row)
        count_keys = {key for row in rows for key in row if key in COUNT_KEYS}
        for key in sorted(count_keys):
            for members in groups.values():
                cells = [(row, key) for row in members if key in row]
                extra = LIST_EXTRAS.get(list_key)
                if extra and extra in node and len(groups) == 1:
                    cells.append((node, extra))
                yield cells


def _secondary(data: dict) -> None:
    for _ in range(10):  # each round can only add suppressions; a handful settles it
        changed = False
        for node, _raw in _walk(data, None):
            for group in PART_GROUPS:
                if all(key in node for key in group):
                    changed |= _protect_group([(node, key) for key in group])
            for cells in _list_groups(node):
                changed |= _protect_group(cells)
        if not changed:
            return


def _share_hidden(node: dict, raw: dict, bases: tuple[str, ...]) -> bool:
    present = [base for base in bases if base in node]
    if not present:
        return False
    if any(node[base] is SUPPRESSED for base in present):
        return True
    denominator = raw.get(present[0]) if isinstance(raw, dict) else None
    return _is_int(denominator) and denominator < THRESHOLD


def _derived(data: dict, raw_data: dict) -> None:
    # Row shares: the denominator is the list's total, worked out from the raw rows.
    for node, raw in _walk(data, raw_data):
        for rows_key, rows in node.items():
            if not (isinstance(rows, list) and rows and isinstance(rows[0], dict)):
                continue
            raw_rows = raw.get(rows_key) if isinstance(raw, dict) else None
            for base in ROW_SHARE_BASES:
                if not all(base in row for row in rows) or not isinstance(raw_rows, list):
                    continue
                total = sum(r.get(base) or 0 for r in raw_rows if _is_int(r.get(base)))
                for row in rows:
                    hidden = row[base] is SUPPRESSED or total < THRESHOLD
                    if hidden and row.get("share") is not None:
                        row["share"] = SUPPRESSED
    for node, raw in _walk(data, raw_data):
        any_count_hidden = any(node[key] is SUPPRESSED for key in node if key in COUNT_KEYS)
        for key in list(node):
            value = node[key]
            if value is None or value is SUPPRESSED or isinstance(value, (dict, list)):
                continue
            if key in DERIVED_BASES:
                if _share_hidden(node, raw, DERIVED_BASES[key]):
                    node[key] = SUPPRESSED
            elif key == "share" and "long_term" in node and "adults" in node:
                if _share_hidden(node, raw, ("adults", "long_term")):
                    node[key] = SUPPRESSED
            elif key.startswith("amount") or key in ("mean_months", "median_months"):
                base = next((b for b in ("households", "count") if b in node), None)
                if base is not None:
                    if node[base] is SUPPRESSED or (
                        _is_int(raw.get(base)) and raw[base] < THRESHOLD
                    ):
                        node[key] = SUPPRESSED
                elif key in ("mean_months", "median_months"):
                    bands = node.get("bands") or []
                    n = sum(b.get("households") or 0 for b in raw.get("bands") or [])
                    if n < THRESHOLD or any(b.get("households") is SUPPRESSED for b in bands):
                        node[key] = SUPPRESSED
                elif any_count_hidden:
                    node[key] = SUPPRESSED
            elif (key.startswith("share") or key.endswith("_share")) and any_count_hidden:
                node[key] = SUPPRESSED


# The yearly comparison: each measure and the cell of a year's figures it comes from.
COMPARISON_SOURCES = {
    "households": ("composition", "households"),
    "amount": ("composition", "amount"),
    "amount_per_household": ("composition", "amount_per_household"),
    "household_months": ("composition", "household_months"),
    "mean_months": ("composition", "mean_months"),
    "recipients": ("composition", "recipients"),
    "adult_recipients": ("composition", "adult_recipients"),
    "minors": ("composition", "minors"),
    "young_adults": ("composition", "young_adults"),
    "long_term": ("long_term", "long_term"),
    "long_term_share": ("long_term", "share"),
    "inflow": ("flows", "inflow", "total"),
    "outflow": ("flows", "outflow", "closed"),
    "share_decided_within_target": ("decision_times", "share_within_target"),
}


def _cell(block: dict, path: tuple[str, ...]):
    for key in path:
        block = block.get(key, {}) if isinstance(block, dict) else {}
    return block


def _comparison(data: dict) -> None:
    for measure, item in data.get("comparison", {}).items():
        path = COMPARISON_SOURCES.get(measure)
        hidden = path is None or any(
            _cell(data[side], path) is SUPPRESSED for side in ("current", "previous")
        )
        for side in ("current", "previous"):
            if path is None or _cell(data[side], path) is SUPPRESSED:
                item[side] = SUPPRESSED
        if hidden:
            item["change"] = SUPPRESSED
            item["change_percent"] = SUPPRESSED


# Rates per 1,000 inhabitants and the count each rests on.
POPULATION_RATES = {
    "households_per_1000": ("households", "count"),
    "recipients_per_1000": ("persons", "recipients"),
    "adult_recipients_per_1000": ("persons", "adult_recipients"),
}


def _population(data: dict) -> None:
    block = data.get("population")
    if not isinstance(block, dict):
        return
    for rate, path in POPULATION_RATES.items():
        if block.get(rate) is not None and _cell(data, path) is SUPPRESSED:
            block[rate] = SUPPRESSED


def _count_marks(data) -> int:
    if data is SUPPRESSED:
        return 1
    if isinstance(data, dict):
        return sum(_count_marks(v) for v in data.values())
    if isinstance(data, list):
        return sum(_count_marks(v) for v in data)
    return 0


def suppress_figures(figures: dict) -> dict:
    """A protected copy of a month or year figures dict (the original is not changed)."""
    data = copy.deepcopy(figures)
    _primary(data)
    _secondary(data)
    _derived(data, figures)
    _comparison(data)
    _population(data)
    data["suppression"] = {
        "applied": True,
        "threshold": THRESHOLD,
        "cells": _count_marks(data),
    }
    return data


def figures_for(user, figures: dict) -> dict:
    """The figures as this user may see them: the unit head unchanged, anyone else protected."""
    if suppresses(user):
        return suppress_figures(figures)
    return {**figures, "suppression": {"applied": False, "threshold": THRESHOLD, "cells": 0}}


def for_json(data):
    """Suppressed cells as JSON null (the `suppression` block says why)."""
    if data is SUPPRESSED:
        return None
    if isinstance(data, dict):
        return {key: for_json(value) for key, value in data.items()}
    if isinstance(data, list):
        return [for_json(value) for value in data]
    return data
