"""Who may see which figures.

The unit head sees the whole unit and may filter on any of its sections and handlers; a section
head sees their own section only (the section filter is fixed to it). Every other role is
refused. Figures are counts and sums, never individuals, so reading them is not logged per
case; the national-report export is individual-level and only the unit head may make it
(logged, see national_report.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bistand.core.errors import PermissionRefused
from bistand.organisation.models import Role, Section, User

STATISTICS_ROLES = frozenset({Role.UNIT_HEAD, Role.SECTION_HEAD})
EXPORT_ROLES = frozenset({Role.UNIT_HEAD})


@dataclass(frozen=True)
class Filters:
    """Filters the user chose. Not every figure can honour every filter: each block of the
    figures says which it applied (docs/statistics.md, "Filters")."""

    section_id: int | None = None
    handler_id: int | None = None
    case_type: str | None = None
    household_type: int | None = None
    age_band: str | None = None

    def as_dict(self) -> dict:
        return {
            "section": self.section_id,
            "handler": self.handler_id,
            "case_type": self.case_type,
            "household_type": self.household_type,
            "age_band": self.age_band,
        }

    @property
    def active(self) -> list[str]:
        return [name for name, value in self.as_dict().items() if value not in (None, "")]


def _role_label(user) -> str:
    return user.get_role_display() if getattr(user, "role", None) else "okänd roll"


def require_statistics_access(user) -> None:
    if not (user and user.is_authenticated and user.is_active and user.role in STATISTICS_ROLES):
        raise PermissionRefused(
            "role_not_permitted",
            f"Din roll ({_role_label(user)}) får inte se enhetens statistik.",
        )
    if user.unit_id is None:
        raise PermissionRefused("no_unit", "Du är inte placerad på någon enhet.")


def require_export_access(user) -> None:
    """The national report holds every recipient's identity number: unit head only."""
    require_statistics_access(user)
    if user.role not in EXPORT_ROLES:
        raise PermissionRefused(
            "role_not_permitted",
            f"Din roll ({_role_label(user)}) får inte ta ut individuppgifter till "
            "Socialstyrelsen; det gör enhetschefen.",
        )


def require_refresh_access(user) -> None:
    require_statistics_access(user)
    if user.role != Role.UNIT_HEAD:
        raise PermissionRefused(
            "role_not_permitted", "Bara enhetschefen kan uppdatera statistiken."
        )


def scoped_filters(user, requested: Filters) -> Filters:
    """The filters the user may use: a section head's section is fixed to their own; a
    section or handler outside the user's reach is refused (not silently widened)."""
    require_statistics_access(user)
    filters = requested
    if user.role == Role.SECTION_HEAD:
        if filters.section_id not in (None, user.section_id):
            raise PermissionRefused(
                "section_not_permitted", "Du kan bara se statistik för din egen sektion."
            )
        filters = replace(filters, section_id=user.section_id)
    elif (
        filters.section_id is not None
        and not Section.objects.filter(pk=filters.section_id, unit_id=user.unit_id).exists()
    ):
        raise PermissionRefused("section_not_permitted", "Sektionen hör inte till din enhet.")
    if filters.handler_id is not None:
        handlers = allowed_handlers(user)
        if not handlers.filter(pk=filters.handler_id).exists():
            raise PermissionRefused(
                "handler_not_permitted", "Handläggaren hör inte till det du kan se statistik för."
            )
    return filters


def allowed_sections(user):
    if user.role == Role.SECTION_HEAD:
        return Section.objects.filter(pk=user.section_id)
    return Section.objects.filter(unit_id=user.unit_id)


def allowed_handlers(user):
    """Handlers the user may filter on: staff of the unit (a section head: of the section)."""
    staff = User.objects.filter(
        unit_id=user.unit_id, role__in=(Role.SOCIAL_WORKER, Role.BENEFIT_ADMINISTRATOR)
    )
    if user.role == Role.SECTION_HEAD:
        staff = staff.filter(section_id=user.section_id)
    return staff.order_by("last_name", "first_name")
