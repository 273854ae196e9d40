"""The handler's side of applying online: ask the applicant for documents (begäran om
komplettering) from the case page. Same access as the case page, plus `handle_application`."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from bistand.audit.models import AuditAction
from bistand.cases import selectors as case_selectors
from bistand.core.errors import DomainError
from bistand.core.forms import error_summary
from bistand.core.views import handle_domain_errors
from bistand.organisation.permissions import require

from . import services_apply, staff_notices
from .forms_apply import CompletionRequestForm

ERROR_FIELDS = {
    "text_required": "text",
    "due_in_past": "due_on",
    "due_too_far": "due_on",
}


@login_required
@handle_domain_errors
def request_completion(request, case_id: int):
    """Begär komplettering: what the applicant must send and by when; shown on Mina sidor."""
    require(request.user, "handle_application")
    case = case_selectors.open_case(
        request.user, case_id, action=AuditAction.VIEW, what="completion_request"
    )
    form = CompletionRequestForm(
        request.POST or None,
        initial={"due_on": timezone.localdate() + dt.timedelta(days=14)},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services_apply.request_completion(
                    request.user,
                    case,
                    text=form.cleaned_data["text"],
                    due_on=form.cleaned_data["due_on"],
                )
            except DomainError as error:
                if error.code not in ERROR_FIELDS and error.code != "case_closed":
                    raise
                form.add_error(ERROR_FIELDS.get(error.code), error.message)
            else:
                messages.success(request, "Begäran om komplettering är skickad till den sökande.")
                return redirect(reverse("case_detail", args=[case.pk]) + "#completion-requests")
        status = 400
    return render(
        request,
        "portal/apply/request_completion.html",
        {"case": case, "form": form, "errors": error_summary(form)},
        status=status,
    )


@login_required
@require_POST
def mark_news_read(request, case_id: int):
    """Nytt från sökande: the user has read what the applicant sent on this case. A case the
    user may not open answers 404, like a missing one."""
    if not case_selectors.cases_visible_to(request.user).filter(pk=case_id).exists():
        raise Http404
    if staff_notices.mark_case_read(request.user, case_id):
        messages.success(request, "Markerat som läst.")
    return redirect("home")
