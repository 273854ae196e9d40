"""JSON API for incorrect payments (/api/v1/incorrect-payments/) and recovery claims
(/api/v1/recovery-claims/). Thin: writes call controls.recovery; reads open the case through
cases.selectors (checked and logged); a record on a case the reader may not open answers as
one that does not exist. Errors are {"error": {"code", "message"}} in Swedish."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from bistand.audit.models import AuditAction
from bistand.cases.selectors import open_case
from bistand.core.errors import DomainError, NotFound, PermissionRefused

from . import recovery
from .api import ID_PATTERN, MonthField, _open_case, _validated
from .recovery_law import GROUND_CHOICES
from .recovery_models import (
    IncorrectPayment,
    IncorrectPaymentCause,
    PlanKind,
    RecoveryClaim,
    RecoveryEntry,
)

PAYMENT_NOT_FOUND = "Posten finns inte eller så saknar du behörighet."
CLAIM_NOT_FOUND = "Återkravet finns inte eller så saknar du behörighet."
CASE_PARAMETER = OpenApiParameter("case", int, description="the case's records (logged)")


def _opened(model, pk, user, *, what: str, message: str, action=AuditAction.VIEW):
    if not str(pk).isdigit() or len(str(pk)) > 18:
        raise NotFound("not_found", message)
    case_id = model.objects.filter(pk=int(pk)).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound("not_found", message)
    try:
        open_case(user, case_id, action=action, what=what)
    except PermissionRefused as refusal:
        if refusal.code != "case_access_denied":
            raise
        raise NotFound("not_found", message)
    return model.objects.get(pk=int(pk))


def _case_param(request) -> int:
    case_id = request.query_params.get("case", "")
    if not case_id.isdigit() or len(case_id) > 18:
        raise DomainError("case_required", "case: ange ett ärendenummer (id).")
    return int(case_id)


class IncorrectPaymentSerializer(serializers.ModelSerializer):
    registered_by = serializers.CharField(source="registered_by.username", read_only=True)

    class Meta:
        model = IncorrectPayment
        fields = [
            "id", "case", "cause", "amount", "period_start", "period_end", "description",
            "control_flag_id", "corrects", "registered_by", "registered_at",
        ]  # fmt: skip
        read_only_fields = fields


class IncorrectPaymentInput(serializers.Serializer):
    case = serializers.IntegerField(min_value=1)
    cause = serializers.ChoiceField(choices=IncorrectPaymentCause.choices)
    amount = serializers.CharField(max_length=20)
    period_from = MonthField()
    period_to = MonthField()
    description = serializers.CharField(max_length=4000)
    corrects = serializers.IntegerField(min_value=1, required=False)


class EntrySerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = RecoveryEntry
        fields = ["id", "claim", "kind", "amount", "month", "payment_order_id", "note",
                  "recorded_by", "recorded_at"]  # fmt: skip
        read_only_fields = fields


class RecoveryClaimSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True)
    balance = serializers.SerializerMethodField()
    in_force = serializers.SerializerMethodField()
    # "verified" | "unverified" (docs/recovery.md); plain strings: one choice set, two fields.
    law_status = serializers.CharField(read_only=True)
    appeal_status = serializers.CharField(read_only=True)

    class Meta:
        model = RecoveryClaim
        fields = [
            "id", "reference", "case", "incorrect_payment", "replaces", "amount", "ground",
            "legal_basis", "law_status", "appealable", "appeal_status", "reasoning", "plan",
            "monthly_amount", "first_month", "minimum_left", "consent_on", "decided_by",
            "decided_at", "letter_sha256", "balance", "in_force",
        ]  # fmt: skip
        read_only_fields = fields

    def get_balance(self, claim) -> str:
        return str(recovery.balance(claim))

    def get_in_force(self, claim) -> bool:
        return recovery.in_force(claim)


class RecoveryInput(serializers.Serializer):
    incorrect_payment = serializers.IntegerField(min_value=1)
    amount = serializers.CharField(max_length=20)
    ground = serializers.ChoiceField(choices=GROUND_CHOICES)
    reasoning = serializers.CharField(max_length=4000)
    plan = serializers.ChoiceField(choices=PlanKind.choices)
    monthly_amount = serializers.CharField(max_length=20)
    first_month = MonthField()
    minimum_left = serializers.CharField(max_length=20, required=False, allow_blank=True)
    consent_on = serializers.DateField(required=False, allow_null=True)
    replaces = serializers.IntegerField(min_value=1, required=False)


class RepaymentInput(serializers.Serializer):
    amount = serializers.CharField(max_length=20)
    paid_on = serializers.DateField()
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class WriteOffInput(serializers.Serializer):
    amount = serializers.CharField(max_length=20, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=4000)


class IncorrectPaymentViewSet(viewsets.GenericViewSet):
    """Incorrect payments on cases the user may open."""

    queryset = IncorrectPayment.objects.none()
    serializer_class = IncorrectPaymentSerializer
    lookup_value_regex = ID_PATTERN

    @extend_schema(
        summary="The incorrect payments of one case (?case=)", parameters=[CASE_PARAMETER]
    )
    def list(self, request: Request) -> Response:
        case = _open_case(request.user, _case_param(request), what="incorrect_payments")
        rows = IncorrectPayment.objects.filter(case=case).select_related("registered_by")
        return Response(IncorrectPaymentSerializer(rows, many=True).data)

    @extend_schema(summary="One incorrect payment (logged)")
    def retrieve(self, request: Request, pk: str) -> Response:
        payment = _opened(IncorrectPayment, pk, request.user, what="incorrect_payment",
                          message=PAYMENT_NOT_FOUND)  # fmt: skip
        return Response(IncorrectPaymentSerializer(payment).data)

    @extend_schema(
        summary="Register an incorrect payment (or a correction of one: corrects=id)",
        request=IncorrectPaymentInput,
        responses={201: IncorrectPaymentSerializer},
    )
    def create(self, request: Request) -> Response:
        data = _validated(IncorrectPaymentInput, request.data)
        case = _open_case(request.user, data["case"], what="incorrect_payment")
        corrects = None
        if data.get("corrects"):
            corrects = IncorrectPayment.objects.filter(pk=data["corrects"], case=case).first()
            if corrects is None:
                raise NotFound("not_found", PAYMENT_NOT_FOUND)
        payment = recovery.register_incorrect_payment(
            request.user, case, cause=data["cause"], amount=data["amount"],
            period_from=data["period_from"], period_to=data["period_to"],
            description=data["description"], corrects=corrects,
        )  # fmt: skip
        return Response(IncorrectPaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class RecoveryClaimViewSet(viewsets.GenericViewSet):
    """Recovery claims (återkrav) on cases the user may open, with balance and ledger."""

    queryset = RecoveryClaim.objects.none()
    serializer_class = RecoveryClaimSerializer
    lookup_value_regex = ID_PATTERN

    def _claim(self, request, pk, what: str) -> RecoveryClaim:
        return _opened(RecoveryClaim, pk, request.user, what=what, message=CLAIM_NOT_FOUND)

    @extend_schema(summary="The recovery claims of one case (?case=)", parameters=[CASE_PARAMETER])
    def list(self, request: Request) -> Response:
        case = _open_case(request.user, _case_param(request), what="recovery_claims")
        claims = RecoveryClaim.objects.filter(case=case).select_related("decided_by")
        return Response(RecoveryClaimSerializer(claims, many=True).data)

    @extend_schema(summary="One claim with its balance and ledger (logged)")
    def retrieve(self, request: Request, pk: str) -> Response:
        claim = self._claim(request, pk, "recovery_claim")
        entries = RecoveryEntry.objects.filter(claim_id__in=recovery.chain_ids(claim))
        return Response(
            {
                **RecoveryClaimSerializer(claim).data,
                "entries": EntrySerializer(entries.select_related("recorded_by"), many=True).data,
            }
        )

    @extend_schema(
        summary="Decide a recovery claim (replaces=id for a corrected decision)",
        request=RecoveryInput,
        responses={201: RecoveryClaimSerializer},
    )
    def create(self, request: Request) -> Response:
        data = _validated(RecoveryInput, request.data)
        payment = _opened(IncorrectPayment, data["incorrect_payment"], request.user,
                          what="decide_recovery", message=PAYMENT_NOT_FOUND)  # fmt: skip
        replaces = None
        if data.get("replaces"):
            replaces = RecoveryClaim.objects.filter(
                pk=data["replaces"], case_id=payment.case_id
            ).first()
            if replaces is None:
                raise NotFound("not_found", CLAIM_NOT_FOUND)
        claim = recovery.decide_recovery(
            request.user, payment, amount=data["amount"], ground=data["ground"],
            reasoning=data["reasoning"], plan=data["plan"],
            monthly_amount=data["monthly_amount"], first_month=data["first_month"],
            minimum_left=data.get("minimum_left"), consent_on=data.get("consent_on"),
            replaces=replaces,
        )  # fmt: skip
        return Response(RecoveryClaimSerializer(claim).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Record a repayment against the balance", request=RepaymentInput)
    @action(detail=True, methods=["post"])
    def repayment(self, request: Request, pk: str) -> Response:
        claim = self._claim(request, pk, "recovery_repayment")
        data = _validated(RepaymentInput, request.data)
        entry = recovery.record_repayment(request.user, claim, amount=data["amount"],
                                          paid_on=data["paid_on"], note=data.get("note", ""))  # fmt: skip
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Write off all or part of the balance (with reason)", request=WriteOffInput
    )
    @action(detail=True, methods=["post"], url_path="write-off")
    def write_off(self, request: Request, pk: str) -> Response:
        claim = self._claim(request, pk, "recovery_write_off")
        data = _validated(WriteOffInput, request.data)
        entry = recovery.write_off(request.user, claim, amount=data.get("amount"),
                                   reason=data["reason"])  # fmt: skip
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("incorrect-payments", IncorrectPaymentViewSet, basename="incorrect-payment")
    router.register("recovery-claims", RecoveryClaimViewSet, basename="recovery-claim")
