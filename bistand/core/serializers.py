"""Length limits with the Swedish message on every text field of an API input serializer."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator
from rest_framework import serializers

from .text import NOTE_TEXT, too_long_message


def limit_texts(serializer: serializers.BaseSerializer) -> serializers.BaseSerializer:
    """Limit every CharField of `serializer` (nested serializers and list items included) to
    its max_length, or NOTE_TEXT when it declares none. DRF's CharField already refuses NUL."""
    stack: list = [serializer]
    while stack:
        field = stack.pop()
        if isinstance(field, serializers.ListSerializer):
            stack.append(field.child)
        elif isinstance(field, serializers.Serializer):
            stack.extend(field.fields.values())
        elif isinstance(field, serializers.ListField | serializers.DictField):
            stack.append(field.child)
        elif isinstance(field, serializers.CharField) and not field.read_only:
            limit = field.max_length or NOTE_TEXT
            field.max_length = limit
            field.validators = [
                v for v in field.validators if not isinstance(v, MaxLengthValidator)
            ] + [MaxLengthValidator(limit, message=too_long_message(limit))]
    return serializer
