"""Reads of calculations, decisions and appeals, always through the case access rules and
logged; plus the figures heads follow (decision times, deadlines).

For the payments app: `granted_lines_in_force()` gives every granted amount of a decision in
force (final, not replaced), with its decision (month, decision maker) at hand.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import Application, Case
from bistand.cases.selectors import cases_visible_to, open_case
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.organisation.models import Role, Section

from .models import (
    OPEN_APPEAL_STATUSES,
    Appeal,
    AppealStatus,
    AutomaticDecisionReview,
    Calculation,
    Decision,
    DecisionLine,
    DecisionStatus,
    Outcome,
)
from .permissions import require

DECISION_TARGET_DAYS = 7  # DOMAIN.md: a decision within one week of a complete application

DECISION_NOT_FOUND = "Beslutet finns inte eller så saknar du behörighet."


def _open(user, case_id: int, what: str, action: str = AuditAction.VIEW) -> Case:
    """open_case (checks and logs); a refusal answers like a missing record."""
    try:
        return open_case(user, case_id, action=action, what=what)
    except PermissionRefused as refusal:
        if refusal.code != "case_access_denied":
            raise
        raise NotFound("not_found", DECISION_NOT_FOUND, case_id=case_id)


def case_of(user, case_id: int, *, what: str) -> Case:
    """A case the user may open (logged), answering a refusal like a missing record."""
    return _open(user, case_id, what)


def decisions_visible_to(user) -> QuerySet[Decision]:
    return Decision.objects.filter(case__in=cases_visible_to(user))


def in_force_q() -> Q:
    """Final and not replaced by a later final decision."""
    replaced = Decision.objects.filter(replaces=OuterRef("pk"), status=DecisionStatus.FINAL)
    return Q(status=DecisionStatus.FINAL) & ~Q(Exists(replaced))


def open_decision(user, decision_id: int, *, what: str = "decision") -> Decision:
    case_id = Decision.objects.filter(pk=decision_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound("decision_not_found", DECISION_NOT_FOUND)
    _open(user, case_id, f"{what}:{decision_id}")
    return (
        Decision.objects.select_related(
            "case__household",
            "application",
            "calculation",
            "decided_by",
            "replaces",
            "referred_to",
            "referred_by",
            "investigation_version",
        )
        .prefetch_related("lines", "support_obstacles__person", "replacements", "appeals")
        .get(pk=decision_id)
    )


def letter_of(user, decision_id: int):
    """The stored letter, for download (logged as a download)."""
    decision = Decision.objects.filter(pk=decision_id).select_related("letter").first()
    if decision is None:
        raise NotFound("decision_not_found", DECISION_NOT_FOUND)
    _open(user, decision.case_id, f"decision_letter:{decision_id}", AuditAction.DOWNLOAD)
    letter = getattr(decision, "letter", None)
    if letter is None:
        raise NotFound("no_letter", "Beslutet har inget beslutsbrev.")
    _refuse_letter_showing_protected_address(decision, letter)
    return decision, letter


def _refuse_letter_showing_protected_address(decision: Decision, letter) -> None:
    """A letter stored before someone in the household got protected identity may carry the
    address. It stays stored unchanged (a record of what was sent), but is not handed out."""
    household = decision.case.household
    if not (household.address and household.is_address_protected):
        return
    from .letters import letter_text

    def squeezed(text: str) -> str:
        return "".join(text.split()).casefold()

    if squeezed(household.address) in squeezed(letter_text(bytes(letter.pdf))):
        raise DomainError(
            "letter_shows_protected_address",
            "Beslutsbrevet skrevs innan någon i hushållet fick skyddade personuppgifter och "
            "innehåller adressen, så det kan inte visas. Kontakta enhetschefen.",
        )


def open_calculation(user, calculation_id: int) -> Calculation:
    case_id = (
        Calculation.objects.filter(pk=calculation_id).values_list("case_id", flat=True).first()
    )
    if case_id is None:
        raise NotFound(
            "calculation_not_found", "Beräkningen finns inte eller så saknar du behörighet."
        )
    _open(user, case_id, f"calculation:{calculation_id}")
    return Calculation.objects.select_related("application", "case", "local_guideline").get(
        pk=calculation_id
    )


def open_appeal(user, appeal_id: int) -> Appeal:
    case_id = Appeal.objects.filter(pk=appeal_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound(
            "appeal_not_found", "Överklagandet finns inte eller så saknar du behörighet."
        )
    _open(user, case_id, f"appeal:{appeal_id}")
    return Appeal.objects.select_related("decision", "case", "new_decision").get(pk=appeal_id)


def application_of(user, application_id: int, *, what: str) -> Application:
    case_id = (
        Application.objects.filter(pk=application_id).values_list("case_id", flat=True).first()
    )
    if case_id is None:
        raise NotFound("application_not_found", "Ansökan finns inte eller så saknar du behörighet.")
    case = _open(user, case_id, f"{what}:{application_id}")
    application = Application.objects.get(pk=application_id)
    application.case = case
    return application


def decision_in_force(application: Application) -> Decision | None:
    """The final decision now in force for an application (the latest replacement)."""
    return (
        Decision.objects.filter(application=application)
        .filter(in_force_q())
        .order_by("-decided_at")
        .first()
    )


def granted_lines_in_force(
    *, month: dt.date | None = None, unit_id: int | None = None
) -> QuerySet[DecisionLine]:
    """For payments: every granted (or partly granted) line of a decision in force.

    Each line's `amount_granted` is what to pay for `decision.month`; `decision.decided_by`
    is the decision maker (None with `decision.automatic`). A replaced decision's lines are
    excluded here; net off what was already paid on `decision.replaces` when paying.
    """
    replaced = Decision.objects.filter(
        replaces=OuterRef("decision_id"), status=DecisionStatus.FINAL
    )
    lines = (
        DecisionLine.objects.filter(
            decision__status=DecisionStatus.FINAL,
            outcome__in=[Outcome.GRANTED, Outcome.PARTLY_GRANTED],
            amount_granted__gt=0,
        )
        .exclude(Exists(replaced))
        .select_related("decision", "decision__decided_by", "decision__case")
    )
    if month is not None:
        lines = lines.filter(decision__month=month)
    if unit_id is not None:
        lines = lines.filter(decision__case__unit_id=unit_id)
    return lines.order_by("decision_id", "position")


# --- Decision time -------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionTime:
    application: Application
    started_on: dt.date
    decided_on: dt.date | None
    days: int

    @property
    def within_target(self) -> bool:
        return self.days <= DECISION_TARGET_DAYS

    @property
    def level(self) -> str:
        if self.days > DECISION_TARGET_DAYS:
            return "red"
        return "warn" if self.days > 5 else "ok"


def decision_time(application: Application, today: dt.date | None = None) -> DecisionTime:
    """From the complete application (else its arrival) to the first final decision on it;
    for an undecided application, the days waited until today."""
    return decision_times([application], today)[application.pk]


def decision_times(
    applications: list[Application],
    today: dt.date | None = None,
    *,
    decisions: list[Decision] | None = None,
) -> dict[int, DecisionTime]:
    """`decision_time` for many applications in one query, by application id; none when the
    caller has the applications' decisions already (`decisions`, e.g. the case page's)."""
    first: dict[int, dt.date] = {}
    if decisions is not None:
        rows = sorted(
            (
                (d.decided_at, d.pk, d.application_id, d.decided_on)
                for d in decisions
                if d.status == DecisionStatus.FINAL and d.replaces_id is None
            ),
            key=lambda row: (row[0], row[1]),
            reverse=True,
        )
        pairs = [(application_id, on) for _, _, application_id, on in rows]
    else:
        pairs = (
            Decision.objects.filter(
                application__in=[a.pk for a in applications],
                status=DecisionStatus.FINAL,
                replaces__isnull=True,
            )
            .order_by("-decided_at", "-id")  # the model's order, as .first() used
            .values_list("application_id", "decided_on")
        )
    for application_id, decided_on in pairs:
        first.setdefault(application_id, decided_on)
    today = today or timezone.localdate()
    found = {}
    for application in applications:
        start = application.complete_on or application.received_on
        decided = first.get(application.pk)
        end = decided or today
        found[application.pk] = DecisionTime(
            application, start, decided, max(0, (end - start).days)
        )
    return found


@dataclass(frozen=True)
class SectionDecisionTimes:
    section: Section
    decided: int
    within_target: int
    median_days: float | None
    longest_days: int | None
    waiting_over_target: int

    @property
    def share_within_target(self) -> int | None:
        return round(100 * self.within_target / self.decided) if self.decided else None


def decision_times_by_section(
    user, *, since: dt.date, until: dt.date | None = None
) -> list[SectionDecisionTimes]:
    """Per section of the user's unit (a section head: their section), decisions made in the
    period against the one-week target, and undecided applications already past it."""
    require(user, "view_decision_overview")
    until = until or timezone.localdate()
    sections = Section.objects.filter(unit_id=user.unit_id).order_by("name")
    if user.role == Role.SECTION_HEAD:
        sections = sections.filter(pk=user.section_id)
    originals = Decision.objects.filter(
        status=DecisionStatus.FINAL,
        replaces__isnull=True,
        decided_on__gte=since,
        decided_on__lte=until,
        case__unit_id=user.unit_id,
    ).values_list(  # plain values: a unit decides thousands a quarter, no model objects needed
        "case__section_id", "decided_on", "application__complete_on", "application__received_on"
    )
    per_section: dict[int, list[int]] = {}
    for section_id, decided_on, complete_on, received_on in originals:
        start = complete_on or received_on
        per_section.setdefault(section_id, []).append(max(0, (decided_on - start).days))
    waiting = Application.objects.filter(
        status__in=["received", "complete"], case__unit_id=user.unit_id
    ).values_list("case__section_id", "complete_on", "received_on")
    late: dict[int, int] = {}
    for section_id, complete_on, received_on in waiting:
        if (until - (complete_on or received_on)).days > DECISION_TARGET_DAYS:
            late[section_id] = late.get(section_id, 0) + 1
    result = []
    for section in sections:
        days = per_section.get(section.pk, [])
        result.append(
            SectionDecisionTimes(
                section=section,
                decided=len(days),
                within_target=sum(1 for d in days if d <= DECISION_TARGET_DAYS),
                median_days=statistics.median(days) if days else None,
                longest_days=max(days) if days else None,
                waiting_over_target=late.get(section.pk, 0),
            )
        )
    record(
        user,
        AuditAction.VIEW,
        object_type="decisions.decision_times",
        detail={"since": since.isoformat(), "until": until.isoformat()},
    )
    return result


# --- Queues and deadlines for heads and handlers -------------------------------------------


def referrals_for(user) -> QuerySet[Decision]:
    """Decisions sent to this user to decide (a unit head also sees the unit's unaddressed)."""
    qs = Decision.objects.filter(status=DecisionStatus.REFERRED).filter(
        case__in=cases_visible_to(user)
    )
    if user.role == Role.UNIT_HEAD:
        qs = qs.filter(Q(referred_to=user) | Q(referred_to__isnull=True))
    else:
        qs = qs.filter(referred_to=user)
    return qs.select_related("case__household", "referred_by", "application").order_by(
        "referred_at"
    )


def prepared_for(user) -> QuerySet[Decision]:
    """System-prepared decisions waiting for confirmation, in the user's own cases."""
    return (
        Decision.objects.filter(status=DecisionStatus.PREPARED)
        .filter(Q(case__handler=user) | Q(case__assistant=user))
        .select_related("case__household", "application")
        .order_by("month", "id")
    )


def returned_to(user) -> QuerySet[Decision]:
    return (
        Decision.objects.filter(status=DecisionStatus.RETURNED, referred_by=user)
        .select_related("case__household", "referred_to")
        .order_by("-returned_at")[:20]
    )


def open_appeals(user) -> QuerySet[Appeal]:
    """Appeals not yet closed in cases the user may open, most urgent first."""
    return (
        Appeal.objects.filter(status__in=OPEN_APPEAL_STATUSES, case__in=cases_visible_to(user))
        .select_related("decision", "case__household", "case__section")
        .order_by("status", "forward_deadline", "id")
    )


@dataclass(frozen=True)
class AppealDeadline:
    appeal: Appeal
    what: str
    due: dt.date | None
    level: str


def appeal_deadlines(
    user, today: dt.date | None = None, *, due_only: bool = False, limit: int | None = None
) -> list[AppealDeadline]:
    """What is due on each open appeal: reconsider and forward within the week; await court.
    `due_only`: only appeals with a deadline of the unit's own (not those awaiting the court);
    `limit`: the most urgent that many (the start page's short list), cut in the database."""
    today = today or timezone.localdate()
    rows = []
    appeals = open_appeals(user)
    if due_only:
        appeals = appeals.filter(status=AppealStatus.REGISTERED)
    if limit is not None:
        appeals = appeals[:limit]
    for appeal in appeals:
        if appeal.status == AppealStatus.REGISTERED:
            due = appeal.forward_deadline
            what = "Ompröva och överlämna till förvaltningsrätten"
            if appeal.in_time is False:
                what = "Avvisa – kom in för sent"
            level = "red" if today > due else ("warn" if (due - today).days <= 2 else "ok")
        else:
            due, what, level = None, "Väntar på förvaltningsrättens avgörande", "ok"
        rows.append(AppealDeadline(appeal, what, due, level))
    return rows


def review_queue(user) -> QuerySet[AutomaticDecisionReview]:
    require(user, "review_automatic")
    return (
        AutomaticDecisionReview.objects.filter(
            reviewed_at__isnull=True, decision__case__in=cases_visible_to(user)
        )
        .select_related("decision__case__household")
        .order_by("sampled_on", "id")
    )


def case_decisions(case: Case) -> list[Decision]:
    """Every decision of a case with its drafts, newest first (for the case panel); each with
    `final_replacements`, the final decisions of the case that replace it (a changed decision
    is made on the same case: read from the same rows, no query per decision)."""
    rows = list(
        Decision.objects.filter(case=case)
        .exclude(status=DecisionStatus.SUPERSEDED)
        .select_related("decided_by", "replaces", "referred_to", "letter")
        .order_by("-month", "-created_at")
    )
    replacing: dict[int, list[Decision]] = {}
    for decision in rows:
        if decision.replaces_id and decision.status == DecisionStatus.FINAL:
            replacing.setdefault(decision.replaces_id, []).append(decision)
    for decision in rows:
        decision.final_replacements = replacing.get(decision.pk, [])
    return rows
