"""What each role may do. Case-level access (which cases) is in cases.rules."""

from bistand.core.errors import PermissionRefused

from .models import Role

R = Role
CASE_ROLES = {R.RECEPTION, R.SOCIAL_WORKER, R.BENEFIT_ADMINISTRATOR, R.SECTION_HEAD, R.UNIT_HEAD}

CAPABILITIES: dict[str, set[str]] = {
    "register_household": {
        R.RECEPTION,
        R.SOCIAL_WORKER,
        R.BENEFIT_ADMINISTRATOR,
        R.SECTION_HEAD,
        R.UNIT_HEAD,
    },
    "register_application": {
        R.RECEPTION,
        R.SOCIAL_WORKER,
        R.BENEFIT_ADMINISTRATOR,
        R.SECTION_HEAD,
        R.UNIT_HEAD,
    },
    "edit_investigation": {R.SOCIAL_WORKER, R.SECTION_HEAD, R.UNIT_HEAD},
    "sign_investigation": {R.SOCIAL_WORKER, R.SECTION_HEAD, R.UNIT_HEAD},
    "write_journal": {
        R.RECEPTION,
        R.SOCIAL_WORKER,
        R.BENEFIT_ADMINISTRATOR,
        R.SECTION_HEAD,
        R.UNIT_HEAD,
        R.FRAUD_INVESTIGATOR,
    },
    "upload_document": {
        R.RECEPTION,
        R.SOCIAL_WORKER,
        R.BENEFIT_ADMINISTRATOR,
        R.SECTION_HEAD,
        R.UNIT_HEAD,
    },
    "handle_application": {R.SOCIAL_WORKER, R.BENEFIT_ADMINISTRATOR, R.SECTION_HEAD, R.UNIT_HEAD},
    "take_case": {R.SOCIAL_WORKER, R.BENEFIT_ADMINISTRATOR},
    "reassign_case": {R.SECTION_HEAD, R.UNIT_HEAD},
    "close_case": {R.SOCIAL_WORKER, R.BENEFIT_ADMINISTRATOR, R.SECTION_HEAD, R.UNIT_HEAD},
    "search_person": {
        R.RECEPTION,
        R.SOCIAL_WORKER,
        R.BENEFIT_ADMINISTRATOR,
        R.SECTION_HEAD,
        R.UNIT_HEAD,
        R.FRAUD_INVESTIGATOR,
    },
    "emergency_access": {
        R.RECEPTION,
        R.SOCIAL_WORKER,
        R.BENEFIT_ADMINISTRATOR,
        R.SECTION_HEAD,
        R.UNIT_HEAD,
        R.FRAUD_INVESTIGATOR,
    },
    "review_access_log": {R.UNIT_HEAD},
    # Skyddade personuppgifter: staff with access to the person's case mark; the unit head
    # alone removes a marking and names who may open such a case (besides its handler).
    "mark_protected_identity": {
        R.RECEPTION,
        R.SOCIAL_WORKER,
        R.BENEFIT_ADMINISTRATOR,
        R.SECTION_HEAD,
        R.UNIT_HEAD,
    },
    "remove_protected_identity": {R.UNIT_HEAD},
    "view_caseload": {R.SECTION_HEAD, R.UNIT_HEAD},
    "view_inbox": {
        R.RECEPTION,
        R.SOCIAL_WORKER,
        R.BENEFIT_ADMINISTRATOR,
        R.SECTION_HEAD,
        R.UNIT_HEAD,
    },
    "manage_organisation": {R.SYSTEM_ADMIN},
    # Norm tables, legal parameters and periods; also staff the administrator names
    # (User.rules_maintainer), e.g. a unit head or a system owner (systemförvaltare).
    "maintain_rules": {R.SYSTEM_ADMIN},
    # Background jobs: last run, result and failures (/drift/jobb/).
    "view_jobs": {R.SYSTEM_ADMIN},
}

CAPABILITY_LABELS = {
    "register_household": "registrera hushåll",
    "register_application": "registrera ansökningar",
    "edit_investigation": "skriva utredningar",
    "sign_investigation": "signera utredningar",
    "write_journal": "skriva journalanteckningar",
    "upload_document": "lägga in handlingar",
    "handle_application": "handlägga ansökningar",
    "take_case": "ta ärenden",
    "reassign_case": "fördela om ärenden",
    "close_case": "avsluta ärenden",
    "search_person": "söka personer",
    "emergency_access": "ta nödåtkomst",
    "review_access_log": "granska åtkomstloggen",
    "mark_protected_identity": "markera skyddade personuppgifter",
    "remove_protected_identity": "ta bort skyddade personuppgifter",
    "view_caseload": "se arbetsbelastning",
    "view_inbox": "se inkorgen",
    "manage_organisation": "administrera organisationen",
    "maintain_rules": "förvalta regelverket (riksnorm och lagparametrar)",
    "view_jobs": "se bakgrundsjobben",
}


def can(user, capability: str) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if capability == "maintain_rules" and getattr(user, "rules_maintainer", False):
        return True
    return user.role in CAPABILITIES[capability]


def require(user, capability: str) -> None:
    if not can(user, capability):
        role = user.get_role_display() if getattr(user, "role", None) else "okänd roll"
        raise PermissionRefused(
            "role_not_permitted",
            f"Din roll ({role}) får inte {CAPABILITY_LABELS[capability]}.",
            capability=capability,
        )
