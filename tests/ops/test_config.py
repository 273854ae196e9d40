"""Sizing of `bistand serve`: workers from the CPUs, the pool from the threads, the budget."""

import json

import pytest
from django.core.management import CommandError, call_command

from bistand.ops.config import cpu_count, pool_config, serve_config


def test_defaults_size_workers_from_the_cpus_and_the_pool_from_the_threads():
    config = serve_config({})
    assert config.workers == 2 * cpu_count() + 1
    assert config.threads == 1
    assert config.pool.as_option() == {"min_size": 1, "max_size": 4, "timeout": 10.0}
    assert config.max_db_connections == config.workers * 4
    assert config.bind == "127.0.0.1:8000"
    assert (config.max_requests, config.max_requests_jitter) == (2000, 200)


def test_the_environment_sets_every_figure():
    config = serve_config(
        {
            "BISTAND_BIND": "0.0.0.0:9000",
            "BISTAND_WORKERS": "3",
            "BISTAND_THREADS": "8",
            "BISTAND_DB_POOL_MAX": "6",
            "BISTAND_DB_POOL_MIN": "9",
            "BISTAND_DB_POOL_TIMEOUT": "2.5",
            "BISTAND_DB_CONNECTION_BUDGET": "18",
        }
    )
    assert (config.bind, config.workers, config.threads) == ("0.0.0.0:9000", 3, 8)
    assert config.pool.as_option() == {"min_size": 6, "max_size": 6, "timeout": 2.5}
    assert config.max_db_connections == 18 and config.budget_problem() is None


def test_a_pool_max_of_zero_turns_the_pool_off():
    assert pool_config({"BISTAND_DB_POOL_MAX": "0"}) is None


def test_more_connections_than_the_budget_is_a_problem_named_in_figures():
    config = serve_config(
        {"BISTAND_WORKERS": "9", "BISTAND_THREADS": "4", "BISTAND_DB_CONNECTION_BUDGET": "30"}
    )
    assert config.budget_problem().startswith("9 workers × 4 database connections = 36")


@pytest.mark.parametrize("value", ["many", "-1", "0"])
def test_nonsense_worker_counts_are_refused(value):
    with pytest.raises(ValueError, match="BISTAND_WORKERS"):
        serve_config({"BISTAND_WORKERS": value})


@pytest.fixture(autouse=True)
def _restore_serve_variables(monkeypatch):
    """The command writes its options into the environment (for gunicorn): undo that."""
    for variable in ("BISTAND_BIND", "BISTAND_WORKERS", "BISTAND_THREADS", "BISTAND_DB_POOL_MAX"):
        monkeypatch.delenv(variable, raising=False)


@pytest.mark.django_db
def test_serve_check_prints_the_sizing(capsys, monkeypatch):
    monkeypatch.setenv("BISTAND_DB_CONNECTION_BUDGET", "100")
    call_command("serve", "--check", "--workers", "2", "--threads", "3")
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["workers"] == 2 and summary["threads"] == 3


@pytest.mark.django_db
def test_serve_refuses_to_start_over_the_connection_budget(monkeypatch, settings):
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("SQLite has no connection budget")
    monkeypatch.setenv("BISTAND_DB_CONNECTION_BUDGET", "10")
    with pytest.raises(CommandError, match="more than BISTAND_DB_CONNECTION_BUDGET=10"):
        call_command("serve", "--check", "--workers", "4", "--pool-max", "4")


def test_postgres_settings_use_the_pool_and_no_persistent_connections(settings):
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        assert "pool" not in database["OPTIONS"]
    else:
        assert database["OPTIONS"]["pool"]["max_size"] >= 1
    assert database["CONN_MAX_AGE"] == 0
