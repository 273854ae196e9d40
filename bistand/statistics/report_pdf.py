"""The yearly analysis as a PDF (reportlab): the key figures, two charts and every table of the
printable page, with the definitions under them."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .definitions import HOUSEHOLD_TYPE_SHORT
from .periods import MONTH_ABBREVIATIONS
from .presentation import year_key_figures
from .tables import rows_for_display, year_tables

BLUE = colors.HexColor("#1f5f8b")
ORANGE = colors.HexColor("#e07b00")
GRID = colors.HexColor("#d8dee6")


def _numbers(series: dict) -> list[list[float | None]]:
    """A suppressed or missing figure is not drawn."""
    return [
        [v if isinstance(v, (int, float)) and not isinstance(v, bool) else None for v in values]
        for values in series.values()
    ]


def _bar_chart(title: str, labels: list[str], series: dict[str, list[float]]) -> Drawing:
    drawing = Drawing(170 * mm, 75 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 18 * mm
    chart.width, chart.height = 150 * mm, 45 * mm
    chart.data = _numbers(series)
    chart.categoryAxis.categoryNames = [label[:18] for label in labels]
    chart.categoryAxis.labels.angle = 25
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    for index, colour in enumerate((BLUE, ORANGE)[: len(chart.data)]):
        chart.bars[index].fillColor = colour
    drawing.add(chart)
    drawing.add(String(0, 70 * mm, title, fontName="Helvetica-Bold", fontSize=9))
    drawing.add(_legend(series, 120 * mm, 72 * mm))
    return drawing


def _line_chart(title: str, labels: list[str], series: dict[str, list[float]]) -> Drawing:
    # A line with a suppressed month is left out (reportlab cannot draw gaps in a line).
    series = {
        name: values
        for name, values in zip(series, _numbers(series), strict=True)
        if all(v is not None for v in values)
    }
    drawing = Drawing(170 * mm, 65 * mm)
    if not series:
        drawing.add(String(0, 60 * mm, title, fontName="Helvetica-Bold", fontSize=9))
        drawing.add(String(0, 50 * mm, "Visas inte: för få för att visa (skydd för små tal).",
                           fontSize=8))  # fmt: skip
        return drawing
    chart = HorizontalLineChart()
    chart.x, chart.y = 12 * mm, 10 * mm
    chart.width, chart.height = 150 * mm, 42 * mm
    chart.data = _numbers(series)
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    for index, colour in enumerate((BLUE, ORANGE)[: len(chart.data)]):
        chart.lines[index].strokeColor = colour
        chart.lines[index].strokeWidth = 1.5
    drawing.add(chart)
    drawing.add(String(0, 60 * mm, title, fontName="Helvetica-Bold", fontSize=9))
    drawing.add(_legend(series, 120 * mm, 62 * mm))
    return drawing


def _legend(series: dict, x: float, y: float) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontSize = 7
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.colorNamePairs = list(zip((BLUE, ORANGE), series.keys(), strict=False))
    return legend


def year_report_pdf(y: dict) -> bytes:
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    buffer = io.BytesIO()
    unit = y["unit"]
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"Årsanalys ekonomiskt bistånd {y['year']}",
        author=unit["name"],
    )
    story = [
        Paragraph(escape(f"Årsanalys ekonomiskt bistånd {y['year']}"), styles["Title"]),
        Paragraph(
            escape(
                f"{unit['name']}, {unit['municipality_name']} ({unit['municipality_code']}). "
                f"Jämfört med {y['year'] - 1}. Uttaget {timezone.localdate():%Y-%m-%d}."
                + ("" if y["complete"] else " Året är inte komplett: siffrorna är preliminära.")
            ),
            small,
        ),
        Spacer(1, 4 * mm),
    ]
    if y.get("suppression", {}).get("applied"):
        story.append(
            Paragraph(
                escape(
                    f"Skydd för små tal: antal under {y['suppression']['threshold']} visas som "
                    "'..', liksom andelar, belopp och medelvärden som bygger på dem och tal som "
                    "annars kunde räknas fram ur en summa."
                ),
                small,
            )
        )
    cards = [[k["label"], k["value"], k.get("change", "")] for k in year_key_figures(y)]
    story.append(_table([["Nyckeltal", str(y["year"]), f"mot {y['year'] - 1}"], *cards]))
    story.append(Spacer(1, 5 * mm))
    c = y["current"]["composition"]
    p = y["previous"]["composition"]
    story.append(
        _bar_chart(
            "Hushåll efter hushållstyp",
            [HOUSEHOLD_TYPE_SHORT[r["code"]] for r in c["by_household_type"]],
            {
                str(y["year"]): [r["households"] for r in c["by_household_type"]],
                str(y["year"] - 1): [r["households"] for r in p["by_household_type"]],
            },
        )
    )
    story.append(
        _line_chart(
            "Hushåll med utbetalning per månad",
            list(MONTH_ABBREVIATIONS),
            {
                str(y["year"]): [m["households"] for m in y["current"]["trend"]["months"]],
                str(y["year"] - 1): [m["households"] for m in y["previous"]["trend"]["months"]],
            },
        )
    )
    for table in year_tables(y):
        story.append(Spacer(1, 4 * mm))
        story.append(Paragraph(escape(table.title), styles["Heading3"]))
        headers = [header for _, header, _ in table.columns]
        story.append(_table([headers, *rows_for_display(table)]))
        if table.note:
            story.append(Paragraph(escape(table.note), small))
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph(
            escape(
                "Definitioner: se docs/statistics.md. Månaden är den månad biståndet avser; "
                "bara utbetalda belopp räknas. Mycket långvarigt bistånd är en egen definition "
                "(ej verifierad)."
            ),
            small,
        )
    )
    doc.build(story)
    return buffer.getvalue()


def _table(rows: list[list[str]]) -> Table:
    table = Table(rows, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, GRID),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table
