"""The applicant's activity plan on Mina sidor (issue #16): read it and sign it with the e-ID
of this session, as the work plan is signed (docs/activity-requirement.md, "The activity
plan"). Only the person's own plan in force is shown; any other id is a 404."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bistand.activity.models import ActivityPlan
from bistand.activity.services_followup import sign_activity_plan_as_person
from bistand.core.errors import DomainError

from . import session
from .selectors import open_case
from .session import actor_for
from .views import _page, applicant_required


def _plans(person, case) -> list[ActivityPlan]:
    return list(
        ActivityPlan.objects.filter(case=case, person=person, replaced_by__isnull=True)
        .select_related("consent")
        .prefetch_related("placements__activity", "signatures")
        .order_by("-created_at", "-id")
    )


def _render(request, case, *, error="", error_plan=None, status=200):
    return _page(
        request,
        "portal/follow/activity_plan.html",
        {
            "case": case,
            "plans": _plans(request.applicant, case),
            "signed": request.GET.get("signerad") == "1",
            "error": error,
            "error_plan": error_plan,
        },
        status=status,
    )


@applicant_required
@require_GET
def activity_plan(request, case_id: int):
    """The person's activity plan in force: activities, hours, job search, follow-up."""
    case = open_case(request.applicant, case_id, what="activity_plan")
    return _render(request, case)


@applicant_required
@require_POST
def activity_plan_sign(request, case_id: int, plan_id: int):
    """Sign one's own activity plan with the e-ID of this session (a new signature record)."""
    case = open_case(request.applicant, case_id, what=f"activity_plan:{plan_id}")
    plan = next((p for p in _plans(request.applicant, case) if p.pk == plan_id), None)
    if plan is None:
        raise Http404
    if request.POST.get("confirm") != "1":
        error = _("Kryssa i att du har läst planen och godkänner den.")
    else:
        try:
            sign_activity_plan_as_person(
                actor_for(request.applicant),
                request.applicant,
                plan,
                method=session.login_method(request),
            )
        except DomainError as refusal:
            error = refusal.message
        else:
            return redirect(reverse("portal:activity_plan", args=[case.pk]) + "?signerad=1")
    return _render(request, case, error=error, error_plan=plan.pk, status=400)
