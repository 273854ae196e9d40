"""The base of every form: each text field has a length limit with a Swedish message."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator

from .text import NOTE_TEXT, SHORT_TEXT, too_long_message


class TextLimit(MaxLengthValidator):
    """MaxLengthValidator with our Swedish wording ("Texten får vara högst N tecken.")."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit, message=too_long_message(limit))

    def __call__(self, value) -> None:
        if isinstance(value, str):  # a CharField may clean to a date (cases.forms.MonthField)
            super().__call__(value)


def limit_text_field(field: forms.Field) -> None:
    """Give a text field its limit: the declared max_length, else by widget (a text area
    holds a note, a line a short value). Idempotent. Django's CharField already refuses NUL."""
    if not isinstance(field, forms.CharField) or getattr(field, "_text_limited", False):
        return
    if field.max_length is None:
        field.max_length = NOTE_TEXT if isinstance(field.widget, forms.Textarea) else SHORT_TEXT
    field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
    field.validators.append(TextLimit(field.max_length))
    field.widget.attrs.setdefault("maxlength", str(field.max_length))
    field._text_limited = True


class Form(forms.Form):
    """forms.Form whose text fields all have limits, including fields added in __init__."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.limit_texts()

    def limit_texts(self) -> None:
        for field in self.fields.values():
            limit_text_field(field)

    def full_clean(self) -> None:
        self.limit_texts()
        super().full_clean()
