"""The rules in the JSON API: /api/v1/norm-tables/ (list, show, import, verify, withdraw)
and /api/v1/legal-parameters/. Writes follow the same four-eyes services as the pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.organisation.models import HEAD_ROLES
from bistand.organisation.permissions import can

from . import services
from .compare import compare
from .jsonfile import load_json
from .models import LegalParameter, NormTableVersion
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
    @action(detail=True, methods=["get"])
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
    @action(detail=False, methods=["post"], url_path="import")
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


def register(router) -> None:
    router.register("norm-tables", NormTableViewSet, basename="norm-table")
    router.register("legal-parameters", ParameterViewSet, basename="legal-parameter")
