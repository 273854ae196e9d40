"""Control runs: each rule finds its planted case in a generated data set and nothing else;
a second run of the same date adds nothing; the nightly job runs through the registry."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from bistand.audit.models import AccessLogEntry
from bistand.controls import runs
from bistand.controls.models import ControlFlag, ControlRule, ControlRun
from bistand.jobs.models import JobRun
from bistand.jobs.registry import JOBS
from bistand.jobs.runner import execute

from .fut_world import ControlWorld


@pytest.fixture
def world(org):
    return ControlWorld(org)


def _orders(flag) -> list[int]:
    return sorted(flag.evidence["refs"].get("orders", []))


def test_each_rule_finds_its_planted_case_and_nothing_else(world):
    run = runs.run_controls(None, world.today, unit_id=world.org.unit.pk)
    flags = {rule: list(ControlFlag.objects.filter(rule=rule)) for rule in ControlRule.values}
    planted = world.planted
    assert run.found == {rule: len(flags[rule]) for rule in ControlRule.values}

    (shared,) = flags["shared_account"]
    assert shared.evidence["refs"]["households"] == planted["shared_account"]["households"]
    assert shared.amount == 16000

    after = flags["paid_after_closing"]
    assert sorted(o for f in after for o in _orders(f)) == sorted(
        planted["paid_after_closing"]["orders"]
    )
    assert {f.case_id for f in after} >= {planted["paid_after_closing"]["case"]}

    (overlap,) = flags["overlapping_payments"]
    assert _orders(overlap) == planted["overlapping_payments"]["orders"]

    (person,) = flags["person_in_two_cases"]
    assert person.person_id == planted["person_in_two_cases"]["person"]
    assert sorted(person.evidence["refs"]["cases"]) == sorted(
        planted["person_in_two_cases"]["cases"]
    )

    (income,) = flags["income_not_counted"]
    assert income.evidence["refs"]["check"] == planted["income_not_counted"]["check"]
    assert income.amount == planted["income_not_counted"]["amount"]

    (above,) = flags["paid_above_decision"]
    assert above.case_id == planted["paid_above_decision"]["case"]
    assert above.amount == planted["paid_above_decision"]["amount"]

    assert after[0].evidence["rows"][0][4] == "Registrerad – väntar på attest"
    (duplicate,) = flags["duplicate_invoice"]
    assert _orders(duplicate) == sorted(planted["duplicate_invoice"]["orders"])

    clean = {c.pk for c in world.clean_cases}
    assert not ControlFlag.objects.filter(case_id__in=clean).exists()
    assert all(f.evidence["facts"] and f.summary for f in ControlFlag.objects.all())


def test_a_clean_data_set_gives_no_flags(org):
    world = ControlWorld(org, clean=10, plant=False)
    run = runs.run_controls(None, world.today, unit_id=world.org.unit.pk)
    assert run.found == dict.fromkeys(ControlRule.values, 0)
    assert not ControlFlag.objects.exists()


def test_a_second_run_of_the_same_date_adds_no_flag(world):
    first = runs.run_controls(None, world.today, unit_id=world.org.unit.pk)
    count = ControlFlag.objects.count()
    assert first.new_flags == count >= 7
    second = runs.run_controls(None, world.today, unit_id=world.org.unit.pk)
    assert second.new_flags == 0 and ControlFlag.objects.count() == count
    assert sum(second.found.values()) == sum(first.found.values())
    assert set(ControlFlag.objects.values_list("first_run", flat=True)) == {first.pk}


def test_new_evidence_is_a_new_flag(world):
    runs.run_controls(None, world.today, unit_id=world.org.unit.pk)
    household, (person,) = world.household()
    case = world.case(household)
    payee, account = world.person_payee(person, "99887766")
    world.order(world.decision(case), payee=payee, account=account)
    run = runs.run_controls(None, world.today, unit_id=world.org.unit.pk)
    assert run.new_flags == 1
    assert ControlFlag.objects.filter(rule="shared_account").count() == 2


def test_a_run_before_the_orders_were_registered_finds_no_payment(world):
    import datetime as dt

    run = runs.run_controls(None, world.today - dt.timedelta(days=400), unit_id=world.org.unit.pk)
    assert run.found["duplicate_invoice"] == 0 and run.found["paid_above_decision"] == 0
    assert run.found["shared_account"] == 0


def test_a_run_is_logged(world):
    run = runs.run_controls(None, world.today, unit_id=world.org.unit.pk)
    assert AccessLogEntry.objects.filter(
        object_type="controls.controlrun", object_id=str(run.pk), action="create"
    ).exists()


def test_the_nightly_job_runs_through_the_registry(world):
    job = JOBS["control-run"]
    assert job.run.__module__ == "bistand.controls.jobs" and job.schedule is not None
    job_run = execute("control-run", trigger="schedule")
    assert job_run.status == "succeeded", job_run.error
    assert job_run.result["new_flags"] == ControlFlag.objects.count() >= 7
    (run_id,) = job_run.result["runs"]
    assert ControlRun.objects.get(pk=run_id).trigger == "nightly"
    again = execute("control-run", trigger="schedule")
    assert again.result["new_flags"] == 0
    assert JobRun.objects.filter(job="control-run").count() == 2


def test_the_command_runs_a_date(world):
    out = io.StringIO()
    call_command("controls-run", "--date", world.today.isoformat(), stdout=out)
    assert "nya flaggor i FUT-kön" in out.getvalue()
    assert ControlFlag.objects.count() >= 7
    with pytest.raises(SystemExit):
        call_command("controls-run", "--date", "2026-13-45", stdout=io.StringIO(),
                     stderr=io.StringIO())  # fmt: skip
