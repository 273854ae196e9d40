"""API helpers shared by every app's api.py."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError
from .json_input import JSONInputError, load_json


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser within limits: NaN/Infinity and nesting deeper than any of our bodies
    (which made json raise RecursionError, a 500) are a 400 with a Swedish message."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return load_json(stream.read().decode(encoding))
        except UnicodeDecodeError:
            raise ParseError(f"Anropets innehåll är inte {encoding}.", code="invalid_json")
        except JSONInputError as error:
            raise ParseError(error.message, code=error.code)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"error": {"code": exc.code, "message": exc.message}}, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        return Response(
            {"error": {"code": "invalid", "message": "; ".join(exc.messages)}}, status=400
        )
    if isinstance(exc, ParseError):
        return Response(
            {"error": {"code": exc.get_codes(), "message": str(exc.detail)}}, status=400
        )
    return drf_exception_handler(exc, context)
