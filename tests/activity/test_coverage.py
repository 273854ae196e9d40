"""Issue #16, slice 1: who is covered by the activity requirement, on the case page per adult
and in the section list of people who become covered next month (bistand.activity)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from bistand.activity import rules, selectors
from bistand.activity.models import Exemption, ExemptionEnding
from bistand.core.dates import add_months, month_start
from bistand.core.models import FinalRecordError
from bistand.workplans.models import Intervention, InterventionStatus
from tests.activity import helpers
from tests.query_budgets import assert_flat, page_queries
from tests.statistics.builders import World

pytestmark = pytest.mark.django_db

ADULT = dt.date(1985, 3, 14)


@pytest.fixture
def world(org):
    return World(org)


def this_month():
    return month_start(timezone.localdate())


def next_month():
    return add_months(this_month(), 1)


def adult_case(world, *, months=(), born=ADULT, section=None, handler=None, name="Test"):
    """A household with one applicant and an open case, granted för the given months
    (offsets from next month: -1 is this month)."""
    person = world.person(born, name=name)
    household = world.household((person, "applicant"))
    case = world.case(
        household,
        opened_on=add_months(this_month(), -12),
        section=section,
        handler=handler,
    )
    for offset in months:
        world.decide(case, add_months(next_month(), offset), 5000)
    return person, case


def listed(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("activity:becoming_covered"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_case_page_shows_each_adults_counter_exemption_and_start(client, org, world):
    person, case = adult_case(world, months=(-3, -2, -1))
    child = world.person(next_month().replace(year=next_month().year - 10), name="Barn")
    world.join(case.household, child, "child")
    client.force_login(org.other_social_worker)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    row = re.search(rf'data-testid="activity-adult-{person.pk}">(.*?)</tr>', page, re.S).group(1)
    assert re.search(r'data-testid="months-in-a-row">3<', row)
    assert re.search(rf'data-testid="starts-on">{next_month():%Y-%m-%d}<', row)
    assert "Barn" not in re.search(r'data-testid="activity-adults">(.*?)</table>', page, re.S)[0]

    Exemption.objects.create(
        person=person,
        case=case,
        reason="full_time_work",
        evidence="Anställningsavtal",
        valid_from=this_month(),
        recorded_by=org.other_social_worker,
    )
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    row = re.search(rf'data-testid="activity-adult-{person.pk}">(.*?)</tr>', page, re.S).group(1)
    assert "Arbetar heltid" in row and "Anställningsavtal" in row
    assert re.search(r'data-testid="starts-on">—<', row)


def test_the_list_shows_exactly_who_becomes_covered_next_month_without_activity(client, org, world):
    new, _ = adult_case(world, months=(-3, -2, -1), name="Ny")
    already, _ = adult_case(world, months=(-4, -3, -2, -1), name="Redan")
    short, _ = adult_case(world, months=(-2, -1), name="Kort")
    gap, _ = adult_case(world, months=(-4, -3, -1), name="Glapp")
    exempt, exempt_case = adult_case(world, months=(-3, -2, -1), name="Undantagen")
    Exemption.objects.create(
        person=exempt,
        case=exempt_case,
        reason="sickness_benefit",
        evidence="Beslut från Försäkringskassan",
        valid_from=next_month() + dt.timedelta(days=20),
        recorded_by=org.other_social_worker,
    )
    ended, ended_case = adult_case(world, months=(-4, -3, -2, -1), name="Avslutat")
    old = Exemption.objects.create(
        person=ended,
        case=ended_case,
        reason="full_time_programme",
        evidence="Programintyg",
        valid_from=add_months(this_month(), -6),
        recorded_by=org.other_social_worker,
    )
    ExemptionEnding.objects.create(
        exemption=old,
        ends_on=this_month() + dt.timedelta(days=9),
        note="Programmet slutade",
        recorded_by=org.other_social_worker,
    )
    active, active_case = adult_case(world, months=(-3, -2, -1), name="Aktiv")
    Intervention.objects.create(
        case=active_case,
        person=active,
        target="arbetsformedlingen",
        status=InterventionStatus.STARTED,
        referred_on=this_month(),
        referred_by=org.other_social_worker,
    )
    # On an activity's waiting list (issue #16, activities): has an activity to wait for.
    queued, queued_case = adult_case(world, months=(-3, -2, -1), name="Köar")
    full = helpers.activity(org, places=1)
    full_person, full_case = adult_case(world, months=(-6, -5, -4, -3, -2, -1), name="Plats")
    helpers.assign(org, full_case, full_person, full)
    assert helpers.assign(org, queued_case, queued, full).status == "waiting"
    turning, _ = adult_case(
        world,
        months=(-5, -4, -3, -2, -1),
        born=add_months(next_month(), -18 * 12),  # 18 on the first day of next month
        name="Arton",
    )
    elsewhere, _ = adult_case(
        world,
        months=(-3, -2, -1),
        section=org.intake,
        handler=org.social_worker,
        name="Annan",
    )

    page = listed(client, org.other_social_worker)
    names = set(re.findall(r"<td>(\w+) Testsson</td>", page))
    assert names == {"Ny", "Avslutat", "Arton"}, names
    assert set(re.findall(r"<td>(\w+) Testsson</td>", listed(client, org.intake_head))) == {"Annan"}

    # The SQL agrees with the pure rule, person by person.
    people = [new, already, short, gap, exempt, ended, active, turning]
    granted = selectors.granted_months_by_person(p.pk for p in people)
    exemptions = selectors.exemptions_by_person(p.pk for p in people)
    for person in people:
        spans = selectors.periods(exemptions.get(person.pk, []))
        becomes = rules.is_covered(
            next_month(), person.birth_date, granted[person.pk], spans
        ) and not rules.is_covered(this_month(), person.birth_date, granted[person.pk], spans)
        has_activity = person == active
        assert (person.first_name in names) == (becomes and not has_activity), person.first_name


def test_the_list_is_for_the_sections_handlers_and_head_only(client, org):
    for user in (org.reception, org.unit_head, org.fraud, org.finance):
        client.force_login(user)
        assert client.get(reverse("activity:becoming_covered")).status_code == 403
    for user in (org.other_social_worker, org.benefit_admin, org.labour_head):
        client.force_login(user)
        assert client.get(reverse("activity:becoming_covered")).status_code == 200


def test_the_list_does_not_grow_in_queries_with_its_rows(client, org, world):
    def fill(count):
        for index in range(count):
            adult_case(world, months=(-3, -2, -1), name=f"P{index}")

    client.force_login(org.other_social_worker)
    url = reverse("activity:becoming_covered")
    fill(3)
    small, page = page_queries(client, url)
    assert "Visar 1–3 av 3" in page
    fill(27)
    large, page = page_queries(client, url)
    assert "Visar 1–25 av 30" in page
    assert_flat(small, large)


def test_recording_an_exemption_keeps_bad_input_and_stores_nothing(client, org, world):
    person, case = adult_case(world, months=(-3, -2, -1))
    client.force_login(org.other_social_worker)
    url = reverse("activity:record_exemption", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "person": person.pk,
            "reason": "other",
            "other_reason": "",
            "evidence": "Intyg från skolan",
            "valid_from": "2026-13-01",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="field-error-other_reason">Skriv vilket skäl.' in page
    assert 'data-testid="field-error-valid_from">Ange datumet som ÅÅÅÅ-MM-DD' in page
    assert "Intyg från skolan" in page
    assert not Exemption.objects.exists()

    response = client.post(
        url,
        {
            "person": person.pk,
            "reason": "school_18_20",
            "evidence": "Intyg från skolan",
            "valid_from": f"{next_month():%Y-%m-%d}",
        },
    )
    assert response.status_code == 302
    exemption = Exemption.objects.get()
    assert exemption.reason == "school_18_20" and exemption.valid_to is None

    end_url = reverse("activity:end_exemption", args=[case.pk, exemption.pk])
    response = client.post(end_url, {"ends_on": "", "note": ""})
    assert response.status_code == 400 and not ExemptionEnding.objects.exists()
    response = client.post(
        end_url, {"ends_on": f"{add_months(next_month(), 2):%Y-%m-%d}", "note": "Slutat skolan"}
    )
    assert response.status_code == 302
    exemption.refresh_from_db()
    assert exemption.valid_to is None  # never edited: the ending is a record of its own
    assert exemption.effective_to == add_months(next_month(), 2)
    assert (
        client.post(end_url, {"ends_on": f"{next_month():%Y-%m-%d}", "note": "Igen"}).status_code
        == 400
    )
    exemption.evidence = "Ändrat"
    with pytest.raises(FinalRecordError):
        exemption.save()


def test_reception_may_not_record_an_exemption(client, org, world):
    _, case = adult_case(world, months=(-1,), section=org.intake, handler=org.social_worker)
    client.force_login(org.reception)
    assert client.get(reverse("activity:record_exemption", args=[case.pk])).status_code == 403


def test_the_list_filters_narrow_and_bad_input_gives_a_notice(client, org, world):
    adult_case(world, months=(-3, -2, -1), name="Mina")
    adult_case(world, months=(-3, -2, -1), name="Andras", handler=org.benefit_admin)
    client.force_login(org.other_social_worker)
    url = reverse("activity:becoming_covered")
    names = lambda page: set(re.findall(r"<td>(\w+) Testsson</td>", page))  # noqa: E731
    assert names(client.get(url).content.decode()) == {"Mina", "Andras"}
    assert names(client.get(url, {"mine": "on"}).content.decode()) == {"Mina"}
    assert names(client.get(url, {"q": "andr"}).content.decode()) == {"Andras"}
    page = client.get(url, {"q": "x" * 150, "sort": "nonsense"}).content.decode()
    assert 'data-testid="list-notice"' in page
    assert "Okänd sortering" in page
    assert names(page) == {"Mina", "Andras"}  # the bad filter is left out, the list still shows
