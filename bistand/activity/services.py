"""Writes for the activity requirement: recording and ending exemptions (never edited)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import Case, CaseStatus
from bistand.core.errors import DomainError

from .models import (
    CertificateExtent,
    Exemption,
    ExemptionEnding,
    ExemptionReason,
    LanguageLevel,
    MedicalCertificate,
    PersonLanguageLevel,
)
from .permissions import require
from .selectors import ASSESSED_ROLES


def _require_open(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise DomainError("case_closed", "Ärendet är avslutat.")


def _member_of(case: Case, person_id: int, day: dt.date):
    membership = (
        case.household.members_on(day).filter(person_id=person_id, role__in=ASSESSED_ROLES).first()
    )
    if membership is None:
        raise DomainError("not_a_member", "Personen ingår inte i hushållet.")
    return membership.person


@transaction.atomic
def record_exemption(
    actor,
    case: Case,
    *,
    person_id: int,
    reason: str,
    evidence: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    other_reason: str = "",
    today: dt.date,
) -> Exemption:
    require(actor, "record_exemption")
    case = Case.objects.select_for_update().select_related("household").get(pk=case.pk)
    _require_open(case)
    person = _member_of(case, person_id, today)
    if reason not in ExemptionReason.values:
        raise DomainError("bad_reason", "Välj ett skäl från listan.")
    if reason == ExemptionReason.OTHER and not other_reason.strip():
        raise DomainError("other_reason_required", "Skriv vilket skäl.")
    if not evidence.strip():
        raise DomainError("evidence_required", "Ange underlaget för undantaget.")
    if valid_to is not None and valid_to < valid_from:
        raise DomainError("bad_period", "Slutdatum kan inte vara före startdatum.")
    exemption = Exemption.objects.create(
        person=person,
        case=case,
        reason=reason,
        other_reason=other_reason.strip() if reason == ExemptionReason.OTHER else "",
        evidence=evidence.strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        recorded_by=actor,
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=exemption,
        case_id=case.pk,
        person_id=person.pk,
        detail={
            "after": {
                "reason": reason,
                "valid_from": valid_from.isoformat(),
                "valid_to": valid_to.isoformat() if valid_to else None,
            }
        },
    )
    return exemption


@transaction.atomic
def end_exemption(
    actor, case: Case, exemption: Exemption, *, ends_on: dt.date, note: str
) -> ExemptionEnding:
    require(actor, "record_exemption")
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_open(case)
    exemption = Exemption.objects.select_for_update().get(pk=exemption.pk)
    if ExemptionEnding.objects.filter(exemption=exemption).exists():
        raise DomainError("already_ended", "Undantaget är redan avslutat.")
    if ends_on < exemption.valid_from:
        raise DomainError("bad_end", "Slutdatum kan inte vara före undantagets startdatum.")
    if exemption.valid_to is not None and ends_on >= exemption.valid_to:
        raise DomainError("not_earlier", "Undantaget slutar redan senast det datumet.")
    if not note.strip():
        raise DomainError("note_required", "Ange varför undantaget avslutas.")
    ending = ExemptionEnding.objects.create(
        exemption=exemption, ends_on=ends_on, note=note.strip(), recorded_by=actor
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=ending,
        case_id=case.pk,
        person_id=exemption.person_id,
        detail={"after": {"exemption": exemption.pk, "ends_on": ends_on.isoformat()}},
    )
    return ending


@transaction.atomic
def record_certificate(
    actor,
    case: Case,
    *,
    person_id: int,
    valid_from: dt.date,
    valid_to: dt.date,
    extent: int,
    issuer: str,
    replaces: MedicalCertificate | None = None,
    today: dt.date,
) -> MedicalCertificate:
    """Record a medical certificate (läkarintyg); a correction names the one it `replaces`."""
    require(actor, "record_exemption")
    case = Case.objects.select_for_update().select_related("household").get(pk=case.pk)
    _require_open(case)
    person = _member_of(case, person_id, today)
    if valid_to < valid_from:
        raise DomainError("bad_period", "Slutdatum kan inte vara före startdatum.")
    if extent not in CertificateExtent.values:
        raise DomainError("bad_extent", "Välj omfattning: 25, 50, 75 eller 100 %.")
    if not issuer.strip():
        raise DomainError("issuer_required", "Ange vem som utfärdat intyget.")
    if replaces is not None:
        replaces = MedicalCertificate.objects.select_for_update().get(pk=replaces.pk)
        if replaces.person_id != person.pk:
            raise DomainError("other_person", "Intyget som rättas gäller en annan person.")
        if MedicalCertificate.objects.filter(replaces=replaces).exists():
            raise DomainError("already_replaced", "Intyget är redan rättat.")
    certificate = MedicalCertificate.objects.create(
        person=person,
        case=case,
        valid_from=valid_from,
        valid_to=valid_to,
        extent=extent,
        issuer=issuer.strip(),
        replaces=replaces,
        recorded_by=actor,
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=certificate,
        case_id=case.pk,
        person_id=person.pk,
        detail={
            "after": {
                "valid_from": valid_from.isoformat(),
                "valid_to": valid_to.isoformat(),
                "extent": extent,
                "replaces": replaces.pk if replaces else None,
            }
        },
    )
    return certificate


@transaction.atomic
def record_language_level(
    actor,
    case: Case,
    *,
    person_id: int,
    level: str,
    level_on: dt.date,
    source: str,
    today: dt.date,
) -> LanguageLevel:
    """Record a person's language level (SFI course) as of a date. Written once: the newest
    counts for the referral criteria, the earlier ones stay as the history."""
    require(actor, "record_exemption")
    case = Case.objects.select_for_update().select_related("household").get(pk=case.pk)
    _require_open(case)
    person = _member_of(case, person_id, today)
    if level not in PersonLanguageLevel.values:
        raise DomainError("bad_level", "Välj en språknivå i listan.")
    if level_on > today:
        raise DomainError("future_date", "Datumet kan inte vara i framtiden.")
    if not source.strip():
        raise DomainError("source_required", "Ange underlaget (t.ex. intyg från SFI).")
    entry = LanguageLevel.objects.create(
        person=person,
        case=case,
        level=level,
        level_on=level_on,
        source=source.strip(),
        recorded_by=actor,
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=entry,
        case_id=case.pk,
        person_id=person.pk,
        detail={"after": {"level": level, "level_on": level_on.isoformat()}},
    )
    return entry
