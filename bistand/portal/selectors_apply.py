"""Reads for applying online and completion requests (docs/portal.md).

The applicant's reads go through `selectors.open_case` (their household's case, logged); the
staff panel is part of the case page, which the case app has opened and logged.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import Case
from bistand.cases.selectors import TimelineItem
from bistand.core.errors import DomainError
from bistand.core.models import prefetched
from bistand.households.models import Person

from . import selectors
from .models import (
    CompletionAnswer,
    CompletionRequest,
    EApplication,
    EApplicationSignature,
    EApplicationStatus,
)
from .session import actor_for


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
        .prefetch_related(
            "attachments__document",
            Prefetch(
                "signatures",
                queryset=EApplicationSignature.objects.filter(outcome="signed")
                .select_related("person")
                .order_by("at", "id"),
                to_attr="signed_by",
            ),
        )
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


# --- Co-applicant signing ----------------------------------------------------------------


def awaiting_my_signature(person: Person) -> list[EApplication]:
    """Applications of the person's household that wait for their own signature (Mina sidor,
    Ansök): the other adult signed first."""
    return list(
        EApplication.objects.filter(
            co_signer=person, status=EApplicationStatus.AWAITING_CO_SIGNATURE
        )
        .select_related("person")
        .order_by("-assured_at", "-id")
    )


def awaiting_the_other(person: Person) -> list[EApplication]:
    """The person's own signed applications that wait for the other adult ("X har inte
    skrivit under ännu")."""
    return list(
        EApplication.objects.filter(person=person, status=EApplicationStatus.AWAITING_CO_SIGNATURE)
        .select_related("co_signer")
        .order_by("-assured_at", "-id")
    )


def awaiting_in_household(household_id: int, kind: str) -> EApplication | None:
    """The household's application of this kind that waits for a signature, if any."""
    return EApplication.objects.filter(
        household_id=household_id, kind=kind, status=EApplicationStatus.AWAITING_CO_SIGNATURE
    ).first()


def e_application_to_sign(person: Person, e_application_id: int, *, what: str) -> EApplication:
    """An application the person signed first or is asked to sign, logged as a read of it.
    404 for anyone else's id and for a draft; `CoSignerNotInHousehold` for a person who is
    no longer an adult of the household today (they see nothing of it)."""
    e_application = (
        EApplication.objects.select_related("person", "co_signer", "case", "application")
        .filter(pk=e_application_id)
        .filter(Q(person=person) | Q(co_signer=person), co_signer__isnull=False)
        .exclude(status=EApplicationStatus.DRAFT)
        .first()
    )
    if e_application is None:
        raise Http404
    if (
        not selectors._households_of(person)
        .filter(household_id=e_application.household_id)
        .exists()
    ):
        raise DomainError(
            "not_in_household",
            "Du är inte längre sökande eller medsökande i hushållet och kan inte se eller "
            "skriva under ansökan. Kontakta socialtjänsten om det inte stämmer.",
        )
    record(
        actor_for(person),
        AuditAction.VIEW,
        obj=e_application,
        case_id=e_application.case_id,
        person_id=person.pk,
        detail={"what": what},
    )
    return e_application


def signatures_of(e_application: EApplication) -> list:
    """Every signature and decline of the application, oldest first (records)."""
    return list(e_application.signatures.select_related("person").order_by("at", "id"))


def staged_attachment_of(person: Person, e_application_id: int, attachment_id: int):
    """A file waiting with an application, for the first signer or the co-applicant asked to
    sign it; logged as a download. 404 for any other id or once the file went to the case."""
    e_application = (
        EApplication.objects.filter(pk=e_application_id)
        .filter(
            Q(person=person) | Q(co_signer=person, status=EApplicationStatus.AWAITING_CO_SIGNATURE)
        )
        .exclude(status=EApplicationStatus.SUBMITTED)
        .first()
    )
    if e_application is None:
        raise Http404
    if (
        not selectors._households_of(person)
        .filter(household_id=e_application.household_id)
        .exists()
    ):
        raise Http404
    attachment = e_application.attachments.filter(pk=attachment_id).exclude(file="").first()
    if attachment is None:
        raise Http404
    record(
        actor_for(person),
        AuditAction.DOWNLOAD,
        obj=attachment,
        case_id=e_application.case_id,
        person_id=person.pk,
        detail={"what": f"e_application:{e_application.pk}"},
    )
    return attachment


def last_decline(draft: EApplication):
    """The co-applicant's decline that sent this draft back, if it came back (shown on the
    form with the reason); None for a draft that never waited."""
    if draft.signing_round <= 1:
        return None
    return (
        draft.signatures.filter(signing_round=draft.signing_round - 1, outcome="declined")
        .select_related("person")
        .first()
    )


def last_withdrawal(draft: EApplication):
    """The first signer's own withdrawal that brought this draft back from waiting for the
    co-applicant, if it did (shown on the form); None otherwise."""
    if draft.signing_round <= 1:
        return None
    return (
        draft.withdrawals.filter(signing_round=draft.signing_round - 1)
        .select_related("co_signer")
        .first()
    )
