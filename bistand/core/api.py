"""API helpers shared by every app's api.py."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError
from .parsers import JSONBodyError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"error": {"code": exc.code, "message": exc.message}}, status=exc.status)
    if isinstance(exc, JSONBodyError):
        return Response({"error": {"code": "invalid_json", "message": str(exc.detail)}}, status=400)
    if isinstance(exc, DjangoValidationError):
        return Response(
            {"error": {"code": "invalid", "message": "; ".join(exc.messages)}}, status=400
        )
    return drf_exception_handler(exc, context)
