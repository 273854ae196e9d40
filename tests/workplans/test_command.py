"""`bistand followups-due --date`: what is due, per worker."""

import io

import pytest
from django.core.management import CommandError, call_command

from bistand.audit.models import AccessLogEntry

from .conftest import days, make_case, make_plan


def run(*args) -> str:
    out = io.StringIO()
    call_command("followups-due", *args, stdout=out)
    return out.getvalue()


def test_lists_due_and_overdue_follow_ups_per_worker(org, household_factory):
    overdue = make_case(org, household_factory, adult="198309192394")
    later = make_case(org, household_factory, adult="199811022384")
    c_case = make_case(org, household_factory, case_type="C", adult="199109202383")
    make_plan(
        org.social_worker,
        overdue,
        consent_on=days(-30),
        valid_from=days(-30),
        first_follow_up=days(-3),
    )
    make_plan(org.social_worker, later, first_follow_up=days(10))
    make_plan(org.benefit_admin, c_case, first_follow_up=days(0))

    output = run("--date", days(0).isoformat())
    assert f"Uppföljningar att göra per {days(0):%Y-%m-%d}: 2" in output
    worker = org.social_worker.get_full_name()
    admin = org.benefit_admin.get_full_name()
    assert f"{worker} (socialsekreterare): 1" in output
    assert f"{admin} (bidragshandläggare): 1" in output
    lines = output.splitlines()
    overdue_line = next(line for line in lines if overdue.reference in line)
    assert (
        "försenad 3 d" in overdue_line
        and "Tolvan Tolvansson" in overdue_line
        and " A " in overdue_line
    )
    assert "i dag" in next(line for line in lines if c_case.reference in line)
    assert later.reference not in output

    # Looking ahead, or at a later date, the later one is due too.
    assert later.reference in run("--date", days(0).isoformat(), "--within", "10")
    assert "om 10 d" in run("--date", days(0).isoformat(), "--within", "10")
    assert "försenad 1 d" in run("--date", days(11).isoformat())
    assert AccessLogEntry.objects.filter(object_type="followups_due").exists()


def test_nothing_due(org):
    assert "Uppföljningar att göra per 2026-01-15: 0" in run("--date", "2026-01-15")


def test_bad_date_is_refused_in_swedish(org):
    with pytest.raises(CommandError, match="ÅÅÅÅ-MM-DD"):
        run("--date", "15/1")
