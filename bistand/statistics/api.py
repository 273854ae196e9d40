"""The statistics JSON API: the same figures as the pages and `bistand stats`.

Plain DRF APIViews, mounted by the project under /api/v1/statistics/:

    # bistand/api_urls.py
    urlpatterns = [*router.urls, path("statistics/", include("bistand.statistics.api"))]

    GET  month/?month=YYYY-MM (or from=&to=) [&section=&handler=&case_type=&household_type=&age_band=]
    GET  year/?year=YYYY [&filters]
    GET  long-term/?year=YYYY [&filters]
    GET  national-report/?month=YYYY-MM     validation only (counts and problems)
    POST national-report/ {"month": "YYYY-MM"}  the file (text/csv), logged; 400 with problems
    POST refresh/ {"month": "YYYY-MM"} or {"from": ..., "to": ...}  (unit head)
    GET  outcomes/?month=YYYY-MM (or from=&to=)  outcomes per handler and section
    GET  risk-groups/                        the risk-group work lists and their counts
    GET  risk-groups/<group>/?limit=&offset= [&q=&section=&handler=&case_type=&plan=]
                                             one list's open cases (logged, as the page)

The JSON layouts are documented in docs/statistics.md. Access as for the pages (access.py).
"""

from __future__ import annotations

from django.db.models import F
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from bistand.cases.selectors import log_case_list_read, with_protection
from bistand.core.api import json_object
from bistand.core.dates import add_months, month_start, parse_month
from bistand.core.errors import DomainError, NotFound
from bistand.core.parsers import JSONParser
from bistand.households.selectors import attach_applicants

from . import national_report as national
from . import risk_groups as risk
from .access import (
    require_export_access,
    require_refresh_access,
    require_statistics_access,
    scoped_filters,
)
from .birth_country import BIRTH_COUNTRY_TEXTS, household_birth_country
from .figures import long_term_block, month_figures, read_session
from .outcomes import outcomes
from .periods import month_key
from .refresh import refresh_months
from .suppression import for_json
from .views import filters_from, period_from, protected, year_from
from .views_risk import RiskGroupFilter
from .yearly import year_figures

FILTER_PARAMETERS = [
    OpenApiParameter("section", OpenApiTypes.INT, description="Sektionens id"),
    OpenApiParameter("handler", OpenApiTypes.INT, description="Handläggarens id"),
    OpenApiParameter("case_type", OpenApiTypes.STR, enum=["A", "B", "C"]),
    OpenApiParameter(
        "household_type", OpenApiTypes.INT, description="Socialstyrelsens hushållstyp (1, 3-9)"
    ),
    OpenApiParameter(
        "age_band",
        OpenApiTypes.STR,
        enum=["0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65-"],
    ),
]
SUPPRESS_PARAMETER = OpenApiParameter(
    "suppress",
    OpenApiTypes.STR,
    enum=["1"],
    description="1: dölj små antal (under 5) även för enhetschefen, t.ex. för publicering",
)
MONTH_PARAMETERS = [
    OpenApiParameter("month", OpenApiTypes.STR, description="ÅÅÅÅ-MM (standard: förra månaden)"),
    OpenApiParameter("from", OpenApiTypes.STR, description="Periodens första månad, ÅÅÅÅ-MM"),
    OpenApiParameter("to", OpenApiTypes.STR, description="Periodens sista månad, ÅÅÅÅ-MM"),
]
YEAR_PARAMETERS = [OpenApiParameter("year", OpenApiTypes.INT, description="Kalenderår")]


class MonthFiguresView(APIView):
    @extend_schema(
        operation_id="statistics_month",
        parameters=[*MONTH_PARAMETERS, *FILTER_PARAMETERS, SUPPRESS_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        description="Alla månadsuppföljningens siffror (layout bistand.statistics.month/1).",
    )
    def get(self, request):
        require_statistics_access(request.user)
        today = timezone.localdate()
        period = period_from(request.query_params, today)
        filters = scoped_filters(request.user, filters_from(request.query_params))
        figures = month_figures(request.user.unit, period, filters, today=today)
        return Response(for_json(protected(request, figures)))


class YearFiguresView(APIView):
    @extend_schema(
        operation_id="statistics_year",
        parameters=[*YEAR_PARAMETERS, *FILTER_PARAMETERS, SUPPRESS_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        description="Årsanalysens siffror jämförda med föregående år (bistand.statistics.year/1).",
    )
    def get(self, request):
        require_statistics_access(request.user)
        today = timezone.localdate()
        year = year_from(request.query_params, today)
        filters = scoped_filters(request.user, filters_from(request.query_params))
        figures = year_figures(request.user.unit, year, filters, today=today)
        return Response(for_json(protected(request, figures)))


class LongTermView(APIView):
    @extend_schema(
        operation_id="statistics_long_term",
        parameters=[*YEAR_PARAMETERS, *FILTER_PARAMETERS, SUPPRESS_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        description="Långvarigt ekonomiskt bistånd ett kalenderår (Socialstyrelsens definition).",
    )
    def get(self, request):
        require_statistics_access(request.user)
        today = timezone.localdate()
        year = year_from(request.query_params, today)
        filters = scoped_filters(request.user, filters_from(request.query_params))
        with read_session():
            block = long_term_block(request.user.unit, year, filters, today=today)
        block = protected(request, block)
        return Response(
            for_json(
                {"layout": "bistand.statistics.long_term/1", "filters": filters.as_dict(), **block}
            )
        )


def _month_of(value: str | None) -> object:
    today = timezone.localdate()
    try:
        return parse_month(value) if value else add_months(month_start(today), -1)
    except (ValueError, TypeError):
        raise DomainError("bad_month", "Ange månaden som ÅÅÅÅ-MM.") from None


def _report_json(report) -> dict:
    return {
        "month": month_key(report.month),
        "layout": national.LAYOUT_VERSION,
        "valid": report.valid,
        **report.counts(),
        "problems": [
            {"row": p.row, "case": p.household, "field": p.field, "message": p.message}
            for p in report.problems
        ],
    }


class NationalReportView(APIView):
    # The POST bodies are JSON objects; form bodies (which would parse to nothing and fall back
    # to the defaults) are refused with 415 (also in json_object).
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="statistics_national_report_check",
        parameters=[OpenApiParameter("month", OpenApiTypes.STR, description="ÅÅÅÅ-MM")],
        responses={200: OpenApiTypes.OBJECT},
        description="Kontrollerar månadens individuppgifter till Socialstyrelsen (loggas inte).",
    )
    def get(self, request):
        require_export_access(request.user)
        month = _month_of(request.query_params.get("month"))
        report = national.prepare(request.user.unit, month, today=timezone.localdate())
        return Response(_report_json(report))

    @extend_schema(
        operation_id="statistics_national_report_export",
        request=OpenApiTypes.OBJECT,
        responses={(200, "text/csv"): OpenApiTypes.STR, 400: OpenApiTypes.OBJECT},
        description="Tar ut filen (CSV) efter kontroll; uttaget loggas. Fel ger 400 med listan.",
    )
    def post(self, request):
        # Who may take the file out is asked before the body is read: a refused role gets 403
        # whatever it sent, never 415 or 400.
        require_export_access(request.user)
        month = _month_of(json_object(request, json_only=True).get("month"))
        try:
            report, content = national.export_national_report(
                request.user, month, today=timezone.localdate()
            )
        except national.NationalReportInvalid as invalid:
            return Response(
                {
                    "error": {"code": invalid.code, "message": invalid.message},
                    **_report_json(invalid.report),
                },
                status=400,
            )
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
        return response


class RefreshView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="statistics_refresh",
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT},
        description="Beräknar om sammanställningarna för en månad eller period (enhetschef).",
    )
    def post(self, request):
        require_refresh_access(request.user)
        period = period_from(json_object(request, json_only=True), timezone.localdate())
        result = refresh_months(period.months)
        return Response(
            {
                "months": [month_key(m) for m in result.months],
                "carried_forward": [month_key(m) for m in result.cascaded],
                "years": result.years,
                "households": result.households,
                "recipients": result.recipients,
                "seconds": round(result.seconds, 3),
            }
        )


RISK_FILTER_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Namn, personnummer eller ärendenummer"),
    OpenApiParameter("section", OpenApiTypes.INT, description="Sektionens id (enhetschef)"),
    OpenApiParameter(
        "handler", OpenApiTypes.STR, description="Handläggarens id, eller none för ej tilldelade"
    ),
    OpenApiParameter("case_type", OpenApiTypes.STR, enum=["A", "B", "C", "none"]),
    OpenApiParameter(
        "plan", OpenApiTypes.STR, enum=["missing", "overdue"], description="Bara listan utan plan"
    ),
    OpenApiParameter("limit", OpenApiTypes.INT, description="Rader per sida (högst 100)"),
    OpenApiParameter("offset", OpenApiTypes.INT, description="Hoppa över så många rader"),
]
RISK_LIMIT = 25
RISK_MAX_LIMIT = 100


def _count_param(params, name: str, default: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    if not (value.isascii() and value.isdigit()):
        raise DomainError("bad_page", f"Parametern {name} ska vara ett heltal, noll eller större.")
    return int(value)


class RiskGroupsView(APIView):
    @extend_schema(
        operation_id="statistics_risk_groups",
        responses={200: OpenApiTypes.OBJECT},
        description="Riskgruppernas arbetslistor och antal öppna ärenden i varje.",
    )
    def get(self, request):
        require_statistics_access(request.user)
        today = timezone.localdate()
        month = risk.reference_month(today)
        counts = risk.risk_group_counts(request.user, month, today)
        return Response(
            {
                "layout": "bistand.statistics.risk_groups/1",
                "as_of": today.isoformat(),
                "reference_month": month_key(month) if month else None,
                "groups": [
                    {"key": g.key, "title": str(g.title), "count": counts[g.key]}
                    for g in risk.RISK_GROUPS
                ],
            }
        )


class RiskGroupView(APIView):
    @extend_schema(
        operation_id="statistics_risk_group",
        parameters=[
            OpenApiParameter(
                "group", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(risk.BY_KEY)
            ),
            *RISK_FILTER_PARAMETERS,
        ],
        responses={200: OpenApiTypes.OBJECT},
        description="En riskgrupps öppna ärenden med handläggare och nästa steg (loggas).",
    )
    def get(self, request, group: str):
        require_statistics_access(request.user)
        risk_group = risk.BY_KEY.get(group)
        if risk_group is None:
            raise NotFound("risk_group_not_found", "Riskgruppen finns inte.")
        today = timezone.localdate()
        params = request.query_params
        limit = min(_count_param(params, "limit", RISK_LIMIT), RISK_MAX_LIMIT) or RISK_LIMIT
        offset = _count_param(params, "offset", 0)
        form = RiskGroupFilter(params, user=request.user, group=risk_group, today=today)
        if not form.is_valid():
            name, errors = next(iter(form.errors.items()))
            label = form.fields[name].label if name in form.fields else name
            raise DomainError("bad_filter", f"{label}: {' '.join(errors)}")
        active = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        month = risk.reference_month(today)
        cases = form.filter_queryset(
            with_protection(risk.risk_group_cases(request.user, risk_group, month, today)),
            active,
        )
        count = cases.count()
        rows = list(
            cases.order_by(F("months_in_row").desc(nulls_last=True), "pk")[offset : offset + limit]
        )
        attach_applicants(case.household for case in rows)
        ages = risk.young_adult_ages([case.pk for case in rows], month)
        born_abroad = household_birth_country(rows, today)
        log_case_list_read(
            request.user,
            f"risk_group:{risk_group.key}",
            rows,
            list={k: str(v) for k, v in params.items()},
        )
        return Response(
            {
                "layout": "bistand.statistics.risk_group/1",
                "group": risk_group.key,
                "title": str(risk_group.title),
                "as_of": today.isoformat(),
                "reference_month": month_key(month) if month else None,
                "count": count,
                "limit": limit,
                "offset": offset,
                "results": [
                    {
                        **_risk_row(case, ages, today),
                        "birth_country": {
                            "born_abroad": born_abroad.get(case.pk),
                            "text": str(BIRTH_COUNTRY_TEXTS[born_abroad.get(case.pk)]),
                        },
                    }
                    for case in rows
                ],
            }
        )


def _risk_row(case, ages: dict, today) -> dict:
    applicant = case.household.applicant_on(today) if case.household_id else None
    state, text = risk.next_step(case, today)
    return {
        "case_id": case.pk,
        "case_number": case.reference,
        "applicant": applicant.full_name if applicant else None,
        "handler": (
            {"id": case.handler_id, "name": case.handler.get_full_name() or case.handler.username}
            if case.handler_id
            else None
        ),
        "section": {"id": case.section_id, "name": case.section.name} if case.section_id else None,
        "case_type": case.case_type or None,
        "months_in_row": case.months_in_row,
        "young_adult_ages": ages.get(case.pk, []),
        "next_step": {
            "state": state,
            "text": text,
            "due_on": case.plan_due_on.isoformat() if case.plan_due_on else None,
        },
    }


class OutcomesView(APIView):
    @extend_schema(
        operation_id="statistics_outcomes",
        parameters=MONTH_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT},
        description=(
            "Resultat per handläggare och sektion (bistand.statistics.outcomes/1); antal under 5 "
            "döljs utom i enhetschefens vy av hela enheten."
        ),
    )
    def get(self, request):
        require_statistics_access(request.user)
        today = timezone.localdate()
        period = period_from(request.query_params, today)
        return Response(outcomes(request.user, period, today))


urlpatterns = [
    path("month/", MonthFiguresView.as_view(), name="statistics-month"),
    path("year/", YearFiguresView.as_view(), name="statistics-year"),
    path("long-term/", LongTermView.as_view(), name="statistics-long-term"),
    path("national-report/", NationalReportView.as_view(), name="statistics-national-report"),
    path("refresh/", RefreshView.as_view(), name="statistics-refresh"),
    path("outcomes/", OutcomesView.as_view(), name="statistics-outcomes"),
    path("risk-groups/", RiskGroupsView.as_view(), name="statistics-risk-groups"),
    path("risk-groups/<slug:group>/", RiskGroupView.as_view(), name="statistics-risk-group"),
]
