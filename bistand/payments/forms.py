"""Forms for the payment pages. Validation of account numbers, amounts and the payment rules is
the services' (one place, Swedish messages); these only shape the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bistand.core.forms import Form
from bistand.core.identity import IdentityNumberError, parse_identity_number
from bistand.decisions.models import LineKind

from .models import AccountKind, BudgetKind, PaymentMethod

DATE = forms.DateInput(attrs={"type": "date"})


class PersonPayeeForm(Form):
    identity_number = forms.CharField(label=_("Sökandens personnummer"), max_length=13)
    clearing = forms.CharField(label=_("Clearingnummer"), max_length=6)
    account_number = forms.CharField(label=_("Kontonummer"), max_length=20)
    reason = forms.CharField(label=_("Underlag (t.ex. kontobevis från banken)"), required=False)

    def clean_identity_number(self) -> str:
        value = self.cleaned_data["identity_number"]
        try:
            parse_identity_number(value)
        except IdentityNumberError as error:
            raise forms.ValidationError(error.message, code=error.code)
        return value


class OrganisationPayeeForm(Form):
    name = forms.CharField(label=_("Namn"), max_length=140)
    organisation_number = forms.CharField(label=_("Organisationsnummer"), max_length=13)
    account_kind = forms.ChoiceField(label=_("Kontoslag"), choices=AccountKind.choices)
    clearing = forms.CharField(label=_("Clearingnummer (bara bankkonto)"), required=False)
    number = forms.CharField(label=_("Bankgiro-, plusgiro- eller kontonummer"), max_length=20)
    reason = forms.CharField(label=_("Underlag"), required=False)


class ChangeAccountForm(Form):
    account_kind = forms.ChoiceField(label=_("Kontoslag"), choices=AccountKind.choices)
    clearing = forms.CharField(label=_("Clearingnummer (bara bankkonto)"), required=False)
    number = forms.CharField(label=_("Konto-, bankgiro- eller plusgironummer"), max_length=20)
    reason = forms.CharField(label=_("Anledning till ändringen och underlag"), max_length=500)


class OrderForm(Form):
    line = forms.TypedChoiceField(label=_("Beslutsrad"), coerce=int)
    method = forms.ChoiceField(label=_("Betalningssätt"), choices=PaymentMethod.choices)
    amount = forms.CharField(label=_("Belopp (kr)"), max_length=20)
    payee = forms.TypedChoiceField(
        label=_("Mottagare"), coerce=int, required=False, empty_value=None
    )
    pay_on = forms.DateField(label=_("Betalningsdag"), required=False, widget=DATE)
    due_on = forms.DateField(label=_("Förfallodag (faktura)"), required=False, widget=DATE)
    ocr_reference = forms.CharField(label=_("OCR-nummer"), required=False, max_length=30)
    invoice_number = forms.CharField(label=_("Fakturanummer"), required=False, max_length=40)
    message = forms.CharField(label=_("Meddelande till mottagaren"), required=False, max_length=140)
    requisition_supplier = forms.CharField(
        label=_("Butik/leverantör (rekvisition)"), required=False, max_length=140
    )
    requisition_valid_until = forms.DateField(
        label=_("Rekvisitionen gäller t.o.m."), required=False, widget=DATE
    )
    cash_reason = forms.CharField(
        label=_("Skäl till kontant utbetalning"), required=False, widget=forms.Textarea
    )
    note = forms.CharField(label=_("Anteckning"), required=False, widget=forms.Textarea)
    request_payee_exception = forms.BooleanField(
        label=_(
            "Begär undantag: mottagaren ingår inte i hushållet under beslutets månad "
            "(enhetschefen godkänner med skriftlig motivering)"
        ),
        required=False,
    )

    def __init__(self, *args, lines=(), payees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [
            (
                row.line.pk,
                f"{row.decision.reference} {row.decision.month:%Y-%m}: "
                f"{row.line.get_kind_display()} – {row.line.description} "
                f"(återstår {row.remaining} kr)",
            )
            for row in lines
        ]
        self.fields["payee"].choices = [("", "– sökandens konto / ingen –")] + [
            (payee.pk, f"{payee.name} ({payee.current_account.masked})") for payee in payees
        ]


class ReasonForm(Form):
    reason = forms.CharField(label=_("Skäl"), max_length=2000)


class ExceptionForm(Form):
    """The unit head's written reason for paying someone outside the household."""

    reason = forms.CharField(
        label=_("Motivering (loggas och visas på utbetalningen)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Ange motiveringen till undantaget.")},
    )


class ManualPaymentForm(Form):
    paid_on = forms.DateField(label=_("Utbetald/inlöst den"), widget=DATE)
    note = forms.CharField(label=_("Kvittonummer eller anteckning"), max_length=300)


class RunForm(Form):
    payment_date = forms.DateField(label=_("Betalningsdag"), widget=DATE)


class ReportUploadForm(Form):
    file = forms.FileField(label=_("Bankens statusrapport (pain.002 eller camt.054)"))


class BudgetAccountForm(Form):
    code = forms.CharField(label=_("Kontonummer"), max_length=10)
    name = forms.CharField(label=_("Namn"), max_length=100)
    kind = forms.ChoiceField(label=_("Slag"), choices=BudgetKind.choices)
    line_kind = forms.ChoiceField(
        label=_("Förval för beslutsrader"),
        choices=[("", _("– alla –")), *LineKind.choices],
        required=False,
    )


class BudgetAmountForm(Form):
    account = forms.TypedChoiceField(label=_("Konto"), coerce=int)
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
    amount = forms.CharField(label=_("Budget (kr)"), max_length=20)
    note = forms.CharField(label=_("Anledning"), required=False)

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [(a.pk, str(a)) for a in accounts]


class ExportForm(Form):
    month = forms.CharField(label=_("Månad (ÅÅÅÅ-MM)"), max_length=7)
    format = forms.ChoiceField(label=_("Format"), choices=[("csv", "CSV"), ("sie", "SIE 4")])


class SettingsForm(Form):
    amount_limit = forms.CharField(label=_("Beloppsspärr (kr)"), max_length=20)
    debtor_name = forms.CharField(label=_("Betalarens namn i betalningsfilen"), max_length=140)
    debtor_iban = forms.CharField(label=_("Utbetalningskontots IBAN"), max_length=40)
    debtor_bic = forms.CharField(label=_("Bankens BIC"), max_length=11)
    organisation_number = forms.CharField(label=_("Kommunens organisationsnummer"), max_length=13)
    initiating_party_id = forms.CharField(
        label=_("Kundnummer hos banken"), max_length=35, required=False
    )
    bank_ledger_account = forms.CharField(
        label=_("Bokföringskonto för utbetalningskontot"), max_length=10
    )
    note = forms.CharField(label=_("Anledning till ändringen"), required=False)
