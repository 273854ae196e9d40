"""Issue #16, slice 4: weekly attendance. The activity's coordinator records it by hand or
imports the provider's CSV (checked row by row, Swedish errors with the row number, all or
nothing); a correction is a new record; an absence without valid reason is flagged to the
case's handler on the case page and the start page; the coordinator opens no case."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from bistand.activity import services_attendance
from bistand.activity.models import AttendanceRecord
from bistand.core.errors import DomainError, PermissionRefused
from bistand.core.models import FinalRecordError
from tests.activity.helpers import activity, adult_case, assign, coordinator
from tests.statistics.builders import World

pytestmark = pytest.mark.django_db

HEADER = "personnummer;vecka;narvaro;timmar;kommentar"


@pytest.fixture
def world(org):
    return World(org)


def last_week() -> dt.date:
    return services_attendance.week_monday(timezone.localdate()) - dt.timedelta(days=7)


@pytest.fixture
def placed(org, world):
    """A coordinator, their activity and two placed people (placed weeks ago)."""
    boss = coordinator(org)
    act = activity(org, places=5, coordinators=[boss])
    people = []
    for name in ("Anna", "Bo"):
        person, case = adult_case(world, name=name)
        placement = assign(org, case, person, act)
        placement.placed_on = last_week() - dt.timedelta(days=14)
        placement.save(update_fields=["placed_on"])
        people.append((person, case, placement))
    return boss, act, people


def csv_bytes(*lines: str) -> bytes:
    return ("\ufeff" + "\r\n".join([HEADER, *lines]) + "\r\n").encode("utf-8")


def week_label(day: dt.date) -> str:
    return f"{day:%G-W%V}"


def test_a_coordinator_records_a_week_and_a_correction_is_a_new_record(org, placed):
    boss, act, [(_, _, placement), _] = placed
    first = services_attendance.record_attendance(
        boss, placement, week=last_week(), status="present", today=timezone.localdate()
    )
    second = services_attendance.record_attendance(
        boss,
        placement,
        week=last_week(),
        status="unexcused",
        note="Kom inte",
        today=timezone.localdate(),
    )
    assert second.replaces_id == first.pk
    first.note = "ändrad"
    with pytest.raises(FinalRecordError):
        first.save()


def test_only_the_activitys_coordinator_records_attendance(org, world, placed):
    boss, act, [(_, _, placement), _] = placed
    other = coordinator(org, "annan")
    for user in (other, org.other_social_worker, org.unit_head):
        with pytest.raises(PermissionRefused):
            services_attendance.record_attendance(
                user, placement, week=last_week(), status="present", today=timezone.localdate()
            )


@pytest.mark.parametrize(
    "week, message",
    [
        (lambda: last_week() + dt.timedelta(days=1), "måndag"),
        (lambda: last_week() + dt.timedelta(days=14), "kommande vecka"),
        (lambda: last_week() - dt.timedelta(days=70), "ingen plats"),
    ],
)
def test_a_week_outside_the_placement_is_refused(org, placed, week, message):
    boss, act, [(_, _, placement), _] = placed
    with pytest.raises(DomainError, match=message):
        services_attendance.record_attendance(
            boss, placement, week=week(), status="present", today=timezone.localdate()
        )


def test_a_good_file_is_stored_whole(org, placed):
    boss, act, [(anna, _, _), (bo, _, _)] = placed
    data = csv_bytes(
        f"{anna.identity_number};{week_label(last_week())};N;20;",
        f"{bo.formatted_identity_number};{last_week().isoformat()};O;0;Sjukanmälan saknas",
    )
    result = services_attendance.import_attendance(boss, act, data, today=timezone.localdate())
    assert result.errors == []
    assert sorted(r.status for r in result.stored) == ["present", "unexcused"]
    assert {r.source for r in result.stored} == {"import"}


def test_a_bad_file_stores_nothing_and_names_every_bad_row(org, placed):
    boss, act, [(anna, _, _), (bo, _, _)] = placed
    data = csv_bytes(
        f"{anna.identity_number};{week_label(last_week())};N;20;",  # row 2: fine
        f"19850314-0000;{week_label(last_week())};N;20;",  # row 3: bad check digit
        f"{bo.identity_number};2026-W99;N;;",  # row 4: no such week
        f"{bo.identity_number};{week_label(last_week())};X;;",  # row 5: bad code
        f"{bo.identity_number};{week_label(last_week())};N;tjugo;",  # row 6: bad hours
        "198309192394;" + week_label(last_week()) + ";N;;",  # row 7: not placed
        f"{anna.identity_number};{week_label(last_week())};G;;",  # row 8: duplicate of 2
        "för;få;fält",  # row 9
    )
    result = services_attendance.import_attendance(boss, act, data, today=timezone.localdate())
    rows = dict(result.errors)
    assert sorted(rows) == [3, 4, 5, 6, 7, 8, 9]
    assert rows[3].startswith("Personnumret:")
    assert "N, G eller O" in rows[5]
    assert "12,5" in rows[6]
    assert "ingen plats" in rows[7]
    assert "rad 2" in rows[8]
    assert "5 fält" in rows[9]
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "tom"),
        (b"namn;vecka\r\n", "Rubrikraden"),
        (b"personnummer;vecka;narvaro;timmar;kommentar\r\n", "inga närvarorader"),
        (HEADER.encode("utf-16"), "UTF-8"),
    ],
)
def test_a_file_without_rows_or_with_the_wrong_header_is_refused(org, placed, data, message):
    boss, act, _ = placed
    try:
        result = services_attendance.import_attendance(boss, act, data, today=timezone.localdate())
    except DomainError as error:
        assert message in error.message
    else:
        assert any(message in text for _, text in result.errors)
    assert not AttendanceRecord.objects.exists()


def test_the_attendance_page_saves_the_week_and_flags_the_absence_to_the_handler(
    client, org, placed
):
    boss, act, [(anna, anna_case, pa), (bo, bo_case, pb)] = placed
    client.force_login(boss)
    url = reverse("activity:attendance", args=[act.pk]) + f"?vecka={week_label(last_week())}"
    page = client.get(url).content.decode()
    assert "Anna" in page and "Bo" in page
    response = client.post(
        url,
        {
            f"p{pa.pk}-status": "present",
            f"p{pa.pk}-hours": "20",
            f"p{pb.pk}-status": "unexcused",
            f"p{pb.pk}-note": "Ingen kontakt",
        },
    )
    assert response.status_code == 302
    assert AttendanceRecord.objects.count() == 2

    # Bad hours on one row: nothing stored, the error beside the field, values kept.
    response = client.post(
        url,
        {
            f"p{pa.pk}-status": "excused",
            f"p{pb.pk}-status": "present",
            f"p{pb.pk}-hours": "99",
        },
    )
    assert response.status_code == 400
    assert "Högst 60 timmar." in response.content.decode()
    assert AttendanceRecord.objects.count() == 2

    # The coordinator opens no case, even one whose attendance they just entered.
    assert client.get(reverse("case_detail", args=[bo_case.pk])).status_code == 404

    # The case's handler sees the absence on the case page and the start page.
    client.force_login(org.other_social_worker)
    case_page = client.get(reverse("case_detail", args=[bo_case.pk])).content.decode()
    assert 'data-testid="absences-to-assess"' in case_page and "Ingen kontakt" in case_page
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="absences-to-assess"' in home
    assert (
        reverse("activity:assess_absence", args=[bo_case.pk, pb.attendance_records.get().pk])
        in home
    )
    anna_page = client.get(reverse("case_detail", args=[anna_case.pk])).content.decode()
    assert 'data-testid="absences-to-assess"' not in anna_page


def test_the_import_page_shows_row_errors_in_swedish_and_stores_nothing(client, org, placed):
    boss, act, [(anna, _, _), _] = placed
    client.force_login(boss)
    url = reverse("activity:import_attendance", args=[act.pk])
    bad = csv_bytes(f"{anna.identity_number};{week_label(last_week())};Q;;")
    response = client.post(url, {"file": SimpleUploadedFile("narvaro.csv", bad)})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Rad 2: Närvaro ska vara N, G eller O." in page
    assert not AttendanceRecord.objects.exists()

    good = csv_bytes(f"{anna.identity_number};{week_label(last_week())};N;12,5;")
    response = client.post(url, {"file": SimpleUploadedFile("narvaro.csv", good)})
    assert response.status_code == 302
    assert str(AttendanceRecord.objects.get().hours) == "12.5"


def test_another_coordinator_and_the_handlers_cannot_reach_the_attendance_pages(
    client, org, placed
):
    _, act, _ = placed
    for user in (coordinator(org, "annan"), org.other_social_worker, org.unit_head):
        client.force_login(user)
        for name in ("activity:attendance", "activity:import_attendance"):
            assert client.get(reverse(name, args=[act.pk])).status_code in (403, 404)


@given(st.dates(min_value=dt.date(2000, 1, 10), max_value=dt.date(2100, 12, 20)))
def test_a_week_reads_the_same_as_iso_week_and_as_its_monday(day):
    monday = services_attendance.week_monday(day)
    assert monday.weekday() == 0 and monday <= day < monday + dt.timedelta(days=7)
    assert services_attendance.parse_week(f"{day:%G-W%V}") == monday
    assert services_attendance.parse_week(monday.isoformat()) == monday
    if day != monday:
        with pytest.raises(ValueError):
            services_attendance.parse_week(day.isoformat())
