"""`bistand benchmark FILE.csv --municipality CODE [--format json]`."""

import io
import json

import pytest
from django.core.management import call_command

from .test_benchmark import CODES, synthetic_csv


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("benchmark", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "kommuner.csv"
    path.write_text(synthetic_csv(), encoding="utf-8")
    return path


def test_text_output_has_the_fit_and_our_municipality(csv_file):
    out, err = run(str(csv_file), municipality=CODES[2])
    assert "n = 40 kommuner i modellen" in out
    assert "R² = 0," in out and "justerat R²" in out
    assert "Standardfel" in out
    assert "Andel arbetslösa utan ersättning (%)" in out
    assert "förväntad kostnad" in out and "faktisk kostnad" in out
    assert " av 40 " in out
    assert err == ""


def test_json_output_is_machine_readable(csv_file):
    out, _ = run(str(csv_file), municipality=CODES[2], format="json")
    data = json.loads(out)
    assert data["n"] == 40
    assert 0 < data["r_squared"] <= 1
    assert [c["name"] for c in data["coefficients"]][0] == "intercept"
    assert all(c["std_error"] > 0 for c in data["coefficients"])
    municipality = data["municipality"]
    assert municipality["code"] == CODES[2] and municipality["in_fit"] is True
    assert municipality["residual"] == pytest.approx(
        municipality["actual"] - municipality["expected"]
    )
    assert 1 <= municipality["rank"] <= 40
    assert data["missing_variables"] == []


def test_missing_variables_are_listed_in_the_text_output(tmp_path):
    path = tmp_path / "few.csv"
    columns = ["kommunkod", "cost_per_inhabitant_18_64", "low_income_share"]
    path.write_text(synthetic_csv(columns=columns), encoding="utf-8")
    out, _ = run(str(path), municipality=CODES[0])
    assert "Följande förklaringsvariabler saknades och ingår inte i modellen:" in out
    assert "andel arbetslösa utan ersättning" in out


def test_bad_file_exits_2_with_the_english_code_on_stderr(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("kommunkod;cost_per_inhabitant_18_64\n0114;mycket\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("benchmark", str(path), municipality="0114", stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 2
    assert "non_numeric_value" in err.getvalue()
    assert "är inget tal" in err.getvalue()


def test_json_error_is_also_on_stdout(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "benchmark",
            str(tmp_path / "none.csv"),
            municipality="0114",
            format="json",
            stdout=out,
            stderr=err,
        )
    assert json.loads(out.getvalue())["error"]["code"] == "file_not_found"
    assert "file_not_found" in err.getvalue()


def test_municipality_outside_the_fit_is_a_warning(csv_file):
    out, err = run(str(csv_file), municipality="2584")  # Kiruna: not among the first 40 codes
    assert "Kiruna (2584) finns inte i filen." in out
    assert "municipality_not_in_fit" in err


def test_municipality_defaults_to_the_units(csv_file, org):
    org.unit.municipality_code = CODES[1]
    org.unit.save()
    out, _ = run(str(csv_file), format="json")
    assert json.loads(out)["municipality"]["code"] == CODES[1]


def test_stdin_is_read_with_a_dash():
    out, _ = run("-", municipality=CODES[0], stdin=io.StringIO(synthetic_csv()))
    assert "n = 40" in out
