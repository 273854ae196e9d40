from django import forms
from django.utils.translation import gettext_lazy as _

from bistand.core.forms import Form
from bistand.core.text import LONG_TEXT


class MessageForm(Form):
    text = forms.CharField(
        label=_("Ditt meddelande"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Skriv ditt meddelande.")},
    )
