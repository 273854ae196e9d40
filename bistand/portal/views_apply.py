"""Applying online: the applicant's pages (docs/portal.md, "Applying online"). Thin: acts go
through `services_apply`, reads through `selectors` / `selectors_apply`."""

from __future__ import annotations

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from bistand.cases.models import ApplicationKind, CaseStatus
from bistand.core.errors import DomainError
from bistand.core.forms import error_summary

from . import selectors, selectors_apply, services_apply
from .forms_apply import ApplicationForm, DocumentsForm
from .models import EApplication, EApplicationStatus
from .views import _page, applicant_required

# Which field a service's refusal belongs to (the rest go to the top of the form).
ERROR_FIELDS = {
    "duplicate_application": "month",
    "month_too_far": "month",
    "bad_month": "month",
    "not_assured": "assured",
    "file_type": "attachment",
    "file_too_large": "attachment",
    "file_empty": "attachment",
    "file_encrypted": "attachment",
    "image_too_large": "attachment",
    "too_many_files": "attachment",
    "too_many_uploads": "attachment",
    "bad_kind": "attachment_kind",
}
FILE_ERROR_FIELDS = {code: "file" for code, field in ERROR_FIELDS.items() if field == "attachment"}


@applicant_required
@require_GET
def start(request):
    """Ansök: a new application or the repeat application, drafts kept, requests waiting."""
    return _page(
        request,
        "portal/apply/start.html",
        {
            "options": services_apply.apply_options(request.applicant),
            "drafts": selectors_apply.drafts_of(request.applicant),
            "requests": selectors_apply.open_requests_of(request.applicant),
        },
    )


@applicant_required
def new_application(request):
    """Ny ansökan for the applicant's household without an open case."""
    household = services_apply.household_for_new(request.applicant)
    draft = services_apply.draft_for(request.applicant, household, ApplicationKind.NEW, None)
    return _application_page(request, draft, None)


@applicant_required
def repeat_application(request, case_id: int):
    """Fortsatt ansökan on the household's open case."""
    case = selectors.open_case(request.applicant, case_id, what="apply")
    if case.status == CaseStatus.CLOSED:
        raise Http404
    draft = services_apply.draft_for(
        request.applicant, case.household, ApplicationKind.REPEAT, case
    )
    return _application_page(request, draft, case)


def _application_page(request, draft: EApplication, case):
    person = request.applicant
    status = 200
    if request.method == "POST":
        posted = request.POST.get("draft", "")
        if posted.isdigit() and int(posted) != draft.pk:
            # A second click or a reload after sending: show the receipt, never apply twice.
            sent = EApplication.objects.filter(
                pk=int(posted), person=person, status=EApplicationStatus.SUBMITTED
            ).first()
            if sent is not None:
                return redirect("portal:apply_done", sent.pk)
        form = ApplicationForm(request.POST, request.FILES, kind=draft.kind)
        draft = services_apply.save_draft(person, draft, form.raw_data())
        valid = form.is_valid()
        uploaded = request.FILES.get("attachment")
        if uploaded is not None and "attachment_kind" not in form.errors:
            try:
                services_apply.stage_attachment(
                    person, draft, uploaded, kind=request.POST.get("attachment_kind", "")
                )
            except DomainError as error:
                form.add_error(ERROR_FIELDS.get(error.code), error.message)
                valid = False
        if valid and request.POST.get("action") == "submit":
            statement = form.statement()
            if not statement.assured:
                form.add_error(
                    "assured", "Du måste intyga att uppgifterna är sanna innan du skickar."
                )
            else:
                try:
                    sent = services_apply.submit(person, draft, statement)
                except DomainError as error:
                    form.add_error(ERROR_FIELDS.get(error.code), error.message)
                else:
                    return redirect("portal:apply_done", sent.pk)
        elif not form.errors:
            target = request.path + "?sparat=1"
            return HttpResponseRedirect(target)
        status = 400
    else:
        form = ApplicationForm(initial=draft.data, kind=draft.kind)
    return _page(
        request,
        "portal/apply/form.html",
        {
            "draft": draft,
            "case": case,
            "form": form,
            "errors": error_summary(form),
            "attachments": draft.attachments.all(),
            "saved": request.GET.get("sparat") == "1",
            "is_new": draft.kind == ApplicationKind.NEW,
        },
        status=status,
    )


@applicant_required
@require_POST
def remove_attachment(request, draft_id: int, attachment_id: int):
    draft = get_object_or_404(
        EApplication, pk=draft_id, person=request.applicant, status=EApplicationStatus.DRAFT
    )
    services_apply.remove_attachment(request.applicant, draft, attachment_id)
    return HttpResponseRedirect(_form_url(draft) + "?sparat=1")


def _form_url(draft: EApplication) -> str:
    if draft.kind == ApplicationKind.NEW:
        return reverse("portal:apply_new")
    return reverse("portal:apply_repeat", args=[draft.case_id])


@applicant_required
@require_GET
def done(request, e_application_id: int):
    """The receipt: the application arrived, with its time and case."""
    sent = get_object_or_404(
        EApplication.objects.select_related("application", "case"),
        pk=e_application_id,
        person=request.applicant,
        status=EApplicationStatus.SUBMITTED,
    )
    return _page(request, "portal/apply/done.html", {"sent": sent})


@applicant_required
def send_documents(request, case_id: int):
    """Send more documents to the case (bank statements, pay slips, rent) at any time."""
    case = selectors.open_case(request.applicant, case_id, what="documents")
    form = DocumentsForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services_apply.send_documents(
                    request.applicant,
                    case,
                    [(form.cleaned_data["file"], form.cleaned_data["kind"])],
                )
            except DomainError as error:
                form.add_error(FILE_ERROR_FIELDS.get(error.code), error.message)
            else:
                return redirect(reverse("portal:send_documents", args=[case.pk]) + "?skickat=1")
        status = 400
    return _page(
        request,
        "portal/apply/documents.html",
        {
            "case": case,
            "form": form,
            "errors": error_summary(form),
            "sent": request.GET.get("skickat") == "1",
            "requests": selectors_apply.completion_rows(case),
        },
        status=status,
    )


@applicant_required
def answer_request(request, case_id: int, request_id: int):
    """Answer a completion request with documents (begäran om komplettering)."""
    case, completion = selectors_apply.completion_request_of(request.applicant, case_id, request_id)
    form = DocumentsForm(request.POST or None, request.FILES or None, answer=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data.get("file")
            files = [(upload, form.cleaned_data["kind"])] if upload else []
            try:
                services_apply.answer_completion(
                    request.applicant, completion, text=form.cleaned_data["text"], files=files
                )
            except DomainError as error:
                form.add_error(FILE_ERROR_FIELDS.get(error.code), error.message)
            else:
                return redirect(
                    reverse("portal:answer_request", args=[case.pk, completion.pk]) + "?skickat=1"
                )
        status = 400
    return _page(
        request,
        "portal/apply/answer.html",
        {
            "case": case,
            "completion": completion,
            "answers": completion.answers.prefetch_related("documents"),
            "form": form,
            "errors": error_summary(form),
            "sent": request.GET.get("skickat") == "1",
        },
        status=status,
    )
