"""What each role may do with register checks and the unit's check requirements."""

from bistand.core.errors import PermissionRefused
from bistand.organisation.models import Role

R = Role
HANDLERS = {R.SOCIAL_WORKER, R.BENEFIT_ADMINISTRATOR, R.SECTION_HEAD, R.UNIT_HEAD}

CAPABILITIES: dict[str, set[str]] = {
    "check": set(HANDLERS),
    "configure_checks": {R.UNIT_HEAD, R.SYSTEM_ADMIN},
    # Sample review (stickprov) and the review queue: the unit head or the unit's controller
    # (internkontrollant) draws, assigns, follows up and signs off; a controller also reviews
    # drawn decisions (never their own: a controller decides nothing, and the services refuse
    # the decider by person, whatever role they hold now).
    "draw_sample": {R.UNIT_HEAD, R.CONTROLLER},
    "review_sample": {*HANDLERS, R.CONTROLLER},
    "review_queue": {R.UNIT_HEAD, R.CONTROLLER},
    # The control runs' flags as a list (no evidence, no acts): fraud investigators work the
    # queue; the controller follows it (docs/controls.md, "The controller").
    "read_flag_list": {R.FRAUD_INVESTIGATOR, R.CONTROLLER},
}
CAPABILITY_LABELS = {
    "check": "göra eller bedöma kontroller",
    "configure_checks": "ändra enhetens krav på kontroller",
    "draw_sample": "dra eller följa upp stickprov",
    "review_sample": "granska beslut i stickprov",
    "review_queue": "granska och signera i granskningskön",
    "read_flag_list": "läsa kontrollkörningarnas flaggor",
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


# Incorrect payments, recovery (återkrav) and the documentation backlog (docs/recovery.md).
# Recovery decisions: section and unit heads by default (the delegation order in decisions has
# no point for återkrav yet; the board's order may say otherwise).
CAPABILITIES.update(
    {
        "register_incorrect_payment": set(HANDLERS),
        "decide_recovery": {R.SECTION_HEAD, R.UNIT_HEAD},
        "record_repayment": set(HANDLERS),
        "write_off_recovery": {R.SECTION_HEAD, R.UNIT_HEAD},
        "view_backlog": {R.SECTION_HEAD, R.UNIT_HEAD},
        "configure_backlog": {R.UNIT_HEAD, R.SYSTEM_ADMIN},
    }
)
CAPABILITY_LABELS.update(
    {
        "register_incorrect_payment": "registrera felaktiga utbetalningar",
        "decide_recovery": "fatta beslut om återkrav",
        "record_repayment": "registrera inbetalningar på återkrav",
        "write_off_recovery": "besluta om avskrivning av återkrav",
        "view_backlog": "se dokumentationsskulden",
        "configure_backlog": "ändra enhetens gränser för dokumentationsskuld",
    }
)
