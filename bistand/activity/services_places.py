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

from .criteria import criteria_shortfalls
from .models import (
    HOLDS_PLACE,
    OPEN_PLACEMENT,
    PLACEMENT_TRANSITIONS,
    Activity,
    ActivityChange,
    CriteriaWaiver,
    Placement,
    PlacementStatus,
    QueueSkip,
    SwedishLevel,
    WorkAbility,
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


def _check_criteria(min_age, max_age, swedish_level, min_work_ability) -> None:
    for code, age in (("bad_min_age", min_age), ("bad_max_age", max_age)):
        if age is not None and not (16 <= age <= 70):
            raise DomainError(code, "Ange en ålder mellan 16 och 70 år.")
    if min_age is not None and max_age is not None and max_age < min_age:
        raise DomainError("bad_max_age", "Högsta ålder kan inte vara lägre än lägsta ålder.")
    if swedish_level not in SwedishLevel.values:
        raise DomainError("bad_swedish_level", "Välj ett språkkrav i listan.")
    if min_work_ability is not None and min_work_ability not in WorkAbility.values:
        raise DomainError("bad_work_ability", "Välj ett krav på arbetsförmåga i listan.")


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
    min_age: int | None = None,
    max_age: int | None = None,
    swedish_level: str = "",
    min_work_ability: int | None = None,
) -> Activity:
    require(actor, "manage_activities")
    if not actor.unit_id:
        raise PermissionRefused("no_unit", "Du hör inte till någon enhet.")
    _check_activity_fields(name, provider, places, hours_per_week, starts_on, ends_on)
    _check_criteria(min_age, max_age, swedish_level, min_work_ability)
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
        min_age=min_age,
        max_age=max_age,
        swedish_level=swedish_level,
        min_work_ability=min_work_ability,
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


EDITABLE = (
    "name",
    "provider",
    "places",
    "hours_per_week",
    "min_age",
    "max_age",
    "swedish_level",
    "min_work_ability",
)


def _as_json(value):
    return str(value.quantize(Decimal("0.1"))) if isinstance(value, Decimal) else value


@transaction.atomic
def edit_activity(
    actor,
    activity: Activity,
    *,
    name: str,
    provider: str,
    places: int,
    hours_per_week: Decimal,
    min_age: int | None = None,
    max_age: int | None = None,
    swedish_level: str = "",
    min_work_ability: int | None = None,
    coordinator_ids=(),
) -> tuple[Activity, list[Placement]]:
    """Change an activity's name, provider, places, hours and referral criteria (and its
    coordinators). The change is a row of `ActivityChange` (only what changed, before and
    after) and an access-log row. Fewer places than are taken (placed or offered) is refused;
    more places are offered to the waiting list in queue order. Returns the activity and the
    placements offered a place."""
    require(actor, "manage_activities")
    activity = _lock_activity(actor, activity)
    _check_activity_fields(
        name, provider, places, hours_per_week, activity.starts_on, activity.ends_on
    )
    _check_criteria(min_age, max_age, swedish_level, min_work_ability)
    name = name.strip()
    if (
        name != activity.name
        and Activity.objects.filter(unit_id=activity.unit_id, name=name)
        .exclude(pk=activity.pk)
        .exists()
    ):
        raise DomainError("name_taken", "Det finns redan en aktivitet med det namnet.")
    taken = places_taken(activity)
    if places < taken:
        raise DomainError(
            "places_below_taken",
            f"{taken} platser är tagna (placerade eller erbjudna): antalet platser kan inte "
            f"vara lägre än {taken}. Avsluta placeringar först.",
        )
    new = {
        "name": name,
        "provider": provider.strip(),
        "places": places,
        "hours_per_week": hours_per_week,
        "min_age": min_age,
        "max_age": max_age,
        "swedish_level": swedish_level,
        "min_work_ability": min_work_ability,
    }
    before = {f: _as_json(getattr(activity, f)) for f in EDITABLE if getattr(activity, f) != new[f]}
    after = {f: _as_json(new[f]) for f in before}
    coordinators = _coordinators(actor, coordinator_ids)
    old_coordinators = sorted(activity.coordinators.values_list("pk", flat=True))
    new_coordinators = sorted(c.pk for c in coordinators)
    if old_coordinators != new_coordinators:
        before["coordinators"] = old_coordinators
        after["coordinators"] = new_coordinators
        activity.coordinators.set(coordinators)
    if not after:
        return activity, []
    for field in EDITABLE:
        setattr(activity, field, new[field])
    activity.save(update_fields=list(EDITABLE))
    ActivityChange.objects.create(activity=activity, before=before, after=after, changed_by=actor)
    record(actor, AuditAction.UPDATE, obj=activity, detail={"before": before, "after": after})
    return activity, _offer_freed_places(actor, activity)


def _lock_activity(actor, activity: Activity) -> Activity:
    """The activity row locked for counting places; another unit's activity is missing."""
    locked = Activity.objects.select_for_update().filter(pk=activity.pk).first()
    if locked is None or locked.unit_id != actor.unit_id:
        raise DomainError("activity_not_found", "Aktiviteten finns inte.")
    return locked


def places_taken(activity: Activity) -> int:
    return Placement.objects.filter(activity=activity, status__in=HOLDS_PLACE).count()


def waived_codes(placement: Placement) -> set[str]:
    """The criteria the handler's written reasons cover for this placement: at assignment
    and in later waivers (`CriteriaWaiver`)."""
    codes = set(placement.criteria_waived or ())
    for waiver in placement.waivers.all():
        codes.update(waiver.codes)
    return codes


def unmet_criteria(placement: Placement, day: dt.date):
    """The activity's criteria the queued person does not meet on `day` and that no written
    reason covers."""
    waived = waived_codes(placement)
    return [
        s
        for s in criteria_shortfalls(placement.activity, placement.person, day)
        if s.code not in waived
    ]


def _offer_freed_places(actor, activity: Activity, today: dt.date | None = None) -> list[Placement]:
    """While places are free, offer the first on the waiting list a place (in queue order).

    The referral criteria are checked again for each: a person who no longer meets them (or
    cannot be checked) and whose shortfall no written reason covers is passed over with the
    reasons recorded (`QueueSkip`, an access-log row) and keeps their place in the queue."""
    offered: list[Placement] = []
    free = activity.places - places_taken(activity)
    if free <= 0:
        return offered
    today = today or timezone.localdate()
    now = timezone.now()
    waiting = (
        Placement.objects.filter(activity=activity, status=PlacementStatus.WAITING)
        .select_related("person", "activity")
        .prefetch_related("waivers")
        .order_by("queued_at", "id")
    )
    for placement in waiting:
        if len(offered) >= free:
            break
        unmet = unmet_criteria(placement, today)
        if unmet:
            skip = QueueSkip.objects.create(
                placement=placement,
                codes=[s.code for s in unmet],
                reasons=[s.message for s in unmet],
            )
            record(
                actor,
                AuditAction.UPDATE,
                obj=placement,
                case_id=placement.case_id,
                person_id=placement.person_id,
                detail={
                    "before": {"status": "waiting"},
                    "after": {"status": "waiting", "skipped": skip.reasons},
                },
            )
            continue
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
def waive_criteria(
    actor, case: Case, placement: Placement, *, reason: str, today: dt.date
) -> tuple[CriteriaWaiver, list[Placement]]:
    """The handler's written reason to offer a queued person a place although they do not
    meet the activity's criteria today (the reason covers those shown). A place free now is
    offered at once in queue order; otherwise the person is offered the next that frees.
    Returns the waiver and the placements offered."""
    activity, placement = _lock_placement(actor, case, placement)
    _require_open(case)
    if placement.status != PlacementStatus.WAITING:
        raise DomainError("not_waiting", "Personen står inte på väntelistan.")
    unmet = unmet_criteria(placement, today)
    if not unmet:
        raise DomainError(
            "criteria_met", "Personen uppfyller aktivitetens kriterier: inget skäl behövs."
        )
    if not reason.strip():
        raise DomainError(
            "reason_required",
            "Ange skälet att erbjuda plats trots kriterierna.",
            warnings=[s.message for s in unmet],
        )
    waiver = CriteriaWaiver.objects.create(
        placement=placement,
        codes=[s.code for s in unmet],
        warnings=[s.message for s in unmet],
        reason=reason.strip(),
        waived_by=actor,
    )
    record(
        actor,
        AuditAction.UPDATE,
        obj=placement,
        case_id=case.pk,
        person_id=placement.person_id,
        detail={"after": {"criteria_warnings": waiver.warnings, "criteria_reason": waiver.reason}},
    )
    return waiver, _offer_freed_places(actor, activity, today)


@transaction.atomic
def assign_to_activity(
    actor,
    case: Case,
    *,
    person_id: int,
    activity: Activity,
    today: dt.date,
    criteria_reason: str = "",
) -> Placement:
    """Place a person of the case in the activity, or put them last on its waiting list when
    every place is taken (or already offered to someone waiting). A person who does not meet
    the activity's referral criteria (or whose meeting them cannot be checked) is assigned
    only with the handler's reason (`criteria_reason`); without one the warnings are raised
    (`DomainError` "criteria_not_met", its `context["warnings"]`) and nothing is stored."""
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
    shortfalls = criteria_shortfalls(activity, person, today)
    warnings = [s.message for s in shortfalls]
    criteria_reason = criteria_reason.strip() if warnings else ""
    if warnings and not criteria_reason:
        raise DomainError(
            "criteria_not_met",
            "Personen uppfyller inte aktivitetens kriterier (eller så kan de inte kontrolleras). "
            "Ange skälet att ändå anvisa.",
            warnings=warnings,
        )
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
        criteria_warnings=warnings,
        criteria_reason=criteria_reason,
        criteria_waived=[s.code for s in shortfalls],
    )
    after = {"activity": activity.pk, "status": placement.status}
    if warnings:
        after |= {"criteria_warnings": warnings, "criteria_reason": criteria_reason}
    record(
        actor,
        AuditAction.CREATE,
        obj=placement,
        case_id=case.pk,
        person_id=person.pk,
        detail={"after": after},
    )
    if not has_room:
        # A place free beside a queue of people passed over (criteria): offered in order,
        # perhaps to this person.
        _offer_freed_places(actor, activity, today)
        placement.refresh_from_db()
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
    return _offer_freed_places(actor, activity, today)


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
        offered += _offer_freed_places(actor, activity, closed_on)
    return offered
