"""Issue #11: the case lists that name clients (Mina ärenden, the inbox, the caseload pages)
write one access-log row per render naming the cases and applicants shown, and list only
cases the user may open."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from bistand.audit.models import AccessLogEntry
from bistand.cases import protection, services
from bistand.households.models import MemberRole
from bistand.households.services import MemberInput, register_household
from tests.query_budgets import person_number

pytestmark = pytest.mark.django_db


def new_case(org, *, handler=None, last_name="Tolvansson"):
    household = register_household(
        org.reception,
        [MemberInput(person_number(), "Tolvan", last_name, "applicant")],
        address="Storgatan 1",
        postal_code="22100",
        city="Lund",
    )
    application = services.register_application(
        org.reception, household, kind="new", month=timezone.localdate().replace(day=1)
    )
    if handler is not None:
        services.take_case(handler, application.case)
    application.case.refresh_from_db()
    return application.case


def applicant_id(case) -> int:
    return case.household.memberships.get(role=MemberRole.APPLICANT).person_id


def list_reads(user, what: str) -> list[dict]:
    rows = AccessLogEntry.objects.filter(
        actor_id=user.pk, object_type="list", object_id=what
    ).order_by("id")
    return [json.loads(row.detail) for row in rows]


def test_home_page_read_is_one_row_naming_my_cases_and_their_applicants(client, org):
    mine = [new_case(org, handler=org.social_worker) for _ in range(3)]
    new_case(org)  # not mine (unassigned): not listed, not logged
    client.force_login(org.social_worker)
    before = AccessLogEntry.objects.count()
    assert client.get(reverse("home")).status_code == 200
    [detail] = list_reads(org.social_worker, "my_cases")
    assert detail["case_ids"] == sorted(case.pk for case in mine)
    assert detail["person_ids"] == sorted(applicant_id(case) for case in mine)
    assert AccessLogEntry.objects.count() == before + 1  # set-wise: one row, not one per case


def test_inbox_read_names_the_listed_cases_and_applications(client, org):
    held = new_case(org, handler=org.social_worker)
    waiting = new_case(org)
    client.force_login(org.intake_head)
    assert client.get(reverse("inbox")).status_code == 200
    [detail] = list_reads(org.intake_head, "inbox")
    assert detail["case_ids"] == sorted([held.pk, waiting.pk])
    assert detail["person_ids"] == sorted([applicant_id(held), applicant_id(waiting)])
    assert len(detail["application_ids"]) == 2


def test_caseload_pages_reads_are_logged(client, org):
    held = new_case(org, handler=org.social_worker)
    unassigned = new_case(org)
    client.force_login(org.intake_head)
    assert client.get("/arbetsbelastning/").status_code == 200
    [detail] = list_reads(org.intake_head, "caseload_unassigned")
    assert detail["case_ids"] == [unassigned.pk]
    assert client.get(f"/arbetsbelastning/{org.social_worker.pk}/").status_code == 200
    [detail] = list_reads(org.intake_head, "worker_cases")
    assert detail["case_ids"] == [held.pk]
    assert detail["worker_id"] == org.social_worker.pk


def test_head_of_another_section_sees_no_names_on_the_workers_page(client, org):
    new_case(org, handler=org.social_worker, last_name="Hemligsson")
    client.force_login(org.labour_head)
    response = client.get(f"/arbetsbelastning/{org.social_worker.pk}/")
    assert "Hemligsson" not in response.content.decode()
    assert list_reads(org.labour_head, "worker_cases") == []  # nothing shown, nothing logged


def test_a_listed_protected_case_flags_the_row(client, org):
    case = new_case(org, handler=org.social_worker)
    person = case.household.memberships.get(role=MemberRole.APPLICANT).person
    protection.mark_protected_identity(
        org.social_worker,
        case,
        person,
        kind="protected_registration",
        registered_on=dt.date(2025, 1, 1),
    )
    client.force_login(org.social_worker)
    client.get(reverse("home"))
    [detail] = list_reads(org.social_worker, "my_cases")
    assert detail["protected_identity"] is True
    assert detail["protected_case_ids"] == [case.pk]
