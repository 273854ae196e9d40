"""Every change of state in controls: a register check asked through the adapter, a check of
a document recorded by hand, the assessment, the unit's requirements, and the binding of
checks to a decision (through the hook decisions calls).

Each takes the acting user first, checks permission and the rules, writes the audit record
and runs in one transaction. The register is asked before the transaction opens (no database
lock is held over the network); a refused or failed answer stores nothing but an access-log
row saying the question was asked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import Application, Case
from bistand.cases.rules import can_open_case
from bistand.cases.services import atomic_service
from bistand.core.dates import add_months, month_start
from bistand.core.errors import DomainError, PermissionRefused
from bistand.core.text import NOTE_TEXT, SHORT_TEXT, check_text
from bistand.households.models import HouseholdMembership, Person
from bistand.organisation.models import Unit

from . import adapter, rules
from .models import (
    MANUAL_SOURCES,
    REGISTER_SOURCES,
    Assessment,
    Channel,
    CheckRequirement,
    CheckRequirementSet,
    DecisionCheckUse,
    DecisionKind,
    PersonScope,
    RegisterCheck,
    Source,
)
from .permissions import require

MAX_PERIOD_MONTHS = 12


def _require_case(actor, case: Case) -> None:
    if not can_open_case(actor, case):
        raise PermissionRefused(
            "case_access_denied",
            gettext_lazy("Du har inte behörighet till det här ärendet."),
            case_id=case.pk,
            log_case_id=case.pk,
        )


def _period(period_from: dt.date, period_to: dt.date) -> tuple[dt.date, dt.date]:
    if not isinstance(period_from, dt.date) or not isinstance(period_to, dt.date):
        raise DomainError("bad_period", gettext_lazy("Ange perioden som månader (ÅÅÅÅ-MM)."))
    start, end = month_start(period_from), month_start(period_to)
    if end < start:
        raise DomainError("bad_period", gettext_lazy("Periodens slut ligger före dess början."))
    if add_months(start, MAX_PERIOD_MONTHS) <= end:
        raise DomainError("bad_period", f"En kontroll gäller högst {MAX_PERIOD_MONTHS} månader.")
    if end > month_start(timezone.localdate()):
        raise DomainError("future_period", gettext_lazy("Perioden kan inte ligga i framtiden."))
    return start, end


def _member(case: Case, person: Person) -> Person:
    if not HouseholdMembership.objects.filter(
        household_id=case.household_id, person_id=person.pk
    ).exists():
        raise DomainError(
            "not_in_household", gettext_lazy("Personen hör inte till ärendets hushåll.")
        )
    return person


def _application(case: Case, application: Application | None) -> Application | None:
    if application is not None and application.case_id != case.pk:
        raise DomainError("wrong_application", gettext_lazy("Ansökan hör inte till ärendet."))
    return application


def _check_inputs(actor, case: Case, person: Person, application, period_from, period_to):
    require(actor, "check")
    case = Case.objects.select_related("household").get(pk=case.pk)
    _require_case(actor, case)
    return (
        case,
        _member(case, person),
        _application(case, application),
        *_period(period_from, period_to),
    )


def request_check(
    actor,
    case: Case,
    *,
    person: Person,
    source: str,
    period_from: dt.date,
    period_to: dt.date,
    application: Application | None = None,
    client: adapter.RegisterClient | None = None,
) -> RegisterCheck:
    """Ask the register (through the SSBTEK adapter) about `person` for the months, store the
    validated answer with its comparison against the application. A timeout, an outage or a
    malformed/oversized reply is refused with a Swedish message and nothing is stored."""
    if source not in REGISTER_SOURCES:
        raise DomainError("not_a_register", gettext_lazy("Den källan frågas inte via SSBTEK; registrera "
                          "handlingen som en manuell kontroll."))  # fmt: skip
    try:
        with transaction.atomic():
            case, person, application, start, end = _check_inputs(
                actor, case, person, application, period_from, period_to
            )
    except PermissionRefused as error:
        if error.context.get("log_case_id"):
            record(actor, AuditAction.ACCESS_DENIED, object_type="cases.case",
                   object_id=case.pk, case_id=case.pk, detail={"what": "request_check"})  # fmt: skip
        raise
    request = adapter.new_request(source, person.identity_number, start, end)
    try:
        answer = adapter.ask(request, client)
    except adapter.RegisterError as error:
        # The question was asked (a read of register data about the person): log it, store no
        # answer. The decision stays blocked until a check is on record.
        record(
            actor,
            AuditAction.SEARCH,
            object_type="controls.registerquery",
            object_id=request.request_id,
            case_id=case.pk,
            person_id=person.pk,
            detail={"source": source, "period": [f"{start:%Y-%m}", f"{end:%Y-%m}"],
                    "refused": error.code},
        )  # fmt: skip
        raise DomainError(error.code, error.message) from error
    return _store_register_answer(actor, case, person, application, source, start, end, answer)


@atomic_service
def _store_register_answer(actor, case, person, application, source, start, end, answer):
    rows, discrepancy = rules.compare(case, person, source, answer)
    encoded = json.dumps(answer, sort_keys=True, ensure_ascii=False).encode()
    check = RegisterCheck.objects.create(
        case=case,
        application=application,
        person=person,
        source=source,
        channel=Channel.REGISTER,
        period_start=start,
        period_end=end,
        request_id=answer["request_id"],
        answer=answer,
        answer_sha256=hashlib.sha256(encoded).hexdigest(),
        summary=rules.summarise(source, answer),
        comparison=rows,
        discrepancy=discrepancy,
        checked_by=actor,
        checked_at=timezone.now(),
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=check,
        case_id=case.pk,
        person_id=person.pk,
        detail={"source": source, "period": [f"{start:%Y-%m}", f"{end:%Y-%m}"],
                "request_id": check.request_id, "discrepancy": discrepancy,
                "answer_sha256": check.answer_sha256},
    )  # fmt: skip
    return check


def _assessment(discrepancy: bool, assessment: str, note: str) -> tuple[str, str]:
    if assessment not in Assessment.values:
        raise DomainError("bad_assessment", gettext_lazy("Välj en bedömning av kontrollen."))
    note = check_text((note or "").strip(), NOTE_TEXT, "motivering")
    if assessment != Assessment.NO_DISCREPANCY and not note:
        raise DomainError(
            "note_required",
            gettext_lazy("Beskriv avvikelsen och hur den är förklarad eller vad som görs."),
        )
    if discrepancy and assessment == Assessment.NO_DISCREPANCY and not note:
        raise DomainError(
            "note_required",
            gettext_lazy("Svaret avviker från ansökan. Motivera varför det inte är en avvikelse."),
        )
    return assessment, note


@atomic_service
def record_manual_check(
    actor,
    case: Case,
    *,
    person: Person,
    source: str,
    period_from: dt.date,
    period_to: dt.date,
    found: str,
    discrepancy: bool,
    assessment: str,
    note: str = "",
    stated: str = "",
    application: Application | None = None,
) -> RegisterCheck:
    """A document the handler has read (a bank statement, the landlord's confirmation): what it
    showed, whether it differs from the application, and the assessment, recorded at once."""
    if source not in MANUAL_SOURCES:
        raise DomainError("not_manual", gettext_lazy("Den källan kontrolleras via SSBTEK."))
    case, person, application, start, end = _check_inputs(
        actor, case, person, application, period_from, period_to
    )
    found = check_text((found or "").strip(), SHORT_TEXT * 2, "uppgift")
    stated = check_text((stated or "").strip(), SHORT_TEXT, "uppgivet")
    if not found:
        raise DomainError("found_required", gettext_lazy("Skriv vad handlingen visar."))
    assessment, note = _assessment(bool(discrepancy), assessment, note)
    now = timezone.now()
    answer = {"document": str(Source(source).label), "found": found, "stated": stated}
    check = RegisterCheck.objects.create(
        case=case,
        application=application,
        person=person,
        source=source,
        channel=Channel.MANUAL,
        period_start=start,
        period_end=end,
        answer=answer,
        answer_sha256=hashlib.sha256(
            json.dumps(answer, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest(),
        summary=found[:500],
        comparison=[
            {
                "month": f"{end:%Y-%m}",
                "what": str(Source(source).label),
                "stated": stated or "–",
                "register": found,
                "differs": bool(discrepancy),
            }
        ],  # fmt: skip
        discrepancy=bool(discrepancy),
        checked_by=actor,
        checked_at=now,
        assessment=assessment,
        assessment_note=note,
        assessed_by=actor,
        assessed_at=now,
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=check,
        case_id=case.pk,
        person_id=person.pk,
        detail={"source": source, "manual": True, "discrepancy": check.discrepancy,
                "assessment": assessment},
    )  # fmt: skip
    return check


@atomic_service
def assess_check(actor, check: RegisterCheck, *, assessment: str, note: str = "") -> RegisterCheck:
    """The handler's assessment of an answer: no discrepancy, discrepancy explained, or
    discrepancy → action. Made once; a new look is a new check."""
    require(actor, "check")
    check = RegisterCheck.objects.select_for_update().select_related("case").get(pk=check.pk)
    _require_case(actor, check.case)
    if check.assessment:
        raise DomainError("already_assessed", gettext_lazy("Kontrollen är redan bedömd."))
    check.assessment, check.assessment_note = _assessment(check.discrepancy, assessment, note)
    check.assessed_by, check.assessed_at = actor, timezone.now()
    check.save(update_fields=["assessment", "assessment_note", "assessed_by", "assessed_at"])
    record(
        actor,
        AuditAction.UPDATE,
        obj=check,
        case_id=check.case_id,
        person_id=check.person_id,
        detail={"assessment": check.assessment, "discrepancy": check.discrepancy},
    )
    return check


# --- The unit's requirements -----------------------------------------------------------------


@atomic_service
def set_check_requirements(
    actor, unit: Unit, *, valid_from: dt.date, requirements: Iterable[dict], note: str = ""
) -> CheckRequirementSet:
    """A new set of required checks for the unit from a month on (an empty list requires none).
    Each requirement: decision_kind, source, case_types ("" or letters of A/B/C), persons,
    every_months (1-12)."""
    require(actor, "configure_checks")
    if actor.unit_id != unit.pk:
        raise PermissionRefused(
            "other_unit", gettext_lazy("Du kan bara ändra inställningar för din egen enhet.")
        )
    if not isinstance(valid_from, dt.date):
        raise DomainError("bad_month", gettext_lazy("Ange från vilken månad kraven gäller."))
    rows, seen = [], set()
    for given in requirements:
        kind, source = given.get("decision_kind"), given.get("source")
        case_types = "".join(sorted(set(str(given.get("case_types") or "").upper())))
        persons = given.get("persons") or PersonScope.APPLICANT
        try:
            every = int(given.get("every_months") or 1)
        except (TypeError, ValueError):
            every = 0
        if kind not in DecisionKind.values or source not in Source.values:
            raise DomainError(
                "bad_requirement", gettext_lazy("Välj beslutstyp och källa för varje krav.")
            )
        if not set(case_types) <= {"A", "B", "C"}:
            raise DomainError("bad_case_types", gettext_lazy("Ärendetyper anges med A, B och C."))
        if persons not in PersonScope.values or not 1 <= every <= 12:
            raise DomainError(
                "bad_requirement", gettext_lazy("Ange för vem och hur ofta (1–12 månader).")
            )
        key = (kind, source, case_types, persons)
        if key in seen:
            raise DomainError("duplicate_requirement", gettext_lazy("Samma krav finns två gånger."))
        seen.add(key)
        rows.append(CheckRequirement(decision_kind=kind, source=source, case_types=case_types,
                                     persons=persons, every_months=every))  # fmt: skip
    requirement_set = CheckRequirementSet.objects.create(
        unit=unit,
        valid_from=month_start(valid_from),
        note=check_text((note or "").strip(), NOTE_TEXT, "anteckning"),
        created_by=actor,
    )
    for row in rows:
        row.requirement_set = requirement_set
    CheckRequirement.objects.bulk_create(rows)
    record(
        actor,
        AuditAction.CREATE,
        obj=requirement_set,
        detail={
            "unit": unit.pk,
            "valid_from": f"{requirement_set.valid_from:%Y-%m}",
            "requirements": [
                [r.decision_kind, r.source, r.case_types, r.persons, r.every_months] for r in rows
            ],
        },
    )
    return requirement_set


# --- For decisions (through ControlsConfig) ---------------------------------------------------


def bind_decision_checks(
    actor, application: Application, decision_id: int, *, automatic: bool = False
) -> rules.ChecksStatus:
    """Called inside the decision's transaction: refuse unless the required checks are on
    record and assessed, then record which checks the decision rests on."""
    status = rules.status_for(application, automatic=automatic)
    if not status.ok:
        raise DomainError("register_checks_missing", status.message)
    DecisionCheckUse.objects.bulk_create(
        DecisionCheckUse(decision_id=decision_id, application=application, check_record=check)
        for check in status.checks
    )
    return status
