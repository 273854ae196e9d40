"""Writes for the unit's activities: keeping an activity, placing a person from the case
(placed, or on the waiting list when the places are taken), accepting an offered place and
ending a placement. A place that frees up is offered to the first on the waiting list.

The activity row is locked while places are counted, so two handlers placing at once cannot
overfill it (docs/activity-requirement.md, "Activities and the waiting list").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import Case
from bistand.core.errors import DomainError, PermissionRefused
from bistand.organisation.models import Role, User

from .models import (
    HOLDS_PLACE,
    OPEN_PLACEMENT,
    PLACEMENT_TRANSITIONS,
    Activity,
    Placement,
    PlacementStatus,
)
from .permissions import require
from .services import _member_of, _require_open


def _check_activity_fields(name, provider, places, hours_per_week, starts_on, ends_on) -> None:
    if not name.strip():
        raise DomainError("name_required", "Ange aktivitetens namn.")
    if not provider.strip():
        raise DomainError("provider_required", "Ange vem som anordnar aktiviteten.")
    if places is None or places < 1:
        raise DomainError("bad_places", "Antal platser måste vara minst 1.")
    if hours_per_week is None or not (Decimal("0") < hours_per_week <= Decimal("40")):
        raise DomainError("bad_hours", "Timmar per vecka ska vara mer än 0 och högst 40.")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError("bad_period", "Slutdatum kan inte vara före startdatum.")


def _coordinators(actor, coordinator_ids) -> list[User]:
    ids = set(coordinator_ids or ())
    found = list(
        User.objects.filter(
            pk__in=ids, role=Role.ACTIVITY_COORDINATOR, unit_id=actor.unit_id, is_active=True
        )
    )
    if len(found) != len(ids):
        raise DomainError(
            "bad_coordinator", "Välj aktivitetssamordnare från enhetens personal i listan."
        )
    return found


@transaction.atomic
def create_activity(
    actor,
    *,
    name: str,
    provider: str,
    places: int,
    hours_per_week: Decimal,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    coordinator_ids=(),
) -> Activity:
    require(actor, "manage_activities")
    if not actor.unit_id:
        raise PermissionRefused("no_unit", "Du hör inte till någon enhet.")
    _check_activity_fields(name, provider, places, hours_per_week, starts_on, ends_on)
    if Activity.objects.filter(unit_id=actor.unit_id, name=name.strip()).exists():
        raise DomainError("name_taken", "Det finns redan en aktivitet med det namnet.")
    coordinators = _coordinators(actor, coordinator_ids)
    activity = Activity.objects.create(
        unit_id=actor.unit_id,
        name=name.strip(),
        provider=provider.strip(),
        places=places,
        hours_per_week=hours_per_week,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    activity.coordinators.set(coordinators)
    record(
        actor,
        AuditAction.CREATE,
        obj=activity,
        detail={
            "after": {
                "name": activity.name,
                "places": places,
                "hours_per_week": str(hours_per_week),
                "coordinators": sorted(c.pk for c in coordinators),
            }
        },
    )
    return activity


def _lock_activity(actor, activity: Activity) -> Activity:
    """The activity row locked for counting places; another unit's activity is missing."""
    locked = Activity.objects.select_for_update().filter(pk=activity.pk).first()
    if locked is None or locked.unit_id != actor.unit_id:
        raise DomainError("activity_not_found", "Aktiviteten finns inte.")
    return locked


def places_taken(activity: Activity) -> int:
    return Placement.objects.filter(activity=activity, status__in=HOLDS_PLACE).count()


def _offer_freed_places(actor, activity: Activity) -> list[Placement]:
    """While places are free, offer the first on the waiting list a place (in queue order)."""
    offered = []
    free = activity.places - places_taken(activity)
    if free <= 0:
        return offered
    now = timezone.now()
    waiting = Placement.objects.filter(activity=activity, status=PlacementStatus.WAITING).order_by(
        "queued_at", "id"
    )[:free]
    for placement in waiting:
        placement.status = PlacementStatus.OFFERED
        placement.offered_at = now
        placement.save(update_fields=["status", "offered_at"])
        record(
            actor,
            AuditAction.UPDATE,
            obj=placement,
            case_id=placement.case_id,
            person_id=placement.person_id,
            detail={"before": {"status": "waiting"}, "after": {"status": "offered"}},
        )
        offered.append(placement)
    return offered


@transaction.atomic
def assign_to_activity(
    actor, case: Case, *, person_id: int, activity: Activity, today: dt.date
) -> Placement:
    """Place a person of the case in the activity, or put them last on its waiting list when
    every place is taken (or already offered to someone waiting)."""
    require(actor, "assign_activity")
    case = Case.objects.select_for_update().select_related("household").get(pk=case.pk)
    _require_open(case)
    person = _member_of(case, person_id, today)
    activity = _lock_activity(actor, activity)
    if activity.unit_id != case.unit_id:
        raise DomainError("activity_not_found", "Aktiviteten finns inte.")
    if activity.ends_on is not None and activity.ends_on < today:
        raise DomainError("activity_ended", "Aktiviteten har slutat.")
    if Placement.objects.filter(
        activity=activity, person=person, status__in=OPEN_PLACEMENT
    ).exists():
        raise DomainError("already_assigned", "Personen är redan anvisad till aktiviteten.")
    queue_is_empty = not Placement.objects.filter(
        activity=activity, status=PlacementStatus.WAITING
    ).exists()
    has_room = places_taken(activity) < activity.places and queue_is_empty
    placement = Placement.objects.create(
        activity=activity,
        person=person,
        case=case,
        status=PlacementStatus.PLACED if has_room else PlacementStatus.WAITING,
        queued_at=timezone.now(),
        placed_on=max(today, activity.starts_on) if has_room else None,
        assigned_by=actor,
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=placement,
        case_id=case.pk,
        person_id=person.pk,
        detail={"after": {"activity": activity.pk, "status": placement.status}},
    )
    return placement


def _lock_placement(actor, case: Case, placement: Placement) -> tuple[Activity, Placement]:
    require(actor, "assign_activity")
    if placement.case_id != case.pk:
        raise DomainError("placement_not_found", "Anvisningen finns inte.")
    activity = _lock_activity(actor, placement.activity)
    return activity, Placement.objects.select_for_update().get(pk=placement.pk)


def _move(placement: Placement, to: str) -> None:
    if to not in PLACEMENT_TRANSITIONS[PlacementStatus(placement.status)]:
        raise DomainError(
            "bad_transition",
            f"Anvisningen är {placement.get_status_display().lower()} och kan inte ändras så.",
        )


@transaction.atomic
def accept_offer(actor, case: Case, placement: Placement, *, today: dt.date) -> Placement:
    """The person takes the offered place: placed from `today` (or the activity's start)."""
    activity, placement = _lock_placement(actor, case, placement)
    _require_open(case)
    _move(placement, PlacementStatus.PLACED)
    placement.status = PlacementStatus.PLACED
    placement.placed_on = max(today, activity.starts_on)
    placement.save(update_fields=["status", "placed_on"])
    record(
        actor,
        AuditAction.UPDATE,
        obj=placement,
        case_id=case.pk,
        person_id=placement.person_id,
        detail={"before": {"status": "offered"}, "after": {"status": "placed"}},
    )
    return placement


@transaction.atomic
def _mark_ended(actor, case: Case, placement: Placement, *, reason: str, on: dt.date) -> None:
    """End one (locked) placement with its reason, logged with before/after."""
    before = placement.status
    placement.status = PlacementStatus.ENDED
    placement.ended_on = on
    placement.end_reason = reason
    placement.save(update_fields=["status", "ended_on", "end_reason"])
    record(
        actor,
        AuditAction.UPDATE,
        obj=placement,
        case_id=case.pk,
        person_id=placement.person_id,
        detail={"before": {"status": before}, "after": {"status": "ended", "reason": reason}},
    )


def end_placement(
    actor, case: Case, placement: Placement, *, reason: str, today: dt.date
) -> list[Placement]:
    """End a placement, an offer (declined) or a place in the queue, with a reason. A place
    that frees up is offered to the next on the waiting list; returns those offered."""
    activity, placement = _lock_placement(actor, case, placement)
    _move(placement, PlacementStatus.ENDED)
    if not reason.strip():
        raise DomainError("reason_required", "Ange varför anvisningen avslutas.")
    _mark_ended(actor, case, placement, reason=reason.strip(), on=today)
    return _offer_freed_places(actor, activity)


CLOSED_CASE_REASON = "Ärendet avslutades"


def end_placements_of_closed_case(actor, case: Case, closed_on: dt.date) -> list[Placement]:
    """When a case closes (cases.services.CASE_CLOSING_HOOKS, inside its transaction): every
    placement, offer and place in a queue of the case ends with the closing as its reason,
    and each place that frees up is offered to the next on that activity's waiting list.
    Returns the placements offered. Not a handler act: no activity permission is asked."""
    offered: list[Placement] = []
    activity_ids = (
        Placement.objects.filter(case=case, status__in=OPEN_PLACEMENT)
        .order_by("activity_id")
        .values_list("activity_id", flat=True)
        .distinct()
    )
    for activity_id in list(activity_ids):  # locked in id order: no deadlock between closings
        activity = Activity.objects.select_for_update().get(pk=activity_id)
        for placement in Placement.objects.select_for_update().filter(
            case=case, activity=activity, status__in=OPEN_PLACEMENT
        ):
            _mark_ended(actor, case, placement, reason=CLOSED_CASE_REASON, on=closed_on)
        offered += _offer_freed_places(actor, activity)
    return offered
