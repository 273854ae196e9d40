"""Issue #16: a language level per person (SFI course, as of a date), entered by the handler
on the case; the newest counts for the referral criteria and the earlier ones are kept."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from bistand.activity import services
from bistand.activity.criteria import criteria_shortfalls, language_level_on
from bistand.activity.models import Activity, LanguageLevel
from bistand.audit.models import AccessLogEntry
from bistand.core.errors import DomainError
from bistand.core.models import FinalRecordError
from tests.activity.helpers import activity, adult_case
from tests.statistics.builders import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    return World(org)


def today():
    return timezone.localdate()


def record(org, case, person, level, *, on, source="Intyg från SFI"):
    return services.record_language_level(
        org.other_social_worker,
        case,
        person_id=person.pk,
        level=level,
        level_on=on,
        source=source,
        today=today(),
    )


@pytest.mark.parametrize(
    "levels, requirement, codes",
    [
        ([], "sfi_c", ["language"]),  # nothing recorded: cannot be checked
        (["sfi_b"], "sfi_c", ["language"]),
        (["sfi_c"], "sfi_c", []),
        (["sfi_d"], "sfi_c", []),
        (["sfi_d"], "sfi_d", ["language"]),  # course D in progress is not a finished SFI
        (["sfi_done"], "sfi_d", []),
        (["beyond"], "sfi_d", []),
        (["sfi_done", "sfi_a"], "sfi_c", ["language"]),  # the newest counts
        (["sfi_a", "sfi_done"], "sfi_d", []),
        (["sfi_a"], "", []),  # no requirement
    ],
)
def test_the_newest_level_is_checked_against_the_requirement(
    org, world, levels, requirement, codes
):
    person, case = adult_case(world)
    for days_ago, level in zip(range(len(levels) * 10, 0, -10), levels, strict=True):
        record(org, case, person, level, on=today() - dt.timedelta(days=days_ago))
    act = activity(org)
    Activity.objects.filter(pk=act.pk).update(swedish_level=requirement)
    act.refresh_from_db()
    assert [s.code for s in criteria_shortfalls(act, person, today())] == codes


def test_the_date_of_the_level_orders_the_history_not_the_entry(org, world):
    person, case = adult_case(world)
    newer = record(org, case, person, "sfi_c", on=today() - dt.timedelta(days=5))
    record(org, case, person, "sfi_a", on=today() - dt.timedelta(days=400))
    assert language_level_on(person.pk, today()) == newer
    # On a day before the newer level, the older one was in force.
    assert language_level_on(person.pk, today() - dt.timedelta(days=10)).level == "sfi_a"
    same_day = record(org, case, person, "sfi_b", on=newer.level_on, source="Rättelse")
    assert language_level_on(person.pk, today()) == same_day  # the later entry that day
    assert LanguageLevel.objects.filter(person=person).count() == 3


def test_a_level_is_written_once_and_logged(org, world):
    person, case = adult_case(world)
    entry = record(org, case, person, "sfi_c", on=today())
    logged = AccessLogEntry.objects.get(object_type="activity.languagelevel", action="create")
    assert logged.case_id == case.pk and logged.person_id == person.pk
    assert json.loads(logged.detail)["after"] == {"level": "sfi_c", "level_on": str(today())}
    entry.level = "sfi_d"
    with pytest.raises(FinalRecordError):
        entry.save()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"level": "sfi_x"}, "Välj en språknivå"),
        ({"on": dt.date.today() + dt.timedelta(days=2)}, "framtiden"),
        ({"source": "  "}, "Ange underlaget"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(org, world, changes, message):
    person, case = adult_case(world)
    values = {"level": "sfi_c", "on": today(), "source": "Intyg"} | changes
    with pytest.raises(DomainError, match=message):
        record(org, case, person, values["level"], on=values["on"], source=values["source"])
    assert not LanguageLevel.objects.exists()


def test_only_a_member_of_the_household_and_only_the_case_roles(org, world):
    person, case = adult_case(world)
    other, _other_case = adult_case(world)
    with pytest.raises(DomainError, match="ingår inte i hushållet"):
        record(org, case, other, "sfi_c", on=today())
    from bistand.core.errors import PermissionRefused
    from tests.activity.helpers import coordinator

    with pytest.raises(PermissionRefused):
        services.record_language_level(
            coordinator(org),
            case,
            person_id=person.pk,
            level="sfi_c",
            level_on=today(),
            source="x",
            today=today(),
        )


def test_the_page_records_a_level_shows_errors_at_the_field_and_the_panel_the_history(
    client, org, world
):
    person, case = adult_case(world, handler=org.social_worker)
    client.force_login(org.social_worker)
    panel = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    url = reverse("activity:record_language_level", args=[case.pk])
    assert url in panel
    assert "ingen registrerad" in panel

    future = (today() + dt.timedelta(days=3)).isoformat()
    refused = client.post(
        url, {"person": person.pk, "level": "sfi_b", "level_on": future, "source": "Intyg"}
    )
    assert refused.status_code == 400
    body = refused.content.decode()
    assert 'data-testid="field-error-level_on"' in body and "framtiden" in body
    assert f'value="{future}"' in body and 'value="Intyg"' in body  # kept
    assert not LanguageLevel.objects.exists()

    earlier = (today() - dt.timedelta(days=200)).isoformat()
    for level, day in (("sfi_a", earlier), ("sfi_c", today().isoformat())):
        done = client.post(
            url, {"person": person.pk, "level": level, "level_on": day, "source": "Intyg"}
        )
        assert done.status_code == 302
    panel = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    row = panel.split(f'data-testid="language-level-{person.pk}"')[1].split("</li>")[0]
    assert "<strong>SFI kurs C</strong>" in row and "Tidigare" in row and "SFI kurs A" in row
    history = client.get(url).content.decode()
    assert history.count("Intyg") >= 2 and 'data-testid="language-history"' in history
