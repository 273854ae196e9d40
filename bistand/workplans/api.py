"""JSON API for work plans, follow-ups and interventions. Thin: writes call
workplans.services; reads go through cases.selectors (open_case / cases_visible_to), so the
same access rules hold as for the case, and every read is logged (channel "api").

A plan, follow-up or intervention on a case the reader may not open answers exactly like
one that does not exist (404), and the refusal is logged, so ids cannot be probed.

Wire with `register(router)` from bistand/api_urls.py.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import Case
from bistand.cases.selectors import cases_visible_to, open_case
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.core.serializers import limit_texts
from bistand.core.text import LONG_TEXT

from . import selectors, services
from .models import (
    ActivityParty,
    Attendance,
    ConsentMethod,
    FollowUp,
    FollowUpMethod,
    Intervention,
    InterventionResult,
    InterventionTarget,
    PlanState,
    Programme,
    WorkPlan,
    WorkPlanVersion,
)

ID_PATTERN = r"\d{1,18}"
CASE_NOT_FOUND = "Ärendet finns inte eller så saknar du behörighet."
PLAN_NOT_FOUND = "Arbetsplanen finns inte eller så saknar du behörighet."
FOLLOW_UP_NOT_FOUND = "Uppföljningen finns inte eller så saknar du behörighet."
INTERVENTION_NOT_FOUND = "Insatsen finns inte eller så saknar du behörighet."


def validated(serializer_class: type[serializers.Serializer], data) -> dict:
    serializer = limit_texts(serializer_class(data=data))
    if not serializer.is_valid():
        lines = []
        for field, errors in serializer.errors.items():
            for error in errors if isinstance(errors, list) else [errors]:
                lines.append(f"{field}: {error}")
        raise DomainError("invalid", "; ".join(lines))
    return serializer.validated_data


# --- Access -----------------------------------------------------------------------------


def _open_case(user, case_id, *, what: str, not_found: str = CASE_NOT_FOUND) -> Case:
    """open_case (checks and logs), answering a refused case as one that does not exist."""
    try:
        return open_case(user, int(case_id), what=what)
    except (TypeError, ValueError):
        raise NotFound("case_not_found", not_found)
    except PermissionRefused as refusal:
        if refusal.code != "case_access_denied":
            raise
        raise NotFound("not_found", not_found)
    except NotFound:
        raise NotFound("not_found", not_found)


def _case_for_write(user, case_id, *, not_found: str = CASE_NOT_FOUND) -> Case:
    """The case a write acts on; the service logs the write. A case the user may not open
    answers as not found (open_case logs the refusal)."""
    try:
        case = cases_visible_to(user).filter(pk=int(case_id)).first()
    except (TypeError, ValueError):
        raise NotFound("case_not_found", not_found)
    return case or _open_case(user, case_id, what="write", not_found=not_found)


def _case_id_of(model, pk, not_found: str, lookup: str = "case_id") -> int:
    case_id = model.objects.filter(pk=pk).values_list(lookup, flat=True).first()
    if case_id is None:
        raise NotFound("not_found", not_found)
    return case_id


def _case_param(request: Request) -> str | None:
    value = request.query_params.get("case")
    if value is not None and not value.isdigit():
        raise DomainError("bad_case", "case: ange ett ärendenummer (id).")
    return value


# --- Output -----------------------------------------------------------------------------


class VersionSerializer(serializers.ModelSerializer):
    goals = serializers.ListField(child=serializers.DictField(), read_only=True)
    activities = serializers.ListField(child=serializers.DictField(), read_only=True)
    follow_ups = serializers.ListField(
        source="planned_follow_ups", child=serializers.DictField(), read_only=True
    )
    notes = serializers.SerializerMethodField()
    confirmed = serializers.BooleanField(source="is_confirmed", read_only=True)

    class Meta:
        model = WorkPlanVersion
        fields = [
            "number",
            "valid_from",
            "valid_to",
            "case_type",
            "goals",
            "activities",
            "follow_ups",
            "notes",
            "confirmed",
            "consent_on",
            "consent_method",
            "consent_note",
            "confirmed_at",
            "created_at",
            "changes",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_notes(self, version: WorkPlanVersion) -> str:
        return version.content.get("notes", "")


class WorkPlanSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", read_only=True)
    state = serializers.SerializerMethodField()
    current_version = serializers.SerializerMethodField()
    draft = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()
    flags = serializers.SerializerMethodField()

    class Meta:
        model = WorkPlan
        fields = [
            "id",
            "case",
            "state",
            "due_on",
            "next_follow_up_on",
            "next_follow_up_method",
            "current_version",
            "draft",
            "versions",
            "flags",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=PlanState.choices))
    def get_state(self, plan: WorkPlan) -> str:
        return selectors.plan_state(plan.case, plan)

    @extend_schema_field(VersionSerializer(allow_null=True))
    def get_current_version(self, plan: WorkPlan):
        version = plan.latest_confirmed()
        return VersionSerializer(version).data if version else None

    @extend_schema_field(VersionSerializer(allow_null=True))
    def get_draft(self, plan: WorkPlan):
        version = plan.draft()
        return VersionSerializer(version).data if version else None

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_versions(self, plan: WorkPlan) -> list[int]:
        return list(plan.versions.order_by("number").values_list("number", flat=True))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_flags(self, plan: WorkPlan) -> list[str]:
        return selectors.open_items(plan.case, plan)


class FollowUpSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="plan.case_id", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.get_full_name", read_only=True)
    corrected = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "case",
            "plan",
            "due_on",
            "held_on",
            "method",
            "took_place",
            "outcome",
            "next_on",
            "next_method",
            "income_change",
            "new_support_obstacle",
            "corrects",
            "corrected",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_corrected(self, follow_up: FollowUp) -> bool:
        return follow_up.corrections.exists()


class InterventionSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    programme_name = serializers.CharField(source="programme.name", read_only=True, default="")
    target_label = serializers.CharField(read_only=True)

    class Meta:
        model = Intervention
        fields = [
            "id",
            "case",
            "person",
            "person_name",
            "target",
            "target_label",
            "programme",
            "programme_name",
            "purpose",
            "status",
            "referred_on",
            "started_on",
            "ended_on",
            "attendance",
            "result",
            "result_note",
        ]
        read_only_fields = fields


# --- Input ------------------------------------------------------------------------------


class GoalInput(serializers.Serializer):
    text = serializers.CharField(max_length=500)
    target_on = serializers.DateField(required=False, allow_null=True)


class ActivityInput(serializers.Serializer):
    text = serializers.CharField(max_length=500)
    party = serializers.ChoiceField(choices=ActivityParty.choices)
    partner = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    due_on = serializers.DateField(required=False, allow_null=True)


class PlannedFollowUpInput(serializers.Serializer):
    on = serializers.DateField()
    method = serializers.ChoiceField(choices=FollowUpMethod.choices)


class PlanDraftInput(serializers.Serializer):
    case = serializers.IntegerField()
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_to = serializers.DateField(required=False, allow_null=True)
    goals = GoalInput(many=True, required=False)
    activities = ActivityInput(many=True, required=False)
    follow_ups = PlannedFollowUpInput(many=True, required=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ConsentInput(serializers.Serializer):
    consent_on = serializers.DateField(required=False, allow_null=True)
    consent_method = serializers.ChoiceField(choices=ConsentMethod.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class FollowUpInput(serializers.Serializer):
    case = serializers.IntegerField()
    held_on = serializers.DateField()
    method = serializers.ChoiceField(choices=FollowUpMethod.choices)
    took_place = serializers.BooleanField(default=True)
    outcome = serializers.CharField(max_length=LONG_TEXT)
    next_on = serializers.DateField()
    next_method = serializers.ChoiceField(
        choices=FollowUpMethod.choices, required=False, allow_blank=True, default=""
    )
    income_change = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    new_support_obstacle = serializers.CharField(required=False, allow_blank=True, default="")
    corrects = serializers.IntegerField(required=False, allow_null=True)


class ReferralInput(serializers.Serializer):
    case = serializers.IntegerField()
    person = serializers.IntegerField()
    target = serializers.ChoiceField(choices=InterventionTarget.choices)
    programme = serializers.IntegerField(required=False, allow_null=True)
    referred_on = serializers.DateField(required=False, allow_null=True)
    purpose = serializers.CharField(required=False, allow_blank=True, default="")


class StartInput(serializers.Serializer):
    started_on = serializers.DateField(required=False, allow_null=True)


class EndInput(serializers.Serializer):
    ended_on = serializers.DateField(required=False, allow_null=True)
    attendance = serializers.ChoiceField(choices=Attendance.choices)
    result = serializers.ChoiceField(choices=InterventionResult.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


CASE_PARAMETER = OpenApiParameter(
    "case", int, description="Only this case (the read of the case is logged)."
)


def _log_list(user, case_ids: list[int], what: str) -> None:
    if case_ids:
        selectors.log_case_list(user, list(Case.objects.filter(pk__in=set(case_ids))), what)
    else:
        record(user, AuditAction.VIEW, object_type=what, detail={"what": what})


# --- Views ------------------------------------------------------------------------------


@extend_schema(tags=["workplans"])
class WorkPlanViewSet(viewsets.GenericViewSet):
    """Work plans of cases the user may open."""

    queryset = WorkPlan.objects.none()  # schema hint only: reads go through cases.selectors
    serializer_class = WorkPlanSerializer
    lookup_value_regex = ID_PATTERN

    @extend_schema(
        summary="Plans you may read (each case listed is logged as read)",
        parameters=[CASE_PARAMETER],
    )
    def list(self, request: Request) -> Response:
        case_id = _case_param(request)
        if case_id is not None:
            case = _open_case(request.user, case_id, what="workplan")
            # One case's plans come in the same page shape as the list of all (as declared).
            page = self.paginate_queryset(
                WorkPlan.objects.filter(case=case).select_related("case").order_by("id")
            )
            return self.get_paginated_response(WorkPlanSerializer(page, many=True).data)
        plans = (
            WorkPlan.objects.filter(case__in=cases_visible_to(request.user))
            .select_related("case")
            .order_by("case_id")
        )
        page = self.paginate_queryset(plans)
        shown = list(page if page is not None else plans)
        _log_list(request.user, [p.case_id for p in shown], "workplan_list")
        data = WorkPlanSerializer(shown, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(summary="One plan with its current version and draft (logged)")
    def retrieve(self, request: Request, pk: str) -> Response:
        case_id = _case_id_of(WorkPlan, pk, PLAN_NOT_FOUND)
        _open_case(request.user, case_id, what=f"workplan:{pk}", not_found=PLAN_NOT_FOUND)
        plan = WorkPlan.objects.select_related("case").get(pk=pk)
        return Response(WorkPlanSerializer(plan).data)

    @extend_schema(
        summary="Save the plan's draft (a new version after a confirmed one)",
        request=PlanDraftInput,
        responses={201: WorkPlanSerializer},
    )
    def create(self, request: Request) -> Response:
        data = validated(PlanDraftInput, request.data)
        case = _case_for_write(request.user, data["case"])
        version = services.save_plan_draft(
            request.user,
            case,
            content={
                "goals": data.get("goals", []),
                "activities": data.get("activities", []),
                "follow_ups": data.get("follow_ups", []),
                "notes": data.get("notes", ""),
            },
            valid_from=data.get("valid_from"),
            valid_to=data.get("valid_to"),
        )
        plan = WorkPlan.objects.select_related("case").get(pk=version.plan_id)
        return Response(WorkPlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Record the client's consent to the draft", request=ConsentInput)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        case_id = _case_id_of(WorkPlan, pk, PLAN_NOT_FOUND)
        case = _case_for_write(request.user, case_id, not_found=PLAN_NOT_FOUND)
        data = validated(ConsentInput, request.data)
        services.confirm_plan(
            request.user,
            case,
            consent_on=data.get("consent_on"),
            method=data["consent_method"],
            note=data.get("note", ""),
        )
        plan = WorkPlan.objects.select_related("case").get(pk=pk)
        return Response(WorkPlanSerializer(plan).data)


@extend_schema(tags=["workplans"])
class FollowUpViewSet(viewsets.GenericViewSet):
    """Follow-ups of plans. Final once recorded: a correction is a new follow-up."""

    queryset = FollowUp.objects.none()
    serializer_class = FollowUpSerializer
    lookup_value_regex = ID_PATTERN
    # One case's rows (or the caller's open appeals): a bare list, declared so (no limit/offset).
    pagination_class = None

    @extend_schema(summary="Follow-ups of a case (logged)", parameters=[CASE_PARAMETER])
    def list(self, request: Request) -> Response:
        case_id = _case_param(request)
        if case_id is None:
            raise DomainError("case_required", "Ange ärendet: ?case=<id>.")
        case = _open_case(request.user, case_id, what="follow_ups")
        follow_ups = FollowUp.objects.filter(plan__case=case).select_related("plan", "recorded_by")
        return Response(FollowUpSerializer(follow_ups, many=True).data)

    @extend_schema(summary="One follow-up (logged)")
    def retrieve(self, request: Request, pk: str) -> Response:
        case_id = _case_id_of(FollowUp, pk, FOLLOW_UP_NOT_FOUND, "plan__case_id")
        _open_case(request.user, case_id, what=f"follow_up:{pk}", not_found=FOLLOW_UP_NOT_FOUND)
        follow_up = FollowUp.objects.select_related("plan", "recorded_by").get(pk=pk)
        return Response(FollowUpSerializer(follow_up).data)

    @extend_schema(
        summary="Record a follow-up (held or missed) with the next date",
        request=FollowUpInput,
        responses={201: FollowUpSerializer},
    )
    def create(self, request: Request) -> Response:
        data = validated(FollowUpInput, request.data)
        case = _case_for_write(request.user, data["case"])
        corrects = None
        if data.get("corrects"):
            corrects = FollowUp.objects.filter(pk=data["corrects"], plan__case=case).first()
            if corrects is None:
                raise NotFound("not_found", FOLLOW_UP_NOT_FOUND)
        follow_up = services.record_follow_up(
            request.user,
            case,
            held_on=data["held_on"],
            method=data["method"],
            took_place=data["took_place"],
            outcome=data["outcome"],
            next_on=data["next_on"],
            next_method=data.get("next_method", ""),
            income_change=data.get("income_change"),
            new_support_obstacle=data.get("new_support_obstacle", ""),
            corrects=corrects,
        )
        return Response(FollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["workplans"])
class InterventionViewSet(viewsets.GenericViewSet):
    """Referrals to programmes and partner agencies, with start, end, attendance and result."""

    queryset = Intervention.objects.none()
    serializer_class = InterventionSerializer
    lookup_value_regex = ID_PATTERN

    @extend_schema(summary="Interventions you may read (logged)", parameters=[CASE_PARAMETER])
    def list(self, request: Request) -> Response:
        case_id = _case_param(request)
        if case_id is not None:
            case = _open_case(request.user, case_id, what="interventions")
            page = self.paginate_queryset(
                Intervention.objects.filter(case=case)
                .select_related("person", "programme")
                .order_by("-referred_on", "-id")
            )
            return self.get_paginated_response(InterventionSerializer(page, many=True).data)
        items = (
            Intervention.objects.filter(case__in=cases_visible_to(request.user))
            .select_related("person", "programme")
            .order_by("-referred_on", "-id")
        )
        page = self.paginate_queryset(items)
        shown = list(page if page is not None else items)
        _log_list(request.user, [i.case_id for i in shown], "intervention_list")
        data = InterventionSerializer(shown, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(summary="One intervention (logged)")
    def retrieve(self, request: Request, pk: str) -> Response:
        case_id = _case_id_of(Intervention, pk, INTERVENTION_NOT_FOUND)
        _open_case(
            request.user, case_id, what=f"intervention:{pk}", not_found=INTERVENTION_NOT_FOUND
        )
        item = Intervention.objects.select_related("person", "programme").get(pk=pk)
        return Response(InterventionSerializer(item).data)

    @extend_schema(
        summary="Refer an adult of the household",
        request=ReferralInput,
        responses={201: InterventionSerializer},
    )
    def create(self, request: Request) -> Response:
        data = validated(ReferralInput, request.data)
        case = _case_for_write(request.user, data["case"])
        programme = None
        if data.get("programme"):
            programme = Programme.objects.filter(pk=data["programme"], unit_id=case.unit_id).first()
            if programme is None:
                raise DomainError("bad_programme", "Insatsen används inte av enheten.")
        item = services.refer(
            request.user,
            case,
            person=data["person"],
            target=data["target"],
            programme=programme,
            referred_on=data.get("referred_on"),
            purpose=data.get("purpose", ""),
        )
        return Response(InterventionSerializer(item).data, status=status.HTTP_201_CREATED)

    def _for_write(self, request: Request, pk: str) -> Intervention:
        case_id = _case_id_of(Intervention, pk, INTERVENTION_NOT_FOUND)
        _case_for_write(request.user, case_id, not_found=INTERVENTION_NOT_FOUND)
        return Intervention.objects.get(pk=pk)

    @extend_schema(summary="The intervention started", request=StartInput)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        item = self._for_write(request, pk)
        data = validated(StartInput, request.data)
        item = services.start_intervention(request.user, item, started_on=data.get("started_on"))
        return Response(InterventionSerializer(item).data)

    @extend_schema(summary="The intervention ended: attendance and result", request=EndInput)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        item = self._for_write(request, pk)
        data = validated(EndInput, request.data)
        item = services.end_intervention(
            request.user,
            item,
            ended_on=data.get("ended_on"),
            attendance=data["attendance"],
            result=data["result"],
            note=data.get("note", ""),
        )
        return Response(InterventionSerializer(item).data)


def register(router) -> None:
    """Register the workplans endpoints on the API router (bistand/api_urls.py)."""
    router.register("workplans", WorkPlanViewSet, basename="workplan")
    router.register("follow-ups", FollowUpViewSet, basename="follow-up")
    router.register("interventions", InterventionViewSet, basename="intervention")
