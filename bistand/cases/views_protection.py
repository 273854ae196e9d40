"""Pages for protected identity: marking a household member, removing the marking (unit head),
and the case's named staff (behöriga handläggare). Thin: the acts are in cases.protection."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from bistand.audit.models import AuditAction
from bistand.core.errors import DomainError, NotFound
from bistand.core.views import handle_domain_errors
from bistand.households.models import ProtectedIdentity, ProtectionKind
from bistand.organisation.models import User
from bistand.organisation.permissions import can

from . import protection, selectors
from .models import Case, CaseAuthorisation
from .rules import always_allowed, is_protected_case


def protection_panel(user, case: Case, *, members: list | None = None) -> dict:
    """What the case page shows about protected identity and who may open the case
    (`members`: the household's persons today, when the page has read them already)."""
    today = timezone.localdate()
    if members is None:
        members = [m.person for m in case.household.members_on(today)]
    markings = {
        m.person_id: m
        for m in ProtectedIdentity.objects.filter(
            person__in=members, removed_at__isnull=True
        ).select_related("marked_by")
    }
    protected = getattr(case, "protected_on_open", None)
    if protected is None:
        protected = is_protected_case(case)
    may_name = always_allowed(user, case)
    authorised = list(
        case.authorisations.filter(revoked_at__isnull=True).select_related("user", "granted_by")
    )
    candidates = []
    if protected and may_name:
        taken = {a.user_id for a in authorised} | {case.handler_id}
        candidates = [
            s
            for s in User.objects.filter(
                unit_id=case.unit_id, is_active=True, role__in=protection.NAMEABLE_ROLES
            ).order_by("last_name", "first_name")
            if s.pk not in taken
        ]
    return {
        "protected": protected,
        "members": [(p, markings.get(p.pk)) for p in members],
        "kinds": ProtectionKind.choices,
        "today": today,
        "can_mark": can(user, "mark_protected_identity"),
        "can_remove": can(user, "remove_protected_identity"),
        "may_name": may_name,
        "authorised": authorised,
        "candidates": candidates,
    }


def _member(case: Case, person_id: str | None):
    if not (person_id or "").isdigit():
        raise DomainError("person_required", "Välj en person i hushållet.")
    membership = (
        case.household.memberships.filter(person_id=int(person_id)).select_related("person").first()
    )
    if membership is None:
        raise DomainError("not_in_household", "Personen hör inte till ärendets hushåll.")
    return membership.person


@login_required
@require_POST
@handle_domain_errors
def mark_protected_view(request, case_id: int):
    case = selectors.open_case(request.user, case_id, action=AuditAction.VIEW, what="protect")
    person = _member(case, request.POST.get("person"))
    try:
        registered_on = dt.date.fromisoformat(request.POST.get("registered_on", ""))
    except ValueError:
        raise DomainError("bad_date", "Ange datum som ÅÅÅÅ-MM-DD.")
    protection.mark_protected_identity(
        request.user,
        case,
        person,
        kind=request.POST.get("kind", ""),
        registered_on=registered_on,
    )
    messages.success(request, "Skyddade personuppgifter är markerade.")
    return redirect("case_detail", case_id)


@login_required
@require_POST
@handle_domain_errors
def remove_protected_view(request, case_id: int, marking_id: int):
    case = selectors.open_case(request.user, case_id, action=AuditAction.VIEW, what="unprotect")
    marking = ProtectedIdentity.objects.filter(
        pk=marking_id, person__memberships__household=case.household
    ).first()
    if marking is None:
        raise NotFound("marking_not_found", "Markeringen finns inte på det här ärendet.")
    protection.remove_protected_identity(
        request.user, case, marking, reason=request.POST.get("reason", "")
    )
    messages.success(request, "Markeringen är borttagen.")
    return redirect("case_detail", case_id)


@login_required
@require_POST
@handle_domain_errors
def authorise_staff_view(request, case_id: int):
    case = selectors.open_case(request.user, case_id, action=AuditAction.VIEW, what="authorise")
    staff_id = request.POST.get("staff", "")
    staff = User.objects.filter(pk=int(staff_id)).first() if staff_id.isdigit() else None
    if staff is None:
        raise DomainError("staff_required", "Välj en medarbetare i listan.")
    protection.authorise_staff(request.user, case, staff)
    messages.success(request, f"{staff} är nu behörig till ärendet.")
    return redirect("case_detail", case_id)


@login_required
@require_POST
@handle_domain_errors
def revoke_authorisation_view(request, case_id: int, authorisation_id: int):
    case = selectors.open_case(request.user, case_id, action=AuditAction.VIEW, what="revoke")
    authorisation = CaseAuthorisation.objects.filter(pk=authorisation_id, case=case).first()
    if authorisation is None:
        raise NotFound("authorisation_not_found", "Behörigheten finns inte på det här ärendet.")
    protection.revoke_authorisation(request.user, authorisation)
    messages.success(request, "Behörigheten är borttagen.")
    return redirect("case_detail", case_id)
