"""The commands: `bistand stats`, `bistand stats-refresh`, `bistand national-report`."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from bistand.audit.models import AccessLogEntry
from bistand.statistics.models import HouseholdMonth, MonthRefresh, StaleMonth

from .builders import World
from .test_api import MONTH_LAYOUT

D = dt.date


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_stats_month_json_prints_every_figure_of_the_dashboard(lund):
    out, _ = run("stats", "--month", "2025-06", "--format", "json")
    figures = json.loads(out)
    assert set(figures) == MONTH_LAYOUT
    assert figures["households"]["count"] == 4
    assert figures["households"]["amount"] == "40000.00"
    assert figures["persons"]["minors"] == 3
    assert figures["long_term"]["share"] == round(4 / 7, 4)


def test_stats_month_with_filters_and_period(lund):
    out, _ = run(
        "stats", "--from", "2025-06", "--to", "2025-07", "--case-type", "A", "--format", "json"
    )
    figures = json.loads(out)
    assert figures["period"]["months"] == 2
    assert figures["filters"]["case_type"] == "A"
    assert figures["households"]["count"] == 3  # H3, H4a, H4b


def test_stats_year_prints_the_yearly_figures_with_long_term(lund):
    out, _ = run("stats", "--year", "2025", "--format", "json")
    figures = json.loads(out)
    assert figures["layout"] == "bistand.statistics.year/1"
    assert figures["current"]["long_term"]["long_term"] == 4
    assert figures["current"]["long_term"]["adults"] == 7
    assert figures["comparison"]["households"]["current"] == 6


def test_stats_text_output(lund):
    out, _ = run("stats", "--month", "2025-06")
    assert "Hushåll med utbetalning: 4" in out
    assert "Långvarigt bistånd 2025: 4 av 7 vuxna (57,1 %)" in out
    out, _ = run("stats", "--year", "2025")
    assert out.startswith("Försörjningsstöd Exempelkommun: årsanalys 2025")


def test_stats_refuses_a_bad_month(lund):
    with pytest.raises(SystemExit) as exit_:
        run("stats", "--month", "2025-6x")
    assert exit_.value.code == 2


def test_stats_refresh_month_and_stale(org):
    w = World(org)
    person = w.person(D(1980, 1, 1))
    case = w.case(w.household((person, "applicant")), opened_on=D(2025, 1, 5))
    w.pay(case, D(2025, 3, 1), 5000, paid_on=D(2025, 3, 2))
    w.pay(case, D(2025, 4, 1), 5000, paid_on=D(2025, 4, 2))
    out, _ = run("stats-refresh", "--month", "2025-03")
    assert "Beräknade 1 månader (2025-03)" in out
    assert StaleMonth.objects.filter(month=D(2025, 4, 1)).exists()
    out, _ = run("stats-refresh", "--stale")
    assert "(2025-04)" in out
    assert not StaleMonth.objects.exists()
    assert HouseholdMonth.objects.get(month=D(2025, 4, 1)).spell_months == 2


def test_stats_refresh_all_and_year(org):
    w = World(org)
    person = w.person(D(1980, 1, 1))
    case = w.case(w.household((person, "applicant")), opened_on=D(2025, 1, 5))
    w.pay(case, D(2025, 3, 1), 5000, paid_on=D(2025, 3, 2))
    run("stats-refresh", "--all")
    assert MonthRefresh.objects.filter(month=D(2025, 3, 1)).exists()
    out, _ = run("stats-refresh", "--year", "2025")
    assert "Beräknade 12 månader" in out


def test_national_report_command_writes_the_file_and_logs(lund, tmp_path):
    target = tmp_path / "ekb.csv"
    _, err = run(
        "national-report", "--month", "2025-11", "--user", "unithead", "--output", str(target)
    )
    assert target.read_text(encoding="utf-8").startswith("posttyp;layout;kommunkod;period")
    assert "6 personer i 3 hushåll" in err
    assert (
        AccessLogEntry.objects.filter(action="export", actor_id=lund.org.unit_head.pk).count() == 1
    )


def test_national_report_command_lists_errors_in_swedish_and_refuses(lund, tmp_path):
    target = tmp_path / "ekb.csv"
    with pytest.raises(SystemExit) as exit_:
        run("national-report", "--month", "2025-06", "--user", "unithead", "--output", str(target))
    assert exit_.value.code == 2
    assert not target.exists()
    assert not AccessLogEntry.objects.filter(action="export").exists()


def test_national_report_check_only_and_access(lund, capsys):
    with pytest.raises(SystemExit):
        run("national-report", "--month", "2025-06", "--user", "unithead", "--check")
    with pytest.raises(SystemExit) as exit_:
        run("national-report", "--month", "2025-11", "--user", "intakehead")
    assert exit_.value.code == 2
    out, err = run("national-report", "--month", "2025-11", "--user", "unithead", "--check")
    assert "0 fel" in err and out == ""
    assert not AccessLogEntry.objects.filter(action="export").exists()
