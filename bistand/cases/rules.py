"""Which cases a staff member may open (socialtjänstsekretess).

A staff member may open a case only if they hold it (handler or assistant), work in its
section, or are the unit head over it, or have taken emergency access with a stated reason.

A case whose household has a person with protected identity (skyddade personuppgifter) is
narrower: only its handler, the unit head and the staff named on the case
(`CaseAuthorisation`, behöriga handläggare) may open it; a section colleague or the assistant
must be named. Emergency access still opens it, and every read of such a case is flagged for
the unit head's review (`read_detail`).

Nobody may open a case that concerns themselves (jäv, 16 § förvaltningslagen 2017:900): a
staff member whose identity number is registered (`User.identity_number`) is refused every
case of a household they belong or belonged to, whatever their role, emergency access
included, and such cases are left out of every list (`conflict_household_ids`).
"""

from typing import Any

from django.db.models import Q
from django.utils import timezone

from bistand.households.models import HouseholdMembership, protected_household_ids
from bistand.organisation.models import Role

from .models import Case, CaseAuthorisation, EmergencyAccess

SECTION_ROLES = (Role.RECEPTION, Role.SOCIAL_WORKER, Role.BENEFIT_ADMINISTRATOR, Role.SECTION_HEAD)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def protected_cases_q() -> Q:
    """A Q over Case: the household has a person with protected identity."""
    return Q(household_id__in=protected_household_ids())


CONFLICT_MESSAGE = (
    "Du kan inte öppna eller handlägga ärendet: det rör dig själv eller ditt hushåll "
    "(jäv, 16 § förvaltningslagen). Be din chef fördela det till en kollega."
)


def conflict_household_ids(user) -> frozenset[int]:
    """The households the staff member belongs or belonged to, by their registered identity
    number: their cases concern the member themselves or their household (jäv). Read once
    per user object (one request)."""
    number = getattr(user, "identity_number", "") or ""
    if not number:
        return frozenset()
    cached = getattr(user, "_conflict_household_ids", None)
    if cached is None:
        cached = frozenset(
            HouseholdMembership.objects.filter(person__identity_number=number).values_list(
                "household_id", flat=True
            )
        )
        user._conflict_household_ids = cached
    return cached


def has_conflict(user, case) -> bool:
    """Whether the case concerns `user` themselves or their household (jäv)."""
    return bool(user) and case.household_id in conflict_household_ids(user)


def _named_cases(user):
    return CaseAuthorisation.objects.filter(user_id=user.pk, revoked_at__isnull=True).values(
        "case_id"
    )


def visible_cases_q(user) -> Q:
    """A Q over Case that matches exactly the cases `user` may open."""
    if not _active(user):
        return Q(pk__in=[])
    q = Q(handler_id=user.pk)
    if user.role == Role.UNIT_HEAD and user.unit_id:
        q |= Q(unit_id=user.unit_id)
    by_work = Q(assistant_id=user.pk)
    if user.role in SECTION_ROLES and user.section_id:
        by_work |= Q(section_id=user.section_id)
    q |= by_work & ~protected_cases_q()
    if user.unit_id:
        q |= Q(pk__in=_named_cases(user), unit_id=user.unit_id)
    # As a subquery, not a join: the cases come back once each without a DISTINCT over
    # every selected column (list pages select the case with its household and staff).
    q |= Q(
        pk__in=EmergencyAccess.objects.filter(
            user_id=user.pk, expires_at__gt=timezone.now()
        ).values("case_id")
    )
    conflicts = conflict_household_ids(user)
    if conflicts:
        q &= ~Q(household_id__in=conflicts)
    return q


def sees_whole_section(user, section) -> bool:
    """Whether `user` may see every (unprotected) case of `section`, i.e. its whole inbox."""
    if not _active(user) or section is None:
        return False
    if user.role == Role.UNIT_HEAD:
        return bool(user.unit_id) and user.unit_id == section.unit_id
    return user.role in SECTION_ROLES and bool(user.section_id) and user.section_id == section.pk


def is_protected_case(case) -> bool:
    return Case.objects.filter(protected_cases_q(), pk=case.pk).exists()


def is_named_on_case(user, case) -> bool:
    return CaseAuthorisation.objects.filter(
        case_id=case.pk, user_id=user.pk, revoked_at__isnull=True
    ).exists()


def always_allowed(user, case) -> bool:
    """The handler and the unit head over the case: allowed even on a protected case."""
    if not _active(user):
        return False
    if user.pk == case.handler_id:
        return True
    return user.role == Role.UNIT_HEAD and user.unit_id is not None and user.unit_id == case.unit_id


def ordinary_access(user, case, *, protected: bool | None = None) -> bool:
    """Access by the user's own work, without emergency access. `protected`: whether the case
    is protected, when the caller already knows (lists), saving a query per case."""
    if not _active(user):
        return False
    if always_allowed(user, case):
        return True
    if protected is None:
        protected = is_protected_case(case)
    if not protected:
        return user.pk == case.assistant_id or bool(
            user.role in SECTION_ROLES and user.section_id and user.section_id == case.section_id
        )
    return user.unit_id == case.unit_id and is_named_on_case(user, case)


def has_emergency_access(user, case) -> bool:
    return case.emergency_accesses.filter(user_id=user.pk, expires_at__gt=timezone.now()).exists()


def can_open_case(user, case, *, protected: bool | None = None) -> bool:
    if _active(user) and has_conflict(user, case):
        return False
    return ordinary_access(user, case, protected=protected) or (
        user is not None and user.is_authenticated and has_emergency_access(user, case)
    )


def read_detail(user, case, what: str, *, protected: bool | None = None) -> dict[str, Any]:
    """The access-log detail of a read of `case`: emergency access and protected identity are
    flagged, so the unit head's monthly review finds them (views_audit, access_review)."""
    if protected is None:
        protected = is_protected_case(case)
    detail: dict[str, Any] = {"what": what}
    if not ordinary_access(user, case, protected=protected):
        detail["emergency_access"] = True
    if protected:
        detail["protected_identity"] = True
    return detail


def protected_case_ids(case_ids) -> set[int]:
    """Which of `case_ids` are protected, in one query (for lists)."""
    return set(
        Case.objects.filter(protected_cases_q(), pk__in=list(case_ids)).values_list("pk", flat=True)
    )
