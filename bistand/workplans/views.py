"""Staff pages for plans: thin translations of HTTP into service calls and selector reads."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from bistand.audit.models import AuditAction
from bistand.cases.selectors import log_case_list_read, open_case, with_protection
from bistand.core import drafts
from bistand.core.dates import add_months
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.core.forms import REFUSED_STATUS, error_summary
from bistand.core.views import handle_domain_errors
from bistand.core.worklist import render_work_list, work_list

from . import selectors, services
from .forms import (
    ActivityFormSet,
    AssessmentForm,
    CaseTypeSettingForm,
    ConsentForm,
    EndInterventionForm,
    FollowUpForm,
    GoalFormSet,
    PlannedFollowUpFormSet,
    PlanPeriodForm,
    ProgrammeForm,
    ReferralForm,
    ResolveDeviationForm,
    StartInterventionForm,
    TripartiteMeetingForm,
    form_errors,
)
from .list_filters import PLAN_OVERVIEW_SORTS, PlanOverviewFilter
from .models import Deviation, FollowUp, Intervention, PlanState, Programme
from .pdf import plan_pdf
from .permissions import can, require


def _plan_url(case_id: int, anchor: str = "") -> str:
    return reverse("workplans:case_plan", args=[case_id]) + (f"#{anchor}" if anchor else "")


def _programmes(case):
    return Programme.objects.filter(unit_id=case.unit_id, active=True)


@login_required
@handle_domain_errors
def case_plan(request, case_id: int):
    """The plan page of a case: current version, consent, follow-ups, interventions,
    meetings, assessments, deviations, re-entry and handovers."""
    case = open_case(request.user, case_id, what="workplan")
    return _plan_page(request, case)


# The plan page's forms share field names (held_on, note, method): each renders its ids with
# its own auto_id, so an error summary's links and aria-describedby point at the right field.
# The posted names stay unprefixed.
PLAN_FORM_IDS = {
    "consent_form": "consent_%s",
    "follow_up_form": "fu_%s",
    "referral_form": "ref_%s",
    "meeting_form": "meet_%s",
}
# Which part of the page a refused form is in (its <details> opened, its summary shown).
PLAN_FORM_PLACES = {
    "consent_form": "samtycke",
    "follow_up_form": "uppfoljning",
    "referral_form": "insatser",
    "meeting_form": "trepartsmoten",
}


# The forms of a table row (an intervention's start and end, a deviation's resolution): a
# refused one comes back bound in its own row only (`refused_row`, `refused_form`).
ROW_FORM_IDS = {"start_form": "start{}_%s", "end_form": "end{}_%s", "resolve_form": "dev{}_%s"}


def _plan_page(request, case, refused: tuple[str, object] | None = None, row: int | None = None):
    """The plan page of a case already opened; `refused` (context name, bound form) comes
    back with its errors at the fields, the values kept and a summary above it (for a row's
    form, `row` is the row's id and the form comes back in that row)."""
    today = timezone.localdate()
    page = selectors.plan_page(case, today)
    sched = page.schedule
    next_on = sched.planned if sched and sched.planned and sched.planned > today else None
    if next_on is None and page.schedule and page.schedule.rule:
        next_on = today + dt.timedelta(days=page.schedule.rule.follow_up_interval_days)
    signatures = selectors.plan_signatures(case)
    # The applicant signed the draft as it is now with e-ID (the e-service): propose that method.
    signed_draft = page.draft is not None and any(
        s.current and s.version_id == page.draft.pk for s in signatures
    )
    context = {
        "case": case,
        "page": page,
        "today": today,
        "rule": selectors.case_type_rule(case.unit_id, case.case_type),
        "consent_form": ConsentForm(
            initial={"consent_on": today, "method": "digital" if signed_draft else "in_person"},
            auto_id=PLAN_FORM_IDS["consent_form"],
        ),
        "follow_up_form": FollowUpForm(
            auto_id=PLAN_FORM_IDS["follow_up_form"],
            initial={
                "held_on": today,
                "method": (sched.planned_method if sched else "") or "visit",
                "took_place": "1",
                "next_on": next_on,
                "next_method": (sched.planned_method if sched else "") or "visit",
            },
        ),
        "referral_form": ReferralForm(
            adults=page.adults,
            programmes=_programmes(case),
            initial={"referred_on": today},
            auto_id=PLAN_FORM_IDS["referral_form"],
        ),
        "start_form": StartInterventionForm(initial={"started_on": today}),
        "end_form": EndInterventionForm(initial={"ended_on": today}),
        "meeting_form": TripartiteMeetingForm(
            initial={"held_on": today}, auto_id=PLAN_FORM_IDS["meeting_form"]
        ),
        "resolve_form": ResolveDeviationForm(),
        "can_edit": can(request.user, "edit_plan", case) and case.status != "closed",
        "can_follow_up": can(request.user, "record_follow_up", case) and case.status != "closed",
        "can_refer": can(request.user, "refer", case) and case.status != "closed",
        "can_assess": can(request.user, "assess_work_capacity", case) and case.status != "closed",
        "can_resolve": can(request.user, "resolve_deviation"),
        "signatures": signatures,
        "refused": "",
        "form_errors": [],
    }
    if refused is not None and row is not None:
        context["refused_name"], context["refused_form"] = refused
        context["refused_row"] = row
        context["form_errors"] = error_summary(refused[1])
    elif refused is not None:
        context[refused[0]] = refused[1]
        context["refused"] = PLAN_FORM_PLACES[refused[0]]
        context["form_errors"] = error_summary(refused[1])
    return render(
        request,
        "workplans/case_plan.html",
        context,
        status=REFUSED_STATUS if refused is not None else 200,
    )


def _refused_on_plan(request, case, name: str, form, error: DomainError | None = None):
    """The plan page again with a refused form; a service's refusal goes on the form (each of
    its problems, when it lists them), a refused permission or not-found goes on."""
    if error is not None:
        if isinstance(error, PermissionRefused | NotFound):
            raise error
        for problem in error.context.get("problems") or [error.message]:
            form.add_error(None, problem)
    return _plan_page(request, case, refused=(name, form))


# A refusal of a row's service, by its code, on its field (docs/forms.md).
ROW_ERROR_FIELDS = {
    "start_before_referral": "started_on",
    "end_before_start": "ended_on",
    "attendance_required": "attendance",
    "result_required": "result",
    "bad_resolution": "resolution",
    "note_required": "note",
}


def _refuse_row_form(form, error: DomainError, date_field: str) -> None:
    """A row service's refusal on its field; a date in the future or the like on the date,
    other refusals (the row's state) on the whole form; permission and not-found go on."""
    if isinstance(error, PermissionRefused | NotFound):
        raise error
    field = ROW_ERROR_FIELDS.get(error.code)
    if field is None and ("date" in error.code or "future" in error.code):
        field = date_field
    form.add_error(field if field in form.fields else None, error.message)


def _content_from(goals, activities, follow_ups, period) -> dict:
    def rows(formset):
        return [form.cleaned_data for form in formset.forms if form.cleaned_data]

    return {
        "goals": rows(goals),
        "activities": rows(activities),
        "follow_ups": rows(follow_ups),
        "notes": period.cleaned_data.get("notes", ""),
    }


@login_required
@handle_domain_errors
def edit_plan(request, case_id: int):
    """Write the plan's draft (a new version after a confirmed one)."""
    case = open_case(request.user, case_id, what="workplan_edit")
    require(request.user, "edit_plan", case)
    plan = selectors.plan_of(case)
    draft = plan.draft() if plan else None
    confirmed = plan.latest_confirmed() if plan else None
    base = draft or confirmed
    today = timezone.localdate()
    # What was typed and not saved (a lost connection, a session time-out) comes back.
    autosaved = (
        None if request.method == "POST" else drafts.load(request.user, "arbetsplan", case.pk)
    )
    if request.method == "POST" or autosaved:
        data = request.POST if request.method == "POST" else drafts.as_querydict(autosaved)
        period = PlanPeriodForm(data)
        goals = GoalFormSet(data, prefix="goal")
        activities = ActivityFormSet(data, prefix="activity")
        follow_ups = PlannedFollowUpFormSet(data, prefix="fu")
    if request.method == "POST":
        forms_ok = all(f.is_valid() for f in (period, goals, activities, follow_ups))
        if forms_ok:
            try:
                version = services.save_plan_draft(
                    request.user,
                    case,
                    content=_content_from(goals, activities, follow_ups, period),
                    valid_from=period.cleaned_data["valid_from"],
                    valid_to=period.cleaned_data["valid_to"],
                )
            except DomainError as error:
                if isinstance(error, PermissionRefused | NotFound):
                    raise
                messages.error(request, error.message)
            else:
                drafts.discard(request.user, "arbetsplan", case.pk)
                messages.success(
                    request,
                    f"Utkastet till arbetsplan (version {version.number}) är sparat. "
                    "Planen gäller när klienten har godkänt den.",
                )
                return redirect(_plan_url(case_id, "samtycke"))
        else:
            messages.error(
                request,
                "Planen kunde inte sparas: "
                + form_errors(period, *goals.forms, *activities.forms, *follow_ups.forms),
            )
    elif not autosaved:
        rule = selectors.case_type_rule(case.unit_id, case.case_type)
        start = base.valid_from if draft else today
        end = base.valid_to if draft else add_months(start, rule.plan_period_months if rule else 6)
        content = base.content if base else {}
        period = PlanPeriodForm(
            initial={"valid_from": start, "valid_to": end, "notes": content.get("notes", "")}
        )
        goals = GoalFormSet(prefix="goal", initial=content.get("goals") or None)
        activities = ActivityFormSet(prefix="activity", initial=content.get("activities") or None)
        planned = content.get("follow_ups") if draft else []
        if not planned and rule is not None:
            planned = [
                {"on": today + dt.timedelta(days=rule.follow_up_interval_days), "method": "visit"}
            ]
        follow_ups = PlannedFollowUpFormSet(prefix="fu", initial=planned or None)
    return render(
        request,
        "workplans/edit_plan.html",
        {
            "case": case,
            "draft": draft,
            "confirmed": confirmed,
            "period": period,
            "goals": goals,
            "activities": activities,
            "follow_ups": follow_ups,
            "rule": selectors.case_type_rule(case.unit_id, case.case_type),
            "autosaved": autosaved,
        },
    )


@login_required
@require_POST
@handle_domain_errors
def confirm_plan(request, case_id: int):
    case = open_case(request.user, case_id, action=AuditAction.VIEW, what="workplan_confirm")
    form = ConsentForm(request.POST, auto_id=PLAN_FORM_IDS["consent_form"])
    if not form.is_valid():
        return _refused_on_plan(request, case, "consent_form", form)
    try:
        version = services.confirm_plan(
            request.user,
            case,
            consent_on=form.cleaned_data["consent_on"],
            method=form.cleaned_data["method"],
            note=form.cleaned_data.get("note", ""),
        )
    except DomainError as error:
        return _refused_on_plan(request, case, "consent_form", form, error)
    messages.success(
        request, f"Klientens godkännande är registrerat. Version {version.number} gäller."
    )
    return redirect(_plan_url(case_id))


@login_required
@handle_domain_errors
def plan_version(request, case_id: int, number: int):
    case = open_case(request.user, case_id, what=f"workplan_version:{number}")
    plan = selectors.plan_of(case)
    version = (
        plan
        and plan.versions.select_related("confirmed_by", "created_by", "based_on")
        .filter(number=number)
        .first()
    )
    if not version:
        raise NotFound("version_not_found", "Versionen finns inte.")
    return render(request, "workplans/version.html", {"case": case, "version": version})


@login_required
@handle_domain_errors
def plan_version_pdf(request, case_id: int, number: int):
    """The version as a plain-language PDF for the client (logged as a download)."""
    case = open_case(
        request.user, case_id, action=AuditAction.DOWNLOAD, what=f"workplan_pdf:{number}"
    )
    plan = selectors.plan_of(case)
    version = plan and plan.versions.filter(number=number).first()
    if not version:
        raise NotFound("version_not_found", "Versionen finns inte.")
    applicant = case.household.applicant_on(timezone.localdate())
    handler = case.handler
    content = plan_pdf(
        version,
        client_name=applicant.full_name if applicant else str(case.household),
        handler_name=handler.get_full_name() if handler else "",
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="arbetsplan-{case.reference}-v{version.number}.pdf"'
    )
    return response


@login_required
@require_POST
@handle_domain_errors
def record_follow_up(request, case_id: int):
    case = open_case(request.user, case_id, action=AuditAction.VIEW, what="follow_up_write")
    form = FollowUpForm(request.POST, auto_id=PLAN_FORM_IDS["follow_up_form"])
    if not form.is_valid():
        return _refused_on_plan(request, case, "follow_up_form", form)
    data = form.cleaned_data
    corrects = None
    if data.get("corrects"):
        corrects = FollowUp.objects.filter(pk=data["corrects"], plan__case=case).first()
    try:
        services.record_follow_up(
            request.user,
            case,
            held_on=data["held_on"],
            method=data["method"],
            took_place=data["took_place"],
            outcome=data["outcome"],
            next_on=data["next_on"],
            next_method=data["next_method"],
            income_change=data.get("income_change"),
            new_support_obstacle=data.get("new_support_obstacle", ""),
            corrects=corrects,
        )
    except DomainError as error:
        return _refused_on_plan(request, case, "follow_up_form", form, error)
    messages.success(request, "Uppföljningen är registrerad.")
    return redirect(_plan_url(case_id, "uppfoljning"))


@login_required
@require_POST
@handle_domain_errors
def refer(request, case_id: int):
    case = open_case(request.user, case_id, action=AuditAction.VIEW, what="referral_write")
    form = ReferralForm(
        request.POST,
        adults=selectors.current_adults(case),
        programmes=_programmes(case),
        auto_id=PLAN_FORM_IDS["referral_form"],
    )
    if not form.is_valid():
        return _refused_on_plan(request, case, "referral_form", form)
    data = form.cleaned_data
    try:
        services.refer(
            request.user,
            case,
            person=data["person"],
            target=data["target"],
            programme=data.get("programme"),
            referred_on=data.get("referred_on"),
            purpose=data.get("purpose", ""),
        )
    except DomainError as error:
        return _refused_on_plan(request, case, "referral_form", form, error)
    messages.success(request, "Anvisningen är registrerad.")
    return redirect(_plan_url(case_id, "insatser"))


def _intervention(case, intervention_id: int) -> Intervention:
    intervention = Intervention.objects.filter(pk=intervention_id, case=case).first()
    if intervention is None:
        raise NotFound("intervention_not_found", "Insatsen finns inte.")
    return intervention


@login_required
@require_POST
@handle_domain_errors
def start_intervention(request, case_id: int, intervention_id: int):
    case = open_case(request.user, case_id, action=AuditAction.VIEW, what="intervention_write")
    intervention = _intervention(case, intervention_id)
    form = StartInterventionForm(
        request.POST, auto_id=ROW_FORM_IDS["start_form"].format(intervention.pk)
    )
    try:
        if form.is_valid():
            services.start_intervention(
                request.user, intervention, started_on=form.cleaned_data["started_on"]
            )
    except DomainError as error:
        _refuse_row_form(form, error, "started_on")
    if form.errors:
        return _plan_page(request, case, refused=("start_form", form), row=intervention.pk)
    messages.success(request, "Insatsens start är registrerad.")
    return redirect(_plan_url(case_id, "insatser"))


@login_required
@require_POST
@handle_domain_errors
def end_intervention(request, case_id: int, intervention_id: int):
    case = open_case(request.user, case_id, action=AuditAction.VIEW, what="intervention_write")
    intervention = _intervention(case, intervention_id)
    form = EndInterventionForm(
        request.POST, auto_id=ROW_FORM_IDS["end_form"].format(intervention.pk)
    )
    try:
        if form.is_valid():
            data = form.cleaned_data
            services.end_intervention(
                request.user,
                intervention,
                ended_on=data["ended_on"],
                attendance=data["attendance"],
                result=data["result"],
                note=data.get("note", ""),
            )
    except DomainError as error:
        _refuse_row_form(form, error, "ended_on")
    if form.errors:
        return _plan_page(request, case, refused=("end_form", form), row=intervention.pk)
    messages.success(request, "Insatsen är avslutad med resultat.")
    return redirect(_plan_url(case_id, "insatser"))


@login_required
@require_POST
@handle_domain_errors
def record_meeting(request, case_id: int):
    case = open_case(request.user, case_id, action=AuditAction.VIEW, what="meeting_write")
    form = TripartiteMeetingForm(request.POST, auto_id=PLAN_FORM_IDS["meeting_form"])
    if not form.is_valid():
        return _refused_on_plan(request, case, "meeting_form", form)
    data = form.cleaned_data
    try:
        services.record_tripartite_meeting(
            request.user,
            case,
            held_on=data["held_on"],
            partner=data["partner"],
            partner_name=data.get("partner_name", ""),
            participants=data["participants"],
            agreements=data["agreements"],
        )
    except DomainError as error:
        return _refused_on_plan(request, case, "meeting_form", form, error)
    messages.success(request, "Trepartsmötet är registrerat.")
    return redirect(_plan_url(case_id, "trepartsmoten"))


@login_required
@handle_domain_errors
def assessment(request, case_id: int):
    """The work-capacity assessment form (FIA-like): each area rated, with a comment."""
    case = open_case(request.user, case_id, what="assessment")
    require(request.user, "assess_work_capacity", case)
    adults = selectors.current_adults(case)
    if request.method == "POST":
        form = AssessmentForm(request.POST, adults=adults)
        if form.is_valid():
            try:
                services.record_assessment(
                    request.user,
                    case,
                    person=form.cleaned_data["person"],
                    assessed_on=form.cleaned_data["assessed_on"],
                    areas=form.areas(),
                    summary=form.cleaned_data["summary"],
                )
            except DomainError as error:
                if isinstance(error, PermissionRefused | NotFound):
                    raise
                form.add_error(None, error.message)
            else:
                messages.success(request, "Bedömningen är registrerad.")
                return redirect(_plan_url(case_id, "bedomningar"))
    else:
        form = AssessmentForm(adults=adults, initial={"assessed_on": timezone.localdate()})
    # A refused form: the errors at the fields, the values kept, a summary at the top.
    return render(
        request,
        "workplans/assessment.html",
        {"case": case, "form": form, "form_errors": error_summary(form)},
        status=REFUSED_STATUS if form.is_bound else 200,
    )


@login_required
@require_POST
@handle_domain_errors
def resolve_deviation(request, case_id: int, deviation_id: int):
    case = open_case(request.user, case_id, action=AuditAction.VIEW, what="deviation_write")
    deviation = Deviation.objects.filter(pk=deviation_id, case=case).first()
    if deviation is None:
        raise NotFound("deviation_not_found", "Avvikelsen finns inte.")
    form = ResolveDeviationForm(
        request.POST, auto_id=ROW_FORM_IDS["resolve_form"].format(deviation.pk)
    )
    try:
        if form.is_valid():
            services.resolve_deviation(
                request.user,
                deviation,
                resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data.get("note", ""),
            )
    except DomainError as error:
        _refuse_row_form(form, error, "resolution")
    if form.errors:
        return _plan_page(request, case, refused=("resolve_form", form), row=deviation.pk)
    messages.success(request, "Avvikelsen är hanterad.")
    return redirect(_plan_url(case_id, "avvikelser"))


@login_required
@handle_domain_errors
def overview(request):
    """The heads' overview: the plans of the section (a unit head: the unit or a chosen
    section) as a work list, with the counts per state and per worker counted in the
    database, so the page costs the same for 30 plans as for 3,000."""
    require(request.user, "view_plan_overview")
    user = request.user
    sections = list(selectors.sections_for_overview(user).order_by("name"))
    today = timezone.localdate()
    cases = selectors.with_plan_state(selectors.overview_cases(user), today)
    page = work_list(
        request,
        with_protection(selectors.overview_queryset(selectors.overview_cases(user), today)),
        PlanOverviewFilter,
        sorts=PLAN_OVERVIEW_SORTS,
        default_sort="handler",
        form_kwargs={"sections": sections, "unit_id": user.unit_id},
    )
    section_id = int(page.active_filters.get("section") or 0) or None
    if section_id:
        cases = cases.filter(section_id=section_id)
    summary = selectors.overview_summary(user, cases, section_id)
    rows = selectors.overview_page_rows(page.rows, today)
    log_case_list_read(
        user, "plan_overview", page.rows, **({"list": page.params} if page.params else {})
    )
    return render_work_list(
        request,
        "workplans/overview.html",
        "workplans/_overview_rows.html",
        {
            "rows": rows,
            "page": page,
            "summary": summary,
            "counts": [(PlanState(s), summary.counts[s]) for s in PlanState.values],
            "today": today,
        },
    )


@login_required
@handle_domain_errors
def settings_view(request):
    """The unit's settings per case type (with history) and its list of programmes."""
    require(request.user, "configure_plans")
    unit = request.user.unit
    if unit is None:
        raise DomainError("no_unit", "Du är inte placerad på någon enhet.")
    setting_form = CaseTypeSettingForm(prefix="s")
    programme_form = ProgrammeForm(prefix="p")
    if request.method == "POST":
        try:
            if "save_setting" in request.POST:
                setting_form = CaseTypeSettingForm(request.POST, prefix="s")
                if setting_form.is_valid():
                    data = setting_form.cleaned_data
                    services.set_case_type_setting(
                        request.user,
                        unit,
                        data["case_type"],
                        contact_interval_days=data["contact_interval_days"],
                        follow_up_interval_days=data["follow_up_interval_days"],
                        plan_period_months=data["plan_period_months"],
                        income_change_limit=data["income_change_limit"],
                        reason=data.get("reason", ""),
                    )
                    messages.success(request, "Inställningen är sparad och gäller från i dag.")
                    return redirect("workplans:settings")
            elif "add_programme" in request.POST:
                programme_form = ProgrammeForm(request.POST, prefix="p")
                if programme_form.is_valid():
                    services.add_programme(request.user, unit, **programme_form.cleaned_data)
                    messages.success(request, "Insatsen är tillagd.")
                    return redirect("workplans:settings")
            elif "add_defaults" in request.POST:
                added = services.add_default_programmes(request.user, unit)
                messages.success(request, f"{len(added)} insatser tillagda.")
                return redirect("workplans:settings")
            elif "toggle_programme" in request.POST:
                programme = Programme.objects.filter(
                    pk=request.POST.get("toggle_programme"), unit=unit
                ).first()
                if programme is None:
                    raise NotFound("programme_not_found", "Insatsen finns inte.")
                services.set_programme_active(request.user, programme, not programme.active)
                return redirect("workplans:settings")
        except DomainError as error:
            if isinstance(error, PermissionRefused | NotFound):
                raise
            form = (
                setting_form
                if "save_setting" in request.POST
                else programme_form
                if "add_programme" in request.POST
                else None
            )
            if form is None:
                messages.error(request, error.message)
            else:
                form.add_error(None, error.message)
    refused = next(
        (
            (name, form)
            for name, form in (("setting", setting_form), ("programme", programme_form))
            if form.is_bound and form.errors
        ),
        ("", None),
    )
    rules = selectors.case_type_rules(unit.pk)
    return render(
        request,
        "workplans/settings.html",
        {
            "unit": unit,
            "rules": rules.values(),
            "history": selectors.case_type_setting_history(unit.pk)[:50],
            "programmes": Programme.objects.filter(unit=unit),
            "setting_form": setting_form,
            "programme_form": programme_form,
            "refused": refused[0],
            "form_errors": error_summary(refused[1]) if refused[1] is not None else [],
        },
        status=REFUSED_STATUS if refused[1] is not None else 200,
    )
