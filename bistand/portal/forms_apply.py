"""The applicant's forms for applying online (docs/portal.md). Errors are Swedish, at the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bistand.calculation import COST_TYPES, INCOME_TYPES
from bistand.cases.models import ApplicationKind, DocumentKind
from bistand.core.dates import add_months, month_start
from bistand.core.forms import Form
from bistand.core.identity import IdentityNumberError, parse_identity_number
from bistand.core.text import LONG_TEXT
from bistand.households.models import MemberRole

from .services_apply import Statement

MEMBER_ROWS = 6
MONEY_ROWS = 6
MAX_AMOUNT = Decimal("1000000")
# The changes go into the application's note (NOTE_TEXT) with the household proposed.
CHANGES_TEXT = 2500
NAME_TEXT = 100

# What an applicant attaches: the kinds of case documents they would have.
ATTACHMENT_KINDS = [
    (DocumentKind.BANK_STATEMENT, _("Kontoutdrag")),
    (DocumentKind.PAYSLIP, _("Lönebesked")),
    (DocumentKind.RENT_INVOICE, _("Hyresavi eller faktura")),
    (DocumentKind.CERTIFICATE, _("Intyg eller läkarintyg")),
    (DocumentKind.DECISION_OTHER, _("Beslut från annan myndighet")),
    (DocumentKind.OTHER, _("Annat")),
]
ACCEPT = "application/pdf,image/jpeg,image/png"
MEMBER_ROLES = [
    ("", "—"),
    (MemberRole.CO_APPLICANT, _("Make, maka eller sambo")),
    (MemberRole.CHILD, _("Barn")),
    (MemberRole.OTHER_ADULT, _("Annan vuxen")),
]
MEMBER_ROLE_LABELS = dict(MEMBER_ROLES)


def _choices(types) -> list[tuple[str, str]]:
    return [("", "—")] + [(code, kind.label) for code, kind in types.items()]


def labelled_lines(lines: list[dict], prefix: str) -> list[tuple[str, str]]:
    """An application's income or cost lines as (label, amount) to show before signing."""
    types = INCOME_TYPES if prefix == "income" else COST_TYPES
    return [
        (
            types[line["type"]].label if line.get("type") in types else line.get("type", ""),
            line.get("amount", ""),
        )
        for line in lines
    ]


def month_choices(kind: str) -> list[tuple[str, str]]:
    """The months one may apply for: this month and next (a new application may also be for
    last month, the usual time for the first application to arrive)."""
    this = month_start(timezone.localdate())
    months = [this, add_months(this, 1)]
    if kind == ApplicationKind.NEW:
        months.insert(0, add_months(this, -1))
    return [(m.strftime("%Y-%m"), m.strftime("%Y-%m")) for m in months]


class AttachmentField(forms.FileField):
    widget = forms.ClearableFileInput(attrs={"accept": ACCEPT})


class ApplicationForm(Form):
    """New (with the household) or repeat application. Bound to what the applicant typed;
    the draft keeps the raw values, so a refused form loses nothing."""

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["month"] = forms.ChoiceField(
            label=_("Vilken månad söker du för?"),
            choices=[("", "—")] + month_choices(kind),
            error_messages={
                "required": _("Välj månad."),
                "invalid_choice": _("Välj en av månaderna i listan."),
            },
        )
        if kind == ApplicationKind.NEW:
            for i in range(MEMBER_ROWS):
                self.fields[f"member_name_{i}"] = forms.CharField(
                    label=_("Namn"), required=False, max_length=NAME_TEXT
                )
                self.fields[f"member_number_{i}"] = forms.CharField(
                    label=_("Personnummer"),
                    required=False,
                    max_length=20,
                    help_text=_("ÅÅÅÅMMDD-NNNN, för den som inte redan finns i hushållet"),
                )
                self.fields[f"member_role_{i}"] = forms.ChoiceField(
                    label=_("Vem är det?"), required=False, choices=MEMBER_ROLES
                )
        for prefix, types, label in (
            ("income", INCOME_TYPES, _("Inkomst")),
            ("cost", COST_TYPES, _("Kostnad")),
        ):
            for i in range(MONEY_ROWS):
                self.fields[f"{prefix}_type_{i}"] = forms.ChoiceField(
                    label=label, required=False, choices=_choices(types)
                )
                self.fields[f"{prefix}_amount_{i}"] = forms.CharField(
                    label=_("Belopp i kronor"),
                    required=False,
                    max_length=20,
                    widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                )
        self.fields["changes"] = forms.CharField(
            label=(
                _("Har något ändrats sedan förra ansökan?")
                if kind == ApplicationKind.REPEAT
                else _("Något mer du vill berätta?")
            ),
            required=False,
            max_length=CHANGES_TEXT,
            widget=forms.Textarea(attrs={"rows": 4}),
        )
        self.fields["attachment"] = AttachmentField(
            label=_("Bifoga en fil (PDF, JPEG eller PNG, högst 10 MB)"), required=False
        )
        self.fields["attachment_kind"] = forms.ChoiceField(
            label=_("Vad är filen?"), required=False, choices=ATTACHMENT_KINDS
        )
        self.fields["assured"] = forms.BooleanField(
            label=_(
                "Jag försäkrar att uppgifterna är sanna och fullständiga, och jag vet att jag "
                "måste berätta om något ändras."
            ),
            required=False,
        )

    # Rows for the template.
    def member_rows(self):
        if self.kind != ApplicationKind.NEW:
            return []
        return [
            (self[f"member_name_{i}"], self[f"member_number_{i}"], self[f"member_role_{i}"])
            for i in range(MEMBER_ROWS)
        ]

    def money_rows(self, prefix: str):
        return [
            (self[f"{prefix}_type_{i}"], self[f"{prefix}_amount_{i}"]) for i in range(MONEY_ROWS)
        ]

    def income_rows(self):
        return self.money_rows("income")

    def cost_rows(self):
        return self.money_rows("cost")

    def raw_data(self) -> dict:
        """What the applicant typed, as strings, for the draft (files excluded)."""
        data = {}
        for name in self.fields:
            if name in ("attachment",):
                continue
            value = self.data.get(name, "")
            if name == "assured":
                value = "on" if value else ""
            data[name] = str(value).replace("\x00", "")[:LONG_TEXT]
        return data

    def clean(self):
        cleaned = super().clean()
        self._money("income")
        self._money("cost")
        if self.kind == ApplicationKind.NEW:
            self._members()
        if self.files.get("attachment") is not None and not cleaned.get("attachment_kind"):
            self.add_error("attachment_kind", _("Välj vad filen är."))
        return cleaned

    def _money(self, prefix: str) -> None:
        lines = []
        for i in range(MONEY_ROWS):
            kind = self.cleaned_data.get(f"{prefix}_type_{i}", "")
            raw = (self.cleaned_data.get(f"{prefix}_amount_{i}") or "").strip()
            if not kind and not raw:
                continue
            if not kind:
                self.add_error(f"{prefix}_type_{i}", _("Välj vad beloppet gäller."))
                continue
            amount = _amount(raw)
            if amount is None:
                self.add_error(
                    f"{prefix}_amount_{i}",
                    _("Skriv beloppet i kronor med siffror, till exempel 4500 eller 4500,50."),
                )
                continue
            lines.append({"type": kind, "amount": f"{amount:.2f}"})
        self.cleaned_data[f"{prefix}_lines"] = lines

    def _members(self) -> None:
        members = []
        for i in range(MEMBER_ROWS):
            name = (self.cleaned_data.get(f"member_name_{i}") or "").strip()
            number = (self.cleaned_data.get(f"member_number_{i}") or "").strip()
            role = self.cleaned_data.get(f"member_role_{i}") or ""
            if not (name or number or role):
                continue
            if not name:
                self.add_error(f"member_name_{i}", _("Skriv personens namn."))
            if not role:
                self.add_error(f"member_role_{i}", _("Välj vem personen är."))
            if number:
                try:
                    number = parse_identity_number(number).formatted()
                except IdentityNumberError:
                    self.add_error(
                        f"member_number_{i}",
                        _("Personnumret stämmer inte. Skriv det som ÅÅÅÅMMDD-NNNN."),
                    )
                    continue
            members.append(
                {
                    "name": name,
                    "number": number,
                    "role": role,
                    "role_label": str(MEMBER_ROLE_LABELS.get(role, "")),
                }
            )
        self.cleaned_data["members"] = members

    def statement(self) -> Statement:
        month = dt.date.fromisoformat(self.cleaned_data["month"] + "-01")
        return Statement(
            month=month,
            members=self.cleaned_data.get("members", []),
            incomes=self.cleaned_data["income_lines"],
            costs=self.cleaned_data["cost_lines"],
            changes=self.cleaned_data.get("changes", "").strip(),
            assured=bool(self.cleaned_data.get("assured")),
        )


def _amount(raw: str) -> Decimal | None:
    text = raw.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if text.lower().endswith("kr"):
        text = text[:-2]
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
        return None
    return amount.quantize(Decimal("0.01"))


class DocumentsForm(Form):
    """Send documents to the case later, or answer a completion request."""

    def __init__(self, *args, answer: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.answer = answer
        self.fields["file"] = AttachmentField(
            label=_("Fil (PDF, JPEG eller PNG, högst 10 MB)"), required=not answer
        )
        self.fields["file"].error_messages["required"] = _("Välj en fil.")
        self.fields["kind"] = forms.ChoiceField(label=_("Vad är filen?"), choices=ATTACHMENT_KINDS)
        if answer:
            self.fields["text"] = forms.CharField(
                label=_("Meddelande till handläggaren (frivilligt)"),
                required=False,
                max_length=LONG_TEXT,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def clean(self):
        cleaned = super().clean()
        if self.answer and not cleaned.get("file") and not (cleaned.get("text") or "").strip():
            self.add_error("file", _("Bifoga en fil eller skriv ett svar."))
        return cleaned


class CompletionRequestForm(Form):
    """The handler's request for documents (staff, case page)."""

    text = forms.CharField(
        label=_("Vilka handlingar behövs?"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv vilka handlingar som behövs.")},
    )
    due_on = forms.DateField(
        label=_("Senast"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Ange sista dag."),
            "invalid": _("Ange datumet som ÅÅÅÅ-MM-DD."),
        },
    )
