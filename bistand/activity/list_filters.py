"""The section list's filters and sort keys (bistand.core.worklist)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bistand.core.worklist import ListFilterForm, SortKey

SORTS = {
    "name": SortKey(_("Namn"), ("person__last_name", "person__first_name")),
    "born": SortKey(_("Född"), ("person__birth_date",)),
    "case": SortKey(_("Ärende"), ("case_id",)),
}


class BecomingCoveredFilter(ListFilterForm):
    q = forms.CharField(
        label=_("Sök"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Namn")}),
    )
    mine = forms.BooleanField(label=_("Bara mina ärenden"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def filter_queryset(self, queryset, data):
        for word in (data.get("q") or "").split():
            queryset = queryset.filter(
                Q(person__first_name__icontains=word) | Q(person__last_name__icontains=word)
            )
        if data.get("mine") and self.user is not None:
            queryset = queryset.filter(handler_id=self.user.pk)
        return queryset
