"""Limits on free text from outside, with the Swedish messages (plain Python).

Every text a user or API client sends is held to a length (long texts such as journal entries
and investigation sections, shorter notes and reasons, short fields as their column) and may
not contain NUL, which PostgreSQL cannot store and nothing legitimate types.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .errors import DomainError

# Journal entries, investigation sections, follow-up results, assessments, court opinions.
LONG_TEXT = 20_000
# Reasons, notes, messages and descriptions typed in a text area.
NOTE_TEXT = 4_000
# A one-line field without a column of its own to follow.
SHORT_TEXT = 200
# No single text in any request may be longer (the middleware's backstop).
MAX_REQUEST_TEXT = LONG_TEXT

NUL_MESSAGE = "Texten innehåller ett otillåtet tecken (NUL)."


def too_long_message(limit: int) -> str:
    return f"Texten får vara högst {limit} tecken."


def check_text(value: Any, limit: int, field: str = "") -> Any:
    """Return `value`; raise DomainError in Swedish for a text over `limit` or with NUL."""
    if not isinstance(value, str):
        return value
    prefix = f"{field}: " if field else ""
    if "\x00" in value:
        raise DomainError("nul_character", prefix + NUL_MESSAGE, field=field)
    if len(value) > limit:
        raise DomainError("text_too_long", prefix + too_long_message(limit), field=field)
    return value


def check_texts(limit: int, **texts: Any) -> None:
    """check_text for each keyword (the keyword names the field in the message)."""
    for field, value in texts.items():
        check_text(value, limit, field)


def strings_in(value: Any) -> Iterator[str]:
    """Every string in a parsed JSON document: keys and values, any depth (no recursion)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
