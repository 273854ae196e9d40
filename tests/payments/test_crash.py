"""Crash safety of `bistand payrun`: a process killed with SIGKILL at any point, then retried,
never pays an order twice and never loses one. Every order ends in exactly one run, and the
file holds each exactly once and validates.

Each scenario runs real processes on a database of its own (a copy of a migrated and seeded
one): SQLite file copies, or PostgreSQL databases made from a template, matching the backend
the suite runs on. `BISTAND_PAYRUN_PAUSE_AT` stops the process at a named step (it prints
`PAUSED <step>` and sleeps); the test then kills it. Other scenarios kill at random moments.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.scratch_databases import ROOT, Databases, env, run

SEEDED = 1500
STEPS = [
    "run_created",
    "claimed",
    "before_write",
    "writing:1",
    "writing:700",
    f"writing:{SEEDED}",
    "after_write",
    "before_seal",
]
SEED = int(os.environ.get("BISTAND_CRASH_SEED", "20261124"))


def payrun_args(pay_day: str, out: Path) -> list[str]:
    return ["-m", "bistand", "payrun", "--date", pay_day, "--out", str(out), "--user", "finance"]


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("crash")
    dbs = Databases(workdir)
    try:
        # The schema straight from the models (tests/ops/test_createschema.py proves it is the
        # migrations'), then `migrate` for its post-migrate seeding: a full replay of the
        # migrations cost this module half a minute.
        for command in (["createschema"], ["migrate", "--noinput"]):
            prepared = run(["-m", "bistand", *command, "-v0"], dbs.seed_url)
            assert prepared.returncode == 0, prepared.stderr
        seeded = run(["-m", "tests.payments.bulk", "seed", str(SEEDED)], dbs.seed_url)
        assert seeded.returncode == 0, seeded.stderr
        dbs.pay_day = json.loads(seeded.stdout.strip().splitlines()[-1])["pay_day"]
        yield dbs
    finally:
        dbs.drop_all()


def _kill_at_step(url: str, pay_day: str, out: Path, step: str) -> None:
    process = subprocess.Popen(
        [sys.executable, *payrun_args(pay_day, out)],
        cwd=ROOT,
        env=env(url, BISTAND_PAYRUN_PAUSE_AT=step),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    seen = []
    try:
        for line in process.stderr:
            seen.append(line)
            if line.startswith("PAUSED"):
                break
            if time.monotonic() > deadline:
                break
        assert any(line.startswith(f"PAUSED {step.split(':')[0]}") for line in seen), seen
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def _kill_after(url: str, pay_day: str, out: Path, seconds: float) -> int:
    process = subprocess.Popen(
        [sys.executable, *payrun_args(pay_day, out)],
        cwd=ROOT,
        env=env(url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    return process.returncode


def _state(url: str, pay_day: str, out: Path) -> dict:
    result = run(["-m", "tests.payments.bulk", "state", pay_day, str(out)], url)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _assert_each_order_exactly_once(state: dict, expected_orders: int) -> None:
    runs = [run for run in state["runs"] if run["status"] != "cancelled"]
    assert len(runs) == 1, state["runs"]
    run = runs[0]
    assert run["status"] == "built" and run["file_sha256"]
    orders = state["orders"]
    assert len(orders) == expected_orders
    assert all(run_id == run["id"] and status == "in_run" for _, run_id, status in orders), [
        o for o in orders if o[1] != run["id"] or o[2] != "in_run"
    ][:5]
    file_ids = state["file_ids"]
    assert len(file_ids) == len(set(file_ids)), "an order is twice in the file"
    assert sorted(file_ids) == sorted(f"BU{order_id}" for order_id, _, _ in orders)
    assert state["file_valid_count"] == expected_orders
    assert run["order_count"] == expected_orders


@pytest.mark.parametrize("step", STEPS)
def test_killed_at_a_step_then_retried_pays_every_order_exactly_once(databases, tmp_path, step):
    url = databases.fresh()
    out = tmp_path / "betalning.xml"
    _kill_at_step(url, databases.pay_day, out, step)
    assert not list(tmp_path.glob("betalning.xml")) or step in ("after_write", "before_seal")
    expected = SEEDED
    if step in ("claimed", "writing:700", "before_seal"):
        # New orders attested between the crash and the retry are not lost either.
        added = run(["-m", "tests.payments.bulk", "add", "37", databases.pay_day], url)
        assert added.returncode == 0, added.stderr
        expected += 37
    retry = run(payrun_args(databases.pay_day, out), url)
    assert retry.returncode == 0, retry.stderr
    state = _state(url, databases.pay_day, out)
    _assert_each_order_exactly_once(state, expected)
    before = out.read_bytes()
    again = run(payrun_args(databases.pay_day, out), url)
    assert again.returncode == 0, again.stderr
    assert "0 nya" in again.stdout
    assert out.read_bytes() == before  # the same run, the same file, byte for byte
    _assert_each_order_exactly_once(_state(url, databases.pay_day, out), expected)


@pytest.mark.parametrize("attempt", range(4))
def test_killed_at_a_random_moment_then_retried(databases, tmp_path, attempt):
    rng = random.Random(SEED + attempt)
    url = databases.fresh()
    out = tmp_path / "betalning.xml"
    for _ in range(2):  # killed twice in a row, at random moments
        _kill_after(url, databases.pay_day, out, rng.uniform(0.3, 2.5))
    retry = run(payrun_args(databases.pay_day, out), url)
    assert retry.returncode == 0, retry.stderr
    _assert_each_order_exactly_once(_state(url, databases.pay_day, out), SEEDED)


def test_two_processes_at_once_pay_every_order_exactly_once(databases, tmp_path):
    url = databases.fresh()
    outs = [tmp_path / "a.xml", tmp_path / "b.xml"]
    processes = [
        subprocess.Popen(
            [sys.executable, *payrun_args(databases.pay_day, out)],
            cwd=ROOT,
            env=env(url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for out in outs
    ]
    results = [process.communicate(timeout=300) for process in processes]
    assert any(process.returncode == 0 for process in processes), results
    retry = run(payrun_args(databases.pay_day, outs[0]), url)
    assert retry.returncode == 0, retry.stderr
    _assert_each_order_exactly_once(_state(url, databases.pay_day, outs[0]), SEEDED)
