"""API helpers shared by every app's api.py."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


def json_object(request: Request, *, json_only: bool = False) -> Mapping[str, Any]:
    """The request body as an object: a JSON array, number or string where the operation reads
    named fields is a 400, not a server error. `json_only`: a body in another media type is a
    415 (a form body may already have been read by a middleware, and DRF would then hand the
    view an empty object instead of refusing it)."""
    media_type = (request.content_type or "").split(";")[0].strip().lower()
    if json_only and media_type and media_type != "application/json":
        raise UnsupportedMediaType(media_type)
    if not isinstance(request.data, Mapping):
        raise DomainError("invalid_body", "Skicka ett JSON-objekt med fälten.")
    return request.data


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
