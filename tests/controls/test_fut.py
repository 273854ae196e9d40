"""The FUT queue and investigations: only fraud investigators (and, for investigations, the
unit head) see them, through pages and the API; every read is logged; dismissing needs a
reason; an investigation ends in an outcome and may record a police report or notification."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from bistand.audit.models import AccessLogEntry
from bistand.controls import fut, runs
from bistand.controls.models import (
    ControlFlag,
    FlagStatus,
    FraudInvestigation,
    FraudReport,
    InvestigationStatus,
)
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.organisation.models import Role
from tests.factories import UnitFactory, UserFactory

from .fut_world import ControlWorld

SECRET = "Misstänkt oredovisad lön hos Lagerhuset"
OTHER_ROLES = ["reception", "social_worker", "benefit_admin", "labour_head", "unit_head",
               "finance", "sysadmin"]  # fmt: skip
NOT_INVESTIGATION_READERS = [r for r in OTHER_ROLES if r != "unit_head"]


@pytest.fixture
def queue(org):
    world = ControlWorld(org, clean=0)
    runs.run_controls(None, world.today, unit_id=world.org.unit.pk)
    flag = ControlFlag.objects.get(rule="income_not_counted")
    investigation = fut.start_investigation(
        org.fraud, flag=ControlFlag.objects.get(rule="duplicate_invoice"), suspicion=SECRET
    )
    fut.add_note(org.fraud, investigation, text="Begärt kontoutdrag.")
    return world, flag, investigation


def _pages(flag, investigation):
    return [
        ("get", reverse("controls:fut_queue"), {}),
        ("get", reverse("controls:fut_flag", args=[flag.pk]), {}),
        ("post", reverse("controls:fut_dismiss", args=[flag.pk]), {"reason": "Inget fel"}),
        ("post", reverse("controls:fut_investigate", args=[flag.pk]), {"suspicion": "x"}),
        ("post", reverse("controls:fut_run"), {"run_on": "2026-11-01"}),
        ("post", reverse("controls:fut_note", args=[investigation.pk]), {"text": "x"}),
        (
            "post",
            reverse("controls:fut_outcome", args=[investigation.pk]),
            {"outcome": "no_error", "note": "x"},
        ),  # fmt: skip
    ]


def _api(flag, investigation):
    return [
        ("get", "/api/v1/control-runs/", {}),
        ("post", "/api/v1/control-runs/", {"date": "2026-11-01"}),
        ("get", "/api/v1/control-flags/", {}),
        ("get", f"/api/v1/control-flags/{flag.pk}/", {}),
        ("post", f"/api/v1/control-flags/{flag.pk}/dismiss/", {"reason": "Inget fel"}),
        ("post", f"/api/v1/control-flags/{flag.pk}/investigate/", {"suspicion": "x"}),
        ("get", "/api/v1/fraud-investigations/", {}),
        ("get", f"/api/v1/fraud-investigations/{investigation.pk}/", {}),
        ("post", f"/api/v1/fraud-investigations/{investigation.pk}/notes/", {"text": "x"}),
    ]


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_other_role_is_refused_the_queue_pages_and_api(client, org, queue, role):
    world, flag, investigation = queue
    client.force_login(getattr(org, role))
    for method, url, data in _pages(flag, investigation) + _api(flag, investigation):
        if url.startswith("/api/"):
            response = getattr(client, method)(url, data, content_type="application/json")
        else:
            response = getattr(client, method)(url, data)
        assert response.status_code in (403, 404), (url, response.status_code)
        body = response.content.decode()
        assert SECRET not in body and flag.summary not in body, url
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN
    assert investigation.notes.count() == 1
    assert FraudInvestigation.objects.count() == 1


@pytest.mark.parametrize("role", NOT_INVESTIGATION_READERS)
def test_investigation_pages_are_refused_to_all_but_fut_and_the_unit_head(client, org, queue, role):
    _, _, investigation = queue
    client.force_login(getattr(org, role))
    for url in (reverse("controls:fut_investigations"),
                reverse("controls:fut_investigation", args=[investigation.pk])):  # fmt: skip
        response = client.get(url)
        assert response.status_code in (403, 404)
        assert SECRET not in response.content.decode()
    with pytest.raises(PermissionRefused):
        fut.open_investigation(getattr(org, role), investigation.pk)


def test_the_unit_head_reads_an_investigation_and_the_read_is_logged(client, org, queue):
    _, _, investigation = queue
    client.force_login(org.unit_head)
    response = client.get(reverse("controls:fut_investigation", args=[investigation.pk]))
    assert response.status_code == 200 and SECRET in response.content.decode()
    assert "Begärt kontoutdrag." in response.content.decode()
    assert 'data-testid="fut-note-form"' not in response.content.decode()  # reads, not writes
    assert AccessLogEntry.objects.filter(
        actor_id=org.unit_head.pk, action="view", object_type="controls.fraudinvestigation",
        object_id=str(investigation.pk),
    ).exists()  # fmt: skip
    listing = client.get(reverse("controls:fut_investigations"))
    assert listing.status_code == 200 and investigation.reference in listing.content.decode()
    # The unit head may not use the API (FUT only), nor write.
    assert client.get(f"/api/v1/fraud-investigations/{investigation.pk}/").status_code == 403
    with pytest.raises(PermissionRefused):
        fut.add_note(org.unit_head, investigation, text="x")


def test_fut_reads_are_logged(client, org, queue):
    _, flag, investigation = queue
    client.force_login(org.fraud)
    before = AccessLogEntry.objects.filter(actor_id=org.fraud.pk, action="view").count()
    page = client.get(reverse("controls:fut_flag", args=[flag.pk]))
    assert page.status_code == 200
    assert "Enligt registret" in page.content.decode() and "7 500,00 kr" in page.content.decode()
    assert client.get(f"/api/v1/control-flags/{flag.pk}/").status_code == 200
    assert client.get(f"/api/v1/fraud-investigations/{investigation.pk}/").status_code == 200
    views = AccessLogEntry.objects.filter(actor_id=org.fraud.pk, action="view")
    assert views.count() == before + 3
    flag_read = views.filter(object_type="controls.controlflag").last()
    assert flag_read.case_id == flag.case_id and flag_read.person_id == flag.person_id
    assert client.get(reverse("controls:fut_queue")).status_code == 200
    assert AccessLogEntry.objects.filter(
        actor_id=org.fraud.pk, action="search", object_type="controls.controlflag"
    ).exists()


def test_another_units_fraud_investigator_sees_nothing(client, org, queue):
    _, flag, investigation = queue
    other = UserFactory(username="fut2", role=Role.FRAUD_INVESTIGATOR, unit=UnitFactory())
    client.force_login(other)
    assert client.get(reverse("controls:fut_flag", args=[flag.pk])).status_code == 404
    assert client.get(f"/api/v1/control-flags/{flag.pk}/").status_code == 404
    assert client.get(f"/api/v1/fraud-investigations/{investigation.pk}/").status_code == 404
    assert client.get("/api/v1/control-flags/").json() == []
    assert client.get("/api/v1/fraud-investigations/").json() == []
    with pytest.raises(NotFound):
        fut.open_investigation(other, investigation.pk)


def test_dismissing_needs_a_reason(client, org, queue):
    _, flag, _ = queue
    with pytest.raises(DomainError):
        fut.dismiss_flag(org.fraud, flag, reason="   ")
    client.force_login(org.fraud)
    client.post(reverse("controls:fut_dismiss", args=[flag.pk]), {"reason": ""})
    response = client.post(f"/api/v1/control-flags/{flag.pk}/dismiss/", {"reason": ""},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 400 and "error" in response.json()
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN and not flag.dismiss_reason
    response = client.post(
        reverse("controls:fut_dismiss", args=[flag.pk]),
        {"reason": "Lönen är redovisad i nästa månads ansökan."},
    )
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == FlagStatus.DISMISSED and flag.dismissed_by == org.fraud
    assert flag.dismiss_reason == "Lönen är redovisad i nästa månads ansökan."
    with pytest.raises(DomainError):
        fut.dismiss_flag(org.fraud, flag, reason="Igen")


def test_a_dismissed_flag_is_not_raised_again(org, queue):
    world, flag, _ = queue
    fut.dismiss_flag(org.fraud, flag, reason="Förklarat")
    run = runs.run_controls(None, world.today, unit_id=world.org.unit.pk)
    assert run.new_flags == 0
    flag.refresh_from_db()
    assert flag.status == FlagStatus.DISMISSED


def test_an_investigation_from_a_flag_through_the_pages(client, org, queue):
    _, flag, _ = queue
    client.force_login(org.fraud)
    page = client.get(reverse("controls:fut_queue"))
    assert flag.summary in page.content.decode()
    response = client.post(
        reverse("controls:fut_investigate", args=[flag.pk]), {"suspicion": "Lön inte redovisad"}
    )
    investigation = FraudInvestigation.objects.get(flag=flag)
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == FlagStatus.INVESTIGATION and investigation.case_id == flag.case_id
    base = [investigation.pk]
    client.post(reverse("controls:fut_note", args=base), {"text": "Arbetsgivaren kontaktad."})
    client.post(
        reverse("controls:fut_report", args=base),
        {"kind": "police_report", "sent_on": "2026-11-20", "recipient": "Polismyndigheten",
         "reference": "", "summary": "Misstänkt bidragsbrott, oredovisad lön 7 500 kr."},
    )  # fmt: skip
    client.post(
        reverse("controls:fut_report", args=base),
        {"kind": "notification", "sent_on": "2026-11-21", "recipient": "Försäkringskassan",
         "summary": "Underrättelse om felaktig utbetalning."},
    )  # fmt: skip
    client.post(
        reverse("controls:fut_outcome", args=base),
        {"outcome": "suspected_crime", "note": "Lönen har inte redovisats."},
    )
    investigation.refresh_from_db()
    assert investigation.status == InvestigationStatus.CLOSED
    assert investigation.outcome == "suspected_crime"
    assert investigation.notes.count() == 1
    reports = list(FraudReport.objects.filter(investigation=investigation))
    assert [(r.kind, r.recipient, r.sent_on) for r in reports] == [
        ("police_report", "Polismyndigheten", dt.date(2026, 11, 20)),
        ("notification", "Försäkringskassan", dt.date(2026, 11, 21)),
    ]
    detail = client.get(reverse("controls:fut_investigation", args=base)).content.decode()
    assert "Polismyndigheten" in detail and "Försäkringskassan" in detail
    with pytest.raises(DomainError):
        fut.add_note(org.fraud, investigation, text="Efter avslut")


def test_a_report_needs_a_recipient_and_a_past_date(org, queue):
    _, _, investigation = queue
    with pytest.raises(DomainError):
        fut.record_report(org.fraud, investigation, kind="police_report",
                          sent_on=dt.date(2026, 11, 20), recipient=" ", summary="x")  # fmt: skip
    with pytest.raises(DomainError):
        fut.record_report(org.fraud, investigation, kind="police_report",
                          sent_on=dt.date(2099, 1, 1), recipient="Polisen", summary="x")  # fmt: skip
    assert not FraudReport.objects.exists()


def test_the_api_for_fut(client, org, queue):
    world, flag, investigation = queue
    client.force_login(org.fraud)
    flags = client.get("/api/v1/control-flags/?status=open").json()
    assert {f["rule"] for f in flags} >= {"income_not_counted", "paid_above_decision"}
    assert client.get("/api/v1/control-flags/?status=bogus").status_code == 400
    created = client.post(f"/api/v1/control-flags/{flag.pk}/investigate/",
                          {"suspicion": "Lön"}, content_type="application/json")  # fmt: skip
    assert created.status_code == 201
    new_id = created.json()["id"]
    note = client.post(f"/api/v1/fraud-investigations/{new_id}/notes/", {"text": "Notering"},
                       content_type="application/json")  # fmt: skip
    assert note.status_code == 201
    report = client.post(
        f"/api/v1/fraud-investigations/{new_id}/reports/",
        {"kind": "notification", "sent_on": "2026-11-20", "recipient": "CSN",
         "summary": "Underrättelse"},
        content_type="application/json",
    )  # fmt: skip
    assert report.status_code == 201
    closed = client.post(f"/api/v1/fraud-investigations/{new_id}/outcome/",
                         {"outcome": "incorrect_payment", "note": "Återkrav prövas"},
                         content_type="application/json")  # fmt: skip
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    run = client.post("/api/v1/control-runs/", {"date": world.today.isoformat()},
                      content_type="application/json")  # fmt: skip
    assert run.status_code == 201 and run.json()["new_flags"] == 0
    assert client.get(f"/api/v1/control-runs/{run.json()['id']}/").status_code == 200
    assert client.get("/api/v1/control-runs/99999999/").status_code == 404
    future = client.post("/api/v1/control-runs/", {"date": "2099-01-01"},
                         content_type="application/json")  # fmt: skip
    assert future.status_code == 400
