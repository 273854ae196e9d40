"""Applying online: the applicant's pages (docs/portal.md, "Applying online"). Thin: acts go
through `services_apply`, reads through `selectors` / `selectors_apply`."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bistand.cases.models import ApplicationKind, CaseStatus
from bistand.core.errors import DomainError
from bistand.core.forms import error_summary

from . import selectors, selectors_apply, services_apply, session
from .forms_apply import ApplicationForm, DocumentsForm, labelled_lines
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
            "to_sign": selectors_apply.awaiting_my_signature(request.applicant),
            "waiting": selectors_apply.awaiting_the_other(request.applicant),
            "requests": selectors_apply.open_requests_of(request.applicant),
        },
    )


def _awaiting_redirect(person, household_id: int, kind: str):
    """While an application of the household waits for a signature, the apply page leads to
    it (the first signer's status page, the co-applicant's signing page): no second one."""
    waiting = selectors_apply.awaiting_in_household(household_id, kind)
    if waiting is None:
        return None
    if waiting.co_signer_id == person.pk:
        return redirect("portal:apply_cosign", waiting.pk)
    return redirect("portal:apply_done", waiting.pk)


@applicant_required
def new_application(request):
    """Ny ansökan for the applicant's household without an open case."""
    household = services_apply.household_for_new(request.applicant)
    waiting = _awaiting_redirect(request.applicant, household.pk, ApplicationKind.NEW)
    if waiting is not None:
        return waiting
    draft = services_apply.draft_for(request.applicant, household, ApplicationKind.NEW, None)
    return _application_page(request, draft, None)


@applicant_required
def repeat_application(request, case_id: int):
    """Fortsatt ansökan on the household's open case."""
    case = selectors.open_case(request.applicant, case_id, what="apply")
    if case.status == CaseStatus.CLOSED:
        raise Http404
    waiting = _awaiting_redirect(request.applicant, case.household_id, ApplicationKind.REPEAT)
    if waiting is not None:
        return waiting
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
            sent = (
                EApplication.objects.filter(pk=int(posted), person=person)
                .exclude(status=EApplicationStatus.DRAFT)
                .first()
            )
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
                    sent = services_apply.submit(
                        person, draft, statement, method=session.login_method(request)
                    )
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
            "declined": selectors_apply.last_decline(draft),
            "withdrawn": selectors_apply.last_withdrawal(draft),
            "co_signer": services_apply.co_signer_for(person, draft.household),
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
    """The receipt: the application arrived, with its time and case; or, in a two-adult
    household, that it waits for the other adult's signature."""
    sent = get_object_or_404(
        EApplication.objects.select_related("application", "case", "co_signer"),
        pk=e_application_id,
        person=request.applicant,
    )
    if sent.status == EApplicationStatus.DRAFT:
        # Returned by the co-applicant (declined): back to the form, with their reason.
        return redirect(_form_url(sent))
    return _page(
        request,
        "portal/apply/done.html",
        {"sent": sent, "signatures": selectors_apply.signatures_of(sent)},
    )


def _unavailable(request, message: str):
    return _page(request, "portal/apply/cosign_refused.html", {"message": message}, status=403)


@applicant_required
def co_sign(request, e_application_id: int):
    """The second adult reviews the application the first signed (figures, household,
    attachments) and signs it with their own e-ID, or declines with a reason."""
    person = request.applicant
    try:
        e_application = selectors_apply.e_application_to_sign(
            person, e_application_id, what="co-signature"
        )
    except DomainError as refusal:
        return _unavailable(request, refusal.message)
    error = ""
    status = 200
    if request.method == "POST":
        if request.POST.get("confirm") != "1":
            error = _("Kryssa i att du har läst ansökan och att uppgifterna är sanna.")
        else:
            try:
                services_apply.co_sign(person, e_application, method=session.login_method(request))
            except DomainError as refusal:
                error = refusal.message
            else:
                return redirect(reverse("portal:apply_cosign", args=[e_application.pk]))
        status = 400
    return _co_sign_page(request, e_application, error=error, status=status)


def _co_sign_page(request, e_application, *, error="", decline_error="", reason="", status=200):
    statement = (
        services_apply.statement_from_json(e_application.signed_statement)
        if e_application.signed_statement
        else None
    )
    return _page(
        request,
        "portal/apply/cosign.html",
        {
            "e_application": e_application,
            "statement": statement,
            "incomes": labelled_lines(statement.incomes, "income") if statement else [],
            "costs": labelled_lines(statement.costs, "cost") if statement else [],
            "attachments": e_application.attachments.exclude(file=""),
            "signatures": selectors_apply.signatures_of(e_application),
            "is_first_signer": e_application.person_id == request.applicant.pk,
            "error": error,
            "decline_error": decline_error,
            "reason": reason,
        },
        status=status,
    )


@applicant_required
@require_POST
def co_sign_decline(request, e_application_id: int):
    """The second adult will not sign: the reason goes back to the first with the draft."""
    person = request.applicant
    try:
        e_application = selectors_apply.e_application_to_sign(
            person, e_application_id, what="co-signature-decline"
        )
    except DomainError as refusal:
        return _unavailable(request, refusal.message)
    reason = request.POST.get("reason", "")
    try:
        services_apply.decline_co_signature(person, e_application, reason=reason)
    except DomainError as refusal:
        return _co_sign_page(
            request, e_application, decline_error=refusal.message, reason=reason[:4000], status=400
        )
    return redirect(reverse("portal:home") + "?avbojd=1")


@applicant_required
@require_POST
def withdraw(request, e_application_id: int):
    """The first signer takes back an application waiting for the other adult's signature:
    back to the form as a draft; the other adult no longer sees anything to sign."""
    sent = get_object_or_404(EApplication, pk=e_application_id, person=request.applicant)
    try:
        services_apply.withdraw_from_co_signing(request.applicant, sent)
    except DomainError as refusal:
        return _unavailable(request, refusal.message)
    return redirect(_form_url(sent))


@applicant_required
@require_GET
def staged_attachment(request, e_application_id: int, attachment_id: int):
    """A file that waits with an application (before it reaches the case), for the two adults
    who sign it."""
    attachment = selectors_apply.staged_attachment_of(
        request.applicant, e_application_id, attachment_id
    )
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


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
