"""Forms for decisions, appeals and settings. Amounts are typed Swedish-style ("1 500,50") and
turned into Decimals by the services, which give the Swedish error for a bad amount."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bistand.core.codes import support_obstacles_valid_on
from bistand.core.forms import Form
from bistand.core.text import LONG_TEXT

from .models import (
    CourtOutcome,
    DelegationKind,
    DispatchChannel,
    Outcome,
    ReceiptBasis,
    Reconsideration,
    RefusalGround,
    ReviewResult,
)
from .services import LineDecision


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date(label, required=True, initial=None):
    return forms.DateField(label=label, widget=DateInput(), required=required, initial=initial)


class DecisionForm(Form):
    """One set of fields per proposed line, a support obstacle per adult, overall reasons."""

    reasons = forms.CharField(
        label=_("Övriga skäl eller upplysningar (visas i beslutsbrevet)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, proposals, adults, obstacles=None, replacing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposals = proposals
        self.adults = adults
        obstacle_choices = [("", "– välj –")] + [
            (o.code, o.label) for o in support_obstacles_valid_on(timezone.localdate())
        ]
        self.line_rows = []
        for index, proposal in enumerate(proposals):
            prefix = f"line-{index}"
            self.fields[f"{prefix}-outcome"] = forms.ChoiceField(
                label=_("Beslut"), choices=Outcome.choices, initial=proposal.proposed_outcome
            )
            self.fields[f"{prefix}-amount"] = forms.CharField(
                label=_("Beviljat belopp"),
                required=False,
                initial=f"{proposal.proposed_grant:.2f}".replace(".", ","),
            )
            self.fields[f"{prefix}-reasons"] = forms.CharField(
                label=_("Skäl (krävs vid avslag och delvis bifall)"),
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                initial=proposal.proposed_reasons,
            )
            self.fields[f"{prefix}-ground"] = forms.ChoiceField(
                label=_("Grund för avslag"),
                choices=[("", "–")] + list(RefusalGround.choices),
                required=False,
                initial=proposal.proposed_ground,
            )
            self.line_rows.append((proposal, prefix))
        self.obstacle_rows = []
        for adult in adults:
            name = f"obstacle-{adult['person_id']}"
            self.fields[name] = forms.ChoiceField(
                label=adult["name"],
                choices=obstacle_choices,
                required=False,
                initial=(obstacles or {}).get(adult["person_id"], ""),
            )
            self.obstacle_rows.append((adult, name))
        if replacing:
            self.fields["replacement_reason"] = forms.CharField(
                label=_("Skäl till att beslutet ändras"),
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def bound_lines(self):
        for proposal, prefix in self.line_rows:
            yield {
                "proposal": proposal,
                "outcome": self[f"{prefix}-outcome"],
                "amount": self[f"{prefix}-amount"],
                "reasons": self[f"{prefix}-reasons"],
                "ground": self[f"{prefix}-ground"],
            }

    def bound_obstacles(self):
        for adult, name in self.obstacle_rows:
            yield adult, self[name]

    def line_decisions(self) -> dict[str, LineDecision]:
        data = self.cleaned_data
        decided = {}
        for proposal, prefix in self.line_rows:
            outcome = data[f"{prefix}-outcome"]
            amount = (data.get(f"{prefix}-amount") or "").strip()
            decided[proposal.key] = LineDecision(
                outcome=outcome,
                # Bifall and avslag follow from the outcome; a partial grant needs the amount.
                amount_granted=amount if outcome == Outcome.PARTLY_GRANTED and amount else None,
                reasons=data.get(f"{prefix}-reasons") or "",
                refusal_ground=data.get(f"{prefix}-ground") or "",
            )
        return decided

    def support_obstacles(self) -> dict[int, str]:
        return {
            adult["person_id"]: self.cleaned_data.get(name) or ""
            for adult, name in self.obstacle_rows
        }


class ReferralForm(Form):
    referred_to = forms.ChoiceField(label=_("Skicka till"))
    note = forms.CharField(
        label=_("Meddelande"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referred_to"].choices = [
            (str(u.pk), f"{u.get_full_name() or u.username} – {u.get_role_display()}")
            for u in candidates
        ]


class NoteForm(Form):
    note = forms.CharField(label=_("Meddelande"), widget=forms.Textarea(attrs={"rows": 2}))


class DispatchForm(Form):
    sent_on = _date(_("Skickat"), initial=timezone.localdate)
    channel = forms.ChoiceField(label=_("Sätt"), choices=DispatchChannel.choices)
    received_on = _date(_("Mottaget av sökande (om känt)"), required=False)


class AppealForm(Form):
    received_on = _date(_("Överklagandet kom in"), initial=timezone.localdate)
    decision_received_on = _date(_("Sökande fick del av beslutet"), required=False)
    basis = forms.ChoiceField(
        label=_("Underlag för mottagandedagen"),
        choices=ReceiptBasis.choices,
        initial=ReceiptBasis.UNKNOWN,
    )
    text = forms.CharField(
        label=_("Vad sökande vill ändra"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ReconsiderForm(Form):
    result = forms.ChoiceField(label=_("Resultat av omprövningen"), choices=Reconsideration.choices)
    note = forms.CharField(
        label=_("Anteckning"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ForwardForm(Form):
    opinion = forms.CharField(
        label=_("Nämndens yttrande till förvaltningsrätten"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    court = forms.CharField(
        label=_("Domstol"), max_length=100, required=False, initial="Förvaltningsrätten"
    )
    forwarded_on = _date(_("Överlämnat"), initial=timezone.localdate)


class CourtOutcomeForm(Form):
    outcome = forms.ChoiceField(label=_("Domstolens avgörande"), choices=CourtOutcome.choices)
    decided_on = _date(_("Avgjort"))
    case_number = forms.CharField(label=_("Målnummer"), max_length=40, required=False)
    note = forms.CharField(
        label=_("Anteckning"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReviewForm(Form):
    result = forms.ChoiceField(label=_("Resultat"), choices=ReviewResult.choices)
    note = forms.CharField(
        label=_("Anteckning"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


_CEILING_LINE = re.compile(r"^\s*(\d+)\s*[:=]\s*(.+?)\s*$")


class GuidelineForm(Form):
    name = forms.CharField(label=_("Namn (t.ex. nämndens beslut)"), max_length=200)
    valid_from = _date(_("Gäller från"))
    rent_ceilings = forms.CharField(
        label=_("Högsta godtagbara boendekostnad per hushållsstorlek"),
        help_text=_(
            "En rad per storlek: 1: 6330 (den största storleken gäller också större hushåll)."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    note = forms.CharField(
        label=_("Anledning till ändringen"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def clean_rent_ceilings(self) -> dict[str, str]:
        ceilings = {}
        for line in (self.cleaned_data.get("rent_ceilings") or "").splitlines():
            if not line.strip():
                continue
            match = _CEILING_LINE.match(line)
            if not match:
                raise forms.ValidationError(
                    _("Skriv en rad per hushållsstorlek, till exempel 2: 6 970.")
                )
            ceilings[match.group(1)] = match.group(2)
        return ceilings


class DelegationRuleForm(Form):
    point = forms.CharField(label=_("Punkt"), max_length=20)
    kind = forms.ChoiceField(label=_("Beslutstyp"), choices=DelegationKind.choices)
    role = forms.ChoiceField(
        label=_("Roll"),
        choices=[
            ("social_worker", _("Socialsekreterare")),
            ("benefit_administrator", _("Bidragshandläggare")),
            ("section_head", _("Sektionschef")),
            ("unit_head", _("Enhetschef")),
        ],
    )
    max_amount = forms.CharField(label=_("Högsta belopp (tomt = ingen gräns)"), required=False)
    label = forms.CharField(label=_("Beskrivning"), max_length=300, required=False)


class DecisionSettingsForm(Form):
    automatic_repeat_decisions = forms.BooleanField(
        label=_("Enkla fortsatta ansökningar får beslutas automatiskt"), required=False
    )
    cost_tolerance_percent = forms.DecimalField(label=_("Tolerans kostnader (%)"), min_value=0)
    cost_tolerance_amount = forms.DecimalField(label=_("Tolerans kostnader (kr)"), min_value=0)
    income_tolerance_percent = forms.DecimalField(label=_("Tolerans inkomster (%)"), min_value=0)
    income_tolerance_amount = forms.DecimalField(label=_("Tolerans inkomster (kr)"), min_value=0)
    review_sample_size = forms.IntegerField(
        label=_("Automatiska beslut som granskas per dag"), min_value=0
    )
    note = forms.CharField(
        label=_("Anledning till ändringen"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class MonthForm(Form):
    month = forms.CharField(
        label=_("Månad"), widget=forms.TextInput(attrs={"type": "month", "placeholder": "ÅÅÅÅ-MM"})
    )

    def clean_month(self) -> dt.date:
        value = self.cleaned_data["month"]
        try:
            year, month = (int(part) for part in value.split("-")[:2])
            return dt.date(year, month, 1)
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Ange månaden som ÅÅÅÅ-MM."))
