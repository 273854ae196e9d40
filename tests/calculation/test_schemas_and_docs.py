"""The JSON layouts: schemas validate the examples, and docs/calculation.md matches the code."""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from hypothesis import given, settings
from jsonschema import Draft202012Validator, FormatChecker

import bistand.calculation
from bistand.calculation import COST_TYPES, INCOME_TYPES, calculate, calculate_from_dict
from bistand.calculation.cli import run
from bistand.calculation.rules import RULE_IDS

from .test_properties import households

PACKAGE = Path(bistand.calculation.__file__).parent
SCHEMAS = PACKAGE / "schemas"
EXAMPLES = Path(__file__).parent / "examples"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "calculation.md"


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


INPUT = validator("calc-input")
OUTPUT = validator("calc-output")


def run_cli(text: str) -> tuple[int, dict]:
    stdout = StringIO()
    status = run(["-"], StringIO(text), stdout, StringIO())
    return status, json.loads(stdout.getvalue())


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.json")), ids=lambda path: path.stem)
def test_example_input_and_its_output_match_the_schemas(example):
    text = example.read_text(encoding="utf-8")
    INPUT.validate(json.loads(text))
    status, output = run_cli(text)
    assert status == 0
    OUTPUT.validate(output)


@pytest.mark.parametrize(
    "data",
    [
        {"month": "2030-01", "members": [{"birth_date": "1990-01-01", "role": "applicant"}]},
        {
            "month": "2021-06",
            "members": [{"birth_date": "1990-01-01", "role": "applicant"}],
            "costs": [{"type": "yacht", "amount": "1"}],
        },
    ],
)
def test_error_output_matches_the_schema(data):
    status, output = run_cli(json.dumps(data))
    assert status == 2
    OUTPUT.validate(output)


def test_input_schema_refuses_what_the_parser_refuses():
    bad = {"month": "2021-6", "members": [{"birth_date": "1990-01-01", "role": "boss"}]}
    assert len(list(INPUT.iter_errors(bad))) == 2


def test_schema_code_lists_equal_the_catalogue():
    schema_in = json.loads((SCHEMAS / "calc-input.schema.json").read_text(encoding="utf-8"))
    schema_out = json.loads((SCHEMAS / "calc-output.schema.json").read_text(encoding="utf-8"))
    assert schema_in["$defs"]["cost"]["properties"]["type"]["enum"] == list(COST_TYPES)
    assert schema_in["$defs"]["income"]["properties"]["type"]["enum"] == list(INCOME_TYPES)
    assert schema_out["$defs"]["line"]["properties"]["rule"]["enum"] == list(RULE_IDS)


@settings(max_examples=60, deadline=None)
@given(households())
def test_every_result_matches_the_output_schema(calc_input):
    OUTPUT.validate(calculate(calc_input).to_dict())


def docs_examples() -> dict[str, object]:
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- example: ([^>]+?) -->\s*```json\n(.*?)```", text, re.DOTALL)
    return {label: json.loads(body) for label, body in blocks}


def test_docs_examples_are_valid_and_the_output_is_what_the_code_gives():
    examples = docs_examples()
    assert set(examples) == {"input", "output of the input above", "error"}
    INPUT.validate(examples["input"])
    OUTPUT.validate(examples["output of the input above"])
    OUTPUT.validate(examples["error"])
    output = json.dumps(calculate_from_dict(examples["input"]).to_dict(), ensure_ascii=False)
    # Amounts inside explanations use no-break spaces; the page shows plain ones.
    assert json.loads(output.replace("\u00a0", " ")) == examples["output of the input above"]


def test_docs_name_every_code():
    docs = DOCS.read_text(encoding="utf-8")
    source = "\n".join(path.read_text(encoding="utf-8") for path in PACKAGE.glob("*.py"))
    error_codes = set(re.findall(r"(?:InputError|NormTableError)\(\s*\"([a-z_]+)\"", source))
    warning_codes = set(
        re.findall(
            r"(?:CalculationWarning\(|_warn_once\()\s*(?:warnings,\s*)?\"([a-z_]+)\"", source
        )
    )
    assert len(error_codes) > 25 and len(warning_codes) == 8
    codes = [*COST_TYPES, *INCOME_TYPES, *RULE_IDS, *error_codes, *warning_codes]
    assert [code for code in codes if f"`{code}`" not in docs] == []
