"""Pages of the sample review (stickprov) and the review queue. Thin: services do the work,
selectors scope the reads; every page that shows case data writes the access-log rows."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.core.dates import add_months, month_start
from bistand.core.errors import DomainError, NotFound
from bistand.core.views import handle_domain_errors

from . import sample_selectors as selectors
from . import sample_services as services
from . import sampling
from .permissions import can, require
from .sample_checklist import checklist_in_force, latest_checklist, points_of, set_checklist
from .sample_forms import (
    ActionForm,
    AssignForm,
    ChecklistForm,
    CloseActionForm,
    DrawForm,
    RedrawForm,
    ReviewForm,
    SignoffForm,
    SizeForm,
)
from .sample_models import ActionStatus, Finding, SampleDraw, SampleItem
from .sample_report import render_report_pdf
from .selectors import checks_of_decision


def _form_error(form) -> DomainError:
    lines = [f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}".lstrip(": ")
             for f, e in form.errors.items()]  # fmt: skip
    return DomainError("invalid", "Uppgifterna kunde inte sparas: " + "; ".join(lines))


@login_required
@handle_domain_errors
def samples_view(request):
    """The unit head's page: the draws, a new draw, the sample size, the open actions."""
    require(request.user, "draw_sample")
    unit_id = request.user.unit_id
    if request.method == "POST":
        form = DrawForm(request.POST, unit_id=unit_id)
        if not form.is_valid():
            raise _form_error(form)
        data = form.cleaned_data
        draw = services.draw_sample(request.user, request.user.unit, data["month"],
                                    seed=data["seed"], size=data["size"],
                                    reviewer=data["reviewer"])  # fmt: skip
        messages.success(request, f"Stickprovet för {draw.month:%Y-%m} är draget.")
        return redirect("controls:sample", draw.pk)
    last_month = add_months(month_start(timezone.localdate()), -1)
    actions = list(selectors.actions_of_unit(request.user).filter(status=ActionStatus.OPEN))
    return render(request, "controls/samples.html", {
        "draws": selectors.draws_of_unit(request.user)[:36],
        "form": DrawForm(unit_id=unit_id, initial={"month": f"{last_month:%Y-%m}"}),
        "size": services.sample_size_for(request.user.unit) if request.user.unit else None,
        "size_form": SizeForm(),
        "checklist": latest_checklist(request.user.unit) if request.user.unit else None,
        "checklist_points": checklist_in_force(request.user.unit) if request.user.unit else [],
        "checklist_form": ChecklistForm(initial={"points": "\n".join(
            p["label"] for p in checklist_in_force(request.user.unit))})
        if request.user.unit else None,
        "actions": actions,
        "today": timezone.localdate(),
        "year": timezone.localdate().year,
    })  # fmt: skip


@login_required
@require_POST
@handle_domain_errors
def sample_size_view(request):
    require(request.user, "draw_sample")
    form = SizeForm(request.POST)
    if not form.is_valid():
        raise _form_error(form)
    if request.user.unit is None:
        raise DomainError("no_unit", "Du hör inte till någon enhet.")
    services.set_sample_size(request.user, request.user.unit, size=form.cleaned_data["size"],
                             note=form.cleaned_data["note"])  # fmt: skip
    messages.success(request, "Stickprovets storlek är ändrad.")
    return redirect("controls:samples")


@login_required
@require_POST
@handle_domain_errors
def sample_checklist_view(request):
    """A new version of the unit's checklist (unit head)."""
    require(request.user, "draw_sample")
    form = ChecklistForm(request.POST)
    if not form.is_valid():
        raise _form_error(form)
    version = set_checklist(request.user, request.user.unit, labels=form.cleaned_data["points"],
                            note=form.cleaned_data["note"])  # fmt: skip
    messages.success(request, f"Checklistan är sparad som version {version.number}.")
    return redirect("controls:samples")


@login_required
@handle_domain_errors
def sample_view(request, draw_id: int):
    # Other roles are refused as on the list and in the API (403); another unit's draw, or a
    # missing one, is not found (404).
    require(request.user, "draw_sample")
    draw = selectors.draw_for(request.user, draw_id)
    items = list(draw.items.prefetch_related("findings__actions__owner"))
    services.log_reads(request.user, "sample_draw", items)
    summaries = sampling.decision_summaries([i.decision_id for i in items])
    replaced_by = SampleDraw.objects.filter(replaces=draw).first()
    return render(request, "controls/sample.html", {
        "draw": draw,
        "rows": [
            {"item": i, "decision": summaries.get(i.decision_id),
             "assign_form": _assign_form(draw.unit_id, i)}
            for i in items
        ],
        "verified": services.verify_draw(draw),
        "replaced_by": replaced_by,
        "redraw_form": RedrawForm(unit_id=draw.unit_id),
        "can_redraw": replaced_by is None and not any(i.reviewed for i in items),
    })  # fmt: skip


def _assign_form(unit_id: int, item: SampleItem) -> AssignForm:
    """One form per row (own ids), offering everyone but the one who decided."""
    form = AssignForm(unit_id=unit_id, auto_id=f"id_%s_{item.pk}")
    field = form.fields["reviewer"]
    field.queryset = field.queryset.exclude(pk=item.decided_by_id)
    field.widget.attrs["aria-label"] = "Granskare"
    return form


@login_required
@require_POST
@handle_domain_errors
def redraw_view(request, draw_id: int):
    draw = selectors.draw_for(request.user, draw_id)
    form = RedrawForm(request.POST, unit_id=draw.unit_id)
    if not form.is_valid():
        raise _form_error(form)
    data = form.cleaned_data
    new = services.redraw_sample(request.user, draw, reason=data["reason"], seed=data["seed"],
                                 size=data["size"], reviewer=data["reviewer"])  # fmt: skip
    messages.success(request, "Stickprovet är draget om; det tidigare finns kvar.")
    return redirect("controls:sample", new.pk)


def _item_of_unit(user, item_id: int) -> SampleItem:
    require(user, "draw_sample")
    item = selectors.item_for(user, item_id)
    if item.draw.unit_id != user.unit_id:
        raise NotFound("review_not_found", selectors.ITEM_NOT_FOUND)
    return item


@login_required
@require_POST
@handle_domain_errors
def assign_view(request, item_id: int):
    item = _item_of_unit(request.user, item_id)
    form = AssignForm(request.POST, unit_id=item.draw.unit_id)
    if not form.is_valid():
        raise _form_error(form)
    services.assign_reviewer(request.user, item, form.cleaned_data["reviewer"])
    messages.success(request, "Granskaren är tilldelad.")
    return redirect("controls:sample", item.draw_id)


@login_required
@handle_domain_errors
def review_view(request, item_id: int):
    """The reviewer's page: the decision and the checklist (the unit head may read it)."""
    item = selectors.item_for(request.user, item_id)
    may_review = item.reviewer_id == request.user.pk and not item.reviewed
    points = points_of(item.draw)
    form = ReviewForm(request.POST or None, points=points)
    if request.method == "POST":
        if not may_review:
            raise NotFound("review_not_found", selectors.ITEM_NOT_FOUND)
        if not form.is_valid():
            raise _form_error(form)
        answers, comments = form.answers()
        services.record_review(request.user, item, answers=answers, comments=comments,
                               conclusion=form.cleaned_data["conclusion"])  # fmt: skip
        messages.success(request, "Granskningen är sparad.")
        return redirect("controls:review", item.pk)
    record(request.user, AuditAction.VIEW, obj=item, case_id=item.case_id,
           detail={"what": "sample_review", "decision": item.decision_id})  # fmt: skip
    findings = list(Finding.objects.filter(item=item).prefetch_related("actions__owner"))
    return render(request, "controls/review.html", {
        "item": item,
        "decision": sampling.decision_summaries([item.decision_id]).get(item.decision_id),
        "checks": checks_of_decision(item.decision_id),
        "form": form if may_review else None,
        "answers": [(p, item.answers.get(p["key"]), item.comments.get(p["key"], ""))
                    for p in points],
        "findings": [
            (f, ActionForm(unit_id=item.draw.unit_id, auto_id=f"id_%s_{f.pk}")) for f in findings
        ],
        "may_add_actions": can(request.user, "draw_sample")
        and item.draw.unit_id == request.user.unit_id,
    })  # fmt: skip


@login_required
@require_POST
@handle_domain_errors
def add_action_view(request, finding_id: int):
    require(request.user, "draw_sample")
    finding = (
        Finding.objects.select_related("item__draw")
        .filter(pk=finding_id, item__draw__unit_id=request.user.unit_id)
        .first()
    )
    if finding is None:
        raise NotFound("finding_not_found", "Bristen finns inte eller så saknar du behörighet.")
    form = ActionForm(request.POST, unit_id=finding.item.draw.unit_id)
    if not form.is_valid():
        raise _form_error(form)
    data = form.cleaned_data
    services.add_corrective_action(request.user, finding, description=data["description"],
                                   owner=data["owner"], due_on=data["due_on"])  # fmt: skip
    messages.success(request, "Åtgärden är registrerad.")
    return redirect("controls:review", finding.item_id)


@login_required
@handle_domain_errors
def my_reviews_view(request):
    """A reviewer's assigned reviews and anyone's corrective actions to close."""
    reviews = list(selectors.reviews_assigned_to(request.user))
    actions = list(selectors.actions_owned_by(request.user))
    return render(request, "controls/my_reviews.html", {
        "reviews": reviews, "actions": actions, "today": timezone.localdate(),
    })  # fmt: skip


@login_required
@handle_domain_errors
def action_view(request, action_id: int):
    action = selectors.action_for(request.user, action_id)
    form = CloseActionForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            raise _form_error(form)
        services.close_corrective_action(request.user, action, note=form.cleaned_data["note"])
        messages.success(request, "Åtgärden är avslutad.")
        return redirect("controls:my_reviews")
    return render(request, "controls/action.html", {"action": action, "form": form})


def _since(request) -> dt.date:
    return services.queue_since(request.GET.get("from", ""))


@login_required
@handle_domain_errors
def review_queue_view(request):
    require(request.user, "review_queue")
    if request.method == "POST":
        form = SignoffForm(request.POST)
        if not form.is_valid():
            raise _form_error(form)
        data = form.cleaned_data
        services.sign_off_queue_item(request.user, data["kind"], data["object_id"],
                                     note=data["note"])  # fmt: skip
        messages.success(request, "Posten är granskad och signerad.")
        return redirect("controls:review_queue")
    since = _since(request)
    rows = selectors.queue(request.user, since)
    services.log_reads(request.user, "review_queue", [r["item"] for r in rows])
    return render(request, "controls/review_queue.html", {
        "rows": rows, "since": since,
        "waiting": sum(1 for r in rows if r["signoff"] is None),
    })  # fmt: skip


def _year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise NotFound("bad_year", "Året finns inte i rapporten.")
    return year


@login_required
@handle_domain_errors
def report_view(request, year: int):
    require(request.user, "draw_sample")
    report = selectors.yearly_report(request.user, _year(year))
    services.log_reads(request.user, "sample_report",
                       [f["item"] for f in report["findings"]])  # fmt: skip
    return render(request, "controls/sample_report.html", {"report": report})


@login_required
@handle_domain_errors
def report_pdf_view(request, year: int):
    require(request.user, "draw_sample")
    report = selectors.yearly_report(request.user, _year(year))
    services.log_reads(request.user, "sample_report_pdf",
                       [f["item"] for f in report["findings"]])  # fmt: skip
    record(request.user, AuditAction.DOWNLOAD, object_type="controls.samplereport",
           object_id=f"{request.user.unit_id}:{year}")  # fmt: skip
    response = HttpResponse(render_report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="internkontroll-{year}.pdf"'
    return response
