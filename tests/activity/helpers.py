"""Builders shared by the activity tests: people in open cases, activities, placements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count

from django.utils import timezone

from bistand.activity import services_places
from bistand.core.dates import add_months, month_start
from bistand.organisation.models import Role
from tests.factories import UserFactory

_names = count(1)


def this_month() -> dt.date:
    return month_start(timezone.localdate())


def adult_case(world, *, section=None, handler=None, name=None, born=dt.date(1985, 3, 14)):
    """A household with one applicant and an open case (section: labour by default)."""
    person = world.person(born + dt.timedelta(days=next(_names)), name=name or "Test")
    household = world.household((person, "applicant"))
    case = world.case(
        household, opened_on=add_months(this_month(), -6), section=section, handler=handler
    )
    return person, case


def coordinator(org, username="samordnare"):
    return UserFactory(username=username, role=Role.ACTIVITY_COORDINATOR, unit=org.unit)


def activity(org, *, places=2, name=None, coordinators=(), starts_on=None, hours="20"):
    return services_places.create_activity(
        org.unit_head,
        name=name or f"Jobbtorg {next(_names)}",
        provider="Arbetsmarknadsenheten",
        places=places,
        hours_per_week=Decimal(hours),
        starts_on=starts_on or add_months(this_month(), -2),
        coordinator_ids=[c.pk for c in coordinators],
    )


def assign(org, case, person, act, user=None):
    return services_places.assign_to_activity(
        user or org.other_social_worker,
        case,
        person_id=person.pk,
        activity=act,
        today=timezone.localdate(),
    )
