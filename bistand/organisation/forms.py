from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Fel användarnamn eller lösenord."),
        "inactive": _("Kontot är inaktiverat."),
    }
    username = forms.CharField(
        label=_("Användarnamn"), widget=forms.TextInput(attrs={"autofocus": True})
    )
    password = forms.CharField(label=_("Lösenord"), strip=False, widget=forms.PasswordInput)
