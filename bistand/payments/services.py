"""Every change of state in payments, named for the act. Each takes the acting user first,
checks permission and the rules (the broken payment chain above all), writes the audit record
and runs in one transaction; a refusal is logged after the rollback.

The database checks the chain again (migration 0002), so a forgotten check here, or a direct
ORM write, is refused there.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import Case
from bistand.cases.rules import can_open_case
from bistand.core.dates import is_working_day, next_working_day
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.core.identity import IdentityNumberError, parse_identity_number
from bistand.decisions.models import Decision, DecisionLine, DecisionStatus, Outcome
from bistand.households.models import ADULT_ROLES, HouseholdMembership, Person
from bistand.organisation.models import Role

from . import crashpoints
from .bank_accounts import (
    AccountValidationError,
    BankAccount,
    Bankgiro,
    Plusgiro,
    validate_bank_account,
    validate_bankgiro,
    validate_ocr,
    validate_organisation_number,
    validate_plusgiro,
)
from .iso20022 import (
    REASON_TEXTS_SV,
    CreditTransfer,
    DebtorAccount,
    Pain001Error,
    Pain001Summary,
    Pain001ValidationError,
    PaymentBatch,
    PaymentOutcome,
    StatusReport,
    StatusReportError,
    parse_camt054,
    parse_pain002,
    validate_pain001,
    write_pain001_file,
)
from .models import (
    BANK_METHODS,
    COMMITTED_STATUSES,
    OPEN_RUN_STATUSES,
    ORDER_STATUS_TRANSITIONS,
    RUN_STATUS_TRANSITIONS,
    UNSENT_STATUSES,
    AccountKind,
    AccountNumber,
    Attestation,
    BudgetAccount,
    BudgetAmount,
    BudgetKind,
    OrderStatus,
    Payee,
    PayeeAccount,
    PayeeKind,
    PaymentMethod,
    PaymentOrder,
    PaymentRun,
    PaymentSettings,
    ReconciliationLine,
    RequisitionSeries,
    RunStatus,
    StatusReportImport,
    end_to_end_id,
    order_id_from_end_to_end,
)
from .permissions import can, require

CENT = Decimal("0.01")
AUDIT_CHUNK = 5000
ORDER_TYPE = PaymentOrder._meta.label_lower
RUN_TYPE = PaymentRun._meta.label_lower
PAYEE_TYPE = Payee._meta.label_lower
GRANTING_OUTCOMES = (Outcome.GRANTED, Outcome.PARTLY_GRANTED)
# The two batches (PmtInf) of a payment file: social benefit to persons, supplier invoices.
BATCH_SUFFIX = {PaymentMethod.ACCOUNT: "P", PaymentMethod.INVOICE: "F"}
CATEGORY_PURPOSE = {PaymentMethod.ACCOUNT: "SSBE", PaymentMethod.INVOICE: "SUPP"}


class ChainRefused(PermissionRefused):
    """The broken payment chain stops this act; the message names the rule."""


def payment_service(function):
    """One transaction per service; a refusal is logged (access_denied) after the rollback, so
    the record of the refused attempt survives."""

    @functools.wraps(function)
    def wrapper(actor, *args, **kwargs):
        try:
            with transaction.atomic():
                return function(actor, *args, **kwargs)
        except PermissionRefused as error:
            record(
                actor,
                AuditAction.ACCESS_DENIED,
                object_type=error.context.get("object_type", ""),
                object_id=error.context.get("object_id", ""),
                case_id=error.context.get("case_id"),
                detail={"what": function.__name__, "rule": error.code},
            )
            raise

    return wrapper


def _require_logged(actor, capability: str, what: str) -> None:
    """`require` for services that manage their own transactions: a refusal is logged too."""
    try:
        require(actor, capability)
    except PermissionRefused as error:
        record(actor, AuditAction.ACCESS_DENIED, detail={"what": what, "rule": error.code})
        raise


# --- Small helpers -------------------------------------------------------------------------


def parse_amount(value, what: str = "beloppet") -> Decimal:
    """A positive amount in kronor ('6 500,50', '6500.50', Decimal) -> Decimal with 2 decimals."""
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value if value is not None else "").strip().lower().removesuffix("kr")
        text = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise DomainError(
                "bad_amount", f"Ange {what} i kronor, till exempel 6 500 eller 6 500,50."
            )
    if not amount.is_finite() or amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise DomainError("bad_amount", f"Ange {what} i kronor med högst två decimaler.")
    if amount <= 0:
        raise DomainError("bad_amount", f"{what.capitalize()} måste vara större än noll.")
    if amount >= Decimal("10000000"):
        raise DomainError("bad_amount", f"{what.capitalize()} är orimligt stort.")
    return amount.quantize(CENT)


def sek(amount: Decimal) -> str:
    """6890.5 -> '6 890,50 kr'."""
    whole, _, cents = f"{amount:.2f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{' '.join(groups) or '0'},{cents} kr"


def _clean_text(value: str, what: str, max_length: int, *, required: bool = True) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise DomainError("missing", f"Ange {what}.")
    if len(text) > max_length:
        raise DomainError("too_long", f"{what.capitalize()} får vara högst {max_length} tecken.")
    return text


def _transition(order: PaymentOrder, new_status: str) -> None:
    if new_status not in ORDER_STATUS_TRANSITIONS[OrderStatus(order.status)]:
        raise DomainError(
            "bad_transition",
            f"Utbetalningen {order.reference} är {order.get_status_display().lower()} och kan "
            f"inte bli {OrderStatus(new_status).label.lower()}.",
        )
    order.status = new_status


def _transition_run(run: PaymentRun, new_status: str) -> None:
    if new_status not in RUN_STATUS_TRANSITIONS[RunStatus(run.status)]:
        raise DomainError(
            "bad_transition",
            f"Betalningsfilen {run.reference} är {run.get_status_display().lower()} och kan inte "
            f"bli {RunStatus(new_status).label.lower()}.",
        )
    run.status = new_status


def _unit_of(actor):
    if actor.unit_id is None:
        raise DomainError("no_unit", "Du är inte placerad på någon enhet.")
    return actor.unit


def _order_refs(order: PaymentOrder) -> dict:
    return {"object_type": ORDER_TYPE, "object_id": order.pk, "case_id": order.case_id}


def id_ranges(ids: Iterable[int]) -> str:
    """Order ids as compact ranges for an audit record: [1, 2, 3, 7, 9, 10] -> '1-3,7,9-10'."""
    parts: list[str] = []
    start = previous = None
    for current in sorted(ids):
        if previous is not None and current == previous + 1:
            previous = current
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = current
    if start is not None:
        parts.append(str(start) if start == previous else f"{start}-{previous}")
    return ",".join(parts)


# --- Settings and budget -----------------------------------------------------------------------


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
            "bad_iban", "Ange utbetalningskontots IBAN: SE följt av 22 siffror (24 tecken)."
        )
    if int(iban[4:] + "2814" + iban[2:4]) % 97 != 1:  # ISO 13616 check digits ('SE' = 28 14)
        raise DomainError("bad_iban", "Kontrollsiffrorna i IBAN stämmer inte.")
    bic = str(debtor_bic).strip().upper()
    if len(bic) not in (8, 11) or not bic.isalnum():
        raise DomainError("bad_bic", "Ange bankens BIC med 8 eller 11 tecken, t.ex. NDEASESS.")
    try:
        orgnr = validate_organisation_number(organisation_number).formatted()
    except AccountValidationError as error:
        raise DomainError(error.code, error.message_sv)
    ledger = str(bank_ledger_account).strip()
    if not ledger.isdigit() or len(ledger) > 10:
        raise DomainError("bad_ledger_account", "Bokföringskontot anges med siffror, t.ex. 1930.")
    party = str(initiating_party_id or "").strip()
    if party and (len(party) > 35 or not party.replace("-", "").isalnum()):
        raise DomainError("bad_party_id", "Kundnumret hos banken får ha högst 35 tecken.")
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
        raise DomainError("bad_account_code", "Kontonumret anges med 3–10 siffror, t.ex. 4561.")
    if kind not in BudgetKind.values:
        raise DomainError("bad_kind", "Välj om kontot gäller utbetalningar eller driften.")
    if line_kind and (kind != BudgetKind.ASSISTANCE or line_kind not in _line_kinds()):
        raise DomainError(
            "bad_line_kind", "Bara ett utbetalningskonto kan vara förval för en beslutsrad."
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
        raise NotFound("budget_account_not_found", "Budgetkontot finns inte.")
    if not 2000 <= int(year) <= 2100:
        raise DomainError("bad_year", "Ange ett år med fyra siffror.")
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


# --- Payees ----------------------------------------------------------------------------------


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


# --- Payment orders ----------------------------------------------------------------------------


def replaced_decision_ids():
    """Ids of decisions replaced by a later final decision (not in force), as a subquery."""
    return Decision.objects.filter(status=DecisionStatus.FINAL, replaces__isnull=False).values(
        "replaces_id"
    )


def _decision_chain_ids(decision: Decision) -> list[int]:
    """The decision and every decision it replaces, transitively."""
    ids = [decision.pk]
    current = decision
    while current.replaces_id is not None and current.replaces_id not in ids:
        ids.append(current.replaces_id)
        current = Decision.objects.only("id", "replaces_id").get(pk=current.replaces_id)
    return ids


def committed_on_line(line: DecisionLine) -> Decimal:
    """What orders already hold of a line: on this line, and on the same line (same key) of
    the decisions this decision corrects, so a corrected decision cannot pay a month twice."""
    chain = _decision_chain_ids(line.decision)
    total = PaymentOrder.objects.filter(
        Q(decision_line=line) | Q(decision_id__in=chain[1:], decision_line__key=line.key),
        status__in=COMMITTED_STATUSES,
    ).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0.00")


def remaining_on_line(line: DecisionLine) -> Decimal:
    return max(line.amount_granted - committed_on_line(line), Decimal("0.00"))


def check_decision_payable(decision: Decision) -> None:
    """A payment comes only from a final decision granting (in part) that is still in force."""
    if decision.status != DecisionStatus.FINAL or decision.decided_at is None:
        raise DomainError(
            "decision_not_final",
            "Utbetalning kan bara registreras från ett fattat beslut, inte från ett utkast.",
        )
    if decision.outcome not in GRANTING_OUTCOMES:
        raise DomainError(
            "decision_not_granted",
            "Utbetalning kan bara registreras från ett beslut om bifall eller delvis bifall.",
        )
    if Decision.objects.filter(replaces=decision, status=DecisionStatus.FINAL).exists():
        raise DomainError(
            "decision_replaced",
            f"Beslut {decision.reference} har ersatts av ett senare beslut och gäller inte "
            "längre; utbetalningen görs från det gällande beslutet.",
        )


def _check_decider_not_account_registrant(decision: Decision, account: PayeeAccount | None):
    if account is not None and decision.decided_by_id == account.registered_by_id:
        raise ChainRefused(
            "chain_decider_registered_account",
            "Samma person har fattat beslutet och registrerat mottagarens konto. Bruten "
            "utbetalningskedja: den som lägger in ett konto och den som beslutar ska vara olika "
            "personer. Kontot behöver registreras av någon annan.",
        )


def _default_budget_account(unit, line: DecisionLine) -> BudgetAccount:
    accounts = BudgetAccount.objects.filter(unit=unit, kind=BudgetKind.ASSISTANCE)
    account = accounts.filter(line_kind=line.kind).first() or accounts.filter(line_kind="").first()
    if account is None:
        raise DomainError(
            "no_budget_account",
            "Enheten saknar ett budgetkonto för utbetalning av ekonomiskt bistånd. Ekonom eller "
            "enhetschef lägger upp det under Budget.",
        )
    return account


def _payee_for_account_payment(case: Case, payee: Payee | None) -> Payee:
    adults = HouseholdMembership.objects.filter(
        household_id=case.household_id, role__in=ADULT_ROLES
    ).values("person_id")
    if payee is None:
        payee = (
            Payee.objects.filter(unit_id=case.unit_id, person_id__in=adults).order_by("id").first()
        )
        if payee is None:
            raise DomainError(
                "no_applicant_account",
                "Sökanden har inget konto i mottagarregistret. Ekonomen registrerar kontot "
                "innan utbetalningen kan registreras.",
            )
    if (
        payee.kind != PayeeKind.PERSON
        or not HouseholdMembership.objects.filter(
            household_id=case.household_id, role__in=ADULT_ROLES, person_id=payee.person_id
        ).exists()
    ):
        raise DomainError(
            "account_payment_not_to_applicant",
            "Utbetalning till konto går till sökandens (eller medsökandens) eget konto. Till "
            "hyresvärd eller elbolag betalar man mot faktura.",
        )
    return payee


def _next_requisition_number(unit, year: int) -> str:
    series, _ = RequisitionSeries.objects.get_or_create(unit=unit, year=year)
    series = RequisitionSeries.objects.select_for_update().get(pk=series.pk)
    series.last_number += 1
    series.save(update_fields=["last_number"])
    return f"R{year}-{unit.pk}-{series.last_number:05d}"


@dataclass
class OrderInput:
    method: str
    amount: object
    payee: Payee | None = None
    pay_on: dt.date | None = None
    ocr_reference: str = ""
    message: str = ""
    invoice_number: str = ""
    due_on: dt.date | None = None
    requisition_supplier: str = ""
    requisition_valid_until: dt.date | None = None
    cash_reason: str = ""
    note: str = ""
    budget_account: BudgetAccount | None = None


@payment_service
def create_payment_order(actor, decision_line: DecisionLine, data: OrderInput) -> PaymentOrder:
    """Register a payment from a granted decision line: to the applicant's account, to a payee
    against an invoice, as a numbered requisition, or (exceptionally) as cash."""
    require(actor, "create_order")
    line = (
        DecisionLine.objects.select_for_update(of=("self",))
        .select_related("decision")
        .get(pk=decision_line.pk)
    )
    decision = line.decision
    case = Case.objects.select_related("unit").get(pk=decision.case_id)
    if not can_open_case(actor, case) or case.unit_id != actor.unit_id:
        raise PermissionRefused(
            "case_access_denied",
            "Du har inte behörighet till ärendet som beslutet gäller.",
            object_type="cases.case",
            object_id=case.pk,
            case_id=case.pk,
        )
    return _create_order(actor, line, case, data)


def _create_order(
    actor, line: DecisionLine, case: Case, data: OrderInput, *, reissue_of=None
) -> PaymentOrder:
    decision = line.decision
    check_decision_payable(decision)
    amount = parse_amount(data.amount)
    if line.amount_granted <= 0:
        raise DomainError("line_not_granted", "Beslutsraden beviljar inget belopp.")
    committed = committed_on_line(line)
    if committed + amount > line.amount_granted:
        remaining = max(line.amount_granted - committed, Decimal("0.00"))
        raise DomainError(
            "over_granted",
            f"Beloppet {sek(amount)} är mer än det som återstår att betala ut på beslutsraden: "
            f"{sek(remaining)} av beviljade {sek(line.amount_granted)}. Summan av "
            "utbetalningarna får inte överstiga det beviljade beloppet.",
        )
    today = timezone.localdate()
    method = data.method
    fields: dict = {}
    payee = data.payee
    if payee is not None and payee.unit_id != case.unit_id:
        raise NotFound("payee_not_found", "Mottagaren finns inte.")
    if method == PaymentMethod.ACCOUNT:
        payee = _payee_for_account_payment(case, payee)
        fields["message"] = _clean_text(
            data.message or f"Ekonomiskt bistånd {decision.month:%Y-%m}", "meddelandet", 140
        )
        pay_on = data.pay_on or next_working_day(today)
    elif method == PaymentMethod.INVOICE:
        if payee is None:
            raise DomainError("missing_payee", "Välj mottagare (hyresvärd, elbolag ...).")
        if data.due_on is None:
            raise DomainError("missing_due_date", "Ange fakturans förfallodag.")
        fields["due_on"] = data.due_on
        fields["invoice_number"] = _clean_text(
            data.invoice_number, "fakturanummer", 40, required=False
        )
        if data.ocr_reference:
            try:
                fields["ocr_reference"] = validate_ocr(data.ocr_reference)
            except AccountValidationError as error:
                raise DomainError(error.code, error.message_sv)
        else:
            text = data.message or (
                f"Faktura {fields['invoice_number']}" if fields["invoice_number"] else ""
            )
            if not text:
                raise DomainError(
                    "missing_reference",
                    "Ange fakturans OCR-nummer, eller fakturanummer eller meddelande så att "
                    "mottagaren känner igen betalningen.",
                )
            fields["message"] = _clean_text(text, "meddelandet", 140)
        pay_on = data.pay_on or max(data.due_on, today)
    elif method == PaymentMethod.REQUISITION:
        payee = None
        fields["requisition_supplier"] = _clean_text(
            data.requisition_supplier, "butik eller leverantör för rekvisitionen", 140
        )
        valid_until = data.requisition_valid_until or today + dt.timedelta(days=14)
        if valid_until < today:
            raise DomainError("requisition_expired", "Rekvisitionen måste gälla framåt i tiden.")
        fields["requisition_valid_until"] = valid_until
        pay_on = data.pay_on or today
    elif method == PaymentMethod.CASH:
        payee = None
        fields["cash_reason"] = _clean_text(
            data.cash_reason,
            "skälet till kontant utbetalning (kontant betalas bara i undantagsfall)",
            2000,
        )
        pay_on = data.pay_on or today
    else:
        raise DomainError("bad_method", "Välj betalningssätt.")
    if pay_on < today:
        raise DomainError("pay_on_past", "Betalningsdagen kan inte ligga bakåt i tiden.")
    account = None
    if method in BANK_METHODS:
        account = payee.current_account
        if account is None:
            raise DomainError("payee_without_account", f"{payee.name} har inget konto registrerat.")
        _check_decider_not_account_registrant(decision, account)
    budget_account = data.budget_account or _default_budget_account(case.unit, line)
    if budget_account.unit_id != case.unit_id or budget_account.kind != BudgetKind.ASSISTANCE:
        raise DomainError(
            "operating_budget",
            "Utbetalningar av ekonomiskt bistånd bokförs på enhetens konto för utbetalningar, "
            "aldrig på driftbudgeten.",
        )
    if method == PaymentMethod.CASH:
        applicant = case.household.applicant_on(today)
        payee_name = applicant.full_name if applicant else "Sökande"
    elif method == PaymentMethod.REQUISITION:
        payee_name = fields["requisition_supplier"]
    else:
        payee_name = payee.name
    if method == PaymentMethod.REQUISITION:
        fields["requisition_number"] = _next_requisition_number(case.unit, today.year)
    order = PaymentOrder.objects.create(
        unit=case.unit,
        case=case,
        decision=decision,
        decision_line=line,
        month=decision.month,
        budget_account=budget_account,
        amount=amount,
        method=method,
        payee=payee,
        payee_account=account,
        payee_name=payee_name,
        payee_masked=account.masked if account else "",
        pay_on=pay_on,
        note=_clean_text(data.note, "anteckning", 2000, required=False),
        created_by=actor,
        created_at=timezone.now(),
        reissue_of=reissue_of,
        **fields,
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=order,
        case_id=case.pk,
        detail={
            "what": "payment_order",
            "method": method,
            "amount": str(amount),
            "decision": decision.pk,
            "line": line.pk,
            "payee": payee.pk if payee else None,
            "account_version": account.version if account else None,
            "reissue_of": reissue_of.pk if reissue_of else None,
        },
    )
    return order


def _lock_order(order: PaymentOrder) -> PaymentOrder:
    return (
        PaymentOrder.objects.select_for_update(of=("self",))
        .select_related("decision", "payee_account", "case")
        .get(pk=order.pk)
    )


def check_chain(actor, order: PaymentOrder, level: int) -> None:
    """The broken payment chain for one attestation. Raises ChainRefused naming the rule."""
    refs = _order_refs(order)
    decision = order.decision
    account = order.payee_account
    if decision.decided_by_id == actor.pk:
        raise ChainRefused(
            "chain_decider_attests",
            "Du fattade beslutet och får inte attestera utbetalningen. Bruten "
            "utbetalningskedja: den som beslutar och den som attesterar ska vara olika personer.",
            **refs,
        )
    if account is not None and account.registered_by_id == actor.pk:
        raise ChainRefused(
            "chain_account_registrant_attests",
            "Du registrerade eller ändrade mottagarens konto och får inte attestera "
            "utbetalningen. Bruten utbetalningskedja: den som lägger in ett konto och den som "
            "attesterar ska vara olika personer.",
            **refs,
        )
    if account is not None and account.registered_by_id == decision.decided_by_id:
        raise ChainRefused(
            "chain_decider_registered_account",
            "Samma person har fattat beslutet och registrerat mottagarens konto. Bruten "
            "utbetalningskedja: den som lägger in ett konto och den som beslutar ska vara olika "
            "personer.",
            **refs,
        )
    if level == 1 and order.method == PaymentMethod.REQUISITION and order.created_by_id == actor.pk:
        raise ChainRefused(
            "chain_requisition_countersign",
            "En rekvisition blir giltig först när någon annan än den som utfärdade den har "
            "kontrasignerat den.",
            **refs,
        )
    if level == 2:
        first = order.attestations.filter(level=1).values_list("attested_by_id", flat=True).first()
        if first == actor.pk:
            raise ChainRefused(
                "chain_second_attest_same_person",
                "Du gjorde den första attesten. Belopp över beloppsspärren ska attesteras av "
                "ytterligare en person.",
                **refs,
            )


def _check_attest_role(actor, order: PaymentOrder, level: int) -> None:
    refs = _order_refs(order)
    if level == 1 and order.method == PaymentMethod.CASH:
        if not can(actor, "approve_cash"):
            raise ChainRefused(
                "cash_needs_unit_head",
                "Kontant utbetalning görs bara i undantagsfall och kräver enhetschefens "
                "godkännande. Enhetschefen attesterar den.",
                **refs,
            )
        return
    if level == 2 and not can(actor, "second_attest"):
        raise ChainRefused(
            "second_attest_needs_head",
            "Beloppet är över beloppsspärren: den andra attesten görs av en sektionschef eller "
            "enhetschef.",
            **refs,
        )
    require(actor, "attest_order")


@payment_service
def attest_order(actor, order: PaymentOrder) -> PaymentOrder:
    """Attest an order (level 1), or give the second attestation an order above the amount limit
    needs (level 2). For a requisition the attestation is its countersignature, for cash the
    unit head's approval."""
    order = _lock_order(order)
    if order.status == OrderStatus.REGISTERED:
        level = 1
    elif order.status == OrderStatus.AWAITING_SECOND:
        level = 2
    else:
        raise DomainError(
            "not_awaiting_attestation",
            f"Utbetalningen {order.reference} är {order.get_status_display().lower()} och "
            "väntar inte på attest.",
        )
    _check_attest_role(actor, order, level)
    if not can_open_case(actor, order.case) or order.unit_id != actor.unit_id:
        raise PermissionRefused(
            "case_access_denied",
            "Du har inte behörighet till ärendet som utbetalningen gäller.",
            **_order_refs(order),
        )
    check_decision_payable(order.decision)
    if order.payee_id is not None:
        current = Payee.objects.filter(pk=order.payee_id).values_list(
            "current_account_id", flat=True
        )[0]
        if current != order.payee_account_id:
            raise DomainError(
                "account_changed",
                "Mottagarens konto har ändrats sedan utbetalningen registrerades. Registrera om "
                "utbetalningen så att den nya kontouppgiften attesteras.",
            )
    check_chain(actor, order, level)
    limit = None
    if level == 1:
        settings_row = current_settings(order.unit)
        if settings_row is None:
            raise DomainError(
                "no_amount_limit",
                "Enheten har ingen beloppsspärr inlagd. Enhetschefen lägger in den under "
                "Utbetalningsinställningar innan något kan attesteras.",
            )
        limit = settings_row.amount_limit
        needs_second = order.amount > limit
        new_status = OrderStatus.AWAITING_SECOND if needs_second else OrderStatus.ATTESTED
    else:
        new_status = OrderStatus.ATTESTED
    Attestation.objects.create(
        order=order,
        level=level,
        attested_by=actor,
        role=actor.role,
        amount_limit=limit,
        attested_at=timezone.now(),
    )
    _transition(order, new_status)
    PaymentOrder.objects.filter(pk=order.pk).update(status=new_status)
    record(
        actor,
        AuditAction.SIGN,
        obj=order,
        case_id=order.case_id,
        detail={
            "what": "attest",
            "level": level,
            "amount": str(order.amount),
            "amount_limit": str(limit) if limit is not None else None,
            "status": new_status,
        },
    )
    return order


@payment_service
def cancel_order(actor, order: PaymentOrder, *, reason: str) -> PaymentOrder:
    """Cancel (makulera) an order not yet sent, or close one the bank rejected. The order stays
    as a record with who, when and why."""
    require(actor, "cancel_order")
    order = _lock_order(order)
    _require_order_access(actor, order)
    reason = _clean_text(reason, "skälet till makuleringen", 2000)
    if order.status not in (*UNSENT_STATUSES, OrderStatus.REJECTED):
        raise DomainError(
            "cannot_cancel",
            f"Utbetalningen {order.reference} är {order.get_status_display().lower()} och kan "
            "inte makuleras.",
        )
    _cancel(actor, order, reason)
    return order


def _cancel(actor, order: PaymentOrder, reason: str) -> None:
    previous = order.status
    _transition(order, OrderStatus.CANCELLED)
    now = timezone.now()
    PaymentOrder.objects.filter(pk=order.pk).update(
        status=OrderStatus.CANCELLED, cancelled_by=actor, cancelled_at=now, cancel_reason=reason
    )
    order.cancelled_by, order.cancelled_at, order.cancel_reason = actor, now, reason
    record(
        actor,
        AuditAction.UPDATE,
        obj=order,
        case_id=order.case_id,
        detail={"what": "cancel", "before": previous, "reason": reason},
    )


def _require_order_access(actor, order: PaymentOrder) -> None:
    if order.unit_id != actor.unit_id:
        raise NotFound("order_not_found", "Utbetalningen finns inte.")
    if actor.role in (Role.FINANCE, Role.UNIT_HEAD):
        return
    if not can_open_case(actor, order.case):
        raise PermissionRefused(
            "case_access_denied",
            "Du har inte behörighet till ärendet som utbetalningen gäller.",
            **_order_refs(order),
        )


def order_is_held(order: PaymentOrder) -> str:
    """Why an unsent order cannot go on (account changed, decision replaced), or ''."""
    if order.payee_id is not None:
        current = Payee.objects.filter(pk=order.payee_id).values_list(
            "current_account_id", flat=True
        )[0]
        if current != order.payee_account_id:
            return "Mottagarens konto har ändrats efter registreringen: registrera om."
    if Decision.objects.filter(replaces_id=order.decision_id, status=DecisionStatus.FINAL).exists():
        return "Beslutet har ersatts av ett senare beslut: makulera utbetalningen."
    return ""


@payment_service
def reissue_order(actor, order: PaymentOrder, *, reason: str) -> PaymentOrder:
    """Register an order again: one the bank rejected (after finance corrected the account), or
    one whose payee account changed before it was sent. The old order is cancelled; the new one
    points back at it and is attested again against the current account."""
    require(actor, "reissue_order")
    order = _lock_order(order)
    _require_order_access(actor, order)
    reason = _clean_text(reason, "skälet", 2000)
    if order.method not in BANK_METHODS:
        raise DomainError(
            "cannot_reissue", "Bara utbetalningar till konto eller mot faktura registreras om."
        )
    account_changed = order.status in UNSENT_STATUSES and order_is_held(order).startswith(
        "Mottagarens konto"
    )
    if order.status != OrderStatus.REJECTED and not account_changed:
        raise DomainError(
            "cannot_reissue",
            "Bara utbetalningar som banken avvisat, eller vars mottagarkonto ändrats innan de "
            "skickades, registreras om.",
        )
    _cancel(actor, order, f"Ersätts av ny utbetalning: {reason}")
    line = (
        DecisionLine.objects.select_for_update(of=("self",))
        .select_related("decision")
        .get(pk=order.decision_line_id)
    )
    payee = Payee.objects.get(pk=order.payee_id)
    data = OrderInput(
        method=order.method,
        amount=order.amount,
        payee=payee,
        pay_on=max(order.pay_on, timezone.localdate()),
        ocr_reference=order.ocr_reference,
        message=order.message,
        invoice_number=order.invoice_number,
        due_on=order.due_on,
        note=reason,
        budget_account=order.budget_account,
    )
    return _create_order(actor, line, order.case, data, reissue_of=order)


@payment_service
def record_manual_payment(
    actor, order: PaymentOrder, *, paid_on: dt.date | None = None, note: str
) -> PaymentOrder:
    """Finance records cash handed out (with a receipt) or a requisition redeemed."""
    require(actor, "record_manual_payment")
    order = _lock_order(order)
    _require_order_access(actor, order)
    if order.method in BANK_METHODS:
        raise DomainError(
            "bank_order_manual",
            "Utbetalningar till konto eller mot faktura blir utbetalda genom bankens "
            "avstämning, inte för hand.",
        )
    if order.status != OrderStatus.ATTESTED:
        what = "kontrasignerad" if order.method == PaymentMethod.REQUISITION else "godkänd"
        raise DomainError(
            "not_attested",
            f"Utbetalningen {order.reference} är inte {what} ännu och kan inte registreras som "
            "utbetald.",
        )
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise DomainError("paid_in_future", "Utbetalningsdagen kan inte ligga i framtiden.")
    note = _clean_text(note, "kvittonummer eller anteckning", 300)
    _transition(order, OrderStatus.PAID)
    PaymentOrder.objects.filter(pk=order.pk).update(
        status=OrderStatus.PAID, paid_on=paid_on, manual_payment_note=note, paid_recorded_by=actor
    )
    order.paid_on, order.manual_payment_note = paid_on, note
    record(
        actor,
        AuditAction.UPDATE,
        obj=order,
        case_id=order.case_id,
        detail={"what": "manual_payment", "paid_on": paid_on.isoformat(), "note": note},
    )
    return order


# --- Payment runs ------------------------------------------------------------------------------


class NothingToPay(DomainError):
    pass


@dataclass
class RunResult:
    run: PaymentRun
    claimed: int = 0
    summary: Pain001Summary | None = None
    path: str | None = None
    messages: list[str] = field(default_factory=list)


def claimable_orders(unit, payment_date: dt.date):
    """Attested bank orders due by the date, in no run, whose account is the payee's current
    one and whose decision is still in force."""
    return PaymentOrder.objects.filter(
        unit=unit,
        run__isnull=True,
        status=OrderStatus.ATTESTED,
        method__in=BANK_METHODS,
        pay_on__lte=payment_date,
        payee_account_id__in=Payee.objects.filter(unit=unit, current_account__isnull=False).values(
            "current_account_id"
        ),
    ).exclude(decision_id__in=replaced_decision_ids())


def _check_payment_date(payment_date: dt.date) -> None:
    today = timezone.localdate()
    if payment_date < today:
        raise DomainError("date_past", "Betalningsdagen kan inte ligga bakåt i tiden.")
    if not is_working_day(payment_date):
        raise DomainError(
            "not_banking_day",
            f"{payment_date:%Y-%m-%d} är ingen bankdag. Välj närmaste bankdag, t.ex. "
            f"{next_working_day(payment_date):%Y-%m-%d}.",
        )


def build_run(actor, payment_date: dt.date, *, out_path: str | None = None) -> RunResult:
    """Build (or rebuild) the payment file for a date; idempotent and safe to retry.

    1. One transaction: find the unit's open run for the date (or create it), claim every
       claimable order with one UPDATE (`run IS NULL AND status='attested'`), compute count
       and sum with one aggregate, audit the claimed orders set-wise. A crash here rolls back.
    2. Write the pain.001 (streamed from the database, to a temporary file renamed into place)
       and validate it against the XSD. A crash here leaves the run 'building' with its
       orders; the retry finds it, claims what is new, and writes the file again.
    3. One transaction: seal the run as built with the file's sha256.
    An order is claimed only where run IS NULL, so no order enters two runs; a sent run's
    orders never leave it (the database refuses), so nothing is paid twice.
    """
    _require_logged(actor, "manage_runs", "build_run")
    unit = _unit_of(actor)
    _check_payment_date(payment_date)
    settings_row = current_settings(unit)
    if settings_row is None:
        raise DomainError(
            "no_payment_settings",
            "Enhetens utbetalningskonto är inte inlagt. Enhetschefen lägger in det under "
            "Utbetalningsinställningar.",
        )
    try:
        run, claimed = _prepare_run(actor, unit, payment_date, settings_row)
    except NothingToPay:
        sent = (
            PaymentRun.objects.filter(
                unit=unit,
                payment_date=payment_date,
                status__in=[RunStatus.SENT, RunStatus.RECONCILED],
            )
            .order_by("-id")
            .first()
        )
        if sent is not None:
            raise NothingToPay(
                "nothing_to_pay",
                f"Inga nya attesterade utbetalningar för {payment_date:%Y-%m-%d}. "
                f"Betalningsfilen {sent.reference} för dagen är redan skickad; den skapas inte "
                "igen.",
            )
        raise
    result = RunResult(run=run, claimed=claimed)
    path = out_path
    temporary = None
    if path is None:
        fd, temporary = tempfile.mkstemp(prefix="betalningsfil-", suffix=".xml")
        os.close(fd)
        path = temporary
    try:
        result.summary = _write_and_seal(actor, run, path)
    finally:
        if temporary is not None:
            os.unlink(temporary)
    result.path = out_path
    run.refresh_from_db()
    return result


def _prepare_run(actor, unit, payment_date: dt.date, settings_row) -> tuple[PaymentRun, int]:
    with transaction.atomic():
        run = (
            PaymentRun.objects.select_for_update()
            .filter(
                unit=unit,
                payment_date=payment_date,
                status__in=[RunStatus.BUILDING, RunStatus.BUILT],
            )
            .first()
        )
        created = run is None
        if created:
            try:
                with transaction.atomic():
                    run = PaymentRun.objects.create(
                        unit=unit,
                        payment_date=payment_date,
                        status=RunStatus.BUILDING,
                        created_by=actor,
                        settings_used=settings_row,
                    )
            except IntegrityError:
                # Another process opened the run for the date at the same moment: use theirs
                # (the lock waits for their transaction; no order is claimed twice).
                created = False
                run = PaymentRun.objects.select_for_update().get(
                    unit=unit, payment_date=payment_date, status__in=OPEN_RUN_STATUSES
                )
        crashpoints.reached("run_created")
        claimable = claimable_orders(unit, payment_date)
        reopened = run.status == RunStatus.BUILT
        if reopened:
            if not claimable.exists():
                return run, 0  # built, nothing new: the same file again
            _transition_run(run, RunStatus.BUILDING)  # orders join only a run being built
            PaymentRun.objects.filter(pk=run.pk).update(status=RunStatus.BUILDING)
        now = timezone.now()
        claimed = claimable.update(run=run, status=OrderStatus.IN_RUN, claimed_at=now)
        crashpoints.reached("claimed")
        if claimed == 0 and not created and not reopened:
            return run, 0  # a retry after a crash: same orders, same totals
        totals = run.orders.aggregate(count=Count("id"), total=Sum("amount"))
        if not totals["count"]:
            raise NothingToPay(
                "nothing_to_pay",
                f"Det finns inga attesterade utbetalningar att betala ut senast "
                f"{payment_date:%Y-%m-%d}.",
            )
        run.revision += 1
        run.message_id = f"BIST{run.pk}-{run.revision}"
        run.file_created_at = now
        run.order_count = totals["count"]
        run.control_sum = totals["total"]
        run.file_sha256 = ""
        run.file_size = 0
        run.settings_used = settings_row
        run.save()
        # One audit event per run listing the orders it claimed (set-wise; the orders' run
        # and claimed_at say the same per order).
        claimed_ids = id_ranges(
            PaymentOrder.objects.filter(run=run, claimed_at=now)
            .values_list("id", flat=True)
            .iterator(chunk_size=AUDIT_CHUNK)
        )
        record(
            actor,
            AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=run,
            detail={
                "what": "payment_run",
                "payment_date": payment_date.isoformat(),
                "revision": run.revision,
                "claimed": claimed,
                "claimed_orders": claimed_ids,
                "order_count": run.order_count,
                "control_sum": str(run.control_sum),
            },
        )
        return run, claimed


def _credit_transfers(run: PaymentRun, method: str, written: list[int]) -> Iterator[CreditTransfer]:
    """The run's orders of one method as credit transfers, streamed from one query."""
    rows = (
        PaymentOrder.objects.filter(run=run, method=method)
        .order_by("id")
        .values_list(
            "id",
            "amount",
            "payee_name",
            "payee_account__kind",
            "payee_account__bank_name",
            "payee_account__sealed_number__clearing",
            "payee_account__sealed_number__clearing_check_digit",
            "payee_account__sealed_number__number",
            "ocr_reference",
            "message",
        )
        .iterator(chunk_size=5000)
    )
    pause_at = crashpoints.writing_pause_at()
    for row in rows:
        order_id, amount, name, kind, bank, clearing, check_digit, number, ocr, message = row
        if kind == AccountKind.BANK_ACCOUNT:
            creditor = BankAccount(bank, clearing, number, check_digit)
        elif kind == AccountKind.BANKGIRO:
            creditor = Bankgiro(number)
        else:
            creditor = Plusgiro(number)
        yield CreditTransfer(
            end_to_end_id=end_to_end_id(order_id),
            amount=amount,
            creditor_name=name,
            creditor_account=creditor,
            ocr_reference=ocr or None,
            remittance_text=message or None,
        )
        written[0] += 1  # across the file's batches
        if pause_at is not None and written[0] == pause_at:
            crashpoints.reached("writing", written[0])


def write_run_file(run: PaymentRun, path: str) -> Pain001Summary:
    """Write the run's pain.001 to `path` (atomically). Deterministic: the same run gives the
    same bytes, so the file can be produced again and checked against `file_sha256`."""
    settings_row = run.settings_used or current_settings(run.unit)
    debtor = DebtorAccount(
        name=settings_row.debtor_name, bic=settings_row.debtor_bic, iban=settings_row.debtor_iban
    )
    groups = (
        run.orders.values("method")
        .annotate(count=Count("id"), total=Sum("amount"))
        .order_by("method")
    )
    written = [0]
    batches = [
        PaymentBatch(
            payment_info_id=f"{run.message_id}-{BATCH_SUFFIX[group['method']]}",
            execution_date=run.payment_date,
            debtor=debtor,
            number_of_transactions=group["count"],
            control_sum=group["total"],
            transactions=_credit_transfers(run, group["method"], written),
            category_purpose=CATEGORY_PURPOSE[group["method"]],
        )
        for group in groups
    ]
    return write_pain001_file(
        path,
        message_id=run.message_id,
        created_at=run.file_created_at,
        initiating_party=settings_row.debtor_name,
        initiating_party_id=settings_row.initiating_party_id or None,
        batches=batches,
    )


def file_sha256(path: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _write_and_seal(actor, run: PaymentRun, path: str) -> Pain001Summary:
    crashpoints.reached("before_write")
    try:
        summary = write_run_file(run, path)
    except Pain001Error as error:
        raise DomainError(
            "file_not_written",
            f"Betalningsfilen kunde inte skrivas: {error}. Inget är skickat; rätta uppgiften och "
            "bygg filen igen.",
        )
    crashpoints.reached("after_write")
    try:
        validated = validate_pain001(path)
    except Pain001ValidationError as error:
        raise DomainError(
            "file_invalid",
            "Betalningsfilen klarar inte kontrollen mot ISO 20022-schemat: "
            + "; ".join(error.errors[:3]),
        )
    if (validated.number_of_transactions, validated.control_sum) != (
        run.order_count,
        run.control_sum,
    ):
        raise DomainError(
            "file_totals_differ",
            "Betalningsfilens antal och summa stämmer inte med utbetalningarna; filen skickas "
            "inte. Bygg filen igen.",
        )
    sha, size = file_sha256(path)
    if run.status == RunStatus.BUILT:
        if sha != run.file_sha256:
            raise DomainError(
                "file_differs",
                "Betalningsfilen blev inte likadan som när den byggdes; den skickas inte.",
            )
        return summary
    with transaction.atomic():
        sealed = PaymentRun.objects.filter(
            pk=run.pk, status=RunStatus.BUILDING, revision=run.revision
        ).update(status=RunStatus.BUILT, file_sha256=sha, file_size=size, built_at=timezone.now())
        if not sealed:
            stored = PaymentRun.objects.filter(pk=run.pk).values(
                "status", "revision", "file_sha256"
            )[0]
            if stored != {"status": RunStatus.BUILT, "revision": run.revision, "file_sha256": sha}:
                raise DomainError(
                    "run_changed",
                    "Betalningsfilen ändrades medan den byggdes (av någon annan). Bygg den igen.",
                )
            return summary  # built by another process at the same moment, byte for byte the same
        crashpoints.reached("before_seal")
        record(
            actor,
            AuditAction.UPDATE,
            obj=run,
            detail={
                "what": "payment_run_built",
                "message_id": run.message_id,
                "order_count": run.order_count,
                "control_sum": str(run.control_sum),
                "sha256": sha,
            },
        )
    run.status, run.file_sha256, run.file_size = RunStatus.BUILT, sha, size
    return summary


def rewrite_run_file(actor, run: PaymentRun, path: str) -> Pain001Summary:
    """Produce a built or sent run's file again (download), checked against its sha256."""
    require(actor, "manage_runs")
    if run.unit_id != actor.unit_id:
        raise NotFound("run_not_found", "Betalningsfilen finns inte.")
    if run.status not in (RunStatus.BUILT, RunStatus.SENT, RunStatus.RECONCILED):
        raise DomainError(
            "run_not_built",
            f"Betalningsfilen {run.reference} är {run.get_status_display().lower()}.",
        )
    summary = write_run_file(run, path)
    sha, _ = file_sha256(path)
    if sha != run.file_sha256:
        raise DomainError(
            "file_differs",
            "Betalningsfilen blev inte likadan som när den byggdes; den lämnas inte ut.",
        )
    record(
        actor,
        AuditAction.DOWNLOAD,
        obj=run,
        detail={"what": "payment_file", "message_id": run.message_id},
    )
    return summary


@payment_service
def mark_run_sent(actor, run: PaymentRun) -> PaymentRun:
    """Finance has delivered the file to the bank: the run and its orders are frozen."""
    require(actor, "manage_runs")
    run = PaymentRun.objects.select_for_update().get(pk=run.pk)
    if run.unit_id != actor.unit_id:
        raise NotFound("run_not_found", "Betalningsfilen finns inte.")
    _send(actor, run, note="")
    return run


def _send(actor, run: PaymentRun, *, note: str) -> None:
    if run.status != RunStatus.BUILT:
        raise DomainError(
            "run_not_built",
            f"Betalningsfilen {run.reference} är {run.get_status_display().lower()}; bara en "
            "färdig fil kan skickas.",
        )
    _transition_run(run, RunStatus.SENT)
    now = timezone.now()
    moved = run.orders.filter(status=OrderStatus.IN_RUN).update(status=OrderStatus.SENT)
    PaymentRun.objects.filter(pk=run.pk).update(status=RunStatus.SENT, sent_by=actor, sent_at=now)
    run.sent_by, run.sent_at = actor, now
    record(
        actor,
        AuditAction.UPDATE,
        obj=run,
        detail={
            "what": "payment_run_sent",
            "message_id": run.message_id,
            "orders": moved,
            "sent_orders": id_ranges(run.orders.values_list("id", flat=True).iterator()),
            "control_sum": str(run.control_sum),
            "note": note,
        },
    )


@payment_service
def cancel_run(actor, run: PaymentRun, *, reason: str) -> PaymentRun:
    """Cancel an unsent run: its orders go back to the queue (attested, in no run)."""
    require(actor, "manage_runs")
    run = PaymentRun.objects.select_for_update().get(pk=run.pk)
    if run.unit_id != actor.unit_id:
        raise NotFound("run_not_found", "Betalningsfilen finns inte.")
    reason = _clean_text(reason, "skälet till makuleringen", 2000)
    if run.status not in (RunStatus.BUILDING, RunStatus.BUILT):
        raise DomainError(
            "run_sent",
            f"Betalningsfilen {run.reference} är {run.get_status_display().lower()} och kan inte "
            "makuleras; utbetalningarna i den stäms av mot bankens besked.",
        )
    _transition_run(run, RunStatus.CANCELLED)
    released = list(run.orders.values_list("id", flat=True))
    run.orders.update(run=None, status=OrderStatus.ATTESTED, claimed_at=None)
    now = timezone.now()
    PaymentRun.objects.filter(pk=run.pk).update(
        status=RunStatus.CANCELLED, cancelled_by=actor, cancelled_at=now, cancel_reason=reason
    )
    run.cancelled_by, run.cancelled_at, run.cancel_reason = actor, now, reason
    record(
        actor,
        AuditAction.UPDATE,
        obj=run,
        detail={
            "what": "payment_run_cancelled",
            "orders": len(released),
            "released_orders": id_ranges(released),
            "reason": reason,
        },
    )
    return run


# --- Reconciliation ----------------------------------------------------------------------------


@dataclass
class ImportResult:
    report: StatusReportImport
    already_imported: bool = False


def read_status_report(data: bytes) -> StatusReport:
    """A pain.002 or camt.054, whichever the file is."""
    errors = []
    for parse in (parse_pain002, parse_camt054):
        try:
            return parse(data)
        except StatusReportError as error:
            errors.append(str(error))
    raise DomainError(
        "not_a_status_report",
        "Filen är inte en statusrapport från banken (pain.002 eller camt.054) eller kan inte "
        "läsas: " + errors[0],
    )


def _reason_text(status) -> str:
    text = status.reason_sv or ""
    if not text and status.reason_code:
        text = REASON_TEXTS_SV.get(status.reason_code, f"Bankens kod {status.reason_code}.")
    return text[:300]


@dataclass
class _Change:
    order_id: int
    case_id: int
    run_id: int
    previous: str
    new: str
    status_code: str
    reason_code: str
    reason: str
    booked_on: dt.date | None


def import_status_report(actor, data: bytes, *, filename: str = "") -> ImportResult:
    """Read the bank's pain.002 or camt.054: orders become paid or rejected (with the bank's
    reason, back to finance). The same report again changes nothing."""
    _require_logged(actor, "reconcile", "import_status_report")
    unit = _unit_of(actor)
    sha = hashlib.sha256(data).hexdigest()
    existing = StatusReportImport.objects.filter(unit=unit, sha256=sha).first()
    if existing is not None:
        return ImportResult(existing, already_imported=True)
    report = read_status_report(data)
    existing = (
        StatusReportImport.objects.filter(
            unit=unit, message_type=report.message_type, message_id=report.message_id
        )
        .exclude(message_id="")
        .first()
    )
    if existing is not None:
        return ImportResult(existing, already_imported=True)
    try:
        return _apply_report(actor, unit, report, sha, filename)
    except IntegrityError:
        # The same report read in at the same moment by someone else: theirs counts.
        existing = StatusReportImport.objects.filter(unit=unit, sha256=sha).first()
        if existing is None:
            raise
        return ImportResult(existing, already_imported=True)


@payment_service
def _apply_report(actor, unit, report: StatusReport, sha: str, filename: str) -> ImportResult:
    run = None
    if report.original_message_id:
        run = (
            PaymentRun.objects.select_for_update()
            .filter(unit=unit, message_id=report.original_message_id)
            .first()
        )
        if run is None:
            raise DomainError(
                "unknown_run",
                f"Rapporten gäller betalningsfilen {report.original_message_id}, som inte finns "
                "här (eller är en tidigare version av en fil som byggdes om).",
            )
        if run.status == RunStatus.BUILT:
            _send(actor, run, note="markerad som skickad: banken har svarat på filen")
        elif run.status not in (RunStatus.SENT, RunStatus.RECONCILED):
            raise DomainError(
                "run_not_sent",
                f"Betalningsfilen {run.reference} är {run.get_status_display().lower()}; en "
                "rapport för den kan inte läsas in.",
            )
        candidates = run.orders.all()
    else:
        ids = [
            order_id
            for order_id in map(order_id_from_end_to_end, report.transactions)
            if order_id is not None
        ]
        candidates = PaymentOrder.objects.filter(unit=unit, pk__in=ids)
    problems: list[str] = []
    seen: set[str] = set()
    changes: list[_Change] = []
    counts = {"paid": 0, "rejected": 0, "pending": 0, "unchanged": 0}
    run_dates = dict(PaymentRun.objects.filter(unit=unit).values_list("message_id", "payment_date"))
    for order_id, case_id, run_id, status, amount, method, message_id in candidates.values_list(
        "id", "case_id", "run_id", "status", "amount", "method", "run__message_id"
    ).iterator(chunk_size=5000):
        e2e = end_to_end_id(order_id)
        batch_id = f"{message_id}-{BATCH_SUFFIX.get(method, '')}" if message_id else None
        news = report.status_for(e2e, batch_id)
        if news is None:
            continue
        seen.add(e2e)
        if news.amount is not None and news.amount != amount:
            problems.append(
                f"{e2e}: beloppet i rapporten ({sek(news.amount)}) stämmer inte med "
                f"utbetalningen ({sek(amount)}); inte avstämd."
            )
            continue
        if news.outcome == PaymentOutcome.PENDING:
            counts["pending"] += 1
            continue
        if status in (OrderStatus.CANCELLED, OrderStatus.IN_RUN, *UNSENT_STATUSES):
            problems.append(f"{e2e}: utbetalningen är {OrderStatus(status).label.lower()}.")
            continue
        booked_on = news.booking_date or run_dates.get(message_id)
        if news.outcome == PaymentOutcome.PAID:
            if status != OrderStatus.SENT:
                counts["unchanged"] += 1
                continue
            new = OrderStatus.PAID
            counts["paid"] += 1
        else:
            if status == OrderStatus.REJECTED:
                counts["unchanged"] += 1
                continue
            new = OrderStatus.REJECTED
            counts["rejected"] += 1
        changes.append(
            _Change(
                order_id,
                case_id,
                run_id,
                status,
                new,
                (news.status_code or "")[:8],
                (news.reason_code or "")[:8],
                _reason_text(news) if new == OrderStatus.REJECTED else "",
                booked_on,
            )
        )
    for e2e in report.transactions:
        if e2e not in seen:
            problems.append(
                f"{e2e}: ingen utbetalning med den referensen i filen eller på enheten."
            )
    applied = _apply_changes(changes)
    if len(applied) < len(changes):
        problems.append(
            f"{len(changes) - len(applied)} utbetalningar ändrades samtidigt av någon annan och "
            "lämnades orörda."
        )
        counts["paid"] = sum(1 for c in applied if c.new == OrderStatus.PAID)
        counts["rejected"] = sum(1 for c in applied if c.new == OrderStatus.REJECTED)
    changes = applied
    imported = StatusReportImport.objects.create(
        unit=unit,
        sha256=sha,
        message_type=report.message_type[:20],
        message_id=report.message_id[:35],
        original_message_id=(report.original_message_id or "")[:35],
        run=run,
        filename=filename[:255],
        paid_count=counts["paid"],
        rejected_count=counts["rejected"],
        pending_count=counts["pending"],
        unchanged_count=counts["unchanged"],
        problems=problems[:200],
        imported_by=actor,
    )
    _insert_lines(changes, imported)
    touched_runs = {c.run_id for c in changes if c.run_id} | ({run.pk} if run else set())
    for run_id in touched_runs:
        _maybe_reconciled(run_id)
    record(
        actor,
        AuditAction.CREATE,
        obj=imported,
        detail={
            "what": "status_report",
            "message_type": imported.message_type,
            "message_id": imported.message_id,
            "run": run.pk if run else None,
            **counts,
            "paid_orders": id_ranges(c.order_id for c in changes if c.new == OrderStatus.PAID),
            "rejected_orders": id_ranges(
                c.order_id for c in changes if c.new == OrderStatus.REJECTED
            ),
            "problems": len(problems),
        },
    )
    return ImportResult(imported)


def _group(changes: list[_Change]) -> dict[tuple, list[_Change]]:
    groups: dict[tuple, list[_Change]] = defaultdict(list)
    for c in changes:
        groups[(c.previous, c.new, c.status_code, c.reason_code, c.reason, c.booked_on)].append(c)
    return groups


def _apply_changes(changes: list[_Change]) -> list[_Change]:
    """Set-wise: per group of equal news (previous status, new status, code, reason, date)
    one UPDATE ... WHERE id IN (...) AND status = previous RETURNING id (in chunks). An order
    changed meanwhile by someone else is left alone. Returns the changes made."""
    orders = PaymentOrder._meta.db_table
    applied: list[_Change] = []
    for (previous, new, status_code, reason_code, reason, booked_on), group in _group(
        changes
    ).items():
        values: dict = {"status": new, "bank_status_code": status_code}
        if new == OrderStatus.PAID:
            values["paid_on"] = booked_on
        else:
            values["bank_reason_code"] = reason_code
            values["bank_reason"] = reason or "Avvisad av banken utan angivet skäl."
            if previous == OrderStatus.PAID:
                values["returned_on"] = booked_on
        by_id = {c.order_id: c for c in group}
        ids = sorted(by_id)
        sets = ", ".join(f'"{column}" = %s' for column in values)
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            marks = ", ".join(["%s"] * len(chunk))
            with connection.cursor() as cursor:
                cursor.execute(
                    f'UPDATE "{orders}" SET {sets} WHERE "id" IN ({marks}) AND "status" = %s '
                    'RETURNING "id"',
                    [*values.values(), *chunk, previous],
                )
                applied.extend(by_id[row[0]] for row in cursor.fetchall())
    return applied


def _insert_lines(applied: list[_Change], report: StatusReportImport) -> None:
    """The reconciliation lines, one INSERT ... SELECT per group and chunk."""
    orders = PaymentOrder._meta.db_table
    lines = ReconciliationLine._meta.db_table
    for (previous, new, status_code, reason_code, reason, booked_on), group in _group(
        applied
    ).items():
        ids = sorted(c.order_id for c in group)
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            marks = ", ".join(["%s"] * len(chunk))
            with connection.cursor() as cursor:
                cursor.execute(
                    f'INSERT INTO "{lines}" ("report_id", "order_id", "previous_status", '
                    '"new_status", "status_code", "reason_code", "reason", "booked_on") '
                    f'SELECT %s, "id", %s, %s, %s, %s, %s, %s FROM "{orders}" '
                    f'WHERE "id" IN ({marks})',
                    [report.pk, previous, new, status_code, reason_code, reason, booked_on, *chunk],
                )


def _maybe_reconciled(run_id: int) -> None:
    run = PaymentRun.objects.select_for_update().get(pk=run_id)
    if run.status != RunStatus.SENT:
        return
    if not run.orders.filter(status__in=[OrderStatus.SENT, OrderStatus.IN_RUN]).exists():
        PaymentRun.objects.filter(pk=run.pk).update(
            status=RunStatus.RECONCILED, reconciled_at=timezone.now()
        )


# --- Exports -----------------------------------------------------------------------------------


def export_accounting(actor, month: dt.date, fmt: str) -> tuple[bytes, str, str]:
    """The month's bookings for the accounting system: ('csv' | 'sie') -> (data, filename,
    content type). Logged as an export."""
    from . import exports

    require(actor, "export_accounting")
    unit = _unit_of(actor)
    month = month.replace(day=1)
    if fmt == "csv":
        data = exports.accounting_csv(unit.pk, month)
        filename, content_type = f"utbetalningar-{month:%Y-%m}.csv", "text/csv; charset=utf-8"
    elif fmt == "sie":
        settings_row = current_settings(unit)
        if settings_row is None:
            raise DomainError(
                "no_payment_settings",
                "Enhetens organisationsnummer och utbetalningskonto är inte inlagda.",
            )
        data = exports.accounting_sie(unit.pk, month, settings_row, unit.name, timezone.localdate())
        filename, content_type = f"utbetalningar-{month:%Y-%m}.se", "text/plain; charset=IBM437"
    else:
        raise DomainError("bad_format", "Välj CSV eller SIE.")
    record(
        actor,
        AuditAction.EXPORT,
        object_type="payments.accounting_export",
        object_id=f"{month:%Y-%m}",
        detail={"what": "accounting_export", "format": fmt, "bytes": len(data)},
    )
    return data, filename, content_type


def export_case_payments(actor, case: Case) -> tuple[bytes, str]:
    """A case's payments as CSV, payees masked. The caller has opened the case."""
    from . import exports

    if not can_open_case(actor, case) and not (
        actor.role in (Role.FINANCE,) and case.unit_id == actor.unit_id
    ):
        raise PermissionRefused(
            "case_access_denied",
            "Du har inte behörighet till ärendet.",
            object_type="cases.case",
            object_id=case.pk,
            case_id=case.pk,
        )
    orders = case.payment_orders.select_related("decision").order_by("created_at", "id")
    data = exports.case_payments_csv(orders)
    record(
        actor,
        AuditAction.EXPORT,
        obj=case,
        case_id=case.pk,
        detail={"what": "case_payments_csv", "orders": len(orders)},
    )
    return data, f"utbetalningar-arende-{case.reference}.csv"
