"""Loggkontroll: the unit head sees their own unit only; the monthly report lists each kind of
unusual read; the sign-off is final and logged."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bistand.audit.models import AccessLogEntry
from bistand.audit.services import record
from bistand.cases import access_review, protection, services
from bistand.cases.selectors import open_case
from bistand.core.errors import DomainError
from bistand.core.models import FinalRecordError
from bistand.households.services import MemberInput, register_household
from bistand.organisation.models import Role
from tests.factories import ADULT_NUMBERS, SectionFactory, UnitFactory, UserFactory


def new_case(org, adult):
    household = register_household(
        org.reception,
        [MemberInput(adult, "Tolvan", "Tolvansson", "applicant")],
        address="Storgatan 1",
        postal_code="22100",
        city="Lund",
    )
    month = timezone.localdate().replace(day=1)
    return services.register_application(org.reception, household, kind="new", month=month).case


@pytest.fixture
def case(org):
    case = new_case(org, ADULT_NUMBERS[0])
    services.take_case(org.social_worker, case)
    case.refresh_from_db()
    return case


@pytest.fixture
def unit_b(db):
    unit = UnitFactory(name="Enhet B")
    section = SectionFactory(unit=unit, name="Mottagning B", code="mottagning-b")
    head = UserFactory(username="unithead_b", role=Role.UNIT_HEAD, unit=unit)
    worker = UserFactory(username="worker_b", role=Role.SOCIAL_WORKER, unit=unit, section=section)
    return unit, head, worker


def this_month():
    return timezone.localdate().replace(day=1)


def categories(report, user):
    reader = next((r for r in report.readers if r.actor_id == user.pk), None)
    return [item.category for item in reader.items] if reader else []


# --- Own unit only ---------------------------------------------------------------------------


def test_unit_head_of_another_unit_sees_nothing_of_this_unit(client, org, case, unit_b):
    _unit, head_b, worker_b = unit_b
    open_case(org.social_worker, case.pk)
    services.take_emergency_access(org.other_social_worker, case, "Akut ärende, behövs nu.")
    client.force_login(head_b)
    page = client.get(reverse("access_log")).content.decode()
    assert org.social_worker.username not in page
    assert "Akut ärende" not in page
    assert (
        client.get(reverse("access_log"), {"case": case.pk})
        .content.decode()
        .count("<td>socialworker</td>")
        == 0
    )
    report = access_review.month_report(unit_b[0], this_month(), threshold=0)
    assert report.readers == []
    # ... while the unit's own head sees them.
    client.force_login(org.unit_head)
    page = client.get(reverse("access_log")).content.decode()
    assert "socialworker" in page and "Akut ärende" in page


def test_own_unit_log_lists_rows_without_a_case_by_own_staff_only(org, unit_b):
    _unit, head_b, worker_b = unit_b
    record(org.social_worker, "login")
    record(worker_b, "login")
    rows_a = AccessLogEntry.objects.filter(access_review.unit_log_q(org.unit.pk))
    rows_b = AccessLogEntry.objects.filter(access_review.unit_log_q(unit_b[0].pk))
    assert set(rows_a.values_list("actor_id", flat=True)) == {org.social_worker.pk}
    assert set(rows_b.values_list("actor_id", flat=True)) == {worker_b.pk}


# --- Each kind of unusual read ---------------------------------------------------------------


def test_handler_reading_own_case_is_not_unusual(org, case):
    open_case(org.social_worker, case.pk)
    assert categories(access_review.month_report(org.unit, this_month()), org.social_worker) == []


def test_emergency_access_and_reads_under_it_are_listed(org, case):
    services.take_emergency_access(org.other_social_worker, case, "Akut ärende, behövs nu.")
    open_case(org.other_social_worker, case.pk)
    found = categories(access_review.month_report(org.unit, this_month()), org.other_social_worker)
    assert found.count("emergency") == 2  # the access taken and the read


def test_read_outside_own_caseload_and_section_is_listed(org, case):
    """A labour-section worker named on a protected intake case: outside their section."""
    person = case.household.memberships.get().person
    protection.mark_protected_identity(
        org.social_worker,
        case,
        person,
        kind="confidentiality_marking",
        registered_on=dt.date(2025, 1, 1),
    )
    protection.authorise_staff(org.unit_head, case, org.other_social_worker)
    open_case(org.other_social_worker, case.pk)
    found = categories(access_review.month_report(org.unit, this_month()), org.other_social_worker)
    assert "outside_work" in found and "protected" in found
    assert "outside_work" not in categories(
        access_review.month_report(org.unit, this_month()), org.social_worker
    )


def test_reads_of_protected_persons_are_listed(org, case):
    person = case.household.memberships.get().person
    protection.mark_protected_identity(
        org.social_worker,
        case,
        person,
        kind="protected_registration",
        registered_on=dt.date(2025, 1, 1),
    )
    open_case(org.social_worker, case.pk)
    found = categories(access_review.month_report(org.unit, this_month()), org.social_worker)
    assert found == ["protected"]


def test_mass_reads_over_the_threshold_are_listed(org, settings):
    settings.BISTAND_MASS_READ_THRESHOLD = 2
    cases = [new_case(org, adult) for adult in ADULT_NUMBERS[:3]]
    for case in cases[:2]:
        open_case(org.social_worker, case.pk)
    assert categories(access_review.month_report(org.unit, this_month()), org.social_worker) == []
    open_case(org.social_worker, cases[2].pk)
    report = access_review.month_report(org.unit, this_month())
    assert categories(report, org.social_worker) == ["mass_read"]
    assert report.readers[0].items[0].count == 3


def test_monthly_page_groups_by_reader_and_command_prints_json(client, org, case):
    services.take_emergency_access(org.other_social_worker, case, "Akut ärende, behövs nu.")
    month = f"{this_month():%Y-%m}"
    client.force_login(org.unit_head)
    page = client.get(reverse("access_review", args=[month])).content.decode()
    assert "Nödåtkomst" in page and str(org.other_social_worker) in page
    out = io.StringIO()
    call_command("access-report", month=month, json=True, stdout=out)
    data = json.loads(out.getvalue())
    assert data[0]["totals"]["emergency"] == 1
    assert data[0]["readers"][0]["actor_id"] == org.other_social_worker.pk
    assert AccessLogEntry.objects.filter(object_type="access_report").exists()


@pytest.mark.parametrize("role_attr", ["social_worker", "intake_head", "sysadmin"])
def test_only_unit_heads_open_the_monthly_review(client, org, role_attr):
    client.force_login(getattr(org, role_attr))
    assert client.get(reverse("access_review", args=["2026-01"])).status_code == 403


def test_bad_month_is_a_bad_request(client, org):
    client.force_login(org.unit_head)
    assert client.get(reverse("access_review", args=["2026-13"])).status_code == 400


# --- Sign-off --------------------------------------------------------------------------------


def last_month():
    return (this_month() - dt.timedelta(days=1)).replace(day=1)


def test_signoff_is_final_logged_and_a_later_note_is_a_new_row(org):
    signed = access_review.sign_access_review(org.unit_head, last_month(), "Inget att anmärka.")
    assert AccessLogEntry.objects.filter(
        action="sign", actor_id=org.unit_head.pk, object_type="cases.accessreviewentry"
    ).exists()
    with pytest.raises(DomainError):
        access_review.sign_access_review(org.unit_head, last_month(), "Igen")
    signed.comment = "Ändrad i efterhand"
    with pytest.raises(FinalRecordError):
        signed.save()
    with pytest.raises(FinalRecordError):
        signed.delete()
    note = access_review.add_review_note(org.unit_head, last_month(), "Följt upp med Anna.")
    signed.refresh_from_db()
    assert signed.comment == "Inget att anmärka."
    assert note.pk != signed.pk and note.kind == "note"


def test_the_current_month_cannot_be_signed(org):
    with pytest.raises(DomainError):
        access_review.sign_access_review(org.unit_head, this_month())


def test_signing_through_http_and_the_signed_page_has_no_sign_button(client, org):
    client.force_login(org.unit_head)
    month = f"{last_month():%Y-%m}"
    response = client.post(reverse("sign_access_review", args=[month]), {"comment": "Granskat."})
    assert response.status_code == 302
    page = client.get(reverse("access_review", args=[month])).content.decode()
    assert 'data-testid="signed"' in page and 'data-testid="sign-review"' not in page
    again = client.post(reverse("sign_access_review", args=[month]), {"comment": "Igen"})
    assert again.status_code in (302, 400)
    assert access_review.reviews_of(org.unit.pk, last_month()).count() == 1


def test_a_section_head_cannot_sign(client, org):
    client.force_login(org.intake_head)
    month = f"{last_month():%Y-%m}"
    assert client.post(reverse("sign_access_review", args=[month])).status_code == 403
    assert not access_review.reviews_of(org.unit.pk, last_month()).exists()


def test_list_pages_count_the_cases_they_show_outside_the_readers_work(org, settings):
    """A list page logs one row naming every case it shows (set-wise); the monthly report
    counts the listed cases outside the reader's caseload and section as one outside-work
    item per list and day, and towards mass reads. Listing one's own cases is not unusual."""
    from bistand.cases.selectors import log_list_read

    settings.BISTAND_MASS_READ_THRESHOLD = 2
    cases = [new_case(org, adult) for adult in ADULT_NUMBERS[:3]]
    for case in cases:
        services.take_case(org.social_worker, case)
    log_list_read(org.social_worker, "Mina ärenden", case_ids=[c.pk for c in cases])
    log_list_read(org.other_social_worker, "Utbetalningskö", case_ids=[c.pk for c in cases[:2]])
    report = access_review.month_report(org.unit, this_month())
    assert categories(report, org.social_worker) == []
    assert categories(report, org.other_social_worker) == ["outside_work"]
    reader = next(r for r in report.readers if r.actor_id == org.other_social_worker.pk)
    assert (reader.items[0].count, reader.items[0].what) == (2, "Utbetalningskö")

    log_list_read(org.other_social_worker, "Utbetalningskö", case_ids=[c.pk for c in cases])
    report = access_review.month_report(org.unit, this_month())
    found = categories(report, org.other_social_worker)
    assert sorted(found) == ["mass_read", "outside_work"]  # one list item for the day: 3 cases
    reader = next(r for r in report.readers if r.actor_id == org.other_social_worker.pk)
    assert {item.category: item.count for item in reader.items} == {
        "outside_work": 3,
        "mass_read": 3,
    }
