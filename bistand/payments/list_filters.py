"""The payee register and the attestation queue as work lists (bistand.core.worklist)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bistand.cases.selectors import case_search_q
from bistand.core.worklist import ListFilterForm, SortKey

from .models import OrderStatus, PayeeKind, PaymentMethod, order_id_from_end_to_end


class PayeeFilter(ListFilterForm):
    q = forms.CharField(
        label=_("Sök"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Namn eller org.nr")}),
    )
    kind = forms.ChoiceField(
        label=_("Slag"),
        choices=[("", _("Alla")), *PayeeKind.choices],
        required=False,
        error_messages={"invalid_choice": _("Värdet ”%(value)s” finns inte bland valen.")},
    )
    account = forms.ChoiceField(
        label=_("Konto"),
        choices=[("", _("Alla")), ("yes", _("Med konto")), ("no", _("Utan konto"))],
        required=False,
        error_messages={"invalid_choice": _("Värdet ”%(value)s” finns inte bland valen.")},
    )

    def filter_queryset(self, queryset, data):
        if data.get("q"):
            digits = "".join(ch for ch in data["q"] if ch.isdigit())
            condition = Q()
            for term in data["q"].split():
                condition &= Q(name__icontains=term)
            if len(digits) >= 4:
                condition |= Q(organisation_number__contains=digits)
            queryset = queryset.filter(condition)
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("account") == "yes":
            queryset = queryset.filter(current_account__isnull=False)
        elif data.get("account") == "no":
            queryset = queryset.filter(current_account__isnull=True)
        return queryset


PAYEE_SORTS = {
    "name": SortKey(_("Namn"), ("name",)),
    "kind": SortKey(_("Slag"), ("kind", "name")),
    "number": SortKey(_("Org.nr"), ("organisation_number",)),
    "changed": SortKey(_("Ändrat"), ("-current_account__registered_at",)),
}


class AttestLevel:
    FIRST = "first"
    SECOND = "second"
    CHOICES = [(FIRST, _("Attest")), (SECOND, _("Andra attest"))]


class AttestFilter(ListFilterForm):
    """The attestation queue: search (case number, personnummer, names, payee, order
    reference), payment method, first or second attestation, paid on or before a day."""

    q = forms.CharField(
        label=_("Sök"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Ärendenummer, namn eller mottagare")}
        ),
    )
    method = forms.ChoiceField(
        label=_("Sätt"),
        choices=[("", _("Alla")), *PaymentMethod.choices],
        required=False,
        error_messages={"invalid_choice": _("Värdet ”%(value)s” finns inte bland valen.")},
    )
    level = forms.ChoiceField(
        label=_("Attest"),
        choices=[("", _("Alla")), *AttestLevel.CHOICES],
        required=False,
        error_messages={"invalid_choice": _("Värdet ”%(value)s” finns inte bland valen.")},
    )
    until = forms.DateField(
        label=_("Betalningsdag till och med"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-03-01.")},
    )

    def filter_queryset(self, queryset, data):
        queryset = filter_orders(queryset, data)
        if data.get("level") == AttestLevel.FIRST:
            queryset = queryset.filter(status=OrderStatus.REGISTERED)
        elif data.get("level") == AttestLevel.SECOND:
            queryset = queryset.filter(status=OrderStatus.AWAITING_SECOND)
        return queryset


def filter_orders(queryset, data):
    """The order lists' common filters: search (case number, personnummer, names, payee,
    order reference), payment method, payment day up to."""
    text = (data.get("q") or "").strip()
    if text:
        condition = case_search_q(text, "case__")
        if not text.isdigit():
            condition |= Q(payee_name__icontains=text)
        order_id = order_id_from_end_to_end(text)
        if order_id is not None:
            condition |= Q(pk=order_id)
        queryset = queryset.filter(condition)
    if data.get("method"):
        queryset = queryset.filter(method=data["method"])
    if data.get("until"):
        queryset = queryset.filter(pay_on__lte=data["until"])
    return queryset


ATTEST_SORTS = {
    "pay_on": SortKey(_("Betalningsdag"), ("pay_on",)),
    "amount": SortKey(_("Belopp"), ("amount",)),
    "case": SortKey(_("Ärende"), ("case_id",)),
    "method": SortKey(_("Sätt"), ("method", "pay_on")),
    "payee": SortKey(_("Mottagare"), ("payee_name",)),
}


QUEUE_STAGES = [
    ("ready", _("Klar för betalningsfil")),
    ("held", _("Hålls tillbaka")),
    ("rejected", _("Avvisad av banken")),
    ("manual", _("Kontant eller rekvisition att registrera")),
]


class QueueFilter(ListFilterForm):
    """Finance's payment queue: search (case number, personnummer, names, payee, order
    reference), where the order stands, payment method, paid on or before a day."""

    q = AttestFilter.base_fields["q"]
    stage = forms.ChoiceField(
        label=_("Läge"),
        choices=[("", _("Alla")), *QUEUE_STAGES],
        required=False,
        error_messages={"invalid_choice": _("Värdet ”%(value)s” finns inte bland valen.")},
    )
    method = AttestFilter.base_fields["method"]
    until = AttestFilter.base_fields["until"]

    def filter_queryset(self, queryset, data):
        queryset = filter_orders(queryset, data)
        if data.get("stage"):
            queryset = queryset.filter(stage=data["stage"])
        return queryset


QUEUE_SORTS = {
    "pay_on": SortKey(_("Betalningsdag"), ("pay_on",)),
    "amount": SortKey(_("Belopp"), ("amount",)),
    "case": SortKey(_("Ärende"), ("case_id",)),
    "method": SortKey(_("Sätt"), ("method", "pay_on")),
    "payee": SortKey(_("Mottagare"), ("payee_name",)),
    "stage": SortKey(_("Läge"), ("stage", "pay_on")),
}
