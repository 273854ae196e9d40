"""JSON API for cases, applications, journal entries and investigations, and for reading
households and persons. Thin: writes call cases.services / households.services, reads go
through cases.selectors, and every read of case data writes an access-log row (channel "api").

Access rule for households and persons (they are case data under socialtjänstsekretess):
- a household may be read by a staff member who may open one of its cases
  (`cases_visible_to`), or, while it has no case yet, by the staff member who registered it
  (the household's `create` row in the access log) if their role still registers households;
- a person may be read if they are or were a member of a household the reader may read;
  their memberships and cases are shown only as far as the reader may read them;
- a read someone may not make answers exactly like an id that does not exist (404), and the
  refusal is logged (`access_denied`), so ids cannot be probed.
Person search (`?q=`) is open to the roles that may search (reception needs to find whether
someone is known); it is logged by `search_persons` and shows identity numbers masked.

Identity numbers are shown in full (YYYYMMDD-NNNN) only where the reader may open the case or
household; lists show them masked (YYYYMMDD-****).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import BigIntegerField, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from bistand.audit.models import AccessLogEntry, AuditAction
from bistand.audit.services import AuditEvent, record, record_many
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.core.text import LONG_TEXT, NOTE_TEXT
from bistand.households.api import (
    HouseholdSerializer,
    PersonSerializer,
    PersonSummarySerializer,
    validated,
)
from bistand.households.models import (
    Household,
    HouseholdMembership,
    MemberRole,
    Person,
    ProtectedIdentity,
    ProtectionKind,
)
from bistand.organisation.models import Section, User
from bistand.organisation.permissions import can, require

from . import protection, services
from .models import (
    Application,
    ApplicationChannel,
    ApplicationKind,
    Case,
    CaseStatus,
    CaseType,
    ClosingReason,
    EmergencyAccess,
    Investigation,
    InvestigationVersion,
    JournalEntry,
    JournalKind,
)
from .rules import is_protected_case, protected_case_ids, protected_cases_q, read_detail
from .selectors import cases_visible_to, journal_entries_for, open_case, search_persons

ID_PATTERN = r"\d{1,18}"  # a database id; anything else is not a route

# One answer for "does not exist" and "you may not see it" (the wording of open_case's).
CASE_NOT_FOUND = "Ärendet finns inte eller så saknar du behörighet."
APPLICATION_NOT_FOUND = "Ansökan finns inte eller så saknar du behörighet."
JOURNAL_NOT_FOUND = "Journalanteckningen finns inte eller så saknar du behörighet."
HOUSEHOLD_NOT_FOUND = "Hushållet finns inte eller så saknar du behörighet."
PERSON_NOT_FOUND = "Personen finns inte eller så saknar du behörighet."


# --- Access -----------------------------------------------------------------------------


def _open_case(user, case_id: int, *, what: str) -> Case:
    """open_case (checks and logs), answering a refused case as one that does not exist."""
    try:
        return open_case(user, int(case_id), what=what)
    except PermissionRefused as refusal:
        if refusal.code != "case_access_denied":
            raise
        raise NotFound("case_not_found", CASE_NOT_FOUND)


def _case_for_write(user, case_id: int) -> Case:
    """The case a write acts on. The service logs the write itself; a case the user may not
    open answers as not found before any role check, and open_case logs the refusal."""
    case = cases_visible_to(user).filter(pk=case_id).first()
    return case or _open_case(user, case_id, what="write")


def _application(user, application_id: int, *, what: str | None) -> Application:
    """An application on a case the user may open (`what`: log a read; None: a write)."""
    case_id = (
        Application.objects.filter(pk=application_id).values_list("case_id", flat=True).first()
    )
    if case_id is None:
        raise NotFound("application_not_found", APPLICATION_NOT_FOUND)
    try:
        if what is None:
            case = _case_for_write(user, case_id)
        else:
            case = _open_case(user, case_id, what=f"{what}:{application_id}")
    except NotFound:
        raise NotFound("application_not_found", APPLICATION_NOT_FOUND)
    application = Application.objects.select_related("registered_by").get(pk=application_id)
    application.case = case
    return application


def _journal_entry(user, entry_id: int, *, what: str | None) -> JournalEntry:
    case_id = JournalEntry.objects.filter(pk=entry_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound("journal_entry_not_found", JOURNAL_NOT_FOUND)
    try:
        if what is None:
            case = _case_for_write(user, case_id)
        else:
            case = _open_case(user, case_id, what=f"{what}:{entry_id}")
    except NotFound:
        raise NotFound("journal_entry_not_found", JOURNAL_NOT_FOUND)
    entry = JournalEntry.objects.select_related("written_by").get(pk=entry_id)
    entry.case = case
    return entry


def readable_households(user) -> QuerySet[Household]:
    """Households `user` may read (see the module docstring)."""
    may_read = Q(pk__in=cases_visible_to(user).values("household_id"))
    if can(user, "register_household"):
        registered = (
            AccessLogEntry.objects.filter(
                actor_id=user.pk,
                action=AuditAction.CREATE,
                object_type=Household._meta.label_lower,
            )
            .annotate(household_pk=Cast("object_id", BigIntegerField()))
            .values("household_pk")
        )
        may_read |= Q(pk__in=registered, has_case=False)
    return Household.objects.annotate(
        has_case=Exists(Case.objects.filter(household=OuterRef("pk")))
    ).filter(may_read)


def readable_persons(user) -> QuerySet[Person]:
    return Person.objects.filter(memberships__household__in=readable_households(user)).distinct()


def _refuse_read(user, obj, *, code: str, message: str, person_id: int | None = None) -> None:
    record(user, AuditAction.ACCESS_DENIED, obj=obj, person_id=person_id, detail={"what": "api"})
    raise NotFound(code, message)


def _list_read_detail(user, case: Case, protected: set[int]) -> dict:
    # flagged as open_case flags it
    return read_detail(user, case, "case_list", protected=case.pk in protected)


def _applicant_prefetch(today: dt.date) -> Prefetch:
    current_applicants = (
        HouseholdMembership.objects.filter(role=MemberRole.APPLICANT, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
        .select_related("person")
    )
    return Prefetch(
        "household__memberships", queryset=current_applicants, to_attr="current_applicants"
    )


# --- Serializers: output -----------------------------------------------------------------


class StaffSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name", "role"]
        read_only_fields = fields


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["id", "name", "code"]
        read_only_fields = fields


class CaseSummarySerializer(serializers.ModelSerializer):
    """A case in a list: applicant by name, identity number masked."""

    reference = serializers.CharField(read_only=True)
    section = SectionSerializer(read_only=True)
    handler = StaffSerializer(read_only=True, allow_null=True)
    assistant = StaffSerializer(read_only=True, allow_null=True)
    applicant = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "status",
            "case_type",
            "section",
            "handler",
            "assistant",
            "household",
            "applicant",
            "opened_on",
            "closed_on",
            "closing_reason",
            "next_follow_up_on",
            "previous_case",
        ]
        read_only_fields = fields

    @extend_schema_field(PersonSummarySerializer(allow_null=True))
    def get_applicant(self, case: Case) -> dict | None:
        memberships = getattr(case.household, "current_applicants", None)
        if memberships is None:
            applicant = case.household.applicant_on(timezone.localdate())
        else:
            applicant = memberships[0].person if memberships else None
        return PersonSummarySerializer(applicant).data if applicant else None


class CaseDetailSerializer(CaseSummarySerializer):
    """One case for someone who may open it: the household with full identity numbers."""

    household = HouseholdSerializer(read_only=True)

    class Meta(CaseSummarySerializer.Meta):
        fields = [*CaseSummarySerializer.Meta.fields, "unit"]
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer):
    registered_by = StaffSerializer(read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "case",
            "kind",
            "month",
            "received_on",
            "channel",
            "status",
            "complete_on",
            "stated_costs",
            "stated_incomes",
            "notes",
            "registered_by",
            "registered_at",
        ]
        read_only_fields = fields


class ApplicationReceiptSerializer(serializers.ModelSerializer):
    """What the registrar gets back; they may not be able to open the case it landed in."""

    case_reference = serializers.CharField(source="case.reference", read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "case",
            "case_reference",
            "kind",
            "month",
            "received_on",
            "channel",
            "status",
        ]
        read_only_fields = fields


class JournalEntrySerializer(serializers.ModelSerializer):
    written_by = StaffSerializer(read_only=True)

    class Meta:
        model = JournalEntry
        fields = [
            "id",
            "case",
            "kind",
            "occurred_on",
            "text",
            "written_by",
            "created_at",
            "signed_at",
            "corrects",
        ]
        read_only_fields = fields


class InvestigationVersionSerializer(serializers.ModelSerializer):
    created_by = StaffSerializer(read_only=True)
    signed_by = StaffSerializer(read_only=True, allow_null=True)
    based_on_number = serializers.SerializerMethodField()

    class Meta:
        model = InvestigationVersion
        fields = [
            "number",
            "content",
            "changes",
            "based_on_number",
            "created_by",
            "created_at",
            "updated_at",
            "signed_by",
            "signed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_based_on_number(self, version: InvestigationVersion) -> int | None:
        return version.based_on.number if version.based_on_id else None


class InvestigationSerializer(serializers.Serializer):
    current = InvestigationVersionSerializer(
        allow_null=True, help_text="The draft if there is one, else the latest signed version."
    )
    missing_before_signing = serializers.ListField(child=serializers.CharField())
    versions = InvestigationVersionSerializer(many=True)


class EmergencyAccessSerializer(serializers.ModelSerializer):
    class Meta:
        model = EmergencyAccess
        fields = ["id", "case", "reason", "granted_at", "expires_at"]
        read_only_fields = fields


class MembershipRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = HouseholdMembership
        fields = ["household", "role", "valid_from", "valid_to"]
        read_only_fields = fields


class CaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    section = serializers.CharField(help_text="Section name.")
    household = serializers.IntegerField()
    visible = serializers.BooleanField(help_text="Whether you may open the case.")
    status = serializers.ChoiceField(
        choices=CaseStatus.choices, allow_null=True, help_text="Only for cases you may open."
    )


class PersonDetailSerializer(PersonSerializer):
    memberships = MembershipRefSerializer(many=True, help_text="In households you may read.")
    cases = CaseRefSerializer(many=True, help_text="Cases of the person that you may open.")

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "memberships", "cases"]
        read_only_fields = fields


class PersonSearchHitSerializer(serializers.Serializer):
    person = PersonSummarySerializer()
    cases = CaseRefSerializer(many=True)


def _case_ref(case: Case, visible: bool) -> dict:
    return {
        "id": case.pk,
        "reference": case.reference,
        "section": case.section.name,
        "household": case.household_id,
        "visible": visible,
        "status": case.status if visible else None,
    }


# --- Serializers: input ------------------------------------------------------------------


class ApplicationRegistrationSerializer(serializers.Serializer):
    household = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=ApplicationKind.choices)
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="Month applied for, YYYY-MM.")
    received_on = serializers.DateField(required=False, allow_null=True)
    channel = serializers.ChoiceField(
        choices=ApplicationChannel.choices, default=ApplicationChannel.PAPER
    )
    stated_costs = serializers.ListField(child=serializers.DictField(), required=False)
    stated_incomes = serializers.ListField(child=serializers.DictField(), required=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class CompleteApplicationSerializer(serializers.Serializer):
    complete_on = serializers.DateField(required=False, allow_null=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ReassignSerializer(serializers.Serializer):
    handler = serializers.IntegerField(allow_null=True, help_text="Staff id; null: no handler.")
    assistant = serializers.IntegerField(required=False, allow_null=True)
    section = serializers.IntegerField(required=False, allow_null=True)
    case_type = serializers.ChoiceField(choices=CaseType.choices, required=False, allow_null=True)
    reason = serializers.CharField()


class SetCaseTypeSerializer(serializers.Serializer):
    case_type = serializers.ChoiceField(choices=CaseType.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CloseCaseSerializer(serializers.Serializer):
    closing_reason = serializers.ChoiceField(choices=ClosingReason.choices)
    closed_on = serializers.DateField(required=False, allow_null=True)


class JournalEntryInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=LONG_TEXT)
    kind = serializers.ChoiceField(choices=JournalKind.choices, default=JournalKind.NOTE)
    occurred_on = serializers.DateField(required=False, allow_null=True)
    sign = serializers.BooleanField(default=True)


class JournalDraftSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=LONG_TEXT)


class InvestigationAdultSerializer(serializers.Serializer):
    person_id = serializers.IntegerField()
    support_obstacle = serializers.CharField(required=False, allow_blank=True, default="")
    competences = serializers.CharField(required=False, allow_blank=True, default="")
    possibilities = serializers.CharField(required=False, allow_blank=True, default="")


class InvestigationDraftSerializer(serializers.Serializer):
    situation = serializers.CharField(
        max_length=LONG_TEXT, required=False, allow_blank=True, default=""
    )
    housing = serializers.CharField(
        max_length=LONG_TEXT, required=False, allow_blank=True, default=""
    )
    health = serializers.CharField(
        max_length=LONG_TEXT, required=False, allow_blank=True, default=""
    )
    household_economy = serializers.CharField(
        max_length=LONG_TEXT, required=False, allow_blank=True, default=""
    )
    child_perspective = serializers.CharField(
        max_length=LONG_TEXT, required=False, allow_blank=True, default=""
    )
    assessment = serializers.CharField(
        max_length=LONG_TEXT, required=False, allow_blank=True, default=""
    )
    adults = InvestigationAdultSerializer(many=True, required=False, default=list)


def _staff_of_unit(staff_id: int | None, case: Case, label: str) -> User | None:
    if staff_id is None:
        return None
    staff = User.objects.filter(pk=staff_id, unit_id=case.unit_id, is_active=True).first()
    if staff is None:
        raise DomainError("unknown_staff", f"{label}: ingen sådan medarbetare på enheten.")
    return staff


class ProtectionMarkingSerializer(serializers.Serializer):
    """A marking in force: which kind, from when, who marked it and when."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ProtectionKind.choices)
    registered_on = serializers.DateField()
    marked_by = StaffSerializer()
    marked_at = serializers.DateTimeField()


class MemberProtectionSerializer(serializers.Serializer):
    person = PersonSummarySerializer()
    protected_identity = ProtectionMarkingSerializer(allow_null=True)


class CaseProtectionSerializer(serializers.Serializer):
    """The case page's panel: whether the case is protected and each member's marking."""

    case = serializers.IntegerField()
    protected = serializers.BooleanField()
    members = MemberProtectionSerializer(many=True)


class MarkProtectionSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=ProtectionKind.choices)
    registered_on = serializers.DateField()


class RemoveProtectionSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=NOTE_TEXT)


def _case_protection(case: Case) -> dict:
    members = [m.person for m in case.household.members_on(timezone.localdate())]
    markings = {
        m.person_id: m
        for m in ProtectedIdentity.objects.filter(
            person__in=members, removed_at__isnull=True
        ).select_related("marked_by")
    }
    return {
        "case": case.pk,
        "protected": is_protected_case(case),
        "members": [
            {"person": person, "protected_identity": markings.get(person.pk)} for person in members
        ],
    }


def _member_of(case: Case, person_id: int) -> Person:
    membership = (
        case.household.memberships.filter(person_id=person_id).select_related("person").first()
    )
    if membership is None:
        raise DomainError("not_in_household", "Personen hör inte till ärendets hushåll.")
    return membership.person


# --- Views -------------------------------------------------------------------------------

CASE_LIST_PARAMETERS = [
    OpenApiParameter(
        "status", str, enum=CaseStatus.values, description="Only cases in this status."
    ),
    OpenApiParameter("mine", bool, description="Only cases you hold or assist on."),
]


@extend_schema(tags=["cases"])
class CaseViewSet(viewsets.GenericViewSet):
    """Cases the user may open, and the acts on a case."""

    queryset = Case.objects.none()  # schema hint only: reads go through cases.selectors
    serializer_class = CaseSummarySerializer
    lookup_value_regex = ID_PATTERN

    @extend_schema(
        summary="Cases you may open (each case listed is logged as read)",
        parameters=CASE_LIST_PARAMETERS,
        responses=CaseSummarySerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        user = request.user
        cases = cases_visible_to(user).select_related(
            "household", "section", "handler", "assistant"
        )
        wanted_status = request.query_params.get("status")
        if wanted_status:
            if wanted_status not in CaseStatus.values:
                raise DomainError("bad_status", "Okänd ärendestatus.")
            cases = cases.filter(status=wanted_status)
        if request.query_params.get("mine") in ("1", "true", "True"):
            cases = cases.filter(Q(handler=user) | Q(assistant=user))
        cases = cases.prefetch_related(_applicant_prefetch(timezone.localdate()))
        page = self.paginate_queryset(cases)
        shown = list(page if page is not None else cases)
        if shown:
            protected = protected_case_ids(case.pk for case in shown)
            record_many(
                user,
                [
                    AuditEvent(
                        AuditAction.VIEW,
                        object_type=Case._meta.label_lower,
                        object_id=case.pk,
                        case_id=case.pk,
                        detail=_list_read_detail(user, case, protected),
                    )
                    for case in shown
                ],
            )
        else:
            record(user, AuditAction.VIEW, object_type="case_list", detail={"what": "case_list"})
        data = CaseSummarySerializer(shown, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(summary="One case (logged)", responses=CaseDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        case = _open_case(request.user, pk, what="case")
        return Response(CaseDetailSerializer(case).data)

    @extend_schema(summary="Take an unassigned case in your section", request=None)
    @action(detail=True, methods=["post"])
    def take(self, request: Request, pk: str) -> Response:
        case = services.take_case(request.user, _case_for_write(request.user, pk))
        return Response(CaseSummarySerializer(case).data)

    @extend_schema(summary="Give the case to another handler (heads)", request=ReassignSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: str) -> Response:
        case = _case_for_write(request.user, pk)
        require(request.user, "reassign_case")
        data = validated(ReassignSerializer, request.data)
        section = None
        if data.get("section") is not None:
            section = Section.objects.filter(pk=data["section"], unit_id=case.unit_id).first()
            if section is None:
                raise DomainError("unknown_section", "Ingen sådan sektion på enheten.")
        case = services.reassign_case(
            request.user,
            case,
            handler=_staff_of_unit(data["handler"], case, "handler"),
            assistant=_staff_of_unit(data.get("assistant"), case, "assistant"),
            section=section,
            case_type=data.get("case_type"),
            reason=data["reason"],
        )
        return Response(CaseSummarySerializer(case).data)

    @extend_schema(summary="Set the case type (A, B or C)", request=SetCaseTypeSerializer)
    @action(detail=True, methods=["post"], url_path="set-type")
    def set_type(self, request: Request, pk: str) -> Response:
        case = _case_for_write(request.user, pk)
        data = validated(SetCaseTypeSerializer, request.data)
        case = services.set_case_type(request.user, case, data["case_type"], reason=data["reason"])
        return Response(CaseSummarySerializer(case).data)

    @extend_schema(summary="Close the case with a closing reason", request=CloseCaseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        case = _case_for_write(request.user, pk)
        require(request.user, "close_case")
        data = validated(CloseCaseSerializer, request.data)
        case = services.close_case(
            request.user, case, reason=data["closing_reason"], closed_on=data.get("closed_on")
        )
        return Response(CaseSummarySerializer(case).data)

    @extend_schema(
        summary="Take emergency access (nödåtkomst) with a reason the unit head reviews",
        request=ReasonSerializer,
        responses={201: EmergencyAccessSerializer},
    )
    @action(detail=True, methods=["post"], url_path="emergency-access")
    def emergency_access(self, request: Request, pk: str) -> Response:
        # Taken on a case one may not open yet, so it cannot go through open_case. The role is
        # checked first; a taken access is logged and reviewed, which is the price of a probe.
        require(request.user, "emergency_access")
        case = Case.objects.filter(pk=pk).first()
        if case is None:
            raise NotFound("case_not_found", CASE_NOT_FOUND)
        data = validated(ReasonSerializer, request.data)
        access = services.take_emergency_access(request.user, case, data["reason"])
        return Response(EmergencyAccessSerializer(access).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Protected identity of the household's members (logged, as the case page)",
        responses=CaseProtectionSerializer,
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def protection(self, request: Request, pk: str) -> Response:
        case = _open_case(request.user, pk, what="protection")
        return Response(CaseProtectionSerializer(_case_protection(case)).data)

    @extend_schema(
        summary="Mark a member as having protected identity (logged with before and after)",
        request=MarkProtectionSerializer,
        responses={201: CaseProtectionSerializer},
    )
    @protection.mapping.post
    def mark_protection(self, request: Request, pk: str) -> Response:
        case = _open_case(request.user, pk, what="protect")
        data = validated(MarkProtectionSerializer, request.data)
        protection.mark_protected_identity(
            request.user,
            case,
            _member_of(case, data["person"]),
            kind=data["kind"],
            registered_on=data["registered_on"],
        )
        return Response(
            CaseProtectionSerializer(_case_protection(case)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Remove a member's marking (the unit head, with a reason; logged)",
        request=RemoveProtectionSerializer,
        responses=CaseProtectionSerializer,
    )
    @action(detail=True, methods=["post"], url_path="protection/remove")
    def remove_protection(self, request: Request, pk: str) -> Response:
        case = _open_case(request.user, pk, what="unprotect")
        data = validated(RemoveProtectionSerializer, request.data)
        person = _member_of(case, data["person"])
        marking = ProtectedIdentity.objects.filter(person=person, removed_at__isnull=True).first()
        if marking is None:
            raise NotFound("marking_not_found", "Personen har ingen markering.")
        protection.remove_protected_identity(request.user, case, marking, reason=data["reason"])
        return Response(CaseProtectionSerializer(_case_protection(case)).data)

    @extend_schema(
        summary="The applications of a case (logged)",
        responses=ApplicationSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def applications(self, request: Request, pk: str) -> Response:
        case = _open_case(request.user, pk, what="applications")
        applications = case.applications.select_related("registered_by")
        return Response(ApplicationSerializer(applications, many=True).data)

    @extend_schema(
        summary="The journal of a case (logged)", responses=JournalEntrySerializer(many=True)
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def journal(self, request: Request, pk: str) -> Response:
        try:
            entries = journal_entries_for(request.user, int(pk))
        except PermissionRefused as refusal:
            if refusal.code != "case_access_denied":
                raise
            raise NotFound("case_not_found", CASE_NOT_FOUND)
        return Response(JournalEntrySerializer(entries, many=True).data)

    @extend_schema(
        summary="Write a journal entry (signed unless sign=false)",
        request=JournalEntryInputSerializer,
        responses={201: JournalEntrySerializer},
    )
    @journal.mapping.post
    def add_journal_entry(self, request: Request, pk: str) -> Response:
        case = _case_for_write(request.user, pk)
        data = validated(JournalEntryInputSerializer, request.data)
        entry = services.add_journal_entry(
            request.user,
            case,
            text=data["text"],
            kind=data["kind"],
            occurred_on=data.get("occurred_on"),
            sign=data["sign"],
        )
        return Response(JournalEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The investigation: current version and all versions (logged)",
        responses=InvestigationSerializer,
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def investigation(self, request: Request, pk: str) -> Response:
        case = _open_case(request.user, pk, what="investigation")
        investigation = Investigation.objects.filter(case=case).first()
        versions = (
            list(investigation.versions.select_related("created_by", "signed_by", "based_on"))
            if investigation
            else []
        )
        draft = next((v for v in versions if not v.is_signed), None)
        current = draft or next((v for v in reversed(versions) if v.is_signed), None)
        missing = services.investigation_problems(case, draft.content) if draft else []
        return Response(
            {
                "current": InvestigationVersionSerializer(current).data if current else None,
                "missing_before_signing": missing,
                "versions": InvestigationVersionSerializer(versions, many=True).data,
            }
        )

    @extend_schema(
        summary="Save the investigation draft (a new version after a signed one)",
        description="Replaces the draft's content: fields left out are saved empty.",
        request=InvestigationDraftSerializer,
        responses=InvestigationVersionSerializer,
    )
    @investigation.mapping.put
    def save_investigation_draft(self, request: Request, pk: str) -> Response:
        case = _case_for_write(request.user, pk)
        require(request.user, "edit_investigation")
        content = validated(InvestigationDraftSerializer, request.data)
        version = services.save_investigation_draft(request.user, case, content)
        return Response(InvestigationVersionSerializer(version).data)

    @extend_schema(
        summary="Sign the investigation draft",
        request=None,
        responses=InvestigationVersionSerializer,
    )
    @action(detail=True, methods=["post"], url_path="investigation/sign")
    def sign_investigation(self, request: Request, pk: str) -> Response:
        case = _case_for_write(request.user, pk)
        version = services.sign_investigation(request.user, case)
        return Response(InvestigationVersionSerializer(version).data)


@extend_schema(tags=["applications"])
class ApplicationViewSet(viewsets.GenericViewSet):
    """Registering applications and moving them on. A case's list: /cases/{id}/applications/."""

    queryset = Application.objects.none()  # schema hint only
    serializer_class = ApplicationSerializer
    lookup_value_regex = ID_PATTERN

    @extend_schema(
        summary="Register a new or repeat application for a household",
        request=ApplicationRegistrationSerializer,
        responses={201: ApplicationReceiptSerializer},
    )
    def create(self, request: Request) -> Response:
        require(request.user, "register_application")
        data = validated(ApplicationRegistrationSerializer, request.data)
        household = Household.objects.filter(pk=data["household"]).first()
        if household is None:
            raise NotFound("household_not_found", HOUSEHOLD_NOT_FOUND)
        application = services.register_application(
            request.user,
            household,
            kind=data["kind"],
            month=data["month"],
            received_on=data.get("received_on"),
            channel=data["channel"],
            stated_costs=data.get("stated_costs"),
            stated_incomes=data.get("stated_incomes"),
            notes=data["notes"],
        )
        return Response(
            ApplicationReceiptSerializer(application).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(summary="One application (logged)", responses=ApplicationSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        application = _application(request.user, int(pk), what="application")
        return Response(ApplicationSerializer(application).data)

    @extend_schema(
        summary="Mark the application complete (the decision clock starts)",
        request=CompleteApplicationSerializer,
        responses=ApplicationSerializer,
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        application = _application(request.user, int(pk), what=None)
        data = validated(CompleteApplicationSerializer, request.data)
        application = services.mark_application_complete(
            request.user, application, data.get("complete_on")
        )
        return Response(ApplicationSerializer(application).data)

    @extend_schema(
        summary="Withdraw the application, with a reason",
        request=ReasonSerializer,
        responses=ApplicationSerializer,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        application = _application(request.user, int(pk), what=None)
        data = validated(ReasonSerializer, request.data)
        application = services.withdraw_application(request.user, application, data["reason"])
        return Response(ApplicationSerializer(application).data)


@extend_schema(tags=["journal"])
class JournalEntryViewSet(viewsets.GenericViewSet):
    """One journal entry; a case's journal is /cases/{id}/journal/."""

    queryset = JournalEntry.objects.none()  # schema hint only
    serializer_class = JournalEntrySerializer
    lookup_value_regex = ID_PATTERN

    @extend_schema(summary="One journal entry (logged)")
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(
            JournalEntrySerializer(_journal_entry(request.user, int(pk), what="journal")).data
        )

    @extend_schema(summary="Change the text of your unsigned draft", request=JournalDraftSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        entry = _journal_entry(request.user, int(pk), what=None)
        data = validated(JournalDraftSerializer, request.data)
        entry = services.update_journal_draft(request.user, entry, text=data["text"])
        return Response(JournalEntrySerializer(entry).data)

    @extend_schema(summary="Sign your draft (it becomes final)", request=None)
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str) -> Response:
        entry = _journal_entry(request.user, int(pk), what=None)
        entry = services.sign_journal_entry(request.user, entry)
        return Response(JournalEntrySerializer(entry).data)

    @extend_schema(
        summary="Correct a signed entry with a new entry that points at it",
        request=JournalEntryInputSerializer,
        responses={201: JournalEntrySerializer},
    )
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: str) -> Response:
        entry = _journal_entry(request.user, int(pk), what=None)
        data = validated(JournalEntryInputSerializer, request.data)
        correction = services.add_journal_entry(
            request.user,
            entry.case,
            text=data["text"],
            kind=data["kind"],
            occurred_on=data.get("occurred_on"),
            sign=data["sign"],
            corrects=entry,
        )
        return Response(JournalEntrySerializer(correction).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["households"])
class HouseholdViewSet(viewsets.GenericViewSet):
    """Reading a household (registering one is in households.api)."""

    queryset = Household.objects.none()  # schema hint only
    serializer_class = HouseholdSerializer
    lookup_value_regex = ID_PATTERN

    @extend_schema(summary="One household with its members today (logged)")
    def retrieve(self, request: Request, pk: str) -> Response:
        user = request.user
        household = Household.objects.filter(pk=pk).first()
        if household is None:
            raise NotFound("household_not_found", HOUSEHOLD_NOT_FOUND)
        if not readable_households(user).filter(pk=household.pk).exists():
            _refuse_read(user, household, code="household_not_found", message=HOUSEHOLD_NOT_FOUND)
        case_ids = list(
            cases_visible_to(user).filter(household=household).values_list("id", flat=True)
        )
        detail: dict = {"what": "household", "cases": case_ids}
        if household.is_address_protected:
            detail["protected_identity"] = True
        record(
            user,
            AuditAction.VIEW,
            obj=household,
            case_id=case_ids[0] if case_ids else None,
            detail=detail,
        )
        return Response(HouseholdSerializer(household).data)


@extend_schema(tags=["persons"])
class PersonViewSet(viewsets.GenericViewSet):
    """Searching for persons, and reading one."""

    queryset = Person.objects.none()  # schema hint only
    serializer_class = PersonDetailSerializer
    lookup_value_regex = ID_PATTERN
    pagination_class = None

    @extend_schema(
        summary="Search persons by identity number or name (the search is logged)",
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, required=True, description="Identity number or name(s)."
            )
        ],
        responses=PersonSearchHitSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        query = request.query_params.get("q")
        if query is None:
            require(request.user, "search_person")
            raise DomainError("query_required", "Ange ett sökbegrepp (?q=).")
        hits = search_persons(request.user, query)
        return Response(
            [
                {
                    "person": PersonSummarySerializer(hit["person"]).data,
                    "cases": [_case_ref(c["case"], c["visible"]) for c in hit["cases"]],
                }
                for hit in hits
            ]
        )

    @extend_schema(summary="One person (logged)", responses=PersonDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        user = request.user
        person = Person.objects.filter(pk=pk).first()
        if person is None:
            raise NotFound("person_not_found", PERSON_NOT_FOUND)
        if not readable_persons(user).filter(pk=person.pk).exists():
            _refuse_read(
                user, person, code="person_not_found", message=PERSON_NOT_FOUND, person_id=person.pk
            )
        households = readable_households(user)
        memberships = person.memberships.filter(household__in=households).order_by("valid_from")
        cases = (
            cases_visible_to(user)
            .filter(household__memberships__person=person)
            .distinct()  # a person may have several memberships of one household
            .select_related("section")
        )
        case_refs = [_case_ref(case, True) for case in cases]
        detail: dict = {"what": "person", "cases": [ref["id"] for ref in case_refs]}
        if person.protected_identity is not None or cases.filter(protected_cases_q()).exists():
            detail["protected_identity"] = True
        record(
            user,
            AuditAction.VIEW,
            obj=person,
            person_id=person.pk,
            case_id=case_refs[0]["id"] if case_refs else None,
            detail=detail,
        )
        data = PersonSerializer(person).data
        data["memberships"] = MembershipRefSerializer(memberships, many=True).data
        data["cases"] = case_refs
        return Response(data)
