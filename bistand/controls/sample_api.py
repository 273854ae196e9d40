"""JSON API of the sample review and the review queue (/api/v1/sample-draws/,
/api/v1/sample-reviews/, /api/v1/corrective-actions/, /api/v1/review-queue/). Thin: writes
call controls.sample_services; reads go through sample_selectors and are logged like pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from bistand.core.errors import DomainError, NotFound
from bistand.organisation.models import User

from . import sample_selectors as selectors
from . import sample_services as services
from . import sampling
from .api import ID_PATTERN, MonthField, _validated
from .sample_checklist import points_of
from .sample_models import Answer, CorrectiveAction, SampleDraw, SampleItem


class SampleItemSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True, default=None)
    reviewed_by = serializers.CharField(source="reviewed_by.username", read_only=True,
                                        default=None)  # fmt: skip
    findings = serializers.SerializerMethodField()
    checklist = serializers.SerializerMethodField()

    class Meta:
        model = SampleItem
        fields = ["id", "draw", "position", "decision_id", "case_id", "decided_by_id", "reviewer",
                  "assigned_at", "checklist", "answers", "comments", "conclusion", "reviewed_by",
                  "reviewed_at", "findings"]  # fmt: skip
        read_only_fields = fields

    def get_checklist(self, item) -> list[dict]:
        """The points of the draw's checklist (`key`, `label`): what `answers` is keyed by."""
        return points_of(item.draw)

    def get_findings(self, item) -> list[dict]:
        return [
            {"id": f.pk, "point": f.point, "label": f.label, "description": f.description,
             "actions": [a.pk for a in f.actions.all()]}
            for f in item.findings.all()
        ]  # fmt: skip


class SampleDrawSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)
    drawn_by = serializers.CharField(source="drawn_by.username", read_only=True, default=None)
    items = SampleItemSerializer(many=True, read_only=True)

    class Meta:
        model = SampleDraw
        fields = ["id", "unit", "month", "seed", "seed_given", "size", "algorithm",
                  "candidate_ids", "excluded_ids", "drawn_ids", "drawn_by", "scheduled",
                  "drawn_at", "replaces", "reason", "items"]  # fmt: skip
        read_only_fields = fields


class CorrectiveActionSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)

    class Meta:
        model = CorrectiveAction
        fields = ["id", "finding", "description", "owner", "due_on", "status", "closing_note",
                  "closed_at"]  # fmt: skip
        read_only_fields = fields


class DrawInput(serializers.Serializer):
    month = MonthField()
    seed = serializers.IntegerField(min_value=0, max_value=sampling.MAX_SEED - 1, required=False)
    size = serializers.IntegerField(min_value=1, max_value=50, required=False)
    reviewer = serializers.CharField(max_length=150, required=False)


class RedrawInput(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)
    seed = serializers.IntegerField(min_value=0, max_value=sampling.MAX_SEED - 1, required=False)
    size = serializers.IntegerField(min_value=1, max_value=50, required=False)
    reviewer = serializers.CharField(max_length=150, required=False)


class AssignInput(serializers.Serializer):
    reviewer = serializers.CharField(max_length=150)


class ReviewInput(serializers.Serializer):
    answers = serializers.DictField(child=serializers.ChoiceField(choices=Answer.values))
    comments = serializers.DictField(child=serializers.CharField(max_length=4000,
                                     allow_blank=True), required=False)  # fmt: skip
    conclusion = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class ActionInput(serializers.Serializer):
    finding = serializers.IntegerField(min_value=1)
    description = serializers.CharField(max_length=4000)
    owner = serializers.CharField(max_length=150)
    due_on = serializers.DateField()


class CloseInput(serializers.Serializer):
    note = serializers.CharField(max_length=4000)


class SignoffInput(serializers.Serializer):
    kind = serializers.CharField(max_length=32)
    object_id = serializers.IntegerField(min_value=1, max_value=2**62)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


def _user(unit_id, username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, unit_id=unit_id, is_active=True).first()
    if user is None:
        raise DomainError("unknown_user", f"Användaren {username} finns inte på enheten.")
    return user


def _plain(value):
    """Dates and amounts as strings (money is never a float on the wire)."""
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_plain(inner) for inner in value]
    if isinstance(value, (dt.date, Decimal)):
        return str(value)
    return value


def _pk(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise NotFound("not_found", "Posten finns inte.")


class SampleDrawViewSet(viewsets.GenericViewSet):
    """The unit head's monthly draws."""

    queryset = SampleDraw.objects.none()
    serializer_class = SampleDrawSerializer
    lookup_value_regex = ID_PATTERN
    # The list answers a plain array (bounded: a unit's draws, one person's items), declared so.
    pagination_class = None

    def _draw(self, request, pk) -> SampleDraw:
        services_require(request.user)
        return selectors.draw_for(request.user, _pk(pk))

    @extend_schema(summary="The unit's draws (without items)")
    def list(self, request: Request) -> Response:
        services_require(request.user)
        draws = selectors.draws_of_unit(request.user)[:100]
        data = [{k: v for k, v in SampleDrawSerializer(d).data.items() if k != "items"}
                for d in draws.prefetch_related("items")]  # fmt: skip
        return Response(data)

    @extend_schema(summary="One draw with its items (reads of the cases logged)")
    def retrieve(self, request: Request, pk: str) -> Response:
        draw = self._draw(request, pk)
        services.log_reads(request.user, "sample_draw", list(draw.items.all()))
        return Response(SampleDrawSerializer(draw).data)

    @extend_schema(summary="Draw the month's sample", request=DrawInput,
                   responses={201: SampleDrawSerializer})  # fmt: skip
    def create(self, request: Request) -> Response:
        services_require(request.user)
        data = _validated(DrawInput, request.data)
        draw = services.draw_sample(
            request.user, request.user.unit, data["month"], seed=data.get("seed"),
            size=data.get("size"), reviewer=_user(request.user.unit_id, data.get("reviewer")),
        )  # fmt: skip
        draw = selectors.draw_for(request.user, draw.pk)
        return Response(SampleDrawSerializer(draw).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Redraw (a new draw with a reason)", request=RedrawInput,
                   responses={201: SampleDrawSerializer})  # fmt: skip
    @action(detail=True, methods=["post"])
    def redraw(self, request: Request, pk: str) -> Response:
        draw = self._draw(request, pk)
        data = _validated(RedrawInput, request.data)
        new = services.redraw_sample(
            request.user, draw, reason=data["reason"], seed=data.get("seed"),
            size=data.get("size"), reviewer=_user(request.user.unit_id, data.get("reviewer")),
        )  # fmt: skip
        new = selectors.draw_for(request.user, new.pk)
        return Response(SampleDrawSerializer(new).data, status=status.HTTP_201_CREATED)


def services_require(user) -> None:
    from .permissions import require

    require(user, "draw_sample")


class SampleReviewViewSet(viewsets.GenericViewSet):
    """Sample items: a reviewer's own (list), one item (reviewer or unit head)."""

    queryset = SampleItem.objects.none()
    serializer_class = SampleItemSerializer
    lookup_value_regex = ID_PATTERN
    # The list answers a plain array (bounded: a unit's draws, one person's items), declared so.
    pagination_class = None

    @extend_schema(summary="The reviews assigned to me")
    def list(self, request: Request) -> Response:
        items = list(selectors.reviews_assigned_to(request.user).prefetch_related(
            "findings__actions"))  # fmt: skip
        services.log_reads(request.user, "my_reviews", items)
        return Response(SampleItemSerializer(items, many=True).data)

    @extend_schema(summary="One review with the decision's facts (logged)")
    def retrieve(self, request: Request, pk: str) -> Response:
        item = selectors.item_for(request.user, _pk(pk))
        services.log_reads(request.user, "sample_review", [item])
        data = SampleItemSerializer(item).data
        decision = sampling.decision_summaries([item.decision_id]).get(item.decision_id)
        data["decision"] = _plain(decision)
        return Response(data)

    @extend_schema(summary="Assign a reviewer (unit head)", request=AssignInput)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        services_require(request.user)
        item = selectors.item_for(request.user, _pk(pk))
        data = _validated(AssignInput, request.data)
        reviewer = _user(request.user.unit_id, data["reviewer"])
        item = services.assign_reviewer(request.user, item, reviewer)
        return Response(SampleItemSerializer(item).data)

    @extend_schema(
        summary="Record the review (the assigned reviewer, once): `answers` and `comments` keyed "
        "by the keys of the item's `checklist` (the checklist the draw was drawn with)",
        request=ReviewInput,
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        item = selectors.item_for(request.user, _pk(pk))
        data = _validated(ReviewInput, request.data)
        item = services.record_review(request.user, item, answers=data["answers"],
                                      comments=data.get("comments") or {},
                                      conclusion=data.get("conclusion", ""))  # fmt: skip
        return Response(SampleItemSerializer(item).data)


class CorrectiveActionViewSet(viewsets.GenericViewSet):
    """Corrective actions: mine (list), created by the unit head, closed by their owner."""

    queryset = CorrectiveAction.objects.none()
    serializer_class = CorrectiveActionSerializer
    lookup_value_regex = ID_PATTERN
    # The list answers a plain array (bounded: a unit's draws, one person's items), declared so.
    pagination_class = None

    @extend_schema(summary="The actions I own")
    def list(self, request: Request) -> Response:
        actions = selectors.actions_owned_by(request.user)
        return Response(CorrectiveActionSerializer(actions, many=True).data)

    @extend_schema(summary="Add an action to a finding (unit head)", request=ActionInput,
                   responses={201: CorrectiveActionSerializer})  # fmt: skip
    def create(self, request: Request) -> Response:
        services_require(request.user)
        data = _validated(ActionInput, request.data)
        from .sample_models import Finding

        finding = Finding.objects.filter(pk=data["finding"],
                                         item__draw__unit_id=request.user.unit_id).first()  # fmt: skip
        if finding is None:
            raise NotFound("not_found", "Bristen finns inte eller så saknar du behörighet.")
        created = services.add_corrective_action(
            request.user, finding, description=data["description"],
            owner=_user(request.user.unit_id, data["owner"]), due_on=data["due_on"],
        )  # fmt: skip
        return Response(CorrectiveActionSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Close my action", request=CloseInput)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        found = selectors.action_for(request.user, _pk(pk))
        data = _validated(CloseInput, request.data)
        found = services.close_corrective_action(request.user, found, note=data["note"])
        return Response(CorrectiveActionSerializer(found).data)


class QueueRowSerializer(serializers.Serializer):
    kind = serializers.CharField()
    object_id = serializers.IntegerField()
    summary = serializers.CharField()
    made_at = serializers.DateTimeField()
    made_by = serializers.CharField()
    case_id = serializers.IntegerField(allow_null=True)
    own = serializers.BooleanField()
    signed_by = serializers.CharField(allow_null=True)
    signed_at = serializers.DateTimeField(allow_null=True)


class SignedOffSerializer(serializers.Serializer):
    kind = serializers.CharField()
    object_id = serializers.IntegerField()
    signed_by = serializers.CharField()
    signed_at = serializers.DateTimeField()


class ReviewQueueViewSet(viewsets.GenericViewSet):
    """The review queue of the unit (unit head)."""

    queryset = SampleItem.objects.none()
    serializer_class = QueueRowSerializer
    lookup_value_regex = ID_PATTERN
    # The list answers a plain array (bounded: a unit's draws, one person's items), declared so.
    pagination_class = None

    @extend_schema(
        summary="The unit's changes to review (?from=YYYY-MM-DD)",
        parameters=[OpenApiParameter("from", str)],
        responses={200: QueueRowSerializer(many=True)},
    )
    def list(self, request: Request) -> Response:
        from .permissions import require

        require(request.user, "review_queue")
        since = services.queue_since(request.query_params.get("from", ""))
        rows = selectors.queue(request.user, since)
        services.log_reads(request.user, "review_queue", [r["item"] for r in rows])
        return Response([
            {"kind": r["item"].kind, "object_id": r["item"].object_id,
             "summary": r["item"].summary, "made_at": r["item"].made_at, "made_by": r["item"].made_by,
             "case_id": r["item"].case_id, "own": r["own"],
             "signed_by": r["signoff"].signed_by.username if r["signoff"] else None,
             "signed_at": r["signoff"].signed_at if r["signoff"] else None}
            for r in rows
        ])  # fmt: skip

    @extend_schema(
        summary="Sign off one change (once; not one's own)",
        request=SignoffInput,
        responses={201: SignedOffSerializer},
    )
    @action(detail=False, methods=["post"], url_path="sign-off")
    def sign_off(self, request: Request) -> Response:
        data = _validated(SignoffInput, request.data)
        signoff = services.sign_off_queue_item(request.user, data["kind"], data["object_id"],
                                               note=data.get("note", ""))  # fmt: skip
        return Response({"kind": signoff.kind, "object_id": signoff.object_id,
                         "signed_by": request.user.username, "signed_at": signoff.signed_at},
                        status=status.HTTP_201_CREATED)  # fmt: skip


def register(router) -> None:
    router.register("sample-draws", SampleDrawViewSet, basename="sample-draw")
    router.register("sample-reviews", SampleReviewViewSet, basename="sample-review")
    router.register("corrective-actions", CorrectiveActionViewSet, basename="corrective-action")
    router.register("review-queue", ReviewQueueViewSet, basename="review-queue")
