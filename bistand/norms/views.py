"""The rules pages (Regelverk): norm tables, legal parameters and periods, four-eyes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.core.forms import REFUSED_STATUS, error_summary
from bistand.core.views import handle_domain_errors
from bistand.organisation.models import HEAD_ROLES
from bistand.organisation.permissions import can

from . import services
from .compare import cells, compare
from .forms import (
    ImportForm,
    LegalPeriodForm,
    NormTableForm,
    ParameterForm,
    WithdrawForm,
)
from .jsonfile import load_json
from .models import LegalParameter, LegalPeriod, NormTableVersion, VersionState
from .selectors import corrected_version, previous_verified

KINDS = {"riksnorm": NormTableVersion, "parameter": LegalParameter, "lagperiod": LegalPeriod}


def _require_view(user) -> None:
    if not (can(user, "maintain_rules") or getattr(user, "role", None) in HEAD_ROLES):
        raise PermissionRefused(
            "role_not_permitted", "Din roll får inte se regelverket (riksnorm och lagparametrar)."
        )


def _get(kind: str, pk: int):
    model = KINDS.get(kind)
    row = model.objects.filter(pk=pk).first() if model else None
    if row is None:
        raise NotFound("not_found", "Uppgiften finns inte.")
    return row


def may_verify(user, version) -> bool:
    return (
        version.is_draft
        and can(user, "maintain_rules")
        and user.pk not in (version.editor_ids or [])
        and user.pk != version.entered_by_id
    )


@login_required
@handle_domain_errors
def overview(request):
    _require_view(request.user)
    return _overview_page(request)


def _overview_page(
    request, refused: tuple[str, object] | None = None, row: tuple[str, int] = ("", 0)
):
    """The rules overview; `refused` (context name, bound form) comes back with its errors
    at the fields, the typed values kept and its part of the page opened (docs/forms.md). A
    refused withdraw form is shown in its draft's own row (`row`: kind and id)."""
    norm_versions = list(
        NormTableVersion.objects.select_related("entered_by", "verified_by").order_by(
            "-year", "-revision"
        )
    )
    return render(
        request,
        "norms/overview.html",
        {
            "norm_versions": norm_versions,
            "parameters": LegalParameter.objects.select_related(
                "entered_by", "verified_by"
            ).order_by("code", "-valid_from", "-revision"),
            "periods": LegalPeriod.objects.select_related("entered_by", "verified_by").order_by(
                "-valid_from", "-revision"
            ),
            "drafts": sum(1 for v in norm_versions if v.is_draft),
            "can_maintain": can(request.user, "maintain_rules"),
            "import_form": ImportForm(),
            "parameter_form": ParameterForm(prefix="p"),
            "period_form": LegalPeriodForm(prefix="l"),
            "next_year": (norm_versions[0].year + 1) if norm_versions else 2027,
            "refused": refused[0] if refused else "",
            "refused_kind": row[0],
            "refused_pk": row[1],
            "form_errors": error_summary(refused[1]) if refused else [],
        }
        | ({refused[0]: refused[1]} if refused else {}),
        status=REFUSED_STATUS if refused else 200,
    )


def _initial_from(version: NormTableVersion | None) -> dict:
    if version is None:
        return {}
    initial = {cell.key: cell.amount for cell in cells(version.data)}
    source = (version.sources or [{}])[0] if version.sources else {}
    initial.update(
        year=version.year,
        valid_from=version.valid_from,
        valid_to=version.valid_to,
        source_status=version.source_status,
        sfs=source.get("sfs", ""),
        source_title=source.get("title", "") or source.get("kind", ""),
        source_url=source.get("url", ""),
        source_date=source.get("date") or None,
        note=version.note,
    )
    return initial


@login_required
@handle_domain_errors
def norm_entry(request):
    """Enter a year's riksnorm (or correct one) in the statute's layout."""
    if not can(request.user, "maintain_rules"):
        services.require(request.user, "maintain_rules")
    base = None
    if request.GET.get("corrects", "").isdigit():
        base = _get("riksnorm", int(request.GET["corrects"]))
    year_text = request.GET.get("year", "")
    year = base.year if base else (int(year_text) if year_text.isdigit() else None)
    if year is not None and not 2000 <= year <= 2100:
        raise DomainError("bad_year", "Året ska vara mellan 2000 och 2100.")
    if base is None and year is not None:
        base = (
            NormTableVersion.objects.filter(year=year, state=VersionState.DRAFT).first()
            or NormTableVersion.objects.filter(year=year, state=VersionState.VERIFIED)
            .order_by("-revision")
            .first()
        )
    initial = _initial_from(base)
    if base is None and year is not None:
        initial = {"year": year, "valid_from": f"{year}-01-01", "valid_to": f"{year}-12-31"}
    form = NormTableForm(request.POST or None, initial=initial)
    previous_year = None
    if year is not None:
        previous_year = (
            NormTableVersion.objects.filter(year__lt=year, state=VersionState.VERIFIED)
            .order_by("-year", "-revision")
            .first()
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.enter_norm_table(
                request.user,
                year=data["year"],
                data={
                    **_table(form, base),
                    "valid_from": data["valid_from"].isoformat(),
                    "valid_to": data["valid_to"].isoformat(),
                },
                source_status=data["source_status"],
                sources=form.sources(),
                note=data["note"],
            )
        except (PermissionRefused, NotFound):
            raise
        except DomainError as error:
            field = NORM_TABLE_ERROR_FIELDS.get(error.code)
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                f"Riksnormen {version.year} är sparad som utkast. En annan person ska nu "
                "granska och verifiera den innan den gäller.",
            )
            return redirect("norms:norm_detail", version.pk)
    previous = {
        cell.key: cell.amount for cell in cells(previous_year.data if previous_year else None)
    }
    return render(
        request,
        "norms/norm_entry.html",
        {
            "form": form,
            "rows": form.cell_rows(previous),
            "previous_year": previous_year,
            "base": base,
            "form_errors": error_summary(form) if form.is_bound else [],
        },
        status=REFUSED_STATUS if form.is_bound else 200,
    )


def _table(form: NormTableForm, base: NormTableVersion | None) -> dict:
    from .compare import table_data

    kept = {}
    if base is not None:
        kept = {
            k: v
            for k, v in base.data.items()
            if k in ("uprating_percent_vs_previous_year", "totals_including_common_costs")
        }
    return table_data(form.amounts(), kept)


@login_required
@handle_domain_errors
def norm_detail(request, pk: int):
    _require_view(request.user)
    return _norm_detail_page(request, _get("riksnorm", pk))


def _norm_detail_page(request, version, withdraw_form=None):
    """A norm table's page; a refused withdraw form comes back bound, its error at the reason
    and in the summary, status 400 (docs/forms.md)."""
    previous = previous_verified(version)
    corrected = corrected_version(version)
    rows = compare(version.data, previous.data if previous else None)
    return render(
        request,
        "norms/norm_detail.html",
        {
            "version": version,
            "previous": previous,
            "corrected": corrected,
            "corrected_amounts": {c.key: c.amount for c in cells(corrected.data)}
            if corrected
            else {},
            "rows": rows,
            "flagged": sum(1 for r in rows if r.flagged),
            "may_verify": may_verify(request.user, version),
            "can_maintain": can(request.user, "maintain_rules"),
            "withdraw_form": withdraw_form or WithdrawForm(auto_id="withdraw_%s"),
            "form_errors": error_summary(withdraw_form),
        },
        status=REFUSED_STATUS if withdraw_form is not None else 200,
    )


@login_required
@require_POST
@handle_domain_errors
def verify(request, kind: str, pk: int):
    version = _get(kind, pk)
    services.verify_version(request.user, version)
    messages.success(request, f"{version} är verifierad och gäller från {version.valid_from}.")
    return redirect(_back(kind, version))


@login_required
@require_POST
@handle_domain_errors
def withdraw(request, kind: str, pk: int):
    """Withdraw a draft. A refused reason comes back at the field: the table's page, or the
    overview with the form bound in the draft's own row (docs/forms.md)."""
    version = _get(kind, pk)
    form = WithdrawForm(request.POST, auto_id=_withdraw_id(kind, version.pk))
    if form.is_valid():
        try:
            services.withdraw_draft(request.user, version, form.cleaned_data["reason"])
        except DomainError as refusal:
            if refusal.code not in WITHDRAW_ERROR_FIELDS:
                raise  # not a draft, no permission: not about the reason
            form.add_error(WITHDRAW_ERROR_FIELDS[refusal.code], refusal.message)
        else:
            messages.success(
                request, _("Utkastet %(version)s är återkallat.") % {"version": version}
            )
            return redirect(_back(kind, version))
    services.require(request.user, "maintain_rules")
    if kind == "riksnorm":
        return _norm_detail_page(request, version, withdraw_form=form)
    return _overview_page(request, refused=("withdraw_form", form), row=(kind, version.pk))


def _withdraw_id(kind: str, pk: int) -> str:
    return "withdraw_%s" if kind == "riksnorm" else f"withdraw-{kind}-{pk}_%s"


# A refusal of withdraw_draft, by its code, on its field.
WITHDRAW_ERROR_FIELDS = {"reason_required": "reason", "too_long": "reason"}


def _back(kind: str, version) -> str:
    if kind == "riksnorm":
        return reverse("norms:norm_detail", args=[version.pk])
    return reverse("norms:overview")


@login_required
@require_POST
@handle_domain_errors
def import_file(request):
    """Import norm tables from a JSON file as drafts. A refused file (none chosen, too large,
    not JSON, not the riksnorm layout) comes back at the file field of the overview, status
    400; nothing is stored (docs/forms.md)."""
    services.require(request.user, "maintain_rules")
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            data = load_json(form.cleaned_data["file"].read())
            created = services.import_norm_file(request.user, data)
        except DomainError as refusal:
            if isinstance(refusal, PermissionRefused | NotFound):
                raise
            form.add_error("file", refusal.message)
        else:
            messages.success(
                request,
                _(
                    "%(count)s tabell(er) importerade som utkast: %(years)s. En annan person ska "
                    "granska och verifiera dem."
                )
                % {"count": len(created), "years": ", ".join(str(v.year) for v in created)},
            )
            if len(created) == 1:
                return redirect("norms:norm_detail", created[0].pk)
            return redirect("norms:overview")
    return _overview_page(request, refused=("import_form", form))


def _enter_from_form(request, form_class, prefix: str, enter, message: str, name: str):
    """A posted draft (parameter or legal period): validate, call the service, go back; a
    refusal shows the overview again with the form bound (`name` in its context)."""
    services.require(request.user, "maintain_rules")
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            enter(request.user, **form.service_kwargs())
        except DomainError as error:
            if isinstance(error, PermissionRefused | NotFound):
                raise
            field = NORM_ERROR_FIELDS.get(error.code)
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, message)
            return redirect("norms:overview")
    return _overview_page(request, refused=(name, form))


# A refusal of enter_norm_table, by its code, on its field.
NORM_TABLE_ERROR_FIELDS = {
    "bad_validity": "valid_to",
    "bad_year": "year",
    "bad_source_status": "source_status",
    "overlapping_tables": "valid_from",
}


# A refusal of enter_parameter / enter_legal_period, by its code, on its field.
NORM_ERROR_FIELDS = {
    "bad_validity": "valid_to",
    "valid_from_required": "valid_from",
    "bad_value": "value",
    "bad_code": "code",
    "bad_parameter": "code",
    "bad_source_status": "source_status",
}


@login_required
@require_POST
@handle_domain_errors
def parameter_entry(request):
    return _enter_from_form(
        request, ParameterForm, "p", services.enter_parameter,
        "Värdet är sparat som utkast; en annan person ska verifiera det.", "parameter_form",
    )  # fmt: skip


@login_required
@require_POST
@handle_domain_errors
def period_entry(request):
    return _enter_from_form(
        request, LegalPeriodForm, "l", services.enter_legal_period,
        "Lagperioden är sparad som utkast; en annan person ska verifiera den.", "period_form",
    )  # fmt: skip
