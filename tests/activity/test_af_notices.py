"""Issue #16: Arbetsförmedlingen's reverse notice "kan omfattas", read in from a CSV file (upload
page and management command), checked row by row and stored all or nothing; shown on the
case's activity panel and in the section's list of people becoming covered."""

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from bistand.activity import services_notices
from bistand.activity.models import CoverageNotice, CoverageNoticeImport
from bistand.audit.models import AccessLogEntry
from bistand.core.dates import add_months, month_start
from bistand.core.errors import PermissionRefused
from tests.activity.helpers import coordinator
from tests.statistics.builders import World

pytestmark = pytest.mark.django_db

HEADER = "personnummer;datum;kommentar\n"


@pytest.fixture
def world(org):
    return World(org)


def _case(world, *, name, born=dt.date(1985, 3, 14), section=None, handler=None, months=()):
    person = world.person(born, name=name)
    household = world.household((person, "applicant"))
    this_month = month_start(timezone.localdate())
    case = world.case(
        household, opened_on=add_months(this_month, -12), section=section, handler=handler
    )
    for offset in months:
        world.decide(case, add_months(this_month, offset + 1), 5000)
    return person, case


def _csv(*rows) -> bytes:
    return (HEADER + "".join(f"{r}\n" for r in rows)).encode()


def _yesterday():
    return (timezone.localdate() - dt.timedelta(days=1)).isoformat()


def test_a_good_file_records_each_notice_with_date_and_source(org, world):
    anna, anna_case = _case(world, name="Anna")
    bo, bo_case = _case(world, name="Bo")
    result = services_notices.import_notices(
        org.other_social_worker,
        _csv(
            f"{anna.identity_number};{_yesterday()};Inskriven sedan 2026-08",
            f"{bo.identity_number};{_yesterday()};",
        ),
        today=timezone.localdate(),
        source="Arbetsförmedlingen, Malmö",
        file_name="af.csv",
    )
    assert result.errors == []
    notices = {n.person_id: n for n in CoverageNotice.objects.all()}
    assert set(notices) == {anna.pk, bo.pk}
    assert notices[anna.pk].case == anna_case and notices[bo.pk].case == bo_case
    assert notices[anna.pk].note == "Inskriven sedan 2026-08"
    batch = CoverageNoticeImport.objects.get()
    assert batch.source == "Arbetsförmedlingen, Malmö" and batch.rows == 2
    assert batch.imported_by == org.other_social_worker
    assert AccessLogEntry.objects.filter(object_type="activity.coveragenotice").count() == 2


def test_a_bad_row_stores_nothing_and_every_error_names_its_row(org, world):
    anna, _ = _case(world, name="Anna")
    # another section's case, handled there: the reader may not open it
    foreign, _ = _case(world, name="Främling", section=org.intake, handler=org.social_worker)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    result = services_notices.import_notices(
        org.other_social_worker,
        _csv(
            f"{anna.identity_number};{_yesterday()};",
            "19850314-0000;2026-11-01;",
            f"{foreign.identity_number};{_yesterday()};",
            f"{anna.identity_number};{tomorrow};",
            f"{anna.identity_number};2026-13-01;",
            f"{anna.identity_number};{_yesterday()};",
            "bara ett fält",
        ),
        today=timezone.localdate(),
    )
    errors = dict(result.errors)
    assert set(errors) == {3, 4, 5, 6, 7, 8}
    assert errors[3].startswith("Personnumret")
    assert errors[4] == "Ingen vuxen i ett öppet ärende som du har behörighet till."
    assert errors[5] == "Datumet kan inte ligga i framtiden."
    assert errors[6] == "Datumet ska anges som ÅÅÅÅ-MM-DD."
    assert errors[7] == "Samma person och datum finns redan på rad 2."
    assert "3 fält" in errors[8]
    assert not CoverageNotice.objects.exists() and not CoverageNoticeImport.objects.exists()


def test_a_wrong_header_and_a_notice_already_recorded_are_refused(org, world):
    anna, _ = _case(world, name="Anna")
    bad = services_notices.import_notices(
        org.other_social_worker, b"pnr;datum\n", today=timezone.localdate()
    )
    assert bad.errors == [(1, "Rubrikraden ska vara: personnummer;datum;kommentar.")]
    row = f"{anna.identity_number};{_yesterday()};"
    assert services_notices.import_notices(
        org.other_social_worker, _csv(row), today=timezone.localdate()
    ).stored
    again = services_notices.import_notices(
        org.other_social_worker, _csv(row), today=timezone.localdate()
    )
    assert again.errors == [(2, "Underrättelsen finns redan registrerad.")]
    assert CoverageNotice.objects.count() == 1


def test_the_coordinator_and_reception_may_not_read_in_notices(org, world):
    anna, _ = _case(world, name="Anna")
    for user in (coordinator(org), org.reception):
        with pytest.raises(PermissionRefused):
            services_notices.import_notices(
                user, _csv(f"{anna.identity_number};{_yesterday()};"), today=timezone.localdate()
            )


def test_the_upload_page_reports_bad_rows_in_swedish_then_stores_a_good_file(client, org, world):
    anna, anna_case = _case(world, name="Anna", months=(-3, -2, -1))
    client.force_login(org.other_social_worker)
    url = reverse("activity:import_notices")
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "source": "Arbetsförmedlingen",
            "file": SimpleUploadedFile("af.csv", _csv(f"{anna.identity_number};igår;")),
        },
    )
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "Inget är sparat" in page and "Rad 2" in page and "ÅÅÅÅ-MM-DD" in page
    assert not CoverageNotice.objects.exists()

    good = client.post(
        url,
        {
            "source": "Arbetsförmedlingen",
            "file": SimpleUploadedFile("af.csv", _csv(f"{anna.identity_number};{_yesterday()};")),
        },
    )
    assert good.status_code == 302
    panel = client.get(reverse("case_detail", args=[anna_case.pk])).content.decode()
    assert 'data-testid="af-notices"' in panel and "kan omfattas av aktivitetskravet" in panel
    listing = client.get(reverse("activity:becoming_covered")).content.decode()
    assert "Anna" in listing
    assert f"Kan omfattas ({_yesterday()})" in listing


def test_the_management_command_is_all_or_nothing(org, world, tmp_path):
    anna, _ = _case(world, name="Anna")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv(f"{anna.identity_number};{_yesterday()};", "x;y;z"))
    errors = io.StringIO()
    with pytest.raises(CommandError, match="Inget är sparat"):
        call_command(
            "import-af-notices", str(bad), user=org.other_social_worker.username, stderr=errors
        )
    assert "Rad 3: Personnumret" in errors.getvalue()
    assert not CoverageNotice.objects.exists()

    good = tmp_path / "good.csv"
    good.write_bytes(_csv(f"{anna.identity_number};{_yesterday()};"))
    out = io.StringIO()
    call_command(
        "import-af-notices",
        str(good),
        user=org.other_social_worker.username,
        source="AF Lund",
        stdout=out,
    )
    assert "1 underrättelser sparade." in out.getvalue()
    notice = CoverageNotice.objects.get()
    assert notice.batch.source == "AF Lund" and notice.batch.file_name == "good.csv"
    logged = AccessLogEntry.objects.get(object_type="activity.coveragenotice")
    assert json.loads(logged.detail)["after"]["source"] == "AF Lund"
    with pytest.raises(CommandError, match="finns inte"):
        call_command("import-af-notices", str(good), user="ingen")


def test_the_upload_page_is_linked_for_those_who_may_use_it(client, org):
    client.force_login(org.unit_head)
    page = client.get(reverse("activity:activities")).content.decode()
    assert 'data-testid="import-notices-link"' in page
    client.force_login(coordinator(org))
    page = client.get(reverse("activity:activities")).content.decode()
    assert 'data-testid="import-notices-link"' not in page
