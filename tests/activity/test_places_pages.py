"""Issue #16, slice 3 through HTTP: the heads keep the activities; a handler places from the
case page (placed or queued); the activity page shows places, participants and the waiting
list in order, each reader only the participants of cases they may open; a coordinator sees
their own activities' participants and no case."""

import json
import re

import pytest
from django.urls import reverse

from bistand.activity.models import Activity, Placement, PlacementStatus
from bistand.audit.models import AccessLogEntry
from tests.activity.helpers import activity, adult_case, assign, coordinator
from tests.statistics.builders import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    return World(org)


def test_a_head_adds_an_activity_and_bad_input_is_refused_at_the_field(client, org):
    client.force_login(org.unit_head)
    url = reverse("activity:create_activity")
    bad = {
        "name": "Jobbtorg Norr",
        "provider": "AME",
        "places": "0",
        "hours_per_week": "abc",
        "starts_on": "2026-13-01",
    }
    response = client.post(url, bad)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Antal platser måste vara minst 1." in page
    assert "Ange ett tal, t.ex. 12,5." in page
    assert "Ange datumet som ÅÅÅÅ-MM-DD" in page
    assert 'value="Jobbtorg Norr"' in page  # typed values kept
    assert not Activity.objects.exists()

    good = {**bad, "places": "2", "hours_per_week": "20,5", "starts_on": "2026-11-02"}
    response = client.post(url, good)
    assert response.status_code == 302
    created = Activity.objects.get()
    assert created.places == 2 and str(created.hours_per_week) == "20.5"
    assert created.unit_id == org.unit.pk

    again = client.post(url, good)
    assert again.status_code == 400
    assert "Det finns redan en aktivitet med det namnet." in again.content.decode()


def test_a_social_worker_may_not_add_an_activity(client, org):
    client.force_login(org.other_social_worker)
    assert client.get(reverse("activity:create_activity")).status_code == 403


def test_placing_from_the_case_page_then_the_waiting_list_in_order(client, org, world):
    act = activity(org, places=1, name="Jobbtorg Syd")
    (p1, c1), (p2, c2), (p3, c3) = (adult_case(world, name=n) for n in ("Anna", "Bo", "Cem"))
    client.force_login(org.other_social_worker)
    for person, case in ((p1, c1), (p2, c2), (p3, c3)):
        response = client.post(
            reverse("activity:assign", args=[case.pk]),
            {"person": person.pk, "activity": act.pk},
        )
        assert response.status_code == 302
    statuses = [Placement.objects.get(person=p, activity=act).status for p in (p1, p2, p3)]
    assert statuses == ["placed", "waiting", "waiting"]

    panel = client.get(reverse("case_detail", args=[c2.pk])).content.decode()
    assert "Jobbtorg Syd" in panel and "Väntelista" in panel

    page = client.get(reverse("activity:activity_detail", args=[act.pk])).content.decode()
    assert "1 av 1 platser tagna · 2 på väntelistan" in page
    queue = re.search(r'data-testid="waiting-list">(.*?)</table>', page, re.S).group(1)
    assert queue.index("Bo") < queue.index("Cem")
    [logged] = AccessLogEntry.objects.filter(object_type="list", object_id="activity_participants")
    assert set(json.loads(logged.detail)["person_ids"]) == {p1.pk, p2.pk, p3.pk}

    # The placed person leaves: Bo is offered the place and accepts it from the case page.
    first = Placement.objects.get(person=p1, activity=act)
    response = client.post(
        reverse("activity:end_placement", args=[c1.pk, first.pk]), {"reason": "Fick arbete"}
    )
    assert response.status_code == 302
    offered = Placement.objects.get(person=p2, activity=act)
    assert offered.status == PlacementStatus.OFFERED
    panel = client.get(reverse("case_detail", args=[c2.pk])).content.decode()
    assert f'data-testid="accept-offer-{offered.pk}"' in panel
    client.post(reverse("activity:accept_offer", args=[c2.pk, offered.pk]))
    offered.refresh_from_db()
    assert offered.status == PlacementStatus.PLACED


def test_ending_without_a_reason_is_refused_at_the_field(client, org, world):
    act = activity(org)
    person, case = adult_case(world)
    placement = assign(org, case, person, act)
    client.force_login(org.other_social_worker)
    response = client.post(
        reverse("activity:end_placement", args=[case.pk, placement.pk]), {"reason": ""}
    )
    assert response.status_code == 400
    assert "Ange varför anvisningen avslutas." in response.content.decode()
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.PLACED


def test_another_sections_participants_are_counted_never_named(client, org, world):
    act = activity(org, places=3)
    mine, my_case = adult_case(world, name="Synlig")
    theirs, their_case = adult_case(
        world, name="Dold", section=org.intake, handler=org.social_worker
    )
    assign(org, my_case, mine, act)
    assign(org, their_case, theirs, act, user=org.social_worker)

    client.force_login(org.other_social_worker)  # labour section
    page = client.get(reverse("activity:activity_detail", args=[act.pk])).content.decode()
    assert "Synlig" in page and "Dold" not in page
    assert theirs.identity_number[:8] not in page
    assert 'data-testid="hidden-participants"' in page

    client.force_login(org.unit_head)  # the whole unit
    page = client.get(reverse("activity:activity_detail", args=[act.pk])).content.decode()
    assert "Synlig" in page and "Dold" in page

    # Placing from another section's case is refused like the case page.
    client.force_login(org.other_social_worker)
    response = client.post(
        reverse("activity:assign", args=[their_case.pk]),
        {"person": theirs.pk, "activity": act.pk},
    )
    assert response.status_code == 403
    assert Placement.objects.filter(case=their_case).count() == 1


def test_a_coordinator_sees_their_activities_participants_and_no_case(client, org, world):
    mine = coordinator(org)
    other = coordinator(org, "samordnare2")
    act = activity(org, coordinators=[mine], name="Språkcafé")
    not_mine = activity(org, coordinators=[other], name="Praktik")
    person, case = adult_case(world, name="Deltagare")
    assign(org, case, person, act)

    client.force_login(mine)
    listing = client.get(reverse("activity:activities")).content.decode()
    assert "Språkcafé" in listing and "Praktik" not in listing
    page = client.get(reverse("activity:activity_detail", args=[act.pk])).content.decode()
    assert "Deltagare" in page and person.formatted_identity_number in page
    assert reverse("case_detail", args=[case.pk]) not in page
    assert client.get(reverse("activity:activity_detail", args=[not_mine.pk])).status_code == 404
    # No case, no journal, no case list, no search, no placing.
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("journal_pdf", args=[case.pk])).status_code == 404
    assert client.get(reverse("search") + "?q=Deltagare").status_code == 403
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("activity:assign", args=[case.pk])).status_code == 404
    assert client.get(reverse("activity:create_activity")).status_code == 403
    assert client.get(reverse("activity:becoming_covered")).status_code == 403
    assert client.get(reverse("activity:participants_for_af")).status_code == 403
