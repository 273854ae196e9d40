"""JSON API for saved calculations, decisions and appeals. Thin: writes call
decisions.services, reads go through decisions.selectors (access-checked and logged; a record
the caller may not see answers like one that does not exist).

Wire it with `register(router)` in bistand/api_urls.py.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from bistand.audit.models import AuditAction
from bistand.audit.services import AuditEvent, record_many
from bistand.cases.models import Application
from bistand.core.api import json_object
from bistand.core.errors import DomainError, NotFound
from bistand.core.serializers import limit_texts
from bistand.core.text import LONG_TEXT
from bistand.organisation.models import User

from . import calculations as calc
from . import selectors, services
from .models import (
    Appeal,
    Calculation,
    CourtOutcome,
    Decision,
    DecisionLine,
    DispatchChannel,
    Outcome,
    ReceiptBasis,
    Reconsideration,
    RefusalGround,
)

ID_PATTERN = r"\d{1,18}"


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict:
    """Validate request data; a bad request answers {"error": {"code", "message"}}."""
    serializer = limit_texts(serializer_class(data=data))
    if not serializer.is_valid():
        problems = []
        for field, errors in serializer.errors.items():
            for error in errors if isinstance(errors, list) else [errors]:
                problems.append(f"{field}: {error}")
        raise DomainError("invalid", "Felaktiga uppgifter: " + "; ".join(problems))
    return serializer.validated_data


def _person(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.username, "role": user.role}


# --- Serializers -------------------------------------------------------------------------------


class CalculationSerializer(serializers.ModelSerializer):
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Calculation
        fields = [
            "id",
            "application",
            "case",
            "month",
            "members",
            "costs",
            "incomes",
            "norm_adjustments",
            "months_on_assistance",
            "shared_household_size",
            "result",
            "error",
            "warnings",
            "norm_year",
            "norm_version",
            "norm_status",
            "norm_sha256",
            "rules_version",
            "local_guideline",
            "amount_to_pay",
            "proposed_outcome",
            "prefilled_from",
            "based_on",
            "created_at",
            "saved_at",
        ]
        read_only_fields = fields

    def get_warnings(self, obj: Calculation) -> list[dict]:
        return obj.warnings


class CalculationCreateSerializer(serializers.Serializer):
    application = serializers.IntegerField()


class CalculationLinesSerializer(serializers.Serializer):
    costs = serializers.ListField(child=serializers.DictField(), required=False)
    incomes = serializers.ListField(child=serializers.DictField(), required=False)
    norm_adjustments = serializers.ListField(child=serializers.DictField(), required=False)
    meals_outside_home = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Person ids of children."
    )


class ProposalSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    cost_type = serializers.CharField()
    label = serializers.CharField()
    amount_applied = serializers.DecimalField(max_digits=12, decimal_places=2)
    max_grant = serializers.DecimalField(max_digits=12, decimal_places=2)
    proposed_grant = serializers.DecimalField(max_digits=12, decimal_places=2)
    proposed_outcome = serializers.CharField()
    proposed_reasons = serializers.CharField()
    proposed_ground = serializers.CharField()


class DecisionLineSerializer(serializers.ModelSerializer):
    grant_delegation_point = serializers.CharField(
        source="grant_delegation.point", default=None, read_only=True, allow_null=True
    )
    refusal_delegation_point = serializers.CharField(
        source="refusal_delegation.point", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = DecisionLine
        fields = [
            "id",
            "key",
            "kind",
            "cost_type",
            "description",
            "outcome",
            "amount_applied",
            "amount_granted",
            "refusal_ground",
            "legal_basis",
            "reasons",
            "grant_delegation_point",
            "refusal_delegation_point",
        ]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    lines = DecisionLineSerializer(many=True, read_only=True)
    support_obstacles = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()
    referred_to = serializers.SerializerMethodField()
    letter = serializers.SerializerMethodField()
    replaced_by = serializers.SerializerMethodField()
    in_force = serializers.BooleanField(read_only=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "reference",
            "case",
            "application",
            "calculation",
            "month",
            "status",
            "outcome",
            "total_granted",
            "reasons",
            "lines",
            "support_obstacles",
            "investigation_version",
            "has_children",
            "child_perspective_version",
            "decided_by",
            "decided_at",
            "decided_on",
            "delegation_points",
            "automatic",
            "rule_version",
            "checks",
            "replaces",
            "replacement_reason",
            "replaced_by",
            "in_force",
            "referred_to",
            "referral_note",
            "returned_note",
            "letter",
        ]
        read_only_fields = fields

    def get_support_obstacles(self, obj: Decision) -> list[dict]:
        return [
            {"person": o.person_id, "household_role": o.household_role, "code": o.code}
            for o in obj.support_obstacles.all()
        ]

    def get_decided_by(self, obj: Decision) -> dict | None:
        return _person(obj.decided_by)

    def get_referred_to(self, obj: Decision) -> dict | None:
        return _person(obj.referred_to)

    def get_letter(self, obj: Decision) -> dict | None:
        letter = getattr(obj, "letter", None)
        if letter is None:
            return None
        return {
            "sha256": letter.sha256,
            "size_bytes": letter.size_bytes,
            "includes_appeal_instructions": letter.includes_appeal_instructions,
            "sent": [
                {"sent_on": d.sent_on, "channel": d.channel, "received_on": d.received_on}
                for d in letter.dispatches.all()
            ],
        }

    def get_replaced_by(self, obj: Decision) -> int | None:
        replacement = obj.replacements.filter(status="final").first()
        return replacement.pk if replacement else None


class LineInputSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="From /calculations/{id}/proposals/.")
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    amount_granted = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    reasons = serializers.CharField(required=False, allow_blank=True, default="")
    refusal_ground = serializers.ChoiceField(
        choices=RefusalGround.choices, required=False, allow_blank=True, default=""
    )


class ObstacleInputSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    code = serializers.CharField()


class DecideSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    calculation = serializers.IntegerField()
    lines = LineInputSerializer(many=True)
    support_obstacles = ObstacleInputSerializer(many=True)
    reasons = serializers.CharField(required=False, allow_blank=True, default="")


class ReferSerializer(DecideSerializer):
    referred_to = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReplaceSerializer(serializers.Serializer):
    reason = serializers.CharField()
    calculation = serializers.IntegerField(required=False)
    lines = LineInputSerializer(many=True)
    support_obstacles = ObstacleInputSerializer(many=True)
    reasons = serializers.CharField(required=False, allow_blank=True, default="")
    appeal = serializers.IntegerField(required=False)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField()


class DispatchSerializer(serializers.Serializer):
    sent_on = serializers.DateField()
    channel = serializers.ChoiceField(choices=DispatchChannel.choices)
    received_on = serializers.DateField(required=False, allow_null=True)


class AppealSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appeal
        fields = [
            "id",
            "decision",
            "case",
            "received_on",
            "decision_received_on",
            "decision_received_basis",
            "appeal_deadline",
            "in_time",
            "forward_deadline",
            "text",
            "status",
            "reconsideration",
            "reconsideration_note",
            "new_decision",
            "dismissal_reason",
            "forwarded_on",
            "opinion",
            "court",
            "court_case_number",
            "court_outcome",
            "court_decided_on",
            "court_note",
            "registered_at",
        ]
        read_only_fields = fields


class AppealCreateSerializer(serializers.Serializer):
    decision = serializers.IntegerField()
    received_on = serializers.DateField()
    decision_received_on = serializers.DateField(required=False, allow_null=True)
    basis = serializers.ChoiceField(choices=ReceiptBasis.choices, default=ReceiptBasis.UNKNOWN)
    text = serializers.CharField(max_length=LONG_TEXT, required=False, allow_blank=True, default="")


class ReconsiderSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=Reconsideration.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ForwardSerializer(serializers.Serializer):
    opinion = serializers.CharField(max_length=LONG_TEXT)
    court = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    forwarded_on = serializers.DateField(required=False, allow_null=True)


class CourtOutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CourtOutcome.choices)
    decided_on = serializers.DateField()
    case_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


# --- Helpers -----------------------------------------------------------------------------------


def _lines(data: dict) -> dict[str, services.LineDecision]:
    return {
        line["key"]: services.LineDecision(
            line["outcome"],
            line.get("amount_granted"),
            line.get("reasons", ""),
            line.get("refusal_ground", ""),
        )
        for line in data["lines"]
    }


def _obstacles(data: dict) -> dict[int, str]:
    return {item["person"]: item["code"] for item in data["support_obstacles"]}


def _saved_calculation(user, calculation_id: int, application: Application) -> Calculation:
    calculation = Calculation.objects.filter(pk=calculation_id, application=application).first()
    if calculation is None:
        raise NotFound("calculation_not_found", "Beräkningen finns inte för den här ansökan.")
    return calculation


def _outside(error: services.OutsideDelegation) -> Response:
    candidates = User.objects.filter(pk__in=error.context.get("candidates", []))
    return Response(
        {
            "error": {
                "code": error.code,
                "message": error.message,
                "missing": error.context.get("missing", []),
                "candidates": [_person(user) for user in candidates],
            }
        },
        status=status.HTTP_403_FORBIDDEN,
    )


# --- Viewsets ----------------------------------------------------------------------------------


@extend_schema(tags=["calculations"])
class CalculationViewSet(viewsets.GenericViewSet):
    """Saved calculations of applications (drafts are edited, saving freezes them)."""

    queryset = Calculation.objects.none()
    serializer_class = CalculationSerializer
    lookup_value_regex = ID_PATTERN

    @extend_schema(request=CalculationCreateSerializer, responses={201: CalculationSerializer})
    def create(self, request: Request) -> Response:
        data = validated(CalculationCreateSerializer, request.data)
        application = selectors.application_of(
            request.user, data["application"], what="calculation_new"
        )
        calculation = services.create_calculation(request.user, application)
        return Response(CalculationSerializer(calculation).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        calculation = selectors.open_calculation(request.user, int(pk))
        return Response(CalculationSerializer(calculation).data)

    @extend_schema(request=CalculationLinesSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        calculation = selectors.open_calculation(request.user, int(pk))
        data = validated(CalculationLinesSerializer, request.data)
        meals = data.get("meals_outside_home")
        calculation = services.update_calculation(
            request.user,
            calculation,
            costs=data.get("costs"),
            incomes=data.get("incomes"),
            norm_adjustments=data.get("norm_adjustments"),
            meals_outside_home=set(meals) if meals is not None else None,
        )
        return Response(CalculationSerializer(calculation).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def save(self, request: Request, pk: str) -> Response:
        calculation = selectors.open_calculation(request.user, int(pk))
        calculation = services.save_calculation(request.user, calculation)
        return Response(CalculationSerializer(calculation).data)

    @extend_schema(request=None, responses={201: CalculationSerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request: Request, pk: str) -> Response:
        calculation = selectors.open_calculation(request.user, int(pk))
        copy = services.copy_calculation(request.user, calculation)
        return Response(CalculationSerializer(copy).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ProposalSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def proposals(self, request: Request, pk: str) -> Response:
        """The lines a decision on this calculation must decide, with what it proposes."""
        calculation = selectors.open_calculation(request.user, int(pk))
        return Response(ProposalSerializer(calc.proposals(calculation), many=True).data)


@extend_schema(tags=["decisions"])
class DecisionViewSet(viewsets.GenericViewSet):
    """Decisions: make, refer, decide referred or prepared ones, replace, letter, dispatch."""

    queryset = Decision.objects.none()
    serializer_class = DecisionSerializer
    lookup_value_regex = ID_PATTERN
    # One case's rows (or the caller's open appeals): a bare list, declared so (no limit/offset).
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("case", int, required=False),
            OpenApiParameter("application", int, required=False),
        ]
    )
    def list(self, request: Request) -> Response:
        """A case's or an application's decisions (the read is logged on the case)."""
        case_id = request.query_params.get("case")
        application_id = request.query_params.get("application")
        if application_id and application_id.isdigit():
            application = selectors.application_of(
                request.user, int(application_id), what="decisions"
            )
            decisions = Decision.objects.filter(application=application)
        elif case_id and case_id.isdigit():
            case = selectors.case_of(request.user, int(case_id), what="decisions")
            decisions = Decision.objects.filter(case=case)
        else:
            raise DomainError("filter_required", "Ange ?case= eller ?application=.")
        decisions = decisions.select_related(
            "decided_by", "referred_to", "letter"
        ).prefetch_related(
            "lines__grant_delegation", "lines__refusal_delegation", "support_obstacles"
        )
        return Response(DecisionSerializer(decisions.order_by("-created_at"), many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(DecisionSerializer(selectors.open_decision(request.user, int(pk))).data)

    @extend_schema(request=DecideSerializer, responses={201: DecisionSerializer})
    def create(self, request: Request) -> Response:
        """Decide an application. Outside the caller's delegation: 403 with `candidates`."""
        data = validated(DecideSerializer, request.data)
        application = selectors.application_of(request.user, data["application"], what="decide")
        calculation = _saved_calculation(request.user, data["calculation"], application)
        try:
            decision = services.decide_application(
                request.user,
                application,
                calculation=calculation,
                lines=_lines(data),
                support_obstacles=_obstacles(data),
                reasons=data["reasons"],
            )
        except services.OutsideDelegation as error:
            return _outside(error)
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReferSerializer, responses={201: DecisionSerializer})
    @action(detail=False, methods=["post"])
    def refer(self, request: Request) -> Response:
        """Send a decision to someone whose delegation covers it."""
        data = validated(ReferSerializer, request.data)
        application = selectors.application_of(request.user, data["application"], what="refer")
        calculation = _saved_calculation(request.user, data["calculation"], application)
        target = User.objects.filter(pk=data["referred_to"]).first()
        if target is None:
            raise DomainError("referral_target_required", "Mottagaren finns inte.")
        decision = services.refer_decision(
            request.user,
            application,
            calculation=calculation,
            lines=_lines(data),
            support_obstacles=_obstacles(data),
            referred_to=target,
            reasons=data["reasons"],
            note=data["note"],
        )
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        """Make a referred or prepared decision final, as the caller."""
        decision = selectors.open_decision(request.user, int(pk), what="decide_draft")
        try:
            decision = services.decide_draft(request.user, decision)
        except services.OutsideDelegation as error:
            return _outside(error)
        return Response(DecisionSerializer(decision).data)

    @extend_schema(request=NoteSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_referral(self, request: Request, pk: str) -> Response:
        decision = selectors.open_decision(request.user, int(pk), what="return_referral")
        data = validated(NoteSerializer, request.data)
        decision = services.return_referral(request.user, decision, data["note"])
        return Response(DecisionSerializer(decision).data)

    @extend_schema(request=ReplaceSerializer, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"])
    def replace(self, request: Request, pk: str) -> Response:
        """Correct the decision with a new one that replaces it (both stay)."""
        old = selectors.open_decision(request.user, int(pk), what="decision_replace")
        data = validated(ReplaceSerializer, request.data)
        calculation = None
        if data.get("calculation"):
            calculation = _saved_calculation(request.user, data["calculation"], old.application)
        appeal = old.appeals.filter(pk=data["appeal"]).first() if data.get("appeal") else None
        try:
            decision = services.replace_decision(
                request.user,
                old,
                reason=data["reason"],
                lines=_lines(data),
                support_obstacles=_obstacles(data),
                reasons=data["reasons"],
                calculation=calculation,
                appeal=appeal,
            )
        except services.OutsideDelegation as error:
            return _outside(error)
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def letter(self, request: Request, pk: str) -> HttpResponse:
        decision, letter = selectors.letter_of(request.user, int(pk))
        response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="beslut-{decision.reference}.pdf"'
        response["X-Content-SHA256"] = letter.sha256
        return response

    @extend_schema(request=DispatchSerializer)
    @action(detail=True, methods=["post"], url_path="mark-sent")
    def mark_sent(self, request: Request, pk: str) -> Response:
        decision = selectors.open_decision(request.user, int(pk), what="letter_sent")
        data = validated(DispatchSerializer, request.data)
        services.mark_letter_sent(
            request.user,
            decision,
            sent_on=data["sent_on"],
            channel=data["channel"],
            received_on=data.get("received_on"),
        )
        return Response(DecisionSerializer(selectors.open_decision(request.user, int(pk))).data)


@extend_schema(tags=["appeals"])
class AppealViewSet(viewsets.GenericViewSet):
    """Appeals: register, reconsider, dismiss if late, forward to the court, court outcome."""

    queryset = Appeal.objects.none()
    serializer_class = AppealSerializer
    lookup_value_regex = ID_PATTERN
    # One case's rows (or the caller's open appeals): a bare list, declared so (no limit/offset).
    pagination_class = None

    def list(self, request: Request) -> Response:
        """Open appeals in the cases the caller may open, most urgent first."""
        appeals = list(selectors.open_appeals(request.user))
        record_many(
            request.user,
            [
                AuditEvent(
                    AuditAction.VIEW, "decisions.appeal", a.pk, a.case_id, detail={"what": "list"}
                )
                for a in appeals
            ],
        )
        return Response(AppealSerializer(appeals, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(AppealSerializer(selectors.open_appeal(request.user, int(pk))).data)

    @extend_schema(request=AppealCreateSerializer, responses={201: AppealSerializer})
    def create(self, request: Request) -> Response:
        data = validated(AppealCreateSerializer, request.data)
        decision = selectors.open_decision(request.user, data["decision"], what="appeal_register")
        appeal = services.register_appeal(
            request.user,
            decision,
            received_on=data["received_on"],
            decision_received_on=data.get("decision_received_on"),
            basis=data["basis"],
            text=data["text"],
        )
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReconsiderSerializer)
    @action(detail=True, methods=["post"])
    def reconsider(self, request: Request, pk: str) -> Response:
        appeal = selectors.open_appeal(request.user, int(pk))
        data = validated(ReconsiderSerializer, request.data)
        appeal = services.record_reconsideration(
            request.user, appeal, result=data["result"], note=data["note"]
        )
        return Response(AppealSerializer(appeal).data)

    @extend_schema(request=ForwardSerializer)
    @action(detail=True, methods=["post"])
    def forward(self, request: Request, pk: str) -> Response:
        appeal = selectors.open_appeal(request.user, int(pk))
        data = validated(ForwardSerializer, request.data)
        appeal = services.forward_appeal(
            request.user,
            appeal,
            opinion=data["opinion"],
            court=data["court"],
            forwarded_on=data.get("forwarded_on"),
        )
        return Response(AppealSerializer(appeal).data)

    @extend_schema(request=NoteSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str) -> Response:
        appeal = selectors.open_appeal(request.user, int(pk))
        appeal = services.dismiss_late_appeal(
            request.user, appeal, reason=str(json_object(request).get("note", ""))
        )
        return Response(AppealSerializer(appeal).data)

    @extend_schema(request=CourtOutcomeSerializer)
    @action(detail=True, methods=["post"], url_path="court-outcome")
    def court_outcome(self, request: Request, pk: str) -> Response:
        appeal = selectors.open_appeal(request.user, int(pk))
        data = validated(CourtOutcomeSerializer, request.data)
        appeal = services.record_court_outcome(
            request.user,
            appeal,
            outcome=data["outcome"],
            decided_on=data["decided_on"],
            case_number=data["case_number"],
            note=data["note"],
        )
        return Response(AppealSerializer(appeal).data)


def register(router) -> None:
    """Put the decisions API on the project's router (bistand/api_urls.py)."""
    router.register("calculations", CalculationViewSet, basename="calculation")
    router.register("decisions", DecisionViewSet, basename="decision")
    router.register("appeals", AppealViewSet, basename="appeal")
