"""Forms of the sample review and the review queue (every form derives from core.forms.Form)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bistand.cases.forms import MonthField
from bistand.core.forms import Form
from bistand.organisation.models import User

from .permissions import CAPABILITIES
from .sample_models import MAX_SAMPLE_SIZE, Answer


def _staff(unit_id, roles=None):
    users = User.objects.filter(unit_id=unit_id, is_active=True).order_by("last_name", "username")
    return users.filter(role__in=roles) if roles else users


class _ReviewerField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name() or obj.username} ({obj.get_role_display()})"


class _SeedSize(Form):
    seed = forms.CharField(
        label=_("Slumpfrö"), required=False, max_length=12,
        help_text=_("Lämna tomt så dras ett nytt slumpfrö; det sparas med stickprovet."),
    )  # fmt: skip
    size = forms.IntegerField(label=_("Antal beslut"), required=False, min_value=1,
                              max_value=MAX_SAMPLE_SIZE)  # fmt: skip
    reviewer = _ReviewerField(label=_("Granskare (hens egna beslut utesluts)"),
                              queryset=User.objects.none(), required=False)  # fmt: skip

    def __init__(self, *args, unit_id, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = _staff(unit_id, CAPABILITIES["review_sample"])


class DrawForm(_SeedSize):
    month = MonthField(label=_("Månad"))
    field_order = ["month", "seed", "size", "reviewer"]


class RedrawForm(_SeedSize):
    reason = forms.CharField(label=_("Skäl till omdragningen"), widget=forms.Textarea(
        attrs={"rows": 2}))  # fmt: skip
    field_order = ["reason", "seed", "size", "reviewer"]


class SizeForm(Form):
    size = forms.IntegerField(label=_("Antal beslut per månad"), min_value=1,
                              max_value=MAX_SAMPLE_SIZE)  # fmt: skip
    note = forms.CharField(label=_("Anledning"), required=False)


class AssignForm(Form):
    reviewer = _ReviewerField(label=_("Granskare"), queryset=User.objects.none())

    def __init__(self, *args, unit_id, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = _staff(unit_id, CAPABILITIES["review_sample"])


class ReviewForm(Form):
    """One answer (and a comment) per point of the draw's checklist, and a summary."""

    conclusion = forms.CharField(label=_("Sammanfattning"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip

    def __init__(self, *args, points: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.points = points
        for point in points:
            self.fields[f"answer_{point['key']}"] = forms.ChoiceField(
                label=point["label"], choices=Answer.choices, widget=forms.RadioSelect
            )
            self.fields[f"comment_{point['key']}"] = forms.CharField(
                label=_("Kommentar (krävs vid brist)"), required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )  # fmt: skip
        self.limit_texts()

    def rows(self):
        return [
            (point, self[f"answer_{point['key']}"], self[f"comment_{point['key']}"])
            for point in self.points
        ]

    def answers(self) -> tuple[dict, dict]:
        data = self.cleaned_data
        return (
            {p["key"]: data[f"answer_{p['key']}"] for p in self.points},
            {p["key"]: data.get(f"comment_{p['key']}", "") for p in self.points},
        )


class ChecklistForm(Form):
    """The unit's checklist: one point per line (a new version when saved)."""

    points = forms.CharField(
        label=_("Punkter (en per rad)"), widget=forms.Textarea(attrs={"rows": 8}), max_length=5000
    )
    note = forms.CharField(label=_("Anledning till ändringen"), required=False, max_length=2000)


class ActionForm(Form):
    description = forms.CharField(label=_("Åtgärd"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = _ReviewerField(label=_("Ansvarig"), queryset=User.objects.none())
    due_on = forms.DateField(label=_("Klar senast"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, unit_id, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _staff(unit_id)


class CloseActionForm(Form):
    note = forms.CharField(label=_("Vad har gjorts?"), widget=forms.Textarea(attrs={"rows": 3}))


class SignoffForm(Form):
    kind = forms.CharField(max_length=32)
    object_id = forms.IntegerField(min_value=1, max_value=2**62)
    note = forms.CharField(label=_("Anteckning"), required=False)
