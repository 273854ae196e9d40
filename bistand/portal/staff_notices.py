"""Nytt från sökande: the staff's notices of what the applicant sent through the e-service
(an application, an answer to a completion request, a message, documents, an appeal). In-app
only: nothing is e-mailed. docs/portal.md, "Notices to the handler".

`notify_staff` is called by the applicant's acts inside their own transaction (a notice is
written with the act or not at all). A notice is shown on the start page to the case's handler
today, or, when the case has no handler, to the staff of the case's section — always through
the case-visibility rules (`cases_visible_to`: another section, a protected case the user may
not open, a conflict of interest (jäv) hide it). Reading it is a `StaffNoticeRead` row."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases import selectors as case_selectors
from bistand.cases.models import Case
from bistand.cases.rules import SECTION_ROLES
from bistand.households.models import Person
from bistand.households.selectors import attach_applicants

from .models import StaffNotice, StaffNoticeKind, StaffNoticeRead

# How many cases the start page lists (the count shows all).
HOME_LIMIT = 30


def notify_staff(case: Case, kind: str, *, person: Person, event: str) -> StaffNotice:
    """A notice to the case's handler (or its section's queue) that `person` sent something.
    Once per event: a second report of the same event returns the first notice."""
    # The handler and section as stored now (the caller's object may predate a reassignment).
    handler_id, section_id = (
        Case.objects.filter(pk=case.pk).values_list("handler_id", "section_id").get()
    )
    notice, _created = StaffNotice.objects.get_or_create(
        event=event,
        defaults={
            "case_id": case.pk,
            "kind": kind,
            "person": person,
            "handler_id": handler_id,
            "section_id": section_id,
        },
    )
    return notice


def unread_for(user) -> QuerySet[StaffNotice]:
    """The notices `user` has not read, of the cases they hold or (with no handler) their
    section's, that they may open."""
    if not getattr(user, "is_authenticated", False):
        return StaffNotice.objects.none()
    addressed = Q(case__handler_id=user.pk)
    if user.role in SECTION_ROLES and user.section_id:
        addressed |= Q(case__handler__isnull=True, case__section_id=user.section_id)
    return (
        StaffNotice.objects.filter(addressed)
        .filter(case_id__in=case_selectors.cases_visible_to(user).values("id"))
        .exclude(Exists(StaffNoticeRead.objects.filter(notice_id=OuterRef("pk"), user_id=user.pk)))
    )


@dataclass
class CaseNews:
    case: Case
    kinds: list[str] = field(default_factory=list)
    count: int = 0
    latest: object = None
    queue: bool = False  # addressed to the section's queue (no handler)


def home_news(user) -> tuple[int, list[CaseNews]]:
    """(unread notices, the cases with unread notices, newest first) for the start page."""
    notices = list(
        unread_for(user).select_related("case", "case__household").order_by("-created_at", "-id")
    )
    by_case: dict[int, CaseNews] = {}
    labels = dict(StaffNoticeKind.choices)
    for notice in notices:
        news = by_case.get(notice.case_id)
        if news is None:
            if len(by_case) >= HOME_LIMIT:
                continue
            news = by_case[notice.case_id] = CaseNews(
                case=notice.case,
                latest=notice.created_at,
                queue=notice.case.handler_id is None,
            )
        news.count += 1
        label = str(labels.get(notice.kind, notice.kind))
        if label not in news.kinds:
            news.kinds.append(label)
    rows = list(by_case.values())
    attach_applicants(news.case.household for news in rows)
    return len(notices), rows


def mark_case_read(user, case_id: int) -> int:
    """`user` has read the case's notices addressed to them: a read row for each unread one.
    A case the user may not open answers 404 (`cases.selectors.open_case`'s refusal is not
    used: nothing of the case is read here). Returns how many were marked."""
    notices = list(unread_for(user).filter(case_id=case_id).values_list("pk", flat=True))
    StaffNoticeRead.objects.bulk_create(
        [StaffNoticeRead(notice_id=pk, user_id=user.pk) for pk in notices],
        ignore_conflicts=True,
    )
    if notices:
        record(
            user,
            AuditAction.UPDATE,
            object_type="portal.staffnotice",
            case_id=case_id,
            detail={"read": notices},
        )
    return len(notices)
