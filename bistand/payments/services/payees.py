"""Payees and their account versions (registered by finance only; full numbers sealed)."""

from __future__ import annotations

from dataclasses import dataclass

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.core.errors import DomainError, NotFound
from bistand.core.identity import IdentityNumberError, parse_identity_number
from bistand.households.models import ADULT_ROLES, HouseholdMembership, Person

from ..bank_accounts import (
    AccountValidationError,
    validate_bank_account,
    validate_bankgiro,
    validate_organisation_number,
    validate_plusgiro,
)
from ..models import (
    AccountKind,
    AccountNumber,
    Payee,
    PayeeAccount,
    PayeeKind,
)
from ..permissions import require
from .common import _clean_text, _unit_of, payment_service


@dataclass(frozen=True)
class ValidatedAccount:
    kind: str
    bank_name: str
    masked: str
    clearing: str
    clearing_check_digit: str
    number: str


def validate_account(kind: str, number: str, clearing: str = "") -> ValidatedAccount:
    """Validate an account of the given kind; a Swedish DomainError names what is wrong."""
    try:
        if kind == AccountKind.BANK_ACCOUNT:
            account = validate_bank_account(clearing, number)
            return ValidatedAccount(
                kind,
                account.bank_name,
                account.masked(),
                account.clearing,
                account.clearing_check_digit,
                account.account,
            )
        if kind == AccountKind.BANKGIRO:
            giro = validate_bankgiro(number)
            return ValidatedAccount(
                kind, "Bankgirot", mask_giro("Bankgiro", giro.number), "", "", giro.number
            )
        if kind == AccountKind.PLUSGIRO:
            plus = validate_plusgiro(number)
            return ValidatedAccount(
                kind, "Plusgirot", mask_giro("Plusgiro", plus.number), "", "", plus.number
            )
    except AccountValidationError as error:
        raise DomainError(error.code, error.message_sv)
    raise DomainError("bad_account_kind", "Välj bankkonto, bankgiro eller plusgiro.")


def mask_giro(label: str, number: str) -> str:
    return f"{label}, ****{number[-4:]}"


def _add_account_version(
    actor, payee: Payee, account: ValidatedAccount, reason: str
) -> PayeeAccount:
    latest = payee.account_versions.order_by("-version").values_list("version", flat=True).first()
    version = PayeeAccount.objects.create(
        payee=payee,
        version=(latest or 0) + 1,
        kind=account.kind,
        bank_name=account.bank_name,
        masked=account.masked,
        reason=reason,
        registered_by=actor,
    )
    AccountNumber.objects.create(
        account=version,
        clearing=account.clearing,
        clearing_check_digit=account.clearing_check_digit,
        number=account.number,
    )
    Payee.objects.filter(pk=payee.pk).update(current_account=version)
    payee.current_account = version
    return version


def _person_for_payee(unit, identity_number: str) -> Person:
    try:
        canonical = parse_identity_number(identity_number).canonical
    except IdentityNumberError as error:
        raise DomainError(error.code, error.message)
    person = Person.objects.filter(identity_number=canonical).first()
    on_case = (
        person is not None
        and HouseholdMembership.objects.filter(
            person=person,
            role__in=ADULT_ROLES,
            household__cases__unit=unit,
        ).exists()
    )
    if not on_case:
        raise DomainError(
            "person_not_on_case",
            "Personen är inte sökande eller medsökande i något ärende på enheten. Kontot "
            "registreras för den som ska få utbetalningen.",
        )
    return person


@payment_service
def register_person_payee(
    actor, *, identity_number: str, clearing: str, account_number: str, reason: str = ""
) -> Payee:
    """Finance registers an applicant's bank account (a new payee, version 1)."""
    require(actor, "manage_payees")
    unit = _unit_of(actor)
    person = _person_for_payee(unit, identity_number)
    account = validate_account(AccountKind.BANK_ACCOUNT, account_number, clearing)
    if Payee.objects.filter(unit=unit, person=person).exists():
        raise DomainError(
            "payee_exists",
            f"{person.full_name} finns redan i mottagarregistret; ändra kontot där i stället.",
        )
    payee = Payee.objects.create(
        unit=unit, kind=PayeeKind.PERSON, person=person, name=person.full_name, created_by=actor
    )
    version = _add_account_version(
        actor, payee, account, _clean_text(reason, "", 500, required=False)
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=payee,
        person_id=person.pk,
        detail={"what": "payee", "account_version": version.version, "account": account.masked},
    )
    return payee


@payment_service
def register_organisation_payee(
    actor,
    *,
    name: str,
    organisation_number: str,
    account_kind: str,
    number: str,
    clearing: str = "",
    reason: str = "",
) -> Payee:
    """Finance registers a landlord, utility or other organisation with its bankgiro, plusgiro
    or bank account."""
    require(actor, "manage_payees")
    unit = _unit_of(actor)
    try:
        orgnr = validate_organisation_number(organisation_number).formatted()
    except AccountValidationError as error:
        raise DomainError(error.code, error.message_sv)
    account = validate_account(account_kind, number, clearing)
    payee = Payee.objects.create(
        unit=unit,
        kind=PayeeKind.ORGANISATION,
        name=_clean_text(name, "mottagarens namn", 140),
        organisation_number=orgnr,
        created_by=actor,
    )
    version = _add_account_version(
        actor, payee, account, _clean_text(reason, "", 500, required=False)
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=payee,
        detail={"what": "payee", "account_version": version.version, "account": account.masked},
    )
    return payee


@payment_service
def change_payee_account(
    actor, payee: Payee, *, account_kind: str, number: str, clearing: str = "", reason: str
) -> PayeeAccount:
    """A new account version for a payee; the old versions stay. Orders registered against an
    older version are held back until registered again (and so attested against the new one)."""
    require(actor, "manage_payees")
    payee = Payee.objects.select_for_update().get(pk=payee.pk)
    if payee.unit_id != actor.unit_id:
        raise NotFound("payee_not_found", "Mottagaren finns inte.")
    if payee.kind == PayeeKind.PERSON and account_kind != AccountKind.BANK_ACCOUNT:
        raise DomainError(
            "person_needs_bank_account", "En privatperson får utbetalningen till ett bankkonto."
        )
    reason = _clean_text(reason, "anledningen till ändringen", 500)
    account = validate_account(account_kind, number, clearing)
    previous = payee.current_account
    version = _add_account_version(actor, payee, account, reason)
    record(
        actor,
        AuditAction.UPDATE,
        obj=payee,
        person_id=payee.person_id,
        detail={
            "what": "payee_account",
            "before": previous.masked if previous else None,
            "after": account.masked,
            "version": version.version,
            "reason": reason,
        },
    )
    return version
