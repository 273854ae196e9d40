"""The case journal as a PDF for staff (reportlab): every entry oldest first, with its date,
kind, author, text and signature, corrections shown with the entry they correct.

The header names the case and the household's applicant, the footer who printed it, when, and
the page ("Sida 2 av 5"). The journal never prints the household's address. For a case with
protected identity (skyddade personuppgifter) the identity number is printed masked
(YYYYMMDD-****) and every page carries the marking, as the case page shows it.
Fonts: Bitstream Vera, shipped with reportlab, as in the decision letter.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import HRFlowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

from bistand.households.api import masked_identity_number

from .models import Case, JournalEntry

PROTECTED_MARK = "SKYDDADE PERSONUPPGIFTER – lämna inte ut, skriv inte ut adress"
UNSIGNED = "osignerad"

_FONT_DIR = Path(reportlab.__file__).resolve().parent / "fonts"
_FONTS_READY = False
REGULAR, BOLD = "Journal", "Journal-Bold"
MARGIN = 20 * mm


def _fonts() -> None:
    global _FONTS_READY
    if not _FONTS_READY:
        pdfmetrics.registerFont(TTFont(REGULAR, str(_FONT_DIR / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(_FONT_DIR / "VeraBd.ttf")))
        _FONTS_READY = True


def _text(value: str) -> str:
    """Escape for a Paragraph, keep the writer's line breaks; characters outside the font
    become plain equivalents."""
    value = value.replace("→", "->").replace("≤", "<=").replace("≥", ">=")
    return escape(value).replace("\r\n", "\n").replace("\n", "<br/>")


def _when(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def applicant_line(case: Case, *, protected: bool, day: dt.date) -> str:
    """The applicant as the header names them: name and identity number, masked when the
    case has protected identity."""
    household = case.household
    applicant = household.applicant_on(day) or household.applicant_on(case.opened_on)
    if applicant is None:
        return "–"
    number = (
        masked_identity_number(applicant.identity_number)
        if protected
        else applicant.formatted_identity_number
    )
    return f"{applicant.full_name}, {number}"


def signature_line(entry: JournalEntry) -> str:
    """'Signerad 2026-03-02 10:15 av Anna Ek', or 'osignerad' (only the author signs)."""
    if entry.signed_at is None:
        return UNSIGNED
    return f"Signerad {_when(entry.signed_at)} av {_name(entry.written_by)}"


def correction_line(entry: JournalEntry) -> str:
    old = entry.corrects
    if old is None:
        return ""
    first = " ".join(old.text.split())
    if len(first) > 120:
        first = first[:117] + "..."
    return (
        f"Rättelse av anteckning {old.occurred_on:%Y-%m-%d} ({old.get_kind_display()}, "
        f"{_name(old.written_by)}): ”{first}”"
    )


def _page_canvas(*, footer_left: str, protected: bool):
    """A canvas that knows the page count when it draws the footer ("Sida 2 av 5")."""

    class JournalCanvas(pdf_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            self.saveState()
            self.setFont(REGULAR, 8)
            self.drawString(MARGIN, 10 * mm, footer_left)
            self.drawRightString(A4[0] - MARGIN, 10 * mm, f"Sida {self._pageNumber} av {total}")
            if protected:
                self.setFont(BOLD, 8)
                self.setFillColor(colors.red)
                self.drawString(MARGIN, A4[1] - 10 * mm, PROTECTED_MARK)
            self.restoreState()

    return JournalCanvas


def journal_pdf(case: Case, entries, *, printed_by, protected: bool) -> bytes:
    """The journal of `case` (`entries` oldest first) as PDF bytes."""
    _fonts()
    now = timezone.now()
    today = timezone.localdate()
    entries = list(entries)
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=10, leading=13.5)
    small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=11)
    muted = ParagraphStyle("muted", parent=small, textColor=colors.HexColor("#444444"))
    bold = ParagraphStyle("bold", parent=base, fontName=BOLD)
    title = ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=16, leading=20)
    P = Paragraph  # noqa: N806 - short name for the many paragraphs below

    unit = case.unit
    municipality = getattr(unit, "municipality_name", "") or settings.MUNICIPALITY_NAME
    story = [
        P(_text(f"{municipality} – Socialtjänsten, {unit.name}"), small),
        Spacer(1, 4 * mm),
        P(_text(f"Journal, ärende {case.reference}"), title),
        Spacer(1, 2 * mm),
    ]
    facts = [
        ("Ärende", case.reference),
        ("Sökande", applicant_line(case, protected=protected, day=today)),
        ("Sektion", case.section.name if case.section_id else ""),
        ("Handläggare", _name(case.handler) or "ej tilldelad"),
        ("Anteckningar", str(len(entries))),
    ]
    if protected:
        facts.append(("Skydd", "Skyddade personuppgifter – adressen skrivs inte ut"))
    story.append(
        Table(
            [[P(_text(k), small), P(_text(v), base)] for k, v in facts],
            colWidths=[32 * mm, 138 * mm],
            style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)],
        )
    )
    story.append(Spacer(1, 5 * mm))
    if not entries:
        story.append(P("Journalen har inga anteckningar.", base))
    corrected_by: dict[int, list[JournalEntry]] = {}
    for entry in entries:
        if entry.corrects_id:
            corrected_by.setdefault(entry.corrects_id, []).append(entry)
    for entry in entries:
        block = [
            P(
                _text(
                    f"{entry.occurred_on:%Y-%m-%d} · {entry.get_kind_display()} · "
                    f"{_name(entry.written_by)}"
                ),
                bold,
            )
        ]
        if entry.corrects_id:
            block.append(P(_text(correction_line(entry)), muted))
        for later in corrected_by.get(entry.pk, []):
            block.append(
                P(
                    _text(
                        f"Rättad genom anteckning {later.occurred_on:%Y-%m-%d} "
                        f"({_name(later.written_by)})"
                    ),
                    muted,
                )
            )
        block.append(Spacer(1, 1 * mm))
        block.append(P(_text(entry.text), base))
        block.append(Spacer(1, 1 * mm))
        block.append(
            P(
                _text(f"{signature_line(entry)} · skriven {_when(entry.created_at)}"),
                muted,
            )
        )
        # The heading stays with the start of the text; a long text runs on to the next page.
        story.append(HRFlowable(width="100%", thickness=0.5, color=colors.grey, spaceAfter=3))
        story.append(KeepTogether(block[:-2]))
        story += block[-2:]
        story.append(Spacer(1, 3 * mm))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Journal {case.reference}",
        author=f"{municipality} socialtjänst",
        subject=f"Journal för ärende {case.reference}",
    )
    footer = f"Journal {case.reference} · utskriven {_when(now)} av {_name(printed_by)}"
    document.build(story, canvasmaker=_page_canvas(footer_left=footer, protected=protected))
    return buffer.getvalue()


def journal_text(pdf: bytes) -> str:
    """The PDF's text (for tests and checks), read back with pypdf."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)
