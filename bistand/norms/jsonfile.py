"""Reading an uploaded or posted norm file: core.json_input's limits (depth, NaN) plus a size
limit and no NUL characters, with Swedish errors as DomainError."""

from __future__ import annotations

from typing import Any

from bistand.core.errors import DomainError
from bistand.core.json_input import JSONInputError
from bistand.core.json_input import load_json as load_limited

MAX_BYTES = 1_000_000


def _has_nul(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def load_json(raw: bytes | str) -> Any:
    if len(raw) > MAX_BYTES:
        raise DomainError("file_too_large", "Filen är för stor (högst 1 MB).")
    try:
        data = load_limited(raw)
    except JSONInputError as error:
        raise DomainError("invalid_json", error.message) from None
    if _has_nul(data):
        raise DomainError("invalid_json", "Filen innehåller otillåtna tecken (NUL).")
    return data
