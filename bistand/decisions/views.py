"""Staff pages for calculations, decisions, letters and appeals: thin translations of HTTP
into service calls and selector reads. A service's Swedish error is shown on the same page with
what the user typed; nothing is half-saved."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from bistand.calculation import COST_TYPES, INCOME_TYPES
from bistand.calculation.catalogue import COST_CATEGORY_LABELS, OTHER_LIVING, REASONABLE
from bistand.cases.models import UNDECIDED_STATUSES, Application, ApplicationKind, Case
from bistand.cases.rules import can_open_case
from bistand.cases.selectors import cases_visible_to, log_case_list_read
from bistand.core import drafts
from bistand.core.dates import add_months, month_start
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.core.forms import REFUSED_STATUS, error_summary
from bistand.core.views import handle_domain_errors
from bistand.core.worklist import render_work_list, wants_list_only, work_list
from bistand.households.models import MemberRole
from bistand.households.selectors import attach_applicants
from bistand.norms.models import SourceStatus
from bistand.organisation.models import Section, User
from bistand.organisation.permissions import can as organisation_can

from . import calculations as calc
from . import delegation, register_checks, repeat, selectors, services
from .forms import (
    AppealForm,
    CourtOutcomeForm,
    DecisionForm,
    DecisionSettingsForm,
    DelegationRuleForm,
    DispatchForm,
    ForwardForm,
    GuidelineForm,
    MonthForm,
    NoteForm,
    ReconsiderForm,
    ReferralForm,
    ReviewForm,
)
from .list_filters import BATCH_SORTS, REFERRAL_SORTS, BatchFilter, ReferralFilter
from .models import (
    AutomaticDecisionReview,
    Calculation,
    DecisionSettings,
    DecisionStatus,
    DelegationRule,
    LocalGuideline,
    Outcome,
    RefusalGround,
)
from .permissions import can, require
from .permissions import can as decision_can

# --- Calculation ---------------------------------------------------------------------------


@login_required
@require_POST
@handle_domain_errors
def calculation_create(request, application_id: int):
    application = selectors.application_of(request.user, application_id, what="calculation_new")
    calculation = services.create_calculation(request.user, application)
    filled = "ansökan och förra månadens beräkning" if calculation.prefilled_from_id else "ansökan"
    messages.success(request, f"En ny beräkning är påbörjad, ifylld från {filled}.")
    return redirect("decisions:calculation", calculation.pk)


def _cost_choices():
    groups = []
    for category in (REASONABLE, OTHER_LIVING):
        groups.append(
            (
                COST_CATEGORY_LABELS[category],
                [(c.code, c.label) for c in COST_TYPES.values() if c.category == category],
            )
        )
    return groups


def _labelled(rows: list[dict], types: dict | None = None) -> list[dict]:
    """Rows with the Swedish labels of their source and (costs, incomes) of their type."""
    return [
        {
            **row,
            "source_label": calc.SOURCE_LABELS.get(row.get("source") or "manual", ""),
            "type_label": types[row["type"]].label
            if types is not None and row.get("type") in types
            else row.get("type", ""),
        }
        for row in rows
    ]


def _norm_status_label(code: str) -> str:
    return str(SourceStatus(code).label) if code in SourceStatus.values else code


def _editor_context(
    calculation: Calculation, *, costs=None, incomes=None, adjustments=None, meals=None
):
    members = calculation.members
    if meals is not None:  # as posted (an autosaved draft), not as stored
        members = [{**m, "meals_outside_home": m["person_id"] in meals} for m in members]
    return {
        "calculation": calculation,
        "costs": _labelled(costs if costs is not None else calculation.costs, COST_TYPES),
        "incomes": _labelled(incomes if incomes is not None else calculation.incomes, INCOME_TYPES),
        "norm_status_label": _norm_status_label(calculation.norm_status),
        "adjustments": _labelled(
            adjustments if adjustments is not None else calculation.norm_adjustments
        ),
        "cost_choices": _cost_choices(),
        "income_choices": [(i.code, i.label) for i in INCOME_TYPES.values()],
        "members": members,
        "adults": [m for m in members if m["role"] != MemberRole.CHILD],
        "children": [m for m in members if m["role"] == MemberRole.CHILD],
        "rows": calc.breakdown(calculation),
        "source_labels": calc.SOURCE_LABELS,
    }


_ROW_KEY = re.compile(r"^(cost|income|adj)-([A-Za-z0-9]+)-(\w+)$")


def _posted_meals(post) -> set[int]:
    return {int(k.split("-", 1)[1]) for k in post if re.match(r"^meals-\d+$", k)}


def _posted_rows(post) -> tuple[list[dict], list[dict], list[dict]]:
    """The editor's rows in the order posted; fully blank rows are left out."""
    rows: dict[tuple[str, str], dict] = {}
    for key in post:
        match = _ROW_KEY.match(key)
        if match:
            kind, token, name = match.groups()
            rows.setdefault((kind, token), {})[name] = post.get(key, "").strip()
    costs, incomes, adjustments = [], [], []
    for (kind, _token), row in rows.items():
        if not (row.get("amount") or row.get("description") or row.get("reason")):
            continue
        if kind == "cost":
            costs.append(row)
        elif kind == "income":
            row["person_id"] = row.get("person_id") or None
            incomes.append(row)
        else:
            row["person_id"] = row.get("person_id") or None
            adjustments.append(row)
    return costs, incomes, adjustments


@login_required
@handle_domain_errors
def calculation_view(request, calculation_id: int):
    """A draft: edit its lines (htmx) and save it. A saved calculation: its breakdown."""
    calculation = selectors.open_calculation(request.user, calculation_id)
    case = calculation.case
    template = "decisions/calculation.html"
    if request.method == "POST":
        costs, incomes, adjustments = _posted_rows(request.POST)
        meals = _posted_meals(request.POST)
        try:
            calculation = services.update_calculation(
                request.user,
                calculation,
                costs=costs,
                incomes=incomes,
                norm_adjustments=adjustments,
                meals_outside_home=meals,
            )
            # The lines are stored on the calculation now: the autosaved draft has done its work.
            drafts.discard(request.user, "berakning", calculation.pk)
            if request.POST.get("action") == "save":
                calculation = services.save_calculation(request.user, calculation)
                messages.success(request, "Beräkningen är sparad. Nu kan beslut fattas.")
                url = reverse("case_detail", args=[case.pk]) + "#beslut"
                if request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = url
                    return response
                return redirect(url)
        except PermissionRefused:
            raise
        except DomainError as error:
            context = _editor_context(
                calculation, costs=costs, incomes=incomes, adjustments=adjustments
            )
            context["error"] = error.message
            status = 200 if request.htmx else 400
            if request.htmx:
                return render(request, "decisions/_calculation_editor.html", context, status=status)
            return render(request, template, {**context, "case": case}, status=status)
        if request.htmx:
            return render(
                request, "decisions/_calculation_editor.html", _editor_context(calculation)
            )
        return redirect("decisions:calculation", calculation.pk)
    # What was typed and not stored (a lost connection, a session time-out) comes back.
    autosaved = (
        drafts.load(request.user, "berakning", calculation.pk) if not calculation.saved_at else None
    )
    stale = False
    if autosaved:
        posted = drafts.as_querydict(autosaved)
        costs, incomes, adjustments = _posted_rows(posted)
        meals = _posted_meals(posted)
        context = _editor_context(
            calculation, costs=costs, incomes=incomes, adjustments=adjustments, meals=meals
        )
        try:
            # The breakdown of the lines as typed, not of the lines last stored.
            preview = services.preview_calculation(
                calculation,
                costs=costs,
                incomes=incomes,
                norm_adjustments=adjustments,
                meals_outside_home=meals,
            )
            context["rows"] = calc.breakdown(preview)
        except DomainError as error:
            # A line that cannot be read: the stored breakdown, marked as not matching.
            stale = error.message
    else:
        context = _editor_context(calculation)
        if not calculation.saved_at:
            # A draft is calculated again on view (the norms or guidelines may have changed
            # since it was last calculated); nothing is stored until "Räkna om" or "Spara".
            try:
                context["rows"] = calc.breakdown(services.preview_calculation(calculation))
            except DomainError as error:
                stale = error.message
    context["stale"] = stale
    context["autosaved"] = autosaved
    context["case"] = case
    context["can_calculate"] = can(request.user, "calculate")
    return render(request, template, context)


@login_required
@handle_domain_errors
def calculation_row(request, calculation_id: int):
    """htmx: one empty row for the editor (kind: cost, income or adj)."""
    calculation = selectors.open_calculation(request.user, calculation_id)
    kind = request.GET.get("kind", "cost")
    if kind not in ("cost", "income", "adj"):
        kind = "cost"
    context = _editor_context(calculation)
    context.update(
        kind=kind,
        token=secrets.token_hex(4),
        row={"source": "manual", "source_label": calc.SOURCE_LABELS["manual"]},
    )
    return render(request, "decisions/_calculation_row.html", context)


@login_required
@require_POST
@handle_domain_errors
def calculation_copy(request, calculation_id: int):
    calculation = selectors.open_calculation(request.user, calculation_id)
    copy = services.copy_calculation(request.user, calculation)
    messages.success(request, "En ny beräkning är påbörjad utifrån den sparade.")
    return redirect("decisions:calculation", copy.pk)


# --- Deciding ------------------------------------------------------------------------------


def _latest_saved(application: Application, calculation_id: str | None) -> Calculation | None:
    saved = Calculation.objects.filter(application=application, saved_at__isnull=False)
    if calculation_id and calculation_id.isdigit():
        return saved.filter(pk=int(calculation_id)).first()
    return saved.order_by("-saved_at", "-id").first()


def _adults(calculation: Calculation) -> list[dict]:
    return [
        m
        for m in calculation.members
        if m["role"] in (MemberRole.APPLICANT, MemberRole.CO_APPLICANT)
    ]


def _initial_obstacles(case, previous=None) -> dict[int, str]:
    given: dict[int, str] = {}
    if previous is not None:
        given.update({o.person_id: o.code for o in previous.support_obstacles.all()})
    investigation = getattr(case, "investigation", None)
    version = investigation.latest_signed() if investigation is not None else None
    if version is not None:
        for adult in version.content.get("adults", []):
            if adult.get("support_obstacle"):
                given[int(adult["person_id"])] = adult["support_obstacle"]
    return given


# Higher apps add notices to the decision page before a decision (the activity app: illness
# without a medical certificate): callables (request, application) -> {"template", "context"}.
DECIDE_PAGE_NOTICES: list = []


def _decision_page(request, *, application, calculation, replacing=None, appeal=None):
    case = application.case
    proposals = calc.proposals(calculation)
    adults = _adults(calculation)
    obstacles = _initial_obstacles(case, replacing)
    form_kwargs = {
        "proposals": proposals,
        "adults": adults,
        "obstacles": obstacles,
        "replacing": replacing is not None,
    }
    if replacing is not None and request.method == "GET":
        previous = {line.key: line for line in replacing.lines.all()}
        initial = {"reasons": replacing.reasons}
        for index, proposal in enumerate(proposals):
            line = previous.get(proposal.key)
            if line is not None:
                initial.update(
                    {
                        f"line-{index}-outcome": line.outcome,
                        f"line-{index}-amount": f"{line.amount_granted:.2f}".replace(".", ","),
                        f"line-{index}-reasons": line.reasons,
                        f"line-{index}-ground": line.refusal_ground,
                    }
                )
        form_kwargs["initial"] = initial
    form = DecisionForm(request.POST or None, **form_kwargs)
    context = {
        "case": case,
        "application": application,
        "calculation": calculation,
        "rows": calc.breakdown(calculation),
        "form": form,
        "replacing": replacing,
        "appeal": appeal,
        "referral_form": None,
        "error": None,
        "checks_panel": register_checks.form_panel(request, application),
        "page_notices": [
            notice for hook in DECIDE_PAGE_NOTICES if (notice := hook(request, application))
        ],
    }
    status = 200
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "decide")
        lines = form.line_decisions()
        obstacles = form.support_obstacles()
        reasons = form.cleaned_data.get("reasons", "")
        try:
            if action == "refer":
                target = User.objects.filter(pk=request.POST.get("referred_to") or 0).first()
                if target is None:
                    raise DomainError(
                        "referral_target_required", "Välj vem beslutet ska skickas till."
                    )
                decision = services.refer_decision(
                    request.user,
                    application,
                    calculation=calculation,
                    lines=lines,
                    support_obstacles=obstacles,
                    referred_to=target,
                    reasons=reasons,
                    note=request.POST.get("note", ""),
                    replaces=replacing,
                    replacement_reason=form.cleaned_data.get("replacement_reason", ""),
                )
                messages.success(request, f"Beslutet är skickat till {target} för beslut.")
                return redirect(reverse("case_detail", args=[case.pk]) + "#beslut")
            if action == "edit":
                return render(request, "decisions/decide.html", context)
            if request.POST.get("confirmed") != "1":
                preview = services.preview_decision(
                    request.user,
                    application,
                    calculation=calculation,
                    lines=lines,
                    support_obstacles=obstacles,
                    replacing=replacing,
                    replacement_reason=form.cleaned_data.get("replacement_reason", ""),
                )
                return render(
                    request,
                    "decisions/decide_confirm.html",
                    context
                    | _confirmation(request, form, preview, calculation)
                    | {"applicant": _applicant_of(case)},
                )
            if replacing is not None:
                decision = services.replace_decision(
                    request.user,
                    replacing,
                    reason=form.cleaned_data.get("replacement_reason", ""),
                    lines=lines,
                    support_obstacles=obstacles,
                    reasons=reasons,
                    calculation=calculation,
                    appeal=appeal,
                )
                messages.success(
                    request, f"Nytt beslut {decision.reference} ersätter {replacing.reference}."
                )
                if appeal is not None:
                    return redirect("decisions:appeal", appeal.pk)
            else:
                decision = services.decide_application(
                    request.user,
                    application,
                    calculation=calculation,
                    lines=lines,
                    support_obstacles=obstacles,
                    reasons=reasons,
                )
                messages.success(request, f"Beslut {decision.reference} är fattat.")
            return redirect("decisions:decision", decision.pk)
        except services.OutsideDelegation as error:
            context["error"] = error.message
            context["outside_delegation"] = True
            candidates = User.objects.filter(pk__in=error.context.get("candidates", []))
            context["referral_form"] = ReferralForm(candidates=candidates)
            status = 403
        except PermissionRefused:
            raise
        except DomainError as error:
            context["error"] = error.message
            status = 400
    elif request.method == "POST":
        context["error"] = "Kontrollera fälten nedan."
        status = 400
    return render(request, "decisions/decide.html", context, status=status)


def _confirmation(request, form, preview, calculation) -> dict:
    """What the confirmation page shows: the decision as it would be made, and the posted
    fields to send again (as hidden inputs) with the confirmation."""
    names = {adult["person_id"]: adult["name"] for adult, _ in form.obstacle_rows}
    obstacle_labels = {
        code: label for _, name in form.obstacle_rows for code, label in form.fields[name].choices
    }
    return {
        "preview": preview,
        "outcome_label": Outcome(preview.outcome).label,
        "preview_lines": [
            line
            | {
                "outcome_label": Outcome(line["outcome"]).label,
                "ground_label": RefusalGround(line["refusal_ground"]).label
                if line["refusal_ground"]
                else "",
            }
            for line in preview.lines
        ],
        "preview_obstacles": [
            {
                "name": names.get(o["person_id"], ""),
                "label": obstacle_labels.get(o["code"], o["code"]),
            }
            for o in preview.obstacles
        ],
        "reasons": form.cleaned_data.get("reasons", ""),
        "replacement_reason": form.cleaned_data.get("replacement_reason", ""),
        "posted": [
            (name, value)
            for name, values in request.POST.lists()
            if name not in {"csrfmiddlewaretoken", "action", "confirmed"}
            for value in values
        ],
    }


@login_required
@handle_domain_errors
def decide_view(request, application_id: int):
    require(request.user, "decide")
    application = selectors.application_of(request.user, application_id, what="decide")
    calculation = _latest_saved(
        application, request.GET.get("calculation") or request.POST.get("calculation")
    )
    if calculation is None:
        messages.error(request, "Spara en beräkning för ansökan innan beslut fattas.")
        return redirect(reverse("case_detail", args=[application.case_id]) + "#beslut")
    return _decision_page(request, application=application, calculation=calculation)


@login_required
@handle_domain_errors
def replace_view(request, decision_id: int):
    require(request.user, "decide")
    old = selectors.open_decision(request.user, decision_id, what="decision_replace")
    appeal = None
    appeal_id = request.GET.get("appeal") or request.POST.get("appeal")
    if appeal_id and str(appeal_id).isdigit():
        appeal = old.appeals.filter(pk=int(appeal_id)).first()
    application = old.application
    application.case = old.case
    calculation = _latest_saved(
        application, request.GET.get("calculation") or request.POST.get("calculation")
    )
    return _decision_page(
        request,
        application=application,
        calculation=calculation or old.calculation,
        replacing=old,
        appeal=appeal,
    )


@login_required
@handle_domain_errors
def decision_view(request, decision_id: int):
    decision = selectors.open_decision(request.user, decision_id)
    return _decision_detail(request, decision)


def _decision_detail(
    request, decision, *, dispatch_form: DispatchForm | None = None, appeal_form=None
):
    """The decision page; a refused dispatch or appeal form comes back with its errors at the
    fields, the values kept and its part of the page opened."""
    user = request.user
    lines = list(decision.lines.all())
    referral_candidates = []
    if decision.status == DecisionStatus.PREPARED:
        needs = [
            need
            for line in lines
            for need in delegation.needs_for_line(
                line.key, line.description, line.kind, line.outcome,
                line.amount_applied, line.amount_granted, line.refusal_ground,
            )
        ]  # fmt: skip
        referral_candidates = delegation.users_with_delegation(
            decision.case.unit_id, needs, decision.case
        )
    context = {
        "decision": decision,
        "case": decision.case,
        "lines": lines,
        "obstacles": decision.support_obstacles.all(),
        "rows": calc.breakdown(decision.calculation),
        "letter": getattr(decision, "letter", None),
        "dispatches": decision.letter.dispatches.select_related("recorded_by")
        if hasattr(decision, "letter")
        else [],
        "replacements": decision.replacements.filter(status=DecisionStatus.FINAL),
        "appeals": decision.appeals.all(),
        "dispatch_form": dispatch_form or DispatchForm(prefix="sent"),
        "dispatch_errors": error_summary(dispatch_form),
        "appeal_form": appeal_form or AppealForm(prefix="appeal"),
        "appeal_errors": error_summary(appeal_form),
        "note_form": NoteForm(),
        "referral_form": ReferralForm(candidates=referral_candidates)
        if referral_candidates
        else None,
        "can_decide": can(user, "decide"),
        "can_send": can(user, "send_letter"),
        "can_register_appeal": can(user, "register_appeal"),
        "in_force": decision.in_force,
        "consulted_sources": register_checks.consulted_sources(decision),
        "decision_time": selectors.decision_time(decision.application)
        if decision.is_final
        else None,
    }
    refused = dispatch_form is not None or appeal_form is not None
    return render(
        request, "decisions/decision.html", context, status=REFUSED_STATUS if refused else 200
    )


@login_required
@handle_domain_errors
def letter_view(request, decision_id: int):
    decision, letter = selectors.letter_of(request.user, decision_id)
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="beslut-{decision.reference}.pdf"'
    response["X-Content-SHA256"] = letter.sha256
    return response


@login_required
@require_POST
@handle_domain_errors
def mark_sent_view(request, decision_id: int):
    decision = selectors.open_decision(request.user, decision_id, what="letter_sent")
    form = DispatchForm(request.POST, prefix="sent")
    if form.is_valid():
        try:
            services.mark_letter_sent(
                request.user,
                decision,
                sent_on=form.cleaned_data["sent_on"],
                channel=form.cleaned_data["channel"],
                received_on=form.cleaned_data.get("received_on"),
            )
        except DomainError as error:
            _refuse_in_form(form, error, DISPATCH_ERROR_FIELDS)
    if form.errors:
        return _decision_detail(request, decision, dispatch_form=form)
    messages.success(request, "Utskicket är registrerat.")
    return redirect("decisions:decision", decision.pk)


@login_required
@require_POST
@handle_domain_errors
def decide_draft_view(request, decision_id: int):
    decision = selectors.open_decision(request.user, decision_id, what="decide_draft")
    if request.POST.get("confirmed") != "1":
        # A prepared or referred decision becomes final only after a confirmation step that
        # says what will be decided (works without JavaScript: a page, not a dialog).
        services.check_draft_decidable(request.user, decision)
        return render(request, "decisions/draft_confirm.html", _draft_summary(decision))
    try:
        decision = services.decide_draft(request.user, decision)
    except services.OutsideDelegation as error:
        messages.error(request, error.message)
        return redirect("decisions:decision", decision.pk)
    messages.success(request, f"Beslut {decision.reference} är fattat.")
    return redirect("decisions:decision", decision.pk)


# A service's refusal, by its code, on the field it is about (docs/forms.md).
DISPATCH_ERROR_FIELDS = {
    "bad_channel": "channel",
    "bad_date": "sent_on",
    "before_decision": "sent_on",
    "bad_received": "received_on",
}
APPEAL_ERROR_FIELDS = {
    "bad_date": "received_on",
    "before_decision": "received_on",
    "bad_basis": "basis",
}


def _refuse_in_form(form, error: DomainError, fields: dict[str, str] | None = None) -> None:
    """A service's refusal on the form that sent it: on the field named for its code, else on
    the whole form (the summary). Refused permissions and not-found go on to the error page."""
    if isinstance(error, (PermissionRefused, NotFound)):
        raise error
    field = (fields or {}).get(error.code)
    form.add_error(field if field in form.fields else None, error.message)


def _applicant_of(case):
    """The applicant named on a confirmation: today's, or the one when the case opened."""
    return case.household.applicant_on(timezone.localdate()) or case.household.applicant_on(
        case.opened_on
    )


def _draft_summary(decision) -> dict:
    """What the confirmation of a draft decision shows: case, person, month, amount, outcome."""
    case = decision.case
    application = decision.application
    applicant = _applicant_of(case)
    return {
        "decision": decision,
        "case": case,
        "application": application,
        "applicant": applicant,
        "lines": list(decision.lines.all()),
        "outcome_label": decision.get_outcome_display() if decision.outcome else "",
    }


@login_required
@require_POST
@handle_domain_errors
def return_referral_view(request, decision_id: int):
    decision = selectors.open_decision(request.user, decision_id, what="return_referral")
    services.return_referral(request.user, decision, request.POST.get("note", ""))
    messages.success(request, "Beslutet är återsänt.")
    return redirect("decisions:overview")


@login_required
@require_POST
@handle_domain_errors
def refer_prepared_view(request, decision_id: int):
    decision = selectors.open_decision(request.user, decision_id, what="refer_prepared")
    target = User.objects.filter(pk=request.POST.get("referred_to") or 0).first()
    if target is None:
        raise DomainError("referral_target_required", "Välj vem beslutet ska skickas till.")
    services.refer_prepared_decision(
        request.user, decision, referred_to=target, note=request.POST.get("note", "")
    )
    messages.success(request, f"Beslutet är skickat till {target}.")
    return redirect("decisions:decision", decision.pk)


# --- Appeals -------------------------------------------------------------------------------


@login_required
@require_POST
@handle_domain_errors
def register_appeal_view(request, decision_id: int):
    decision = selectors.open_decision(request.user, decision_id, what="appeal_register")
    form = AppealForm(request.POST, prefix="appeal")
    appeal = None
    if form.is_valid():
        try:
            appeal = services.register_appeal(
                request.user,
                decision,
                received_on=form.cleaned_data["received_on"],
                decision_received_on=form.cleaned_data.get("decision_received_on"),
                basis=form.cleaned_data["basis"],
                text=form.cleaned_data.get("text", ""),
            )
        except DomainError as error:
            _refuse_in_form(form, error, APPEAL_ERROR_FIELDS)
    if appeal is None:
        return _decision_detail(request, decision, appeal_form=form)
    if appeal.in_time is False:
        messages.warning(
            request,
            f"Överklagandet kom in för sent (sista dag var {appeal.appeal_deadline:%Y-%m-%d}).",
        )
    else:
        messages.success(request, "Överklagandet är registrerat. Ompröva beslutet.")
    return redirect("decisions:appeal", appeal.pk)


@login_required
@handle_domain_errors
def appeal_view(request, appeal_id: int):
    appeal = selectors.open_appeal(request.user, appeal_id)
    return _appeal_page(request, appeal)


# The appeal page's forms, each with its own prefix (they share field names such as `note`).
APPEAL_FORM_PREFIXES = {
    "reconsider_form": "recon",
    "forward_form": "fwd",
    "court_form": "court",
}


def _appeal_page(request, appeal, refused: tuple[str, object] | None = None):
    """The appeal page; `refused` (context name, bound form) comes back with its errors at
    the fields and the typed values kept."""
    forms = {
        "reconsider_form": ReconsiderForm,
        "forward_form": ForwardForm,
        "court_form": CourtOutcomeForm,
    }
    context = {
        name: form_class(prefix=APPEAL_FORM_PREFIXES[name]) for name, form_class in forms.items()
    }
    errors = []
    if refused is not None:
        context[refused[0]] = refused[1]
        errors = error_summary(refused[1])
    return render(
        request,
        "decisions/appeal.html",
        context
        | {
            "appeal": appeal,
            "case": appeal.case,
            "decision": appeal.decision,
            "refused": refused[0] if refused else "",
            "form_errors": errors,
            "can_handle": can(request.user, "handle_appeal"),
            "today": timezone.localdate(),
        },
        status=REFUSED_STATUS if refused is not None else 200,
    )


def _appeal_action(request, appeal_id: int, form_class, act, success: str, name: str = ""):
    appeal = selectors.open_appeal(request.user, appeal_id)
    prefix = APPEAL_FORM_PREFIXES.get(name)
    form = form_class(request.POST, prefix=prefix) if form_class else None
    if form is not None:
        if form.is_valid():
            try:
                act(appeal, form.cleaned_data)
            except DomainError as error:
                _refuse_in_form(form, error)
        if form.errors:
            return _appeal_page(request, appeal, refused=(name, form))
    else:
        act(appeal, {})
    messages.success(request, success)
    return redirect("decisions:appeal", appeal.pk)


@login_required
@require_POST
@handle_domain_errors
def appeal_reconsider_view(request, appeal_id: int):
    return _appeal_action(
        request, appeal_id, ReconsiderForm,
        lambda appeal, data: services.record_reconsideration(
            request.user, appeal, result=data["result"], note=data.get("note", "")
        ),
        "Omprövningen är registrerad.", "reconsider_form",
    )  # fmt: skip


@login_required
@require_POST
@handle_domain_errors
def appeal_forward_view(request, appeal_id: int):
    return _appeal_action(
        request, appeal_id, ForwardForm,
        lambda appeal, data: services.forward_appeal(
            request.user, appeal, opinion=data["opinion"], court=data.get("court", ""),
            forwarded_on=data.get("forwarded_on"),
        ),
        "Överklagandet är överlämnat till förvaltningsrätten.", "forward_form",
    )  # fmt: skip


@login_required
@require_POST
@handle_domain_errors
def appeal_dismiss_view(request, appeal_id: int):
    return _appeal_action(
        request, appeal_id, NoteForm if request.POST.get("note") else None,
        lambda appeal, data: services.dismiss_late_appeal(
            request.user, appeal, reason=data.get("note", "")
        ),
        "Överklagandet är avvisat som för sent inkommet.",
    )  # fmt: skip


@login_required
@require_POST
@handle_domain_errors
def appeal_court_view(request, appeal_id: int):
    return _appeal_action(
        request, appeal_id, CourtOutcomeForm,
        lambda appeal, data: services.record_court_outcome(
            request.user, appeal, outcome=data["outcome"], decided_on=data["decided_on"],
            case_number=data.get("case_number", ""), note=data.get("note", ""),
        ),
        "Domstolens avgörande är registrerat.", "court_form",
    )  # fmt: skip


@login_required
@require_POST
@handle_domain_errors
def appeal_withdraw_view(request, appeal_id: int):
    return _appeal_action(
        request, appeal_id, None,
        lambda appeal, data: services.withdraw_appeal(
            request.user, appeal, note=request.POST.get("note", "")
        ),
        "Överklagandet är registrerat som återkallat.",
    )  # fmt: skip


# --- Heads: overview, review queue ---------------------------------------------------------


@login_required
@handle_domain_errors
def overview_view(request):
    """The head's page: decisions to make, appeal deadlines, decision times, review queue."""
    require(request.user, "view_decision_overview")
    # *Att besluta* is a work list (docs/worklists.md): one COUNT and one page of rows.
    page = work_list(
        request,
        selectors.referrals_for(request.user).order_by(),
        ReferralFilter,
        sorts=REFERRAL_SORTS,
        default_sort="referred",
    )
    attach_applicants(decision.case.household for decision in page.rows)
    log_case_list_read(request.user, "decision_referrals", [d.case for d in page.rows])
    if wants_list_only(request):  # htmx asks for the list only: the other cards are not read
        return render_work_list(
            request, "decisions/overview.html", "decisions/_referral_rows.html", {"page": page}
        )
    today = timezone.localdate()
    since = month_start(today)
    previous_since = add_months(since, -1)
    return render_work_list(
        request,
        "decisions/overview.html",
        "decisions/_referral_rows.html",
        {
            "page": page,
            "referrals": page.rows,
            "deadlines": selectors.appeal_deadlines(request.user, today),
            "times": selectors.decision_times_by_section(request.user, since=since, until=today),
            "previous_times": selectors.decision_times_by_section(
                request.user, since=previous_since, until=since - dt.timedelta(days=1)
            ),
            "since": since,
            "previous_since": previous_since,
            "reviews": selectors.review_queue(request.user)
            if can(request.user, "review_automatic")
            else [],
            "target_days": selectors.DECISION_TARGET_DAYS,
            "today": today,
        },
    )


@login_required
@handle_domain_errors
def review_view(request, review_id: int):
    require(request.user, "review_automatic")
    review = AutomaticDecisionReview.objects.filter(pk=review_id).first()
    if review is None:
        raise NotFound("review_not_found", "Granskningen finns inte.")
    if request.method == "POST":
        form = ReviewForm(request.POST, auto_id=f"review{review.pk}_%s")
        if form.is_valid():
            try:
                services.review_automatic_decision(
                    request.user,
                    review,
                    result=form.cleaned_data["result"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as refusal:
                if refusal.code not in REVIEW_ERROR_FIELDS:
                    raise  # no access, not found: not about the form
                # Already reviewed: for the whole form, in the summary, with who reviewed it.
                form.add_error(REVIEW_ERROR_FIELDS[refusal.code], refusal.message)
            else:
                messages.success(request, "Granskningen är registrerad.")
                return redirect("decisions:overview")
        # Refused: the review form again, its errors at the fields and the values kept, on a
        # page of its own (the overview's row has no room for them). Only for a case the
        # user may open, as the page names the decision.
        case = Case.objects.get(pk=review.decision.case_id)
        if not can_open_case(request.user, case):
            raise PermissionRefused(
                "case_access_denied",
                "Du har inte behörighet till det här ärendet.",
                case_id=case.pk,
                log_case_id=case.pk,
            )
        review.refresh_from_db()
        return render(
            request,
            "decisions/review.html",
            {"review": review, "form": form, "form_errors": error_summary(form)},
            status=REFUSED_STATUS,
        )
    return redirect("decisions:decision", review.decision_id)


# A refusal of review_automatic_decision, by its code, on its field (docs/forms.md).
REVIEW_ERROR_FIELDS = {"bad_result": "result", "note_required": "note", "already_reviewed": None}


# --- Repeat applications ------------------------------------------------------------------


@login_required
@handle_domain_errors
def batch_view(request):
    """The month's undecided repeat applications, a page at a time, each assessed: whether it
    qualifies for a prepared decision and why not. Running the batch (POST) assesses the whole
    month and prepares (or, where the unit allows it, decides) every one that qualifies."""
    require(request.user, "run_decision_batch")
    user = request.user
    if request.method == "POST":
        form = MonthForm(request.GET or {"month": f"{timezone.localdate():%Y-%m}"})
        month = form.cleaned_data["month"] if form.is_valid() else month_start(timezone.localdate())
        report = services.run_decide_batch(user, month, dry_run=False)
        made = [row for row in report.rows if row.decision is not None]
        automatic = sum(1 for row in made if row.decision.automatic)
        messages.success(
            request,
            f"{len(report.rows)} ansökningar bedömda: {len(made) - automatic} beslut förberedda, "
            f"{automatic} automatiska beslut fattade"
            + (f", {len(report.sampled)} lagda för granskning." if report.sampled else "."),
        )
        return redirect(reverse("decisions:batch") + f"?month={month:%Y-%m}")
    sections = list(
        Section.objects.filter(unit_id=user.unit_id, cases__in=cases_visible_to(user))
        .distinct()
        .order_by("name")
    )
    page = work_list(
        request,
        Application.objects.filter(
            kind=ApplicationKind.REPEAT,
            status__in=UNDECIDED_STATUSES,
            case__in=cases_visible_to(user),
        ).select_related("case__household", "case__section", "case__unit", "case__handler"),
        BatchFilter,
        sorts=BATCH_SORTS,
        default_sort="section",
        form_kwargs={"sections": sections, "unit_id": user.unit_id},
    )
    month = page.form.chosen_month()
    rows = [
        services.BatchRow(application, assessment)
        for application, assessment in zip(page.rows, repeat.assess_many(page.rows), strict=True)
    ]
    attach_applicants(application.case.household for application in page.rows)
    log_case_list_read(
        user,
        "decision_batch",
        [application.case for application in page.rows],
        month=f"{month:%Y-%m}",
        **({"list": page.params} if page.params else {}),
    )
    return render_work_list(
        request,
        "decisions/batch.html",
        "decisions/_batch_rows.html",
        {"page": page, "rows": rows, "month": month},
    )


# --- Settings (system administrator) ------------------------------------------------------


@login_required
@handle_domain_errors
def guidelines_view(request):
    """The unit's guideline ceilings with their state; a second person verifies drafts."""
    user = request.user
    if not (
        decision_can(user, "manage_decision_settings")
        or organisation_can(user, "maintain_rules")
        or user.role == "unit_head"
    ):
        require(user, "manage_decision_settings")
    if user.unit_id is None:
        raise DomainError("no_unit", "Du är inte placerad på någon enhet.")
    if request.method == "POST":
        row = LocalGuideline.objects.filter(
            pk=request.POST.get("guideline") or 0, unit_id=user.unit_id
        ).first()
        if row is None:
            raise NotFound("guideline_not_found", "Riktlinjerna finns inte.")
        services.verify_local_guidelines(user, row)
        messages.success(request, f"{row} är verifierade och gäller från {row.valid_from}.")
        return redirect("decisions:guidelines")
    rows = list(
        LocalGuideline.objects.filter(unit_id=user.unit_id).select_related(
            "created_by", "verified_by"
        )
    )
    return render(
        request,
        "decisions/guidelines.html",
        {
            "rows": [(row, services.may_verify_guidelines(user, row)) for row in rows],
            "unit": user.unit,
        },
    )


@login_required
@handle_domain_errors
def settings_view(request):
    require(request.user, "manage_decision_settings")
    unit = request.user.unit
    if unit is None:
        raise DomainError("no_unit", "Du är inte placerad på någon enhet.")
    current = services.current_decision_settings(unit.pk)
    guideline_form = GuidelineForm(prefix="g")
    rule_form = DelegationRuleForm(prefix="d")
    settings_form = DecisionSettingsForm(
        prefix="s",
        initial={
            "automatic_repeat_decisions": current.automatic_repeat_decisions,
            "cost_tolerance_percent": current.cost_tolerance_percent,
            "cost_tolerance_amount": current.cost_tolerance_amount,
            "income_tolerance_percent": current.income_tolerance_percent,
            "income_tolerance_amount": current.income_tolerance_amount,
            "review_sample_size": current.review_sample_size,
        },
    )
    if request.method == "POST":
        what = request.POST.get("what")
        try:
            if what == "guideline":
                guideline_form = GuidelineForm(request.POST, prefix="g")
                if guideline_form.is_valid():
                    data = guideline_form.cleaned_data
                    services.set_local_guidelines(
                        request.user, unit, valid_from=data["valid_from"], name=data["name"],
                        rent_ceilings=data["rent_ceilings"], note=data["note"],
                    )  # fmt: skip
                    messages.success(
                        request,
                        "Nya riktlinjer är sparade som utkast; de gäller när en annan person "
                        "har verifierat dem (Riktlinjer). De tidigare finns kvar som historik.",
                    )
                    return redirect("decisions:settings")
            elif what == "rule":
                rule_form = DelegationRuleForm(request.POST, prefix="d")
                if rule_form.is_valid():
                    services.add_delegation_rule(request.user, unit, **rule_form.cleaned_data)
                    messages.success(request, "Delegationspunkten är tillagd.")
                    return redirect("decisions:settings")
            elif what == "retire":
                rule = DelegationRule.objects.filter(
                    pk=request.POST.get("rule") or 0, unit=unit
                ).first()
                if rule is None:
                    raise NotFound("rule_not_found", "Delegationspunkten finns inte.")
                services.retire_delegation_rule(request.user, rule)
                messages.success(request, "Delegationspunkten är avslutad.")
                return redirect("decisions:settings")
            elif what == "seed":
                created = services.ensure_default_delegation(unit, request.user)
                messages.success(request, f"{created} delegationspunkter lades till.")
                return redirect("decisions:settings")
            elif what == "settings":
                settings_form = DecisionSettingsForm(request.POST, prefix="s")
                if settings_form.is_valid():
                    services.change_decision_settings(
                        request.user, unit, **settings_form.cleaned_data
                    )
                    messages.success(request, "Inställningarna är sparade.")
                    return redirect("decisions:settings")
            else:
                messages.error(request, "Okänd åtgärd.")
        except PermissionRefused:
            raise
        except DomainError as error:
            form = {"guideline": guideline_form, "rule": rule_form, "settings": settings_form}.get(
                what
            )
            if form is None or not form.is_bound:
                messages.error(request, error.message)
            else:
                field = SETTINGS_ERROR_FIELDS.get(error.code)
                form.add_error(field if field in form.fields else None, error.message)
    refused = next(
        (
            (what, form)
            for what, form in (
                ("guideline", guideline_form),
                ("rule", rule_form),
                ("settings", settings_form),
            )
            if form.is_bound and form.errors
        ),
        ("", None),
    )
    return render(
        request,
        "decisions/settings.html",
        {
            "unit": unit,
            "guidelines": LocalGuideline.objects.filter(unit=unit).select_related("created_by"),
            "rules": DelegationRule.objects.filter(unit=unit).order_by(
                "retired_at", "point", "kind", "role"
            ),
            "history": DecisionSettings.objects.filter(unit=unit).select_related("created_by")[:20],
            "current": current,
            "guideline_form": guideline_form,
            "rule_form": rule_form,
            "settings_form": settings_form,
            "refused": refused[0],
            "form_errors": error_summary(refused[1]) if refused[1] is not None else [],
        },
        status=REFUSED_STATUS if refused[1] is not None else 200,
    )


# A refusal of the settings services, by its code, on its field (docs/forms.md).
SETTINGS_ERROR_FIELDS = {
    "valid_from_required": "valid_from",
    "bad_cost_type": "rent_ceilings",
    "point_required": "point",
    "bad_kind": "kind",
    "bad_role": "role",
    "bad_sample": "review_sample_size",
    "sample_required": "review_sample_size",
}
