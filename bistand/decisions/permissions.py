"""What each role may do with calculations, decisions and appeals. Which decision a person
may make (kind and amount) is the delegation order's business (delegation.py)."""

from bistand.core.errors import PermissionRefused
from bistand.organisation.models import Role

R = Role
HANDLERS = {R.SOCIAL_WORKER, R.BENEFIT_ADMINISTRATOR, R.SECTION_HEAD, R.UNIT_HEAD}

CAPABILITIES: dict[str, set[str]] = {
    "calculate": set(HANDLERS),
    "decide": set(HANDLERS),
    "register_appeal": {R.RECEPTION, *HANDLERS},
    "handle_appeal": set(HANDLERS),
    "send_letter": {R.RECEPTION, *HANDLERS},
    "review_automatic": {R.SECTION_HEAD, R.UNIT_HEAD},
    "view_decision_overview": {R.SECTION_HEAD, R.UNIT_HEAD},
    "run_decision_batch": {R.BENEFIT_ADMINISTRATOR, R.SECTION_HEAD, R.UNIT_HEAD},
    "manage_decision_settings": {R.SYSTEM_ADMIN},
}

CAPABILITY_LABELS = {
    "calculate": "göra beräkningar",
    "decide": "fatta beslut",
    "register_appeal": "registrera överklaganden",
    "handle_appeal": "handlägga överklaganden",
    "send_letter": "skicka beslutsbrev",
    "review_automatic": "granska automatiska beslut",
    "view_decision_overview": "se beslutsöversikten",
    "run_decision_batch": "förbereda beslut för fortsatta ansökningar",
    "manage_decision_settings": "ändra delegationsordning, riktlinjer och beslutsinställningar",
}


def can(user, capability: str) -> bool:
    return bool(
        user and user.is_authenticated and user.is_active and user.role in CAPABILITIES[capability]
    )


def require(user, capability: str) -> None:
    if not can(user, capability):
        role = user.get_role_display() if getattr(user, "role", None) else "okänd roll"
        raise PermissionRefused(
            "role_not_permitted",
            f"Din roll ({role}) får inte {CAPABILITY_LABELS[capability]}.",
            capability=capability,
        )
