"""JSON from outside (API bodies, the calc command's input file), read within limits.

Plain Python, so that the calculation's command line and the Django API refuse the same
documents: NaN and Infinity (not JSON, and never an amount) and nesting deeper than any of our
documents needs. Python's json module answers deep nesting with RecursionError, which would
otherwise surface as an internal error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

# Our deepest documents (calculation input, API bodies) nest about five levels.
MAX_DEPTH = 32


class JSONInputError(ValueError):
    """A document that is not acceptable JSON. `message` is Swedish for the caller."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def load_json(text: str | bytes, *, parse_float: Callable[[str], Any] | None = None) -> Any:
    """Parse `text`; raise JSONInputError for invalid JSON, NaN/Infinity or too deep nesting."""
    try:
        value = json.loads(text, parse_float=parse_float, parse_constant=_reject_constant)
    except RecursionError:
        raise _too_deep() from None
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, _reject_constant
        raise JSONInputError("invalid_json", f"Indata är inte giltig JSON: {error}.") from None
    if nesting_exceeds(value, MAX_DEPTH):
        raise _too_deep()
    return value


def nesting_exceeds(value: Any, limit: int) -> bool:
    """Whether lists and objects in `value` nest more than `limit` levels (no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} är inte ett tillåtet tal")


def _too_deep() -> JSONInputError:
    return JSONInputError(
        "invalid_json",
        f"Indata är för djupt nästlad: högst {MAX_DEPTH} nivåer av listor och objekt.",
    )
