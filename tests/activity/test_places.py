"""Issue #16, slice 3: the unit's activities with places and a waiting list. A person is placed
from the case, or queued when the places are taken; a freed place is offered to the first in
the queue; the queue keeps its order; nobody waits while a place is free."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bistand.activity import services_places
from bistand.activity.models import HOLDS_PLACE, Placement, PlacementStatus
from bistand.core.errors import DomainError, PermissionRefused
from tests.activity.helpers import activity, adult_case, assign
from tests.statistics.builders import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    return World(org)


def end(org, placement, reason="Avbröt"):
    return services_places.end_placement(
        org.other_social_worker,
        placement.case,
        placement,
        reason=reason,
        today=timezone.localdate(),
    )


def test_placed_while_places_are_free_then_queued_in_order(org, world):
    act = activity(org, places=2)
    people = [adult_case(world, name=f"P{i}") for i in range(5)]
    placements = [assign(org, case, person, act) for person, case in people]
    assert [p.status for p in placements] == ["placed", "placed", "waiting", "waiting", "waiting"]
    assert placements[0].placed_on == timezone.localdate()
    waiting = Placement.objects.filter(activity=act, status="waiting").order_by("queued_at", "id")
    assert [p.pk for p in waiting] == [p.pk for p in placements[2:]]


def test_a_freed_place_is_offered_to_the_first_waiting_who_may_accept_or_decline(org, world):
    act = activity(org, places=1)
    (p1, c1), (p2, c2), (p3, c3) = (adult_case(world, name=n) for n in ("A", "B", "C"))
    first, second, third = (assign(org, c, p, act) for p, c in ((p1, c1), (p2, c2), (p3, c3)))
    offered = end(org, first, "Fick arbete")
    assert [p.pk for p in offered] == [second.pk]
    second.refresh_from_db()
    assert second.status == PlacementStatus.OFFERED and second.offered_at is not None
    # The offer holds the place: a new assignment is queued behind the third.
    late_person, late_case = adult_case(world, name="D")
    assert assign(org, late_case, late_person, act).status == PlacementStatus.WAITING

    declined = end(org, second, "Tackade nej")
    assert [p.pk for p in declined] == [third.pk]
    third.refresh_from_db()
    placed = services_places.accept_offer(
        org.other_social_worker, c3, third, today=timezone.localdate()
    )
    assert placed.status == PlacementStatus.PLACED and placed.placed_on == timezone.localdate()
    assert Placement.objects.filter(activity=act, status__in=HOLDS_PLACE).count() == 1


def test_the_same_person_is_not_assigned_twice_and_only_from_their_own_case(org, world):
    act = activity(org)
    person, case = adult_case(world)
    other_person, _other_case = adult_case(world)
    assign(org, case, person, act)
    with pytest.raises(DomainError, match="redan anvisad"):
        assign(org, case, person, act)
    with pytest.raises(DomainError, match="ingår inte i hushållet"):
        assign(org, case, other_person, act)


def test_an_offer_can_only_be_accepted_once_and_a_placement_not_reopened(org, world):
    act = activity(org, places=1)
    person, case = adult_case(world)
    placement = assign(org, case, person, act)
    with pytest.raises(DomainError, match="kan inte ändras"):
        services_places.accept_offer(
            org.other_social_worker, case, placement, today=timezone.localdate()
        )
    end(org, placement)
    placement.refresh_from_db()
    with pytest.raises(DomainError, match="kan inte ändras"):
        end(org, placement)


def test_ending_needs_a_reason_and_the_placements_case(org, world):
    act = activity(org)
    person, case = adult_case(world)
    _, other_case = adult_case(world)
    placement = assign(org, case, person, act)
    with pytest.raises(DomainError, match="Ange varför"):
        end(org, placement, reason="  ")
    with pytest.raises(DomainError, match="finns inte"):
        services_places.end_placement(
            org.other_social_worker, other_case, placement, reason="x", today=timezone.localdate()
        )


def test_only_heads_keep_activities_and_coordinators_only_assign_nothing(org, world):
    with pytest.raises(PermissionRefused):
        services_places.create_activity(
            org.other_social_worker,
            name="X",
            provider="Y",
            places=1,
            hours_per_week=Decimal("10"),
            starts_on=timezone.localdate(),
        )
    from tests.activity.helpers import coordinator

    person, case = adult_case(world)
    with pytest.raises(PermissionRefused):
        assign(org, case, person, activity(org), user=coordinator(org))


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"places": 0}, "minst 1"),
        ({"hours_per_week": Decimal("0")}, "mer än 0"),
        ({"hours_per_week": Decimal("41")}, "högst 40"),
        ({"name": " "}, "namn"),
        ({"ends_on": dt.date(2000, 1, 1)}, "före startdatum"),
    ],
)
def test_an_activity_with_bad_fields_is_refused_in_swedish(org, fields, message):
    values = {
        "name": "Jobbtorg",
        "provider": "AME",
        "places": 3,
        "hours_per_week": Decimal("20"),
        "starts_on": timezone.localdate(),
        **fields,
    }
    with pytest.raises(DomainError, match=message):
        services_places.create_activity(org.unit_head, **values)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    places=st.integers(min_value=1, max_value=3),
    steps=st.lists(st.tuples(st.sampled_from(["assign", "end", "accept"]), st.integers(0, 20))),
)
def test_the_places_are_never_overfilled_and_nobody_waits_beside_a_free_place(
    org, world, places, steps
):
    act = activity(org, places=places)
    joined: list[Placement] = []
    for step, pick in steps[:12]:
        if step == "assign":
            person, case = adult_case(world)
            joined.append(assign(org, case, person, act))
        elif joined:
            placement = Placement.objects.get(pk=joined[pick % len(joined)].pk)
            try:
                if step == "end":
                    end(org, placement)
                else:
                    services_places.accept_offer(
                        org.other_social_worker,
                        placement.case,
                        placement,
                        today=timezone.localdate(),
                    )
            except DomainError:
                pass  # not a move this placement allows: nothing changes
        holding = Placement.objects.filter(activity=act, status__in=HOLDS_PLACE).count()
        waiting = list(
            Placement.objects.filter(activity=act, status="waiting").order_by("queued_at", "id")
        )
        assert holding <= places
        assert not (waiting and holding < places)
        # The queue is in the order people were assigned.
        assert [p.pk for p in waiting] == sorted(p.pk for p in waiting)


def test_closing_the_case_ends_its_placements_and_offers_the_freed_place(org, world):
    from bistand.cases import services as case_services

    act = activity(org, places=1)
    (p1, c1), (p2, c2) = (adult_case(world, name=n) for n in ("Stänger", "Väntar"))
    placed = assign(org, c1, p1, act)
    waiting = assign(org, c2, p2, act)
    other_act = activity(org, places=1)
    queued_elsewhere = assign(org, c1, p1, assign(org, c2, p2, other_act).activity)
    assert (placed.status, waiting.status, queued_elsewhere.status) == (
        "placed",
        "waiting",
        "waiting",
    )

    case_services.close_case(org.other_social_worker, c1, reason="work")

    for placement in (placed, queued_elsewhere):
        placement.refresh_from_db()
        assert placement.status == PlacementStatus.ENDED
        assert placement.end_reason == services_places.CLOSED_CASE_REASON
    waiting.refresh_from_db()
    assert waiting.status == PlacementStatus.OFFERED
    assert Placement.objects.filter(activity=act, status__in=HOLDS_PLACE).count() == 1
