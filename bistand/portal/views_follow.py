"""Following the case on Mina sidor: a decision explained, appealing it, the work plan and its
signature, and how to be told about news (docs/portal.md). Thin: reads go through
`selectors_follow` (the person's household's case today, else 404), acts through
`services_follow`."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bistand.core.errors import DomainError
from bistand.core.forms import error_summary

from . import selectors_follow, services_follow, session
from .forms_follow import AppealForm, ContactForm
from .notifications import contact_preference
from .views import _page, applicant_required


def _decision_page(request, case, decision, form, status=200):
    today = timezone.localdate()
    applied, granted = selectors_follow.decision_amounts(decision)
    return _page(
        request,
        "portal/follow/decision.html",
        {
            "case": case,
            "decision": decision,
            "outcome_text": selectors_follow.OUTCOME_PLAIN.get(decision.outcome, ""),
            "lines": [
                (line, selectors_follow.LINE_OUTCOME_PLAIN.get(line.outcome, ""))
                for line in decision.lines.all()
            ],
            "applied": applied,
            "granted": granted,
            "sections": selectors_follow.plain_calculation(decision),
            "appeal": selectors_follow.appeal_info(decision, today),
            "letter": getattr(decision, "letter", None),
            "form": form,
            "errors": error_summary(form),
            "appealed": request.GET.get("overklagat") == "1",
        },
        status=status,
    )


@applicant_required
@require_GET
def decision(request, case_id: int, decision_id: int):
    """One decision: outcome, month, amount, the calculation line by line in plain Swedish, the
    reasons for what was refused, how and by when to appeal, the letter, and the appeal form."""
    case, decision = selectors_follow.decision_of(request.applicant, case_id, decision_id)
    return _decision_page(request, case, decision, AppealForm())


@applicant_required
@require_POST
def appeal(request, case_id: int, decision_id: int):
    """Send an appeal of the decision: registered on it with today as its arrival date."""
    case, decision = selectors_follow.decision_of(
        request.applicant, case_id, decision_id, what="appeal"
    )
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            services_follow.send_appeal(request.applicant, decision, text=form.cleaned_data["text"])
        except DomainError as error:
            form.add_error("text", error.message)
        else:
            target = reverse("portal:decision", args=[case.pk, decision.pk])
            return redirect(target + "?overklagat=1#overklaga")
    return _decision_page(request, case, decision, form, status=400)


@applicant_required
@require_GET
def plan(request, case_id: int):
    """The work plan: the plan in force and the handler's proposal, each to sign with e-ID."""
    case = selectors_follow.open_case(request.applicant, case_id, what="plan")
    return _page(
        request,
        "portal/follow/plan.html",
        {
            "case": case,
            "views": selectors_follow.plan_versions(request.applicant, case),
            "signed": request.GET.get("signerad") == "1",
            "error": "",
        },
    )


@applicant_required
@require_POST
def plan_sign(request, case_id: int, version_id: int):
    """Sign a plan version with the e-ID of this session (a new signature record)."""
    case, version = selectors_follow.plan_version_of(request.applicant, case_id, version_id)
    if request.POST.get("confirm") != "1":
        error = _("Kryssa i att du har läst planen och godkänner den.")
    else:
        try:
            services_follow.sign_plan(
                request.applicant, version, method=session.login_method(request)
            )
        except DomainError as refusal:
            error = refusal.message
        else:
            return redirect(reverse("portal:plan", args=[case.pk]) + "?signerad=1")
    return _page(
        request,
        "portal/follow/plan.html",
        {
            "case": case,
            "views": selectors_follow.plan_versions(request.applicant, case),
            "signed": False,
            "error": error,
            "error_version": version.pk,
        },
        status=400,
    )


@applicant_required
def contact(request):
    """How the applicant wants to hear that there is news on Mina sidor."""
    current = contact_preference(request.applicant)
    initial = (
        {
            "email": current.email,
            "phone": current.phone,
            "by_email": current.by_email,
            "by_sms": current.by_sms,
        }
        if current
        else {}
    )
    form = ContactForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services_follow.set_contact_preference(request.applicant, **form.cleaned_data)
            return redirect(reverse("portal:contact") + "?sparat=1")
        status = 400
    return _page(
        request,
        "portal/follow/contact.html",
        {
            "form": form,
            "errors": error_summary(form),
            "saved": request.GET.get("sparat") == "1",
        },
        status=status,
    )
