"""Forms for the payment pages. Validation of account numbers, amounts and the payment rules is
the services' (one place, Swedish messages); these only shape the input."""

from __future__ import annotations

from django import forms

from bistand.core.forms import Form
from bistand.core.identity import IdentityNumberError, parse_identity_number
from bistand.decisions.models import LineKind

from .models import AccountKind, BudgetKind, PaymentMethod

DATE = forms.DateInput(attrs={"type": "date"})


class PersonPayeeForm(Form):
    identity_number = forms.CharField(label="Sökandens personnummer", max_length=13)
    clearing = forms.CharField(label="Clearingnummer", max_length=6)
    account_number = forms.CharField(label="Kontonummer", max_length=20)
    reason = forms.CharField(label="Underlag (t.ex. kontobevis från banken)", required=False)

    def clean_identity_number(self) -> str:
        value = self.cleaned_data["identity_number"]
        try:
            parse_identity_number(value)
        except IdentityNumberError as error:
            raise forms.ValidationError(error.message, code=error.code)
        return value


class OrganisationPayeeForm(Form):
    name = forms.CharField(label="Namn", max_length=140)
    organisation_number = forms.CharField(label="Organisationsnummer", max_length=13)
    account_kind = forms.ChoiceField(label="Kontoslag", choices=AccountKind.choices)
    clearing = forms.CharField(label="Clearingnummer (bara bankkonto)", required=False)
    number = forms.CharField(label="Bankgiro-, plusgiro- eller kontonummer", max_length=20)
    reason = forms.CharField(label="Underlag", required=False)


class ChangeAccountForm(Form):
    account_kind = forms.ChoiceField(label="Kontoslag", choices=AccountKind.choices)
    clearing = forms.CharField(label="Clearingnummer (bara bankkonto)", required=False)
    number = forms.CharField(label="Konto-, bankgiro- eller plusgironummer", max_length=20)
    reason = forms.CharField(label="Anledning till ändringen och underlag", max_length=500)


class OrderForm(Form):
    line = forms.TypedChoiceField(label="Beslutsrad", coerce=int)
    method = forms.ChoiceField(label="Betalningssätt", choices=PaymentMethod.choices)
    amount = forms.CharField(label="Belopp (kr)", max_length=20)
    payee = forms.TypedChoiceField(label="Mottagare", coerce=int, required=False, empty_value=None)
    pay_on = forms.DateField(label="Betalningsdag", required=False, widget=DATE)
    due_on = forms.DateField(label="Förfallodag (faktura)", required=False, widget=DATE)
    ocr_reference = forms.CharField(label="OCR-nummer", required=False, max_length=30)
    invoice_number = forms.CharField(label="Fakturanummer", required=False, max_length=40)
    message = forms.CharField(label="Meddelande till mottagaren", required=False, max_length=140)
    requisition_supplier = forms.CharField(
        label="Butik/leverantör (rekvisition)", required=False, max_length=140
    )
    requisition_valid_until = forms.DateField(
        label="Rekvisitionen gäller t.o.m.", required=False, widget=DATE
    )
    cash_reason = forms.CharField(
        label="Skäl till kontant utbetalning", required=False, widget=forms.Textarea
    )
    note = forms.CharField(label="Anteckning", required=False, widget=forms.Textarea)
    request_payee_exception = forms.BooleanField(
        label="Begär undantag: mottagaren ingår inte i hushållet under beslutets månad "
        "(enhetschefen godkänner med skriftlig motivering)",
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
    reason = forms.CharField(label="Skäl", max_length=2000)


class ExceptionForm(Form):
    """The unit head's written reason for paying someone outside the household."""

    reason = forms.CharField(
        label="Motivering (loggas och visas på utbetalningen)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Ange motiveringen till undantaget."},
    )


class ManualPaymentForm(Form):
    paid_on = forms.DateField(label="Utbetald/inlöst den", widget=DATE)
    note = forms.CharField(label="Kvittonummer eller anteckning", max_length=300)


class RunForm(Form):
    payment_date = forms.DateField(label="Betalningsdag", widget=DATE)


class ReportUploadForm(Form):
    file = forms.FileField(label="Bankens statusrapport (pain.002 eller camt.054)")


class BudgetAccountForm(Form):
    code = forms.CharField(label="Kontonummer", max_length=10)
    name = forms.CharField(label="Namn", max_length=100)
    kind = forms.ChoiceField(label="Slag", choices=BudgetKind.choices)
    line_kind = forms.ChoiceField(
        label="Förval för beslutsrader",
        choices=[("", "– alla –"), *LineKind.choices],
        required=False,
    )


class BudgetAmountForm(Form):
    account = forms.TypedChoiceField(label="Konto", coerce=int)
    year = forms.IntegerField(label="År", min_value=2000, max_value=2100)
    amount = forms.CharField(label="Budget (kr)", max_length=20)
    note = forms.CharField(label="Anledning", required=False)

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [(a.pk, str(a)) for a in accounts]


class ExportForm(Form):
    month = forms.CharField(label="Månad (ÅÅÅÅ-MM)", max_length=7)
    format = forms.ChoiceField(label="Format", choices=[("csv", "CSV"), ("sie", "SIE 4")])


class SettingsForm(Form):
    amount_limit = forms.CharField(label="Beloppsspärr (kr)", max_length=20)
    debtor_name = forms.CharField(label="Betalarens namn i betalningsfilen", max_length=140)
    debtor_iban = forms.CharField(label="Utbetalningskontots IBAN", max_length=40)
    debtor_bic = forms.CharField(label="Bankens BIC", max_length=11)
    organisation_number = forms.CharField(label="Kommunens organisationsnummer", max_length=13)
    initiating_party_id = forms.CharField(
        label="Kundnummer hos banken", max_length=35, required=False
    )
    bank_ledger_account = forms.CharField(
        label="Bokföringskonto för utbetalningskontot", max_length=10
    )
    note = forms.CharField(label="Anledning till ändringen", required=False)
