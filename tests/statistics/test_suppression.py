"""Small-count protection on every way figures leave the unit head's own view (issue 17):
the pure rule (primary, secondary, derived), then each export path with a cell under the
threshold: the dashboard page and its charts, CSV, XLSX, the yearly page, its tables and PDF,
the JSON API, and the outcomes per handler."""

import csv
import io
import json

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from rest_framework.test import APIClient

from bistand.statistics.outcomes import protect_rows
from bistand.statistics.suppression import (
    COMPARISON_SOURCES,
    MARK,
    SUPPRESSED,
    THRESHOLD,
    for_json,
    suppress_figures,
)

DASHBOARD = reverse("statistics:dashboard")
YEAR = reverse("statistics:year")


# ------------------------------------------------------------------------------ the rule


def test_counts_of_one_to_four_are_suppressed_zero_and_five_are_shown():
    data = suppress_figures({"block": {"households": 4, "persons": 5, "minors": 0, "year": 3}})
    assert data["block"] == {"households": SUPPRESSED, "persons": 5, "minors": 0, "year": 3}
    assert data["suppression"] == {"applied": True, "threshold": THRESHOLD, "cells": 1}


def test_a_single_suppressed_part_takes_the_smallest_other_part_with_it():
    figures = {
        "household_types": {
            "households": 30,
            "rows": [
                {"code": 3, "households": 3, "share": 0.1, "amount": "9000.00"},
                {"code": 5, "households": 7, "share": 0.2333, "amount": "21000.00"},
                {"code": 8, "households": 20, "share": 0.6667, "amount": "60000.00"},
            ],
        }
    }
    rows = suppress_figures(figures)["household_types"]["rows"]
    # 3 is primary; 7 would give it away (30 - 7 - 20), so it goes too, with its share and amount
    assert [r["households"] for r in rows] == [SUPPRESSED, SUPPRESSED, 20]
    assert [r["share"] for r in rows] == [SUPPRESSED, SUPPRESSED, 0.6667]
    assert [r["amount"] for r in rows] == [SUPPRESSED, SUPPRESSED, "60000.00"]
    assert figures["household_types"]["rows"][0]["households"] == 3  # the original is untouched


def test_parts_of_a_total_in_one_block_are_protected_together():
    data = suppress_figures(
        {"plans": {"open_cases": 40, "missing": 2, "unconfirmed": 10, "overdue": 8, "on_track": 20}}
    )
    assert data["plans"] == {
        "open_cases": 40,
        "missing": SUPPRESSED,
        "unconfirmed": 10,
        "overdue": SUPPRESSED,
        "on_track": 20,
    }


def test_rows_of_months_are_not_a_breakdown_of_a_total():
    data = suppress_figures(
        {"trend": {"months": [{"month": "2025-01", "households": 2, "amount": "5000.00"},
                              {"month": "2025-02", "households": 9, "amount": "9000.00"}]}}
    )  # fmt: skip
    assert [m["households"] for m in data["trend"]["months"]] == [SUPPRESSED, 9]
    assert [m["amount"] for m in data["trend"]["months"]] == [SUPPRESSED, "9000.00"]


def test_shares_means_and_medians_on_few_are_suppressed():
    data = suppress_figures(
        {
            "decision_times": {"decisions": 4, "within_target": 4, "share_within_target": 1.0,
                               "median_days": 3.0, "mean_days": 3.0},
            "long_term": {"adults": 12, "long_term": 3, "share": 0.25, "very_long_term": 0,
                          "very_long_term_share": 0.0},
            "durations": {"households": 30, "mean_months": 5.0, "median_months": 4.0},
        }
    )  # fmt: skip
    assert set(data["decision_times"].values()) == {SUPPRESSED}
    assert data["long_term"]["share"] is SUPPRESSED
    assert data["long_term"]["very_long_term_share"] == 0.0
    assert data["durations"]["mean_months"] == 5.0


def test_every_yearly_comparison_measure_has_a_source(lund):
    import datetime as dt

    from bistand.statistics.access import Filters
    from bistand.statistics.yearly import year_figures

    figures = year_figures(lund.unit, 2025, Filters(), today=dt.date.today())
    assert set(figures["comparison"]) == set(COMPARISON_SOURCES)


def test_suppressed_cells_are_null_in_json():
    assert for_json({"a": [SUPPRESSED, 1], "b": {"c": SUPPRESSED}}) == {
        "a": [None, 1],
        "b": {"c": None},
    }


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8))
def test_no_suppressed_part_can_be_worked_out_from_the_total(parts):
    """Property: after protection no visible count is 1-4, and never exactly one part of a
    group with a visible total is hidden while others are visible (the total would reveal it)."""
    figures = {"block": {"households": sum(parts),
                         "rows": [{"code": i, "households": n} for i, n in enumerate(parts)]}}  # fmt: skip
    data = suppress_figures(figures)
    values = [row["households"] for row in data["block"]["rows"]]
    assert not any(isinstance(v, int) and 0 < v < THRESHOLD for v in values)
    hidden = [v for v in values if v is SUPPRESSED]
    if len(hidden) == 1:
        assert data["block"]["households"] is SUPPRESSED or not any(
            isinstance(v, int) and v > 0 for v in values
        )


def test_outcome_rows_protect_a_single_hidden_handler():
    rows = [
        {"decisions": None, "open_cases": 10, "follow_ups_due": 0, "closings": 0},
        {"decisions": 6, "open_cases": 12, "follow_ups_due": 0, "closings": 0},
        {"decisions": 9, "open_cases": 11, "follow_ups_due": 0, "closings": 0},
    ]
    rows[1]["share_refused"] = 0.5
    protect_rows(rows)
    assert [r["decisions"] for r in rows] == [None, None, 9]
    assert rows[1]["share_refused"] is None
    assert [r["open_cases"] for r in rows] == [10, 12, 11]


# ----------------------------------------------------------------------- the export paths

# The Lund data set (conftest): the intake section head sees one household, so every count in
# their view is under the threshold.


NOT_COUNTS = {"code", "months", "limit"}  # codes, month numbers, caseload limits


def _visible_small_counts(text_cells):
    return [c for c in text_cells if c.strip().isdigit() and 0 < int(c) < THRESHOLD]


def _small_cells(table):
    return [
        (key, row.get(key))
        for row in table.rows
        for key, _, kind in table.columns
        if kind in ("int", "mixed")
        and key not in NOT_COUNTS
        and isinstance(row.get(key), int)
        and 0 < row.get(key) < THRESHOLD
    ]


def test_section_head_dashboard_page_and_charts_hide_small_counts(client, lund):
    client.force_login(lund.org.intake_head)
    response = client.get(DASHBOARD, {"month": "2025-06"})
    figures = response.context["figures"]
    assert figures["suppression"]["applied"] is True
    assert figures["households"]["count"] is SUPPRESSED
    page = response.content.decode()
    assert 'data-testid="suppression-note"' in page
    cards = [card["value"] for card in response.context["cards"]]
    assert cards[0] == MARK and cards[2] == MARK
    for section in response.context["page_sections"]:
        assert not _small_cells(section.table), section.key


def test_unit_head_sees_every_figure_on_their_own_page(client, lund):
    client.force_login(lund.org.unit_head)
    response = client.get(DASHBOARD, {"month": "2025-06"})
    assert response.context["figures"]["suppression"]["applied"] is False
    assert response.context["figures"]["households"]["count"] == 4
    assert 'data-testid="download-all-protected"' in response.content.decode()
    protected = client.get(DASHBOARD, {"month": "2025-06", "suppress": "1"})
    assert protected.context["figures"]["households"]["count"] is SUPPRESSED


@pytest.mark.parametrize(
    "table", ["utbetalningar", "hushallstyp", "personer", "flode", "langvarigt"]
)
def test_section_head_csv_has_no_cell_under_the_threshold(client, lund, table):
    client.force_login(lund.org.intake_head)
    url = reverse("statistics:dashboard_download", args=[table, "csv"])
    text = client.get(url, {"month": "2025-06"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    skip = {
        i for i, header in enumerate(rows[0]) if header.startswith(("Kod", "Månader", "Högsta"))
    }
    cells = [cell for row in rows[1:] for i, cell in enumerate(row) if i not in skip]
    assert not _visible_small_counts(cells)


def test_unit_head_csv_for_publication_hides_small_counts(client, lund):
    client.force_login(lund.org.unit_head)
    url = reverse("statistics:dashboard_download", args=["hushallstyp", "csv"])
    text = client.get(url, {"month": "2025-06", "suppress": "1"}).content.decode("utf-8-sig")
    assert "3;Ensamstående man utan barn;..;..;.." in text.splitlines()
    own = client.get(url, {"month": "2025-06"}).content.decode("utf-8-sig")
    assert "3;Ensamstående man utan barn;2;50,0;17000,00" in own.splitlines()


def test_section_head_xlsx_has_no_cell_under_the_threshold(client, lund):
    client.force_login(lund.org.intake_head)
    url = reverse("statistics:dashboard_download", args=["alla", "xlsx"])
    workbook = load_workbook(io.BytesIO(client.get(url, {"month": "2025-06"}).content))
    numbers = [
        cell
        for sheet in workbook.worksheets
        if sheet.title not in ("budget", "prognos", "arbetsbelastning")
        for row in sheet.iter_rows(min_row=3, values_only=True)
        for cell in row[1:]
        if isinstance(cell, int)
    ]
    assert not [n for n in numbers if 0 < n < THRESHOLD]
    assert "'..'" in " ".join(
        str(c) for row in workbook["hushallstyp"].iter_rows(values_only=True) for c in row if c
    )


def test_section_head_year_page_tables_and_pdf_hide_small_counts(client, lund):
    client.force_login(lund.org.intake_head)
    page = client.get(YEAR, {"year": "2025"})
    assert page.context["figures"]["suppression"]["applied"] is True
    for section in page.context["page_sections"]:
        assert not _small_cells(section.table), section.key
    url = reverse("statistics:year_download", args=["jamforelse", "csv"])
    text = client.get(url, {"year": "2025"}).content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row[1:]]
    assert not _visible_small_counts(cells)
    pdf = client.get(YEAR, {"year": "2025", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_unit_head_pdf_for_publication(client, lund):
    client.force_login(lund.org.unit_head)
    pdf = client.get(YEAR, {"year": "2025", "format": "pdf", "suppress": "1"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.urls("tests.statistics.api_urls")
def test_api_nulls_small_counts_for_a_section_head(lund):
    client = APIClient()
    client.force_authenticate(lund.org.intake_head)
    base = "/api/v1/statistics"
    month = client.get(f"{base}/month/", {"month": "2025-06"}).json()
    assert month["suppression"]["applied"] is True and month["households"]["count"] is None
    year = client.get(f"{base}/year/", {"year": "2025"}).json()
    long_term = client.get(f"{base}/long-term/", {"year": "2025"}).json()

    def small(node):
        if isinstance(node, dict):
            return [v for k, v in node.items() if k in {"count", "households", "persons", "adults",
                    "long_term", "decisions", "cases", "minors", "recipients"}
                    and isinstance(v, int) and 0 < v < THRESHOLD] + [
                x for v in node.values() for x in small(v)]  # fmt: skip
        if isinstance(node, list):
            return [x for v in node for x in small(v)]
        return []

    for body in (month, year, long_term):
        assert not small(body)
        json.dumps(body)
    unit_head = APIClient()
    unit_head.force_authenticate(lund.org.unit_head)
    own = unit_head.get(f"{base}/month/", {"month": "2025-06"}).json()
    assert own["households"]["count"] == 4 and own["suppression"]["applied"] is False
    published = unit_head.get(f"{base}/month/", {"month": "2025-06", "suppress": "1"}).json()
    assert published["households"]["count"] is None
