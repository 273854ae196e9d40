"""Pages of the FUT queue and fraud investigations (/kontroll/fut/...). Thin: controls.fut
checks who may see what, logs every read and does every act."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from bistand.core.errors import DomainError
from bistand.core.forms import Form
from bistand.core.views import handle_domain_errors

from . import fut
from .models import (
    ControlRule,
    FlagStatus,
    FraudReportKind,
    InvestigationOutcome,
    InvestigationStatus,
)


class DismissForm(Form):
    reason = forms.CharField(label="Skäl till att flaggan skrivs av", widget=forms.Textarea)


class SuspicionForm(Form):
    suspicion = forms.CharField(label="Misstanke", widget=forms.Textarea)


class NoteForm(Form):
    text = forms.CharField(label="Anteckning", widget=forms.Textarea)


class OutcomeForm(Form):
    outcome = forms.ChoiceField(label="Utfall", choices=InvestigationOutcome.choices)
    note = forms.CharField(label="Motivering", widget=forms.Textarea)


class ReportForm(Form):
    kind = forms.ChoiceField(label="Handling", choices=FraudReportKind.choices)
    sent_on = forms.DateField(label="Skickad (ÅÅÅÅ-MM-DD)")
    recipient = forms.CharField(label="Mottagare", max_length=200)
    reference = forms.CharField(label="Mottagarens diarienummer", max_length=100, required=False)
    summary = forms.CharField(label="Innehåll i korthet", widget=forms.Textarea)


class RunForm(Form):
    run_on = forms.DateField(label="Per dag (ÅÅÅÅ-MM-DD)")


def _form_error(form) -> DomainError:
    lines = [f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}".lstrip(": ")
             for f, e in form.errors.items()]  # fmt: skip
    return DomainError("invalid", "; ".join(lines))


@login_required
@handle_domain_errors
def queue_view(request):
    status = request.GET.get("status", FlagStatus.OPEN)
    if status not in FlagStatus.values:
        status = FlagStatus.OPEN
    rule = request.GET.get("rule", "")
    if rule not in ControlRule.values:
        rule = ""
    flags = fut.flags_for(request.user, status=status, rule=rule or None)
    return render(
        request,
        "controls/fut_queue.html",
        {
            "flags": flags[:300],
            "count": flags.count(),
            "status": status,
            "rule": rule,
            "statuses": FlagStatus.choices,
            "rules": ControlRule.choices,
            "runs": fut.runs_for(request.user)[:10],
            "run_form": RunForm(initial={"run_on": timezone.localdate()}),
            # The controller reads the list; opening a flag and every act are FUT's.
            "may_act": fut.is_fut(request.user),
        },
    )


@login_required
@require_POST
@handle_domain_errors
def run_view(request):
    fut.require_fut(request.user)
    form = RunForm(request.POST)
    if not form.is_valid():
        raise _form_error(form)
    run = fut.start_run(request.user, form.cleaned_data["run_on"])
    messages.success(
        request,
        f"Kontrollkörningen är klar: {sum(run.found.values())} träffar, "
        f"{run.new_flags} nya flaggor.",
    )
    return redirect("controls:fut_queue")


@login_required
@handle_domain_errors
def flag_view(request, flag_id: int):
    flag = fut.open_flag(request.user, flag_id)
    investigation = getattr(flag, "investigation", None)
    return render(
        request,
        "controls/fut_flag.html",
        {
            "flag": flag,
            "investigation": investigation,
            "dismiss_form": DismissForm(),
            "suspicion_form": SuspicionForm(initial={"suspicion": flag.summary}),
        },
    )


@login_required
@require_POST
@handle_domain_errors
def dismiss_view(request, flag_id: int):
    flag = fut.open_flag(request.user, flag_id, what="dismiss")
    form = DismissForm(request.POST)
    if not form.is_valid():
        raise DomainError("reason_required", "Ange skälet till att flaggan skrivs av.")
    fut.dismiss_flag(request.user, flag, reason=form.cleaned_data["reason"])
    messages.success(request, "Flaggan är avskriven.")
    return redirect("controls:fut_queue")


@login_required
@require_POST
@handle_domain_errors
def investigate_view(request, flag_id: int):
    flag = fut.open_flag(request.user, flag_id, what="start_investigation")
    form = SuspicionForm(request.POST)
    if not form.is_valid():
        raise _form_error(form)
    investigation = fut.start_investigation(
        request.user, flag=flag, suspicion=form.cleaned_data["suspicion"]
    )
    messages.success(request, f"Utredningen {investigation.reference} är öppnad.")
    return redirect("controls:fut_investigation", investigation_id=investigation.pk)


@login_required
@handle_domain_errors
def investigations_view(request):
    status = request.GET.get("status", "")
    if status not in InvestigationStatus.values:
        status = ""
    investigations = fut.investigations_for(request.user, status=status or None)
    return render(
        request,
        "controls/fut_investigations.html",
        {
            "investigations": investigations[:300],
            "status": status,
            "statuses": InvestigationStatus.choices,
        },
    )


@login_required
@handle_domain_errors
def investigation_view(request, investigation_id: int):
    investigation = fut.open_investigation(request.user, investigation_id)
    can_write = fut.is_fut(request.user) and investigation.status == InvestigationStatus.OPEN
    return render(
        request,
        "controls/fut_investigation.html",
        {
            "investigation": investigation,
            "notes": investigation.notes.select_related("written_by"),
            "reports": investigation.reports.select_related("recorded_by"),
            "can_write": can_write,
            "note_form": NoteForm(),
            "outcome_form": OutcomeForm(),
            "report_form": ReportForm(initial={"sent_on": timezone.localdate()}),
        },
    )


def _investigation_act(request, investigation_id: int, form_class, what: str):
    fut.require_fut(request.user)
    investigation = fut.open_investigation(request.user, investigation_id, what=what)
    form = form_class(request.POST)
    if not form.is_valid():
        raise _form_error(form)
    return investigation, form.cleaned_data


@login_required
@require_POST
@handle_domain_errors
def note_view(request, investigation_id: int):
    investigation, data = _investigation_act(request, investigation_id, NoteForm, "add_note")
    fut.add_note(request.user, investigation, text=data["text"])
    messages.success(request, "Anteckningen är sparad.")
    return redirect("controls:fut_investigation", investigation_id=investigation.pk)


@login_required
@require_POST
@handle_domain_errors
def report_view(request, investigation_id: int):
    investigation, data = _investigation_act(request, investigation_id, ReportForm, "report")
    fut.record_report(request.user, investigation, **data)
    messages.success(request, "Handlingen är registrerad.")
    return redirect("controls:fut_investigation", investigation_id=investigation.pk)


@login_required
@require_POST
@handle_domain_errors
def outcome_view(request, investigation_id: int):
    investigation, data = _investigation_act(request, investigation_id, OutcomeForm, "close")
    fut.close_investigation(request.user, investigation, outcome=data["outcome"], note=data["note"])
    messages.success(request, "Utfallet är sparat och utredningen avslutad.")
    return redirect("controls:fut_investigation", investigation_id=investigation.pk)
