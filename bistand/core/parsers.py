"""Request parsers for the API (kept apart from core.api: DRF reads the parser setting while
importing its views, which core.api imports)."""

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from .json_input import JSONInputError, load_json


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser within limits (core.json_input): NaN/Infinity and nesting deeper than
    any of our bodies (which made json raise RecursionError, a 500) are a 400 in Swedish."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return load_json(stream.read().decode(encoding))
        except UnicodeDecodeError:
            raise ParseError(f"Anropets innehåll är inte {encoding}.", code="invalid_json")
        except JSONInputError as error:
            raise ParseError(error.message, code=error.code)
