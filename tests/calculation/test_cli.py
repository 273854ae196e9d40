"""`bistand calc FILE.json` / `-`: JSON out, exit 0; JSON error object and exit 2 on bad input."""

import json
from io import StringIO
from pathlib import Path

import pytest

from bistand.calculation.cli import run

EXAMPLES = Path(__file__).parent / "examples"


def call(argv, stdin_text=""):
    stdout, stderr = StringIO(), StringIO()
    status = run(argv, StringIO(stdin_text), stdout, stderr)
    return status, stdout.getvalue(), stderr.getvalue()


def test_calculates_a_file_and_prints_the_result_as_json():
    status, out, err = call([str(EXAMPLES / "family-2024.json")])

    assert status == 0
    result = json.loads(out)
    assert result["amount_to_pay"] == "12635.00"
    assert result["norm_total"] == "15420.00"
    assert result["proposed_outcome"] == "partly_granted"
    assert result["norm_table"]["year"] == 2024
    assert "varning: Riksnormen 2024 är inte verifierad" in err


def test_reads_stdin_when_the_file_is_a_dash():
    text = (EXAMPLES / "single-adult-2026.json").read_text(encoding="utf-8")
    status, out, _ = call(["-"], text)

    assert status == 0
    assert json.loads(out)["amount_to_pay"] == "5220.00"


def test_numbers_in_json_are_read_exactly():
    text = json.dumps(
        {
            "month": "2021-06",
            "members": [{"birth_date": "1990-01-01", "role": "applicant"}],
            "costs": [{"type": "household_electricity", "amount": 0.1}] * 3,
        }
    )
    status, out, _ = call(["-"], text)
    assert status == 0
    assert json.loads(out)["costs_total"] == "0.30"


def test_bad_input_gives_exit_2_and_a_json_error_object():
    text = json.dumps(
        {
            "month": "2021-06",
            "members": [{"birth_date": "1990-01-01", "role": "applicant"}],
            "costs": [{"type": "yacht", "amount": "100"}],
        }
    )
    status, out, err = call(["-"], text)

    assert status == 2
    assert json.loads(out) == {
        "error": {
            "code": "unknown_cost_type",
            "message": "Okänd kostnadstyp 'yacht'.",
            "field": "costs[0].type",
        }
    }
    assert err == "fel: Okänd kostnadstyp 'yacht'. (unknown_cost_type)\n"


def test_month_without_norm_table_gives_exit_2():
    text = json.dumps(
        {"month": "2030-01", "members": [{"birth_date": "1990-01-01", "role": "applicant"}]}
    )
    status, out, _ = call(["-"], text)
    assert status == 2
    assert json.loads(out)["error"]["code"] == "no_norm_table"


@pytest.mark.parametrize(
    ("argv", "stdin_text", "code"),
    [
        (["-"], "{not json", "invalid_json"),
        (["-"], '{"month": NaN}', "invalid_json"),
        (["/no/such/file.json"], "", "file_not_found"),
        ([], "", "usage"),
        (["a.json", "b.json"], "", "usage"),
        (["--pretty"], "", "usage"),
    ],
)
def test_unreadable_input_gives_exit_2(argv, stdin_text, code):
    status, out, err = call(argv, stdin_text)
    assert status == 2
    assert json.loads(out)["error"]["code"] == code
    assert err.startswith("fel: ")


@pytest.mark.parametrize("field", ["month", "costs[0].accepted_until"])
def test_month_in_year_0_is_an_input_error_not_an_internal_error(field):
    data = {
        "month": "2021-06",
        "members": [{"birth_date": "1990-01-01", "role": "applicant"}],
        "costs": [{"type": "rent", "amount": "9000", "accepted_until": "2021-06"}],
        "local_guidelines": {"name": "K", "rent_ceilings": {"1": "6000"}},
    }
    if field == "month":
        data["month"] = "0000-06"
    else:
        data["costs"][0]["accepted_until"] = "0000-06"
    status, out, err = call(["-"], json.dumps(data))

    assert status == 2
    assert json.loads(out)["error"] == {
        "code": "invalid_month",
        "message": f"Året i {field} ska vara 0001 eller senare (fick '0000-06').",
        "field": field,
    }
    assert err.startswith("fel: ")


@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_json_is_an_input_error_not_an_internal_error(depth):
    nested = "[" * depth + "]" * depth
    text = '{"month": "2021-06", "members": [], "extra": ' + nested + "}"
    status, out, err = call(["-"], text)

    assert status == 2
    assert json.loads(out)["error"] == {
        "code": "invalid_json",
        "message": "Indata är för djupt nästlad: högst 32 nivåer av listor och objekt.",
    }
    assert err.startswith("fel: ")


def test_help_is_printed_with_exit_0():
    status, out, _ = call(["--help"])
    assert status == 0
    assert "bistand calc" in out


def test_internal_error_keeps_the_json_contract(monkeypatch):
    import bistand.calculation.cli as cli

    def broken(data):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "calculate_from_dict", broken)
    status, out, _ = call(["-"], "{}")
    assert status == 1
    assert json.loads(out)["error"]["code"] == "internal_error"


@pytest.mark.django_db
def test_django_command_calls_the_cli(tmp_path):
    pytest.importorskip("django")
    from bistand.cases.management.commands.calc import Command

    stdout, stderr = StringIO(), StringIO()
    Command(stdout=stdout, stderr=stderr).handle(file=str(EXAMPLES / "single-adult-2026.json"))
    assert json.loads(stdout.getvalue())["amount_to_pay"] == "5220.00"

    with pytest.raises(SystemExit) as exited:
        Command(stdout=StringIO(), stderr=StringIO()).handle(file=str(tmp_path / "missing.json"))
    assert exited.value.code == 2
