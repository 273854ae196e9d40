"""Applying online: drafts, attachments, submission, completion requests (docs/portal.md).

The applicant's acts take the `Person` first; the handler's act (asking for completion) takes
the staff user first and checks permission as the case services do. Submission and documents
go through `cases.services` (`register_applicant_application`, `record_applicant_document`):
the same registration, duplicate checks, re-entry and file checks as when staff register.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases import services as case_services
from bistand.cases.documents import safe_original_name
from bistand.cases.models import (
    Application,
    ApplicationKind,
    Case,
    CaseStatus,
    Document,
    DocumentKind,
)
from bistand.cases.rules import can_open_case
from bistand.core.errors import DomainError, PermissionRefused
from bistand.core.text import LONG_TEXT, check_text
from bistand.households.models import Household, HouseholdMembership, Person
from bistand.organisation.models import Unit
from bistand.organisation.permissions import require

from . import notifications, selectors
from .models import (
    CompletionAnswer,
    CompletionRequest,
    EApplication,
    EApplicationStatus,
    StagedAttachment,
)
from .session import actor_for

MAX_ATTACHMENTS = 20
MAX_DUE_DAYS = 90
# Files one person may send in an hour (staged and sent together): far above a real
# application's needs, a brake on a script or a stuck client filling the storage.
MAX_UPLOADS_PER_HOUR = 40


def check_upload_rate(person: Person) -> None:
    """Refuse (Swedish) when the person has sent too many files in the last hour."""
    since = timezone.now() - dt.timedelta(hours=1)
    sent = (
        StagedAttachment.objects.filter(
            e_application__person=person, uploaded_at__gte=since
        ).count()
        + Document.objects.filter(from_person=person, uploaded_at__gte=since).count()
    )
    if sent >= MAX_UPLOADS_PER_HOUR:
        raise DomainError(
            "too_many_uploads",
            "Du har skickat många filer på kort tid. Vänta en stund och försök igen.",
        )


# --- Where the applicant may apply -------------------------------------------------------


@dataclass
class ApplyOption:
    household: Household
    kind: str  # ApplicationKind
    case: Case | None  # the open case (repeat)


def apply_options(person: Person) -> list[ApplyOption]:
    """What the person may file: a repeat application on each open case of their household,
    a new application for a household of theirs without an open case."""
    options = []
    household_ids = selectors._households_of(person)
    for household in Household.objects.filter(pk__in=household_ids).order_by("pk"):
        open_case = (
            Case.objects.filter(household=household).exclude(status=CaseStatus.CLOSED).first()
        )
        if open_case is None:
            options.append(ApplyOption(household, ApplicationKind.NEW, None))
        else:
            options.append(ApplyOption(household, ApplicationKind.REPEAT, open_case))
    return options


def household_for_new(person: Person) -> Household:
    """The person's household without an open case (404 otherwise: nothing to apply anew)."""
    for option in apply_options(person):
        if option.kind == ApplicationKind.NEW:
            return option.household
    raise Http404


def unit_for(household: Household) -> Unit:
    """The unit that receives a new application: the household's last case's, else a
    member's earlier case's, else the municipality's only unit."""
    case = Case.objects.filter(household=household).order_by(
        "-opened_on", "-id"
    ).first() or case_services._previous_case_of_members(household)
    if case is not None:
        return case.unit
    units = list(Unit.objects.order_by("pk")[:2])
    if len(units) == 1:
        return units[0]
    raise DomainError(
        "no_unit",
        "Vi kan inte ta emot en första ansökan här. Kontakta socialtjänsten så hjälper vi dig.",
    )


# --- Drafts ------------------------------------------------------------------------------


def _initial_data(person: Person, household: Household, kind: str, case: Case | None) -> dict:
    """A new draft's prefill: the household as the unit has it (new application), last
    application's costs and incomes (repeat: prefilled from last month)."""
    data: dict = {}
    today = timezone.localdate()
    if kind == ApplicationKind.NEW:
        members = (
            HouseholdMembership.objects.filter(household=household, valid_from__lte=today)
            .exclude(valid_to__lte=today)
            .exclude(person=person)
            .select_related("person")
            .order_by("pk")
        )
        for index, membership in enumerate(members):
            # Names and roles only: the applicant adds numbers for people who are new.
            data[f"member_name_{index}"] = membership.person.full_name
            data[f"member_role_{index}"] = membership.role
    last = (
        Application.objects.filter(case=case).order_by("-month", "-id").first()
        if case is not None
        else None
    )
    if last is not None:
        for index, line in enumerate(last.stated_costs[:6]):
            data[f"cost_type_{index}"] = line.get("type", "")
            data[f"cost_amount_{index}"] = line.get("amount", "")
        for index, line in enumerate(last.stated_incomes[:6]):
            data[f"income_type_{index}"] = line.get("type", "")
            data[f"income_amount_{index}"] = line.get("amount", "")
    return data


@transaction.atomic
def draft_for(person: Person, household: Household, kind: str, case: Case | None) -> EApplication:
    """The person's open draft for this household and kind, created (prefilled) if none."""
    draft = EApplication.objects.filter(
        person=person, household=household, kind=kind, status=EApplicationStatus.DRAFT
    ).first()
    if draft is None:
        draft = EApplication.objects.create(
            person=person,
            household=household,
            kind=kind,
            case=case,
            data=_initial_data(person, household, kind, case),
        )
        record(actor_for(person), AuditAction.CREATE, obj=draft, person_id=person.pk)
    return draft


def _open_draft(person: Person, draft: EApplication) -> EApplication:
    if draft.person_id != person.pk:
        raise Http404
    if draft.status != EApplicationStatus.DRAFT:
        raise DomainError("already_submitted", "Ansökan är redan inskickad och kan inte ändras.")
    return draft


@transaction.atomic
def save_draft(person: Person, draft: EApplication, data: dict) -> EApplication:
    """Keep what the applicant typed, valid or not (never lost); only their own open draft."""
    draft = EApplication.objects.select_for_update().get(pk=draft.pk)
    _open_draft(person, draft)
    for value in data.values():
        check_text(value, LONG_TEXT)
    draft.data = data
    draft.save(update_fields=["data", "updated_at"])
    return draft


@transaction.atomic
def stage_attachment(person: Person, draft: EApplication, uploaded_file, *, kind: str):
    """A file for the draft: size and real type checked now (as for case documents), moved
    into the case on submission."""
    draft = EApplication.objects.select_for_update().get(pk=draft.pk)
    _open_draft(person, draft)
    if kind not in DocumentKind.values:
        raise DomainError("bad_kind", "Välj vad bilagan är.")
    check_upload_rate(person)
    if draft.attachments.count() >= MAX_ATTACHMENTS:
        raise DomainError(
            "too_many_files", f"Du kan bifoga högst {MAX_ATTACHMENTS} filer till en ansökan."
        )
    content_type = case_services.check_document_file(uploaded_file)
    attachment = StagedAttachment(
        e_application=draft,
        kind=kind,
        original_name=safe_original_name(uploaded_file.name),
        content_type=content_type,
        size_bytes=uploaded_file.size,
    )
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    attachment.file.save(f"draft-{draft.pk}-{digest.hexdigest()[:16]}", uploaded_file, save=False)
    attachment.save()
    record(
        actor_for(person),
        AuditAction.CREATE,
        obj=attachment,
        person_id=person.pk,
        detail={"after": {"e_application": draft.pk, "sha256": digest.hexdigest()}},
    )
    return attachment


@transaction.atomic
def remove_attachment(person: Person, draft: EApplication, attachment_id: int) -> None:
    draft = EApplication.objects.select_for_update().get(pk=draft.pk)
    _open_draft(person, draft)
    attachment = draft.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    storage, name = attachment.file.storage, attachment.file.name
    transaction.on_commit(lambda: storage.delete(name))
    record(
        actor_for(person),
        AuditAction.UPDATE,
        obj=attachment,
        person_id=person.pk,
        detail={"before": {"e_application": draft.pk}, "after": {"removed": True}},
    )
    attachment.delete()


# --- Submission --------------------------------------------------------------------------


@dataclass
class Statement:
    """What the applicant states, cleaned by the form (`forms_apply.ApplicationForm`)."""

    month: dt.date
    members: list[dict]
    incomes: list[dict]
    costs: list[dict]
    changes: str
    assured: bool


def _notes(draft: EApplication, statement: Statement) -> str:
    """The application's note for staff: what the applicant stated beyond the figures."""
    lines = ["Inkommen via e-tjänsten; sökande har försäkrat att uppgifterna är sanna."]
    if statement.members:
        lines.append("Hushållet enligt sökande (förslag, inte infört):")
        lines.extend(
            f"- {m['name']} {m['number']} ({m['role_label']})".rstrip() for m in statement.members
        )
    if statement.changes:
        label = (
            "Förändringar sedan förra ansökan"
            if draft.kind == ApplicationKind.REPEAT
            else "Övrigt från sökande"
        )
        lines.append(f"{label}: {statement.changes}")
    return "\n".join(lines)[:4000]


@transaction.atomic
def submit(person: Person, draft: EApplication, statement: Statement) -> EApplication:
    """Send the application: registered as a real application (channel e-service) through
    the case service, its files made case documents, the draft final. A second submit of the
    same draft (double click, reload) is refused, never a second application."""
    draft = EApplication.objects.select_for_update().get(pk=draft.pk)
    _open_draft(person, draft)
    if not statement.assured:
        raise DomainError("not_assured", "Du måste intyga att uppgifterna är sanna.")
    household = draft.household
    if household.pk not in set(
        selectors._households_of(person).values_list("household_id", flat=True)
    ):
        raise Http404
    if draft.kind == ApplicationKind.REPEAT:
        case = (
            Case.objects.filter(pk=draft.case_id, household=household)
            .exclude(status=CaseStatus.CLOSED)
            .first()
        )
        if case is None:
            raise DomainError(
                "no_open_case",
                "Ärendet är avslutat. Gör en ny ansökan i stället.",
            )
        unit = case.unit
    else:
        unit = unit_for(household)
    actor = actor_for(person)
    application = case_services.register_applicant_application(
        actor,
        person,
        household,
        unit=unit,
        kind=draft.kind,
        month=statement.month,
        stated_costs=statement.costs,
        stated_incomes=statement.incomes,
        notes=_notes(draft, statement),
    )
    for attachment in draft.attachments.all():
        attachment.document = _to_case_document(person, application.case, attachment)
        # The staged copy goes once the case has its own, and only if all of this commits.
        storage, name = attachment.file.storage, attachment.file.name
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
        attachment.file = ""
        attachment.save(update_fields=["document", "file"])
    now = timezone.now()
    draft.status = EApplicationStatus.SUBMITTED
    draft.application = application
    draft.case = application.case
    draft.assured_at = now
    draft.submitted_at = now
    draft.save()
    record(
        actor,
        AuditAction.CREATE,
        obj=draft,
        case_id=application.case_id,
        person_id=person.pk,
        detail={"after": {"application": application.pk, "status": draft.status}},
    )
    return draft


def _to_case_document(person: Person, case: Case, attachment: StagedAttachment) -> Document:
    with attachment.file.open("rb") as stored:
        content = ContentFile(stored.read(), name=attachment.original_name or "bilaga")
    return case_services.record_applicant_document(
        actor_for(person), person, case, content, kind=attachment.kind
    )


def send_documents(person: Person, case: Case, files: list[tuple[object, str]]) -> list[Document]:
    """Documents the applicant sends later to their case (`case` from `selectors.open_case`).
    All or nothing: one bad file stores none."""
    if not files:
        raise DomainError("file_required", "Välj en fil.")
    check_upload_rate(person)
    with transaction.atomic():
        return [
            case_services.record_applicant_document(
                actor_for(person), person, case, uploaded_file, kind=kind
            )
            for uploaded_file, kind in files
        ]


# --- Completion requests (begäran om komplettering) --------------------------------------


@transaction.atomic
def request_completion(
    actor, case: Case, *, text: str, due_on: dt.date, application: Application | None = None
) -> CompletionRequest:
    """The handler asks the applicant for documents by a date; shown on Mina sidor."""
    require(actor, "handle_application")
    if not can_open_case(actor, case):
        raise PermissionRefused(
            "case_access_denied", "Du har inte behörighet till det här ärendet.", case_id=case.pk
        )
    if case.status == CaseStatus.CLOSED:
        raise DomainError("case_closed", "Ärendet är avslutat.")
    text = (text or "").strip()
    if not text:
        raise DomainError("text_required", "Skriv vilka handlingar som behövs.")
    check_text(text, LONG_TEXT, "Begäran")
    today = timezone.localdate()
    if due_on < today:
        raise DomainError("due_in_past", "Sista dag kan inte ligga i det förflutna.")
    if due_on > today + dt.timedelta(days=MAX_DUE_DAYS):
        raise DomainError(
            "due_too_far", f"Sista dag får ligga högst {MAX_DUE_DAYS} dagar fram i tiden."
        )
    if application is not None and application.case_id != case.pk:
        raise DomainError("bad_application", "Ansökan hör inte till ärendet.")
    request = CompletionRequest.objects.create(
        case=case, application=application, text=text, due_on=due_on, requested_by=actor
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=request,
        case_id=case.pk,
        detail={"after": {"due_on": due_on.isoformat()}},
    )
    # "News on Mina sidor" to the adults who chose to be told (sent when this commits).
    notifications.notify_case(case.pk, "completion", key=f"completion:{request.pk}")
    return request


@transaction.atomic
def answer_completion(
    person: Person, request: CompletionRequest, *, text: str, files: list[tuple[object, str]]
) -> CompletionAnswer:
    """The applicant answers a request with documents (and a few words); the documents
    become the case's. `request` must come from `selectors_apply.completion_request_of`."""
    text = (text or "").strip()
    if not text and not files:
        raise DomainError("answer_empty", "Bifoga minst en fil eller skriv ett svar.")
    if files:
        check_upload_rate(person)
    check_text(text, LONG_TEXT, "Svaret")
    documents = [
        case_services.record_applicant_document(
            actor_for(person), person, request.case, uploaded_file, kind=kind
        )
        for uploaded_file, kind in files
    ]
    answer = CompletionAnswer.objects.create(request=request, person=person, text=text)
    answer.documents.set(documents)
    record(
        actor_for(person),
        AuditAction.CREATE,
        obj=answer,
        case_id=request.case_id,
        person_id=person.pk,
        detail={"after": {"request": request.pk, "documents": [d.pk for d in documents]}},
    )
    return answer
