"""Pages for register checks: ask a register, record a document, see an answer side by side
with the application and assess it; the unit's requirements. Thin: services do the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from bistand.audit.models import AuditAction
from bistand.cases.models import UNDECIDED_STATUSES
from bistand.cases.selectors import open_case
from bistand.core.errors import DomainError, NotFound
from bistand.core.views import handle_domain_errors

from . import services
from .forms import (
    AssessForm,
    ManualCheckForm,
    RegisterCheckForm,
    RequirementFormSet,
    RequirementSetForm,
)
from .models import CheckRequirementSet, DecisionCheckUse, RegisterCheck
from .permissions import can, require

CHECK_NOT_FOUND = "Kontrollen finns inte eller så saknar du behörighet."


def _back(request, case_id: int):
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(reverse("case_detail", args=[case_id]) + "#kontroller")


def _application(case, request):
    wanted = request.POST.get("application", "")
    applications = case.applications.all()
    if wanted.isdigit():
        return applications.filter(pk=int(wanted)).first()
    return applications.filter(status__in=UNDECIDED_STATUSES).order_by("-month").first()


def _form_error(form) -> DomainError:
    lines = [f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}".lstrip(": ")
             for f, e in form.errors.items()]  # fmt: skip
    return DomainError("invalid", "Kontrollen kunde inte göras: " + "; ".join(lines))


@login_required
@require_POST
@handle_domain_errors
def request_check_view(request, case_id: int):
    require(request.user, "check")
    case = open_case(request.user, case_id, action=AuditAction.VIEW, what="register_check")
    form = RegisterCheckForm(request.POST, case=case)
    if not form.is_valid():
        raise _form_error(form)
    data = form.cleaned_data
    check = services.request_check(
        request.user,
        case,
        person=data["person"],
        source=data["source"],
        period_from=data["period_from"],
        period_to=data["period_to"],
        application=_application(case, request),
    )
    if check.discrepancy:
        messages.warning(request, "Registrets svar avviker från ansökan. Bedöm avvikelsen.")
        return redirect("controls:check", check.pk)
    messages.success(request, f"Kontrollen hos {check.short_source} är registrerad.")
    return _back(request, case.pk)


@login_required
@require_POST
@handle_domain_errors
def manual_check_view(request, case_id: int):
    require(request.user, "check")
    case = open_case(request.user, case_id, action=AuditAction.VIEW, what="manual_check")
    form = ManualCheckForm(request.POST, case=case)
    if not form.is_valid():
        raise _form_error(form)
    data = form.cleaned_data
    check = services.record_manual_check(
        request.user,
        case,
        person=data["person"],
        source=data["source"],
        period_from=data["period_from"],
        period_to=data["period_to"],
        found=data["found"],
        stated=data["stated"],
        discrepancy=data["discrepancy"],
        assessment=data["assessment"],
        note=data["note"],
        application=_application(case, request),
    )
    messages.success(request, f"Kontrollen ({check.short_source}) är registrerad.")
    return _back(request, case.pk)


def _open_check(user, check_id: int, *, what: str) -> RegisterCheck:
    check = RegisterCheck.objects.filter(pk=check_id).only("case_id").first()
    if check is None:
        raise NotFound("check_not_found", CHECK_NOT_FOUND)
    try:
        open_case(user, check.case_id, what=what)  # refuses and logs as for the case
    except NotFound:  # a refused case looks like a missing check (no emergency access to offer)
        raise NotFound("check_not_found", CHECK_NOT_FOUND) from None
    return RegisterCheck.objects.select_related(
        "case", "person", "checked_by", "assessed_by", "application"
    ).get(pk=check_id)


@login_required
@handle_domain_errors
def check_view(request, check_id: int):
    check = _open_check(request.user, check_id, what="register_check")
    return render(
        request,
        "controls/check.html",
        {
            "check": check,
            "case": check.case,
            "form": AssessForm(),
            "can_assess": can(request.user, "check") and not check.assessment,
            "decisions": DecisionCheckUse.objects.filter(check_record=check).values_list(
                "decision_id", flat=True
            ),
        },
    )


@login_required
@require_POST
@handle_domain_errors
def assess_view(request, check_id: int):
    check = _open_check(request.user, check_id, what="assess_check")
    form = AssessForm(request.POST)
    if not form.is_valid():
        raise _form_error(form)
    services.assess_check(
        request.user,
        check,
        assessment=form.cleaned_data["assessment"],
        note=form.cleaned_data["note"],
    )
    messages.success(request, "Bedömningen är sparad.")
    return _back(request, check.case_id)


@login_required
@handle_domain_errors
def requirements_view(request):
    require(request.user, "configure_checks")
    unit = request.user.unit
    if unit is None:
        raise DomainError("no_unit", "Du hör inte till någon enhet.")
    sets = CheckRequirementSet.objects.filter(unit=unit).prefetch_related("requirements")
    current = sets.first()
    initial = [
        {"decision_kind": r.decision_kind, "case_types": r.case_types, "source": r.source,
         "persons": r.persons, "every_months": r.every_months}
        for r in (current.requirements.all() if current else [])
    ]  # fmt: skip
    head = RequirementSetForm(request.POST or None)
    rows = RequirementFormSet(request.POST or None, initial=initial, prefix="krav")
    status = 200
    if request.method == "POST":
        if head.is_valid() and rows.is_valid():
            wanted = [
                row.cleaned_data
                for row in rows.forms
                if row.cleaned_data and not row.cleaned_data.get("DELETE")
            ]
            with transaction.atomic():
                services.set_check_requirements(
                    request.user,
                    unit,
                    valid_from=head.cleaned_data["valid_from"],
                    requirements=wanted,
                    note=head.cleaned_data["note"],
                )
            messages.success(request, "De nya kraven på kontroller är sparade.")
            return redirect("controls:requirements")
        status = 400
    return render(
        request,
        "controls/requirements.html",
        {
            "sets": sets[:20],
            "head": head,
            "rows": rows,
            "current": current,
        },
        status=status,
    )
