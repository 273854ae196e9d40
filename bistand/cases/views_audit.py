"""Loggkontroll: the unit head's review of who opened what, in their own unit only, and the
monthly report of unusual reads to sign off (cases.access_review)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from bistand.audit.models import AccessLogEntry, AuditAction
from bistand.audit.services import record
from bistand.core.errors import NotFound
from bistand.core.views import handle_domain_errors
from bistand.organisation.permissions import require

from . import access_review
from .access_log_display import Presenter
from .models import AccessReviewKind, EmergencyAccess
from .services import review_emergency_access


@login_required
@handle_domain_errors
def access_log(request):
    require(request.user, "review_access_log")
    entries = AccessLogEntry.objects.filter(
        access_review.unit_log_q(request.user.unit_id)
    ).order_by("-id")
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
    shown = list(page.object_list)
    # The log's rows name clients (ids, before/after values): the read names every case and
    # person on the page, as a list page does (docs/audit.md "List pages").
    record(
        request.user,
        AuditAction.VIEW,
        object_type="access_log",
        detail={
            "filters": dict(request.GET.items()),
            "case_ids": sorted({row.case_id for row in shown if row.case_id}),
            "person_ids": sorted({row.person_id for row in shown if row.person_id}),
        },
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
            "rows": Presenter(page.object_list).rows(),
            "pending": pending,
            "staff": staff,
            "actions": AuditAction.choices,
            "errors": errors,
            "filters": request.GET,
            "last_month": _previous_month(),
        },
    )


def _previous_month() -> dt.date:
    first = timezone.localdate().replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


@login_required
@handle_domain_errors
def access_review_latest(request):
    require(request.user, "review_access_log")
    wanted = request.GET.get("month")
    first = access_review.parse_month(wanted) if wanted else _previous_month()
    return redirect("access_review", f"{first:%Y-%m}")


@login_required
@handle_domain_errors
def access_review_month(request, month: str):
    """The month's unusual reads, grouped by reader, with 'Signera granskningen'."""
    require(request.user, "review_access_log")
    first = access_review.parse_month(month)
    report = access_review.month_report(request.user.unit, first)
    reviews = list(access_review.reviews_of(request.user.unit_id, first))
    signoff = next((r for r in reviews if r.kind == AccessReviewKind.SIGNOFF), None)
    record(
        request.user,
        AuditAction.VIEW,
        object_type="access_review",
        detail={"month": f"{first:%Y-%m}", "totals": report.totals},
    )
    return render(
        request,
        "audit/access_review.html",
        {
            "report": report,
            "month": first,
            "month_text": f"{first:%Y-%m}",
            "signoff": signoff,
            "notes": [r for r in reviews if r.kind == AccessReviewKind.NOTE],
            "categories": access_review.CATEGORIES,
            "month_over": first < timezone.localdate().replace(day=1),
        },
    )


@login_required
@require_POST
@handle_domain_errors
def sign_access_review(request, month: str):
    first = access_review.parse_month(month)
    access_review.sign_access_review(request.user, first, request.POST.get("comment", ""))
    messages.success(request, "Granskningen är signerad.")
    return redirect("access_review", f"{first:%Y-%m}")


@login_required
@require_POST
@handle_domain_errors
def add_review_note(request, month: str):
    first = access_review.parse_month(month)
    access_review.add_review_note(request.user, first, request.POST.get("comment", ""))
    messages.success(request, "Tillägget är sparat.")
    return redirect("access_review", f"{first:%Y-%m}")


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
