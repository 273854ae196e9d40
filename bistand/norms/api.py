"""The rules in the JSON API: /api/v1/norm-tables/ (list, show, import, verify, withdraw),
/api/v1/legal-parameters/ and /api/v1/legal-periods/ (list, show, enter, verify, withdraw). Writes follow the same four-eyes services as the pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.core.serializers import limit_texts
from bistand.organisation.models import HEAD_ROLES
from bistand.organisation.permissions import can

from . import services
from .compare import compare
from .jsonfile import load_json
from .models import LegalParameter, LegalPeriod, NormTableVersion, SourceStatus
from .selectors import previous_verified

ID_PATTERN = r"\d{1,18}"


def _require_view(user) -> None:
    if not (can(user, "maintain_rules") or getattr(user, "role", None) in HEAD_ROLES):
        raise PermissionRefused("role_not_permitted", "Din roll får inte se regelverket.")


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.username}


class NormTableSerializer(serializers.ModelSerializer):
    entered_by = serializers.SerializerMethodField()
    verified_by = serializers.SerializerMethodField()

    class Meta:
        model = NormTableVersion
        fields = [
            "id",
            "year",
            "revision",
            "state",
            "valid_from",
            "valid_to",
            "source_status",
            "sources",
            "note",
            "seeded",
            "entered_by",
            "entered_at",
            "verified_by",
            "verified_at",
            "withdrawn_reason",
            "data",
        ]

    def get_entered_by(self, obj) -> dict | None:
        return _person(obj.entered_by)

    def get_verified_by(self, obj) -> dict | None:
        return _person(obj.verified_by)


class ParameterSerializer(serializers.ModelSerializer):
    class Meta:
        model = LegalParameter
        fields = [
            "id",
            "code",
            "revision",
            "state",
            "valid_from",
            "valid_to",
            "value",
            "source_status",
            "sources",
            "seeded",
            "entered_at",
            "verified_at",
        ]


_comparison = inline_serializer(
    "NormComparisonRow",
    {
        "cell": serializers.CharField(),
        "label": serializers.CharField(),
        "amount": serializers.IntegerField(allow_null=True),
        "previous": serializers.IntegerField(allow_null=True),
        "change_percent": serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True),
        "flagged": serializers.BooleanField(),
        "reason": serializers.CharField(),
    },
    many=True,
)


class NormTableViewSet(viewsets.GenericViewSet):
    """Every version of every year's riksnorm; import drafts; verify as a second person."""

    queryset = NormTableVersion.objects.none()
    serializer_class = NormTableSerializer
    lookup_value_regex = ID_PATTERN

    def _version(self, pk: str) -> NormTableVersion:
        version = NormTableVersion.objects.filter(pk=int(pk)).first()
        if version is None:
            raise NotFound("not_found", "Normtabellen finns inte.")
        return version

    def list(self, request: Request) -> Response:
        _require_view(request.user)
        rows = NormTableVersion.objects.select_related("entered_by", "verified_by")
        year = request.query_params.get("year", "")
        if year:
            if not year.isdigit() or len(year) != 4:
                raise DomainError("bad_year", "Året ska anges med fyra siffror.")
            rows = rows.filter(year=int(year))
        page = self.paginate_queryset(rows.order_by("-year", "-revision"))
        return self.get_paginated_response(NormTableSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        _require_view(request.user)
        return Response(NormTableSerializer(self._version(pk)).data)

    @extend_schema(responses={200: _comparison})
    @action(detail=True, methods=["get"], pagination_class=None)
    def comparison(self, request: Request, pk: str) -> Response:
        """Each cell beside last year's, with the change and the typing-error flag."""
        _require_view(request.user)
        version = self._version(pk)
        previous = previous_verified(version)
        return Response(
            [
                {
                    "cell": row.cell.key,
                    "label": row.cell.label,
                    "amount": row.cell.amount,
                    "previous": row.previous,
                    "change_percent": None
                    if row.change_percent is None
                    else str(row.change_percent),
                    "flagged": row.flagged,
                    "reason": row.reason,
                }
                for row in compare(version.data, previous.data if previous else None)
            ]
        )

    @extend_schema(
        request=inline_serializer("NormImport", {"years": serializers.DictField()}),
        responses={201: NormTableSerializer(many=True)},
    )
    @action(detail=False, methods=["post"], url_path="import", pagination_class=None)
    def import_(self, request: Request) -> Response:
        """A riksnorm.json-shaped document (or one year) becomes drafts."""
        data: Any = request.data
        if isinstance(request.data, dict) and "file" in request.data:
            data = load_json(request.data["file"].read())
        created = services.import_norm_file(request.user, data)
        return Response(
            NormTableSerializer(created, many=True).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str) -> Response:
        version = services.verify_version(request.user, self._version(pk))
        return Response(NormTableSerializer(version).data)

    @extend_schema(request=inline_serializer("Withdraw", {"reason": serializers.CharField()}))
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        reason = request.data.get("reason", "") if isinstance(request.data, dict) else ""
        version = services.withdraw_draft(request.user, self._version(pk), str(reason))
        return Response(NormTableSerializer(version).data)


class ParameterViewSet(viewsets.GenericViewSet):
    """The legal parameters (prisbasbelopp, jobbstimulans) by date; verify as a second person."""

    queryset = LegalParameter.objects.none()
    serializer_class = ParameterSerializer
    lookup_value_regex = ID_PATTERN

    def list(self, request: Request) -> Response:
        _require_view(request.user)
        page = self.paginate_queryset(
            LegalParameter.objects.order_by("code", "-valid_from", "-revision")
        )
        return self.get_paginated_response(ParameterSerializer(page, many=True).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str) -> Response:
        row = LegalParameter.objects.filter(pk=int(pk)).first()
        if row is None:
            raise NotFound("not_found", "Parametern finns inte.")
        return Response(ParameterSerializer(services.verify_version(request.user, row)).data)


class LegalPeriodSerializer(serializers.ModelSerializer):
    entered_by = serializers.SerializerMethodField()
    verified_by = serializers.SerializerMethodField()

    class Meta:
        model = LegalPeriod
        fields = [
            "id",
            "code",
            "revision",
            "state",
            "name",
            "act",
            "valid_from",
            "valid_to",
            "norm_reference",
            "incentive_reference",
            "decision_basis",
            "rules_version",
            "source_status",
            "sources",
            "note",
            "seeded",
            "entered_by",
            "entered_at",
            "verified_by",
            "verified_at",
            "withdrawn_reason",
        ]
        read_only_fields = fields

    def get_entered_by(self, obj) -> dict | None:
        return _person(obj.entered_by)

    def get_verified_by(self, obj) -> dict | None:
        return _person(obj.verified_by)


class _DecisionBasisInput(serializers.Serializer):
    income_support = serializers.CharField(max_length=300)
    other_living_costs = serializers.CharField(max_length=300)
    labour_market = serializers.CharField(max_length=300)


class _SourceInput(serializers.Serializer):
    sfs = serializers.CharField(max_length=40, required=False, allow_blank=True)
    date = serializers.DateField(required=False, allow_null=True)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    url = serializers.URLField(max_length=500, required=False, allow_blank=True)


class LegalPeriodInput(serializers.Serializer):
    """The fields of the page's form (Ny lagperiod); a draft until a second person verifies."""

    code = serializers.SlugField(max_length=60)
    name = serializers.CharField(max_length=200)
    act = serializers.CharField(max_length=100)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True)
    norm_reference = serializers.CharField(max_length=300)
    incentive_reference = serializers.CharField(max_length=300)
    decision_basis = _DecisionBasisInput()
    rules_version = serializers.CharField(max_length=20, required=False, default="1")
    source_status = serializers.ChoiceField(choices=SourceStatus.choices)
    sources = _SourceInput(many=True, allow_empty=False)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


def _validated(serializer_class: type[serializers.Serializer], data: Any) -> dict:
    """Validated input, or a 400 {"error": {"code", "message"}} like the API's other refusals."""
    serializer = limit_texts(serializer_class(data=data))
    if not serializer.is_valid():
        raise DomainError("invalid", _error_text(serializer.errors))
    return serializer.validated_data


def _error_text(errors: Any, prefix: str = "") -> str:
    if isinstance(errors, dict):
        return "; ".join(_error_text(value, f"{prefix}{field}.") for field, value in errors.items())
    if isinstance(errors, list) and all(isinstance(item, str) for item in errors):
        return f"{prefix.rstrip('.')}: {' '.join(errors)}" if prefix else " ".join(errors)
    if isinstance(errors, list):
        return "; ".join(_error_text(item, prefix) for item in errors if item)
    return str(errors)


@extend_schema(tags=["rules"])
class LegalPeriodViewSet(viewsets.GenericViewSet):
    """The legal periods (which act a month cites, which rule set it uses): read as for
    /regelverk/; entered as a draft and verified by a second person, as on its pages."""

    queryset = LegalPeriod.objects.none()
    serializer_class = LegalPeriodSerializer
    lookup_value_regex = ID_PATTERN

    def _period(self, pk: str) -> LegalPeriod:
        period = LegalPeriod.objects.select_related("entered_by", "verified_by").filter(pk=int(pk))
        if not period.exists():
            raise NotFound("not_found", "Lagperioden finns inte.")
        return period.get()

    def list(self, request: Request) -> Response:
        _require_view(request.user)
        rows = LegalPeriod.objects.select_related("entered_by", "verified_by").order_by(
            "-valid_from", "-revision", "-id"
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(LegalPeriodSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        _require_view(request.user)
        return Response(LegalPeriodSerializer(self._period(pk)).data)

    @extend_schema(request=LegalPeriodInput, responses={201: LegalPeriodSerializer})
    def create(self, request: Request) -> Response:
        """A draft (or a change to the open draft of the same code); logged by the service."""
        services.require(request.user, "maintain_rules")
        data = _validated(LegalPeriodInput, request.data)
        sources = [
            {**source, "date": source["date"].isoformat() if source.get("date") else ""}
            for source in data["sources"]
        ]
        period = services.enter_legal_period(
            request.user,
            code=data["code"],
            name=data["name"],
            act=data["act"],
            valid_from=data["valid_from"],
            valid_to=data.get("valid_to"),
            norm_reference=data["norm_reference"],
            incentive_reference=data["incentive_reference"],
            decision_basis=dict(data["decision_basis"]),
            rules_version=data["rules_version"],
            source_status=data["source_status"],
            sources=sources,
            note=data["note"],
        )
        return Response(LegalPeriodSerializer(period).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str) -> Response:
        """The second person's verification (four eyes: not whoever entered or changed it)."""
        period = services.verify_version(request.user, self._period(pk))
        return Response(LegalPeriodSerializer(period).data)

    @extend_schema(request=inline_serializer("WithdrawPeriod", {"reason": serializers.CharField()}))
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        reason = request.data.get("reason", "") if isinstance(request.data, dict) else ""
        period = services.withdraw_draft(request.user, self._period(pk), str(reason))
        return Response(LegalPeriodSerializer(period).data)


def register(router) -> None:
    router.register("norm-tables", NormTableViewSet, basename="norm-table")
    router.register("legal-parameters", ParameterViewSet, basename="legal-parameter")
    router.register("legal-periods", LegalPeriodViewSet, basename="legal-period")
