import re

from django import forms
from django.utils.translation import gettext_lazy as _

from bistand.core.forms import Form
from bistand.core.text import LONG_TEXT

PHONE_RE = re.compile(r"^\+?[0-9]{7,15}$")


class AppealForm(Form):
    text = forms.CharField(
        label=_("Vad vill du ändra i beslutet, och varför?"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Skriv vad du vill ändra i beslutet och varför.")},
    )


class ContactForm(Form):
    email = forms.EmailField(
        label=_("E-postadress"),
        required=False,
        error_messages={"invalid": _("Skriv en e-postadress som namn@exempel.se.")},
    )
    phone = forms.CharField(
        label=_("Mobilnummer"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    by_email = forms.BooleanField(label=_("Meddela mig med e-post"), required=False)
    by_sms = forms.BooleanField(label=_("Meddela mig med sms"), required=False)

    def clean_phone(self):
        phone = re.sub(r"[\s-]", "", self.cleaned_data.get("phone", ""))
        if phone and not PHONE_RE.match(phone):
            raise forms.ValidationError(
                _("Skriv mobilnumret med siffror, till exempel 0701234567.")
            )
        return phone

    def clean(self):
        data = super().clean()
        if data.get("by_email") and not data.get("email"):
            self.add_error("email", _("Skriv din e-postadress, eller välj bort e-post."))
        if data.get("by_sms") and not data.get("phone"):
            self.add_error("phone", _("Skriv ditt mobilnummer, eller välj bort sms."))
        return data
