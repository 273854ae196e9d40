"""Incorrect payments, recovery decisions (återkrav), repayments, write-offs and deductions
from payments. Every act takes the acting user first, checks permission and the case access
rule, writes the audit record, and runs in one transaction. Nothing here is edited in place:
corrections are new rows. docs/recovery.md.

Payments sits above controls: it calls `apply_deduction` and `reverse_deduction` inside its own
order transaction, so a deduction and the order it reduces are stored together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import Case
from bistand.cases.rules import can_open_case
from bistand.cases.services import atomic_service
from bistand.core.dates import month_start
from bistand.core.errors import DomainError, PermissionRefused
from bistand.core.text import NOTE_TEXT, check_text

from .deduction_rules import ZERO, DeductionLimits, allowed_deduction, refusal_for, sek
from .permissions import require
from .recovery_law import ground_for
from .recovery_letter import render_recovery_letter, render_write_off_letter
from .recovery_models import (
    EntryKind,
    IncorrectPayment,
    IncorrectPaymentCause,
    LawStatus,
    PlanKind,
    RecoveryClaim,
    RecoveryEntry,
    WriteOffLetter,
)

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("10000000")


def parse_amount(value, what: str, *, allow_zero: bool = False) -> Decimal:
    """'6 500,50' / Decimal -> Decimal kronor with two decimals; NaN, Infinity and junk refused."""
    text = str(value if value is not None else "").strip().lower().removesuffix("kr")
    text = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise DomainError("bad_amount", f"Ange {what} i kronor, till exempel 1500 eller 1500,50.")
    if not amount.is_finite():
        raise DomainError("bad_amount", f"Ange {what} i kronor, till exempel 1500 eller 1500,50.")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise DomainError("bad_amount", f"Ange {what} med högst två decimaler.")
    if amount < 0 or (amount == 0 and not allow_zero) or amount > MAX_AMOUNT:
        raise DomainError(
            "bad_amount", f"Ange {what} som ett positivt belopp (högst {sek(MAX_AMOUNT)})."
        )
    return amount.quantize(CENT)


def _require_case(actor, case: Case) -> None:
    if not can_open_case(actor, case):
        raise PermissionRefused(
            "case_access_denied",
            "Du har inte behörighet till det här ärendet.",
            case_id=case.pk,
            log_case_id=case.pk,
        )


def _month(value, what: str) -> dt.date:
    if not isinstance(value, dt.date):
        raise DomainError("bad_month", f"Ange {what} som en månad (ÅÅÅÅ-MM).")
    return month_start(value)


# --- Incorrect payments ------------------------------------------------------------------


@atomic_service
def register_incorrect_payment(
    actor,
    case: Case,
    *,
    cause: str,
    amount,
    period_from: dt.date,
    period_to: dt.date,
    description: str,
    control_flag_id: int | None = None,
    corrects: IncorrectPayment | None = None,
) -> IncorrectPayment:
    """Record that assistance was paid incorrectly: cause, amount, months. A correction of an
    earlier record is a new record with `corrects` (the earlier one is never changed)."""
    require(actor, "register_incorrect_payment")
    case = Case.objects.select_related("household").get(pk=case.pk)
    _require_case(actor, case)
    if cause not in IncorrectPaymentCause.values:
        raise DomainError("bad_cause", "Välj orsaken till den felaktiga utbetalningen.")
    amount = parse_amount(amount, "det felaktigt utbetalda beloppet")
    start, end = _month(period_from, "perioden"), _month(period_to, "perioden")
    if end < start:
        raise DomainError("bad_period", "Periodens slut ligger före dess början.")
    if end > month_start(timezone.localdate()):
        raise DomainError(
            "future_period", "En felaktig utbetalning kan inte avse en framtida månad."
        )
    description = check_text((description or "").strip(), NOTE_TEXT, "beskrivning")
    if not description:
        raise DomainError(
            "description_required", "Beskriv vad som blev fel och hur det upptäcktes."
        )
    if corrects is not None:
        corrects = IncorrectPayment.objects.select_for_update().get(pk=corrects.pk)
        if corrects.case_id != case.pk:
            raise DomainError("wrong_case", "Posten som rättas hör till ett annat ärende.")
        if corrects.corrections.exists():
            raise DomainError(
                "already_corrected", "Posten är redan rättad; rätta den senaste rättelsen."
            )
    if control_flag_id is not None and (
        not isinstance(control_flag_id, int) or control_flag_id < 1
    ):
        raise DomainError("bad_control_flag", "Ogiltig kontrollflagga.")
    payment = IncorrectPayment.objects.create(
        case=case,
        cause=cause,
        amount=amount,
        period_start=start,
        period_end=end,
        description=description,
        control_flag_id=control_flag_id,
        corrects=corrects,
        registered_by=actor,
        registered_at=timezone.now(),
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=payment,
        case_id=case.pk,
        detail={"cause": cause, "amount": str(amount), "period": payment.period_label,
                "corrects": corrects.pk if corrects else None},
    )  # fmt: skip
    return payment


# --- Balances ------------------------------------------------------------------------------


def chain_ids(claim: RecoveryClaim) -> list[int]:
    """The claim and every claim it replaces, transitively."""
    ids, current = [claim.pk], claim
    while current.replaces_id is not None and current.replaces_id not in ids:
        ids.append(current.replaces_id)
        current = RecoveryClaim.objects.only("id", "replaces_id").get(pk=current.replaces_id)
    return ids


def recovered(claim: RecoveryClaim) -> Decimal:
    """What has been paid, deducted or written off on the claim's chain."""
    total = RecoveryEntry.objects.filter(claim_id__in=chain_ids(claim)).aggregate(s=Sum("amount"))
    return total["s"] or ZERO


def balance(claim: RecoveryClaim) -> Decimal:
    return claim.amount - recovered(claim)


def in_force(claim: RecoveryClaim) -> bool:
    return not RecoveryClaim.objects.filter(replaces=claim).exists()


def claims_in_force(case_id: int):
    """The case's claims not replaced by a later one (no join, so rows can be locked)."""
    replaced = RecoveryClaim.objects.filter(replaces_id=OuterRef("pk"))
    return RecoveryClaim.objects.filter(case_id=case_id).exclude(Exists(replaced))


@dataclass
class ClaimStatus:
    claim: RecoveryClaim
    recovered: Decimal
    balance: Decimal
    in_force: bool


def claim_status(claim: RecoveryClaim) -> ClaimStatus:
    done = recovered(claim)
    return ClaimStatus(claim, done, claim.amount - done, in_force(claim))


# --- Recovery decisions --------------------------------------------------------------------


# payments.OrderStatus: registered, awaiting a second attestation, attested — not yet in a payment
# run (controls may not import payments; the table is reached through the app registry).
NOT_IN_RUN_STATUSES = ("registered", "awaiting_second", "attested")
DEDUCTED_METHODS = ("account", "cash")  # payments.services.deductions.DEDUCTED_METHODS


def _refuse_if_orders_wait(case_id: int, first: dt.date, chain: list[int]) -> None:
    """A deduction is made when an order is registered; a registered order is a record that is
    never changed afterwards. So a deduction plan is refused while orders it would have reduced
    (to the household's account or in cash, for its months, not yet in a payment run, not
    already deducted on this claim's chain) are waiting: the user cancels them and registers
    them again after the decision (they are then deducted), or starts the plan later.
    docs/recovery.md, "Orders registered before the decision"."""
    order = apps.get_model("payments", "PaymentOrder")
    deducted = RecoveryEntry.objects.filter(
        claim_id__in=chain, kind=EntryKind.DEDUCTION, payment_order_id=OuterRef("pk")
    )
    waiting = list(
        order.objects.filter(
            case_id=case_id,
            month__gte=first,
            method__in=DEDUCTED_METHODS,
            status__in=NOT_IN_RUN_STATUSES,
        )
        .exclude(Exists(deducted))
        .values("id", "month", "amount")
        .order_by("month", "id")[:10]
    )
    if not waiting:
        return
    listed = ", ".join(f"BU{o['id']} ({o['month']:%Y-%m}, {sek(o['amount'])})" for o in waiting)
    raise DomainError(
        "orders_registered_before_deduction",
        f"Utbetalningar som avräkningen skulle gälla är redan registrerade men inte utbetalda: "
        f"{listed}. En registrerad utbetalning ändras aldrig i efterhand, så avräkningen kan "
        "inte göras på dem. Makulera dem, fatta beslutet om återkrav och registrera dem sedan "
        "på nytt – då görs avräkningen – eller låt avräkningen börja en senare månad.",
    )


@atomic_service
def decide_recovery(
    actor,
    incorrect_payment: IncorrectPayment,
    *,
    amount,
    ground: str,
    reasoning: str,
    plan: str,
    monthly_amount,
    first_month: dt.date,
    minimum_left=None,
    consent_on: dt.date | None = None,
    replaces: RecoveryClaim | None = None,
) -> RecoveryClaim:
    """Decide to recover (återkrav) all or part of an incorrect payment, with its legal basis,
    reasons and a repayment or deduction plan; render and store the letter. A corrected
    decision is a new claim replacing the old one; what was recovered stays with the chain."""
    require(actor, "decide_recovery")
    payment = IncorrectPayment.objects.select_related("case").get(pk=incorrect_payment.pk)
    case = Case.objects.select_related("household", "unit").get(pk=payment.case_id)
    _require_case(actor, case)
    if payment.corrections.exists():
        raise DomainError(
            "payment_corrected",
            "Den felaktiga utbetalningen har rättats. Fatta beslutet på den rättade posten.",
        )
    amount = parse_amount(amount, "beloppet som krävs tillbaka")
    chain_recovered = ZERO
    if replaces is not None:
        replaces = RecoveryClaim.objects.select_for_update().get(pk=replaces.pk)
        if replaces.case_id != case.pk:
            raise DomainError("wrong_case", "Beslutet som ersätts hör till ett annat ärende.")
        if not in_force(replaces):
            raise DomainError("already_replaced", "Beslutet är redan ersatt av ett senare beslut.")
        chain_recovered = recovered(replaces)
        if amount < chain_recovered:
            raise DomainError(
                "below_recovered",
                f"Det nya beloppet {sek(amount)} är lägre än det som redan är återbetalt, "
                f"avräknat eller avskrivet ({sek(chain_recovered)}). Ett återkrav kan inte bli "
                "negativt.",
            )
    others = (
        claims_in_force(case.pk)
        .filter(incorrect_payment=payment)
        .exclude(pk=replaces.pk if replaces else None)
        .aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    if amount + others > payment.amount:
        raise DomainError(
            "over_incorrect_amount",
            f"Återkravet {sek(amount)} är större än det som betalades ut felaktigt: "
            f"{sek(payment.amount)}, varav {sek(others)} redan krävs tillbaka i andra beslut.",
        )
    law = ground_for(ground, payment.period_start, payment.period_end)
    reasoning = check_text((reasoning or "").strip(), NOTE_TEXT, "motivering")
    if not reasoning:
        raise DomainError(
            "reasoning_required",
            "Motivera beslutet: vad som hänt, varför den enskilde är återbetalningsskyldig och "
            "hur hens ekonomi har bedömts.",
        )
    if plan not in PlanKind.values:
        raise DomainError("bad_plan", "Välj återbetalningsplan eller avräkning.")
    monthly = parse_amount(monthly_amount, "beloppet per månad")
    first = _month(first_month, "första månad")
    minimum = parse_amount(minimum_left if minimum_left not in (None, "") else "0",
                           "lägsta belopp kvar", allow_zero=True)  # fmt: skip
    if plan == PlanKind.DEDUCTION:
        if not isinstance(consent_on, dt.date):
            raise DomainError(
                "consent_required",
                "Avräkning mot kommande bistånd görs bara om den enskilde har gått med på det "
                "(33 kap. 4 § SoL: annars får nämnden bara ansöka om betalning hos "
                "förvaltningsrätten). Ange när medgivandet lämnades.",
            )
        if consent_on > timezone.localdate():
            raise DomainError("consent_future", "Medgivandet kan inte vara daterat framåt i tiden.")
        if minimum <= 0:
            raise DomainError(
                "minimum_required",
                "Ange det lägsta belopp hushållet alltid ska få behålla av månadens utbetalning "
                "(normen i beslutet).",
            )
        _refuse_if_orders_wait(case.pk, first, chain_ids(replaces) if replaces else [])
    else:
        consent_on = None
    claim = RecoveryClaim(
        case=case,
        incorrect_payment=payment,
        replaces=replaces,
        amount=amount,
        ground=law.code,
        legal_basis=law.basis,
        law_status=law.law_status,
        appealable=law.appealable,
        appeal_status=law.appeal_status,
        reasoning=reasoning,
        plan=plan,
        monthly_amount=monthly,
        first_month=first,
        minimum_left=minimum,
        consent_on=consent_on,
        decided_by=actor,
        decided_at=timezone.now(),
        letter_pdf=b"",
        letter_sha256="",
    )
    # The letter carries the reference (the id): the row is inserted, the letter rendered and
    # stored on it in the same transaction, before anyone can read the claim.
    claim.save()
    pdf = render_recovery_letter(claim, applicant_name=_applicant_name(case))
    RecoveryClaim.objects.filter(pk=claim.pk).update(
        letter_pdf=pdf, letter_sha256=hashlib.sha256(pdf).hexdigest()
    )
    claim.letter_pdf, claim.letter_sha256 = pdf, hashlib.sha256(pdf).hexdigest()
    record(
        actor,
        AuditAction.CREATE,
        obj=claim,
        case_id=case.pk,
        detail={
            "amount": str(amount), "ground": law.code, "legal_basis": law.basis,
            "law_status": law.law_status, "plan": plan, "monthly": str(monthly),
            "minimum_left": str(minimum), "replaces": replaces.pk if replaces else None,
            "incorrect_payment": payment.pk, "letter_sha256": claim.letter_sha256,
        },
    )  # fmt: skip
    return claim


def _applicant_name(case) -> str:
    """The name the letters are addressed to: the household's applicant today."""
    applicant = case.household.applicant_on(timezone.localdate())
    return applicant.full_name if applicant else ""


def _locked_claim(actor, claim: RecoveryClaim) -> RecoveryClaim:
    claim = RecoveryClaim.objects.select_for_update().select_related("case").get(pk=claim.pk)
    _require_case(actor, claim.case)
    if not in_force(claim):
        raise DomainError(
            "claim_replaced", "Beslutet är ersatt av ett senare beslut; registrera på det gällande."
        )
    return claim


@atomic_service
def record_repayment(actor, claim: RecoveryClaim, *, amount, paid_on: dt.date, note: str = ""):
    """The person paid in (or the money came back otherwise): recorded against the balance."""
    require(actor, "record_repayment")
    claim = _locked_claim(actor, claim)
    amount = parse_amount(amount, "det inbetalda beloppet")
    if not isinstance(paid_on, dt.date) or paid_on > timezone.localdate():
        raise DomainError("bad_date", "Ange betalningsdagen (inte framåt i tiden).")
    left = balance(claim)
    if amount > left:
        raise DomainError(
            "over_balance",
            f"Inbetalningen {sek(amount)} är större än det som återstår av återkravet "
            f"({sek(left)}). Ett återkrav kan inte bli negativt; en överbetalning betalas "
            "tillbaka till den enskilde utanför återkravet.",
        )
    entry = RecoveryEntry.objects.create(
        claim=claim,
        kind=EntryKind.REPAYMENT,
        amount=amount,
        month=month_start(paid_on),
        note=check_text((note or "").strip(), NOTE_TEXT, "anteckning"),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    record(actor, AuditAction.CREATE, obj=entry, case_id=claim.case_id,
           detail={"claim": claim.pk, "kind": entry.kind, "amount": str(amount),
                   "balance_after": str(left - amount)})  # fmt: skip
    return entry


@atomic_service
def write_off(actor, claim: RecoveryClaim, *, reason: str, amount=None) -> RecoveryEntry:
    """A decision to give up all or part of the claim (33 kap. 6 § SoL (2025:400)), with its
    reason. The balance then counts as settled by that amount. The letter to the debtor is
    rendered and stored with it (`WriteOffLetter`)."""
    require(actor, "write_off_recovery")
    claim = _locked_claim(actor, claim)
    left = balance(claim)
    if left <= 0:
        raise DomainError("nothing_left", "Återkravet är redan betalt eller avskrivet.")
    amount = left if amount in (None, "") else parse_amount(amount, "beloppet som skrivs av")
    if amount > left:
        raise DomainError(
            "over_balance",
            f"Det går inte att skriva av {sek(amount)}; kvar på återkravet är {sek(left)}.",
        )
    reason = check_text((reason or "").strip(), NOTE_TEXT, "skäl")
    if not reason:
        raise DomainError(
            "reason_required", "Ange skälet till att nämnden avstår från kravet (avskrivning)."
        )
    entry = RecoveryEntry.objects.create(
        claim=claim,
        kind=EntryKind.WRITE_OFF,
        amount=amount,
        month=month_start(timezone.localdate()),
        note=reason,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    # The letter to the debtor, rendered and stored as a final record in the same transaction.
    pdf = render_write_off_letter(
        claim, entry, balance_after=left - amount, applicant_name=_applicant_name(claim.case)
    )
    letter = WriteOffLetter.objects.create(
        entry=entry, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(), created_at=timezone.now()
    )
    record(actor, AuditAction.CREATE, obj=entry, case_id=claim.case_id,
           detail={"claim": claim.pk, "kind": entry.kind, "amount": str(amount),
                   "reason": reason, "balance_after": str(left - amount),
                   "letter_sha256": letter.sha256})  # fmt: skip
    return entry


# --- Deductions from payments (called by payments inside the order's transaction) ----------


@dataclass
class Deduction:
    claim: RecoveryClaim
    amount: Decimal
    limits: list[str]


def deduction_claims(case_id: int, month: dt.date) -> list[RecoveryClaim]:
    """Claims in force with a deduction plan that has started by `month`, oldest first."""
    return list(
        claims_in_force(case_id)
        .filter(plan=PlanKind.DEDUCTION, first_month__lte=month_start(month))
        .select_for_update()
        .order_by("decided_at", "id")
    )


def _deducted_in_month(claim: RecoveryClaim, month: dt.date) -> Decimal:
    total = RecoveryEntry.objects.filter(
        claim_id__in=chain_ids(claim),
        kind__in=(EntryKind.DEDUCTION, EntryKind.DEDUCTION_REVERSED),
        month=month_start(month),
    ).aggregate(s=Sum("amount"))["s"]
    return total or ZERO


def plan_deductions(
    case_id: int, month: dt.date, *, gross: Decimal, paid_before: Decimal, requested=None
) -> list[Deduction]:
    """What the rules allow to deduct from a payment of `gross` for the month, claim by claim.
    The household keeps at least the highest minimum among the claims. With `requested` (an
    amount), that amount is deducted or the act is refused with the rule that stops it."""
    claims = deduction_claims(case_id, month)
    if not claims:
        if requested not in (None, "") and parse_amount(requested, "avräkningen", allow_zero=True):
            raise DomainError(
                "no_deduction_plan",
                "Ärendet har inget beslut om avräkning som gäller för månaden; inget kan avräknas.",
            )
        return []
    floor = max(claim.minimum_left for claim in claims)
    wanted = None
    if requested not in (None, ""):
        wanted = parse_amount(requested, "avräkningen", allow_zero=True)
    result, taken = [], ZERO
    for claim in claims:
        limits = DeductionLimits(
            gross=gross - taken,
            paid_before=paid_before,
            minimum_left=floor,
            monthly_amount=claim.monthly_amount,
            deducted_in_month=_deducted_in_month(claim, month),
            balance=balance(claim),
            month=month_start(month),
            reference=claim.reference,
        )
        allowed = allowed_deduction(limits)
        amount = allowed.amount
        if wanted is not None:
            amount = min(amount, wanted - taken)
        if amount > 0:
            result.append(Deduction(claim, amount, allowed.limits))
            taken += amount
    if wanted is not None and taken < wanted:
        first = claims[0]
        limits = DeductionLimits(
            gross=gross, paid_before=paid_before, minimum_left=floor,
            monthly_amount=first.monthly_amount,
            deducted_in_month=_deducted_in_month(first, month), balance=balance(first),
            month=month_start(month), reference=first.reference,
        )  # fmt: skip
        message = refusal_for(wanted, limits) or (
            f"Avräkningen {sek(wanted)} är inte tillåten; högst {sek(taken)} kan avräknas."
        )
        raise DomainError("deduction_refused", message)
    return result


def record_deductions(
    actor, deductions: list[Deduction], *, payment_order_id: int, month: dt.date
) -> list[RecoveryEntry]:
    """Write the deductions made from an order (in the order's transaction)."""
    entries = []
    for deduction in deductions:
        entry = RecoveryEntry.objects.create(
            claim=deduction.claim,
            kind=EntryKind.DEDUCTION,
            amount=deduction.amount,
            month=month_start(month),
            payment_order_id=payment_order_id,
            note="Avräknat från utbetalning. " + " ".join(deduction.limits),
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        record(actor, AuditAction.CREATE, obj=entry, case_id=deduction.claim.case_id,
               detail={"claim": deduction.claim.pk, "kind": entry.kind,
                       "amount": str(deduction.amount), "payment_order": payment_order_id})  # fmt: skip
        entries.append(entry)
    return entries


def deducted_from_orders(order_ids) -> Decimal:
    """Net amount deducted from these orders (deductions less reversals)."""
    total = RecoveryEntry.objects.filter(
        payment_order_id__in=order_ids,
        kind__in=(EntryKind.DEDUCTION, EntryKind.DEDUCTION_REVERSED),
    ).aggregate(s=Sum("amount"))["s"]
    return total or ZERO


def reverse_deductions(actor, payment_order_id: int, *, reason: str) -> list[RecoveryEntry]:
    """The order was cancelled: its deductions go back on the balance (new entries)."""
    done = []
    for entry in RecoveryEntry.objects.filter(
        payment_order_id=payment_order_id, kind=EntryKind.DEDUCTION
    ).select_related("claim"):
        if RecoveryEntry.objects.filter(
            Q(payment_order_id=payment_order_id)
            & Q(kind=EntryKind.DEDUCTION_REVERSED)
            & Q(claim_id=entry.claim_id)
        ).exists():
            continue
        reversal = RecoveryEntry.objects.create(
            claim_id=entry.claim_id,
            kind=EntryKind.DEDUCTION_REVERSED,
            amount=-entry.amount,
            month=entry.month,
            payment_order_id=payment_order_id,
            note=reason[:NOTE_TEXT],
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        record(actor, AuditAction.CREATE, obj=reversal, case_id=entry.claim.case_id,
               detail={"claim": entry.claim_id, "kind": reversal.kind,
                       "amount": str(reversal.amount), "payment_order": payment_order_id})  # fmt: skip
        done.append(reversal)
    return done


__all__ = [
    "ClaimStatus",
    "Deduction",
    "LawStatus",
    "balance",
    "claim_status",
    "claims_in_force",
    "decide_recovery",
    "deducted_from_orders",
    "plan_deductions",
    "record_deductions",
    "record_repayment",
    "register_incorrect_payment",
    "reverse_deductions",
    "write_off",
]


# --- Follow-up of open claims (heads) ----------------------------------------------------


@dataclass
class OpenClaim:
    claim: RecoveryClaim
    recovered: Decimal
    balance: Decimal
    expected: Decimal  # what the plan says should be recovered by the end of this month
    behind: Decimal


def _months_from(first: dt.date, month: dt.date) -> int:
    return (month.year - first.year) * 12 + month.month - first.month + 1


def open_claims(user, *, today: dt.date | None = None) -> list[OpenClaim]:
    """Claims in force with a balance, in the head's section (or unit), most behind the plan
    first, so the balance is followed up until it is paid or written off. Logged as a list."""
    from bistand.cases.selectors import log_list_read

    from .backlog import scope_cases  # the same scope as the backlog

    month = month_start(today or timezone.localdate())
    rows = []
    claims = RecoveryClaim.objects.filter(case_id__in=scope_cases(user).values("id"))
    replaced = RecoveryClaim.objects.filter(replaces_id=OuterRef("pk"))
    for claim in claims.exclude(Exists(replaced)).select_related("case", "incorrect_payment"):
        done = recovered(claim)
        left = claim.amount - done
        if left <= 0:
            continue
        due = claim.monthly_amount * max(_months_from(claim.first_month, month), 0)
        expected = min(claim.amount, due)
        rows.append(OpenClaim(claim, done, left, expected, max(expected - done, ZERO)))
    rows.sort(key=lambda row: (-row.behind, row.claim.first_month, row.claim.pk))
    log_list_read(user, "open_recovery_claims", case_ids=[row.claim.case_id for row in rows])
    return rows
