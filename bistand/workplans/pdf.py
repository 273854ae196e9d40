"""The work plan as a plain-language PDF in Swedish, for the client (reportlab)."""

from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table

from .models import ActivityParty, ConsentMethod, FollowUpMethod, WorkPlanVersion

# Plain words for the client: "du" and "vi", not the unit's terms.
WHO = {
    ActivityParty.CLIENT: "Du",
    ActivityParty.HANDLER: "Din handläggare",
    ActivityParty.PARTNER: "",
}
HOW = {
    FollowUpMethod.VISIT: "Besök hos oss",
    FollowUpMethod.PHONE: "Vi ringer dig",
    FollowUpMethod.TRIPARTITE_MEETING: "Möte med dig, oss och en samarbetspart",
    FollowUpMethod.HOME_VISIT: "Vi besöker dig hemma",
    FollowUpMethod.DIGITAL: "Möte på video",
}
CONSENT_HOW = {
    ConsentMethod.IN_PERSON: "med din underskrift när vi träffades",
    ConsentMethod.DIGITAL: "digitalt med e-legitimation",
}


def _date(value: str | dt.date | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


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


def plan_pdf(version: WorkPlanVersion, *, client_name: str, handler_name: str) -> bytes:
    """The plan version as a PDF: goals, who does what, follow-ups, period and consent."""
    buffer = io.BytesIO()
    case = version.plan.case
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title="Din arbetsplan",
        author=settings.MUNICIPALITY_NAME,
        subject=f"Arbetsplan, ärende {case.reference}, version {version.number}",
    )
    styles = getSampleStyleSheet()
    body = ParagraphStyle(
        "body", parent=styles["BodyText"], fontName="Helvetica", fontSize=11, leading=15
    )
    h1 = ParagraphStyle("h1", parent=styles["Heading1"], fontName="Helvetica-Bold", fontSize=18)
    h2 = ParagraphStyle("h2", parent=styles["Heading2"], fontName="Helvetica-Bold", fontSize=13)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=12, textColor=colors.grey)

    def p(text: str, style=body) -> Paragraph:
        return Paragraph(escape(text), style)

    story = [
        p(f"{settings.MUNICIPALITY_NAME} – ekonomiskt bistånd", small),
        p("Din arbetsplan", h1),
        p(
            f"Det här är planen som du och {handler_name or 'din handläggare'} har gjort "
            "tillsammans. Den visar vad du vill uppnå, vad som ska göras och vem som gör det, "
            "och när vi ska träffas för att se hur det går."
        ),
        Spacer(1, 4 * mm),
        Table(
            [
                ["Namn", client_name],
                ["Ärende", case.reference],
                ["Planen gäller", f"{_date(version.valid_from)} – {_date(version.valid_to)}"],
                ["Version", str(version.number)],
            ],
            colWidths=[40 * mm, 120 * mm],
            style=[
                ("FONT", (0, 0), (-1, -1), "Helvetica", 10),
                ("FONT", (0, 0), (0, -1), "Helvetica-Bold", 10),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ],
        ),
        p("Dina mål", h2),
    ]
    goals = [
        ListItem(
            p(g["text"] + (f" (senast {_date(g['target_on'])})" if g.get("target_on") else "")),
            leftIndent=12,
        )
        for g in version.goals
    ]
    story.append(ListFlowable(goals, bulletType="bullet") if goals else p("Inga mål ännu."))
    story.append(p("Det här ska göras", h2))
    rows = [["Vad", "Vem gör det", "Senast"]]
    for activity in version.activities:
        who = WHO.get(activity["party"], "") or activity.get("partner", "") or "Samarbetspart"
        rows.append(
            [
                Paragraph(escape(activity["text"]), body),
                Paragraph(escape(who), body),
                _date(activity.get("due_on")),
            ]
        )
    story.append(
        Table(
            rows,
            colWidths=[95 * mm, 40 * mm, 30 * mm],
            repeatRows=1,
            style=[
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 10),
                ("FONT", (0, 1), (-1, -1), "Helvetica", 10),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ],
        )
    )
    story.append(p("Så följer vi upp planen", h2))
    follow_ups = [
        ListItem(p(f"{_date(f['on'])}: {HOW.get(f['method'], f['method'])}"), leftIndent=12)
        for f in version.planned_follow_ups
    ]
    story.append(
        ListFlowable(follow_ups, bulletType="bullet") if follow_ups else p("Inga datum ännu.")
    )
    if version.content.get("notes"):
        story += [p("Övrigt", h2), p(version.content["notes"])]
    story.append(p("Ditt godkännande", h2))
    if version.is_confirmed:
        story.append(
            p(
                f"Du godkände planen den {_date(version.consent_on)}, "
                f"{CONSENT_HOW.get(version.consent_method, '')}."
            )
        )
    else:
        story.append(
            p(
                "Planen är inte godkänd av dig ännu. Läs den och säg till om något ska ändras. "
                "Planen gäller när du har godkänt den."
            )
        )
    story += [
        Spacer(1, 4 * mm),
        p(
            "Vill du ändra något i planen? Kontakta din handläggare. En ändrad plan blir en ny "
            "version som du också godkänner. Om du inte kan följa planen, hör av dig så snart "
            "som möjligt."
        ),
        Spacer(1, 6 * mm),
        p(f"Utskriven {_date(timezone.localdate())}.", small),
    ]
    doc.build(story)
    return buffer.getvalue()
