"""What each role may do with the activity requirement. Which cases one may open is
cases.rules; these add the capability on top."""

from __future__ import annotations

from bistand.core.errors import PermissionRefused
from bistand.organisation.models import Role

R = Role

CAPABILITIES: dict[str, set[str]] = {
    "record_exemption": {R.SOCIAL_WORKER, R.BENEFIT_ADMINISTRATOR, R.SECTION_HEAD, R.UNIT_HEAD},
    # The section list: the section's handlers and its head (their own section only).
    "view_section_coverage": {R.SOCIAL_WORKER, R.BENEFIT_ADMINISTRATOR, R.SECTION_HEAD},
    # The unit's activities: the heads keep them (places, hours, coordinators).
    "manage_activities": {R.SECTION_HEAD, R.UNIT_HEAD},
    # The activity list and an activity's participants: the case roles see the participants
    # from cases they may open; a coordinator sees only the activities they coordinate.
    "view_activities": {
        R.SOCIAL_WORKER,
        R.BENEFIT_ADMINISTRATOR,
        R.SECTION_HEAD,
        R.UNIT_HEAD,
        R.ACTIVITY_COORDINATOR,
    },
    # Placing a person (or the waiting list) from the case, accepting an offer, ending.
    "assign_activity": {R.SOCIAL_WORKER, R.BENEFIT_ADMINISTRATOR, R.SECTION_HEAD, R.UNIT_HEAD},
    # Weekly attendance, by hand or from the provider's file: the activity's coordinators.
    "record_attendance": {R.ACTIVITY_COORDINATOR},
    # The handler's side of an absence and the person's activity plan (case access too).
    "assess_absence": {R.SOCIAL_WORKER, R.BENEFIT_ADMINISTRATOR, R.SECTION_HEAD, R.UNIT_HEAD},
    # Arbetsförmedlingen's "kan omfattas" notices read in from a file: the handlers and heads,
    # onto the open cases they may open (not the coordinator: no case access).
    "record_coverage_notice": {
        R.SOCIAL_WORKER,
        R.BENEFIT_ADMINISTRATOR,
        R.SECTION_HEAD,
        R.UNIT_HEAD,
    },
    # The participants file for Arbetsförmedlingen: the heads, for the cases they may open.
    "export_participants": {R.SECTION_HEAD, R.UNIT_HEAD},
}

CAPABILITY_LABELS = {
    "record_exemption": "registrera undantag från aktivitetskravet och läkarintyg",
    "view_section_coverage": "se sektionens lista över aktivitetskravet",
    "manage_activities": "lägga upp och ändra aktiviteter",
    "view_activities": "se aktiviteterna",
    "assign_activity": "anvisa till aktiviteter",
    "record_attendance": "registrera närvaro",
    "assess_absence": "bedöma frånvaro och skriva aktivitetsplaner",
    "export_participants": "ta ut deltagarlistan till Arbetsförmedlingen",
    "record_coverage_notice": "läsa in underrättelser från Arbetsförmedlingen",
}


def can(user, capability: str) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if capability == "view_section_coverage" and not user.section_id:
        return False
    return user.role in CAPABILITIES[capability]


def coordinates(user, activity) -> bool:
    """Whether `user` is a coordinator named on `activity` (and may record its attendance)."""
    return can(user, "record_attendance") and activity.coordinators.filter(pk=user.pk).exists()


def require(user, capability: str) -> None:
    if can(user, capability):
        return
    role = user.get_role_display() if getattr(user, "role", None) else "okänd roll"
    raise PermissionRefused(
        "role_not_permitted",
        f"Din roll ({role}) får inte {CAPABILITY_LABELS[capability]}.",
        capability=capability,
    )
