"""The yearly internal-control report as a PDF, with reportlab (the library the decision
letters use) and the same bundled Vera font (å, ä, ö)."""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

_FONT_DIR = Path(reportlab.__file__).resolve().parent / "fonts"


def _fonts() -> tuple[str, str]:
    if "Report" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Report", str(_FONT_DIR / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont("Report-Bold", str(_FONT_DIR / "VeraBd.ttf")))
    return "Report", "Report-Bold"


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _table(rows, widths, bold) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, 0), bold),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 1), (-1, -1), 0.25, colors.grey),
    ]))  # fmt: skip
    return table


def render_report_pdf(report: dict) -> bytes:
    regular, bold = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9.5, leading=12.5)
    h1 = ParagraphStyle("h1", parent=base, fontName=bold, fontSize=15, leading=19)
    h2 = ParagraphStyle("h2", parent=base, fontName=bold, fontSize=11.5, leading=15,
                        spaceBefore=8, spaceAfter=4)  # fmt: skip
    cell = ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5)
    unit = report["unit"]
    story = [
        _p(f"Internkontroll {report['year']}: stickprov av beslut", h1),
        _p(f"{unit.name}, {unit.municipality_name}", base),
        Spacer(1, 6),
        _p(
            "Varje månad dras ett slumpmässigt stickprov av enhetens beslut med ett sparat "
            "slumpfrö, så att dragningen kan upprepas. Varje draget beslut granskas mot en "
            "checklista av någon annan än den som fattade det; brister får åtgärder med "
            "ansvarig och slutdatum som följs upp tills de är avslutade.",
            base,
        ),  # fmt: skip
        _p("Dragningar", h2),
    ]
    rows = [["Månad", "Slumpfrö", "Att dra bland", "Dragna", "Granskade"]]
    for month in report["months"]:
        draw = month["draw"]
        rows.append([f"{draw.month:%Y-%m}", str(draw.seed), str(month["candidates"]),
                     str(month["drawn"]), str(month["reviewed"])])  # fmt: skip
    if len(rows) == 1:
        rows.append(["–", "", "", "", ""])
    story.append(_table(rows, [25 * mm, 35 * mm, 30 * mm, 25 * mm, 25 * mm], bold))
    if report["redraws"]:
        story.append(_p(f"Omdragningar under året: {report['redraws']} (skälen finns i "
                        "stickprovens historik).", base))  # fmt: skip
    story.append(_p("Checklistan", h2))
    rows = [["Punkt", "Ja", "Nej (brist)", "Ej tillämpligt"]]
    for row in report["points"]:
        rows.append([_p(row["label"], cell), str(row["yes"]), str(row["no"]),
                     str(row["na"])])  # fmt: skip
    story.append(_table(rows, [90 * mm, 20 * mm, 25 * mm, 30 * mm], bold))
    story.append(_p("Brister och åtgärder", h2))
    rows = [["Månad", "Beslut", "Punkt", "Brist", "Åtgärd, ansvarig, slutdatum, status"]]
    for entry in report["findings"]:
        finding = entry["finding"]
        actions = (
            "\n".join(
                f"{a.description} – {a.owner.get_full_name() or a.owner.username}, "
                f"{a.due_on:%Y-%m-%d}, {a.get_status_display().lower()}"
                + (f" {a.closed_at:%Y-%m-%d}" if a.closed_at else "")
                for a in entry["actions"]
            )
            or "Ingen åtgärd registrerad"
        )
        rows.append([f"{entry['draw'].month:%Y-%m}", str(entry["item"].decision_id),
                     _p(finding.label, cell), _p(finding.description, cell),
                     _p(actions, cell)])  # fmt: skip
    if len(rows) == 1:
        rows.append(["–", "", "", _p("Inga brister", cell), ""])
    story.append(_table(rows, [16 * mm, 16 * mm, 34 * mm, 45 * mm, 55 * mm], bold))
    story.append(_p(f"Åtgärder: {report['actions_total']}, varav öppna: "
                    f"{report['actions_open']}.", base))  # fmt: skip
    story.append(_p("Granskningskön (signerade ändringar)", h2))
    rows = [["Slag", "Signerade"]] + [[label, str(n)] for label, n in report["signoffs"]]
    if len(rows) == 1:
        rows.append(["–", "0"])
    story.append(_table(rows, [100 * mm, 30 * mm], bold))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
        bottomMargin=18 * mm, title=f"Internkontroll {report['year']}", author="Bistånd",
    )  # fmt: skip
    document.build(story)
    return buffer.getvalue()
