"""Forms for incorrect payments, recovery decisions, repayments, write-offs and the unit's
documentation-backlog limits (every form derives from core.forms.Form; amounts are parsed by
the services, which give the Swedish message)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bistand.cases.forms import MonthField
from bistand.core.forms import Form

from .recovery_law import GROUND_CHOICES
from .recovery_models import IncorrectPaymentCause, PlanKind

DATE = forms.DateInput(attrs={"type": "date"})


class IncorrectPaymentForm(Form):
    cause = forms.ChoiceField(label=_("Orsak"), choices=IncorrectPaymentCause.choices)
    amount = forms.CharField(label=_("Felaktigt utbetalt belopp (kr)"), max_length=20)
    period_from = MonthField(label=_("Period från"))
    period_to = MonthField(label=_("Period till"))
    description = forms.CharField(
        label=_("Vad blev fel och hur upptäcktes det"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class RecoveryForm(Form):
    amount = forms.CharField(label=_("Belopp som krävs tillbaka (kr)"), max_length=20)
    ground = forms.ChoiceField(label=_("Grund"), choices=GROUND_CHOICES)
    reasoning = forms.CharField(
        label=_("Motivering (skäl för beslutet)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    plan = forms.ChoiceField(label=_("Plan"), choices=PlanKind.choices)
    monthly_amount = forms.CharField(label=_("Belopp per månad (kr)"), max_length=20)
    first_month = MonthField(label=_("Första månad"))
    minimum_left = forms.CharField(
        label=_("Lägsta belopp hushållet alltid behåller per månad (kr)"),
        max_length=20,
        required=False,
    )
    consent_on = forms.DateField(
        label=_("Medgivande till avräkning lämnat (datum)"), required=False, widget=DATE
    )


class RepaymentForm(Form):
    amount = forms.CharField(label=_("Inbetalt belopp (kr)"), max_length=20)
    paid_on = forms.DateField(label=_("Betalningsdag"), widget=DATE)
    note = forms.CharField(label=_("Anteckning"), max_length=4000, required=False)


class WriteOffForm(Form):
    amount = forms.CharField(
        label=_("Belopp som skrivs av (tomt = hela återstoden)"), max_length=20, required=False
    )
    reason = forms.CharField(
        label=_("Skäl till att nämnden avstår från kravet"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class BacklogSettingsForm(Form):
    journal_delay_days = forms.IntegerField(
        label=_("En journalanteckning är sen om den skrivs mer än så här många dagar efter "
                "händelsen"),
        min_value=1,
        max_value=365,
    )  # fmt: skip
    decision_target_days = forms.IntegerField(
        label=_("Mål för beslut: dagar från komplett ansökan"), min_value=1, max_value=365
    )
    note = forms.CharField(label=_("Anledning"), max_length=4000, required=False)
