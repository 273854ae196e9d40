"""Payment pages: thin translations of HTTP into service calls and selector reads.

A refusal by the broken payment chain, or any other rule, comes back as the service's Swedish
message on the page the user acted from; nothing is half-saved (services are transactional).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bistand.audit.models import AuditAction
from bistand.cases.selectors import open_case
from bistand.core.dates import next_working_day, parse_month
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.core.forms import REFUSED_STATUS, error_summary
from bistand.core.views import bad_request_response, refusal_response
from bistand.core.worklist import render_work_list, wants_list_only, work_list
from bistand.decisions.models import DecisionLine

from . import selectors, services
from .forms import (
    BudgetAccountForm,
    BudgetAmountForm,
    ChangeAccountForm,
    ExceptionForm,
    ExportForm,
    ManualPaymentForm,
    OrderForm,
    OrganisationPayeeForm,
    PersonPayeeForm,
    ReasonForm,
    ReportUploadForm,
    RunForm,
    SettingsForm,
)
from .list_filters import (
    ATTEST_SORTS,
    PAYEE_SORTS,
    QUEUE_SORTS,
    QUEUE_STAGES,
    AttestFilter,
    PayeeFilter,
    QueueFilter,
)
from .models import BudgetAccount, BudgetKind, OrderStatus, PaymentMethod, PaymentOrder
from .permissions import can, require


def payment_errors(back: str | None = None):
    """Refusals of role or access -> refusal page; a chain or other rule -> its message on the
    page named by `back` (a URL name taking the view's first argument) or the referer."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except services.ChainRefused as error:
                messages.error(request, error.message)
            except (PermissionRefused, NotFound) as error:
                return refusal_response(request, error, case_id=error.context.get("case_id"))
            except DomainError as error:
                if request.method in ("GET", "HEAD"):
                    return bad_request_response(request, error)
                messages.error(request, error.message)
            if back is not None:
                return redirect(back, *list(kwargs.values())[:1])
            return redirect(request.META.get("HTTP_REFERER") or "payments:index")

        return wrapper

    return decorate


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
def index(request):
    user = request.user
    if can(user, "view_payment_queue") and user.role == "finance":
        return redirect("payments:queue")
    if can(user, "attest_order"):
        return redirect("payments:attest_queue")
    if can(user, "manage_payment_settings"):
        return redirect("payments:settings")
    return refusal_response(
        request,
        PermissionRefused("role_not_permitted", "Din roll har inga uppgifter i utbetalningen."),
    )


# --- Orders ------------------------------------------------------------------------------------


@login_required
@payment_errors()
def attest_queue(request):
    require(request.user, "attest_order")
    page = work_list(
        request,
        selectors.attest_queue_orders(request.user),
        AttestFilter,
        sorts=ATTEST_SORTS,
        default_sort="pay_on",
    )
    # The chain's verdict for the page's rows only, its facts read once for all of them.
    rows = selectors.attest_rows(request.user, page.rows)
    return render_work_list(
        request,
        "payments/attest_queue.html",
        "payments/_attest_rows.html",
        {"rows": rows, "page": page},
    )


@login_required
@payment_errors()
def queue(request):
    """Finance's payment queue as a work list (docs/worklists.md): every order waiting for
    finance (ready for the payment file, held back, rejected by the bank, cash and
    requisitions to record) in one filtered, sorted, paged list, with the figures for the
    whole queue above it. With htmx only the list is read and answered."""
    user = request.user
    page = work_list(
        request, selectors.queue_orders(user), QueueFilter, sorts=QUEUE_SORTS, default_sort="pay_on"
    )
    rows = selectors.queue_rows(user, page.rows)
    context = {"rows": rows, "page": page}
    if not wants_list_only(request):
        summary = selectors.queue_summary(user)
        context |= {
            "summary": summary,
            "stages": [
                (value, label, summary.stages.get(value, 0)) for value, label in QUEUE_STAGES
            ],
            "run_form": RunForm(initial={"payment_date": _next_pay_day()}),
        }
    return render_work_list(request, "payments/queue.html", "payments/_queue_rows.html", context)


def _next_pay_day() -> dt.date:
    return next_working_day(timezone.localdate() + dt.timedelta(days=1))


@login_required
@payment_errors()
def order_detail(request, order_id: int):
    order = selectors.order_for(request.user, order_id)
    return _order_page(request, order)


# The order page's reason and paid forms, each with its own ids (the posted names are plain).
ORDER_FORM_IDS = {
    "paid_form": "paid_%s",
    "reissue_form": "reissue_%s",
    "cancel_form": "cancel_%s",
    "exception_form": "exception_%s",
}


def _order_page(request, order: PaymentOrder, refused: tuple[str, object] | None = None):
    """The order page; `refused` (context name, bound form) comes back with its errors at the
    fields, the typed values kept and its part of the page opened (status 400)."""
    user = request.user
    level = {OrderStatus.REGISTERED: 1, OrderStatus.AWAITING_SECOND: 2}.get(order.status)
    blocked = ""
    if level is not None:
        try:
            services.check_chain(user, order, level)
        except services.ChainRefused as refusal:
            blocked = refusal.message
    held = (
        services.order_is_held(order)
        if order.status
        in (OrderStatus.REGISTERED, OrderStatus.AWAITING_SECOND, OrderStatus.ATTESTED)
        else ""
    )
    role_may_attest = level is not None and (
        can(user, "second_attest")
        if level == 2
        else can(user, "approve_cash")
        if order.method == PaymentMethod.CASH
        else can(user, "attest_order")
    )
    needs_exception = (
        order.status not in (OrderStatus.CANCELLED,)
        and services.payee_outside_household(order)
        and not services.has_payee_exception(order)
    )
    return render(
        request,
        "payments/order.html",
        {
            "order": order,
            "attestations": selectors.attestations_of(order),
            "reconciliations": order.reconciliations.select_related("report").order_by("id"),
            "held": held,
            "payee_exception": getattr(order, "payee_exception", None),
            "needs_exception": needs_exception,
            "may_approve_exception": needs_exception
            and order.status == OrderStatus.REGISTERED
            and can(user, "approve_payee_exception")
            and order.created_by_id != user.pk,
            "may_attest": role_may_attest and not blocked and not held,
            "role_may_attest": role_may_attest,
            "blocked": blocked,
            "level": level,
            "may_cancel": can(user, "cancel_order")
            and order.status
            in (
                OrderStatus.REGISTERED,
                OrderStatus.AWAITING_SECOND,
                OrderStatus.ATTESTED,
                OrderStatus.REJECTED,
            ),
            "may_reissue": can(user, "reissue_order")
            and order.is_bank_payment
            and order.status in (OrderStatus.REJECTED, *_unsent()),
            "may_record_paid": can(user, "record_manual_payment")
            and not order.is_bank_payment
            and order.status == OrderStatus.ATTESTED,
            "reissue_form": ReasonForm(auto_id=ORDER_FORM_IDS["reissue_form"]),
            "cancel_form": ReasonForm(auto_id=ORDER_FORM_IDS["cancel_form"]),
            "exception_form": ExceptionForm(auto_id=ORDER_FORM_IDS["exception_form"]),
            "paid_form": ManualPaymentForm(
                initial={"paid_on": timezone.localdate()}, auto_id=ORDER_FORM_IDS["paid_form"]
            ),
            "refused": refused[0] if refused else "",
            "form_errors": error_summary(refused[1]) if refused else [],
        }
        | ({refused[0]: refused[1]} if refused else {}),
        status=400 if refused else 200,
    )


def _refused_on_order(request, order, name: str, form, error: DomainError | None = None):
    """A refused reason or paid form on the order page; a chain, role or access refusal is
    not a form error and goes on to `payment_errors`."""
    if error is not None:
        if isinstance(error, services.ChainRefused | PermissionRefused | NotFound):
            raise error
        form.add_error(None, error.message)
    return _order_page(request, order, refused=(name, form))


def _unsent():
    return (OrderStatus.REGISTERED, OrderStatus.AWAITING_SECOND, OrderStatus.ATTESTED)


def _order_for_write(request, order_id: int) -> PaymentOrder:
    return selectors.order_for(request.user, order_id, what="payment_order_write")


@login_required
@require_POST
@payment_errors(back="payments:order")
def order_attest(request, order_id: int):
    order = _order_for_write(request, order_id)
    order = services.attest_order(request.user, order)
    if order.status == OrderStatus.AWAITING_SECOND:
        messages.success(
            request,
            _(
                "Attesterad. Beloppet är över beloppsspärren: en sektionschef eller enhetschef "
                "gör den andra attesten."
            ),
        )
    elif order.method == PaymentMethod.REQUISITION:
        messages.success(
            request,
            _("Rekvisition %(number)s är kontrasignerad och giltig.")
            % {"number": order.requisition_number},
        )
    else:
        messages.success(request, _("Utbetalningen är attesterad."))
    return redirect("payments:order", order.pk)


@login_required
@require_POST
@payment_errors(back="payments:order")
def order_exception(request, order_id: int):
    order = _order_for_write(request, order_id)
    form = ExceptionForm(request.POST, auto_id=ORDER_FORM_IDS["exception_form"])
    if not form.is_valid():
        return _refused_on_order(request, order, "exception_form", form)
    try:
        services.approve_payee_exception(request.user, order, reason=form.cleaned_data["reason"])
    except DomainError as error:
        if error.code in ("missing", "too_long", "reason_required"):
            form.add_error("reason", error.message)
            return _refused_on_order(request, order, "exception_form", form)
        raise  # too late, not needed, already approved: the form is no longer shown
    messages.success(
        request,
        _("Undantaget är godkänt och loggat. Utbetalningen kan nu attesteras av någon annan."),
    )
    return redirect("payments:order", order.pk)


@login_required
@require_POST
@payment_errors(back="payments:order")
def order_cancel(request, order_id: int):
    order = _order_for_write(request, order_id)
    form = ReasonForm(request.POST, auto_id=ORDER_FORM_IDS["cancel_form"])
    if not form.is_valid():
        return _refused_on_order(request, order, "cancel_form", form)
    try:
        services.cancel_order(request.user, order, reason=form.cleaned_data["reason"])
    except DomainError as error:
        return _refused_on_order(request, order, "cancel_form", form, error)
    messages.success(request, _("Utbetalningen är makulerad."))
    return redirect("payments:order", order.pk)


@login_required
@require_POST
@payment_errors(back="payments:order")
def order_reissue(request, order_id: int):
    order = _order_for_write(request, order_id)
    form = ReasonForm(request.POST, auto_id=ORDER_FORM_IDS["reissue_form"])
    if not form.is_valid():
        return _refused_on_order(request, order, "reissue_form", form)
    try:
        new = services.reissue_order(request.user, order, reason=form.cleaned_data["reason"])
    except DomainError as error:
        return _refused_on_order(request, order, "reissue_form", form, error)
    messages.success(
        request,
        _("Ny utbetalning %(reference)s registrerad; den ska attesteras.")
        % {"reference": new.reference},
    )
    return redirect("payments:order", new.pk)


@login_required
@require_POST
@payment_errors(back="payments:order")
def order_paid(request, order_id: int):
    order = _order_for_write(request, order_id)
    form = ManualPaymentForm(request.POST, auto_id=ORDER_FORM_IDS["paid_form"])
    if not form.is_valid():
        return _refused_on_order(request, order, "paid_form", form)
    try:
        services.record_manual_payment(
            request.user,
            order,
            paid_on=form.cleaned_data["paid_on"],
            note=form.cleaned_data["note"],
        )
    except DomainError as error:
        if error.code == "paid_in_future":
            form.add_error("paid_on", error.message)
            return _refused_on_order(request, order, "paid_form", form)
        return _refused_on_order(request, order, "paid_form", form, error)
    messages.success(request, _("Utbetalningen är registrerad som utbetald."))
    return redirect("payments:order", order.pk)


@login_required
@payment_errors()
def requisition(request, order_id: int):
    order = selectors.order_for(request.user, order_id, what="requisition")
    if order.method != PaymentMethod.REQUISITION:
        raise NotFound("order_not_found", selectors.ORDER_NOT_FOUND)
    return render(
        request,
        "payments/requisition.html",
        {"order": order, "attestations": selectors.attestations_of(order)},
    )


@login_required
@payment_errors()
def order_new(request, case_id: int):
    require(request.user, "create_order")
    case = open_case(request.user, case_id, action=AuditAction.VIEW, what="payment_order_new")
    lines = selectors.payable_lines(case)
    payees = list(selectors.case_payees(case))
    error = False
    if request.method == "POST":
        form = OrderForm(request.POST, lines=lines, payees=payees)
        if form.is_valid():
            data = form.cleaned_data
            line = DecisionLine.objects.filter(pk=data["line"], decision__case=case).first()
            payee = next((p for p in payees if p.pk == data["payee"]), None)
            try:
                if line is None:
                    raise DomainError("line_not_found", "Välj en beslutsrad i ärendet.")
                order = services.create_payment_order(
                    request.user,
                    line,
                    services.OrderInput(
                        method=data["method"],
                        amount=data["amount"],
                        payee=payee,
                        pay_on=data["pay_on"],
                        due_on=data["due_on"],
                        ocr_reference=data["ocr_reference"],
                        invoice_number=data["invoice_number"],
                        message=data["message"],
                        requisition_supplier=data["requisition_supplier"],
                        requisition_valid_until=data["requisition_valid_until"],
                        cash_reason=data["cash_reason"],
                        note=data["note"],
                        request_payee_exception=data["request_payee_exception"],
                    ),
                )
            except services.ChainRefused as refusal:
                form.add_error(None, refusal.message)
            except DomainError as refusal:
                if isinstance(refusal, PermissionRefused | NotFound):
                    raise
                field = ORDER_ERROR_FIELDS.get(refusal.code)
                form.add_error(field if field in form.fields else None, refusal.message)
            else:
                messages.success(
                    request,
                    _("Utbetalning %(reference)s registrerad; den ska attesteras.")
                    % {"reference": order.reference},
                )
                return redirect("case_detail", case.pk)
        # Refused: the form again with the errors at the fields and every value kept.
        error = bool(form.errors)
    else:
        form = OrderForm(lines=lines, payees=payees, initial={"pay_on": _next_pay_day()})
    return render(
        request,
        "payments/order_new.html",
        {"case": case, "form": form, "lines": lines, "form_errors": error_summary(form)},
        status=400 if error else 200,
    )


# A refusal of create_payment_order, by its code, on the field it is about (docs/forms.md).
ORDER_ERROR_FIELDS = {
    "bad_amount": "amount",
    "over_granted": "amount",
    "line_not_found": "line",
    "line_not_granted": "line",
    "missing_payee": "payee",
    "missing_due_date": "due_on",
    "missing_reference": "ocr_reference",
    "requisition_expired": "requisition_valid_until",
    "bad_method": "method",
    "pay_on_past": "pay_on",
    "payee_without_account": "payee",
}


@login_required
@payment_errors()
def case_export(request, case_id: int):
    case = open_case(request.user, case_id, action=AuditAction.VIEW, what="payment_export")
    data, filename = services.export_case_payments(request.user, case)
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Payees ------------------------------------------------------------------------------------


# A refusal of a payee service, by its code, on the field it is about (docs/forms.md): the
# account checks' codes start with the number they are about.
PAYEE_ERROR_PREFIXES = {
    "clearing_": "clearing",
    "account_": "number",
    "bankgiro_": "number",
    "plusgiro_": "number",
    "orgnr_": "organisation_number",
}
PAYEE_ERROR_FIELDS = {
    "person_not_on_case": "identity_number",
    "payee_exists": "identity_number",
    "person_needs_bank_account": "account_kind",
    "bad_account_kind": "account_kind",
}


def _refuse_payee_form(form, refusal: DomainError, *, missing: str = "") -> None:
    """Put a payee service's refusal on its field (the whole form if none); `missing` names
    the field a "missing"/"too_long" text refusal is about."""
    if isinstance(refusal, PermissionRefused | NotFound):
        raise refusal
    field = PAYEE_ERROR_FIELDS.get(refusal.code)
    for prefix, name in PAYEE_ERROR_PREFIXES.items():
        if refusal.code.startswith(prefix):
            field = name
    if refusal.code in ("missing", "too_long"):
        field = missing or None
    if field == "number" and "account_number" in form.fields:
        field = "account_number"
    form.add_error(field if field in form.fields else None, refusal.message)


@login_required
@payment_errors()
def payees(request):
    user = request.user
    person_form = PersonPayeeForm(prefix="person")
    org_form = OrganisationPayeeForm(prefix="org")
    refused = None
    kind = ""
    if request.method == "POST":
        require(user, "manage_payees")
        kind = "person" if request.POST.get("kind") == "person" else "org"
        if kind == "person":
            person_form = refused = PersonPayeeForm(request.POST, prefix="person")
            register = services.register_person_payee
        else:
            org_form = refused = OrganisationPayeeForm(request.POST, prefix="org")
            register = services.register_organisation_payee
        if refused.is_valid():
            try:
                payee = register(user, **refused.cleaned_data)
            except DomainError as refusal:
                _refuse_payee_form(refused, refusal, missing="name")
            else:
                messages.success(
                    request,
                    _("%(name)s är registrerad i mottagarregistret.") % {"name": payee.name},
                )
                return redirect("payments:payee", payee.pk)
    page = work_list(
        request, selectors.payees_for(user), PayeeFilter, sorts=PAYEE_SORTS, default_sort="name"
    )
    selectors.log_payee_list(user, "payee_list", page.rows)
    response = render_work_list(
        request,
        "payments/payees.html",
        "payments/_payee_rows.html",
        {
            "payees": page.rows,
            "page": page,
            "person_form": person_form,
            "org_form": org_form,
            "refused": kind if refused is not None else "",
            "form_errors": error_summary(refused) if refused is not None else [],
            "may_manage": can(user, "manage_payees"),
        },
    )
    if refused is not None:
        response.status_code = 400
    return response


@login_required
@payment_errors()
def payee_detail(request, payee_id: int):
    user = request.user
    payee = selectors.payee_for(user, payee_id)
    form = ChangeAccountForm()
    if request.method == "POST":
        require(user, "manage_payees")
        form = ChangeAccountForm(request.POST)
        if form.is_valid():
            try:
                services.change_payee_account(user, payee, **form.cleaned_data)
            except DomainError as refusal:
                _refuse_payee_form(form, refusal, missing="reason")
            else:
                messages.success(
                    request, _("Kontot är ändrat; den tidigare uppgiften finns kvar i historiken.")
                )
                return redirect("payments:payee", payee.pk)
    history = list(selectors.account_history(payee))
    full = {}
    if can(user, "view_full_account"):
        full = {account.pk: selectors.full_account_number(user, account) for account in history}
    refused = form.is_bound
    return render(
        request,
        "payments/payee.html",
        {
            "payee": payee,
            "history": [(account, full.get(account.pk, account.masked)) for account in history],
            "form": form,
            "form_errors": error_summary(form) if refused else [],
            "may_manage": can(user, "manage_payees"),
        },
        status=400 if refused else 200,
    )


# --- Runs --------------------------------------------------------------------------------------


@login_required
@payment_errors()
def runs(request):
    user = request.user
    run_list = selectors.runs_for(user)[:100]
    if request.method == "POST":
        form = RunForm(request.POST)
        if not form.is_valid():
            raise DomainError("bad_input", "Ange betalningsdagen.")
        if request.POST.get("confirmed") != "1":
            preview = services.preview_run(user, form.cleaned_data["payment_date"])
            methods = [
                (PaymentMethod(method).label, count)
                for method, count in sorted(preview.by_method.items())
            ]
            return render(
                request, "payments/run_confirm.html", {"preview": preview, "methods": methods}
            )
        result = services.build_run(user, form.cleaned_data["payment_date"])
        messages.success(
            request,
            f"Betalningsfilen {result.run.reference} är byggd och kontrollerad mot schemat: "
            f"{result.run.order_count} utbetalningar, {services.sek(result.run.control_sum)}"
            + (f" ({result.claimed} nya)." if result.claimed else " (inga nya)."),
        )
        return redirect("payments:run", result.run.pk)
    return render(
        request,
        "payments/runs.html",
        {
            "runs": run_list,
            "form": RunForm(initial={"payment_date": _next_pay_day()}),
            "may_manage": can(user, "manage_runs"),
        },
    )


@login_required
@payment_errors()
def run_detail(request, run_id: int):
    run = selectors.run_for(request.user, run_id)
    return _run_page(request, run)


def _run_page(request, run, reason_form=None):
    """The run's page; a refused cancel form comes back bound, its error at the reason, the
    typed text kept and the cancel part opened (status 400)."""
    orders = list(run.orders.select_related("case", "payee").order_by("id")[:200])
    selectors.log_order_list(request.user, "payment_run_orders", orders)
    return render(
        request,
        "payments/run.html",
        {
            "run": run,
            "summary": selectors.run_summary(run),
            "orders": orders,
            "reports": run.reports.select_related("imported_by"),
            "may_manage": can(request.user, "manage_runs"),
            "reason_form": reason_form or ReasonForm(auto_id="cancel_%s"),
            "refused": reason_form is not None,
            "form_errors": error_summary(reason_form) if reason_form is not None else [],
        },
        status=400 if reason_form is not None else 200,
    )


@login_required
@payment_errors(back="payments:run")
def run_file(request, run_id: int):
    run = selectors.run_for(request.user, run_id)
    fd, path = tempfile.mkstemp(prefix="betalningsfil-", suffix=".xml")
    os.close(fd)
    try:
        services.rewrite_run_file(request.user, run, path)
        handle = open(path, "rb")  # noqa: SIM115 (closed by FileResponse)
    finally:
        os.unlink(path)  # the open handle keeps the data until the response is sent
    return FileResponse(
        handle,
        content_type="application/xml",
        as_attachment=True,
        filename=f"{run.message_id}.xml",
    )


@login_required
@require_POST
@payment_errors(back="payments:run")
def run_send(request, run_id: int):
    run = selectors.run_for(request.user, run_id)
    services.mark_run_sent(request.user, run)
    messages.success(request, _("Betalningsfilen är markerad som skickad till banken."))
    return redirect("payments:run", run.pk)


@login_required
@require_POST
@payment_errors(back="payments:run")
def run_cancel(request, run_id: int):
    run = selectors.run_for(request.user, run_id)
    form = ReasonForm(request.POST, auto_id="cancel_%s")
    form.fields["reason"].error_messages["required"] = "Ange skälet till makuleringen."
    if not form.is_valid():
        return _run_page(request, run, form)
    try:
        services.cancel_run(request.user, run, reason=form.cleaned_data["reason"])
    except DomainError as error:
        if error.code not in ("missing", "too_long"):
            raise  # the run's state or the role: not about the field
        form.add_error("reason", error.message)
        return _run_page(request, run, form)
    messages.success(request, _("Betalningsfilen är makulerad; utbetalningarna är tillbaka i kön."))
    return redirect("payments:run", run.pk)


# --- Reconciliation ----------------------------------------------------------------------------


@login_required
@payment_errors()
def reconcile(request):
    """Read in the bank's status report. A refused file (none chosen, too large, not a report
    the bank sends) comes back as the page with the error at the file field and the summary at
    the top, status 400; nothing is stored (docs/forms.md)."""
    user = request.user
    form = ReportUploadForm()
    if request.method == "POST":
        form = ReportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > 200 * 1024 * 1024:
                    raise DomainError("too_large", _("Filen är för stor."))
                result = services.import_status_report(user, upload.read(), filename=upload.name)
            except DomainError as refusal:
                if isinstance(refusal, PermissionRefused | NotFound):
                    raise
                form.add_error("file", refusal.message)
            else:
                report = result.report
                if result.already_imported:
                    messages.info(
                        request,
                        _("Rapporten är redan inläst (%(when)s); inget ändrades.")
                        % {"when": f"{timezone.localtime(report.imported_at):%Y-%m-%d %H:%M}"},
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "Rapporten är inläst: %(paid)s utbetalda, %(rejected)s avvisade, "
                            "%(pending)s väntande."
                        )
                        % {
                            "paid": report.paid_count,
                            "rejected": report.rejected_count,
                            "pending": report.pending_count,
                        },
                    )
                return redirect("payments:reconcile")
    reports = selectors.reports_for(user)[:50]
    return render(
        request,
        "payments/reconcile.html",
        {"reports": reports, "form": form, "form_errors": error_summary(form)},
        status=REFUSED_STATUS if form.is_bound else 200,
    )


# --- Budget and settings -------------------------------------------------------------------


def _budget_year(value: str | None) -> int:
    """The budget year asked for (default this year): from 2000 to ten years ahead."""
    this_year = timezone.localdate().year
    if not value:
        return this_year
    if not (value.isascii() and value.isdigit()) or not 2000 <= int(value) <= this_year + 10:
        raise DomainError("bad_year", f"Ange budgetåret med fyra siffror (2000–{this_year + 10}).")
    return int(value)


@login_required
@payment_errors()
def budget(request):
    """The year's budget. A refused form (new account, yearly budget) comes back bound in the
    page, its errors at the fields and in the summary, status 400 (docs/forms.md)."""
    user = request.user
    year = _budget_year(request.GET.get("year"))
    accounts = BudgetAccount.objects.filter(unit_id=user.unit_id).order_by("kind", "code")
    account_form = BudgetAccountForm(auto_id="account_%s")
    amount_form = BudgetAmountForm(accounts=accounts, initial={"year": year}, auto_id="budget_%s")
    refused = None
    if request.method == "POST":
        require(user, "manage_budget")
        if request.POST.get("form") == "account":
            refused = account_form = BudgetAccountForm(request.POST, auto_id="account_%s")
            if account_form.is_valid():
                try:
                    services.create_budget_account(user, **account_form.cleaned_data)
                except DomainError as refusal:
                    _refuse_budget_form(account_form, refusal, BUDGET_ACCOUNT_ERROR_FIELDS)
                else:
                    messages.success(request, _("Budgetkontot är upplagt."))
                    return redirect(reverse("payments:budget") + f"?year={year}")
        else:
            refused = amount_form = BudgetAmountForm(
                request.POST, accounts=accounts, auto_id="budget_%s"
            )
            if amount_form.is_valid():
                data = amount_form.cleaned_data
                try:
                    services.set_yearly_budget(
                        user,
                        accounts.get(pk=data["account"]),
                        year=data["year"],
                        amount=data["amount"],
                        note=data["note"],
                    )
                except DomainError as refusal:
                    _refuse_budget_form(amount_form, refusal, BUDGET_AMOUNT_ERROR_FIELDS)
                else:
                    messages.success(request, _("Budgeten är sparad."))
                    return redirect(reverse("payments:budget") + f"?year={year}")
    overview = selectors.budget_overview(user, year)
    return render(
        request,
        "payments/budget.html",
        {
            "year": year,
            "assistance": overview[BudgetKind.ASSISTANCE],
            "operating": overview[BudgetKind.OPERATING],
            "account_form": account_form,
            "amount_form": amount_form,
            "refused": "account" if refused is account_form else "amount" if refused else "",
            "form_errors": error_summary(refused),
            "export_form": ExportForm(initial={"month": f"{timezone.localdate():%Y-%m}"}),
            "may_export": can(user, "export_accounting"),
        },
        status=REFUSED_STATUS if refused is not None else 200,
    )


def _refuse_budget_form(form, refusal: DomainError, fields: dict[str, str]) -> None:
    """A service's refusal at its field (by code), or for the whole form; permission and
    not-found refusals are not about the form."""
    if isinstance(refusal, PermissionRefused | NotFound):
        raise refusal
    form.add_error(fields.get(refusal.code), refusal.message)


# Refusals of create_budget_account / set_yearly_budget, by code, at their field.
BUDGET_ACCOUNT_ERROR_FIELDS = {
    "bad_account_code": "code",
    "duplicate_account": "code",
    "bad_kind": "kind",
    "bad_line_kind": "line_kind",
    "missing": "name",
    "too_long": "name",
}
BUDGET_AMOUNT_ERROR_FIELDS = {
    "bad_year": "year",
    "bad_amount": "amount",
    "amount_negative": "amount",
    "amount_too_large": "amount",
    "too_long": "note",
}


@login_required
@payment_errors()
def budget_export(request):
    form = ExportForm(request.GET)
    if not form.is_valid():
        raise DomainError("bad_input", "Ange månad (ÅÅÅÅ-MM) och format.")
    try:
        month = parse_month(form.cleaned_data["month"])
    except ValueError:
        raise DomainError("bad_month", "Ange månaden som ÅÅÅÅ-MM.")
    data, filename, content_type = services.export_accounting(
        request.user, month, form.cleaned_data["format"]
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@payment_errors()
def settings_view(request):
    user = request.user
    require(user, "manage_payment_settings")
    current = services.current_settings(user.unit)
    form = None
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                services.change_payment_settings(user, **form.cleaned_data)
            except DomainError as refusal:
                if isinstance(refusal, PermissionRefused | NotFound):
                    raise
                field = SETTINGS_ERROR_FIELDS.get(refusal.code)
                if refusal.code.startswith("orgnr_"):
                    field = "organisation_number"
                form.add_error(field, refusal.message)
            else:
                messages.success(
                    request, _("Inställningarna är sparade; de tidigare finns kvar i historiken.")
                )
                return redirect("payments:settings")
    if form is None:
        initial = {"bank_ledger_account": "1930"}
        if current is not None:
            initial = {
                field: getattr(current, field)
                for field in SettingsForm.base_fields
                if field != "note"
            }
        form = SettingsForm(initial=initial)
    history = user.unit.payment_settings.select_related("created_by").order_by("-id")[:20]
    return render(
        request,
        "payments/settings.html",
        {
            "form": form,
            "form_errors": error_summary(form) if form.is_bound else [],
            "current": current,
            "history": history,
        },
        status=400 if form.is_bound else 200,
    )


# A refusal of change_payment_settings, by its code, on its field (docs/forms.md).
SETTINGS_ERROR_FIELDS = {
    "bad_amount": "amount_limit",
    "bad_iban": "debtor_iban",
    "bad_bic": "debtor_bic",
    "bad_ledger_account": "bank_ledger_account",
    "bad_party_id": "initiating_party_id",
    "missing": "debtor_name",
    "too_long": "debtor_name",
}
