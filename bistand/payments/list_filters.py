"""The payee register as a work list (bistand.core.worklist): search, kind, sorting, paging."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bistand.core.worklist import ListFilterForm, SortKey

from .models import PayeeKind


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
