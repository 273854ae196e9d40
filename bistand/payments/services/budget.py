"""Payment settings (amount limit, payment account) and budget accounts of a unit."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.core.errors import DomainError, NotFound

from ..bank_accounts import (
    AccountValidationError,
    validate_organisation_number,
)
from ..models import (
    BudgetAccount,
    BudgetAmount,
    BudgetKind,
    PaymentSettings,
)
from ..permissions import require
from .common import _clean_text, _unit_of, parse_amount, payment_service


def current_settings(unit) -> PaymentSettings | None:
    """The unit's payment settings in force: the latest row."""
    return PaymentSettings.objects.filter(unit=unit).order_by("-id").first()


@payment_service
def change_payment_settings(
    actor,
    *,
    amount_limit,
    debtor_name: str,
    debtor_iban: str,
    debtor_bic: str,
    organisation_number: str,
    initiating_party_id: str = "",
    bank_ledger_account: str = "1930",
    note: str = "",
) -> PaymentSettings:
    """A new row of the unit's payment settings (beloppsspärr and payment account); the old
    rows stay as history."""
    require(actor, "manage_payment_settings")
    unit = _unit_of(actor)
    limit = parse_amount(amount_limit, "beloppsspärren")
    iban = "".join(str(debtor_iban).split()).upper()
    if not (iban.startswith("SE") and len(iban) == 24 and iban[2:].isdigit()):
        raise DomainError(
            "bad_iban",
            gettext_lazy("Ange utbetalningskontots IBAN: SE följt av 22 siffror (24 tecken)."),
        )
    if int(iban[4:] + "2814" + iban[2:4]) % 97 != 1:  # ISO 13616 check digits ('SE' = 28 14)
        raise DomainError("bad_iban", gettext_lazy("Kontrollsiffrorna i IBAN stämmer inte."))
    bic = str(debtor_bic).strip().upper()
    if len(bic) not in (8, 11) or not bic.isalnum():
        raise DomainError(
            "bad_bic", gettext_lazy("Ange bankens BIC med 8 eller 11 tecken, t.ex. NDEASESS.")
        )
    try:
        orgnr = validate_organisation_number(organisation_number).formatted()
    except AccountValidationError as error:
        raise DomainError(error.code, error.message_sv)
    ledger = str(bank_ledger_account).strip()
    if not ledger.isdigit() or len(ledger) > 10:
        raise DomainError(
            "bad_ledger_account", gettext_lazy("Bokföringskontot anges med siffror, t.ex. 1930.")
        )
    party = str(initiating_party_id or "").strip()
    if party and (len(party) > 35 or not party.replace("-", "").isalnum()):
        raise DomainError(
            "bad_party_id", gettext_lazy("Kundnumret hos banken får ha högst 35 tecken.")
        )
    previous = current_settings(unit)
    row = PaymentSettings.objects.create(
        unit=unit,
        amount_limit=limit,
        debtor_name=_clean_text(debtor_name, "betalarens namn", 140),
        debtor_iban=iban,
        debtor_bic=bic,
        organisation_number=orgnr,
        initiating_party_id=party,
        bank_ledger_account=ledger,
        note=_clean_text(note, "anledning", 2000, required=False),
        created_by=actor,
    )
    record(
        actor,
        AuditAction.UPDATE,
        obj=row,
        detail={
            "what": "payment_settings",
            "amount_limit": {
                "before": str(previous.amount_limit) if previous else None,
                "after": str(limit),
            },
            "debtor_iban_changed": bool(previous and previous.debtor_iban != iban),
        },
    )
    return row


@payment_service
def create_budget_account(
    actor, *, code: str, name: str, kind: str, line_kind: str = ""
) -> BudgetAccount:
    require(actor, "manage_budget")
    unit = _unit_of(actor)
    code = str(code).strip()
    if not code.isdigit() or not 3 <= len(code) <= 10:
        raise DomainError(
            "bad_account_code", gettext_lazy("Kontonumret anges med 3–10 siffror, t.ex. 4561.")
        )
    if kind not in BudgetKind.values:
        raise DomainError(
            "bad_kind", gettext_lazy("Välj om kontot gäller utbetalningar eller driften.")
        )
    if line_kind and (kind != BudgetKind.ASSISTANCE or line_kind not in _line_kinds()):
        raise DomainError(
            "bad_line_kind",
            gettext_lazy("Bara ett utbetalningskonto kan vara förval för en beslutsrad."),
        )
    if BudgetAccount.objects.filter(unit=unit, code=code).exists():
        raise DomainError("duplicate_account", f"Konto {code} finns redan.")
    account = BudgetAccount.objects.create(
        unit=unit,
        code=code,
        name=_clean_text(name, "kontots namn", 100),
        kind=kind,
        line_kind=line_kind,
        created_by=actor,
    )
    record(actor, AuditAction.CREATE, obj=account, detail={"code": code, "kind": kind})
    return account


def _line_kinds() -> set[str]:
    from bistand.decisions.models import LineKind

    return set(LineKind.values)


@payment_service
def set_yearly_budget(
    actor, account: BudgetAccount, *, year: int, amount, note: str = ""
) -> BudgetAmount:
    """The year's budget for an account, as a new row (earlier figures stay as history)."""
    require(actor, "manage_budget")
    unit = _unit_of(actor)
    if account.unit_id != unit.pk:
        raise NotFound("budget_account_not_found", gettext_lazy("Budgetkontot finns inte."))
    if not 2000 <= int(year) <= 2100:
        raise DomainError("bad_year", gettext_lazy("Ange ett år med fyra siffror."))
    value = Decimal(0) if str(amount).strip() in ("0", "0,00", "0.00") else parse_amount(amount)
    row = BudgetAmount.objects.create(
        account=account,
        year=int(year),
        amount=value,
        note=_clean_text(note, "anledning", 2000, required=False),
        created_by=actor,
    )
    record(
        actor,
        AuditAction.UPDATE,
        obj=row,
        detail={"what": "budget", "account": account.code, "year": year, "amount": str(value)},
    )
    return row
