"""JSON API for register checks (/api/v1/register-checks/). Thin: writes call
controls.services; reads open the case through cases.selectors (checked and logged), and a
check on a case the reader may not open answers as one that does not exist.

Wire with `register(router)` from bistand/api_urls.py.
"""

from __future__ import annotations

import re

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from bistand.cases.models import Application
from bistand.cases.selectors import open_case
from bistand.core.dates import parse_month
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.core.serializers import limit_texts
from bistand.households.models import Person

from . import rules, services
from .models import MANUAL_SOURCES, REGISTER_SOURCES, Assessment, RegisterCheck

ID_PATTERN = r"\d{1,18}"
CHECK_NOT_FOUND = "Kontrollen finns inte eller så saknar du behörighet."
CASE_NOT_FOUND = "Ärendet finns inte eller så saknar du behörighet."
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _validated(serializer_class, data) -> dict:
    serializer = limit_texts(serializer_class(data=data))
    if not serializer.is_valid():
        lines = []
        for field, errors in serializer.errors.items():
            for error in errors if isinstance(errors, list) else [errors]:
                lines.append(f"{field}: {error}")
        raise DomainError("invalid", "; ".join(lines))
    return serializer.validated_data


def _open_case(user, case_id, *, what: str):
    try:
        return open_case(user, int(case_id), what=what)
    except (TypeError, ValueError, OverflowError):
        raise NotFound("case_not_found", CASE_NOT_FOUND)
    except PermissionRefused as refusal:
        if refusal.code != "case_access_denied":
            raise
        raise NotFound("not_found", CASE_NOT_FOUND)


def _check(user, pk, *, what: str) -> RegisterCheck:
    case_id = RegisterCheck.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound("not_found", CHECK_NOT_FOUND)
    try:
        open_case(user, case_id, what=what)
    except PermissionRefused as refusal:
        if refusal.code != "case_access_denied":
            raise
        raise NotFound("not_found", CHECK_NOT_FOUND)
    return RegisterCheck.objects.select_related("person", "checked_by", "assessed_by").get(pk=pk)


@extend_schema_field(
    {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "example": "2026-11"}
)
class MonthField(serializers.Field):
    """A month as "YYYY-MM" in, the month's first day out."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or len(data) != 7 or not MONTH.match(data):
            raise serializers.ValidationError("Ange månaden som ÅÅÅÅ-MM.")
        try:
            return parse_month(data)  # also refuses a year outside what the system holds
        except ValueError:
            raise serializers.ValidationError("Ange en månad inom ett rimligt årtal.") from None

    def to_representation(self, value):
        return f"{value:%Y-%m}"


class RegisterCheckSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    checked_by = serializers.CharField(source="checked_by.username", read_only=True)
    assessed_by = serializers.CharField(source="assessed_by.username", read_only=True, default=None)

    class Meta:
        model = RegisterCheck
        fields = [
            "id", "case", "application", "person", "person_name", "source", "channel",
            "period_start", "period_end", "request_id", "answer", "answer_sha256", "summary",
            "comparison", "discrepancy", "checked_by", "checked_at", "assessment",
            "assessment_note", "assessed_by", "assessed_at",
        ]  # fmt: skip
        read_only_fields = fields


class _CheckInput(serializers.Serializer):
    case = serializers.IntegerField(min_value=1)
    person = serializers.IntegerField(min_value=1)
    period_from = MonthField()
    period_to = MonthField()
    application = serializers.IntegerField(min_value=1, required=False)


class RegisterCheckInput(_CheckInput):
    source = serializers.ChoiceField(choices=[s.value for s in REGISTER_SOURCES])


class ManualCheckInput(_CheckInput):
    source = serializers.ChoiceField(choices=[s.value for s in MANUAL_SOURCES])
    found = serializers.CharField(max_length=400)
    stated = serializers.CharField(max_length=200, required=False, allow_blank=True)
    discrepancy = serializers.BooleanField()
    assessment = serializers.ChoiceField(choices=Assessment.choices)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class AssessInput(serializers.Serializer):
    assessment = serializers.ChoiceField(choices=Assessment.choices)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


def _inputs(user, data: dict):
    case = _open_case(user, data["case"], what="register_check")
    person = Person.objects.filter(pk=data["person"]).first()
    if person is None:
        raise DomainError("not_in_household", "Personen hör inte till ärendets hushåll.")
    application = None
    if data.get("application"):
        application = Application.objects.filter(pk=data["application"], case=case).first()
        if application is None:
            raise DomainError("wrong_application", "Ansökan hör inte till ärendet.")
    return case, person, application


CASE_PARAMETER = OpenApiParameter("case", int, description="the case's checks (logged)")


class RegisterCheckViewSet(viewsets.GenericViewSet):
    """Register checks on cases the user may open."""

    queryset = RegisterCheck.objects.none()
    serializer_class = RegisterCheckSerializer
    lookup_value_regex = ID_PATTERN
    # One case's rows (or the caller's open appeals): a bare list, declared so (no limit/offset).
    pagination_class = None

    @extend_schema(summary="The checks of one case (?case=, required)", parameters=[CASE_PARAMETER])
    def list(self, request: Request) -> Response:
        case_id = request.query_params.get("case", "")
        if not case_id.isdigit():
            raise DomainError("case_required", "case: ange ett ärendenummer (id).")
        case = _open_case(request.user, case_id, what="register_checks")
        checks = RegisterCheck.objects.filter(case=case).select_related(
            "person", "checked_by", "assessed_by"
        )
        return Response(RegisterCheckSerializer(checks, many=True).data)

    @extend_schema(summary="One check with its validated answer (logged)")
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(RegisterCheckSerializer(_check(request.user, pk, what="check")).data)

    @extend_schema(
        summary="Ask a register through the SSBTEK adapter and store the answer",
        request=RegisterCheckInput,
        responses={201: RegisterCheckSerializer},
    )
    def create(self, request: Request) -> Response:
        data = _validated(RegisterCheckInput, request.data)
        case, person, application = _inputs(request.user, data)
        check = services.request_check(
            request.user, case, person=person, source=data["source"],
            period_from=data["period_from"], period_to=data["period_to"], application=application,
        )  # fmt: skip
        return Response(RegisterCheckSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record a document read by hand (bank statement, landlord's confirmation)",
        request=ManualCheckInput,
        responses={201: RegisterCheckSerializer},
    )
    @action(detail=False, methods=["post"])
    def manual(self, request: Request) -> Response:
        data = _validated(ManualCheckInput, request.data)
        case, person, application = _inputs(request.user, data)
        check = services.record_manual_check(
            request.user, case, person=person, source=data["source"],
            period_from=data["period_from"], period_to=data["period_to"], found=data["found"],
            stated=data.get("stated", ""), discrepancy=data["discrepancy"],
            assessment=data["assessment"], note=data.get("note", ""), application=application,
        )  # fmt: skip
        return Response(RegisterCheckSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Assess a check (once)", request=AssessInput)
    @action(detail=True, methods=["post"])
    def assess(self, request: Request, pk: str) -> Response:
        check = _check(request.user, pk, what="assess_check")
        data = _validated(AssessInput, request.data)
        check = services.assess_check(
            request.user, check, assessment=data["assessment"], note=data.get("note", "")
        )
        return Response(RegisterCheckSerializer(check).data)

    @extend_schema(
        summary="Whether an application's decision has its required checks (?application=)",
        parameters=[OpenApiParameter("application", int)],
    )
    @action(detail=False, methods=["get"])
    def status(self, request: Request) -> Response:
        application_id = request.query_params.get("application", "")
        if not application_id.isdigit() or len(application_id) > 18:
            raise DomainError("application_required", "application: ange ansökans id.")
        case_id = (
            Application.objects.filter(pk=int(application_id))
            .values_list("case_id", flat=True)
            .first()
        )
        if case_id is None:
            raise NotFound("not_found", "Ansökan finns inte eller så saknar du behörighet.")
        _open_case(request.user, case_id, what="register_check_status")
        application = Application.objects.select_related("case").get(pk=int(application_id))
        answer = rules.status_for(application)
        return Response(
            {
                "application": application.pk,
                "ok": answer.ok,
                "message": answer.message,
                "missing": [need.label for need in answer.missing],
                "unassessed": [c.pk for c in answer.unassessed],
                "checks": [c.pk for c in answer.checks],
                "sources": answer.sources,
            }
        )


def register(router) -> None:
    router.register("register-checks", RegisterCheckViewSet, basename="register-check")
    from .sample_api import register as register_sample_review

    register_sample_review(router)
    from .recovery_api import register as register_recovery

    register_recovery(router)
