"""The demo unit, its sections and staff, and who handles which planned case."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password

from bistand.audit.models import AuditAction
from bistand.organisation import second_factor
from bistand.organisation.models import Role, Section, Unit, User

from .auditing import SYSTEM_ACTOR, AuditBuffer
from .people import FEMALE_NAMES, LAST_NAMES, MALE_NAMES, MUNICIPALITY_CODE, MUNICIPALITY_NAME
from .planning import (
    ACTIVE,
    ACTIVE_REENTRY,
    CLOSED,
    INTAKE,
    INTAKE_UNASSIGNED,
    SECTIONS,
    PlannedCase,
)

DEMO_PASSWORD = "demo-Bistand-2026"
UNIT_NAME = "Försörjningsstöd, Exempelkommun"
EMAIL_DOMAIN = "exempelkommun.se"

USERNAMES = {
    Role.RECEPTION: "reception",
    Role.SOCIAL_WORKER: "socialsekreterare",
    Role.BENEFIT_ADMINISTRATOR: "bidragshandlaggare",
    Role.SECTION_HEAD: "sektionschef",
    Role.UNIT_HEAD: "enhetschef",
    Role.FRAUD_INVESTIGATOR: "fut",
    Role.FINANCE: "ekonom",
    Role.SYSTEM_ADMIN: "admin",
    Role.CONTROLLER: "internkontrollant",
    Role.ACTIVITY_COORDINATOR: "aktivitetssamordnare",
}
TITLES = {
    Role.RECEPTION: "Mottagningssekreterare",
    Role.SOCIAL_WORKER: "Socialsekreterare",
    Role.BENEFIT_ADMINISTRATOR: "Bidragshandläggare",
    Role.SECTION_HEAD: "Sektionschef",
    Role.UNIT_HEAD: "Enhetschef",
    Role.FRAUD_INVESTIGATOR: "FUT-handläggare",
    Role.FINANCE: "Ekonom",
    Role.SYSTEM_ADMIN: "Systemadministratör",
    Role.CONTROLLER: "Internkontrollant",
    Role.ACTIVITY_COORDINATOR: "Aktivitetssamordnare",
}


@dataclass
class Organisation:
    unit: Unit
    sections: dict[str, Section]
    staff: dict[tuple[str | None, str], list[User]]
    # Pre-enrolled TOTP devices of the chefs, finance, controllers and administrators (printed
    # by `demo`).
    second_factors: list[dict] = field(default_factory=list)

    def of(self, section: str | None, role: str) -> list[User]:
        return self.staff.get((section, role), [])

    def first(self, section: str | None, role: str) -> User:
        return self.of(section, role)[0]

    @property
    def users(self) -> list[User]:
        return [user for users in self.staff.values() for user in users]


def create_organisation(
    rng: random.Random, staffing: dict[tuple[str | None, str], int], audit: AuditBuffer
) -> Organisation:
    """The unit, its sections and staff. One password hash (Argon2 is slow) for every login."""
    # No organisation service exists yet; the rows are written here and logged like a service would.
    unit = Unit.objects.create(
        name=UNIT_NAME,
        municipality_code=MUNICIPALITY_CODE,
        municipality_name=MUNICIPALITY_NAME,
        default_caseload_limit=40,
    )
    audit.add(
        SYSTEM_ACTOR,
        AuditAction.CREATE,
        "organisation.unit",
        unit.pk,
        detail={"after": {"name": unit.name}},
    )
    sections = Section.objects.bulk_create(
        [
            Section(unit=unit, name=name, code=code, handles_intake=intake)
            for code, name, intake in SECTIONS
        ]
    )
    by_code = {section.code: section for section in sections}
    for section in sections:
        audit.add(
            SYSTEM_ACTOR,
            AuditAction.CREATE,
            "organisation.section",
            section.pk,
            detail={"after": {"name": section.name, "handles_intake": section.handles_intake}},
        )
    password = make_password(DEMO_PASSWORD)
    numbers: Counter = Counter()
    names_used: set[tuple[str, str]] = set()
    users: list[User] = []
    order = [
        Role.SECTION_HEAD,
        Role.SOCIAL_WORKER,
        Role.BENEFIT_ADMINISTRATOR,
        Role.RECEPTION,
    ]
    slots = [(code, role) for code, _, _ in SECTIONS for role in order] + [
        (None, Role.UNIT_HEAD),
        (None, Role.FRAUD_INVESTIGATOR),
        (None, Role.FINANCE),
        (None, Role.SYSTEM_ADMIN),
        (None, Role.CONTROLLER),
        (None, Role.ACTIVITY_COORDINATOR),
    ]
    for code, role in slots:
        for _ in range(staffing.get((code, role), 0)):
            numbers[role] += 1
            base = USERNAMES[role]
            username = base if numbers[role] == 1 else f"{base}{numbers[role]:02d}"
            while True:
                first = rng.choice(MALE_NAMES + FEMALE_NAMES)
                last = rng.choice(LAST_NAMES)
                if (first, last) not in names_used:
                    names_used.add((first, last))
                    break
            users.append(
                User(
                    username=username,
                    password=password,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@{EMAIL_DOMAIN}",
                    role=role,
                    unit=unit,
                    section=by_code[code] if code else None,
                    title=TITLES[role],
                    is_staff=role == Role.SYSTEM_ADMIN,
                    is_superuser=role == Role.SYSTEM_ADMIN,
                    # The first unit head is named rules maintainer: the second pair of eyes
                    # on norm tables the administrator enters (Regelverk).
                    rules_maintainer=role == Role.UNIT_HEAD and numbers[role] == 1,
                )
            )
    for user in users:
        validate_password(DEMO_PASSWORD, user)  # the demo logins follow the password rules
    User.objects.bulk_create(users)
    staff: dict[tuple[str | None, str], list[User]] = defaultdict(list)
    for user in users:
        staff[(user.section.code if user.section else None, user.role)].append(user)
        audit.add(
            SYSTEM_ACTOR,
            AuditAction.CREATE,
            "organisation.user",
            user.pk,
            detail={
                "after": {"username": user.username, "role": user.role, "section": user.section_id}
            },
        )
    return Organisation(unit, by_code, dict(staff), enrol_second_factors(rng, users))


def enrol_second_factors(rng: random.Random, users: list[User]) -> list[dict]:
    """Chefs, finance, controllers and administrators log in locally with a TOTP code: the demo gives each
    an enrolled authenticator secret and one backup code, printed for testers."""
    enrolled = []
    for user in users:
        if not second_factor.required_for(user):
            continue
        device, backup_code = second_factor.demo_device(user, rng.randbytes(20))
        enrolled.append(
            {
                "username": user.username,
                "secret": second_factor.secret_base32(device),
                "uri": second_factor.provisioning_uri(device),
                "backup_code": backup_code,
            }
        )
    return enrolled


def assign_staff(rng: random.Random, org: Organisation, cases: list[PlannedCase]) -> None:
    """Handlers round-robin within section and role, so caseloads are even."""
    receptions = org.of(INTAKE, Role.RECEPTION)
    intake_workers = org.of(INTAKE, Role.SOCIAL_WORKER)
    cursors: Counter = Counter()

    def next_of(section: str, role: str, duty: str = "handler") -> User:
        staff = org.of(section, role)
        user = staff[cursors[(section, role, duty)] % len(staff)]
        cursors[(section, role, duty)] += 1
        return user

    for case in cases:
        case.registrar = rng.choice(receptions)
        case.intake_worker = rng.choice(intake_workers)
        if case.fate in (ACTIVE, ACTIVE_REENTRY):
            if case.case_type == "C":
                case.handler = next_of(case.section, Role.BENEFIT_ADMINISTRATOR)
            else:
                case.handler = next_of(case.section, Role.SOCIAL_WORKER)
                if case.case_type == "B":
                    case.assistant = next_of(case.section, Role.BENEFIT_ADMINISTRATOR, "assistant")
        elif case.fate == CLOSED:
            role = Role.BENEFIT_ADMINISTRATOR if case.case_type == "C" else Role.SOCIAL_WORKER
            case.handler = rng.choice(org.of(case.section, role))
            if case.case_type == "B":
                case.assistant = rng.choice(org.of(case.section, Role.BENEFIT_ADMINISTRATOR))
        elif case.fate != INTAKE_UNASSIGNED:
            case.handler = case.intake_worker
