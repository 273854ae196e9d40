"""Reads for following a case on Mina sidor: a decision with its calculation in plain Swedish,
the appeal instructions and deadline, the work plan and its signatures (docs/portal.md).

Every read goes through `selectors.open_case` (the person's household's case today, logged as
a read; 404 for anything else); a decision or plan version that is not that case's is 404 too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bistand.decisions import legal
from bistand.decisions.calculations import breakdown
from bistand.decisions.letters import address_of_board
from bistand.decisions.models import Appeal, Decision, DecisionStatus, Outcome
from bistand.decisions.services import decision_receipt
from bistand.households.models import Person
from bistand.workplans.models import PlanSignature, WorkPlan, WorkPlanVersion

from .selectors import open_case

OUTCOME_PLAIN = {
    Outcome.GRANTED: gettext_lazy("Du får ekonomiskt bistånd så som du sökte."),
    Outcome.PARTLY_GRANTED: gettext_lazy("Du får ekonomiskt bistånd för en del av det du sökte."),
    Outcome.REFUSED: gettext_lazy("Du får inte ekonomiskt bistånd för det du sökte."),
}
LINE_OUTCOME_PLAIN = {
    Outcome.GRANTED: gettext_lazy("Beviljat"),
    Outcome.PARTLY_GRANTED: gettext_lazy("Beviljat delvis"),
    Outcome.REFUSED: gettext_lazy("Inte beviljat"),
}

# The calculation's sections (decisions.calculations.breakdown), each with a heading and a
# sentence in plain Swedish (klarspråk). The figures and line texts are the handler's.
NEED = "need"
SECTION_PLAIN = {
    "Riksnormen": (
        gettext_lazy("Det ert hushåll behöver till vardagen (riksnormen)"),
        gettext_lazy(
            "Riksnormen är ett belopp som regeringen bestämmer för mat, kläder, hygien och andra "
            "vardagliga kostnader. Den beror på hur många ni är och på barnens ålder."
        ),
    ),
    "Skäliga kostnader utanför riksnormen": (
        gettext_lazy("Boende och andra kostnader vi har räknat med"),
        gettext_lazy(
            "Kostnader som hyra, hushållsel och hemförsäkring räknas med till ett skäligt belopp."
        ),
    ),
    "Livsföring i övrigt": (
        gettext_lazy("Andra kostnader du har sökt för"),
        gettext_lazy("Till exempel tandvård, glasögon eller möbler."),
    ),
    NEED: (
        gettext_lazy("Hushållets behov"),
        gettext_lazy("Riksnormen och kostnaderna ovan tillsammans."),
    ),
    "Inkomster": (
        gettext_lazy("Inkomster vi har räknat av"),
        gettext_lazy(
            "Hushållets inkomster den månaden dras av från behovet, till exempel lön, "
            "ersättningar och bidrag."
        ),
    ),
    "Resultat": (
        gettext_lazy("Resultat"),
        gettext_lazy("Behovet minus inkomsterna är det ekonomiska bistånd beräkningen ger."),
    ),
}


@dataclass
class PlainSection:
    heading: str
    intro: str
    rows: list = field(default_factory=list)


def plain_calculation(decision: Decision) -> list[PlainSection]:
    """The decision's calculation line by line, grouped under plain headings: the same lines
    and figures the handler sees (`decisions.calculations.breakdown`), without the handler's
    warnings, the proposal and the norm table's checksum."""
    calculation = decision.calculation
    if calculation is None or not calculation.result:
        return []
    sections: list[PlainSection] = []
    current_key = None
    for row in breakdown(calculation):
        if row.style in ("warning", "outcome") or (row.amount is None and row.style == "line"):
            continue
        key = NEED if row.label == "Summa behov" else row.section
        if key not in SECTION_PLAIN:
            continue
        if key != current_key:
            heading, intro = SECTION_PLAIN[key]
            sections.append(PlainSection(str(heading), str(intro)))
            current_key = key
        sections[-1].rows.append(row)
    return sections


def decision_of(person: Person, case_id: int, decision_id: int, *, what: str = "decision"):
    """The person's case and one of its final decisions (logged as a read); 404 otherwise."""
    case = open_case(person, case_id, what=f"{what}:{decision_id}")
    decision = (
        Decision.objects.filter(pk=decision_id, case=case, status=DecisionStatus.FINAL)
        .select_related("calculation", "letter", "case__unit", "replaces")
        .prefetch_related("lines")
        .first()
    )
    if decision is None:
        raise Http404
    return case, decision


@dataclass
class AppealInfo:
    instructions: list[str]
    received_on: dt.date | None  # when the applicant received the decision, if recorded
    deadline: dt.date | None  # the last day, if that is known
    late: bool  # known to be past the deadline today
    appeals: list[Appeal]


def appeal_info(decision: Decision, today: dt.date) -> AppealInfo:
    """How to appeal and by when: the letter's instructions, and the deadline the appeal
    service would compute today (three weeks from a recorded receipt of the decision; without
    one the deadline is not known and an appeal counts as in time, decisions.legal)."""
    unit = decision.case.unit
    # The same instructions and board name as the decision letter (decisions.letters).
    municipality = unit.municipality_name or settings.MUNICIPALITY_NAME
    instructions = legal.appeal_instructions(
        f"Socialnämnden i {municipality}", address_of_board(unit)
    )
    received_on, _basis = decision_receipt(decision)
    deadline = legal.appeal_deadline(received_on) if received_on else None
    appeals = list(Appeal.objects.filter(decision=decision).order_by("received_on", "id"))
    return AppealInfo(
        instructions=instructions,
        received_on=received_on,
        deadline=deadline,
        late=legal.appeal_in_time(received_on, today) is False,
        appeals=appeals,
    )


def decision_amounts(decision: Decision) -> tuple[Decimal, Decimal]:
    lines = list(decision.lines.all())
    return (
        sum((line.amount_applied for line in lines), Decimal("0")),
        sum((line.amount_granted for line in lines), Decimal("0")),
    )


@dataclass
class PlanView:
    version: WorkPlanVersion
    label: str
    signatures: list[PlanSignature]  # this person's, newest first
    signed_now: bool  # this person has signed the content as it is now


def plan_versions(person: Person, case) -> list[PlanView]:
    """The plan in force (latest confirmed version) and the handler's proposal (the draft), with
    this person's signatures. `case` comes from `open_case` for this person."""
    plan = WorkPlan.objects.filter(case=case).first()
    if plan is None:
        return []
    shown = []
    confirmed = plan.latest_confirmed()
    draft = plan.draft()
    if draft is not None:
        shown.append((draft, _("Förslag till ny plan från din handläggare")))
    if confirmed is not None:
        shown.append((confirmed, _("Din plan som gäller nu")))
    signatures = list(
        PlanSignature.objects.filter(
            person=person, version__in=[v for v, _label in shown]
        ).order_by("-signed_at", "-id")
    )
    views = []
    for version, label in shown:
        mine = [s for s in signatures if s.version_id == version.pk]
        views.append(
            PlanView(
                version=version,
                label=str(label),
                signatures=mine,
                signed_now=any(s.matches(version) for s in mine),
            )
        )
    return views


def plan_version_of(person: Person, case_id: int, version_id: int):
    """The person's case and one of its plan versions shown on Mina sidor; 404 otherwise."""
    case = open_case(person, case_id, what=f"plan:{version_id}")
    shown = {view.version.pk: view.version for view in plan_versions(person, case)}
    if version_id not in shown:
        raise Http404
    return case, shown[version_id]
