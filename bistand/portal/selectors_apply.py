"""Reads for applying online and completion requests (docs/portal.md).

The applicant's reads go through `selectors.open_case` (their household's case, logged); the
staff panel is part of the case page, which the case app has opened and logged.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from bistand.cases.models import Case
from bistand.cases.selectors import TimelineItem
from bistand.core.models import prefetched
from bistand.households.models import Person

from . import selectors
from .models import (
    CompletionAnswer,
    CompletionRequest,
    EApplication,
    EApplicationStatus,
)


@dataclass
class RequestRow:
    request: CompletionRequest
    answered: bool
    overdue: bool


def _rows(requests) -> list[RequestRow]:
    today = timezone.localdate()
    rows = []
    for request in requests:
        answered = bool(request.answers.all())
        rows.append(RequestRow(request, answered, not answered and request.due_on < today))
    return rows


def _request_queryset():
    return (
        CompletionRequest.objects.select_related("requested_by")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=CompletionAnswer.objects.select_related("person").prefetch_related(
                    "documents"
                ),
            )
        )
        .order_by("-requested_at", "-id")
    )


def _requests(case_ids) -> list[CompletionRequest]:
    return list(_request_queryset().filter(case_id__in=case_ids))


def case_page_prefetch() -> list:
    """What the panel and the timeline read of a case, for the case page to read once
    (cases.views.CASE_PAGE_PREFETCH)."""
    return [Prefetch("completion_requests", queryset=_request_queryset())]


def _case_requests(case: Case) -> list[CompletionRequest]:
    rows = prefetched(case, "completion_requests")
    return rows if rows is not None else _requests([case.pk])


def completion_rows(case: Case) -> list[RequestRow]:
    """A case's requests with their answers, newest first (staff panel and applicant page)."""
    return _rows(_case_requests(case))


def open_requests_of(person: Person) -> list[RequestRow]:
    """Unanswered requests on the person's household's cases (Mina sidor)."""
    case_ids = selectors._cases_of(person).values_list("pk", flat=True)
    return [row for row in _rows(_requests(case_ids)) if not row.answered]


def completion_request_of(person: Person, case_id: int, request_id: int):
    """The person's case (logged as a read) and one of its requests; 404 for any other id."""
    case = selectors.open_case(person, case_id, what=f"completion:{request_id}")
    request = CompletionRequest.objects.filter(pk=request_id, case=case).first()
    if request is None:
        raise Http404
    return case, request


def drafts_of(person: Person) -> list[EApplication]:
    return list(
        EApplication.objects.filter(person=person, status=EApplicationStatus.DRAFT).order_by(
            "-updated_at"
        )
    )


def submitted_of(case: Case) -> list[EApplication]:
    """What the household filed through the e-service on the case (staff panel); no query
    when the page's applications show none came that way."""
    applications = prefetched(case, "applications")
    if applications is not None and not any(a.channel == "e_service" for a in applications):
        return []
    return list(
        EApplication.objects.filter(case=case, status=EApplicationStatus.SUBMITTED)
        .select_related("person", "application")
        .prefetch_related("attachments__document")
        .order_by("-submitted_at")
    )


def timeline_items(case: Case, since=None) -> list[TimelineItem]:
    """Completion requests and their answers on the case timeline (cases.TIMELINE_SOURCES)."""
    items = []
    today = timezone.localdate()
    for request in _case_requests(case):
        answered = bool(request.answers.all())
        state = (
            "besvarad"
            if answered
            else ("sista dag passerad" if request.due_on < today else "väntar på svar")
        )
        items.append(
            TimelineItem(
                timezone.localdate(request.requested_at),
                request.requested_at,
                "completion_request",
                "Begäran om komplettering",
                request,
                text=f"{request.text} (senast {request.due_on:%Y-%m-%d}, {state})",
            )
        )
        for answer in request.answers.all():
            names = ", ".join(d.title for d in answer.documents.all())
            items.append(
                TimelineItem(
                    timezone.localdate(answer.answered_at),
                    answer.answered_at,
                    "completion_answer",
                    "Komplettering inkommen (e-tjänst)",
                    answer,
                    text=f"{answer.person.full_name}: {answer.text or ''} {names}".strip(),
                )
            )
    return items
