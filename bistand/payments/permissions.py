"""What each role may do with payees, payment orders, runs, reports and budgets.

The broken payment chain (who may attest *which* order) is not a role question; it is checked
per order in services.check_chain and again by the database (migration 0002).
"""

from bistand.core.errors import PermissionRefused
from bistand.organisation.models import Role

R = Role
HANDLERS = {R.SOCIAL_WORKER, R.BENEFIT_ADMINISTRATOR, R.SECTION_HEAD, R.UNIT_HEAD}

CAPABILITIES: dict[str, set[str]] = {
    # Only finance enters or changes an account, and only finance sees a full account number.
    "manage_payees": {R.FINANCE},
    "view_full_account": {R.FINANCE},
    "view_payees": {R.FINANCE, *HANDLERS},
    "create_order": {R.FINANCE, *HANDLERS},
    "attest_order": set(HANDLERS),
    "second_attest": {R.SECTION_HEAD, R.UNIT_HEAD},
    "approve_cash": {R.UNIT_HEAD},
    "approve_payee_exception": {R.UNIT_HEAD},
    "cancel_order": {R.FINANCE, *HANDLERS},
    "reissue_order": {R.FINANCE, *HANDLERS},
    "record_manual_payment": {R.FINANCE},
    "view_payment_queue": {R.FINANCE, R.UNIT_HEAD},
    "manage_runs": {R.FINANCE},
    "view_runs": {R.FINANCE, R.UNIT_HEAD},
    "reconcile": {R.FINANCE},
    "manage_budget": {R.FINANCE, R.UNIT_HEAD},
    "export_accounting": {R.FINANCE, R.UNIT_HEAD},
    "manage_payment_settings": {R.UNIT_HEAD},
}

CAPABILITY_LABELS = {
    "manage_payees": "registrera eller ändra mottagare och konton",
    "view_full_account": "se fullständiga kontonummer",
    "view_payees": "se mottagarregistret",
    "create_order": "registrera utbetalningar",
    "attest_order": "attestera utbetalningar",
    "second_attest": "göra andra attest över beloppsspärren",
    "approve_cash": "godkänna kontant utbetalning",
    "approve_payee_exception": "godkänna undantag för utbetalning utanför hushållet",
    "cancel_order": "makulera utbetalningar",
    "reissue_order": "registrera om utbetalningar",
    "record_manual_payment": "registrera kontant utbetalning eller inlöst rekvisition",
    "view_payment_queue": "se utbetalningskön",
    "manage_runs": "skapa, skicka och makulera betalningsfiler",
    "view_runs": "se betalningsfiler",
    "reconcile": "läsa in bankens avstämningsfiler",
    "manage_budget": "lägga budget och budgetkonton",
    "export_accounting": "ta ut bokföringsexport",
    "manage_payment_settings": "ändra beloppsspärr och utbetalningskonto",
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
