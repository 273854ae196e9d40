"""Reading an uploaded or posted JSON document safely (depth, NaN, size) with Swedish errors."""

from __future__ import annotations

import json
from typing import Any

from bistand.core.errors import DomainError

MAX_DEPTH = 20
MAX_BYTES = 1_000_000


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _depth(value: Any, level: int = 0) -> int:
    stack = [(value, level)]
    deepest = 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        if isinstance(item, str) and "\x00" in item:
            raise DomainError("invalid_json", "Filen innehåller otillåtna tecken (NUL).")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
            stack.extend((k, depth + 1) for k in item)
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def load_json(raw: bytes | str) -> Any:
    if len(raw) > MAX_BYTES:
        raise DomainError("file_too_large", "Filen är för stor (högst 1 MB).")
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if "\x00" in text:
            raise ValueError("NUL byte")
        data = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise DomainError("invalid_json", "Filen är för djupt nästlad för att vara en normtabell.")
    except (UnicodeDecodeError, ValueError) as error:
        raise DomainError("invalid_json", f"Filen är inte giltig JSON ({error}).") from None
    if _depth(data) > MAX_DEPTH:
        raise DomainError("invalid_json", "Filen är för djupt nästlad för att vara en normtabell.")
    return data
