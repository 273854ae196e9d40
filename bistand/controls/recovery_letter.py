"""The letters for a recovery decision (beslut om återkrav) and for a write-off (avskrivning).
The recovery decision's letter: a PDF in plain Swedish with the
amount, the incorrect payment it rests on, the reasons, the legal basis, the plan, and what
the applicant can do about it (appeal where the law allows it, otherwise how the claim is
tried). Rendered once, when the decision is made, and stored with it (bytes + sha256).

Same look as the decision letters (reportlab, Bitstream Vera shipped with reportlab); the
decisions app sits beside controls, so its helpers are not imported.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from .deduction_rules import sek
from .recovery_law import appeal_text
from .recovery_models import LawStatus, PlanKind

_FONT_DIR = Path(reportlab.__file__).resolve().parent / "fonts"
PROTECTED_MAIL_DEFAULT = "Skyddad adress – brevet skickas via Skatteverkets postförmedling."


def _fonts() -> tuple[str, str]:
    if "Letter" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Letter", str(_FONT_DIR / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont("Letter-Bold", str(_FONT_DIR / "VeraBd.ttf")))
    return "Letter", "Letter-Bold"


def _styles() -> dict:
    regular, bold = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=10, leading=13.5)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11),
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=16, leading=20),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=bold, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4
        ),
    }


def _address(household, unit) -> str:
    """Never the address of a household with protected identity (docs/ARCHITECTURE.md)."""
    if household.is_address_protected:
        return getattr(unit, "protected_mail_instruction", "") or PROTECTED_MAIL_DEFAULT
    return household.address_display


def shows_protected_address(claim) -> bool:
    """Whether the claim's stored letter carries the address of a household that has since got
    protected identity. Such a letter stays stored unchanged (the record of what was sent) but
    is not handed out, as the decision letters (decisions.selectors)."""
    return letter_shows_protected_address(claim.case.household, claim.letter_pdf)


def letter_shows_protected_address(household, pdf) -> bool:
    """Whether a stored letter (`pdf`) carries the address of `household`, which now has
    protected identity (any letter of this module: the recovery decision, a write-off)."""
    if not (household.address and household.is_address_protected):
        return False
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(bytes(pdf)))
    text = "".join(page.extract_text() or "" for page in reader.pages)

    def squeezed(value: str) -> str:
        return "".join(value.split()).casefold()

    return squeezed(household.address) in squeezed(text)


def render_recovery_letter(claim, *, applicant_name: str) -> bytes:
    """The PDF of `claim` (saved in the same transaction; `claim.pk` is set)."""
    styles = _styles()
    case, payment = claim.case, claim.incorrect_payment
    unit = case.unit
    story = _heading(styles, case, unit, applicant_name) + [
        Paragraph("Beslut om återkrav av ekonomiskt bistånd", styles["title"]),
        Paragraph(
            escape(
                f"Beslut {claim.reference}, ärende {case.reference}, {claim.decided_at:%Y-%m-%d}"
            ),
            styles["small"],
        ),
        Spacer(1, 4 * mm),
        Paragraph("Beslut", styles["h2"]),
        Paragraph(
            escape(
                f"Socialnämnden kräver tillbaka {sek(claim.amount)} av det ekonomiska bistånd "
                f"som betalades ut för {payment.period_label}."
            ),
            styles["base"],
        ),
        Paragraph("Skäl för beslutet", styles["h2"]),
        Paragraph(
            escape(
                f"För perioden {payment.period_label} betalades {sek(payment.amount)} ut "
                f"felaktigt ({payment.get_cause_display().lower()})."
            ),
            styles["base"],
        ),
    ]
    for paragraph in claim.reasoning.splitlines():
        if paragraph.strip():
            story.append(Paragraph(escape(paragraph.strip()), styles["base"]))
    story += [
        Paragraph("Lagrum", styles["h2"]),
        Paragraph(escape(f"Beslutet är fattat med stöd av {claim.legal_basis}."), styles["base"]),
        Paragraph("Så betalar du tillbaka", styles["h2"]),
    ]
    if claim.plan == PlanKind.DEDUCTION:
        story.append(
            Paragraph(
                escape(
                    f"Du har den {claim.consent_on:%Y-%m-%d} gått med på att beloppet räknas av "
                    f"från kommande utbetalningar av bistånd. Från {claim.first_month:%Y-%m} "
                    f"drar vi högst {sek(claim.monthly_amount)} per månad. Du får alltid behålla "
                    f"minst {sek(claim.minimum_left)} av månadens utbetalning till dig."
                ),
                styles["base"],
            )
        )
    else:
        story.append(
            Paragraph(
                escape(
                    f"Betala {sek(claim.monthly_amount)} per månad från {claim.first_month:%Y-%m} "
                    "tills skulden är betald. Ange beslutets nummer "
                    f"{claim.reference} när du betalar."
                ),
                styles["base"],
            )
        )
    story.append(Paragraph("Om du inte håller med", styles["h2"]))
    for paragraph in appeal_text(claim.appealable):
        story.append(Paragraph(escape(paragraph), styles["base"]))
    story += [
        Spacer(1, 8 * mm),
        Paragraph(
            escape(f"Beslutet fattades av {claim.decided_by.get_full_name() or claim.decided_by}."),
            styles["base"],
        ),
    ]
    return _build(story, unit, title=f"Återkrav {claim.reference}", subject="Beslut om återkrav")


def _build(story: list, unit, *, title: str, subject: str) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=f"{unit.municipality_name} socialtjänst",
        subject=subject,
        invariant=1,
    )
    document.build(story)
    return buffer.getvalue()


def _heading(styles, case, unit, applicant_name: str) -> list:
    """The sender, and the addressee with the address (or the forwarding instruction)."""
    return [
        Paragraph(escape(f"{unit.municipality_name} – {unit.name}"), styles["small"]),
        Spacer(1, 4 * mm),
        Paragraph(escape(applicant_name), styles["base"]),
        Paragraph(escape(_address(case.household, unit)), styles["base"]),
        Spacer(1, 8 * mm),
    ]


# The paragraph of SoL (2025:400) that lets the board waive a claim (verified, docs/recovery.md,
# "Legal basis"). For a claim under the repealed law the paragraph was not verified: the letter
# names the law only.
WRITE_OFF_BASIS = "33 kap. 6 § socialtjänstlagen (2025:400)"


def render_write_off_letter(claim, entry, *, balance_after, applicant_name: str) -> bytes:
    """The letter to the debtor about a write-off (`entry`, saved; `entry.pk` is set): what the
    board gives up, why, what is left to pay, and the legal basis."""
    styles = _styles()
    case, payment = claim.case, claim.incorrect_payment
    unit = case.unit
    story = _heading(styles, case, unit, applicant_name) + [
        Paragraph("Beslut om avskrivning av återkrav", styles["title"]),
        Paragraph(
            escape(
                f"Avskrivning {entry.pk} av återkrav {claim.reference}, ärende {case.reference}, "
                f"{timezone.localtime(entry.recorded_at):%Y-%m-%d}"
            ),
            styles["small"],
        ),
        Spacer(1, 4 * mm),
        Paragraph("Beslut", styles["h2"]),
        Paragraph(
            escape(
                f"Socialnämnden avstår från att kräva tillbaka {sek(entry.amount)} av återkravet "
                f"{claim.reference} ({sek(claim.amount)} för {payment.period_label})."
            ),
            styles["base"],
        ),
        Paragraph("Skäl för beslutet", styles["h2"]),
    ]
    for paragraph in entry.note.splitlines():
        if paragraph.strip():
            story.append(Paragraph(escape(paragraph.strip()), styles["base"]))
    story.append(Paragraph("Det här återstår", styles["h2"]))
    if balance_after > 0:
        remaining = (
            f"Kvar att betala av återkravet är {sek(balance_after)}. Planen i beslutet om "
            f"återkrav {claim.reference} gäller som tidigare."
        )
    else:
        remaining = "Du behöver inte betala något mer av återkravet."
        if claim.plan == PlanKind.DEDUCTION:
            remaining += " Inget mer dras från dina utbetalningar för det här återkravet."
    story.append(Paragraph(escape(remaining), styles["base"]))
    story.append(Paragraph("Lagrum", styles["h2"]))
    if claim.law_status == LawStatus.VERIFIED:
        basis = f"Beslutet är fattat med stöd av {WRITE_OFF_BASIS}."
    else:
        basis = (
            "Återkravet gäller bistånd som beviljades före den 1 juli 2025 och prövas enligt den "
            "upphävda socialtjänstlagen (2001:453)."
        )
    story += [
        Paragraph(escape(basis), styles["base"]),
        Paragraph(
            "Har du frågor om beslutet är du välkommen att kontakta din handläggare.",
            styles["base"],
        ),
        Spacer(1, 8 * mm),
        Paragraph(
            escape(
                f"Beslutet fattades av {entry.recorded_by.get_full_name() or entry.recorded_by}."
            ),
            styles["base"],
        ),
    ]
    return _build(
        story, unit, title=f"Avskrivning {claim.reference}", subject="Beslut om avskrivning"
    )
