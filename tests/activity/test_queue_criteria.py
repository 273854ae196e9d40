"""Issue #16: the referral criteria are checked again when the waiting list fills a place. The
next in queue is offered the place only if they still meet the activity's criteria (age,
language level, work ability); otherwise they are passed over with the reasons recorded and
keep their place in the queue, unless the handler writes a reason to offer it all the same."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bistand.activity import services, services_places
from bistand.activity.models import (
    HOLDS_PLACE,
    Activity,
    CriteriaWaiver,
    Placement,
    PlacementStatus,
    QueueSkip,
)
from bistand.audit.models import AccessLogEntry
from bistand.core.errors import DomainError
from bistand.core.models import FinalRecordError
from tests.activity.helpers import activity, adult_case, assign
from tests.statistics.builders import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    return World(org)


def today():
    return timezone.localdate()


def level(org, case, person, value, *, days_ago=30):
    return services.record_language_level(
        org.other_social_worker,
        case,
        person_id=person.pk,
        level=value,
        level_on=today() - dt.timedelta(days=days_ago),
        source="Intyg från SFI",
        today=today(),
    )


def language_activity(org, places=1, requirement="sfi_c"):
    act = activity(org, places=places)
    Activity.objects.filter(pk=act.pk).update(swedish_level=requirement)
    act.refresh_from_db()
    return act


def end(org, placement, reason="Fick arbete"):
    return services_places.end_placement(
        org.other_social_worker, placement.case, placement, reason=reason, today=today()
    )


def test_a_queued_person_who_no_longer_meets_the_language_requirement_is_passed_over(org, world):
    act = language_activity(org)
    (pa, ca), (pb, cb), (pc, cc) = (adult_case(world, name=n) for n in ("Ada", "Bea", "Cia"))
    for person, case in ((pa, ca), (pb, cb), (pc, cc)):
        level(org, case, person, "sfi_c")
    first, bea, cia = (assign(org, c, p, act) for p, c in ((pa, ca), (pb, cb), (pc, cc)))
    assert [p.status for p in (first, bea, cia)] == ["placed", "waiting", "waiting"]
    assert bea.criteria_warnings == [] and bea.criteria_waived == []

    # A newer level for Bea: below the requirement (the newest record counts).
    level(org, cb, pb, "sfi_b", days_ago=1)
    offered = end(org, first)
    assert [p.pk for p in offered] == [cia.pk]
    bea.refresh_from_db()
    assert bea.status == PlacementStatus.WAITING
    (skip,) = QueueSkip.objects.filter(placement=bea)
    assert skip.codes == ["language"]
    assert "SFI kurs B" in skip.reasons[0] and "SFI kurs C" in skip.reasons[0]
    logged = AccessLogEntry.objects.filter(
        object_type="activity.placement", object_id=str(bea.pk), action="update"
    ).last()
    assert json.loads(logged.detail)["after"]["skipped"] == skip.reasons
    assert logged.case_id == cb.pk and logged.person_id == pb.pk
    # She keeps her place in the queue: first again once she meets the requirement.
    level(org, cb, pb, "sfi_done", days_ago=0)
    end(org, cia, "Tackade nej")
    bea.refresh_from_db()
    assert bea.status == PlacementStatus.OFFERED
    with pytest.raises(FinalRecordError):
        skip.save()


def test_age_and_work_ability_are_checked_again_on_the_day_of_the_offer(org, world):
    act = activity(org, places=1)
    (pa, ca), (pb, cb), (pc, cc) = (adult_case(world, name=n) for n in ("Ada", "Bea", "Cia"))
    first, bea, cia = (assign(org, c, p, act) for p, c in ((pa, ca), (pb, cb), (pc, cc)))
    # The criteria are tightened while they wait (places unchanged: nothing offered yet).
    services_places.edit_activity(
        org.unit_head,
        act,
        name=act.name,
        provider=act.provider,
        places=1,
        hours_per_week=act.hours_per_week,
        min_work_ability=75,
    )
    services.record_certificate(
        org.other_social_worker,
        cb,
        person_id=pb.pk,
        valid_from=today() - dt.timedelta(days=3),
        valid_to=today() + dt.timedelta(days=30),
        extent=50,
        issuer="Vårdcentralen",
        today=today(),
    )
    assert [p.pk for p in end(org, first)] == [cia.pk]
    (skip,) = QueueSkip.objects.filter(placement=bea)
    assert skip.codes == ["work_ability"] and "50 % arbetsförmåga" in skip.reasons[0]

    act.refresh_from_db()
    services_places.edit_activity(
        org.unit_head,
        act,
        name=act.name,
        provider=act.provider,
        places=2,
        hours_per_week=act.hours_per_week,
        max_age=30,
    )
    bea.refresh_from_db()
    assert bea.status == PlacementStatus.WAITING  # 41 years old: over the new highest age
    assert QueueSkip.objects.filter(placement=bea).first().codes == ["max_age"]


def test_a_shortfall_the_handlers_reason_covered_at_assignment_is_not_asked_again(org, world):
    act = language_activity(org)
    (pa, ca), (pb, cb) = (adult_case(world, name=n) for n in ("Ada", "Bea"))
    level(org, ca, pa, "sfi_done")
    first = assign(org, ca, pa, act)
    bea = services_places.assign_to_activity(
        org.other_social_worker,
        cb,
        person_id=pb.pk,
        activity=act,
        today=today(),
        criteria_reason="Talar svenska i arbetet; intyg saknas",
    )
    assert bea.status == PlacementStatus.WAITING and bea.criteria_waived == ["language"]
    assert [p.pk for p in end(org, first)] == [bea.pk]
    assert not QueueSkip.objects.exists()


def test_the_handlers_written_reason_offers_the_next_place_to_a_passed_over_person(org, world):
    act = language_activity(org, places=1)
    (pa, ca), (pb, cb) = (adult_case(world, name=n) for n in ("Ada", "Bea"))
    level(org, ca, pa, "sfi_c")
    level(org, cb, pb, "sfi_c")
    first = assign(org, ca, pa, act)
    bea = assign(org, cb, pb, act)
    level(org, cb, pb, "sfi_a", days_ago=0)
    assert end(org, first) == []  # nobody else waits: the place stays free beside Bea
    bea.refresh_from_db()
    assert bea.status == PlacementStatus.WAITING

    with pytest.raises(DomainError, match="Ange skälet"):
        services_places.waive_criteria(org.other_social_worker, cb, bea, reason="  ", today=today())
    assert not CriteriaWaiver.objects.exists()
    waiver, offered = services_places.waive_criteria(
        org.other_social_worker, cb, bea, reason="Språkstöd finns på plats", today=today()
    )
    assert [p.pk for p in offered] == [bea.pk]
    assert waiver.codes == ["language"] and "SFI kurs A" in waiver.warnings[0]
    bea.refresh_from_db()
    assert bea.status == PlacementStatus.OFFERED
    with pytest.raises(DomainError, match="står inte på väntelistan"):
        services_places.waive_criteria(
            org.other_social_worker, cb, bea, reason="igen", today=today()
        )


def test_a_reason_is_refused_when_the_person_meets_the_criteria(org, world):
    act = activity(org, places=1)
    (pa, ca), (pb, cb) = (adult_case(world, name=n) for n in ("Ada", "Bea"))
    assign(org, ca, pa, act)
    bea = assign(org, cb, pb, act)
    with pytest.raises(DomainError, match="uppfyller aktivitetens kriterier"):
        services_places.waive_criteria(org.other_social_worker, cb, bea, reason="x", today=today())


def test_a_new_assignment_beside_a_free_place_and_a_passed_over_queue_is_offered_it(org, world):
    act = language_activity(org, places=1)
    (pa, ca), (pb, cb), (pc, cc) = (adult_case(world, name=n) for n in ("Ada", "Bea", "Cia"))
    for person, case in ((pa, ca), (pb, cb), (pc, cc)):
        level(org, case, person, "sfi_c")
    first = assign(org, ca, pa, act)
    bea = assign(org, cb, pb, act)
    level(org, cb, pb, "sfi_a", days_ago=0)
    end(org, first)
    cia = assign(org, cc, pc, act)
    assert cia.status == PlacementStatus.OFFERED
    bea.refresh_from_db()
    assert bea.status == PlacementStatus.WAITING
    assert QueueSkip.objects.filter(placement=bea).count() == 2  # passed over twice


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    levels=st.lists(st.sampled_from(["sfi_a", "sfi_c", "sfi_done"]), min_size=3, max_size=6),
    places=st.integers(min_value=1, max_value=3),
    ends=st.lists(st.integers(min_value=0, max_value=5), max_size=4),
)
def test_only_those_who_meet_the_criteria_are_offered_and_none_of_them_waits_beside_a_free_place(
    org, world, levels, places, ends
):
    act = language_activity(org, places=places, requirement="sfi_d")
    meets = {}
    for value in levels:
        person, case = adult_case(world)
        level(org, case, person, value)
        meets[person.pk] = value == "sfi_done"
        try:
            assign(org, case, person, act)
        except DomainError as error:
            assert error.code == "criteria_not_met" and not meets[person.pk]
    for index in ends:
        open_ones = list(Placement.objects.filter(activity=act, status__in=HOLDS_PLACE))
        if open_ones:
            end(org, open_ones[index % len(open_ones)])
    holding = Placement.objects.filter(activity=act, status__in=HOLDS_PLACE)
    assert holding.count() <= places
    assert all(meets[p.person_id] for p in holding)
    waiting_eligible = Placement.objects.filter(activity=act, status="waiting").filter(
        person_id__in=[pk for pk, ok in meets.items() if ok]
    )
    if holding.count() < places:
        assert not waiting_eligible.exists()


# --- Through the pages ---------------------------------------------------------------


def test_the_case_panel_shows_the_pass_over_and_the_reason_page_stores_it(client, org, world):
    act = language_activity(org, places=1)
    (pa, ca), (pb, cb) = (adult_case(world, name=n, handler=org.social_worker) for n in "AB")
    level(org, ca, pa, "sfi_c")
    level(org, cb, pb, "sfi_c")
    first = assign(org, ca, pa, act)
    bea = assign(org, cb, pb, act)
    level(org, cb, pb, "sfi_b", days_ago=0)
    end(org, first)

    client.force_login(org.social_worker)
    panel = client.get(reverse("case_detail", args=[cb.pk])).content.decode()
    assert f'data-testid="queue-skip-{bea.pk}"' in panel
    assert "Hoppades över på väntelistan" in panel
    url = reverse("activity:waive_criteria", args=[cb.pk, bea.pk])
    assert url in panel

    page = client.get(url).content.decode()
    assert 'data-testid="criteria-warnings"' in page and "SFI kurs B" in page
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert 'data-field="reason"' in body and "Ange skälet att erbjuda plats" in body
    assert not CriteriaWaiver.objects.exists()

    done = client.post(url, {"reason": "Språkstöd finns på plats"})
    assert done.status_code == 302
    bea.refresh_from_db()
    assert bea.status == PlacementStatus.OFFERED
    panel = client.get(reverse("case_detail", args=[cb.pk])).content.decode()
    assert f'data-testid="waiver-{bea.pk}"' in panel and "Språkstöd finns på plats" in panel
    # Another case's placement id under this case answers 404.
    assert client.get(reverse("activity:waive_criteria", args=[ca.pk, bea.pk])).status_code == 404
