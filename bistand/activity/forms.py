"""Forms of the activity requirement pages. They only shape input; the rules are in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bistand.core.forms import Form

from .models import CertificateExtent, ExemptionReason, PersonLanguageLevel

DATE_ERROR = _("Ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-10-01.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_field(label, required=False):
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": DATE_ERROR, "required": _("Ange ett datum.")},
    )


class ExemptionForm(Form):
    person = forms.TypedChoiceField(
        label=_("Person"), coerce=int, error_messages={"required": _("Välj person.")}
    )
    reason = forms.ChoiceField(
        label=_("Skäl"),
        choices=[
            ("", "—"),
            *((v, label) for v, label in ExemptionReason.choices if v != "under_18"),
        ],
        error_messages={"required": _("Välj ett skäl.")},
    )
    other_reason = forms.CharField(label=_("Annat skäl, vilket"), max_length=300, required=False)
    evidence = forms.CharField(
        label=_("Underlag"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _(
                "Ange underlaget (t.ex. anställningsbevis, beslut från Försäkringskassan)."
            )
        },
    )
    valid_from = _date_field(_("Gäller från"), required=True)
    valid_to = _date_field(_("Gäller till och med (tomt = tills vidare)"))

    def __init__(self, *args, adults=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—"), *((a.pk, a.full_name) for a in adults)]

    def clean(self):
        data = super().clean()
        if (
            data.get("reason") == ExemptionReason.OTHER
            and not (data.get("other_reason") or "").strip()
        ):
            self.add_error("other_reason", _("Skriv vilket skäl."))
        if (
            data.get("valid_from")
            and data.get("valid_to")
            and data["valid_to"] < data["valid_from"]
        ):
            self.add_error("valid_to", _("Slutdatum kan inte vara före startdatum."))
        return data


class EndExemptionForm(Form):
    ends_on = _date_field(_("Undantaget gäller till och med"), required=True)
    note = forms.CharField(
        label=_("Skäl"),
        max_length=300,
        error_messages={"required": _("Ange varför undantaget avslutas.")},
    )


class CertificateForm(Form):
    person = forms.TypedChoiceField(
        label=_("Person"), coerce=int, error_messages={"required": _("Välj person.")}
    )
    valid_from = _date_field(_("Sjukskriven från"), required=True)
    valid_to = _date_field(_("Sjukskriven till och med"), required=True)
    extent = forms.TypedChoiceField(
        label=_("Omfattning"),
        coerce=int,
        choices=[("", "—"), *CertificateExtent.choices],
        error_messages={"required": _("Välj omfattning.")},
    )
    issuer = forms.CharField(
        label=_("Utfärdare (läkare, vårdenhet)"),
        max_length=200,
        error_messages={"required": _("Ange vem som utfärdat intyget.")},
    )
    replaces = forms.TypedChoiceField(
        label=_("Rättar tidigare intyg"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, adults=(), earlier=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—"), *((a.pk, a.full_name) for a in adults)]
        self.fields["replaces"].choices = [
            ("", _("Nej, ett nytt intyg")),
            *(
                (
                    c.pk,
                    f"{c.person.full_name} {c.valid_from:%Y-%m-%d}–{c.valid_to:%Y-%m-%d} {c.extent} %",
                )
                for c in earlier
            ),
        ]

    def clean(self):
        data = super().clean()
        if (
            data.get("valid_from")
            and data.get("valid_to")
            and data["valid_to"] < data["valid_from"]
        ):
            self.add_error("valid_to", _("Slutdatum kan inte vara före startdatum."))
        return data


class LanguageLevelForm(Form):
    person = forms.TypedChoiceField(
        label=_("Person"), coerce=int, error_messages={"required": _("Välj person.")}
    )
    level = forms.ChoiceField(
        label=_("Språknivå"),
        choices=[("", "—"), *PersonLanguageLevel.choices],
        error_messages={"required": _("Välj en språknivå i listan.")},
    )
    level_on = _date_field(_("Gäller från"), required=True)
    source = forms.CharField(
        label=_("Underlag"),
        max_length=200,
        help_text=_("T.ex. intyg från SFI eller Lärcentrum, eller bedömning vid samtal."),
        error_messages={"required": _("Ange underlaget (t.ex. intyg från SFI).")},
    )

    def __init__(self, *args, today=None, adults=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["person"].choices = [("", "—"), *((a.pk, a.full_name) for a in adults)]

    def clean_level_on(self):
        day = self.cleaned_data["level_on"]
        if self.today is not None and day > self.today:
            raise forms.ValidationError(_("Datumet kan inte vara i framtiden."))
        return day
