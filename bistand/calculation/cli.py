"""`bistand calc FILE.json` (or `-` for stdin): calculate and print the result as JSON.

Exit status: 0 the result is printed; 2 the input or the norm tables cannot give a result
(a JSON object {"error": {"code", "message", "field"?}} on stdout, the message on stderr);
1 an unexpected internal error (same JSON shape, code "internal_error").
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import IO

from bistand.core.json_input import JSONInputError, load_json

from . import calculate_from_dict
from .errors import CalculationError, InputError
from .tables import NormTables

USAGE = "användning: bistand calc FIL.json   (eller - för att läsa indata från stdin)\n"


def run(
    argv: list[str],
    stdin: IO[str],
    stdout: IO[str],
    stderr: IO[str],
    tables: NormTables | None = None,
) -> int:
    """Run the calc command with `argv` (the arguments after "calc"); `tables` are the
    rules in force (the database's, from the Django command), else the package's file."""
    if argv in (["-h"], ["--help"]):
        stdout.write(USAGE)
        return 0
    try:
        if len(argv) != 1 or (argv[0].startswith("-") and argv[0] != "-"):
            raise InputError("usage", "Ange exakt en indatafil, eller - för stdin.")
        data = _load(argv[0], stdin)
        result = calculate_from_dict(data, tables)
    except CalculationError as error:
        return _fail(error.to_dict(), 2, stdout, stderr)
    except Exception as error:  # the JSON contract holds even for a bug
        detail = {"code": "internal_error", "message": f"Internt fel i beräkningen: {error!r}"}
        return _fail(detail, 1, stdout, stderr)
    output = result.to_dict()
    stdout.write(json.dumps(output, ensure_ascii=False, indent=2) + "\n")
    for warning in output["warnings"]:
        stderr.write(f"varning: {warning['message']}\n")
    return 0


def _load(name: str, stdin: IO[str]) -> object:
    try:
        if name == "-":
            text = stdin.read()
        else:
            with open(name, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as error:
        raise InputError(
            "file_not_found", f"Indatafilen {name} kan inte läsas: {error.strerror}.", field="file"
        ) from error
    except UnicodeDecodeError as error:
        raise InputError("invalid_json", f"Indata är inte UTF-8: {error}.") from error
    try:
        return load_json(text, parse_float=Decimal)
    except JSONInputError as error:  # also NaN/Infinity and too deep nesting
        raise InputError(error.code, error.message) from error


def _fail(error: dict[str, str], status: int, stdout: IO[str], stderr: IO[str]) -> int:
    stdout.write(json.dumps({"error": error}, ensure_ascii=False, indent=2) + "\n")
    stderr.write(f"fel: {error['message']} ({error['code']})\n")
    return status


def main() -> int:
    return run(sys.argv[1:], sys.stdin, sys.stdout, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
