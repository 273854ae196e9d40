"""The decision letter: a PDF in plain Swedish with the decision, the calculation line by
line, the reasons, and for a refusal or partial grant how to appeal.

The letter is rendered once, when the decision is made, and stored with it (bytes + sha256).
Fonts: Bitstream Vera, shipped with reportlab, so the letter looks the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from bistand.calculation.money import format_sek

from . import calculations as calc
from . import register_checks
from .legal import APPEAL_HEADING, BOARD, appeal_instructions
from .models import Decision, LineKind, Outcome

RESULT_SECTION = "Resultat"
MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]

_FONT_DIR = Path(reportlab.__file__).resolve().parent / "fonts"
_FONTS_READY = False


def _fonts() -> tuple[str, str]:
    global _FONTS_READY
    if not _FONTS_READY:
        pdfmetrics.registerFont(TTFont("Letter", str(_FONT_DIR / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont("Letter-Bold", str(_FONT_DIR / "VeraBd.ttf")))
        _FONTS_READY = True
    return "Letter", "Letter-Bold"


def month_name(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def _text(value: str) -> str:
    """Escape for a Paragraph; characters outside the font become plain equivalents."""
    value = value.replace("→", "->").replace("≤", "<=").replace("≥", ">=")
    return escape(value)


def _styles():
    regular, bold = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=10, leading=13.5)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11),
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=16, leading=20),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=bold, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4
        ),
        "bold": ParagraphStyle("bold", parent=base, fontName=bold),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "right_bold": ParagraphStyle("right_bold", parent=base, fontName=bold, alignment=TA_RIGHT),
        # The facts at the top ("Till": name, identity number): a line breaks only at spaces,
        # never inside a word at its hyphen, so "19830919-2394" is never split over two lines
        # (Vera has no non-breaking hyphen, U+2011, to use instead).
        "fact": ParagraphStyle("fact", parent=base, splitLongWords=0),
    }


def fact_paragraph(value: str, styles=None) -> Paragraph:
    """One value of the letter's facts (e.g. the "Till" line: the applicant's name and
    identity number), kept whole at its hyphens."""
    return Paragraph(_text(value), (styles or _styles())["fact"])


def _line_sentence(line, month: dt.date) -> str:
    what = (
        f"försörjningsstöd för {month_name(month)}"
        if line.kind == LineKind.INCOME_SUPPORT
        else f"bistånd till {line.description[:1].lower()}{line.description[1:]}"
    )
    if line.outcome == Outcome.GRANTED:
        return f"Du får {what} med {format_sek(line.amount_granted)}."
    if line.outcome == Outcome.PARTLY_GRANTED:
        return (
            f"Du får delvis {what}: {format_sek(line.amount_granted)} av sökta "
            f"{format_sek(line.amount_applied)}. Resten avslås."
        )
    return f"Vi avslår din ansökan om {what}."


def render_letter(decision: Decision) -> bytes:
    """The letter for a final decision, as PDF bytes."""
    styles = _styles()
    P = Paragraph  # noqa: N806 - short name for the many paragraphs below
    case = decision.case
    unit = case.unit
    household = case.household
    applicant = household.applicant_on(decision.month) or household.applicant_on(
        decision.decided_on
    )
    lines = list(decision.lines.all().order_by("position"))
    municipality = unit.municipality_name or settings.MUNICIPALITY_NAME
    board_name = f"Socialnämnden i {municipality}"
    address = letter_address(household, unit)

    story = []
    story.append(P(_text(f"{municipality} – Socialtjänsten, {unit.name}"), styles["small"]))
    story.append(Spacer(1, 6 * mm))
    story.append(P("Beslut om ekonomiskt bistånd", styles["title"]))
    story.append(Spacer(1, 3 * mm))
    facts = [
        ("Beslutsdatum", f"{decision.decided_on:%Y-%m-%d}"),
        ("Beslutsnummer", decision.reference),
        ("Ärende", case.reference),
        ("Ansökan avser", month_name(decision.month)),
        ("Ansökan kom in", f"{decision.application.received_on:%Y-%m-%d}"),
    ]
    if applicant is not None:
        facts.insert(0, ("Till", f"{applicant.full_name}, {applicant.formatted_identity_number}"))
    if address:
        facts.insert(1, ("Adress", address))
    story.append(
        Table(
            [[P(_text(k), styles["small"]), fact_paragraph(v, styles)] for k, v in facts],
            colWidths=[35 * mm, 125 * mm],
            style=TableStyle(
                [("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]
            ),
        )
    )

    if decision.replaces_id:
        old = decision.replaces
        story.append(P("Ändrat beslut", styles["h2"]))
        story.append(
            P(
                _text(
                    f"Det här beslutet ersätter beslut {old.reference} från "
                    f"{old.decided_on:%Y-%m-%d}. Skäl till ändringen: {decision.replacement_reason}"
                ),
                styles["base"],
            )
        )

    story.append(P("Beslut", styles["h2"]))
    for line in lines:
        story.append(P(_text(_line_sentence(line, decision.month)), styles["base"]))
    story.append(Spacer(1, 2 * mm))
    table = [[P("Vad", styles["bold"]), P("Sökt", styles["right_bold"]),
              P("Beviljat", styles["right_bold"]), P("Beslut", styles["bold"])]]  # fmt: skip
    for line in lines:
        label = (
            f"Försörjningsstöd {month_name(decision.month)}"
            if line.kind == LineKind.INCOME_SUPPORT
            else line.description
        )
        table.append(
            [
                P(
                    _text(label) + f"<br/><font size=8>Lagrum: {_text(line.legal_basis)}</font>",
                    styles["base"],
                ),
                P(_text(format_sek(line.amount_applied)), styles["right"]),
                P(_text(format_sek(line.amount_granted)), styles["right"]),
                P(_text(line.get_outcome_display()), styles["base"]),
            ]
        )
    table.append(
        [P("Totalt beviljat", styles["bold"]), P("", styles["base"]),
         P(_text(format_sek(decision.total_granted)), styles["right_bold"]), P("", styles["base"])]
    )  # fmt: skip
    story.append(
        Table(
            table,
            colWidths=[72 * mm, 31 * mm, 33 * mm, 26 * mm],
            style=TableStyle(
                [
                    ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                    ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            ),
        )
    )

    story.append(P("Skäl för beslutet", styles["h2"]))
    reasons = [
        f"{line.description or 'Försörjningsstöd'}: {line.reasons}"
        for line in lines
        if line.outcome != Outcome.GRANTED and line.reasons
    ]
    if decision.reasons:
        reasons.append(decision.reasons)
    if not reasons:
        reasons.append(
            "Du har rätt till ekonomiskt bistånd för det du har sökt. Beloppet är beräknat "
            "enligt riksnormen och dina skäliga kostnader, minus hushållets inkomster, så som "
            "redovisas nedan."
        )
    for text in reasons:
        story.append(P(_text(text), styles["base"]))
        story.append(Spacer(1, 1.5 * mm))

    sources = register_checks.consulted_sources(decision)
    if sources:
        # The applicant is told which registers and documents the decision rests on.
        story.append(P("Kontroller", styles["h2"]))
        story.append(
            P(
                _text(
                    "Inför beslutet har vi kontrollerat uppgifter hos: " + ", ".join(sources) + "."
                ),
                styles["base"],
            )
        )
    rows = calc.breakdown(decision.calculation)
    if rows:
        story.append(P("Så har vi räknat", styles["h2"]))
        data = []
        style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 1),
                 ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]  # fmt: skip
        section = None
        for row in rows:
            if row.style in ("warning", "outcome"):
                continue  # internal: warnings are for staff, the proposal is not the decision
            if row.section != section:
                section = row.section
                if section != RESULT_SECTION:
                    data.append([P(_text(section), styles["bold"]), ""])
            label_style = styles["bold"] if row.style in ("total", "outcome") else styles["base"]
            amount_style = (
                styles["right_bold"] if row.style in ("total", "subtotal") else styles["right"]
            )
            data.append([P(_text(row.label), label_style), P(_text(row.amount_text), amount_style)])
            if row.style in ("total", "subtotal"):
                style.append(
                    ("LINEABOVE", (0, len(data) - 1), (-1, len(data) - 1), 0.4, colors.grey)
                )
        story.append(Table(data, colWidths=[130 * mm, 32 * mm], style=TableStyle(style)))

    story.append(P("Vem har fattat beslutet", styles["h2"]))
    if decision.automatic:
        story.append(
            P(
                _text(
                    "Beslutet är fattat automatiskt enligt socialnämndens regler för fortsatta "
                    f"ansökningar som inte har ändrats (regelversion {decision.rule_version}). "
                    "Ett urval av automatiska beslut granskas varje dag av en handläggare."
                ),
                styles["base"],
            )
        )
    else:
        maker = decision.decided_by
        title = maker.title or maker.get_role_display()
        story.append(
            P(
                _text(
                    f"{maker.get_full_name() or maker.username}, {title.lower()}, enligt "
                    f"{BOARD}s delegationsordning punkt {decision.delegation_points}."
                ),
                styles["base"],
            )
        )

    if decision.appealable:
        block = [P(APPEAL_HEADING, styles["h2"])]
        for paragraph in appeal_instructions(board_name, address_of_board(unit)):
            block.append(P(_text(paragraph), styles["base"]))
            block.append(Spacer(1, 1.5 * mm))
        story.append(KeepTogether(block))

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Beslut {decision.reference}",
        author=f"{municipality} socialtjänst",
        subject="Beslut om ekonomiskt bistånd",
    )
    document.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


# Skatteverket forwards post to a person with protected registration; the letter never
# carries the address of a household where someone has protected identity.
PROTECTED_MAIL_DEFAULT = "Skyddad adress – brevet skickas via Skatteverkets postförmedling."


def letter_address(household, unit) -> str:
    """The letter's address field: the address, or for a protected household the unit's
    forwarding instruction (never the address itself)."""
    if household.is_address_protected:
        return getattr(unit, "protected_mail_instruction", "") or PROTECTED_MAIL_DEFAULT
    return household.address_display


def address_of_board(unit) -> str:
    """Where appeals are handed in: the unit's postal address when the organisation app has
    one; otherwise the letter names the board only."""
    return getattr(unit, "postal_address", "") or ""


def _footer(canvas, document) -> None:
    regular, _ = _fonts()
    canvas.saveState()
    canvas.setFont(regular, 8)
    canvas.drawString(22 * mm, 10 * mm, document.title or "")
    canvas.drawRightString(A4[0] - 22 * mm, 10 * mm, f"Sida {document.page}")
    canvas.restoreState()


def letter_text(pdf: bytes) -> str:
    """The letter's text (for tests and checks), read back with pypdf."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)
