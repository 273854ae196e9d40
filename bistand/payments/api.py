"""JSON API for payments, with the same rules as the pages (it calls the same services and
selectors). The lead wires it in with `register(router)` in bistand/api_urls.py.

Account numbers: every serializer here shows the masked form only. A full number is given by
one endpoint, `GET /payees/{id}/account-number/`, to the finance role, and each read is logged.
"""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FileUploadParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from bistand.cases.selectors import open_case
from bistand.core.dates import parse_month
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.core.parsers import JSONParser
from bistand.decisions.models import DecisionLine
from bistand.households.api import validated

from . import selectors, services
from .models import (
    AccountKind,
    Attestation,
    OrderStatus,
    Payee,
    PayeeAccount,
    PayeeException,
    PayeeKind,
    PaymentMethod,
    PaymentOrder,
    PaymentRun,
    RunStatus,
    StatusReportImport,
)
from .permissions import require


def _choices(choices) -> str:
    return ", ".join(f"{value} ({label})" for value, label in choices)


def choice_text(choices, **kwargs) -> serializers.CharField:
    """A choice as plain text with the values in its help text: the schema gets no enum
    component, so choice sets named alike in other apps never collide."""
    return serializers.CharField(help_text=_choices(choices), **kwargs)


# --- Output ------------------------------------------------------------------------------------


class AccountVersionSerializer(serializers.ModelSerializer):
    """An account version: masked (the model holds nothing else)."""

    kind = choice_text(AccountKind.choices, read_only=True)
    registered_by = serializers.CharField(source="registered_by.__str__", read_only=True)

    class Meta:
        model = PayeeAccount
        fields = [
            "version",
            "kind",
            "bank_name",
            "masked",
            "reason",
            "registered_by",
            "registered_at",
        ]
        read_only_fields = fields


class PayeeSerializer(serializers.ModelSerializer):
    kind = choice_text(PayeeKind.choices, read_only=True)
    account = AccountVersionSerializer(source="current_account", read_only=True, allow_null=True)

    class Meta:
        model = Payee
        fields = ["id", "kind", "name", "organisation_number", "person", "account", "created_at"]
        read_only_fields = fields


class AttestationSerializer(serializers.ModelSerializer):
    attested_by = serializers.CharField(source="attested_by.__str__", read_only=True)

    class Meta:
        model = Attestation
        fields = ["level", "attested_by", "role", "amount_limit", "attested_at"]
        read_only_fields = fields


class PayeeExceptionSerializer(serializers.ModelSerializer):
    approved_by = serializers.CharField(source="approved_by.__str__", read_only=True)

    class Meta:
        model = PayeeException
        fields = ["approved_by", "role", "reason", "approved_at"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    method = choice_text(PaymentMethod.choices, read_only=True)
    status = choice_text(OrderStatus.choices, read_only=True)
    decision_reference = serializers.CharField(source="decision.reference", read_only=True)
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    budget_account = serializers.CharField(source="budget_account.code", read_only=True)
    attestations = AttestationSerializer(many=True, read_only=True)
    payee_exception = serializers.SerializerMethodField()

    class Meta:
        model = PaymentOrder
        fields = [
            "id",
            "reference",
            "case",
            "case_reference",
            "decision",
            "decision_reference",
            "decision_line",
            "month",
            "budget_account",
            "amount",
            "method",
            "payee",
            "payee_name",
            "payee_masked",
            "ocr_reference",
            "message",
            "invoice_number",
            "due_on",
            "pay_on",
            "requisition_number",
            "requisition_supplier",
            "requisition_valid_until",
            "status",
            "run",
            "paid_on",
            "returned_on",
            "bank_status_code",
            "bank_reason_code",
            "bank_reason",
            "cancel_reason",
            "reissue_of",
            "created_at",
            "attestations",
            "payee_exception",
        ]
        read_only_fields = fields

    @extend_schema_field(PayeeExceptionSerializer(allow_null=True))
    def get_payee_exception(self, order: PaymentOrder) -> dict | None:
        exception = PayeeException.objects.filter(order_id=order.pk).first()
        return PayeeExceptionSerializer(exception).data if exception else None


class RunSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    status = choice_text(RunStatus.choices, read_only=True)

    class Meta:
        model = PaymentRun
        fields = [
            "id",
            "reference",
            "payment_date",
            "status",
            "revision",
            "message_id",
            "order_count",
            "control_sum",
            "file_sha256",
            "file_size",
            "created_at",
            "built_at",
            "sent_at",
            "cancelled_at",
            "cancel_reason",
        ]
        read_only_fields = fields


class StatusReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatusReportImport
        fields = [
            "id",
            "message_type",
            "message_id",
            "original_message_id",
            "run",
            "filename",
            "paid_count",
            "rejected_count",
            "pending_count",
            "unchanged_count",
            "problems",
            "imported_at",
        ]
        read_only_fields = fields


# --- Input -------------------------------------------------------------------------------------


class PersonPayeeInput(serializers.Serializer):
    identity_number = serializers.CharField()
    clearing = serializers.CharField()
    account_number = serializers.CharField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class OrganisationPayeeInput(serializers.Serializer):
    name = serializers.CharField()
    organisation_number = serializers.CharField()
    account_kind = choice_text(AccountKind.choices)
    number = serializers.CharField()
    clearing = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class PayeeInput(serializers.Serializer):
    kind = choice_text(PayeeKind.choices)

    def validate_kind(self, value: str) -> str:
        if value not in PayeeKind.values:
            raise serializers.ValidationError("Ange person eller organisation.")
        return value


class ChangeAccountInput(serializers.Serializer):
    account_kind = choice_text(AccountKind.choices)
    number = serializers.CharField()
    clearing = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField()


class OrderInputSerializer(serializers.Serializer):
    decision_line = serializers.IntegerField(min_value=1)
    method = choice_text(PaymentMethod.choices)
    amount = serializers.CharField()
    payee = serializers.IntegerField(required=False, allow_null=True, default=None)
    pay_on = serializers.DateField(required=False, allow_null=True, default=None)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    ocr_reference = serializers.CharField(required=False, allow_blank=True, default="")
    invoice_number = serializers.CharField(required=False, allow_blank=True, default="")
    message = serializers.CharField(required=False, allow_blank=True, default="")
    requisition_supplier = serializers.CharField(required=False, allow_blank=True, default="")
    requisition_valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    cash_reason = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    request_payee_exception = serializers.BooleanField(required=False, default=False)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField()


class ManualPaymentInput(serializers.Serializer):
    paid_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField()


class RunInput(serializers.Serializer):
    payment_date = serializers.DateField()


# --- Viewsets ----------------------------------------------------------------------------------


ID = r"\d{1,18}"


class PayeeViewSet(viewsets.GenericViewSet):
    serializer_class = PayeeSerializer
    lookup_value_regex = ID

    def get_queryset(self):
        return selectors.payees_for(self.request.user).order_by("name", "id")

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        selectors.log_payee_list(request.user, "payee_list_api", page)
        return self.get_paginated_response(PayeeSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        payee = selectors.payee_for(request.user, int(pk))
        return Response(PayeeSerializer(payee).data)

    @extend_schema(request=OrganisationPayeeInput, responses={201: PayeeSerializer})
    def create(self, request: Request) -> Response:
        """Register a payee: `kind` person (applicant's bank account) or organisation."""
        require(request.user, "manage_payees")
        kind = validated(PayeeInput, request.data)["kind"]
        if kind == "person":
            payee = services.register_person_payee(
                request.user, **validated(PersonPayeeInput, request.data)
            )
        else:
            payee = services.register_organisation_payee(
                request.user, **validated(OrganisationPayeeInput, request.data)
            )
        return Response(PayeeSerializer(payee).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ChangeAccountInput, responses=AccountVersionSerializer)
    @action(detail=True, methods=["post"], url_path="change-account")
    def change_account(self, request: Request, pk: str) -> Response:
        require(request.user, "manage_payees")
        payee = selectors.payee_for(request.user, int(pk))
        version = services.change_payee_account(
            request.user, payee, **validated(ChangeAccountInput, request.data)
        )
        return Response(AccountVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str) -> Response:
        payee = selectors.payee_for(request.user, int(pk))
        return Response(AccountVersionSerializer(selectors.account_history(payee), many=True).data)

    @extend_schema(responses={200: {"type": "object"}})
    @action(detail=True, methods=["get"], url_path="account-number")
    def account_number(self, request: Request, pk: str) -> Response:
        """The full current account number: finance only, and the read is logged."""
        require(request.user, "view_full_account")
        payee = selectors.payee_for(request.user, int(pk))
        if payee.current_account is None:
            raise NotFound("no_account", "Mottagaren har inget konto.")
        number = selectors.full_account_number(request.user, payee.current_account)
        return Response({"version": payee.current_account.version, "account_number": number})


class PaymentOrderViewSet(viewsets.GenericViewSet):
    serializer_class = OrderSerializer
    lookup_value_regex = ID

    def get_queryset(self):
        qs = (
            selectors.orders_visible_to(self.request.user)
            .select_related("case", "decision", "budget_account", "payee")
            .prefetch_related("attestations__attested_by")
            .order_by("-id")
        )
        params = self.request.query_params
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("case", "").isdigit():
            qs = qs.filter(case_id=int(params["case"]))
        return qs

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        selectors.log_order_list(request.user, "payment_order_list_api", page)
        return self.get_paginated_response(OrderSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(OrderSerializer(selectors.order_for(request.user, int(pk))).data)

    @extend_schema(request=OrderInputSerializer, responses={201: OrderSerializer})
    def create(self, request: Request) -> Response:
        require(request.user, "create_order")
        data = validated(OrderInputSerializer, request.data)
        case_id = (
            DecisionLine.objects.filter(pk=data["decision_line"])
            .values_list("decision__case_id", flat=True)
            .first()
        )
        if case_id is None:
            raise NotFound("line_not_found", "Beslutsraden finns inte.")
        try:
            open_case(request.user, case_id, what="payment_order_new")
        except PermissionRefused:
            raise NotFound("line_not_found", "Beslutsraden finns inte.")
        line = DecisionLine.objects.get(pk=data.pop("decision_line"))
        payee_id = data.pop("payee")
        payee = None
        if payee_id is not None:
            payee = selectors.payee_for_order(request.user, payee_id)
            if payee is None:
                raise NotFound("payee_not_found", "Mottagaren finns inte.")
        order = services.create_payment_order(
            request.user, line, services.OrderInput(payee=payee, **data)
        )
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)

    def _order(self, request: Request, pk: str) -> PaymentOrder:
        return selectors.order_for(request.user, int(pk), what="payment_order_write")

    @extend_schema(request=None, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def attest(self, request: Request, pk: str) -> Response:
        order = services.attest_order(request.user, self._order(request, pk))
        return Response(OrderSerializer(PaymentOrder.objects.get(pk=order.pk)).data)

    @extend_schema(request=ReasonInput, responses=OrderSerializer)
    @action(detail=True, methods=["post"], url_path="approve-exception")
    def approve_exception(self, request: Request, pk: str) -> Response:
        reason = validated(ReasonInput, request.data)["reason"]
        order = self._order(request, pk)
        services.approve_payee_exception(request.user, order, reason=reason)
        return Response(OrderSerializer(PaymentOrder.objects.get(pk=order.pk)).data)

    @extend_schema(request=ReasonInput, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        reason = validated(ReasonInput, request.data)["reason"]
        order = services.cancel_order(request.user, self._order(request, pk), reason=reason)
        return Response(OrderSerializer(PaymentOrder.objects.get(pk=order.pk)).data)

    @extend_schema(request=ReasonInput, responses={201: OrderSerializer})
    @action(detail=True, methods=["post"])
    def reissue(self, request: Request, pk: str) -> Response:
        reason = validated(ReasonInput, request.data)["reason"]
        order = services.reissue_order(request.user, self._order(request, pk), reason=reason)
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ManualPaymentInput, responses=OrderSerializer)
    @action(detail=True, methods=["post"], url_path="record-paid")
    def record_paid(self, request: Request, pk: str) -> Response:
        data = validated(ManualPaymentInput, request.data)
        order = services.record_manual_payment(request.user, self._order(request, pk), **data)
        return Response(OrderSerializer(PaymentOrder.objects.get(pk=order.pk)).data)


class PaymentRunViewSet(viewsets.GenericViewSet):
    serializer_class = RunSerializer
    lookup_value_regex = ID

    def get_queryset(self):
        return selectors.runs_for(self.request.user).order_by("-id")

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RunSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(RunSerializer(selectors.run_for(request.user, int(pk))).data)

    @extend_schema(request=RunInput, responses={201: RunSerializer})
    def create(self, request: Request) -> Response:
        """Build (or rebuild) the run for a payment date: idempotent."""
        payment_date = validated(RunInput, request.data)["payment_date"]
        result = services.build_run(request.user, payment_date)
        return Response(RunSerializer(result.run).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RunSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: str) -> Response:
        run = services.mark_run_sent(request.user, selectors.run_for(request.user, int(pk)))
        return Response(RunSerializer(PaymentRun.objects.get(pk=run.pk)).data)

    @extend_schema(request=ReasonInput, responses=RunSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        reason = validated(ReasonInput, request.data)["reason"]
        run = services.cancel_run(
            request.user, selectors.run_for(request.user, int(pk)), reason=reason
        )
        return Response(RunSerializer(PaymentRun.objects.get(pk=run.pk)).data)

    @extend_schema(responses={(200, "application/xml"): bytes})
    @action(detail=True, methods=["get"])
    def file(self, request: Request, pk: str):
        import os
        import tempfile

        run = selectors.run_for(request.user, int(pk))
        fd, path = tempfile.mkstemp(prefix="betalningsfil-", suffix=".xml")
        os.close(fd)
        try:
            services.rewrite_run_file(request.user, run, path)
            handle = open(path, "rb")  # noqa: SIM115 (closed by FileResponse)
        finally:
            os.unlink(path)
        return FileResponse(
            handle,
            content_type="application/xml",
            as_attachment=True,
            filename=f"{run.message_id}.xml",
        )


class StatusReportViewSet(viewsets.GenericViewSet):
    """Upload the bank's pain.002 or camt.054 (multipart `file`, or the raw XML as the body)."""

    serializer_class = StatusReportSerializer
    parser_classes = [MultiPartParser, FileUploadParser, JSONParser]
    lookup_value_regex = ID

    def get_queryset(self):
        return selectors.reports_for(self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(StatusReportSerializer(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": {"type": "object"}}, responses=StatusReportSerializer
    )
    def create(self, request: Request) -> Response:
        require(request.user, "reconcile")
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError("file_required", "Skicka bankens fil som 'file'.")
        result = services.import_status_report(request.user, upload.read(), filename=upload.name)
        data = dict(StatusReportSerializer(result.report).data)
        data["already_imported"] = result.already_imported
        return Response(
            data, status=status.HTTP_200_OK if result.already_imported else status.HTTP_201_CREATED
        )


class AccountingExportViewSet(viewsets.ViewSet):
    """GET /accounting-export/?month=YYYY-MM&type=csv|sie (`format` is DRF's renderer switch)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, description="ÅÅÅÅ-MM", required=True),
            OpenApiParameter("type", str, enum=["csv", "sie"], description="csv or sie (SIE 4)"),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, "text/plain"): OpenApiTypes.BINARY,
        },
    )
    def list(self, request: Request):
        from django.http import HttpResponse

        try:
            month = parse_month(request.query_params.get("month", ""))
        except ValueError:
            raise DomainError("bad_month", "Ange månaden som ÅÅÅÅ-MM.")
        data, filename, content_type = services.export_accounting(
            request.user, month, request.query_params.get("type", "csv")
        )
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def register(router) -> None:
    """Add the payment endpoints to the API router (called from bistand/api_urls.py)."""
    router.register("payees", PayeeViewSet, basename="payee")
    router.register("payment-orders", PaymentOrderViewSet, basename="payment-order")
    router.register("payment-runs", PaymentRunViewSet, basename="payment-run")
    router.register("status-reports", StatusReportViewSet, basename="status-report")
    router.register("accounting-export", AccountingExportViewSet, basename="accounting-export")
