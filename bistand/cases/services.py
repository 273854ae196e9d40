"""Every change of state of a case, named for the act. Each checks permission, writes the
audit record and runs in one transaction."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import diff, record
from bistand.core.codes import SUPPORT_OBSTACLE_BY_CODE
from bistand.core.dates import month_start, parse_month
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.core.text import LONG_TEXT, NOTE_TEXT, check_text, check_texts
from bistand.households.models import ADULT_ROLES, Household, HouseholdMembership, MemberRole
from bistand.households.services import (
    MemberInput,
    MoveRefused,
    record_move_refusal,
    register_household,
)
from bistand.organisation.models import Role, Section, User
from bistand.organisation.permissions import require

from .documents import document_type, safe_original_name
from .models import (
    APPLICATION_STATUS_TRANSITIONS,
    CASE_STATUS_TRANSITIONS,
    CASE_TYPE_HANDLER_ROLE,
    Application,
    ApplicationKind,
    ApplicationStatus,
    Case,
    CaseAssignment,
    CaseReopening,
    CaseStatus,
    CaseType,
    ClosingReason,
    Document,
    DocumentKind,
    EmergencyAccess,
    Investigation,
    InvestigationVersion,
    JournalEntry,
    JournalKind,
)
from .rules import CONFLICT_MESSAGE, can_open_case, has_conflict

EMERGENCY_ACCESS_HOURS = 8


def atomic_service(function):
    """Run a service in one transaction; a case-access refusal is logged after the rollback,
    so the record of the refused attempt survives."""

    @functools.wraps(function)
    def wrapper(actor, *args, **kwargs):
        try:
            with transaction.atomic():
                return function(actor, *args, **kwargs)
        except MoveRefused as refusal:
            record_move_refusal(actor, refusal)
            raise
        except PermissionRefused as error:
            if error.context.get("log_case_id"):
                record(
                    actor,
                    AuditAction.ACCESS_DENIED,
                    object_type="cases.case",
                    object_id=error.context["log_case_id"],
                    case_id=error.context["log_case_id"],
                    detail={"what": function.__name__},
                )
            raise

    return wrapper


def _require_case(actor, case: Case) -> None:
    if not can_open_case(actor, case):
        raise PermissionRefused(
            "case_access_denied",
            "Du har inte behörighet till det här ärendet.",
            case_id=case.pk,
            log_case_id=case.pk,
        )


def _transition_case(case: Case, new_status: str) -> None:
    if new_status not in CASE_STATUS_TRANSITIONS[CaseStatus(case.status)]:
        raise DomainError(
            "bad_transition",
            f"Ärendet kan inte gå från {case.get_status_display()} till {CaseStatus(new_status).label}.",
        )
    case.status = new_status


def _intake_section(unit) -> Section:
    section = Section.objects.filter(unit=unit, handles_intake=True).order_by("id").first()
    if section is None:
        raise DomainError("no_intake_section", "Enheten saknar en mottagningssektion.")
    return section


# --- Applications and cases -------------------------------------------------------------


def _parse_received_on(received_on: dt.date | None) -> dt.date:
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        raise DomainError("received_in_future", "Ankomstdatum kan inte ligga i framtiden.")
    if received_on < today - dt.timedelta(days=366):
        raise DomainError(
            "received_too_old", "Ankomstdatum kan inte vara mer än ett år bakåt i tiden."
        )
    return received_on


def _parse_month(month: dt.date | str) -> dt.date:
    if isinstance(month, str):
        try:
            month = parse_month(month)
        except ValueError:
            raise DomainError("bad_month", "Ange månaden som ÅÅÅÅ-MM.")
    month = month_start(month)
    today = timezone.localdate()
    if month > month_start(today + dt.timedelta(days=62)):
        raise DomainError(
            "month_too_far", "Man kan inte ansöka för en månad längre fram än nästa månad."
        )
    return month


def _previous_case_of_members(household: Household) -> Case | None:
    persons = HouseholdMembership.objects.filter(household=household).values("person_id")
    return (
        Case.objects.filter(household__memberships__person_id__in=persons)
        .exclude(household=household)
        .order_by("-opened_on", "-id")
        .first()
    )


@atomic_service
def register_application(
    actor,
    household: Household,
    *,
    kind: str,
    month: dt.date | str,
    received_on: dt.date | None = None,
    channel: str = "paper",
    section: Section | None = None,
    stated_costs: list | None = None,
    stated_incomes: list | None = None,
    notes: str = "",
) -> Application:
    """Register a new or repeat application; a new one opens, reopens or links the case.

    A returning household gets its closed case reopened (re-entry recorded); a person with a
    case in another household gets the new case linked to it. Never a silent duplicate.
    """
    require(actor, "register_application")
    if channel not in {"paper", "visit", "e_service"}:
        raise DomainError("bad_channel", "Okänt sätt som ansökan kom in på.")
    unit = actor.unit
    if unit is None:
        raise DomainError("no_unit", "Du är inte placerad på någon enhet.")
    return _register_application(
        actor,
        household,
        unit=unit,
        registrar=actor,
        person=None,
        kind=kind,
        month=month,
        received_on=received_on,
        channel=channel,
        section=section,
        stated_costs=stated_costs,
        stated_incomes=stated_incomes,
        notes=notes,
    )


@transaction.atomic
def register_applicant_application(
    actor,
    person,
    household: Household,
    *,
    unit,
    kind: str,
    month: dt.date | str,
    stated_costs: list | None = None,
    stated_incomes: list | None = None,
    notes: str = "",
) -> Application:
    """An application the applicant filed through the e-service: the same registration as
    staff make (a new one opens, reopens or links the case), arriving today with channel
    e-service and naming the person instead of a staff registrar. `actor` is the access log's
    actor for the applicant; bistand.portal has checked that the person is applicant or
    co-applicant of the household today and chosen the unit."""
    return _register_application(
        actor,
        household,
        unit=unit,
        registrar=None,
        person=person,
        kind=kind,
        month=month,
        received_on=None,
        channel="e_service",
        section=None,
        stated_costs=stated_costs,
        stated_incomes=stated_incomes,
        notes=notes,
    )


def _register_application(
    actor,
    household: Household,
    *,
    unit,
    registrar: User | None,
    person,
    kind: str,
    month: dt.date | str,
    received_on: dt.date | None,
    channel: str,
    section: Section | None,
    stated_costs: list | None,
    stated_incomes: list | None,
    notes: str,
) -> Application:
    received_on = _parse_received_on(received_on)
    month = _parse_month(month)
    if kind not in ApplicationKind.values:
        raise DomainError("bad_kind", "Okänd ansökningstyp.")
    check_text(notes, NOTE_TEXT, "Anteckning")
    open_case = (
        Case.objects.select_for_update()
        .filter(household=household)
        .exclude(status=CaseStatus.CLOSED)
        .first()
    )
    if kind == ApplicationKind.NEW:
        if open_case is not None:
            raise DomainError(
                "case_already_open",
                f"Hushållet har redan ett aktuellt ärende ({open_case.reference}). Registrera en fortsatt ansökan i stället.",
            )
        closed = (
            Case.objects.select_for_update()
            .filter(household=household, status=CaseStatus.CLOSED)
            .order_by("-closed_on")
            .first()
        )
        if closed is not None:
            case = closed
            reopening = CaseReopening.objects.create(
                case=case,
                reopened_on=received_on,
                previous_closed_on=case.closed_on,
                previous_closing_reason=case.closing_reason,
                reopened_by=registrar,
            )
            before = {
                "status": case.status,
                "closed_on": str(case.closed_on),
                "closing_reason": case.closing_reason,
            }
            _transition_case(case, CaseStatus.INTAKE)
            case.closed_on = None
            case.closing_reason = ""
            case.save(update_fields=["status", "closed_on", "closing_reason"])
            record(
                actor,
                AuditAction.UPDATE,
                obj=case,
                case_id=case.pk,
                detail={"before": before, "after": {"status": "intake", "reentry": reopening.pk}},
            )
        else:
            case = Case.objects.create(
                household=household,
                unit=unit,
                section=section or _intake_section(unit),
                status=CaseStatus.INTAKE,
                opened_on=received_on,
                previous_case=_previous_case_of_members(household),
            )
            CaseAssignment.objects.create(
                case=case,
                handler=None,
                section=case.section,
                started_at=timezone.now(),
                assigned_by=registrar,
                reason="Nyansökan registrerad" if registrar else "Nyansökan via e-tjänsten",
            )
            record(
                actor,
                AuditAction.CREATE,
                obj=case,
                case_id=case.pk,
                detail={
                    "after": {"section": case.section_id, "previous_case": case.previous_case_id}
                },
            )
    else:
        if open_case is None:
            raise DomainError(
                "no_open_case", "Hushållet har inget aktuellt ärende. Registrera en nyansökan."
            )
        case = open_case
    if Application.objects.filter(
        case=case, month=month, status__in=[ApplicationStatus.RECEIVED, ApplicationStatus.COMPLETE]
    ).exists():
        raise DomainError(
            "duplicate_application", f"Det finns redan en obeslutad ansökan för {month:%Y-%m}."
        )
    application = Application.objects.create(
        case=case,
        kind=kind,
        month=month,
        received_on=received_on,
        channel=channel,
        stated_costs=stated_costs or [],
        stated_incomes=stated_incomes or [],
        notes=notes,
        registered_by=registrar,
        submitted_by=person,
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=application,
        case_id=case.pk,
        person_id=person.pk if person is not None else None,
        detail={
            "after": {
                "kind": kind,
                "month": month.isoformat(),
                "received_on": received_on.isoformat(),
            }
        },
    )
    return application


@atomic_service
def register_household_with_application(
    actor,
    members: list[MemberInput],
    *,
    address: str = "",
    postal_code: str = "",
    city: str = "",
    month: dt.date | str,
    received_on: dt.date | None = None,
    channel: str = "paper",
    notes: str = "",
) -> Application:
    """Reception's form: a household with its members and its new application, all or nothing."""
    household = register_household(
        actor, members, address=address, postal_code=postal_code, city=city
    )
    return register_application(
        actor,
        household,
        kind=ApplicationKind.NEW,
        month=month,
        received_on=received_on,
        channel=channel,
        notes=notes,
    )


@atomic_service
def mark_application_complete(
    actor, application: Application, on: dt.date | None = None
) -> Application:
    """The application is complete (all papers in): the decision clock starts."""
    require(actor, "handle_application")
    _require_case(actor, application.case)
    on = on or timezone.localdate()
    if on < application.received_on:
        raise DomainError(
            "complete_before_received", "En ansökan kan inte bli komplett före ankomstdatum."
        )
    _transition_application(application, ApplicationStatus.COMPLETE)
    application.complete_on = on
    application.save(update_fields=["status", "complete_on"])
    record(
        actor,
        AuditAction.UPDATE,
        obj=application,
        case_id=application.case_id,
        detail={"after": {"status": "complete", "complete_on": on.isoformat()}},
    )
    return application


def _transition_application(application: Application, new_status: str) -> None:
    if new_status not in APPLICATION_STATUS_TRANSITIONS[ApplicationStatus(application.status)]:
        raise DomainError(
            "bad_transition",
            f"Ansökan kan inte gå från {application.get_status_display()} till {ApplicationStatus(new_status).label}.",
        )
    application.status = new_status


# --- Added for the decisions app (issue 4); its only change to cases. --------------------


@atomic_service
def mark_application_decided(actor, application: Application) -> Application:
    """A decision has been made on the application (called by decisions.services only)."""
    require(actor, "handle_application")
    _require_case(actor, application.case)
    _transition_application(application, ApplicationStatus.DECIDED)
    application.save(update_fields=["status"])
    record(
        actor,
        AuditAction.UPDATE,
        obj=application,
        case_id=application.case_id,
        detail={"after": {"status": "decided"}},
    )
    return application


# --- End of the decisions app's addition. -----------------------------------------------


@atomic_service
def withdraw_application(actor, application: Application, reason: str) -> Application:
    """The applicant withdrew the application: it ends without a decision, with the reason."""
    return _end_application(actor, application, ApplicationStatus.WITHDRAWN, reason)


@atomic_service
def write_off_application(actor, application: Application, reason: str) -> Application:
    """The application was registered by mistake (wrong household, month, duplicate): it is
    written off with the reason. Nothing is deleted; the row and its history remain."""
    return _end_application(actor, application, ApplicationStatus.WRITTEN_OFF, reason)


def _end_application(actor, application: Application, status: str, reason: str) -> Application:
    require(actor, "handle_application")
    _require_case(actor, application.case)
    reason = (reason or "").strip()
    if not reason:
        if status == ApplicationStatus.WRITTEN_OFF:
            raise DomainError("reason_required", "Ange varför ansökan skrivs av.")
        raise DomainError("reason_required", "Ange varför ansökan återtas.")
    check_text(reason, NOTE_TEXT, "Skäl")
    application = Application.objects.select_for_update().get(pk=application.pk)
    before = application.status
    _transition_application(application, status)
    application.ended_reason = reason
    application.ended_at = timezone.now()
    application.ended_by = actor
    application.save(update_fields=["status", "ended_reason", "ended_at", "ended_by"])
    record(
        actor,
        AuditAction.UPDATE,
        obj=application,
        case_id=application.case_id,
        detail={"before": {"status": before}, "after": {"status": status, "reason": reason}},
    )
    return application


# --- Responsibility ---------------------------------------------------------------------


def _check_handler_fits(case_type: str, handler: User | None, assistant: User | None) -> None:
    if handler is not None and handler.role not in (Role.SOCIAL_WORKER, Role.BENEFIT_ADMINISTRATOR):
        raise DomainError(
            "handler_role",
            "Ansvarig handläggare måste vara socialsekreterare eller bidragshandläggare.",
        )
    if (
        case_type
        and handler is not None
        and handler.role != CASE_TYPE_HANDLER_ROLE[CaseType(case_type)]
    ):
        expected = "en bidragshandläggare" if case_type == CaseType.C else "en socialsekreterare"
        raise DomainError(
            "handler_role_for_type",
            f"Ett {case_type}-ärende ska ha {expected} som ansvarig handläggare.",
        )
    if assistant is not None:
        if case_type != CaseType.B:
            raise DomainError(
                "assistant_only_b", "Biträdande bidragshandläggare finns bara i B-ärenden."
            )
        if assistant.role != Role.BENEFIT_ADMINISTRATOR:
            raise DomainError(
                "assistant_role", "Biträdande handläggare ska vara bidragshandläggare."
            )


def _assign(actor, case: Case, *, handler, assistant, section, case_type, reason: str) -> Case:
    check_text(reason, 300, "Skäl")
    _check_handler_fits(case_type, handler, assistant)
    if handler is not None and handler.unit_id != case.unit_id:
        raise DomainError("handler_other_unit", "Handläggaren arbetar på en annan enhet.")
    if assistant is not None and assistant.unit_id != case.unit_id:
        raise DomainError(
            "assistant_other_unit", "Den biträdande handläggaren arbetar på en annan enhet."
        )
    if section.unit_id != case.unit_id:
        raise DomainError("section_other_unit", "Sektionen tillhör en annan enhet.")
    for member, field in ((handler, "handler"), (assistant, "assistant")):
        if member is not None and has_conflict(member, case):
            raise DomainError(
                "assignee_conflict_of_interest",
                f"{member} kan inte handlägga ärendet: det rör hen själv eller hens hushåll "
                "(jäv, 16 § förvaltningslagen).",
                field=field,
            )
    before = {
        "handler": case.handler_id,
        "assistant": case.assistant_id,
        "section": case.section_id,
        "case_type": case.case_type,
    }
    now = timezone.now()
    CaseAssignment.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now)
    case.handler = handler
    case.assistant = assistant
    case.section = section
    case.case_type = case_type
    case.save(update_fields=["handler", "assistant", "section", "case_type"])
    CaseAssignment.objects.create(
        case=case,
        handler=handler,
        assistant=assistant,
        section=section,
        case_type=case_type,
        started_at=now,
        assigned_by=actor,
        reason=reason,
    )
    after = {
        "handler": case.handler_id,
        "assistant": case.assistant_id,
        "section": case.section_id,
        "case_type": case.case_type,
    }
    record(
        actor,
        AuditAction.ASSIGN,
        obj=case,
        case_id=case.pk,
        detail=diff(before, after) | {"reason": reason},
    )
    return case


@atomic_service
def take_case(actor, case: Case) -> Case:
    """A worker takes an unassigned case in their own section."""
    require(actor, "take_case")
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_case(actor, case)
    if case.handler_id is not None:
        raise DomainError(
            "case_taken", f"Ärendet har redan en ansvarig handläggare ({case.handler})."
        )
    if case.section_id != actor.section_id:
        raise PermissionRefused("other_section", "Du kan bara ta ärenden i din egen sektion.")
    return _assign(
        actor,
        case,
        handler=actor,
        assistant=None,
        section=case.section,
        case_type=case.case_type,
        reason="Tog ärendet",
    )


@atomic_service
def reassign_case(
    actor,
    case: Case,
    *,
    handler: User | None,
    assistant: User | None = None,
    section: Section | None = None,
    case_type: str | None = None,
    reason: str = "",
) -> Case:
    """A section or unit head gives the case to another worker (and/or type, section)."""
    require(actor, "reassign_case")
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_case(actor, case)
    if actor.role == Role.SECTION_HEAD:
        target = section or case.section
        if case.section_id != actor.section_id and target.pk != actor.section_id:
            raise PermissionRefused(
                "other_section", "Du kan bara fördela ärenden i din egen sektion."
            )
    if not reason.strip():
        raise DomainError("reason_required", "Ange skälet till omfördelningen.")
    if case.status == CaseStatus.CLOSED:
        raise DomainError("case_closed", "Ett avslutat ärende kan inte fördelas om.")
    case_type = case.case_type if case_type is None else case_type
    if case_type and case_type not in CaseType.values:
        raise DomainError("bad_case_type", "Okänd ärendetyp.")
    return _assign(
        actor,
        case,
        handler=handler,
        assistant=assistant,
        section=section or case.section,
        case_type=case_type,
        reason=reason,
    )


@atomic_service
def set_case_type(actor, case: Case, case_type: str, *, reason: str = "") -> Case:
    """The handler (or a head) sets the case type; the responsible role must fit it."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_case(actor, case)
    if actor.pk != case.handler_id:
        require(actor, "reassign_case")
    if case_type not in CaseType.values:
        raise DomainError("bad_case_type", "Okänd ärendetyp.")
    assistant = case.assistant if case_type == CaseType.B else None
    return _assign(
        actor,
        case,
        handler=case.handler,
        assistant=assistant,
        section=case.section,
        case_type=case_type,
        reason=reason or "Ärendetyp ändrad",
    )


@atomic_service
def activate_case(actor, case: Case) -> Case:
    """The investigation is done and assistance runs: the case becomes current (aktuellt)."""
    require(actor, "handle_application")
    _require_case(actor, case)
    _transition_case(case, CaseStatus.ACTIVE)
    case.save(update_fields=["status"])
    record(
        actor, AuditAction.UPDATE, obj=case, case_id=case.pk, detail={"after": {"status": "active"}}
    )
    return case


# Other apps end what hangs on a case when it closes, in the closing's own transaction:
# callables (actor, case, closed_on) registered from their AppConfig.ready() (e.g. activity
# ends the case's activity placements and offers the freed places).
CASE_CLOSING_HOOKS: list = []


@atomic_service
def close_case(actor, case: Case, *, reason: str, closed_on: dt.date | None = None) -> Case:
    require(actor, "close_case")
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_case(actor, case)
    if reason not in ClosingReason.values:
        raise DomainError("closing_reason_required", "Välj en avslutsanledning.")
    closed_on = closed_on or timezone.localdate()
    if closed_on < case.opened_on:
        raise DomainError("closed_before_opened", "Avslutsdatum kan inte ligga före öppningsdatum.")
    if case.applications.filter(
        status__in=[ApplicationStatus.RECEIVED, ApplicationStatus.COMPLETE]
    ).exists():
        raise DomainError(
            "undecided_applications",
            "Ärendet har obeslutade ansökningar; besluta eller återta dem först.",
        )
    _transition_case(case, CaseStatus.CLOSED)
    case.closed_on = closed_on
    case.closing_reason = reason
    case.save(update_fields=["status", "closed_on", "closing_reason"])
    CaseAssignment.objects.filter(case=case, ended_at__isnull=True).update(ended_at=timezone.now())
    for hook in CASE_CLOSING_HOOKS:
        hook(actor, case, closed_on)
    record(
        actor,
        AuditAction.UPDATE,
        obj=case,
        case_id=case.pk,
        detail={
            "after": {
                "status": "closed",
                "closing_reason": reason,
                "closed_on": closed_on.isoformat(),
            }
        },
    )
    return case


@atomic_service
def take_emergency_access(actor, case: Case, reason: str) -> EmergencyAccess:
    """Nödåtkomst: open a case outside one's own work, with a reason the unit head reviews."""
    require(actor, "emergency_access")
    if has_conflict(actor, case):
        raise PermissionRefused("case_conflict_of_interest", CONFLICT_MESSAGE)
    if case.unit_id != actor.unit_id:
        raise PermissionRefused(
            "other_unit", "Ärendet tillhör en annan enhet; nödåtkomst gäller bara den egna enheten."
        )
    if len(reason.strip()) < 10:
        raise DomainError("reason_required", "Beskriv skälet till nödåtkomsten (minst 10 tecken).")
    check_text(reason, NOTE_TEXT, "Skäl")
    now = timezone.now()
    access = EmergencyAccess.objects.create(
        user=actor,
        case=case,
        reason=reason.strip(),
        granted_at=now,
        expires_at=now + dt.timedelta(hours=EMERGENCY_ACCESS_HOURS),
    )
    record(
        actor,
        AuditAction.EMERGENCY_ACCESS,
        obj=access,
        case_id=case.pk,
        detail={"reason": reason.strip()},
    )
    return access


@atomic_service
def review_emergency_access(actor, access: EmergencyAccess) -> EmergencyAccess:
    require(actor, "review_access_log")
    if access.reviewed_at is not None:
        raise DomainError("already_reviewed", "Nödåtkomsten är redan granskad.")
    access.reviewed_by = actor
    access.reviewed_at = timezone.now()
    access.save(update_fields=["reviewed_by", "reviewed_at"])
    record(
        actor,
        AuditAction.UPDATE,
        obj=access,
        case_id=access.case_id,
        detail={"after": {"reviewed": True}},
    )
    return access


# --- Investigation ----------------------------------------------------------------------

INVESTIGATION_TEXT_FIELDS = (
    "situation",
    "housing",
    "health",
    "household_economy",
    "child_perspective",
    "assessment",
)
_INVESTIGATION_LABELS = {
    "situation": "Hushållets situation",
    "housing": "Boende",
    "health": "Hälsa",
    "household_economy": "Hushållets ekonomi och budget",
    "child_perspective": "Barnperspektiv",
    "assessment": "Bedömning",
}


def adults_of(case: Case, on: dt.date | None = None) -> list:
    on = on or timezone.localdate()
    return [
        m.person
        for m in case.household.members_on(on)
        if m.role in ADULT_ROLES or m.role == MemberRole.OTHER_ADULT
    ]


def _clean_content(case: Case, content: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {
        k: str(content.get(k, "") or "").strip() for k in INVESTIGATION_TEXT_FIELDS
    }
    for field in INVESTIGATION_TEXT_FIELDS:
        check_text(clean[field], LONG_TEXT, _INVESTIGATION_LABELS[field])
    adults_in = {str(a.get("person_id")): a for a in content.get("adults", [])}
    adults = []
    for person in adults_of(case):
        given = adults_in.get(str(person.pk), {})
        obstacle = str(given.get("support_obstacle", "") or "")
        if obstacle and obstacle not in SUPPORT_OBSTACLE_BY_CODE:
            raise DomainError(
                "bad_support_obstacle", f"Okänt försörjningshinder för {person.full_name}."
            )
        check_texts(
            NOTE_TEXT,
            Kompetenser=given.get("competences", ""),
            Möjligheter=given.get("possibilities", ""),
        )
        adults.append(
            {
                "person_id": person.pk,
                "name": person.full_name,
                "support_obstacle": obstacle,
                "competences": str(given.get("competences", "") or "").strip(),
                "possibilities": str(given.get("possibilities", "") or "").strip(),
            }
        )
    clean["adults"] = adults
    return clean


def _content_changes(before: dict, after: dict) -> dict:
    changes = {}
    for key in INVESTIGATION_TEXT_FIELDS:
        if before.get(key, "") != after.get(key, ""):
            changes[key] = {"before": before.get(key, ""), "after": after.get(key, "")}
    old_adults = {a["person_id"]: a for a in before.get("adults", [])}
    for adult in after.get("adults", []):
        old = old_adults.get(adult["person_id"], {})
        for key in ("support_obstacle", "competences", "possibilities"):
            if old.get(key, "") != adult.get(key, ""):
                changes[f"adult:{adult['person_id']}:{key}"] = {
                    "before": old.get(key, ""),
                    "after": adult.get(key, ""),
                }
    return changes


@atomic_service
def save_investigation_draft(actor, case: Case, content: dict[str, Any]) -> InvestigationVersion:
    """Save the draft; after a signed version, the first save starts a new version."""
    require(actor, "edit_investigation")
    _require_case(actor, case)
    if case.status == CaseStatus.CLOSED:
        raise DomainError("case_closed", "Ärendet är avslutat.")
    investigation, _ = Investigation.objects.get_or_create(case=case)
    clean = _clean_content(case, content)
    draft = (
        InvestigationVersion.objects.select_for_update()
        .filter(investigation=investigation, signed_at__isnull=True)
        .first()
    )
    base = investigation.latest_signed()
    if draft is None:
        number = (
            investigation.versions.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        draft = InvestigationVersion(
            investigation=investigation, number=number, based_on=base, created_by=actor
        )
        before = base.content if base else {}
    else:
        before = draft.content
    draft.content = clean
    draft.changes = _content_changes(base.content if base else {}, clean)
    draft.save()
    record(
        actor,
        AuditAction.UPDATE,
        obj=draft,
        case_id=case.pk,
        detail={"version": draft.number, "changes": _content_changes(before, clean)},
    )
    return draft


def investigation_problems(case: Case, content: dict[str, Any]) -> list[str]:
    """What is missing before the investigation may be signed (Swedish, one line each)."""
    problems = []
    if not content.get("situation"):
        problems.append("Beskriv hushållets situation.")
    if not content.get("household_economy"):
        problems.append("Beskriv hushållets ekonomi.")
    for adult in content.get("adults", []):
        if not adult.get("support_obstacle"):
            problems.append(f"Ange försörjningshinder för {adult['name']}.")
    # SoL 2025:400: the child's best interest shall be considered; DOMAIN.md: assessed before any decision.
    if case.household.has_children_on(timezone.localdate()) and not content.get(
        "child_perspective"
    ):
        problems.append("Barnperspektivet måste bedömas eftersom det bor barn i hushållet.")
    return problems


@atomic_service
def sign_investigation(actor, case: Case) -> InvestigationVersion:
    """Freeze the draft as a signed version. Refused while anything required is missing."""
    require(actor, "sign_investigation")
    _require_case(actor, case)
    investigation = Investigation.objects.filter(case=case).first()
    draft = (
        investigation
        and InvestigationVersion.objects.select_for_update()
        .filter(investigation=investigation, signed_at__isnull=True)
        .first()
    )
    if not draft:
        raise DomainError("no_draft", "Det finns inget utkast att signera.")
    problems = investigation_problems(case, draft.content)
    if problems:
        raise DomainError(
            "investigation_incomplete",
            "Utredningen kan inte signeras: " + " ".join(problems),
            problems=problems,
        )
    draft.signed_by = actor
    draft.signed_at = timezone.now()
    draft.save(update_fields=["signed_by", "signed_at"])
    record(
        actor,
        AuditAction.SIGN,
        obj=draft,
        case_id=case.pk,
        detail={"version": draft.number, "changes": draft.changes},
    )
    return draft


# --- Journal and documents --------------------------------------------------------------


@atomic_service
def add_journal_entry(
    actor,
    case: Case,
    *,
    text: str,
    kind: str = JournalKind.NOTE,
    occurred_on: dt.date | None = None,
    sign: bool = True,
    corrects: JournalEntry | None = None,
) -> JournalEntry:
    """Write a journal entry; signed entries are final. A correction references the old one."""
    require(actor, "write_journal")
    _require_case(actor, case)
    today = timezone.localdate()
    occurred_on = occurred_on or today
    if occurred_on > today:
        raise DomainError("future_date", "Händelsedatum kan inte ligga i framtiden.")
    if not text.strip():
        raise DomainError("text_required", "Journalanteckningen är tom.")
    check_text(text, LONG_TEXT, "Anteckning")
    if kind not in JournalKind.values:
        raise DomainError("bad_kind", "Okänd typ av journalanteckning.")
    if kind == JournalKind.RECEIVED_MESSAGE:
        raise DomainError(
            "bad_kind", "Inkomna meddelanden från e-tjänsten skrivs bara av den sökande."
        )
    if corrects is not None and (corrects.case_id != case.pk or corrects.signed_at is None):
        raise DomainError(
            "bad_correction", "Bara en signerad anteckning i samma ärende kan rättas."
        )
    entry = JournalEntry.objects.create(
        case=case,
        kind=kind,
        occurred_on=occurred_on,
        text=text.strip(),
        written_by=actor,
        signed_at=timezone.now() if sign else None,
        corrects=corrects,
    )
    record(
        actor,
        AuditAction.SIGN if sign else AuditAction.CREATE,
        obj=entry,
        case_id=case.pk,
        detail={
            "after": {
                "kind": kind,
                "occurred_on": occurred_on.isoformat(),
                "corrects": corrects.pk if corrects else None,
            }
        },
    )
    return entry


@transaction.atomic
def record_applicant_message(actor, person, case: Case, *, text: str) -> JournalEntry:
    """A message the applicant sent through the e-service: a received-message journal entry,
    final at once (a record of authority, never edited). `actor` is the access log's actor for
    the applicant (bistand.portal, which has checked that the person may write on the case:
    applicant or co-applicant of its household today)."""
    if not text.strip():
        raise DomainError("text_required", "Skriv ditt meddelande.")
    check_text(text, LONG_TEXT, "Meddelandet")
    entry = JournalEntry.objects.create(
        case=case,
        kind=JournalKind.RECEIVED_MESSAGE,
        occurred_on=timezone.localdate(),
        text=text.strip(),
        written_by=None,
        from_person=person,
        signed_at=timezone.now(),
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=entry,
        case_id=case.pk,
        person_id=person.pk,
        detail={"after": {"kind": entry.kind, "occurred_on": entry.occurred_on.isoformat()}},
    )
    return entry


@atomic_service
def update_journal_draft(actor, entry: JournalEntry, *, text: str) -> JournalEntry:
    require(actor, "write_journal")
    _require_case(actor, entry.case)
    if entry.written_by_id != actor.pk:
        raise PermissionRefused("not_author", "Bara den som skrev utkastet kan ändra det.")
    if entry.signed_at is not None:
        raise DomainError(
            "entry_signed", "Anteckningen är signerad och kan inte ändras; skriv en rättelse."
        )
    check_text(text, LONG_TEXT, "Anteckning")
    before = {"text": entry.text}
    entry.text = text.strip()
    entry.save(update_fields=["text"])
    record(
        actor,
        AuditAction.UPDATE,
        obj=entry,
        case_id=entry.case_id,
        detail=diff(before, {"text": entry.text}),
    )
    return entry


@atomic_service
def sign_journal_entry(actor, entry: JournalEntry) -> JournalEntry:
    require(actor, "write_journal")
    _require_case(actor, entry.case)
    if entry.written_by_id != actor.pk:
        raise PermissionRefused("not_author", "Bara den som skrev anteckningen kan signera den.")
    if entry.signed_at is not None:
        raise DomainError("entry_signed", "Anteckningen är redan signerad.")
    entry.signed_at = timezone.now()
    entry.save(update_fields=["signed_at"])
    record(actor, AuditAction.SIGN, obj=entry, case_id=entry.case_id)
    return entry


@atomic_service
def upload_document(
    actor,
    case: Case,
    uploaded_file,
    *,
    kind: str,
    title: str = "",
    received_on: dt.date | None = None,
) -> Document:
    """Store a PDF or image for the case, checking size and real file type."""
    require(actor, "upload_document")
    _require_case(actor, case)
    return _store_document(
        actor,
        case,
        uploaded_file,
        kind=kind,
        title=title,
        received_on=received_on,
        uploaded_by=actor,
        person=None,
    )


@transaction.atomic
def record_applicant_document(
    actor, person, case: Case, uploaded_file, *, kind: str, title: str = ""
) -> Document:
    """A document the applicant sent through the e-service, arriving today: the same checks
    of size and real file type as staff uploads, naming the person instead of staff. `actor`
    is the access log's actor for the applicant (bistand.portal has checked the case is the
    person's household's)."""
    return _store_document(
        actor,
        case,
        uploaded_file,
        kind=kind,
        title=title,
        received_on=None,
        uploaded_by=None,
        person=person,
    )


def check_document_file(uploaded_file) -> str:
    """Size and real type of an upload (Swedish DomainError); the parsed content type."""
    if uploaded_file is None:
        raise DomainError("file_required", "Välj en fil.")
    if uploaded_file.size > settings.DOCUMENT_MAX_BYTES:
        raise DomainError(
            "file_too_large",
            f"Filen är för stor (högst {settings.DOCUMENT_MAX_BYTES // (1024 * 1024)} MB).",
        )
    if uploaded_file.size == 0:
        raise DomainError("file_empty", "Filen är tom.")
    return document_type(uploaded_file)


def _store_document(
    actor,
    case: Case,
    uploaded_file,
    *,
    kind: str,
    title: str,
    received_on: dt.date | None,
    uploaded_by: User | None,
    person,
) -> Document:
    received_on = _parse_received_on(received_on)
    if kind not in DocumentKind.values:
        raise DomainError("bad_kind", "Okänd typ av handling.")
    check_text(title, 200, "Rubrik")
    content_type = check_document_file(uploaded_file)
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    document = Document(
        case=case,
        kind=kind,
        title=title.strip() or DocumentKind(kind).label,
        original_name=safe_original_name(uploaded_file.name),
        content_type=content_type,
        size_bytes=uploaded_file.size,
        sha256=digest.hexdigest(),
        received_on=received_on,
        uploaded_by=uploaded_by,
        from_person=person,
    )
    document.file.save(f"{case.pk}-{digest.hexdigest()[:16]}", uploaded_file, save=False)
    document.save()
    record(
        actor,
        AuditAction.CREATE,
        obj=document,
        case_id=case.pk,
        person_id=person.pk if person is not None else None,
        detail={
            "after": {
                "title": document.title,
                "sha256": document.sha256,
                "received_on": received_on.isoformat(),
            }
        },
    )
    return document


def draft_checker(permission: str):
    """For an autosaved draft (bistand/core/drafts.py): may `user` write `permission` on the
    case? Unlike `open_case` nothing is logged (typing is not reading the case again); a case
    the user may not open answers as a missing one."""

    def may_edit(user, case_id: int) -> None:
        require(user, permission)
        case = Case.objects.filter(pk=case_id).first()
        if case is None or not can_open_case(user, case):
            raise NotFound("case_not_found", "Ärendet finns inte eller så saknar du behörighet.")

    return may_edit
