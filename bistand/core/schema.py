"""OpenAPI schema (drf-spectacular): the schema class and the error answers of every operation.

drf-spectacular documents only the success answer of each operation. The API also answers
400 (a domain rule or a validation error), 403 (no login, or the role or case access refuses),
404 (an unknown or forbidden id: the two look the same) and 415 (a body in a media type the
operation does not read), with the bodies `core.api.exception_handler` and DRF give. Declaring
them once here keeps the schema true for every operation; tests/api/test_schemathesis.py holds
the API to it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi
from rest_framework import serializers


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema class, with read-only fields as null or blank as they answer.

    A read-only field with `default=None` answers null when its source is missing. And DRF drops `allow_blank`/`allow_null` from a read-only field it builds from a model column,
    so a `blank=True` choice column (a case's type before it is set, an open case's closing
    reason) would be declared as its enum alone although the API answers "" (or null)."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if field.read_only and field.default is None:
            # source="a.b", default=None: null when the relation is empty (a check not yet
            # assessed has no assessed_by), which DRF does not declare.
            field.allow_null = True
        if isinstance(field, serializers.ChoiceField) and field.read_only:
            column = _model_column(field)
            if column is not None:
                field.allow_blank = field.allow_blank or column.blank
                field.allow_null = field.allow_null or column.null
        return super()._map_serializer_field(field, direction, bypass_extensions)


def _model_column(field):
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return None
    try:
        return model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return None


ERROR_STATUSES = {
    "400": "Bad input: a domain rule refused it ({error}) or a field did not validate "
    "(field name to messages).",
    "403": "Not logged in, or the role or the case access rules refuse it.",
    "404": "No such object, or one the user may not see (the two look the same).",
    "415": "The body's media type is not one this operation reads.",
}

COMPONENTS: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object",
        "description": "A refusal with an English code and a Swedish message.",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
                "required": ["code", "message"],
            }
        },
        "required": ["error"],
    },
    "FieldErrors": {
        "type": "object",
        "description": "Validation messages by field name (DRF's shape); nested for nested "
        "input, `non_field_errors` for the whole body.",
        "additionalProperties": {},
    },
    "MessageList": {"type": "array", "items": {"type": "string"}},
    "Detail": {
        "type": "object",
        "description": "DRF's refusal before the view runs (login, method, media type).",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
}

_BODIES = {
    "400": ["Error", "FieldErrors", "MessageList"],
    "403": ["Error", "Detail"],
    "404": ["Error", "Detail"],
    "415": ["Detail"],
}


def _response(status: str) -> dict[str, Any]:
    refs = [{"$ref": f"#/components/schemas/{name}"} for name in _BODIES[status]]
    body = refs[0] if len(refs) == 1 else {"anyOf": refs}
    return {
        "description": ERROR_STATUSES[status],
        "content": {"application/json": {"schema": body}},
    }


def add_error_responses(result: dict, generator, request, public) -> dict:
    """POSTPROCESSING_HOOKS entry: every operation documents the error answers above (an
    operation's own declaration of a status wins)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, component in COMPONENTS.items():
        schemas.setdefault(name, component)
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for status in ERROR_STATUSES:
                responses.setdefault(status, _response(status))
    return result
