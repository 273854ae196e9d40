"""Documentation backlog (dokumentationsskuld) per handler and section: unsigned drafts
(journal entries, investigation versions, decision drafts not yet decided), journal entries written long after the event, and
applications without a decision past the unit's target. For section heads (their section)
and unit heads (the unit), oldest first. docs/recovery.md, "Documentation backlog".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Case as DbCase
from django.db.models import DateField, F, QuerySet, When
from django.db.models.functions import Cast, Coalesce, TruncDate
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


@dataclass(frozen=True)
class Source:
    """One kind of backlog item: its rows in the scope, each annotated with `since` (the date
    the item dates from), and how a row becomes an Item."""

    kind: str
    rows: QuerySet
    handler: str  # the field naming the responsible handler, for the summary
    item: Callable[[object, dt.date], Item]
    case: str = "case"  # the path to the row's case


def _sources(case_ids, limits: Limits) -> list[Source]:
    """The four kinds of backlog, each filtered in the database (no row is loaded to be
    dropped in Python)."""
    local_date = TruncDate("created_at", tzinfo=timezone.get_current_timezone())
    window_start = timezone.now() - dt.timedelta(days=LATE_JOURNAL_WINDOW_DAYS)
    # written more than the limit's days after the event: the event is before the day written
    # minus the limit (cast back to a date: SQLite would compare a date with a timestamp text)
    late_after = Cast(local_date - dt.timedelta(days=limits.journal_delay_days), DateField())
    cutoff = timezone.localdate() - dt.timedelta(days=limits.decision_target_days)

    def draft_journal(entry, today):
        return Item("draft_journal", "Osignerad journalanteckning", entry.written_by_id,
                    _name(entry.written_by), entry.case.section.name, entry.case_id,
                    entry.case.reference, entry.since, (today - entry.since).days)  # fmt: skip

    def draft_investigation(version, today):
        case = version.investigation.case
        return Item("draft_investigation", "Osignerat utkast till utredning",
                    version.created_by_id, _name(version.created_by), case.section.name,
                    case.pk, case.reference, version.since, (today - version.since).days)  # fmt: skip

    def draft_decision(draft, today):
        case = draft.case
        if draft.status == "referred":  # waits for the one it was referred to
            owner = draft.referred_to
            label = _("Beslutsutkast %(month)s skickat för beslut till %(name)s, inte fattat") % {
                "month": f"{draft.month:%Y-%m}",
                "name": _name(owner),
            }
        else:  # prepared by the system: the case's handler confirms
            owner = case.handler
            label = _("Beslutsutkast %(month)s förberett, inte bekräftat") % {
                "month": f"{draft.month:%Y-%m}"
            }
        return Item("draft_decision", label, owner.pk if owner else None, _name(owner),
                    case.section.name, case.pk, case.reference, draft.since,
                    (today - draft.since).days)  # fmt: skip

    def late_journal(entry, today):
        written = timezone.localtime(entry.created_at).date()
        delay = (written - entry.occurred_on).days
        return Item("late_journal", f"Journalanteckning skriven {delay} dagar efter händelsen",
                    entry.written_by_id, _name(entry.written_by), entry.case.section.name,
                    entry.case_id, entry.case.reference, entry.since,
                    (today - entry.since).days)  # fmt: skip

    def late_decision(application, today):
        case, days = application.case, (today - application.since).days
        return Item("late_decision",
                    f"Ansökan {application.month:%Y-%m} utan beslut i {days} dagar "
                    f"(mål {limits.decision_target_days})",
                    case.handler_id, _name(case.handler), case.section.name, case.pk,
                    case.reference, application.since, days)  # fmt: skip

    return [
        Source(
            "draft_journal",
            JournalEntry.objects.filter(case_id__in=case_ids, signed_at__isnull=True)
            .annotate(since=local_date)
            .select_related("case__section", "written_by"),
            "written_by_id",
            draft_journal,
        ),
        Source(
            "draft_investigation",
            InvestigationVersion.objects.filter(
                investigation__case_id__in=case_ids, signed_at__isnull=True
            )
            .annotate(since=local_date)
            .select_related("investigation__case__section", "created_by"),
            "created_by_id",
            draft_investigation,
            case="investigation__case",
        ),
        Source(
            "draft_decision",
            # Decisions sit beside controls: the table is reached through the app registry
            # (as the control runs do).
            apps.get_model("decisions", "Decision")
            .objects.filter(case_id__in=case_ids, status__in=OPEN_DECISION_DRAFTS)
            .annotate(
                since=TruncDate(
                    DbCase(
                        When(status="referred", then=Coalesce("referred_at", "created_at")),
                        default=F("created_at"),
                    ),
                    tzinfo=timezone.get_current_timezone(),
                ),
                owner_id=DbCase(
                    When(status="referred", then=F("referred_to_id")),
                    default=F("case__handler_id"),
                ),
            )
            .select_related("case__section", "case__handler", "referred_to"),
            "owner_id",
            draft_decision,
        ),
        Source(
            "late_journal",
            JournalEntry.objects.filter(
                case_id__in=case_ids, created_at__gte=window_start, corrects__isnull=True
            )
            .annotate(since=F("occurred_on"), late_after=late_after)
            .filter(occurred_on__lt=F("late_after"))
            .select_related("case__section", "written_by"),
            "written_by_id",
            late_journal,
        ),
        Source(
            "late_decision",
            Application.objects.filter(case_id__in=case_ids, status__in=UNDECIDED_STATUSES)
            .annotate(since=Coalesce("complete_on", "received_on"))
            .filter(since__lt=cutoff)
            .select_related("case__section", "case__handler"),
            "case__handler_id",
            late_decision,
        ),
    ]


def _oldest(sources: list[Source], today: dt.date, limit: int) -> list[Item]:
    """The `limit` oldest items over every kind, oldest first (at most `limit` per kind read)."""
    items = [
        source.item(row, today)
        for source in sources
        for row in source.rows.order_by("since", f"{source.case}_id", "pk")[:limit]
    ]
    items.sort(key=lambda item: (item.since, item.case_id, item.kind))
    return items[:limit]


def backlog(user, *, today: dt.date | None = None) -> tuple[list[Item], list[HandlerRow], Limits]:
    """The backlog the head may see, oldest first, and a summary per handler and section.
    Logged as one list read naming the cases shown."""
    today = today or timezone.localdate()
    limits = limits_for(user.unit)
    items = _oldest(_sources(scope_cases(user).values("id"), limits), today, MAX_ITEMS)
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


@dataclass(frozen=True)
class Summary:
    """The start page's card: how many items, over how many handlers, and the oldest few."""

    count: int
    handlers: int
    oldest: list[Item]


def backlog_summary(user, *, today: dt.date | None = None, shown: int = 5) -> Summary:
    """Counted in the database, whatever the backlog's size: a few statements per load of a
    head's start page. Logged as a list read naming only the cases shown."""
    today = today or timezone.localdate()
    sources = _sources(scope_cases(user).values("id"), limits_for(user.unit))
    count = sum(source.rows.count() for source in sources)
    first, *others = [
        source.rows.values_list(source.handler, f"{source.case}__section_id").order_by()
        for source in sources
    ]
    pairs = set(first.union(*others)) if count else set()
    oldest = _oldest(sources, today, shown) if count else []
    log_list_read(user, "documentation_backlog_summary", case_ids=[i.case_id for i in oldest])
    return Summary(count, len(pairs), oldest)
