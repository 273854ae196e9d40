"""What each role may do with plans. Which cases one may open is cases.rules; these add the
plan-specific rules on top (e.g. only a social worker makes the plan in A and B cases)."""

from __future__ import annotations

from bistand.cases.models import CaseType
from bistand.core.errors import PermissionRefused
from bistand.organisation.models import Role

R = Role

CAPABILITIES: dict[str, set[str]] = {
    # Making and changing the plan, recording consent. Benefit administrators only in C cases
    # (DOMAIN.md: the social worker always makes the plan in A and B cases).
    "edit_plan": {R.SOCIAL_WORKER, R.BENEFIT_ADMINISTRATOR, R.SECTION_HEAD, R.UNIT_HEAD},
    "record_follow_up": {R.SOCIAL_WORKER, R.BENEFIT_ADMINISTRATOR, R.SECTION_HEAD, R.UNIT_HEAD},
    "refer": {R.SOCIAL_WORKER, R.BENEFIT_ADMINISTRATOR, R.SECTION_HEAD, R.UNIT_HEAD},
    "assess_work_capacity": {R.SOCIAL_WORKER, R.SECTION_HEAD, R.UNIT_HEAD},
    "resolve_deviation": {R.SECTION_HEAD, R.UNIT_HEAD},
    "view_plan_overview": {R.SECTION_HEAD, R.UNIT_HEAD},
    "configure_plans": {R.SECTION_HEAD, R.UNIT_HEAD, R.SYSTEM_ADMIN},
}

CAPABILITY_LABELS = {
    "edit_plan": "upprätta eller ändra arbetsplaner",
    "record_follow_up": "registrera uppföljningar",
    "refer": "anvisa till insatser",
    "assess_work_capacity": "göra bedömningar av arbetsförmåga",
    "resolve_deviation": "hantera avvikelser i C-ärenden",
    "view_plan_overview": "se sektionens planer",
    "configure_plans": "ändra inställningar för ärendetyper och insatser",
}

# Acts where a benefit administrator may act only in C cases.
SOCIAL_WORK_ACTS = {"edit_plan", "refer"}


def can(user, capability: str, case=None) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.role not in CAPABILITIES[capability]:
        return False
    # A benefit administrator makes plans and referrals only in C cases.
    return not (
        case is not None
        and capability in SOCIAL_WORK_ACTS
        and user.role == R.BENEFIT_ADMINISTRATOR
        and case.case_type != CaseType.C
    )


def require(user, capability: str, case=None) -> None:
    if can(user, capability, case):
        return
    role = user.get_role_display() if getattr(user, "role", None) else "okänd roll"
    if (
        case is not None
        and getattr(user, "role", None) == R.BENEFIT_ADMINISTRATOR
        and user.role in CAPABILITIES[capability]
    ):
        raise PermissionRefused(
            "social_worker_act",
            f"I {case.case_type or 'ej typade'}-ärenden är det socialsekreteraren som får "
            f"{CAPABILITY_LABELS[capability]}; bidragshandläggaren gör det bara i C-ärenden.",
            capability=capability,
            case_id=case.pk,
        )
    raise PermissionRefused(
        "role_not_permitted",
        f"Din roll ({role}) får inte {CAPABILITY_LABELS[capability]}.",
        capability=capability,
    )
