"""Forms of the rules pages: the statute's table, a parameter, a legal period, an import."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from bistand.core.forms import Form

from .compare import cells
from .models import ParameterCode, SourceStatus
from .services import MAX_NORM_AMOUNT


class SourceFields(Form):
    source_status = forms.ChoiceField(label=_("Källstatus"), choices=SourceStatus.choices)
    sfs = forms.CharField(label=_("SFS-nummer"), max_length=40, required=False)
    source_date = forms.DateField(label=_("Utfärdad/publicerad"), required=False)
    source_title = forms.CharField(label=_("Källa (titel)"), max_length=300, required=False)
    source_url = forms.URLField(
        label=_("Länk"), max_length=500, required=False, assume_scheme="https"
    )
    note = forms.CharField(
        label=_("Anteckning"), max_length=4000, required=False, widget=forms.Textarea({"rows": 2})
    )

    def sources(self) -> list[dict]:
        data = self.cleaned_data
        source = {
            "sfs": data.get("sfs", ""),
            "date": data["source_date"].isoformat() if data.get("source_date") else "",
            "title": data.get("source_title", ""),
            "url": data.get("source_url", ""),
        }
        return [source] if any(source.values()) else []

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(k) for k in ("sfs", "source_title", "source_url")):
            raise forms.ValidationError(
                _("Ange källan: SFS-nummer, titel eller länk till författningen.")
            )
        return cleaned


class NormTableForm(SourceFields):
    """The riksnorm laid out as the statute's table (2 kap. 1 § socialtjänstförordningen)."""

    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
    valid_from = forms.DateField(label=_("Gäller från"))
    valid_to = forms.DateField(label=_("Gäller till och med"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for cell in cells(None):
            self.fields[cell.key] = forms.IntegerField(
                label=cell.label,
                required=False,
                min_value=0,
                max_value=MAX_NORM_AMOUNT,
                widget=forms.NumberInput({"inputmode": "numeric", "class": "num"}),
                error_messages={
                    "invalid": _("Skriv beloppet i hela kronor, utan mellanslag."),
                    "max_value": _("Beloppet är orimligt stort för en månad."),
                    "min_value": _("Beloppet kan inte vara negativt."),
                },
            )

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year")
        for name in ("valid_from", "valid_to"):
            day = cleaned.get(name)
            if year and day and day.year != year:
                self.add_error(name, _("Datumet ska ligga under tabellens år."))
        return cleaned

    def amounts(self) -> dict[str, int | None]:
        return {cell.key: self.cleaned_data.get(cell.key) for cell in cells(None)}

    def cell_rows(self, previous: dict[str, int | None]):
        """(group, bound field, last year's amount) in the statute's order."""
        return [(cell.group, self[cell.key], previous.get(cell.key)) for cell in cells(None)]


class ParameterForm(SourceFields):
    code = forms.ChoiceField(label=_("Parameter"), choices=ParameterCode.choices)
    valid_from = forms.DateField(label=_("Gäller från"))
    valid_to = forms.DateField(label=_("Gäller till och med"), required=False)
    value = forms.DecimalField(label=_("Värde"), max_digits=14, decimal_places=4)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **{k: data[k] for k in ("code", "valid_from", "valid_to", "value", "source_status")},
            "sources": self.sources(),
            "note": data["note"],
        }


class LegalPeriodForm(SourceFields):
    code = forms.SlugField(label=_("Kod"), max_length=60, help_text=_("t.ex. sol-2025-400"))
    name = forms.CharField(label=_("Namn"), max_length=200)
    act = forms.CharField(label=_("Lag (kort)"), max_length=100)
    valid_from = forms.DateField(label=_("Gäller från"), initial=dt.date(2027, 1, 1))
    valid_to = forms.DateField(label=_("Gäller till och med"), required=False)
    norm_reference = forms.CharField(label=_("Lagrum för riksnormen"), max_length=300)
    incentive_reference = forms.CharField(label=_("Lagrum för jobbstimulans"), max_length=300)
    basis_income_support = forms.CharField(label=_("Lagrum: försörjningsstöd"), max_length=300)
    basis_other_living_costs = forms.CharField(
        label=_("Lagrum: livsföring i övrigt"), max_length=300
    )
    basis_labour_market = forms.CharField(
        label=_("Lagrum: avslag, står inte till arbetsmarknadens förfogande"), max_length=300
    )
    rules_version = forms.CharField(
        label=_("Beräkningsregler (version)"), max_length=20, initial="1"
    )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        direct = (
            "code", "name", "act", "valid_from", "valid_to", "norm_reference",
            "incentive_reference", "rules_version", "source_status", "note",
        )  # fmt: skip
        return {
            **{k: data[k] for k in direct},
            "decision_basis": {
                kind: data[f"basis_{kind}"]
                for kind in ("income_support", "other_living_costs", "labour_market")
            },
            "sources": self.sources(),
        }


class ImportForm(Form):
    file = forms.FileField(label=_("JSON-fil (samma uppläggning som riksnorm.json)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 1_000_000:
            raise forms.ValidationError(_("Filen är för stor (högst 1 MB)."))
        return upload


class WithdrawForm(Form):
    reason = forms.CharField(label=_("Varför återkallas utkastet?"), max_length=2000)
