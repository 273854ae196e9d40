"""The base of every form: each text field has a length limit with a Swedish message."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext as _

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


class PlainModelChoiceIterator(ModelChoiceIterator):
    """A model choice field's options read with one plain query. Django's own iterator reads
    them through `QuerySet.iterator()`, which on PostgreSQL opens a server-side cursor
    (DECLARE ... WITH HOLD, FETCH, CLOSE: three round trips and a materialised result) for
    the handful of rows a drop-down holds (issue #15)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class Form(forms.Form):
    """forms.Form whose text fields all have limits, including fields added in __init__, and
    whose model choice fields read their options with one plain query."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.limit_texts()

    def limit_texts(self) -> None:
        for field in self.fields.values():
            limit_text_field(field)
            if isinstance(field, forms.ModelChoiceField) and field.iterator is not (
                PlainModelChoiceIterator
            ):
                field.iterator = PlainModelChoiceIterator
                field.widget.choices = field.choices

    def full_clean(self) -> None:
        self.limit_texts()
        super().full_clean()


# The status of a staff form refused and re-rendered with its errors (docs/forms.md): the page
# is an answer to a request that could not be carried out as sent, so not 200. An htmx fragment
# (the journal note, the calculation editor) is the one exception: htmx swaps only 2xx answers.
REFUSED_STATUS = 400


def error_summary(*forms_or_formsets, row_label=None) -> list[dict]:
    """The errors of refused forms for the short summary at the top of the page
    (templates/forms/_error_summary.html): one entry per error, each with the id of its field
    (`anchor`, for a link to it; empty for an error of the whole form), the field's label and
    the message. A formset's rows are named "Rad N" (or `row_label(n)`)."""
    entries: list[dict] = []

    def add_form(form, prefix_label: str = "") -> None:
        for name, errors in form.errors.items():
            if name in form.fields:
                bound = form[name]
                label = f"{prefix_label}{bound.label}"
                anchor = bound.auto_id or ""
            else:  # NON_FIELD_ERRORS
                label, anchor = prefix_label.rstrip(": ").strip(), ""
            entries.extend({"anchor": anchor, "label": label, "message": m} for m in errors)

    for item in forms_or_formsets:
        if item is None or not item.is_bound:
            continue
        if isinstance(item, forms.BaseFormSet):
            entries.extend(
                {"anchor": "", "label": "", "message": m} for m in item.non_form_errors()
            )
            for number, form in enumerate(item.forms, start=1):
                name = row_label(number) if row_label else _("Rad %(n)s") % {"n": number}
                add_form(form, f"{name}: ")
        else:
            add_form(item)
    return entries
