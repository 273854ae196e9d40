"""JSON API for households: registering one (POST /api/v1/households/), and the serializers
of persons and households that the case API reuses.

Reading a household or a person is in bistand/cases/api.py, not here: persons and households
are case data under socialtjänstsekretess, so who may read them follows from which cases one
may open (cases.selectors), and this app sits below cases in the import layers.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from bistand.core.errors import DomainError
from bistand.core.serializers import limit_texts
from bistand.organisation.permissions import require

from .models import PROTECTED_ADDRESS, Household, HouseholdMembership, MemberRole, Person
from .services import MemberInput, register_household


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict:
    """Validate request data, answering a bad request as {"error": {"code", "message"}}
    like every other refusal of the API."""
    serializer = limit_texts(serializer_class(data=data))
    if not serializer.is_valid():
        raise DomainError("invalid", "; ".join(_flatten_errors(serializer.errors)))
    return serializer.validated_data


def _flatten_errors(errors: Any, prefix: str = "") -> list[str]:
    if isinstance(errors, dict):
        lines = []
        for field, value in errors.items():
            name = prefix if field == "non_field_errors" else f"{prefix}{field}"
            lines += _flatten_errors(value, f"{name}." if name else "")
        return lines
    if isinstance(errors, list):
        if all(isinstance(item, str) for item in errors):
            label = prefix.rstrip(".")
            return [f"{label}: {message}" if label else str(message) for message in errors]
        lines = []
        for index, item in enumerate(errors):
            lines += _flatten_errors(item, f"{prefix}{index}.")
        return lines
    return [f"{prefix.rstrip('.')}: {errors}"]


def masked_identity_number(canonical: str) -> str:
    """Birth date only (YYYYMMDD-****), for lists that need to tell people apart."""
    return f"{canonical[:8]}-****"


# --- Output ---------------------------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer):
    """A person in full, for staff who may read them: identity number as YYYYMMDD-NNNN."""

    identity_number = serializers.CharField(source="formatted_identity_number", read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "identity_number",
            "is_coordination_number",
            "first_name",
            "last_name",
            "birth_date",
            "sex",
        ]
        read_only_fields = fields


class PersonSummarySerializer(serializers.ModelSerializer):
    """A person in a list: name and birth date, identity number masked."""

    identity_number = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "identity_number", "first_name", "last_name"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_identity_number(self, person: Person) -> str:
        return masked_identity_number(person.identity_number)


class MembershipSerializer(serializers.ModelSerializer):
    person = PersonSerializer(read_only=True)

    class Meta:
        model = HouseholdMembership
        fields = ["person", "role", "valid_from", "valid_to"]
        read_only_fields = fields


class HouseholdSerializer(serializers.ModelSerializer):
    """A household with its members today (full identity numbers: only for those who may read it).

    Where a member has protected identity the address is never given: `address` reads
    "Skyddad adress", postal code and city are empty and `address_protected` is true.
    """

    household_type = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()
    address_protected = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = [
            "id",
            "address",
            "postal_code",
            "city",
            "address_protected",
            "household_type",
            "members",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_address_protected(self, household: Household) -> bool:
        return household.is_address_protected

    def to_representation(self, household: Household) -> dict:
        data = super().to_representation(household)
        if data["address_protected"]:
            data.update(address=PROTECTED_ADDRESS, postal_code="", city="")
        return data

    @extend_schema_field(serializers.CharField())
    def get_household_type(self, household: Household) -> str:
        return household.household_type_on(timezone.localdate())

    @extend_schema_field(MembershipSerializer(many=True))
    def get_members(self, household: Household) -> list[dict]:
        members = household.members_on(timezone.localdate())
        return MembershipSerializer(members, many=True).data


# --- Input ----------------------------------------------------------------------------------


class MemberInputSerializer(serializers.Serializer):
    identity_number = serializers.CharField(
        max_length=13, help_text="Personnummer eller samordningsnummer, 10 eller 12 siffror."
    )
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    role = serializers.ChoiceField(choices=MemberRole.choices)


class HouseholdRegistrationSerializer(serializers.Serializer):
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    postal_code = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    valid_from = serializers.DateField(
        required=False, allow_null=True, help_text="Members belong from this day (default today)."
    )
    members = MemberInputSerializer(many=True, allow_empty=False)


# --- Views ----------------------------------------------------------------------------------


@extend_schema(tags=["households"])
class HouseholdRegistrationViewSet(viewsets.GenericViewSet):
    """POST /households/: register a household with its members (households.services)."""

    serializer_class = HouseholdSerializer
    queryset = Household.objects.none()  # schema hint only; the view reads nothing itself

    @extend_schema(
        summary="Register a household with its members",
        request=HouseholdRegistrationSerializer,
        responses={201: HouseholdSerializer},
    )
    def create(self, request: Request) -> Response:
        require(request.user, "register_household")  # a refused role is told so before any detail
        data = validated(HouseholdRegistrationSerializer, request.data)
        household = register_household(
            request.user,
            [MemberInput(**member) for member in data["members"]],
            address=data["address"],
            postal_code=data["postal_code"],
            city=data["city"],
            on=data.get("valid_from"),
        )
        return Response(HouseholdSerializer(household).data, status=status.HTTP_201_CREATED)
