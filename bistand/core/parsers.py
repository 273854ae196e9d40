"""Request parsers for the API (kept apart from core.api: DRF reads the parser setting while
importing its views, which core.api imports)."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# No request of the API nests deeper than a few levels; anything much deeper is refused
# before it reaches a serializer (and before Python's recursion limit is).
MAX_JSON_DEPTH = 32


class JSONBodyError(ParseError):
    default_code = "invalid_json"

    def __init__(self, message: str) -> None:
        super().__init__(message, code="invalid_json")


def json_depth_exceeds(value, limit: int) -> bool:
    """True if `value` nests lists/objects deeper than `limit` (checked without recursion)."""
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


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies it cannot parse (also those nested past Python's
    recursion limit) and bodies nested deeper than MAX_JSON_DEPTH, as a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise JSONBodyError("JSON-innehållet är för djupt nästlat.") from None
        except ParseError:
            raise JSONBodyError("Innehållet är inte giltig JSON.") from None
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise JSONBodyError("JSON-innehållet är för djupt nästlat.")
        return data
