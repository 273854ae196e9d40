"""API helpers shared by every app's api.py."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


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
