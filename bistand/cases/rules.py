"""Which cases a staff member may open (socialtjänstsekretess).

A staff member may open a case only if they hold it (handler or assistant), work in its
section, or are the unit head over it, or have taken emergency access with a stated reason.
"""

from django.db.models import Q
from django.utils import timezone

from bistand.organisation.models import Role

SECTION_ROLES = (Role.RECEPTION, Role.SOCIAL_WORKER, Role.BENEFIT_ADMINISTRATOR, Role.SECTION_HEAD)


def visible_cases_q(user) -> Q:
    """A Q over Case that matches exactly the cases `user` may open."""
    if not (user and user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    q = Q(handler_id=user.pk) | Q(assistant_id=user.pk)
    if user.role in SECTION_ROLES and user.section_id:
        q |= Q(section_id=user.section_id)
    if user.role == Role.UNIT_HEAD and user.unit_id:
        q |= Q(unit_id=user.unit_id)
    q |= Q(
        emergency_accesses__user_id=user.pk,
        emergency_accesses__expires_at__gt=timezone.now(),
    )
    return q


def ordinary_access(user, case) -> bool:
    """Access by the user's own work, without emergency access."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.pk in (case.handler_id, case.assistant_id):
        return True
    if user.role in SECTION_ROLES and user.section_id and user.section_id == case.section_id:
        return True
    return user.role == Role.UNIT_HEAD and user.unit_id is not None and user.unit_id == case.unit_id


def has_emergency_access(user, case) -> bool:
    return case.emergency_accesses.filter(user_id=user.pk, expires_at__gt=timezone.now()).exists()


def can_open_case(user, case) -> bool:
    return ordinary_access(user, case) or (
        user is not None and user.is_authenticated and has_emergency_access(user, case)
    )
