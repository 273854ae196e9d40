"""Reads of households for list pages: what every row needs, read once for all rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from .models import Household, HouseholdMembership, MemberRole


def attach_applicants(households: Iterable[Household], day: dt.date | None = None) -> None:
    """Read the applicant on `day` (default today, as `str(household)` uses) of every
    household in one query, so that `applicant_on(day)` and `str()` ask nothing per row."""
    day = day or dt.date.today()
    by_id: dict[int, list[Household]] = {}
    for household in households:
        if household is not None:
            by_id.setdefault(household.pk, []).append(household)
    if not by_id:
        return
    first: dict[int, object] = {}
    for membership in (
        HouseholdMembership.objects.filter(
            household_id__in=list(by_id), role=MemberRole.APPLICANT, valid_from__lte=day
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .select_related("person")
        .order_by("role", "person__birth_date")  # as Household.members_on
    ):
        first.setdefault(membership.household_id, membership.person)
    for household_id, same in by_id.items():
        for household in same:
            household.__dict__.setdefault("_applicants_on", {})[day] = first.get(household_id)
