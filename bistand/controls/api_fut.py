"""JSON API for control runs, the FUT queue and fraud investigations, for the fraud
investigators only (/api/v1/control-runs/, /control-flags/, /fraud-investigations/). Thin:
controls.fut checks the role and unit, logs every read and does every act. Wired from
bistand/api_urls.py with `register(router)`."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from bistand.core.errors import DomainError
from bistand.core.serializers import limit_texts

from . import fut
from .models import (
    ControlFlag,
    ControlRule,
    ControlRun,
    FlagStatus,
    FraudInvestigation,
    FraudReport,
    FraudReportKind,
    InvestigationNote,
    InvestigationOutcome,
    InvestigationStatus,
)

LIST_LIMIT = 500


def _validated(serializer_class, data) -> dict:
    serializer = limit_texts(serializer_class(data=data))
    if not serializer.is_valid():
        lines = []
        for name, errors in serializer.errors.items():
            for error in errors if isinstance(errors, list) else [errors]:
                lines.append(f"{name}: {error}")
        raise DomainError("invalid", "; ".join(lines))
    return serializer.validated_data


class ControlRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ControlRun
        fields = ["id", "unit", "run_on", "trigger", "started_by", "started_at", "finished_at", "found",
                  "new_flags", "duration_ms"]  # fmt: skip


class ControlFlagSerializer(serializers.ModelSerializer):
    rule_label = serializers.CharField(source="get_rule_display", read_only=True)
    investigation = serializers.SerializerMethodField()

    class Meta:
        model = ControlFlag
        fields = ["id", "reference", "rule", "rule_label", "unit", "case", "person", "month",
                  "amount", "summary", "evidence", "first_run", "found_on", "status",
                  "dismissed_by", "dismissed_at", "dismiss_reason", "investigation"]  # fmt: skip

    def get_investigation(self, flag) -> int | None:
        investigation = getattr(flag, "investigation", None)
        return investigation.pk if investigation else None


class FraudNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvestigationNote
        fields = ["id", "text", "written_by", "written_at"]


class FraudReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = FraudReport
        fields = ["id", "kind", "sent_on", "recipient", "reference", "summary", "recorded_by",
                  "recorded_at"]  # fmt: skip


class FraudInvestigationSerializer(serializers.ModelSerializer):
    notes = FraudNoteSerializer(many=True, read_only=True)
    reports = FraudReportSerializer(many=True, read_only=True)

    class Meta:
        model = FraudInvestigation
        fields = ["id", "reference", "unit", "flag", "case", "person", "suspicion", "status",
                  "opened_by", "opened_at", "outcome", "outcome_note", "closed_by", "closed_at",
                  "notes", "reports"]  # fmt: skip


class FraudInvestigationListSerializer(serializers.ModelSerializer):
    class Meta:
        model = FraudInvestigation
        fields = ["id", "reference", "flag", "case", "status", "opened_at", "outcome"]


class ControlRunInput(serializers.Serializer):
    date = serializers.DateField()


class FlagDismissInput(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class FlagInvestigateInput(serializers.Serializer):
    suspicion = serializers.CharField(max_length=20000)


class FraudNoteInput(serializers.Serializer):
    text = serializers.CharField(max_length=20000)


class FraudOutcomeInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=InvestigationOutcome.choices)
    note = serializers.CharField(max_length=20000)


class FraudReportInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FraudReportKind.choices)
    sent_on = serializers.DateField()
    recipient = serializers.CharField(max_length=200)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=20000)


class ControlRunViewSet(viewsets.ViewSet):
    """Control runs: the list, one run, and a run on demand."""

    lookup_value_regex = r"\d{1,18}"

    @extend_schema(summary="Control runs, newest first", responses=ControlRunSerializer(many=True))
    def list(self, request: Request) -> Response:
        fut.require_fut(request.user)  # the controller reads the runs on the FUT-kö page only
        runs = fut.runs_for(request.user)[:LIST_LIMIT]
        return Response(ControlRunSerializer(runs, many=True).data)

    @extend_schema(summary="One control run", responses=ControlRunSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ControlRunSerializer(fut.open_run(request.user, pk)).data)

    @extend_schema(
        summary="Run the controls as of a date (idempotent: no flag twice)",
        request=ControlRunInput,
        responses={201: ControlRunSerializer},
    )
    def create(self, request: Request) -> Response:
        fut.require_fut(request.user)
        data = _validated(ControlRunInput, request.data)
        run = fut.start_run(request.user, data["date"])
        return Response(ControlRunSerializer(run).data, status=status.HTTP_201_CREATED)


class ControlFlagViewSet(viewsets.ViewSet):
    """The FUT queue: flags with their evidence; dismiss with a reason, or investigate."""

    lookup_value_regex = r"\d{1,18}"

    @extend_schema(
        summary="The unit's flags (?status=open|dismissed|investigation, ?rule=)",
        parameters=[OpenApiParameter("status", str), OpenApiParameter("rule", str)],
        responses=ControlFlagSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        fut.require_fut(request.user)
        wanted = request.query_params.get("status", FlagStatus.OPEN)
        rule = request.query_params.get("rule", "")
        if wanted not in FlagStatus.values:
            raise DomainError("bad_status", "status: open, dismissed eller investigation.")
        if rule and rule not in ControlRule.values:
            raise DomainError("bad_rule", "rule: okänd regel.")
        flags = fut.flags_for(request.user, status=wanted, rule=rule or None)
        flags = flags.select_related("investigation")[:LIST_LIMIT]
        return Response(ControlFlagSerializer(flags, many=True).data)

    @extend_schema(summary="One flag with its evidence (logged)", responses=ControlFlagSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ControlFlagSerializer(fut.open_flag(request.user, pk)).data)

    @extend_schema(
        summary="Dismiss a false positive (reason required)",
        request=FlagDismissInput,
        responses=ControlFlagSerializer,
    )
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str) -> Response:
        flag = fut.open_flag(request.user, pk, what="dismiss")
        data = _validated(FlagDismissInput, request.data)
        flag = fut.dismiss_flag(request.user, flag, reason=data["reason"])
        return Response(ControlFlagSerializer(flag).data)

    @extend_schema(
        summary="Open a FUT investigation from the flag",
        request=FlagInvestigateInput,
        responses={201: FraudInvestigationSerializer},
    )
    @action(detail=True, methods=["post"])
    def investigate(self, request: Request, pk: str) -> Response:
        flag = fut.open_flag(request.user, pk, what="start_investigation")
        data = _validated(FlagInvestigateInput, request.data)
        investigation = fut.start_investigation(
            request.user, flag=flag, suspicion=data["suspicion"]
        )
        return Response(
            FraudInvestigationSerializer(investigation).data, status=status.HTTP_201_CREATED
        )


class FraudInvestigationViewSet(viewsets.ViewSet):
    """FUT investigations: notes, police reports and notifications, outcome (FUT only)."""

    lookup_value_regex = r"\d{1,18}"

    def _open(self, request: Request, pk: str, what: str) -> FraudInvestigation:
        fut.require_fut(request.user)
        return fut.open_investigation(request.user, pk, what=what)

    @extend_schema(
        summary="The unit's investigations (?status=open|closed)",
        parameters=[OpenApiParameter("status", str)],
        responses=FraudInvestigationListSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        fut.require_fut(request.user)
        wanted = request.query_params.get("status", "")
        if wanted and wanted not in InvestigationStatus.values:
            raise DomainError("bad_status", "status: open eller closed.")
        investigations = fut.investigations_for(request.user, status=wanted or None)
        return Response(
            FraudInvestigationListSerializer(investigations[:LIST_LIMIT], many=True).data
        )

    @extend_schema(summary="One investigation (logged)", responses=FraudInvestigationSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(FraudInvestigationSerializer(self._open(request, pk, "investigation")).data)

    @extend_schema(
        summary="Add a note", request=FraudNoteInput, responses={201: FraudNoteSerializer}
    )
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: str) -> Response:
        investigation = self._open(request, pk, "add_note")
        data = _validated(FraudNoteInput, request.data)
        note = fut.add_note(request.user, investigation, text=data["text"])
        return Response(FraudNoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record a police report (2007:612) or a notification (2008:206)",
        request=FraudReportInput,
        responses={201: FraudReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def reports(self, request: Request, pk: str) -> Response:
        investigation = self._open(request, pk, "report")
        data = _validated(FraudReportInput, request.data)
        report = fut.record_report(request.user, investigation, **data)
        return Response(FraudReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record the outcome and close",
        request=FraudOutcomeInput,
        responses=FraudInvestigationSerializer,
    )
    @action(detail=True, methods=["post"])
    def outcome(self, request: Request, pk: str) -> Response:
        investigation = self._open(request, pk, "close")
        data = _validated(FraudOutcomeInput, request.data)
        investigation = fut.close_investigation(
            request.user, investigation, outcome=data["outcome"], note=data["note"]
        )
        return Response(FraudInvestigationSerializer(investigation).data)


def register(router) -> None:
    router.register("control-runs", ControlRunViewSet, basename="control-run")
    router.register("control-flags", ControlFlagViewSet, basename="control-flag")
    router.register(
        "fraud-investigations", FraudInvestigationViewSet, basename="fraud-investigation"
    )
