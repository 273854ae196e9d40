"""Staff pages for cases: thin translations of HTTP into service calls and selector reads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bistand.audit.models import AuditAction
from bistand.core import drafts
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.core.forms import REFUSED_STATUS, error_summary
from bistand.core.views import handle_domain_errors
from bistand.core.worklist import render_work_list, wants_list_only, work_list
from bistand.households.models import PROTECTED_ADDRESS, Person
from bistand.households.selectors import attach_applicants
from bistand.households.services import MemberInput, MoveRefused
from bistand.organisation.models import Role, Section, User
from bistand.organisation.permissions import can, require

from . import history, selectors, services
from .documents import attachment_response
from .forms import (
    ApplicationFieldsForm,
    CaseTypeForm,
    CloseForm,
    DocumentForm,
    EndApplicationForm,
    HouseholdFieldsForm,
    InvestigationForm,
    JournalForm,
    MemberFormSet,
    ReassignForm,
    RepeatApplicationForm,
)
from .journal_pdf import journal_pdf
from .list_filters import (
    CASE_SORTS,
    INBOX_SORTS,
    PERSON_SORTS,
    InboxFilter,
    MyCasesFilter,
    PersonSearchFilter,
    UnassignedFilter,
    WorkerCasesFilter,
    staff_choices,
)
from .models import (
    UNDECIDED_STATUSES,
    Application,
    Case,
    CaseStatus,
    ClosingReason,
    InvestigationVersion,
    JournalEntry,
)
from .rules import is_protected_case, sees_whole_section
from .views_protection import protection_panel


@login_required
def home(request):
    """Start page: 'Mina ärenden' with type, status, next follow-up and days since last contact,
    searched, filtered, sorted and paged from the URL (bistand.core.worklist)."""
    today = timezone.localdate()
    page = work_list(
        request,
        selectors.my_cases(request.user),
        MyCasesFilter,
        sorts=CASE_SORTS,
        default_sort="follow_up",
        form_kwargs={"user": request.user},
    )
    cases = page.rows
    attach_applicants(case.household for case in cases)
    for case in cases:
        case.days_since_contact = (
            (today - case.last_contact_on).days if case.last_contact_on else None
        )
        case.follow_up_overdue = bool(case.next_follow_up_on and case.next_follow_up_on < today)
    selectors.log_case_list_read(request.user, "my_cases", cases, **_page_log(page))
    context = {"cases": cases, "page": page, "today": today}
    if not wants_list_only(request):  # the other apps' panels are not redrawn by a filter
        context["extra_sections"] = [
            section for hook in HOME_SECTIONS if (section := hook(request))
        ]
    return render_work_list(request, "cases/home.html", "cases/_my_cases.html", context)


def _page_log(page) -> dict:
    """What a list page's access-log row says about the page shown (filters, sort, page)."""
    log: dict = {}
    if page.params:
        log["list"] = dict(page.params)
    return log


# Other apps (workplans, decisions ...) may append callables returning {"title", "template", "context"}.
HOME_SECTIONS: list = []


@login_required
@handle_domain_errors
def inbox(request):
    """Undecided applications of a section (the user's own by default), oldest first; a
    section the user does not work in shows only the applications in their own cases."""
    require(request.user, "view_inbox")
    sections = list(Section.objects.filter(unit_id=request.user.unit_id).order_by("name"))
    default_section = request.user.section_id or (sections[0].pk if sections else None)
    page = work_list(
        request,
        selectors.inbox_applications(request.user),
        InboxFilter,
        sorts=INBOX_SORTS,
        default_sort="received",
        form_kwargs={
            "sections": sections,
            "default_section": default_section,
            "staff": staff_choices(request.user.unit_id),
        },
        defaults={"section": str(default_section or "")},  # shown as chosen in the form
    )
    section_id = int(page.active_filters.get("section") or default_section or 0)
    section = next((s for s in sections if s.pk == section_id), None)
    today = timezone.localdate()
    attach_applicants(application.case.household for application in page.rows)
    rows = [
        selectors.InboxRow(application, (today - application.received_on).days)
        for application in page.rows
    ]
    selectors.log_case_list_read(
        request.user,
        "inbox",
        [row.application.case for row in rows],
        application_ids=[row.application.pk for row in rows],
        **_page_log(page),
    )
    return render_work_list(
        request,
        "cases/inbox.html",
        "cases/_inbox_rows.html",
        {
            "rows": rows,
            "page": page,
            "section": section,
            "sections": sections,
            "whole_section": sees_whole_section(request.user, section),
        },
    )


@login_required
@handle_domain_errors
def register_household_view(request):
    """Reception: a household with its members, and its new application, in one form."""
    require(request.user, "register_household")
    service_errors: list[str] = []
    if request.method == "POST":
        members = MemberFormSet(request.POST, prefix="m")
        household_form = HouseholdFieldsForm(request.POST)
        application_form = ApplicationFieldsForm(request.POST)
        if members.is_valid() and household_form.is_valid() and application_form.is_valid():
            inputs = [
                MemberInput(
                    f.cleaned_data["identity_number"],
                    f.cleaned_data["first_name"],
                    f.cleaned_data["last_name"],
                    f.cleaned_data["role"],
                )
                for f in members.forms
                if not f.is_blank()
            ]
            try:
                application = services.register_household_with_application(
                    request.user,
                    inputs,
                    **household_form.cleaned_data,
                    **application_form.cleaned_data,
                )
            except DomainError as error:
                if isinstance(error, PermissionRefused) and not isinstance(error, MoveRefused):
                    raise
                service_errors.append(error.message)
            else:
                messages.success(
                    request, f"Ansökan registrerad i ärende {application.case.reference}."
                )
                if selectors.can_open_case(request.user, application.case):
                    return redirect("case_detail", application.case_id)
                return redirect("register_household")
    else:
        members = MemberFormSet(prefix="m", initial=[{"role": "applicant"}])
        household_form = HouseholdFieldsForm()
        application_form = ApplicationFieldsForm()
    return render(
        request,
        "cases/register_household.html",
        {
            "members": members,
            "household_form": household_form,
            "application_form": application_form,
            # Refused: the errors beside their fields, a summary linking to them at the top.
            "error_summary": error_summary(members, household_form, application_form)
            + [{"anchor": "", "label": "", "message": m} for m in service_errors],
        },
        status=REFUSED_STATUS if request.method == "POST" else 200,
    )


@login_required
def member_row(request):
    """htmx: one more member row in the household form."""
    try:
        index = int(request.GET.get("index", "1"))
    except ValueError:
        return HttpResponseBadRequest("Ogiltigt radnummer.")
    if not 0 <= index < MemberFormSet.max_num:
        return HttpResponseBadRequest("Ogiltigt radnummer.")
    form = MemberFormSet(prefix="m").empty_form
    form.prefix = f"m-{index}"
    return render(request, "cases/_member_row.html", {"form": form, "index": index})


# The case page's timeline order, kept in the address (?ordning=aldst); newest first by default.
OLDEST_FIRST = "aldst"
NEWEST_FIRST = "nyast"


def timeline_order(data) -> str:
    """The order asked for in the query string or form (`ordning`), newest first otherwise."""
    return OLDEST_FIRST if data.get("ordning") == OLDEST_FIRST else NEWEST_FIRST


def _case_url(case_id: int, order: str) -> str:
    url = reverse("case_detail", args=[case_id])
    return f"{url}?ordning={OLDEST_FIRST}" if order == OLDEST_FIRST else url


@login_required
@handle_domain_errors
def case_detail(request, case_id: int):
    case = selectors.open_case(request.user, case_id)
    return _case_page(request, case, order=timeline_order(request.GET))


def _case_page(
    request,
    case: Case,
    *,
    order: str,
    journal_form: JournalForm | None = None,
    document_form: DocumentForm | None = None,
    repeat_form: RepeatApplicationForm | None = None,
    end_form: tuple[int, EndApplicationForm] | None = None,
    close_form: CloseForm | None = None,
    case_type_form: CaseTypeForm | None = None,
):
    """The case page of a case already opened (and its read logged) by the caller; a refused
    journal note, document or application comes back in its form, the errors at the fields
    and the typed values kept (a refused file must be chosen again: browsers never refill a
    file input)."""
    # The page, its timeline and the other apps' panels all read these: once per request (the
    # read-only helpers use prefetched rows when they are there; core.models.prefetched).
    prefetch_related_objects(
        [case],
        Prefetch("applications", queryset=Application.objects.select_related("ended_by")),
        "reopenings",
        "investigation",
        Prefetch(
            "investigation__versions",
            queryset=InvestigationVersion.objects.select_related("signed_by", "created_by"),
        ),
        *[lookup for source in CASE_PAGE_PREFETCH for lookup in source()],
    )
    today = timezone.localdate()
    members_today = case.household.members_list_on(today)
    members = [(m, m.person.age_on(today)) for m in members_today]
    investigation = getattr(case, "investigation", None)
    protection = protection_panel(request.user, case, members=[m.person for m in members_today])
    journal_draft = drafts.load(request.user, "journal", case.pk)
    refused_journal = journal_form is not None  # the draft below is bound too, but not refused
    if journal_form is None:  # else a refused note, with its errors and text
        journal_form = (
            JournalForm(drafts.as_querydict(journal_draft), prefix="journal")
            if journal_draft
            else JournalForm(prefix="journal", initial={"occurred_on": today, "sign": True})
        )
    context = {
        "case": case,
        "members": members,
        "household_type": case.household.household_type_label_on(today, members=members_today),
        "address": PROTECTED_ADDRESS if protection["protected"] else case.household.plain_address,
        **_timeline_context(request.GET, case, order),
        "applications": _with_end_forms(case.applications.all(), refused=end_form),
        "investigation": investigation,
        "signed_version": investigation.latest_signed() if investigation else None,
        "draft_version": investigation.draft() if investigation else None,
        "journal_form": journal_form,
        "journal_errors": error_summary(journal_form) if refused_journal else [],
        "journal_draft": journal_draft,
        "document_form": document_form
        or DocumentForm(prefix="doc", initial={"received_on": today}),
        "repeat_form": repeat_form or RepeatApplicationForm(prefix="app"),
        "document_errors": error_summary(document_form),
        "repeat_errors": error_summary(repeat_form),
        "end_errors": error_summary(end_form[1]) if end_form else [],
        "close_form": close_form or CloseForm(prefix="close", initial={"closed_on": today}),
        "close_errors": error_summary(close_form),
        "can_take": can(request.user, "take_case")
        and case.handler_id is None
        and case.section_id == request.user.section_id,
        "can_reassign": can(request.user, "reassign_case"),
        "can_investigate": can(request.user, "edit_investigation"),
        "reopenings": case.reopenings.all(),
        "case_type_form": case_type_form or CaseTypeForm(current=case.case_type),
        "case_type_errors": error_summary(case_type_form),
        "case_panels": [panel(request, case) for panel in CASE_PANELS],
    }
    context["protection"] = protection
    context["address_protected"] = protection["protected"]
    refused = refused_journal or any(
        form is not None and form.is_bound
        for form in (
            document_form,
            repeat_form,
            end_form[1] if end_form else None,
            close_form,
            case_type_form,
        )
    )
    return render(
        request,
        "cases/case_detail.html",
        context,
        status=REFUSED_STATUS if refused else 200,
    )


def _timeline_context(data, case: Case, order: str) -> dict:
    """The timeline in its order, inside the history window (cases.history) unless the whole
    history is asked for; unsigned notes are shown whatever their age."""
    since = history.window_start(data)
    timeline, _ = history.split(
        selectors.case_timeline(case, newest_first=order == NEWEST_FIRST, since=since),
        since,
        day=lambda item: item.on,
        keep=lambda item: item.kind == "journal" and item.obj.signed_at is None,
    )
    return {
        "timeline": timeline,
        # The sources read only the window: whether older history exists is the case's age.
        "timeline_hidden": since is not None and case.opened_on < since,
        "timeline_order": order,
        "history": history.links(data, order=order),
    }


def _with_end_forms(applications, refused: tuple[int, EndApplicationForm] | None = None):
    """Each application with its withdraw/write-off form; `refused` (application id, bound
    form) comes back with its errors and values."""
    rows = list(applications)
    for application in rows:
        if refused and refused[0] == application.pk:
            application.end_form = refused[1]
        else:
            application.end_form = EndApplicationForm(prefix=f"end{application.pk}")
    return rows


# Other apps add panels to the case page: callables (request, case) -> {"title", "template", "context"}.
CASE_PANELS: list = []
# ... and what their panels and timeline items read of the case: callables () -> prefetch
# lookups for the case, so that the page reads each relation once.
CASE_PAGE_PREFETCH: list = []


@login_required
@require_POST
@handle_domain_errors
def take_case_view(request, case_id: int):
    case = selectors.open_case(request.user, case_id, action=AuditAction.VIEW, what="take")
    services.take_case(request.user, case)
    messages.success(request, "Du är nu ansvarig handläggare för ärendet.")
    return redirect("case_detail", case_id)


@login_required
@handle_domain_errors
def investigation_view(request, case_id: int):
    case = selectors.open_case(request.user, case_id, what="investigation")
    require(request.user, "edit_investigation")
    investigation = getattr(case, "investigation", None)
    draft = investigation.draft() if investigation else None
    signed = investigation.latest_signed() if investigation else None
    base_content = (draft or signed).content if (draft or signed) else {}
    adults_given = {a["person_id"]: a for a in base_content.get("adults", [])}
    adults = [
        adults_given.get(p.pk, {}) | {"person_id": p.pk, "name": p.full_name}
        for p in services.adults_of(case)
    ]
    has_children = case.household.has_children_on(timezone.localdate())
    problems: list[str] = []
    autosaved = None
    if request.method == "POST":
        form = InvestigationForm(request.POST, adults=adults)
        if form.is_valid():
            draft = services.save_investigation_draft(request.user, case, form.content())
            drafts.discard(request.user, "grundutredning", case.pk)
            if "sign" in request.POST:
                try:
                    services.sign_investigation(request.user, case)
                except DomainError as error:
                    problems = error.context.get("problems") or [error.message]
                    messages.error(
                        request, "Utredningen är sparad som utkast men kunde inte signeras."
                    )
                else:
                    messages.success(request, f"Utredningen är signerad (version {draft.number}).")
                    return redirect("case_detail", case_id)
            else:
                messages.success(request, "Utkastet är sparat.")
                return redirect("investigation", case_id)
    else:
        # What was typed and not saved (a lost connection, a session time-out) comes back.
        autosaved = drafts.load(request.user, "grundutredning", case.pk)
        if autosaved:
            form = InvestigationForm(drafts.as_querydict(autosaved), adults=adults)
        else:
            form = InvestigationForm(initial=base_content, adults=adults)
    versions = (
        investigation.versions.select_related("signed_by", "created_by").order_by("-number")
        if investigation
        else []
    )
    return render(
        request,
        "cases/investigation.html",
        {
            "case": case,
            "form": form,
            "draft": draft,
            "signed": signed,
            "versions": versions,
            "problems": problems,
            "has_children": has_children,
            "autosaved": autosaved,
        },
    )


@login_required
@handle_domain_errors
def investigation_version_view(request, case_id: int, number: int):
    case = selectors.open_case(request.user, case_id, what=f"investigation_version:{number}")
    version = case.investigation.versions.select_related("signed_by", "based_on").get(number=number)
    return render(request, "cases/investigation_version.html", {"case": case, "version": version})


@login_required
@require_POST
@handle_domain_errors
def add_journal_view(request, case_id: int):
    case = selectors.open_case(request.user, case_id, action=AuditAction.VIEW, what="journal_write")
    order = timeline_order(request.POST)
    form = JournalForm(request.POST, prefix="journal")
    if not form.is_valid():
        if request.htmx:
            # Only the journal card comes back, with the errors at the fields and the text kept.
            response = render(
                request,
                "cases/_journal_form.html",
                {
                    "case": case,
                    "journal_form": form,
                    "journal_errors": error_summary(form),
                    "timeline_order": order,
                },
            )
            response["HX-Retarget"] = "#journal-form"
            response["HX-Reswap"] = "outerHTML"
            return response
        return _case_page(request, case, order=order, journal_form=form)
    corrects = None
    if form.cleaned_data.get("corrects"):
        corrects = case.journal_entries.filter(pk=form.cleaned_data["corrects"]).first()
    entry = services.add_journal_entry(
        request.user,
        case,
        text=form.cleaned_data["text"],
        kind=form.cleaned_data["kind"],
        occurred_on=form.cleaned_data.get("occurred_on"),
        sign=form.cleaned_data.get("sign", False),
        corrects=corrects,
    )
    drafts.discard(request.user, "journal", case.pk)
    confirmation = (
        _("Journalanteckningen är sparad och signerad.")
        if entry.signed_at
        else _("Journalanteckningen är sparad som utkast.")
    )
    if request.htmx:
        # The timeline in its order, and the confirmation swapped into the page's message area
        # at the top (base.html #messages, hx-swap-oob).
        return render(
            request,
            "cases/_timeline.html",
            {
                "case": case,
                **_timeline_context(request.POST, case, order),
                "confirmation": confirmation,
            },
        )
    # Back to the top of the case page, where the confirmation shows.
    messages.success(request, confirmation)
    return redirect(_case_url(case_id, order))


@login_required
@require_POST
@handle_domain_errors
def sign_journal_view(request, case_id: int, entry_id: int):
    case = selectors.open_case(request.user, case_id, action=AuditAction.VIEW, what="journal_sign")
    entry = JournalEntry.objects.get(pk=entry_id, case=case)
    services.sign_journal_entry(request.user, entry)
    messages.success(request, "Anteckningen är signerad.")
    return redirect("case_detail", case_id)


# A service's refusal shown at the field it is about (by its code), else for the whole form.
APPLICATION_ERROR_FIELDS = {
    "received_in_future": "received_on",
    "bad_month": "month",
    "month_too_far": "month",
    "bad_kind": "kind",
    "bad_channel": "channel",
}
DOCUMENT_ERROR_FIELDS = {
    "received_in_future": "received_on",
    "bad_kind": "kind",
    "file_required": "file",
    "file_too_large": "file",
    "file_empty": "file",
    "file_type": "file",
    "file_encrypted": "file",
    "image_too_large": "file",
}


def _refuse_in_form(form, error: DomainError, fields: dict[str, str]) -> None:
    """Add a service's refusal to the form that sent it; a refused permission is not a form
    error and goes on (handle_domain_errors answers it)."""
    if isinstance(error, (PermissionRefused, NotFound)):
        raise error
    field = fields.get(error.code)
    form.add_error(field if field in form.fields else None, error.message)


@login_required
@require_POST
@handle_domain_errors
def upload_document_view(request, case_id: int):
    case = selectors.open_case(
        request.user, case_id, action=AuditAction.VIEW, what="document_upload"
    )
    form = DocumentForm(request.POST, request.FILES, prefix="doc")
    if form.is_valid():
        try:
            services.upload_document(
                request.user,
                case,
                form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data.get("title", ""),
                received_on=form.cleaned_data.get("received_on"),
            )
        except DomainError as error:
            _refuse_in_form(form, error, DOCUMENT_ERROR_FIELDS)
    if form.errors:
        # Back to the case page with the errors beside the fields and the values kept.
        return _case_page(request, case, order=timeline_order(request.POST), document_form=form)
    messages.success(request, "Handlingen är inlagd.")
    return redirect("case_detail", case_id)


@login_required
@handle_domain_errors
def download_document(request, document_id: int):
    document = selectors.visible_document(request.user, document_id)
    return attachment_response(document)


@login_required
@handle_domain_errors
def journal_pdf_view(request, case_id: int):
    """The whole case journal as a PDF (a download, logged as one with the journal read)."""
    case = selectors.open_case(
        request.user, case_id, action=AuditAction.DOWNLOAD, what="journal_pdf"
    )
    content = journal_pdf(
        case,
        selectors.journal_of(case),
        printed_by=request.user,
        protected=is_protected_case(case),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="journal-{case.reference}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
@handle_domain_errors
def register_repeat_application(request, case_id: int):
    case = selectors.open_case(
        request.user, case_id, action=AuditAction.VIEW, what="application_register"
    )
    form = RepeatApplicationForm(request.POST, prefix="app")
    if form.is_valid():
        try:
            services.register_application(
                request.user,
                case.household,
                kind=form.cleaned_data["kind"],
                month=form.cleaned_data["month"],
                received_on=form.cleaned_data.get("received_on"),
                channel=form.cleaned_data["channel"],
                notes=form.cleaned_data.get("notes", ""),
            )
        except DomainError as error:
            _refuse_in_form(form, error, APPLICATION_ERROR_FIELDS)
    if form.errors:
        return _case_page(request, case, order=timeline_order(request.POST), repeat_form=form)
    messages.success(request, "Ansökan är registrerad.")
    return redirect("case_detail", case_id)


@login_required
@require_POST
@handle_domain_errors
def complete_application_view(request, case_id: int, application_id: int):
    case = selectors.open_case(
        request.user, case_id, action=AuditAction.VIEW, what="application_complete"
    )
    application = case.applications.get(pk=application_id)
    services.mark_application_complete(request.user, application)
    messages.success(request, "Ansökan är markerad som komplett.")
    return redirect("case_detail", case_id)


@login_required
@require_POST
@handle_domain_errors
def end_application_view(request, case_id: int, application_id: int):
    """Withdraw or write off a wrongly registered application (status and reason, no delete)."""
    case = selectors.open_case(
        request.user, case_id, action=AuditAction.VIEW, what="application_end"
    )
    application = case.applications.get(pk=application_id)
    form = EndApplicationForm(request.POST, prefix=f"end{application.pk}")
    if not form.is_valid():
        # The case page again, this application's form open with its errors and values. (A
        # refusal of the service, e.g. an application already ended, has no form left to show
        # it in: handle_domain_errors puts it at the top.)
        return _case_page(
            request, case, order=timeline_order(request.POST), end_form=(application.pk, form)
        )
    if form.cleaned_data["how"] == EndApplicationForm.WRITE_OFF:
        services.write_off_application(request.user, application, form.cleaned_data["reason"])
        messages.success(request, "Ansökan är avskriven.")
    else:
        services.withdraw_application(request.user, application, form.cleaned_data["reason"])
        messages.success(request, "Ansökan är återtagen.")
    return redirect("case_detail", case_id)


@login_required
@handle_domain_errors
def reassign_view(request, case_id: int):
    require(request.user, "reassign_case")
    case = selectors.open_case(request.user, case_id, what="reassign")
    staff = User.objects.filter(
        unit_id=case.unit_id,
        is_active=True,
        role__in=[Role.SOCIAL_WORKER, Role.BENEFIT_ADMINISTRATOR],
    ).order_by("last_name")
    sections = Section.objects.filter(unit_id=case.unit_id)
    if request.method == "POST":
        form = ReassignForm(request.POST, staff=staff, sections=sections)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.reassign_case(
                    request.user,
                    case,
                    handler=data["handler"],
                    assistant=data["assistant"],
                    section=data["section"],
                    case_type=data["case_type"],
                    reason=data["reason"],
                )
            except DomainError as error:
                if isinstance(error, PermissionRefused):
                    raise
                messages.error(request, error.message)
            else:
                messages.success(request, "Ärendet är omfördelat.")
                return redirect("case_detail", case_id)
    else:
        form = ReassignForm(
            staff=staff,
            sections=sections,
            initial={
                "handler": case.handler_id,
                "assistant": case.assistant_id,
                "case_type": case.case_type,
                "section": case.section_id,
            },
        )
    handover = [panel(request, case) for panel in HANDOVER_PANELS]
    return render(
        request, "cases/reassign.html", {"case": case, "form": form, "handover": handover}
    )


# Other apps contribute to the handover summary shown when a case is reassigned.
HANDOVER_PANELS: list = []


@login_required
@require_POST
@handle_domain_errors
def close_case_view(request, case_id: int):
    case = selectors.open_case(request.user, case_id, action=AuditAction.VIEW, what="close")
    form = CloseForm(request.POST, prefix="close")
    require(request.user, "close_case")
    if form.is_valid() and case.applications.filter(status__in=UNDECIDED_STATUSES).exists():
        # Said at the form, before any confirmation step (the service refuses it too).
        form.add_error(
            None, _("Ärendet har obeslutade ansökningar; besluta eller återta dem först.")
        )
    if not form.is_valid():
        return _case_page(request, case, order=timeline_order(request.POST), close_form=form)
    if request.POST.get("confirmed") != "1":
        # Closing ends the assignments and the case's work: a confirmation step first, which
        # says what will happen (a page, so that it works without JavaScript).
        household = case.household
        return render(
            request,
            "cases/close_confirm.html",
            {
                "case": case,
                "applicant": household.applicant_on(timezone.localdate())
                or household.applicant_on(case.opened_on),
                "reason_label": dict(ClosingReason.choices)[form.cleaned_data["reason"]],
                "closed_on": form.cleaned_data.get("closed_on") or timezone.localdate(),
                "posted": [
                    (name, request.POST.get(name, ""))
                    for name in ("close-reason", "close-closed_on", "ordning")
                    if name in request.POST
                ],
            },
        )
    services.close_case(
        request.user,
        case,
        reason=form.cleaned_data["reason"],
        closed_on=form.cleaned_data.get("closed_on"),
    )
    messages.success(request, "Ärendet är avslutat.")
    return redirect("case_detail", case_id)


@login_required
@require_POST
@handle_domain_errors
def set_case_type_view(request, case_id: int):
    case = selectors.open_case(request.user, case_id, action=AuditAction.VIEW, what="set_type")
    form = CaseTypeForm(request.POST, current=case.case_type)
    if form.is_valid():
        try:
            services.set_case_type(request.user, case, form.cleaned_data["case_type"])
        except DomainError as error:
            _refuse_in_form(form, error, {"bad_case_type": "case_type"})
    if form.errors:
        # The case page again, the error at the list and the choice kept.
        return _case_page(request, case, order=timeline_order(request.POST), case_type_form=form)
    messages.success(request, "Ärendetypen är ändrad.")
    return redirect("case_detail", case_id)


@login_required
@require_POST
@handle_domain_errors
def emergency_access_view(request, case_id: int):
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        raise DomainError("case_not_found", "Ärendet finns inte.")
    services.take_emergency_access(request.user, case, request.POST.get("reason", ""))
    messages.warning(request, "Nödåtkomst registrerad. Den loggas och granskas av enhetschefen.")
    return redirect("case_detail", case_id)


@login_required
@handle_domain_errors
def caseload_view(request):
    loads = selectors.caseload_overview(request.user)
    unassigned = (
        selectors.cases_visible_to(request.user)
        .filter(handler__isnull=True)
        .exclude(status=CaseStatus.CLOSED)
    )
    sections = Section.objects.filter(unit_id=request.user.unit_id).order_by("name")
    if request.user.role == Role.SECTION_HEAD:
        unassigned = unassigned.filter(section_id=request.user.section_id)
        sections = sections.filter(pk=request.user.section_id)
    page = work_list(
        request,
        selectors.with_protection(unassigned).select_related("household", "section"),
        UnassignedFilter,
        sorts=CASE_SORTS,
        default_sort="opened",
        form_kwargs={"sections": list(sections)},
    )
    attach_applicants(case.household for case in page.rows)
    selectors.log_case_list_read(request.user, "caseload_unassigned", page.rows, **_page_log(page))
    return render_work_list(
        request,
        "cases/caseload.html",
        "cases/_unassigned_rows.html",
        {"loads": loads, "unassigned": page.rows, "page": page},
    )


@login_required
@handle_domain_errors
def worker_cases_view(request, user_id: int):
    """A head's view of one worker's cases (to reassign from)."""
    require(request.user, "view_caseload")
    worker = User.objects.filter(pk=user_id, unit_id=request.user.unit_id).first()
    if worker is None:
        raise NotFound("staff_not_found", "Medarbetaren finns inte på din enhet.")
    cases = selectors.annotate_caseload(
        selectors.with_protection(selectors.cases_visible_to(request.user))
        .filter(Q(handler=worker))
        .exclude(status=CaseStatus.CLOSED)
    ).select_related("household", "section")
    page = work_list(request, cases, WorkerCasesFilter, sorts=CASE_SORTS, default_sort="case")
    attach_applicants(case.household for case in page.rows)
    selectors.log_case_list_read(
        request.user, "worker_cases", page.rows, worker_id=worker.pk, **_page_log(page)
    )
    return render_work_list(
        request,
        "cases/worker_cases.html",
        "cases/_worker_case_rows.html",
        {"worker": worker, "cases": page.rows, "page": page, "today": timezone.localdate()},
    )


@login_required
@handle_domain_errors
def search_view(request):
    require(request.user, "search_person")
    page = work_list(
        request, Person.objects.all(), PersonSearchFilter, sorts=PERSON_SORTS, default_sort="name"
    )
    query = page.active_filters.get("q", "")
    results = []
    if query:
        results = selectors.describe_person_hits(request.user, page.rows, query, page=page.number)
    return render_work_list(
        request,
        "cases/search.html",
        "cases/_search_results.html",
        {
            "form": page.form,
            "page": page,
            "results": results,
            "searched": bool(query),
        },
    )


@login_required
@handle_domain_errors
def household_application_view(request, household_id: int):
    """Register a new application for a known household (e.g. found by search)."""
    require(request.user, "register_application")
    household = selectors.open_household(request.user, household_id, what="application_register")
    if request.method == "POST":
        form = RepeatApplicationForm(request.POST, prefix="app")
        if form.is_valid():
            try:
                application = services.register_application(
                    request.user,
                    household,
                    kind=form.cleaned_data["kind"],
                    month=form.cleaned_data["month"],
                    received_on=form.cleaned_data.get("received_on"),
                    channel=form.cleaned_data["channel"],
                    notes=form.cleaned_data.get("notes", ""),
                )
            except DomainError as error:  # e.g. a month too far ahead: at the field, kept
                _refuse_in_form(form, error, APPLICATION_ERROR_FIELDS)
            else:
                messages.success(
                    request, f"Ansökan registrerad i ärende {application.case.reference}."
                )
                return redirect("inbox")
    else:
        kind = "repeat" if household.cases.exclude(status=CaseStatus.CLOSED).exists() else "new"
        form = RepeatApplicationForm(prefix="app", initial={"kind": kind})
    return render(
        request,
        "cases/household_application.html",
        {"form": form, "household": household, "error_summary": error_summary(form)},
        status=REFUSED_STATUS if form.is_bound else 200,
    )
