"""Registering persons and households, and moving persons between households."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.core.errors import DomainError, PermissionRefused
from bistand.core.identity import IdentityNumberError, age_on, parse_identity_number
from bistand.organisation.permissions import require

from .models import ADULT_ROLES, Household, HouseholdMembership, MemberRole, Person

MOVE_REFUSED_MESSAGE = (
    "Personen är redan registrerad i ett annat hushåll med ett pågående ärende. "
    "Kontakta den sektion som handlägger ärendet."
)
MOVE_IN_REFUSED_MESSAGE = (
    "Hushållet har ett pågående ärende som du inte har behörighet till. "
    "Kontakta den sektion som handlägger ärendet."
)


class MoveRefused(PermissionRefused):
    """Moving the person would change a household whose open case the actor may not open.

    The message names nothing (no person, identity number, household or case): the actor has
    no right to know more than that the person is held elsewhere. The ids are kept on the
    error, outside `context`, for the access log only.
    """

    def __init__(self, person_id: int, household_id: int, *, moving_in: bool = False) -> None:
        if moving_in:
            super().__init__("household_open_case_not_yours", MOVE_IN_REFUSED_MESSAGE)
        else:
            super().__init__("person_in_other_open_case", MOVE_REFUSED_MESSAGE)
        self.person_id = person_id
        self.household_id = household_id


# Who may change a household's composition follows from who may open its open case. That
# rule belongs to the cases app, above this one, so the cases app registers it here from
# CasesConfig.ready() instead of this module importing it.
HouseholdChangeRule = Callable[[Any, Household], bool]
_household_change_rules: list[HouseholdChangeRule] = []


def register_household_change_rule(rule: HouseholdChangeRule) -> None:
    if rule not in _household_change_rules:
        _household_change_rules.append(rule)


def may_change_household(actor, household: Household) -> bool:
    """True if `actor` may move a person into or out of `household`. Fails closed."""
    if not _household_change_rules:
        raise ImproperlyConfigured("No household change rule registered (the cases app).")
    return all(rule(actor, household) for rule in _household_change_rules)


def _require_change(
    actor, person: Person, household: Household, *, moving_in: bool = False
) -> None:
    if not may_change_household(actor, household):
        raise MoveRefused(person.pk, household.pk, moving_in=moving_in)


def record_move_refusal(actor, refusal: MoveRefused) -> None:
    """Log a refused move. Call it outside the transaction the refusal rolled back (the
    services here do; a caller wrapping them in a transaction of its own must too)."""
    record(
        actor,
        AuditAction.ACCESS_DENIED,
        object_type="households.household",
        object_id=refusal.household_id,
        person_id=refusal.person_id,
        detail={"what": "household_membership"},
    )


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
        raise DomainError("no_members", gettext_lazy("Ett hushåll måste ha minst en medlem."))
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
        raise DomainError("one_applicant", gettext_lazy("Hushållet ska ha exakt en sökande."))
    if roles.count(MemberRole.CO_APPLICANT) > 1:
        raise DomainError(
            "one_co_applicant",
            gettext_lazy("Hushållet kan ha högst en medsökande (make/maka/sambo)."),
        )
    return parsed


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
    membership ends the day before and a new one starts here, so history is kept. Taking a
    person out of a household with an open case needs access to that case (MoveRefused, and
    nothing is changed). Finding a known person by identity number is logged.
    """
    require(actor, "register_household")
    try:
        return _register_household(
            actor, members, address=address, postal_code=postal_code, city=city, on=on
        )
    except MoveRefused as refusal:
        record_move_refusal(actor, refusal)
        raise


@transaction.atomic
def _register_household(
    actor, members: list[MemberInput], *, address: str, postal_code: str, city: str, on
) -> Household:
    today = timezone.localdate()
    on = on or today
    parsed = _validate_members(members, today)
    household = Household.objects.create(address=address, postal_code=postal_code, city=city)
    for member, number in parsed:
        person = Person.objects.filter(identity_number=number.canonical).first()
        if person is not None:
            record(
                actor,
                AuditAction.VIEW,
                obj=person,
                person_id=person.pk,
                detail={"what": "identity_number_lookup"},
            )
        else:
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
        .select_related("household")
        .first()
    )
    if current is not None:
        # Access first, so that a refused actor learns nothing from the date check below.
        _require_change(actor, person, current.household)
        if current.valid_from >= on:
            raise DomainError(
                "membership_overlap",
                f"Personen tillhör ett annat hushåll från {current.valid_from}; "
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


def move_person(
    actor, person: Person, household: Household, role: str, on: dt.date
) -> HouseholdMembership:
    """Move a person into `household` from `on`; the earlier membership is ended, not removed.

    Both households' open cases must be open to the actor (MoveRefused otherwise)."""
    require(actor, "register_household")
    if role not in MemberRole.values:
        raise DomainError("bad_role", gettext_lazy("Okänd roll i hushållet."))
    try:
        with transaction.atomic():
            _require_change(actor, person, household, moving_in=True)
            return _join(actor, person, household, role, on)
    except MoveRefused as refusal:
        record_move_refusal(actor, refusal)
        raise


def leave_household(actor, person: Person, on: dt.date) -> None:
    """End the person's current membership from `on` (needs access to that household's case)."""
    require(actor, "register_household")
    try:
        _leave_household(actor, person, on)
    except MoveRefused as refusal:
        record_move_refusal(actor, refusal)
        raise


@transaction.atomic
def _leave_household(actor, person: Person, on: dt.date) -> None:
    current = (
        HouseholdMembership.objects.select_for_update()
        .filter(person=person, valid_to__isnull=True)
        .select_related("household")
        .first()
    )
    if current is not None:
        _require_change(actor, person, current.household)
    if current is None or current.valid_from >= on:
        raise DomainError(
            "not_member", gettext_lazy("Personen tillhör inget hushåll före det datumet.")
        )
    current.valid_to = on
    current.save(update_fields=["valid_to"])
    record(
        actor,
        AuditAction.UPDATE,
        obj=current,
        person_id=person.pk,
        detail={"after": {"valid_to": on.isoformat()}},
    )
