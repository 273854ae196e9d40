"""Loggkontroll: the unit head's review of who opened what."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bistand.audit.models import AccessLogEntry, AuditAction
from bistand.audit.services import record
from bistand.core.errors import NotFound
from bistand.core.views import handle_domain_errors
from bistand.organisation.permissions import require

from .models import EmergencyAccess
from .services import review_emergency_access


@login_required
@handle_domain_errors
def access_log(request):
    require(request.user, "review_access_log")
    entries = AccessLogEntry.objects.all().order_by("-id")
    staff_id = request.GET.get("staff")
    case_id = request.GET.get("case")
    date_from = request.GET.get("from")
    date_to = request.GET.get("to")
    action = request.GET.get("action")
    errors = []
    if staff_id:
        if staff_id.isdigit():
            entries = entries.filter(actor_id=int(staff_id))
        else:
            errors.append("Välj en medarbetare i listan.")
    if case_id:
        if case_id.isdigit():
            entries = entries.filter(case_id=int(case_id))
        else:
            errors.append("Ärendenumret ska vara ett tal.")
    try:
        if date_from:
            entries = entries.filter(at__date__gte=dt.date.fromisoformat(date_from))
        if date_to:
            entries = entries.filter(at__date__lte=dt.date.fromisoformat(date_to))
    except ValueError:
        errors.append("Ange datum som ÅÅÅÅ-MM-DD.")
    if action:
        entries = entries.filter(action=action)
    if request.GET.get("emergency"):
        entries = entries.filter(action=AuditAction.EMERGENCY_ACCESS)
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    record(
        request.user,
        AuditAction.VIEW,
        object_type="access_log",
        detail={"filters": dict(request.GET.items())},
    )
    pending = EmergencyAccess.objects.filter(
        reviewed_at__isnull=True, case__unit_id=request.user.unit_id
    ).select_related("user", "case")
    staff = get_user_model().objects.filter(unit_id=request.user.unit_id).order_by("last_name")
    return render(
        request,
        "audit/access_log.html",
        {
            "page": page,
            "pending": pending,
            "staff": staff,
            "actions": AuditAction.choices,
            "errors": errors,
            "filters": request.GET,
        },
    )


@login_required
@require_POST
@handle_domain_errors
def review_emergency(request, access_id: int):
    access = EmergencyAccess.objects.filter(
        pk=access_id, case__unit_id=request.user.unit_id
    ).first()
    if access is None:
        raise NotFound("emergency_access_not_found", "Nödåtkomsten finns inte på din enhet.")
    review_emergency_access(request.user, access)
    messages.success(request, "Nödåtkomsten är markerad som granskad.")
    return redirect("access_log")
