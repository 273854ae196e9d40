"""Documentation backlog (dokumentationsskuld) per handler and section: unsigned drafts
(journal entries, investigation versions, decision drafts not yet decided), journal entries written long after the event, and
applications without a decision past the unit's target. For section heads (their section)
and unit heads (the unit), oldest first. docs/recovery.md, "Documentation backlog".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import UNDECIDED_STATUSES, Application, InvestigationVersion, JournalEntry
from bistand.cases.selectors import cases_visible_to, log_list_read
from bistand.cases.services import atomic_service
from bistand.core.errors import DomainError, PermissionRefused
from bistand.core.text import NOTE_TEXT, check_text
from bistand.organisation.models import Role

from .permissions import require
from .recovery_models import (
    DEFAULT_DECISION_TARGET_DAYS,
    DEFAULT_JOURNAL_DELAY_DAYS,
    BacklogSettings,
)

# Late journal entries are looked for among those written in this many days (a backlog is
# about what is outstanding now, not the case's whole history).
LATE_JOURNAL_WINDOW_DAYS = 90
MAX_ITEMS = 500
# decisions.DecisionStatus.PREPARED and REFERRED (decisions.models.OPEN_DRAFT_STATUSES), named
# here because controls may not import decisions.
OPEN_DECISION_DRAFTS = ("prepared", "referred")


@dataclass(frozen=True)
class Limits:
    journal_delay_days: int
    decision_target_days: int
    row: BacklogSettings | None


def limits_for(unit) -> Limits:
    row = BacklogSettings.objects.filter(unit=unit).first() if unit else None
    if row is None:
        return Limits(DEFAULT_JOURNAL_DELAY_DAYS, DEFAULT_DECISION_TARGET_DAYS, None)
    return Limits(row.journal_delay_days, row.decision_target_days, row)


@atomic_service
def set_backlog_limits(
    actor, unit, *, journal_delay_days: int, decision_target_days: int, note: str = ""
) -> BacklogSettings:
    """A new row of the unit's limits (the old rows stay as history)."""
    require(actor, "configure_backlog")
    if unit is None or actor.unit_id != unit.pk:
        raise PermissionRefused("other_unit", "Du kan bara ändra inställningar för din egen enhet.")
    for value, what in ((journal_delay_days, "journalgränsen"), (decision_target_days, "målet")):
        if not isinstance(value, int) or not 1 <= value <= 365:
            raise DomainError("bad_days", f"Ange {what} som 1–365 dagar.")
    row = BacklogSettings.objects.create(
        unit=unit,
        journal_delay_days=journal_delay_days,
        decision_target_days=decision_target_days,
        note=check_text((note or "").strip(), NOTE_TEXT, "anledning"),
        created_by=actor,
    )
    record(actor, AuditAction.CREATE, obj=row,
           detail={"unit": unit.pk, "journal_delay_days": journal_delay_days,
                   "decision_target_days": decision_target_days})  # fmt: skip
    return row


@dataclass(frozen=True)
class Item:
    # "draft_journal" | "draft_investigation" | "draft_decision" | "late_journal" | "late_decision"
    kind: str
    label: str
    handler_id: int | None
    handler_name: str
    section_name: str
    case_id: int
    case_reference: str
    since: dt.date
    days: int


@dataclass
class HandlerRow:
    handler_name: str
    section_name: str
    drafts: int = 0
    late_journal: int = 0
    late_decisions: int = 0
    oldest: dt.date | None = None

    @property
    def total(self) -> int:
        return self.drafts + self.late_journal + self.late_decisions


def _name(user) -> str:
    if user is None:
        return "Ingen handläggare"
    return user.get_full_name() or user.username


def scope_cases(user):
    """The cases a head's backlog covers: their section (section head) or unit (unit head),
    always within what they may open."""
    require(user, "view_backlog")
    cases = cases_visible_to(user).filter(unit_id=user.unit_id)
    if user.role == Role.SECTION_HEAD:
        cases = cases.filter(section_id=user.section_id)
    return cases


def _decision_drafts(case_ids, today: dt.date) -> list[Item]:
    """Decision drafts not yet decided: prepared by the system (waiting for the case's handler
    to confirm) or referred to someone with delegation (waiting for them), since they were
    prepared or referred. Decisions sit beside controls, so the table is reached through the
    app registry (as the control runs do); one query."""
    decision = apps.get_model("decisions", "Decision")
    drafts = (
        decision.objects.filter(case_id__in=case_ids, status__in=OPEN_DECISION_DRAFTS)
        .select_related("case__section", "case__handler", "referred_to")
        .order_by("created_at", "pk")
    )
    items = []
    for draft in drafts[:MAX_ITEMS]:
        case = draft.case
        if draft.status == "referred":
            owner = draft.referred_to
            since = timezone.localtime(draft.referred_at or draft.created_at).date()
            label = _("Beslutsutkast %(month)s skickat för beslut till %(name)s, inte fattat") % {
                "month": f"{draft.month:%Y-%m}",
                "name": _name(owner),
            }
        else:
            owner = case.handler
            since = timezone.localtime(draft.created_at).date()
            label = _("Beslutsutkast %(month)s förberett, inte bekräftat") % {
                "month": f"{draft.month:%Y-%m}"
            }
        items.append(Item("draft_decision", label, owner.pk if owner else None, _name(owner),
                          case.section.name, case.pk, case.reference, since,
                          (today - since).days))  # fmt: skip
    return items


def backlog(user, *, today: dt.date | None = None) -> tuple[list[Item], list[HandlerRow], Limits]:
    """The backlog the head may see, oldest first, and a summary per handler and section.
    Logged as one list read naming the cases shown."""
    today = today or timezone.localdate()
    limits = limits_for(user.unit)
    case_ids = scope_cases(user).values("id")
    items: list[Item] = []

    drafts = JournalEntry.objects.filter(case_id__in=case_ids, signed_at__isnull=True)
    for entry in drafts.select_related("case__section", "written_by")[:MAX_ITEMS]:
        since = timezone.localtime(entry.created_at).date()
        items.append(Item("draft_journal", "Osignerad journalanteckning", entry.written_by_id,
                          _name(entry.written_by), entry.case.section.name, entry.case_id,
                          entry.case.reference, since, (today - since).days))  # fmt: skip

    versions = InvestigationVersion.objects.filter(
        investigation__case_id__in=case_ids, signed_at__isnull=True
    ).select_related("investigation__case__section", "created_by")
    for version in versions[:MAX_ITEMS]:
        case = version.investigation.case
        since = timezone.localtime(version.created_at).date()
        items.append(Item("draft_investigation", "Osignerat utkast till utredning",
                          version.created_by_id, _name(version.created_by), case.section.name,
                          case.pk, case.reference, since, (today - since).days))  # fmt: skip

    items += _decision_drafts(case_ids, today)

    window_start = timezone.now() - dt.timedelta(days=LATE_JOURNAL_WINDOW_DAYS)
    late = JournalEntry.objects.filter(
        case_id__in=case_ids, created_at__gte=window_start, corrects__isnull=True
    ).select_related("case__section", "written_by")
    for entry in late.order_by("occurred_on")[: MAX_ITEMS * 4]:
        written = timezone.localtime(entry.created_at).date()
        delay = (written - entry.occurred_on).days
        if delay > limits.journal_delay_days:
            items.append(Item("late_journal",
                              f"Journalanteckning skriven {delay} dagar efter händelsen",
                              entry.written_by_id, _name(entry.written_by),
                              entry.case.section.name, entry.case_id, entry.case.reference,
                              entry.occurred_on, (today - entry.occurred_on).days))  # fmt: skip

    waiting = Application.objects.filter(
        case_id__in=case_ids, status__in=UNDECIDED_STATUSES
    ).select_related("case__section", "case__handler")
    for application in waiting.order_by("received_on")[:MAX_ITEMS]:
        start = application.complete_on or application.received_on
        days = (today - start).days
        if days > limits.decision_target_days:
            case = application.case
            items.append(Item("late_decision",
                              f"Ansökan {application.month:%Y-%m} utan beslut i {days} dagar "
                              f"(mål {limits.decision_target_days})",
                              case.handler_id, _name(case.handler), case.section.name, case.pk,
                              case.reference, start, days))  # fmt: skip

    items.sort(key=lambda item: (item.since, item.case_id, item.kind))
    items = items[:MAX_ITEMS]
    rows: dict[tuple, HandlerRow] = {}
    for item in items:
        row = rows.setdefault(
            (item.handler_id, item.section_name), HandlerRow(item.handler_name, item.section_name)
        )
        if item.kind.startswith("draft"):
            row.drafts += 1
        elif item.kind == "late_journal":
            row.late_journal += 1
        else:
            row.late_decisions += 1
        row.oldest = min(row.oldest or item.since, item.since)
    summary = sorted(rows.values(), key=lambda row: (row.oldest, row.handler_name))
    log_list_read(user, "documentation_backlog", case_ids=[item.case_id for item in items])
    return items, summary, limits
