"""Applying online: drafts, attachments, submission, completion requests (docs/portal.md).

The applicant's acts take the `Person` first; the handler's act (asking for completion) takes
the staff user first and checks permission as the case services do. Submission and documents
go through `cases.services` (`register_applicant_application`, `record_applicant_document`):
the same registration, duplicate checks, re-entry and file checks as when staff register.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
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
from bistand.households.models import ADULT_ROLES, Household, HouseholdMembership, Person
from bistand.organisation.models import Unit
from bistand.organisation.permissions import require

from . import notifications, selectors
from .models import (
    CompletionAnswer,
    CompletionRequest,
    EApplication,
    EApplicationSignature,
    EApplicationStatus,
    EApplicationWithdrawal,
    SignatureOutcome,
    StaffNoticeKind,
    StagedAttachment,
)
from .session import actor_for
from .staff_notices import notify_staff

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
    if draft.status == EApplicationStatus.AWAITING_CO_SIGNATURE:
        raise DomainError(
            "awaiting_co_signature",
            "Ansökan väntar på medsökandes underskrift och kan inte ändras.",
        )
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


def _statement_json(statement: Statement) -> dict:
    return {
        "month": statement.month.isoformat(),
        "members": statement.members,
        "incomes": statement.incomes,
        "costs": statement.costs,
        "changes": statement.changes,
        "assured": statement.assured,
    }


def statement_from_json(data: dict) -> Statement:
    """The statement the first signer signed, as kept on the waiting application."""
    return Statement(
        month=dt.date.fromisoformat(data["month"]),
        members=list(data.get("members", [])),
        incomes=list(data.get("incomes", [])),
        costs=list(data.get("costs", [])),
        changes=data.get("changes", ""),
        assured=bool(data.get("assured")),
    )


def _content_sha256(draft: EApplication, statement_json: dict) -> str:
    """SHA-256 of what is signed: the statement and each attachment's content."""
    digest = hashlib.sha256(
        json.dumps(
            {"kind": draft.kind, "household": draft.household_id, "statement": statement_json},
            sort_keys=True,
        ).encode()
    )
    for attachment in draft.attachments.order_by("pk"):
        digest.update(f"|{attachment.pk}:{attachment.kind}:".encode())
        if attachment.file:
            with attachment.file.open("rb") as stored:
                for chunk in iter(lambda stored=stored: stored.read(1 << 16), b""):
                    digest.update(chunk)
    return digest.hexdigest()


def _adult_today(person_id: int, household_id: int) -> bool:
    return selectors._households_of_id(person_id).filter(household_id=household_id).exists()


def co_signer_for(person: Person, household: Household) -> Person | None:
    """The household's other adult today (applicant or co-applicant), who signs too; None for
    a single-adult household. Who the applicant proposed in the form does not count: only the
    household as the unit has it."""
    today = timezone.localdate()
    membership = (
        HouseholdMembership.objects.filter(
            household=household, role__in=ADULT_ROLES, valid_from__lte=today
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
        .exclude(person=person)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    return membership.person if membership is not None else None


def _sign(
    person: Person,
    draft: EApplication,
    *,
    method: str,
    content: str,
    outcome: str,
    reason: str = "",
) -> EApplicationSignature:
    signature = EApplicationSignature.objects.create(
        e_application=draft,
        person=person,
        signing_round=draft.signing_round,
        outcome=outcome,
        method=method[:16],
        reason=reason,
        content_sha256=content,
    )
    record(
        actor_for(person),
        AuditAction.SIGN if outcome == SignatureOutcome.SIGNED else AuditAction.CREATE,
        obj=signature,
        case_id=draft.case_id,
        person_id=person.pk,
        detail={
            "after": {
                "e_application": draft.pk,
                "round": draft.signing_round,
                "outcome": outcome,
                "method": method,
                "sha256": content,
            }
        },
    )
    return signature


@transaction.atomic
def submit(
    person: Person, draft: EApplication, statement: Statement, *, method: str = ""
) -> EApplication:
    """Sign and send the application with the e-ID of this session (`method`). A single
    adult's application is registered at once as a real application (channel e-service)
    through the case service, its files made case documents, the draft final. Where the
    household has a second adult today, it waits for their own signature instead
    (`co_sign`); nothing reaches the unit before both have signed. A second submit of the
    same draft (double click, reload) is refused, never a second application."""
    draft = EApplication.objects.select_for_update().get(pk=draft.pk)
    _open_draft(person, draft)
    if not statement.assured:
        raise DomainError("not_assured", "Du måste intyga att uppgifterna är sanna.")
    household = draft.household
    if not _adult_today(person.pk, household.pk):
        raise Http404
    _unit_for_draft(draft)  # an ended case is refused before anyone signs
    statement_json = _statement_json(statement)
    content = _content_sha256(draft, statement_json)
    co_signer = co_signer_for(person, household)
    if co_signer is None:
        _sign(person, draft, method=method, content=content, outcome=SignatureOutcome.SIGNED)
        return _register(actor_for(person), draft, statement)
    if EApplication.objects.filter(
        household=household, kind=draft.kind, status=EApplicationStatus.AWAITING_CO_SIGNATURE
    ).exists():
        raise DomainError(
            "already_awaiting",
            "Det finns redan en ansökan från hushållet som väntar på underskrift.",
        )
    _sign(person, draft, method=method, content=content, outcome=SignatureOutcome.SIGNED)
    draft.status = EApplicationStatus.AWAITING_CO_SIGNATURE
    draft.co_signer = co_signer
    draft.signed_statement = statement_json
    draft.assured_at = timezone.now()
    try:
        with transaction.atomic():
            draft.save()
    except IntegrityError:
        # The other adult sent one of the same kind at the same moment (one may wait).
        raise DomainError(
            "already_awaiting",
            "Det finns redan en ansökan från hushållet som väntar på underskrift.",
        ) from None
    record(
        actor_for(person),
        AuditAction.UPDATE,
        obj=draft,
        person_id=person.pk,
        case_id=draft.case_id,
        detail={"after": {"status": draft.status, "co_signer": co_signer.pk}},
    )
    # "News on Mina sidor" to the second adult: nothing of the application in the text.
    notifications.notify_applicant(
        co_signer, "signature", key=f"co-signature:{draft.pk}:{draft.signing_round}"
    )
    return draft


def _unit_for_draft(draft: EApplication) -> Unit:
    if draft.kind == ApplicationKind.REPEAT:
        case = (
            Case.objects.filter(pk=draft.case_id, household=draft.household)
            .exclude(status=CaseStatus.CLOSED)
            .first()
        )
        if case is None:
            raise DomainError(
                "no_open_case",
                "Ärendet är avslutat. Gör en ny ansökan i stället.",
            )
        return case.unit
    return unit_for(draft.household)


def _register(actor, draft: EApplication, statement: Statement) -> EApplication:
    """The signed application reaches the unit: a real application through the case service,
    its files case documents, the e-application final (in the caller's transaction)."""
    person = draft.person
    notes = _notes(draft, statement)
    if draft.co_signer_id is not None:
        notes = ("Underskriven med e-legitimation av båda vuxna i hushållet.\n" + notes)[:4000]
    application = case_services.register_applicant_application(
        actor,
        person,
        draft.household,
        unit=_unit_for_draft(draft),
        kind=draft.kind,
        month=statement.month,
        stated_costs=statement.costs,
        stated_incomes=statement.incomes,
        notes=notes,
    )
    for attachment in draft.attachments.all():
        attachment.document = _to_case_document(actor, person, application.case, attachment)
        # The staged copy goes once the case has its own, and only if all of this commits.
        storage, name = attachment.file.storage, attachment.file.name
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
        attachment.file = ""
        attachment.save(update_fields=["document", "file"])
    now = timezone.now()
    draft.status = EApplicationStatus.SUBMITTED
    draft.application = application
    draft.case = application.case
    draft.assured_at = draft.assured_at or now
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
    notify_staff(
        application.case,
        StaffNoticeKind.APPLICATION,
        person=person,
        event=f"application:{application.pk}",
    )
    return draft


def _waiting_for(person: Person, e_application: EApplication) -> EApplication:
    """Lock the application and check that `person` is the one it waits for. The first signer
    is refused in Swedish (they cannot sign for the other); anyone else gets 404."""
    e_application = EApplication.objects.select_for_update().get(pk=e_application.pk)
    if e_application.co_signer_id != person.pk:
        if e_application.person_id == person.pk:
            raise DomainError(
                "own_application",
                "Du har redan skrivit under ansökan. Den andra vuxna i hushållet måste skriva "
                "under med sin egen e-legitimation.",
            )
        raise Http404
    return e_application


@transaction.atomic
def co_sign(person: Person, e_application: EApplication, *, method: str = "") -> EApplication:
    """The second adult signs with their own e-ID: the application then reaches the unit as a
    single signer's does, with both signatures on record. Signing again is a no-op."""
    e_application = _waiting_for(person, e_application)
    if EApplicationSignature.objects.filter(
        e_application=e_application,
        person=person,
        signing_round=e_application.signing_round,
        outcome=SignatureOutcome.SIGNED,
    ).exists():
        return e_application  # a double click or a reload: signed once
    if e_application.status != EApplicationStatus.AWAITING_CO_SIGNATURE:
        raise DomainError("not_awaiting", "Ansökan väntar inte på din underskrift.")
    if not _adult_today(person.pk, e_application.household_id):
        raise DomainError(
            "co_signer_left",
            "Du är inte längre sökande eller medsökande i hushållet och kan inte skriva under "
            "ansökan. Kontakta socialtjänsten om det inte stämmer.",
        )
    if not _adult_today(e_application.person_id, e_application.household_id):
        raise DomainError(
            "first_signer_left",
            "Den som skrev under först ingår inte längre i hushållet. Ansökan kan inte skickas "
            "in. Kontakta socialtjänsten.",
        )
    statement_json = e_application.signed_statement
    content = _content_sha256(e_application, statement_json)
    first = EApplicationSignature.objects.filter(
        e_application=e_application,
        person_id=e_application.person_id,
        signing_round=e_application.signing_round,
        outcome=SignatureOutcome.SIGNED,
    ).first()
    if first is None or first.content_sha256 != content:
        raise DomainError(
            "content_changed",
            "Ansökan har ändrats sedan den skrevs under. Be den andra vuxna skicka den igen.",
        )
    _sign(person, e_application, method=method, content=content, outcome=SignatureOutcome.SIGNED)
    return _register(actor_for(person), e_application, statement_from_json(statement_json))


@transaction.atomic
def decline_co_signature(person: Person, e_application: EApplication, *, reason: str):
    """The second adult will not sign: the reason is kept (a record), and the application
    goes back to the first signer as a draft, to change and sign again."""
    e_application = _waiting_for(person, e_application)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "Skriv varför du inte vill skriva under.")
    check_text(reason, LONG_TEXT, "Anledningen")
    if e_application.status != EApplicationStatus.AWAITING_CO_SIGNATURE:
        raise DomainError("not_awaiting", "Ansökan väntar inte på din underskrift.")
    content = _content_sha256(e_application, e_application.signed_statement)
    _sign(
        person,
        e_application,
        method="",
        content=content,
        outcome=SignatureOutcome.DECLINED,
        reason=reason,
    )
    if EApplication.objects.filter(
        person_id=e_application.person_id,
        household_id=e_application.household_id,
        kind=e_application.kind,
        status=EApplicationStatus.DRAFT,
    ).exists():
        raise DomainError(
            "draft_exists", "Den andra vuxna har redan ett nytt utkast. Försök igen senare."
        )
    _back_to_draft(e_application)
    record(
        actor_for(person),
        AuditAction.UPDATE,
        obj=e_application,
        person_id=person.pk,
        case_id=e_application.case_id,
        detail={"after": {"status": e_application.status, "declined_by": person.pk}},
    )
    notifications.notify_applicant(
        e_application.person,
        "signature",
        key=f"co-signature-declined:{e_application.pk}:{e_application.signing_round - 1}",
    )
    return e_application


def _back_to_draft(e_application: EApplication) -> None:
    """A waiting application returns to its first signer as a draft for a new signing round
    (declined by the co-applicant or taken back by the first signer)."""
    e_application.status = EApplicationStatus.DRAFT
    e_application.co_signer = None
    e_application.signed_statement = {}
    e_application.assured_at = None
    e_application.signing_round += 1
    e_application.save()


@transaction.atomic
def withdraw_from_co_signing(person: Person, e_application: EApplication) -> EApplication:
    """The first signer takes back an application that waits for the co-applicant's
    signature: it returns to them as a draft (with its attachments, a new signing round), a
    withdrawal record is written, and the second adult is told (no case content) that there is
    nothing to sign any more. A second click is a no-op; only the first signer may do it."""
    e_application = EApplication.objects.select_for_update().get(pk=e_application.pk)
    if e_application.person_id != person.pk:
        raise Http404
    if e_application.status == EApplicationStatus.DRAFT:
        return e_application  # a double click or a reload: withdrawn once
    if e_application.status != EApplicationStatus.AWAITING_CO_SIGNATURE:
        raise DomainError(
            "not_awaiting",
            "Ansökan är redan inskickad och kan inte tas tillbaka här. Kontakta socialtjänsten.",
        )
    if EApplication.objects.filter(
        person_id=person.pk,
        household_id=e_application.household_id,
        kind=e_application.kind,
        status=EApplicationStatus.DRAFT,
    ).exists():
        raise DomainError("draft_exists", "Du har redan ett nytt utkast. Försök igen senare.")
    co_signer = e_application.co_signer
    withdrawal = EApplicationWithdrawal.objects.create(
        e_application=e_application,
        person=person,
        co_signer=co_signer,
        signing_round=e_application.signing_round,
    )
    round_withdrawn = e_application.signing_round
    _back_to_draft(e_application)
    record(
        actor_for(person),
        AuditAction.CREATE,
        obj=withdrawal,
        person_id=person.pk,
        case_id=e_application.case_id,
        detail={"after": {"status": e_application.status, "round": round_withdrawn}},
    )
    notifications.notify_applicant(
        co_signer,
        "signature",
        key=f"co-signature-withdrawn:{e_application.pk}:{round_withdrawn}",
    )
    return e_application


def _to_case_document(actor, person: Person, case: Case, attachment: StagedAttachment) -> Document:
    with attachment.file.open("rb") as stored:
        content = ContentFile(stored.read(), name=attachment.original_name or "bilaga")
    return case_services.record_applicant_document(
        actor, person, case, content, kind=attachment.kind
    )


def send_documents(person: Person, case: Case, files: list[tuple[object, str]]) -> list[Document]:
    """Documents the applicant sends later to their case (`case` from `selectors.open_case`).
    All or nothing: one bad file stores none."""
    if not files:
        raise DomainError("file_required", "Välj en fil.")
    check_upload_rate(person)
    with transaction.atomic():
        documents = [
            case_services.record_applicant_document(
                actor_for(person), person, case, uploaded_file, kind=kind
            )
            for uploaded_file, kind in files
        ]
        notify_staff(
            case, StaffNoticeKind.DOCUMENT, person=person, event=f"documents:{documents[0].pk}"
        )
        return documents


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
    notify_staff(
        request.case,
        StaffNoticeKind.COMPLETION_ANSWER,
        person=person,
        event=f"completion-answer:{answer.pk}",
    )
    return answer
