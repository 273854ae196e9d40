"""The URL configuration as data, for the tests that sweep every URL (the garbage-id sweep in
tests/core/test_no_server_errors.py, the role × URL matrix in tests/security)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern


@dataclass(frozen=True)
class NamedPattern:
    name: str  # qualified: "decisions:decision", "case-detail"
    route: str  # the whole route as written, prefixes included
    arguments: dict[str, str]  # argument -> "int" or "str"


def named_patterns(resolvers=None, prefix: str = "", namespace: str = "") -> Iterator[NamedPattern]:
    """Every named pattern of the URL configuration except Django admin's."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if str(entry.pattern).startswith("admin/"):
                continue
            yield from named_patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield NamedPattern(
                f"{namespace}{entry.name}", prefix + str(entry.pattern), arguments(entry.pattern)
            )


def arguments(pattern) -> dict[str, str]:
    if isinstance(pattern, RoutePattern):
        return {
            name: "int" if type(converter).__name__ == "IntConverter" else "str"
            for name, converter in pattern.converters.items()
        }
    assert isinstance(pattern, RegexPattern)
    return {name: "str" for name in pattern.regex.groupindex}


def url_names() -> dict[str, NamedPattern]:
    """One pattern per qualified name; the API's format-suffix twins (`.json`) are left out."""
    found: dict[str, NamedPattern] = {}
    for pattern in named_patterns():
        if "format" in pattern.arguments:
            continue
        found.setdefault(pattern.name, pattern)
    return found
