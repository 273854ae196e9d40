"""The statistics pages: the monthly dashboard, the yearly analysis, the national report.

Unit and section heads only (access.py). Pages show counts, never individuals, so they are not
access-logged per case; the national-report file is individual-level and its export is logged.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from bistand.cases.models import CaseType
from bistand.core.dates import add_months, month_start, parse_month
from bistand.core.errors import DomainError
from bistand.core.views import handle_domain_errors
from bistand.organisation.models import Role

from . import national_report as national
from .access import (
    Filters,
    allowed_handlers,
    allowed_sections,
    require_export_access,
    require_refresh_access,
    require_statistics_access,
    scoped_filters,
)
from .definitions import AGE_BANDS, HOUSEHOLD_TYPE_BY_CODE, HOUSEHOLD_TYPE_ORDER
from .figures import month_figures
from .periods import Period, month_key, month_label
from .presentation import dashboard_sections, key_figures, year_key_figures, year_sections
from .refresh import refresh_months
from .report_pdf import year_report_pdf
from .suppression import THRESHOLD, figures_for, suppress_figures
from .tables import dashboard_tables, table_csv, tables_xlsx, year_tables
from .yearly import year_figures

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ------------------------------------------------------------------------ request parsing


def _int(value: str | None, what: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DomainError("bad_filter", f"Ogiltigt värde för {what}.") from None


def filters_from(params) -> Filters:
    """Filters from query parameters (the same names in the pages and the API)."""
    case_type = params.get("case_type") or None
    if case_type and case_type not in CaseType.values:
        raise DomainError("bad_filter", "Okänd ärendetyp.")
    household_type = _int(params.get("household_type"), "hushållstyp")
    if household_type is not None and household_type not in HOUSEHOLD_TYPE_BY_CODE:
        raise DomainError("bad_filter", "Okänd hushållstyp.")
    age_band = params.get("age_band") or None
    if age_band and age_band not in {key for key, *_ in AGE_BANDS}:
        raise DomainError("bad_filter", "Okänd åldersgrupp.")
    return Filters(
        section_id=_int(params.get("section"), "sektion"),
        handler_id=_int(params.get("handler"), "handläggare"),
        case_type=case_type,
        household_type=household_type,
        age_band=age_band,
    )


def period_from(params, today: dt.date) -> Period:
    return Period.parse(params.get("month"), params.get("from"), params.get("to"), today)


def year_from(params, today: dt.date) -> int:
    value = params.get("year")
    if not value:
        return today.year - 1 if today.month < 3 else today.year
    try:
        year = int(value)
    except ValueError:
        raise DomainError("bad_year", "Ange året med fyra siffror.") from None
    if not 2000 <= year <= today.year + 1:
        raise DomainError("bad_year", "Året ligger utanför det som finns i systemet.")
    return year


def _filter_context(user, filters: Filters, period: Period | None = None) -> dict:
    return {
        "filters": filters,
        "sections": allowed_sections(user),
        "handlers": allowed_handlers(user),
        "case_types": CaseType.choices,
        "household_types": [
            (code, HOUSEHOLD_TYPE_BY_CODE[code][1]) for code in HOUSEHOLD_TYPE_ORDER
        ],
        "age_bands": [(key, label) for key, _, _, label in AGE_BANDS],
        "section_locked": user.role == Role.SECTION_HEAD,
        "period": period,
    }


def protected(request, figures: dict) -> dict:
    """The figures as the user may take them out: small counts suppressed outside the unit
    head's own view, and for the unit head too when asked (`suppress=1`, files to publish)."""
    if request.GET.get("suppress") == "1":
        return suppress_figures(figures)
    return figures_for(request.user, figures)


def _mark_tables(tables, figures: dict):
    if figures.get("suppression", {}).get("applied"):
        legend = (
            f"'..' = färre än {THRESHOLD}, eller dolt för att det annars kunde räknas fram ur "
            "en summa."
        )
        for table in tables:
            table.note = f"{table.note} {legend}".strip()
    return tables


def _file(content: bytes | str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ------------------------------------------------------------------------------ dashboard


@login_required
@handle_domain_errors
def dashboard(request):
    require_statistics_access(request.user)
    today = timezone.localdate()
    period = period_from(request.GET, today)
    filters = scoped_filters(request.user, filters_from(request.GET))
    figures = protected(request, month_figures(request.user.unit, period, filters, today=today))
    context = {
        **_filter_context(request.user, filters, period),
        "figures": figures,
        "cards": key_figures(figures),
        "page_sections": dashboard_sections(figures),
        "query": request.GET.urlencode(),
        "month_value": month_key(period.end) if period.single else "",
        "from_value": "" if period.single else month_key(period.start),
        "to_value": "" if period.single else month_key(period.end),
        "refreshed_at": dt.datetime.fromisoformat(figures["data"]["refreshed_at"])
        if figures["data"]["refreshed_at"]
        else None,
        "can_refresh": request.user.role == Role.UNIT_HEAD,
        "can_export": request.user.role == Role.UNIT_HEAD,
    }
    template = (
        "statistics/_dashboard_body.html"
        if getattr(request, "htmx", False) and not request.htmx.boosted
        else "statistics/dashboard.html"
    )
    return render(request, template, context)


@login_required
@handle_domain_errors
def dashboard_download(request, key: str, fmt: str):
    require_statistics_access(request.user)
    today = timezone.localdate()
    period = period_from(request.GET, today)
    filters = scoped_filters(request.user, filters_from(request.GET))
    figures = protected(request, month_figures(request.user.unit, period, filters, today=today))
    tables = _mark_tables(dashboard_tables(figures), figures)
    stem = f"statistik-{period.to_dict()['from']}" + (
        "" if period.single else f"-{period.to_dict()['to']}"
    )
    heading = f"{request.user.unit.name}, {period.label}"
    return _table_download(tables, key, fmt, stem, heading)


def _table_download(tables, key: str, fmt: str, stem: str, heading: str) -> HttpResponse:
    if key == "alla":
        if fmt != "xlsx":
            raise Http404
        return _file(tables_xlsx(tables, heading), f"{stem}.xlsx", XLSX)
    table = next((t for t in tables if t.key == key), None)
    if table is None:
        raise Http404
    if fmt == "csv":
        return _file(table_csv(table), f"{stem}-{key}.csv", "text/csv; charset=utf-8")
    if fmt == "xlsx":
        return _file(tables_xlsx([table], heading), f"{stem}-{key}.xlsx", XLSX)
    raise Http404


@login_required
@require_POST
@handle_domain_errors
def refresh(request):
    """The unit head rebuilds the figures of the chosen month(s) now."""
    require_refresh_access(request.user)
    today = timezone.localdate()
    period = period_from(request.POST, today)
    result = refresh_months(period.months)
    messages.success(
        request,
        f"Statistiken för {period.label} är uppdaterad ({result.households} hushållsmånader).",
    )
    query = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken" and v}
    return redirect(f"{reverse('statistics:dashboard')}?{urlencode(query)}")


# ---------------------------------------------------------------------------- yearly report


@login_required
@handle_domain_errors
def year_report(request):
    require_statistics_access(request.user)
    today = timezone.localdate()
    year = year_from(request.GET, today)
    filters = scoped_filters(request.user, filters_from(request.GET))
    figures = protected(request, year_figures(request.user.unit, year, filters, today=today))
    if request.GET.get("format") == "pdf":
        return _file(year_report_pdf(figures), f"arsanalys-{year}.pdf", "application/pdf")
    context = {
        **_filter_context(request.user, filters),
        "figures": figures,
        "year": year,
        "years": list(range(today.year, today.year - 11, -1)),
        "cards": year_key_figures(figures),
        "page_sections": year_sections(figures),
        "query": request.GET.urlencode(),
    }
    return render(request, "statistics/year.html", context)


@login_required
@handle_domain_errors
def year_download(request, key: str, fmt: str):
    require_statistics_access(request.user)
    today = timezone.localdate()
    year = year_from(request.GET, today)
    filters = scoped_filters(request.user, filters_from(request.GET))
    figures = protected(request, year_figures(request.user.unit, year, filters, today=today))
    return _table_download(
        _mark_tables(year_tables(figures), figures),
        key,
        fmt,
        f"arsanalys-{year}",
        f"{request.user.unit.name}, {year}",
    )


# -------------------------------------------------------------------------- national report


@login_required
@handle_domain_errors
def national_report(request):
    """Preview (validation) of the month's file for Socialstyrelsen; POST downloads it."""
    require_export_access(request.user)
    today = timezone.localdate()
    raw = request.POST.get("month") if request.method == "POST" else request.GET.get("month")
    try:
        month = parse_month(raw) if raw else add_months(month_start(today), -1)
    except (ValueError, TypeError):
        raise DomainError("bad_month", "Ange månaden som ÅÅÅÅ-MM.") from None
    if request.method == "POST":
        try:
            report, content = national.export_national_report(request.user, month, today=today)
        except national.NationalReportInvalid as invalid:
            return _national_page(request, invalid.report, status=400, refused=invalid.message)
        return _file(content, report.filename, "text/csv; charset=utf-8")
    report = national.prepare(request.user.unit, month, today=today)
    return _national_page(request, report)


def _national_page(request, report, *, status: int = 200, refused: str = ""):
    return render(
        request,
        "statistics/national_report.html",
        {
            "report": report,
            "month_value": month_key(report.month),
            "month_label": month_label(report.month),
            "counts": report.counts(),
            "problems": report.problems[:500],
            "more_problems": max(len(report.problems) - 500, 0),
            "refused": refused,
            "columns": national.COLUMNS,
            "layout": national.LAYOUT_VERSION,
        },
        status=status,
    )
