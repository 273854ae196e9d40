import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bistand.core.codes import support_obstacles_valid_on
from bistand.core.forms import Form
from bistand.core.identity import IdentityNumberError, parse_identity_number
from bistand.core.text import LONG_TEXT
from bistand.households.models import MemberRole

from .models import (
    ApplicationChannel,
    ApplicationKind,
    CaseType,
    ClosingReason,
    DocumentKind,
    JournalKind,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "ÅÅÅÅ-MM"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-")[:2])
            return dt.date(year, month, 1)
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Ange månaden som ÅÅÅÅ-MM."))


class MemberForm(Form):
    identity_number = forms.CharField(label=_("Personnummer"), max_length=13, required=False)
    first_name = forms.CharField(label=_("Förnamn"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Efternamn"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("Roll"), choices=MemberRole.choices, initial=MemberRole.CHILD)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("identity_number") or data.get("first_name") or data.get("last_name"))

    def clean(self):
        """A row that is not blank needs a valid identity number and both names; each error
        at its field (the service checks again, and the rules across rows)."""
        data = super().clean()
        if self.is_blank():
            return data
        if "identity_number" in data:
            try:
                parse_identity_number(data["identity_number"], timezone.localdate())
            except IdentityNumberError as error:
                self.add_error("identity_number", error.message)
        if "first_name" in data and not data["first_name"].strip():
            self.add_error("first_name", _("Ange förnamnet."))
        if "last_name" in data and not data["last_name"].strip():
            self.add_error("last_name", _("Ange efternamnet."))
        return data


MemberFormSet = forms.formset_factory(MemberForm, extra=0, min_num=1, max_num=12)


class ApplicationFieldsForm(Form):
    month = MonthField(label=_("Ansökan avser månad"))
    received_on = forms.DateField(label=_("Ankomstdatum"), widget=DateInput(), required=False)
    channel = forms.ChoiceField(label=_("Inkom via"), choices=ApplicationChannel.choices)
    notes = forms.CharField(
        label=_("Anteckning"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["month"].initial = f"{today:%Y-%m}"
        self.fields["received_on"].initial = today
        self.fields["received_on"].widget.attrs["max"] = today.isoformat()


class HouseholdFieldsForm(Form):
    address = forms.CharField(label=_("Adress"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postnummer"), max_length=10, required=False)
    city = forms.CharField(label=_("Ort"), max_length=100, required=False)


class RepeatApplicationForm(ApplicationFieldsForm):
    kind = forms.ChoiceField(
        label=_("Typ"), choices=ApplicationKind.choices, initial=ApplicationKind.REPEAT
    )


class EndApplicationForm(Form):
    """Withdraw an application (the applicant's wish) or write it off (registered by mistake)."""

    WITHDRAW = "withdraw"
    WRITE_OFF = "write_off"
    how = forms.ChoiceField(
        label=_("Åtgärd"),
        choices=[
            (WITHDRAW, _("Sökanden återtar ansökan")),
            (WRITE_OFF, _("Skriv av – felregistrerad")),
        ],
    )
    reason = forms.CharField(label=_("Skäl"), max_length=2000)


class JournalForm(Form):
    # A received e-service message is written only by the applicant (bistand.portal).
    kind = forms.ChoiceField(
        label=_("Typ"),
        choices=[c for c in JournalKind.choices if c[0] != JournalKind.RECEIVED_MESSAGE],
    )
    occurred_on = forms.DateField(label=_("Datum"), widget=DateInput(), required=False)
    text = forms.CharField(
        label=_("Anteckning"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    sign = forms.BooleanField(label=_("Signera nu"), required=False, initial=True)
    corrects = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DocumentForm(Form):
    kind = forms.ChoiceField(label=_("Typ av handling"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Rubrik"), max_length=200, required=False)
    received_on = forms.DateField(label=_("Ankomstdatum"), widget=DateInput(), required=False)
    file = forms.FileField(label=_("Fil (PDF, JPEG eller PNG, högst 10 MB)"))


class InvestigationForm(Form):
    situation = forms.CharField(
        label=_("Hushållets situation"),
        max_length=LONG_TEXT,
        widget=forms.Textarea,
        required=False,
    )
    housing = forms.CharField(
        label=_("Boende"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    health = forms.CharField(
        label=_("Hälsa"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    household_economy = forms.CharField(
        label=_("Hushållets ekonomi och budget"),
        max_length=LONG_TEXT,
        widget=forms.Textarea,
        required=False,
    )
    child_perspective = forms.CharField(
        label=_("Barnperspektiv"),
        max_length=LONG_TEXT,
        widget=forms.Textarea,
        required=False,
        help_text=_("Obligatoriskt när barn bor i hushållet: hur påverkas barnen, barnets bästa."),
    )
    assessment = forms.CharField(
        label=_("Bedömning"), max_length=LONG_TEXT, widget=forms.Textarea, required=False
    )

    def __init__(self, *args, adults=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "– välj –")] + [
            (o.code, o.label) for o in support_obstacles_valid_on(timezone.localdate())
        ]
        self.adults = list(adults)
        for adult in self.adults:
            pid = adult["person_id"]
            self.fields[f"obstacle_{pid}"] = forms.ChoiceField(
                label=_("Försörjningshinder"),
                choices=choices,
                required=False,
                initial=adult.get("support_obstacle", ""),
            )
            self.fields[f"competences_{pid}"] = forms.CharField(
                label=_("Kompetenser"),
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                initial=adult.get("competences", ""),
            )
            self.fields[f"possibilities_{pid}"] = forms.CharField(
                label=_("Möjligheter och hinder"),
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                initial=adult.get("possibilities", ""),
            )

    def adult_rows(self):
        return [
            {
                "adult": adult,
                "obstacle": self[f"obstacle_{adult['person_id']}"],
                "competences": self[f"competences_{adult['person_id']}"],
                "possibilities": self[f"possibilities_{adult['person_id']}"],
            }
            for adult in self.adults
        ]

    def content(self) -> dict:
        data = self.cleaned_data
        content = {
            key: data.get(key, "")
            for key in (
                "situation",
                "housing",
                "health",
                "household_economy",
                "child_perspective",
                "assessment",
            )
        }
        content["adults"] = [
            {
                "person_id": adult["person_id"],
                "support_obstacle": data.get(f"obstacle_{adult['person_id']}", ""),
                "competences": data.get(f"competences_{adult['person_id']}", ""),
                "possibilities": data.get(f"possibilities_{adult['person_id']}", ""),
            }
            for adult in self.adults
        ]
        return content


class ReassignForm(Form):
    handler = forms.ModelChoiceField(label=_("Ansvarig handläggare"), queryset=None, required=False)
    assistant = forms.ModelChoiceField(
        label=_("Biträdande bidragshandläggare (B-ärenden)"), queryset=None, required=False
    )
    case_type = forms.ChoiceField(
        label=_("Ärendetyp"), choices=[("", "Ej fastställd"), *CaseType.choices], required=False
    )
    section = forms.ModelChoiceField(label=_("Sektion"), queryset=None)
    reason = forms.CharField(label=_("Skäl"), max_length=300)

    def __init__(self, *args, staff=None, sections=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = staff
        self.fields["assistant"].queryset = staff.filter(role="benefit_administrator")
        self.fields["section"].queryset = sections


class CaseTypeForm(Form):
    """The handler's case type. The empty choice is offered only while no type is set, so the
    list never shows a type that was not chosen (issue 13: it showed "A")."""

    case_type = forms.ChoiceField(
        label=_("Ärendetyp"),
        choices=CaseType.choices,
        error_messages={"required": _("Välj en ärendetyp.")},
        widget=forms.Select(attrs={"data-testid": "case-type-select"}),
    )

    def __init__(self, *args, current: str = "", **kwargs):
        kwargs.setdefault("initial", {"case_type": current})
        super().__init__(*args, **kwargs)
        if not current:
            self.fields["case_type"].choices = [("", _("— välj —")), *CaseType.choices]


class CloseForm(Form):
    reason = forms.ChoiceField(
        label=_("Avslutsanledning"), choices=[("", "– välj –"), *ClosingReason.choices]
    )
    closed_on = forms.DateField(label=_("Avslutsdatum"), widget=DateInput(), required=False)
