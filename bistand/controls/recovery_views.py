"""Pages for incorrect payments, recovery claims (återkrav) and the documentation backlog.
Thin: services do the work; every page opens the case through the access rule (logged)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from bistand.audit.models import AuditAction
from bistand.cases.models import CaseStatus
from bistand.cases.selectors import open_case
from bistand.core.errors import DomainError, NotFound
from bistand.core.views import handle_domain_errors

from . import backlog as backlog_service
from . import recovery
from .permissions import can, require
from .recovery_forms import (
    BacklogSettingsForm,
    IncorrectPaymentForm,
    RecoveryForm,
    RepaymentForm,
    WriteOffForm,
)
from .recovery_letter import letter_shows_protected_address, shows_protected_address
from .recovery_models import (
    EntryKind,
    IncorrectPayment,
    PlanKind,
    RecoveryClaim,
    RecoveryEntry,
    WriteOffLetter,
)

PAYMENT_NOT_FOUND = "Posten finns inte eller så saknar du behörighet."
CLAIM_NOT_FOUND = "Återkravet finns inte eller så saknar du behörighet."
LETTER_NOT_FOUND = "Brevet finns inte eller så saknar du behörighet."


def _form_error(form, what: str) -> DomainError:
    lines = [f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}".lstrip(": ")
             for f, e in form.errors.items()]  # fmt: skip
    return DomainError("invalid", f"{what}: " + "; ".join(lines))


# --- Case panel -----------------------------------------------------------------------------


def recovery_panel(request, case) -> dict | None:
    """ "Felaktiga utbetalningar och återkrav" on the case page (the case is already opened)."""
    payments = list(
        IncorrectPayment.objects.filter(case=case).select_related("registered_by", "corrects")
    )
    claims = [
        recovery.claim_status(claim)
        for claim in RecoveryClaim.objects.filter(case=case).select_related("incorrect_payment")
    ]
    may_register = can(request.user, "register_incorrect_payment")
    if not payments and not claims and not may_register:
        return None
    return {
        "title": "Felaktiga utbetalningar och återkrav",
        "template": "controls/_recovery_panel.html",
        "context": {
            "case": case,
            "payments": payments,
            "claims": claims,
            "can_register": may_register and case.status != CaseStatus.CLOSED,
            "form": IncorrectPaymentForm() if may_register else None,
        },
    }


# --- Incorrect payments ---------------------------------------------------------------------


@login_required
@require_POST
@handle_domain_errors
def register_incorrect_payment_view(request, case_id: int):
    require(request.user, "register_incorrect_payment")
    case = open_case(request.user, case_id, what="incorrect_payment")
    form = IncorrectPaymentForm(request.POST)
    if not form.is_valid():
        raise _form_error(form, "Den felaktiga utbetalningen kunde inte registreras")
    corrects = None
    wanted = request.POST.get("corrects", "")
    if wanted.isdigit() and len(wanted) < 19:
        corrects = IncorrectPayment.objects.filter(pk=int(wanted), case=case).first()
        if corrects is None:
            raise NotFound("not_found", PAYMENT_NOT_FOUND)
    data = form.cleaned_data
    payment = recovery.register_incorrect_payment(
        request.user,
        case,
        cause=data["cause"],
        amount=data["amount"],
        period_from=data["period_from"],
        period_to=data["period_to"],
        description=data["description"],
        corrects=corrects,
    )
    messages.success(request, "Den felaktiga utbetalningen är registrerad.")
    return redirect("controls:incorrect_payment", payment.pk)


def _open_payment(user, payment_id: int, *, what: str) -> IncorrectPayment:
    case_id = IncorrectPayment.objects.filter(pk=payment_id).values_list("case_id", flat=True)
    case_id = case_id.first()
    if case_id is None:
        raise NotFound("not_found", PAYMENT_NOT_FOUND)
    open_case(user, case_id, what=what)  # refuses and logs as for the case
    return IncorrectPayment.objects.select_related("case", "registered_by", "corrects").get(
        pk=payment_id
    )


@login_required
@handle_domain_errors
def incorrect_payment_view(request, payment_id: int):
    payment = _open_payment(request.user, payment_id, what="incorrect_payment")
    may_decide = can(request.user, "decide_recovery") and not payment.corrections.exists()
    return render(
        request,
        "controls/incorrect_payment.html",
        {
            "payment": payment,
            "case": payment.case,
            "corrections": list(payment.corrections.all()),
            "claims": [recovery.claim_status(c) for c in payment.recovery_claims.all()],
            "can_decide": may_decide,
            "form": RecoveryForm(initial={"amount": payment.amount}) if may_decide else None,
            "correct_form": IncorrectPaymentForm(
                initial={
                    "cause": payment.cause,
                    "amount": payment.amount,
                    "period_from": f"{payment.period_start:%Y-%m}",
                    "period_to": f"{payment.period_end:%Y-%m}",
                    "description": payment.description,
                }
            )
            if can(request.user, "register_incorrect_payment")
            else None,
        },  # fmt: skip
    )


@login_required
@require_POST
@handle_domain_errors
def decide_recovery_view(request, payment_id: int):
    payment = _open_payment(request.user, payment_id, what="decide_recovery")
    require(request.user, "decide_recovery")
    form = RecoveryForm(request.POST)
    if not form.is_valid():
        raise _form_error(form, "Beslutet kunde inte fattas")
    replaces = None
    wanted = request.POST.get("replaces", "")
    if wanted.isdigit() and len(wanted) < 19:
        replaces = RecoveryClaim.objects.filter(pk=int(wanted), case_id=payment.case_id).first()
        if replaces is None:
            raise NotFound("not_found", CLAIM_NOT_FOUND)
    data = form.cleaned_data
    claim = recovery.decide_recovery(
        request.user,
        payment,
        amount=data["amount"],
        ground=data["ground"],
        reasoning=data["reasoning"],
        plan=data["plan"],
        monthly_amount=data["monthly_amount"],
        first_month=data["first_month"],
        minimum_left=data["minimum_left"],
        consent_on=data["consent_on"],
        replaces=replaces,
    )
    messages.success(request, f"Beslut om återkrav {claim.reference} är fattat.")
    return redirect("controls:claim", claim.pk)


# --- Recovery claims ------------------------------------------------------------------------


def _open_claim(user, claim_id: int, *, what: str, action=AuditAction.VIEW) -> RecoveryClaim:
    case_id = RecoveryClaim.objects.filter(pk=claim_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound("not_found", CLAIM_NOT_FOUND)
    open_case(user, case_id, action=action, what=what)
    return RecoveryClaim.objects.select_related(
        "case", "incorrect_payment", "decided_by", "replaces"
    ).get(pk=claim_id)


@login_required
@handle_domain_errors
def claim_view(request, claim_id: int):
    claim = _open_claim(request.user, claim_id, what="recovery_claim")
    status = recovery.claim_status(claim)
    chain = recovery.chain_ids(claim)
    entries = list(
        claim.entries.model.objects.filter(claim_id__in=chain)
        .select_related("recorded_by")
        .annotate(has_letter=Exists(WriteOffLetter.objects.filter(entry=OuterRef("pk"))))
    )
    active = status.in_force and status.balance > 0
    return render(
        request,
        "controls/claim.html",
        {
            "claim": claim,
            "case": claim.case,
            "status": status,
            "entries": entries,
            "replaced_by": RecoveryClaim.objects.filter(replaces=claim).first(),
            "is_deduction": claim.plan == PlanKind.DEDUCTION,
            "repayment_form": RepaymentForm()
            if active and can(request.user, "record_repayment")
            else None,
            "write_off_form": WriteOffForm()
            if active and can(request.user, "write_off_recovery")
            else None,
            "replace_form": RecoveryForm(
                initial={
                    "amount": claim.amount,
                    "ground": claim.ground,
                    "plan": claim.plan,
                    "monthly_amount": claim.monthly_amount,
                    "first_month": f"{claim.first_month:%Y-%m}",
                    "minimum_left": claim.minimum_left,
                    "consent_on": claim.consent_on,
                    "reasoning": claim.reasoning,
                }
            )
            if status.in_force and can(request.user, "decide_recovery")
            else None,
        },  # fmt: skip
    )


@login_required
@handle_domain_errors
def claim_letter_view(request, claim_id: int):
    claim = _open_claim(request.user, claim_id, what="recovery_letter", action=AuditAction.DOWNLOAD)
    if shows_protected_address(claim):
        raise DomainError(
            "letter_shows_protected_address",
            "Beslutsbrevet om återkrav skrevs innan någon i hushållet fick skyddade "
            "personuppgifter och innehåller adressen, så det kan inte visas. Kontakta "
            "enhetschefen.",
        )
    response = HttpResponse(bytes(claim.letter_pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="aterkrav-{claim.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@handle_domain_errors
def write_off_letter_view(request, write_off_id: int):
    """The letter about a write-off, as stored (a download, logged on the case)."""
    claim_id = (
        RecoveryEntry.objects.filter(pk=write_off_id, kind=EntryKind.WRITE_OFF)
        .values_list("claim_id", flat=True)
        .first()
    )
    if claim_id is None:
        raise NotFound("not_found", LETTER_NOT_FOUND)
    claim = _open_claim(
        request.user, claim_id, what="write_off_letter", action=AuditAction.DOWNLOAD
    )
    letter = WriteOffLetter.objects.filter(entry_id=write_off_id).first()
    if letter is None:  # a write-off recorded before the letters were made
        raise NotFound("not_found", LETTER_NOT_FOUND)
    if letter_shows_protected_address(claim.case.household, letter.pdf):
        raise DomainError(
            "letter_shows_protected_address",
            "Brevet om avskrivning skrevs innan någon i hushållet fick skyddade personuppgifter "
            "och innehåller adressen, så det kan inte visas. Kontakta enhetschefen.",
        )
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="avskrivning-{write_off_id}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
@handle_domain_errors
def repayment_view(request, claim_id: int):
    claim = _open_claim(request.user, claim_id, what="recovery_repayment")
    form = RepaymentForm(request.POST)
    if not form.is_valid():
        raise _form_error(form, "Inbetalningen kunde inte registreras")
    data = form.cleaned_data
    recovery.record_repayment(
        request.user, claim, amount=data["amount"], paid_on=data["paid_on"], note=data["note"]
    )
    messages.success(request, "Inbetalningen är registrerad.")
    return redirect("controls:claim", claim.pk)


@login_required
@require_POST
@handle_domain_errors
def write_off_view(request, claim_id: int):
    claim = _open_claim(request.user, claim_id, what="recovery_write_off")
    form = WriteOffForm(request.POST)
    if not form.is_valid():
        raise _form_error(form, "Avskrivningen kunde inte registreras")
    recovery.write_off(
        request.user, claim, amount=form.cleaned_data["amount"], reason=form.cleaned_data["reason"]
    )
    messages.success(request, "Beslutet om avskrivning är registrerat.")
    return redirect("controls:claim", claim.pk)


# --- Documentation backlog ------------------------------------------------------------------


@login_required
@handle_domain_errors
def backlog_view(request):
    items, summary, limits = backlog_service.backlog(request.user)
    may_configure = can(request.user, "configure_backlog")
    return render(
        request,
        "controls/backlog.html",
        {
            "items": items,
            "summary": summary,
            "limits": limits,
            "form": BacklogSettingsForm(
                initial={
                    "journal_delay_days": limits.journal_delay_days,
                    "decision_target_days": limits.decision_target_days,
                }
            )
            if may_configure
            else None,
        },  # fmt: skip
    )


@login_required
@require_POST
@handle_domain_errors
def backlog_settings_view(request):
    require(request.user, "configure_backlog")
    form = BacklogSettingsForm(request.POST)
    if not form.is_valid():
        raise _form_error(form, "Gränserna kunde inte sparas")
    backlog_service.set_backlog_limits(
        request.user,
        request.user.unit,
        journal_delay_days=form.cleaned_data["journal_delay_days"],
        decision_target_days=form.cleaned_data["decision_target_days"],
        note=form.cleaned_data["note"],
    )
    messages.success(request, "Enhetens gränser för dokumentationsskuld är sparade.")
    return redirect(reverse("controls:backlog"))


def backlog_home_section(request) -> dict | None:
    """On a head's start page: the documentation backlog's size and its five oldest items."""
    if not can(request.user, "view_backlog"):
        return None
    summary = backlog_service.backlog_summary(request.user)
    return {
        "title": "Dokumentationsskuld",
        "template": "controls/_backlog_home.html",
        "context": {"items": summary.oldest, "count": summary.count, "handlers": summary.handlers},
    }


@login_required
@handle_domain_errors
def open_claims_view(request):
    """For heads: open recovery claims of the section (unit), most behind the plan first."""
    require(request.user, "view_backlog")
    return render(
        request, "controls/open_claims.html", {"rows": recovery.open_claims(request.user)}
    )
