"""Protected identity (skyddade personuppgifter): marking a person, removing the marking, and
naming the staff who may open a case with a protected person (behöriga handläggare).

The access rule itself is in rules.py; what follows a marking (address withheld, reads
flagged for review) is in households.models, rules.read_detail and decisions.letters.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.core.errors import DomainError, PermissionRefused
from bistand.households.models import ProtectedIdentity, ProtectionKind
from bistand.organisation.models import Role, User
from bistand.organisation.permissions import require

from .models import Case, CaseAuthorisation
from .rules import always_allowed, can_open_case
from .services import atomic_service

NAMEABLE_ROLES = (Role.RECEPTION, Role.SOCIAL_WORKER, Role.BENEFIT_ADMINISTRATOR, Role.SECTION_HEAD)


def _require_case_of_person(actor, case: Case, person) -> None:
    if not can_open_case(actor, case):
        raise PermissionRefused(
            "case_access_denied",
            "Du har inte behörighet till det här ärendet.",
            case_id=case.pk,
            log_case_id=case.pk,
        )
    if not case.household.memberships.filter(person=person).exists():
        raise DomainError("not_in_household", "Personen hör inte till ärendets hushåll.")


def _marking_fields(marking: ProtectedIdentity | None) -> dict:
    if marking is None:
        return {"protected_identity": None}
    return {"protected_identity": marking.kind, "registered_on": marking.registered_on.isoformat()}


@atomic_service
def mark_protected_identity(
    actor, case: Case, person, *, kind: str, registered_on: dt.date
) -> ProtectedIdentity:
    """Mark `person` (a member of `case`'s household) as having protected identity; a marking
    of another kind in force is ended and replaced (logged with before and after)."""
    require(actor, "mark_protected_identity")
    _require_case_of_person(actor, case, person)
    if kind not in ProtectionKind.values:
        raise DomainError("bad_kind", "Välj sekretessmarkering eller skyddad folkbokföring.")
    if registered_on is None or registered_on > timezone.localdate():
        raise DomainError("bad_date", "Ange från vilket datum skyddet gäller (inte ett framtida).")
    now = timezone.now()
    current = ProtectedIdentity.objects.select_for_update().filter(
        person=person, removed_at__isnull=True
    )
    before = current.first()
    if before is not None:
        if before.kind == kind and before.registered_on == registered_on:
            raise DomainError("already_protected", "Personen har redan den markeringen.")
        before.removed_by = actor
        before.removed_at = now
        before.removal_reason = "Ersatt av ny markering"
        before.save(update_fields=["removed_by", "removed_at", "removal_reason"])
    marking = ProtectedIdentity.objects.create(
        person=person, kind=kind, registered_on=registered_on, marked_by=actor, marked_at=now
    )
    record(
        actor,
        AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=marking,
        case_id=case.pk,
        person_id=person.pk,
        detail={"before": _marking_fields(before), "after": _marking_fields(marking)},
    )
    return marking


@atomic_service
def remove_protected_identity(
    actor, case: Case, marking: ProtectedIdentity, *, reason: str
) -> ProtectedIdentity:
    """Only the unit head over the person's case removes a marking, with a reason."""
    require(actor, "remove_protected_identity")
    _require_case_of_person(actor, case, marking.person)
    if case.unit_id != actor.unit_id:
        raise PermissionRefused("other_unit", "Ärendet tillhör en annan enhet.")
    if marking.removed_at is not None:
        raise DomainError("already_removed", "Markeringen är redan borttagen.")
    if len((reason or "").strip()) < 5:
        raise DomainError("reason_required", "Ange skälet till att skyddet tas bort.")
    marking.removed_by = actor
    marking.removed_at = timezone.now()
    marking.removal_reason = reason.strip()
    marking.save(update_fields=["removed_by", "removed_at", "removal_reason"])
    record(
        actor,
        AuditAction.UPDATE,
        obj=marking,
        case_id=case.pk,
        person_id=marking.person_id,
        detail={
            "before": _marking_fields(marking),
            "after": {"protected_identity": None},
            "reason": marking.removal_reason,
        },
    )
    return marking


def _require_may_name(actor, case: Case) -> None:
    """The case's handler and the unit head over it decide who else may open it."""
    if not always_allowed(actor, case):
        raise PermissionRefused(
            "not_handler_or_unit_head",
            "Bara ärendets handläggare och enhetschefen kan ändra vilka som är behöriga.",
        )


@atomic_service
def authorise_staff(actor, case: Case, staff: User) -> CaseAuthorisation:
    """Name `staff` as allowed to open `case` (behörig handläggare)."""
    _require_may_name(actor, case)
    if not (staff.is_active and staff.unit_id == case.unit_id and staff.role in NAMEABLE_ROLES):
        raise DomainError(
            "not_nameable", "Bara aktiv ärendepersonal på ärendets enhet kan bli behörig."
        )
    if CaseAuthorisation.objects.filter(case=case, user=staff, revoked_at__isnull=True).exists():
        raise DomainError("already_authorised", "Medarbetaren är redan behörig.")
    authorisation = CaseAuthorisation.objects.create(
        case=case, user=staff, granted_by=actor, granted_at=timezone.now()
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=authorisation,
        case_id=case.pk,
        detail={"after": {"authorised": staff.pk}},
    )
    return authorisation


@atomic_service
def revoke_authorisation(actor, authorisation: CaseAuthorisation) -> CaseAuthorisation:
    _require_may_name(actor, authorisation.case)
    if authorisation.revoked_at is not None:
        raise DomainError("already_revoked", "Behörigheten är redan borttagen.")
    authorisation.revoked_by = actor
    authorisation.revoked_at = timezone.now()
    authorisation.save(update_fields=["revoked_by", "revoked_at"])
    record(
        actor,
        AuditAction.UPDATE,
        obj=authorisation,
        case_id=authorisation.case_id,
        detail={"before": {"authorised": authorisation.user_id}, "after": {"authorised": None}},
    )
    return authorisation
