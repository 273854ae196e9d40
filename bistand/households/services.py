"""Registering persons and households, and moving persons between households."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.core.errors import DomainError
from bistand.core.identity import IdentityNumberError, age_on, parse_identity_number
from bistand.organisation.permissions import require

from .models import ADULT_ROLES, Household, HouseholdMembership, MemberRole, Person


@dataclass
class MemberInput:
    identity_number: str
    first_name: str
    last_name: str
    role: str


def _validate_members(
    members: list[MemberInput], today: dt.date
) -> list[tuple[MemberInput, object]]:
    if not members:
        raise DomainError("no_members", "Ett hushåll måste ha minst en medlem.")
    parsed = []
    seen: set[str] = set()
    for index, member in enumerate(members, start=1):
        if member.role not in MemberRole.values:
            raise DomainError("bad_role", f"Rad {index}: okänd roll i hushållet.")
        if not member.first_name.strip() or not member.last_name.strip():
            raise DomainError("name_missing", f"Rad {index}: för- och efternamn måste anges.")
        try:
            number = parse_identity_number(member.identity_number, today)
        except IdentityNumberError as error:
            raise DomainError(f"identity_{error.code}", f"Rad {index}: {error.message}")
        if number.canonical in seen:
            raise DomainError(
                "duplicate_person", f"Rad {index}: personen finns redan med i hushållet."
            )
        seen.add(number.canonical)
        age = age_on(number.birth_date, today)
        if member.role in ADULT_ROLES and age < 18:
            raise DomainError(
                "adult_minor", f"Rad {index}: sökande och medsökande måste vara minst 18 år."
            )
        if member.role == MemberRole.CHILD and age >= 21:
            raise DomainError(
                "child_too_old",
                f"Rad {index}: barn i hushållet ska vara under 21 år; registrera personen som vuxen.",
            )
        parsed.append((member, number))
    roles = [m.role for m in members]
    if roles.count(MemberRole.APPLICANT) != 1:
        raise DomainError("one_applicant", "Hushållet ska ha exakt en sökande.")
    if roles.count(MemberRole.CO_APPLICANT) > 1:
        raise DomainError(
            "one_co_applicant", "Hushållet kan ha högst en medsökande (make/maka/sambo)."
        )
    return parsed


@transaction.atomic
def register_household(
    actor,
    members: list[MemberInput],
    *,
    address: str = "",
    postal_code: str = "",
    city: str = "",
    on: dt.date | None = None,
) -> Household:
    """Register a household with its members from `on` (default today).

    A person already known keeps their record; if they live in another household, that
    membership ends the day before and a new one starts here, so history is kept.
    """
    require(actor, "register_household")
    today = timezone.localdate()
    on = on or today
    parsed = _validate_members(members, today)
    household = Household.objects.create(address=address, postal_code=postal_code, city=city)
    for member, number in parsed:
        person = Person.objects.filter(identity_number=number.canonical).first()
        if person is None:
            person = Person.objects.create(
                identity_number=number.canonical,
                is_coordination_number=number.is_coordination_number,
                first_name=member.first_name.strip(),
                last_name=member.last_name.strip(),
                birth_date=number.birth_date,
                sex=number.sex,
            )
            record(actor, AuditAction.CREATE, obj=person, person_id=person.pk)
        _join(actor, person, household, member.role, on)
    record(
        actor,
        AuditAction.CREATE,
        obj=household,
        detail={
            "after": {"members": [(m.role, n.canonical) for m, n in parsed], "address": address}
        },
    )
    return household


def _join(
    actor, person: Person, household: Household, role: str, on: dt.date
) -> HouseholdMembership:
    current = (
        HouseholdMembership.objects.select_for_update()
        .filter(person=person, valid_to__isnull=True)
        .first()
    )
    if current is not None:
        if current.valid_from >= on:
            raise DomainError(
                "membership_overlap",
                f"{person.full_name} tillhör ett annat hushåll från {current.valid_from}; "
                "flytten måste ske senare än det datumet.",
            )
        current.valid_to = on
        current.save(update_fields=["valid_to"])
        record(
            actor,
            AuditAction.UPDATE,
            obj=current,
            person_id=person.pk,
            detail={"before": {"valid_to": None}, "after": {"valid_to": on.isoformat()}},
        )
    membership = HouseholdMembership.objects.create(
        household=household, person=person, role=role, valid_from=on
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=membership,
        person_id=person.pk,
        detail={"after": {"household": household.pk, "role": role}},
    )
    return membership


@transaction.atomic
def move_person(
    actor, person: Person, household: Household, role: str, on: dt.date
) -> HouseholdMembership:
    """Move a person into `household` from `on`; the earlier membership is ended, not removed."""
    require(actor, "register_household")
    if role not in MemberRole.values:
        raise DomainError("bad_role", "Okänd roll i hushållet.")
    return _join(actor, person, household, role, on)


@transaction.atomic
def leave_household(actor, person: Person, on: dt.date) -> None:
    require(actor, "register_household")
    current = (
        HouseholdMembership.objects.select_for_update()
        .filter(person=person, valid_to__isnull=True)
        .first()
    )
    if current is None or current.valid_from >= on:
        raise DomainError("not_member", "Personen tillhör inget hushåll före det datumet.")
    current.valid_to = on
    current.save(update_fields=["valid_to"])
    record(
        actor,
        AuditAction.UPDATE,
        obj=current,
        person_id=person.pk,
        detail={"after": {"valid_to": on.isoformat()}},
    )
