"""The demo's activities for the activity requirement (issue #16): three of the unit's
activities kept by the unit head, run by the demo coordinator, some adults of open cases
placed or queued, and last week's attendance with one absence without valid reason for the
handler to assess. Everything goes through the activity services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bistand.activity import services_attendance, services_places
from bistand.cases.models import Case, CaseStatus
from bistand.core.errors import DomainError
from bistand.organisation.models import Role

from .staff import Organisation

ACTIVITIES = (
    ("Jobbtorg – jobbsökarstöd", "Arbetsmarknadsenheten", 4, Decimal("20")),
    ("Språkcafé och SFI-stöd", "Lärcentrum", 3, Decimal("10")),
    ("Praktik inom handel", "Jobbaktiv", 2, Decimal("30")),
)
HANDLER_ROLES = (Role.SOCIAL_WORKER, Role.BENEFIT_ADMINISTRATOR)


def add_demo_activities(org: Organisation, today: dt.date) -> int:
    """Returns the number of placements made."""
    head = org.first(None, Role.UNIT_HEAD)
    coordinators = org.of(None, Role.ACTIVITY_COORDINATOR)
    activities = [
        services_places.create_activity(
            head,
            name=name,
            provider=provider,
            places=places,
            hours_per_week=hours,
            starts_on=today - dt.timedelta(days=90),
            coordinator_ids=[c.pk for c in coordinators],
        )
        for name, provider, places, hours in ACTIVITIES
    ]
    cases = (
        Case.objects.filter(
            unit=org.unit, status=CaseStatus.ACTIVE, handler__role__in=HANDLER_ROLES
        )
        .select_related("handler", "household")
        .order_by("pk")[:14]
    )
    placed = []
    for index, case in enumerate(cases):
        person = case.household.applicant_on(today)
        if person is None:
            continue
        activity = activities[index % len(activities)]
        try:
            placement = services_places.assign_to_activity(
                case.handler, case, person_id=person.pk, activity=activity, today=today
            )
        except DomainError:
            continue  # not assessed with the household today: no placement
        placed.append(placement)
    if coordinators:
        last_week = services_attendance.week_monday(today) - dt.timedelta(days=7)
        in_place = [p for p in placed if p.status == "placed"]
        for number, placement in enumerate(in_place):
            # Placed from the start of last week for the demo's attendance.
            type(placement).objects.filter(pk=placement.pk).update(placed_on=last_week)
            placement.placed_on = last_week
            services_attendance.record_attendance(
                coordinators[0],
                placement,
                week=last_week,
                status="unexcused" if number == 0 else "present",
                hours=Decimal("0") if number == 0 else placement.activity.hours_per_week,
                note="Uteblev utan att höra av sig" if number == 0 else "",
                today=today,
            )
    return len(placed)
