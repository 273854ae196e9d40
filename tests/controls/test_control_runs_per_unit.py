"""Control runs belong to a unit: a run looks at one unit's data and fills that unit's FUT
queue; the nightly job runs once per unit and day; the command runs one unit or each unit; a
unit's staff never see or start anything about another unit (another unit's run or flag answers
as missing, on the pages and in the API)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from bistand.controls import fut, runs
from bistand.controls.models import ControlFlag, ControlRule, ControlRun, FraudInvestigation
from bistand.core.errors import NotFound, PermissionRefused
from bistand.jobs.runner import execute

from .fut_world import ControlWorld, OtherUnit


@pytest.fixture
def two_units(org):
    """Unit A (`org`) and unit B, each with its clean households and one planted case per
    rule (unit B's shared account has the same number as unit A's)."""
    a = ControlWorld(org, clean=2)
    other = OtherUnit()
    b = ControlWorld(other, clean=2, serial=5000)
    return a, b, other


def _unit_cases(world) -> set[int]:
    from bistand.cases.models import Case

    return set(Case.objects.filter(unit=world.org.unit).values_list("pk", flat=True))


def _flag_cases(flags) -> set[int]:
    found = set()
    for flag in flags:
        found |= set(flag.evidence["refs"].get("cases", []))
        if flag.case_id:
            found.add(flag.case_id)
    return found


def test_a_run_looks_at_its_units_data_only(two_units):
    a, b, other = two_units
    run_a = runs.run_controls(None, a.today, unit_id=a.org.unit.pk)
    assert run_a.unit_id == a.org.unit.pk
    flags_a = list(ControlFlag.objects.filter(first_run=run_a))
    assert {f.unit_id for f in flags_a} == {a.org.unit.pk}
    assert {f.rule for f in flags_a} == set(ControlRule.values)  # each planted case found
    assert not _flag_cases(flags_a) & _unit_cases(b)
    # The shared account: unit A's flag names unit A's two households only.
    (shared,) = [f for f in flags_a if f.rule == "shared_account"]
    assert shared.evidence["refs"]["households"] == a.planted["shared_account"]["households"]

    run_b = runs.run_controls(None, b.today, unit_id=other.unit.pk)
    flags_b = list(ControlFlag.objects.filter(first_run=run_b))
    assert {f.unit_id for f in flags_b} == {other.unit.pk}
    assert run_b.found == run_a.found
    assert not _flag_cases(flags_b) & _unit_cases(a)


def test_an_investigator_runs_their_own_unit_and_cannot_name_another(two_units):
    a, b, other = two_units
    run = fut.start_run(a.org.fraud, a.today)
    assert run.unit_id == a.org.unit.pk and run.started_by == a.org.fraud
    assert not ControlFlag.objects.filter(unit=other.unit).exists()
    with pytest.raises(NotFound):
        runs.run_controls(a.org.fraud, a.today, unit_id=other.unit.pk)
    assert ControlRun.objects.count() == 1
    with pytest.raises(PermissionRefused):
        fut.start_run(a.org.unit_head, a.today)


def test_the_nightly_job_runs_once_per_unit_and_day(two_units):
    a, b, other = two_units
    job_run = execute("control-run", trigger="schedule")
    assert job_run.status == "succeeded", job_run.error
    made = ControlRun.objects.filter(pk__in=job_run.result["runs"])
    assert sorted(made.values_list("unit_id", flat=True)) == sorted([a.org.unit.pk, other.unit.pk])
    assert set(made.values_list("trigger", flat=True)) == {"nightly"}
    assert ControlFlag.objects.filter(unit=a.org.unit).count() >= 7
    assert ControlFlag.objects.filter(unit=other.unit).count() >= 7
    again = execute("control-run", trigger="schedule")
    assert again.result["runs"] == [] and again.result["skipped"] == 2
    assert ControlRun.objects.count() == 2
    # The job for one unit (a parameter), on demand: a run of that unit only.
    one = execute("control-run", trigger="manual", params={"unit": other.unit.pk})
    assert one.status == "succeeded", one.error
    (run,) = ControlRun.objects.filter(pk__in=one.result["runs"])
    assert run.unit_id == other.unit.pk and run.new_flags == 0


def test_the_command_runs_one_unit_or_each_unit(two_units):
    a, b, other = two_units
    out = io.StringIO()
    call_command("controls-run", "--date", a.today.isoformat(), "--unit", str(other.unit.pk),
                 stdout=out)  # fmt: skip
    assert list(ControlRun.objects.values_list("unit_id", flat=True)) == [other.unit.pk]
    assert not ControlFlag.objects.filter(unit=a.org.unit).exists()
    assert "nya flaggor i FUT-kön" in out.getvalue()
    call_command("controls-run", "--date", a.today.isoformat(), stdout=io.StringIO())
    assert sorted(ControlRun.objects.values_list("unit_id", flat=True)) == sorted(
        [other.unit.pk, a.org.unit.pk, other.unit.pk]
    )
    assert ControlFlag.objects.filter(unit=a.org.unit).count() >= 7
    with pytest.raises(SystemExit):
        call_command("controls-run", "--unit", "999999", stdout=io.StringIO(),
                     stderr=io.StringIO())  # fmt: skip


def test_another_units_runs_and_flags_answer_as_missing(client, two_units):
    a, b, other = two_units
    run_a = fut.start_run(a.org.fraud, a.today)
    run_b = fut.start_run(other.fraud, b.today)
    flag_b = ControlFlag.objects.filter(unit=other.unit).first()
    investigation_b = fut.start_investigation(other.fraud, flag=flag_b, suspicion="Enhet B:s sak")

    # Through the service.
    assert list(fut.runs_for(a.org.fraud)) == [run_a]
    with pytest.raises(NotFound):
        fut.open_run(a.org.fraud, run_b.pk)
    with pytest.raises(NotFound):
        fut.open_flag(a.org.fraud, flag_b.pk)
    with pytest.raises(NotFound):
        fut.open_investigation(a.org.unit_head, investigation_b.pk)

    # Through the API.
    client.force_login(a.org.fraud)
    assert [r["id"] for r in client.get("/api/v1/control-runs/").json()] == [run_a.pk]
    missing = client.get(f"/api/v1/control-runs/{run_b.pk}/")
    assert missing.status_code == 404
    assert missing.json() == client.get("/api/v1/control-runs/999999/").json()
    assert client.get(f"/api/v1/control-flags/{flag_b.pk}/").status_code == 404
    listed = {f["id"] for f in client.get("/api/v1/control-flags/").json()}
    assert listed and not listed & set(
        ControlFlag.objects.filter(unit=other.unit).values_list("pk", flat=True)
    )
    created = client.post("/api/v1/control-runs/", {"date": a.today.isoformat()},
                          content_type="application/json")  # fmt: skip
    assert created.status_code == 201 and created.json()["unit"] == a.org.unit.pk

    # Through the pages.
    page = client.get(reverse("controls:fut_queue"))
    assert page.status_code == 200
    assert {r.pk for r in page.context["runs"]} == {run_a.pk, created.json()["id"]}
    assert {f.unit_id for f in page.context["flags"]} == {a.org.unit.pk}
    assert client.get(reverse("controls:fut_flag", args=[flag_b.pk])).status_code == 404
    client.post(reverse("controls:fut_dismiss", args=[flag_b.pk]), {"reason": "x"})
    flag_b.refresh_from_db()
    assert flag_b.status == "investigation"
    response = client.post(reverse("controls:fut_run"), {"run_on": a.today.isoformat()})
    assert response.status_code == 302
    assert ControlRun.objects.filter(unit=other.unit).count() == 1

    # The unit head of A: investigations of B answer as missing, runs are FUT's.
    client.force_login(a.org.unit_head)
    page = client.get(reverse("controls:fut_investigation", args=[investigation_b.pk]))
    assert page.status_code == 404 and "Enhet B:s sak" not in page.content.decode()
    listing = client.get(reverse("controls:fut_investigations"))
    assert "Enhet B:s sak" not in listing.content.decode()
    assert investigation_b.reference not in listing.content.decode()
    assert client.get(f"/api/v1/control-runs/{run_b.pk}/").status_code == 403
    assert FraudInvestigation.objects.filter(unit=a.org.unit).count() == 0
