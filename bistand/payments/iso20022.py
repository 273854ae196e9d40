"""ISO 20022 payment files: write pain.001, validate it, read the bank's pain.002 and camt.054.

Plain Python (no Django). The writer streams: it takes iterators of transactions and writes
them as they come, so 100,000 payments cost no more memory than ten. Because the control sums
stand in the headers before the transactions, the caller declares them (one SQL aggregate per
payment date and debtor account) and the writer checks them at the end of each batch.

Swedish domestic SEK conventions follow the project's shared notes (shared/data/iso20022/
README.md): creditor bank account = clearing number as `ClrSysMmbId` (SESBA) + account as
`Othr/Id` with scheme BBAN; bankgiro = `Othr/Id` with proprietary scheme BGNR; plusgiro =
clearing member 9960 + `Othr/Id` with scheme BBAN; OCR = structured reference SCOR; service
level NURG. Check the chosen bank's Message Implementation Guide before going live.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import IO, Literal

from lxml import etree

from bistand.payments.bank_accounts import BankAccount, Bankgiro, Plusgiro

__all__ = [
    "CAMT054_NS",
    "PAIN001_NS",
    "PAIN002_NS",
    "REASON_TEXTS_SV",
    "ControlSumMismatch",
    "CreditTransfer",
    "DebtorAccount",
    "Pain001Error",
    "Pain001Summary",
    "Pain001ValidationError",
    "PaymentBatch",
    "PaymentInformationStatus",
    "PaymentOutcome",
    "SimulatedBooking",
    "SimulatedStatus",
    "StatusReport",
    "StatusReportError",
    "TransactionStatus",
    "build_camt054",
    "build_pain002",
    "parse_camt054",
    "parse_pain002",
    "validate_pain001",
    "validate_pain002",
    "write_pain001",
    "write_pain001_file",
]

PAIN001_NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
PAIN002_NS = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"
CAMT054_NS = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"

CURRENCY = "SEK"
CLEARING_SYSTEM = "SESBA"  # "Sweden Bankgiro Clearing Code"
PLUSGIRO_CLEARING = "9960"  # Nordea (Plusgirot), see data/bankdata_source.psv
SERVICE_LEVEL = "NURG"  # Swedish Common Interpretation: BG/PG payments are executed as NURG

Source = str | os.PathLike[str] | bytes

# SWIFT "x" character set, the safe set for identifiers that travel through every bank.
_IDENTIFIER = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]{1,35}")
# Characters a bank text field cannot carry: C0/C1 controls (incl. newlines), surrogates,
# non-characters. Everything else (å, ä, ö, é ...) is left to the bank's MIG.
_FORBIDDEN_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CENT = Decimal("0.01")
_FLUSH_EVERY = 1000


class Pain001Error(ValueError):
    """The payment data cannot be written as a valid pain.001 (the output must be discarded)."""


class ControlSumMismatch(Pain001Error):
    """A batch's declared count or sum differs from the transactions actually written."""

    def __init__(
        self,
        payment_info_id: str,
        declared_count: int,
        actual_count: int,
        declared_sum: Decimal,
        actual_sum: Decimal,
    ) -> None:
        super().__init__(
            f"PmtInf {payment_info_id}: declared {declared_count} transactions / "
            f"{declared_sum:.2f} SEK, wrote {actual_count} / {actual_sum:.2f} SEK"
        )
        self.payment_info_id = payment_info_id
        self.declared_count = declared_count
        self.actual_count = actual_count
        self.declared_sum = declared_sum
        self.actual_sum = actual_sum


class Pain001ValidationError(ValueError):
    """A pain.001 file is refused: schema errors or inconsistent control sums."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = list(errors)


class StatusReportError(ValueError):
    """A file is not the bank report we expected or cannot be read."""


# --- schemas ----------------------------------------------------------------------------


@cache
def _schema(filename: str) -> etree.XMLSchema:
    """Parse a shipped XSD once per process (lxml schemas are reusable across calls)."""
    data = resources.files("bistand.payments").joinpath("schemas", filename).read_bytes()
    return etree.XMLSchema(etree.fromstring(data))


def _open_source(source: Source) -> str | IO[bytes]:
    """A path (str/PathLike) stays a path; bytes become a stream."""
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source)
    return os.fspath(source)


# --- pain.001: data ---------------------------------------------------------------------

Creditor = BankAccount | Bankgiro | Plusgiro


@dataclass(frozen=True, slots=True)
class CreditTransfer:
    """One payment to one payee. `end_to_end_id` is our payment order id (reconciliation key).

    Remittance: either `ocr_reference` (structured, SCOR; validate it with
    `bank_accounts.validate_ocr` first) or `remittance_text` (unstructured, max 140), not both.
    """

    end_to_end_id: str
    amount: Decimal
    creditor_name: str
    creditor_account: Creditor
    ocr_reference: str | None = None
    remittance_text: str | None = None
    instruction_id: str | None = None


@dataclass(frozen=True, slots=True)
class DebtorAccount:
    """The municipality's payment account that is debited: IBAN or bankgiro, and its bank."""

    name: str
    bic: str
    iban: str | None = None
    bankgiro: Bankgiro | None = None

    def __post_init__(self) -> None:
        if (self.iban is None) == (self.bankgiro is None):
            raise Pain001Error("DebtorAccount needs exactly one of iban or bankgiro")


@dataclass(frozen=True)
class PaymentBatch:
    """One PmtInf: payments from one debtor account on one date, with declared totals.

    `transactions` may be any iterable (a database cursor); it is consumed once. The declared
    `number_of_transactions` and `control_sum` go in the headers and are checked at the end.
    `category_purpose`: e.g. "SSBE" (social security benefit) or "SUPP" (supplier invoice).
    """

    payment_info_id: str
    execution_date: date
    debtor: DebtorAccount
    number_of_transactions: int
    control_sum: Decimal
    transactions: Iterable[CreditTransfer]
    category_purpose: str | None = None

    @classmethod
    def from_transactions(
        cls,
        *,
        payment_info_id: str,
        execution_date: date,
        debtor: DebtorAccount,
        transactions: Sequence[CreditTransfer],
        category_purpose: str | None = None,
    ) -> PaymentBatch:
        """A batch whose totals are computed from an in-memory list (tests, demo)."""
        return cls(
            payment_info_id=payment_info_id,
            execution_date=execution_date,
            debtor=debtor,
            number_of_transactions=len(transactions),
            control_sum=sum((t.amount for t in transactions), Decimal(0)),
            transactions=transactions,
            category_purpose=category_purpose,
        )


@dataclass(frozen=True, slots=True)
class Pain001Summary:
    """What a written or validated pain.001 holds."""

    message_id: str
    number_of_transactions: int
    control_sum: Decimal
    payment_information_count: int


# --- pain.001: writer -------------------------------------------------------------------


def _identifier(value: str, what: str) -> str:
    if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
        raise Pain001Error(
            f"{what} {value!r} must be 1-35 characters of A-Z a-z 0-9 / - ? : ( ) . , ' + space"
        )
    return value


def _text(value: str, what: str, max_length: int) -> str:
    """Escape a free text for XML element content, refusing what no bank can carry."""
    if not isinstance(value, str) or not value.strip():
        raise Pain001Error(f"{what} is empty")
    if len(value) > max_length:
        raise Pain001Error(f"{what} is longer than {max_length} characters")
    if _FORBIDDEN_TEXT.search(value):
        raise Pain001Error(f"{what} contains control characters")
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def _digits(value: str, what: str, max_length: int) -> str:
    if not isinstance(value, str) or not value.isdigit() or not value.isascii():
        raise Pain001Error(f"{what} must be digits")
    if len(value) > max_length:
        raise Pain001Error(f"{what} is longer than {max_length} digits")
    return value


def _amount(value: Decimal, what: str) -> str:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise Pain001Error(f"{what} must be a finite Decimal, not {value!r}")
    if value <= 0:
        raise Pain001Error(f"{what} must be positive, not {value}")
    if value != value.quantize(_CENT):
        raise Pain001Error(f"{what} has more than two decimals: {value}")
    if value >= Decimal("1e13"):
        raise Pain001Error(f"{what} is implausibly large: {value}")
    return f"{value:.2f}"


def _clearing_member(member_id: str) -> str:
    return (
        "<CdtrAgt><FinInstnId><ClrSysMmbId><ClrSysId><Cd>"
        f"{CLEARING_SYSTEM}</Cd></ClrSysId><MmbId>{member_id}</MmbId>"
        "</ClrSysMmbId></FinInstnId></CdtrAgt>"
    )


def _creditor_xml(account: Creditor, name: str) -> str:
    """CdtrAgt?, Cdtr, CdtrAcct in schema order, for the three Swedish creditor kinds."""
    creditor = f"<Cdtr><Nm>{name}</Nm></Cdtr>"
    if isinstance(account, BankAccount):
        clearing = _digits(account.clearing, "clearing number", 4)
        number = _digits(account.account, "account number", 15)
        return (
            f"{_clearing_member(clearing)}{creditor}<CdtrAcct><Id><Othr><Id>{number}</Id>"
            "<SchmeNm><Cd>BBAN</Cd></SchmeNm></Othr></Id></CdtrAcct>"
        )
    if isinstance(account, Bankgiro):
        number = _digits(account.number, "bankgiro number", 8)
        return (
            f"{creditor}<CdtrAcct><Id><Othr><Id>{number}</Id>"
            "<SchmeNm><Prtry>BGNR</Prtry></SchmeNm></Othr></Id></CdtrAcct>"
        )
    if isinstance(account, Plusgiro):
        number = _digits(account.number, "plusgiro number", 8)
        return (
            f"{_clearing_member(PLUSGIRO_CLEARING)}{creditor}<CdtrAcct><Id><Othr><Id>{number}</Id>"
            "<SchmeNm><Cd>BBAN</Cd></SchmeNm></Othr></Id></CdtrAcct>"
        )
    raise Pain001Error(f"unknown creditor account kind {type(account).__name__}")


def _transaction_xml(tx: CreditTransfer) -> str:
    e2e = _identifier(tx.end_to_end_id, "EndToEndId")
    instruction = (
        f"<InstrId>{_identifier(tx.instruction_id, 'InstrId')}</InstrId>"
        if tx.instruction_id is not None
        else ""
    )
    amount = _amount(tx.amount, f"amount of {e2e}")
    creditor = _creditor_xml(tx.creditor_account, _text(tx.creditor_name, f"name of {e2e}", 140))
    if tx.ocr_reference is not None and tx.remittance_text is not None:
        raise Pain001Error(f"{e2e}: give an OCR reference or a message, not both")
    if tx.ocr_reference is not None:
        ocr = _digits(tx.ocr_reference, f"OCR reference of {e2e}", 25)
        remittance = (
            "<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
            f"<Ref>{ocr}</Ref></CdtrRefInf></Strd></RmtInf>"
        )
    elif tx.remittance_text is not None:
        remittance = (
            f"<RmtInf><Ustrd>{_text(tx.remittance_text, f'message of {e2e}', 140)}</Ustrd></RmtInf>"
        )
    else:
        remittance = ""
    return (
        f"<CdtTrfTxInf><PmtId>{instruction}<EndToEndId>{e2e}</EndToEndId></PmtId>"
        f'<Amt><InstdAmt Ccy="{CURRENCY}">{amount}</InstdAmt></Amt>'
        f"{creditor}{remittance}</CdtTrfTxInf>\n"
    )


def _payment_info_header(batch: PaymentBatch) -> str:
    debtor = batch.debtor
    if debtor.iban is not None:
        iban = debtor.iban.replace(" ", "").upper()
        if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}", iban):
            raise Pain001Error(f"debtor IBAN {debtor.iban!r} is malformed")
        debtor_account = f"<IBAN>{iban}</IBAN>"
    else:
        assert debtor.bankgiro is not None
        number = _digits(debtor.bankgiro.number, "debtor bankgiro", 8)
        debtor_account = f"<Othr><Id>{number}</Id><SchmeNm><Prtry>BGNR</Prtry></SchmeNm></Othr>"
    if not re.fullmatch(r"[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?", debtor.bic):
        raise Pain001Error(f"debtor BIC {debtor.bic!r} is malformed")
    purpose = ""
    if batch.category_purpose is not None:
        if not re.fullmatch(r"[A-Z]{4}", batch.category_purpose):
            raise Pain001Error(
                f"category purpose {batch.category_purpose!r} is not a 4-letter code"
            )
        purpose = f"<CtgyPurp><Cd>{batch.category_purpose}</Cd></CtgyPurp>"
    return (
        f"<PmtInf><PmtInfId>{_identifier(batch.payment_info_id, 'PmtInfId')}</PmtInfId>"
        f"<PmtMtd>TRF</PmtMtd><NbOfTxs>{batch.number_of_transactions}</NbOfTxs>"
        f"<CtrlSum>{batch.control_sum:.2f}</CtrlSum>"
        f"<PmtTpInf><SvcLvl><Cd>{SERVICE_LEVEL}</Cd></SvcLvl>{purpose}</PmtTpInf>"
        f"<ReqdExctnDt>{batch.execution_date.isoformat()}</ReqdExctnDt>"
        f"<Dbtr><Nm>{_text(debtor.name, 'debtor name', 140)}</Nm></Dbtr>"
        f"<DbtrAcct><Id>{debtor_account}</Id><Ccy>{CURRENCY}</Ccy></DbtrAcct>"
        f"<DbtrAgt><FinInstnId><BIC>{debtor.bic}</BIC></FinInstnId></DbtrAgt>\n"
    )


def write_pain001(
    out: IO[bytes],
    *,
    message_id: str,
    created_at: datetime,
    initiating_party: str,
    batches: Sequence[PaymentBatch],
    initiating_party_id: str | None = None,
) -> Pain001Summary:
    """Stream a pain.001.001.03 CustomerCreditTransferInitiation in SEK to a binary file.

    One PmtInf per batch (payment date x debtor account x category). The group header's
    NbOfTxs/CtrlSum are the sums of the batches' declared totals. Raises `ControlSumMismatch`
    if a batch's transactions do not add up to what it declared, and `Pain001Error` for data
    that cannot be written; in both cases the output is incomplete and must be thrown away
    (`write_pain001_file` does that for you). `initiating_party_id` is the customer id the bank
    gave us (written with scheme code BANK).
    """
    if not batches:
        raise Pain001Error("a payment file needs at least one batch")
    if created_at.tzinfo is None:
        raise Pain001Error("created_at must be timezone-aware")
    for batch in batches:
        if not isinstance(batch.number_of_transactions, int) or batch.number_of_transactions < 1:
            raise Pain001Error(f"PmtInf {batch.payment_info_id} must declare at least one payment")
        _amount(batch.control_sum, f"control sum of {batch.payment_info_id}")
    total_count = sum(b.number_of_transactions for b in batches)
    total_sum = sum((b.control_sum for b in batches), Decimal(0))
    party_id = ""
    if initiating_party_id is not None:
        party_id = (
            f"<Id><OrgId><Othr><Id>{_identifier(initiating_party_id, 'initiating party id')}</Id>"
            "<SchmeNm><Cd>BANK</Cd></SchmeNm></Othr></OrgId></Id>"
        )
    out.write(
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<Document xmlns="{PAIN001_NS}"><CstmrCdtTrfInitn>\n'
            f"<GrpHdr><MsgId>{_identifier(message_id, 'MsgId')}</MsgId>"
            f"<CreDtTm>{created_at.isoformat(timespec='seconds')}</CreDtTm>"
            f"<NbOfTxs>{total_count}</NbOfTxs><CtrlSum>{total_sum:.2f}</CtrlSum>"
            f"<InitgPty><Nm>{_text(initiating_party, 'initiating party', 140)}</Nm>{party_id}"
            "</InitgPty></GrpHdr>\n"
        ).encode()
    )
    seen_ids: set[str] = set()
    seen_batches: set[str] = set()
    for batch in batches:
        if batch.payment_info_id in seen_batches:
            raise Pain001Error(f"PmtInfId {batch.payment_info_id} is used twice")
        seen_batches.add(batch.payment_info_id)
        out.write(_payment_info_header(batch).encode())
        count = 0
        amount_sum = Decimal(0)
        chunk: list[str] = []
        for tx in batch.transactions:
            chunk.append(_transaction_xml(tx))
            if tx.end_to_end_id in seen_ids:
                raise Pain001Error(f"EndToEndId {tx.end_to_end_id} is used twice")
            seen_ids.add(tx.end_to_end_id)
            count += 1
            amount_sum += tx.amount
            if count > batch.number_of_transactions:
                break  # more than declared: stop reading, report below
            if len(chunk) >= _FLUSH_EVERY:
                out.write("".join(chunk).encode())
                chunk.clear()
        out.write("".join(chunk).encode())
        if count != batch.number_of_transactions or amount_sum != batch.control_sum:
            raise ControlSumMismatch(
                batch.payment_info_id,
                batch.number_of_transactions,
                count,
                batch.control_sum,
                amount_sum,
            )
        out.write(b"</PmtInf>\n")
    out.write(b"</CstmrCdtTrfInitn></Document>\n")
    return Pain001Summary(message_id, total_count, total_sum, len(batches))


def write_pain001_file(
    path: str | os.PathLike[str],
    *,
    message_id: str,
    created_at: datetime,
    initiating_party: str,
    batches: Sequence[PaymentBatch],
    initiating_party_id: str | None = None,
) -> Pain001Summary:
    """`write_pain001` to `path` atomically: a temporary file renamed only when all is well."""
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    fd, temp_path = tempfile.mkstemp(prefix=".pain001-", suffix=".xml.part", dir=directory)
    try:
        with os.fdopen(fd, "wb", buffering=1024 * 1024) as out:
            summary = write_pain001(
                out,
                message_id=message_id,
                created_at=created_at,
                initiating_party=initiating_party,
                batches=batches,
                initiating_party_id=initiating_party_id,
            )
        os.replace(temp_path, target)
    except BaseException:
        os.unlink(temp_path)
        raise
    return summary


# --- pain.001: validation ---------------------------------------------------------------


def validate_pain001(source: Source, *, max_errors: int = 20) -> Pain001Summary:
    """Check a pain.001.001.03 against the official XSD and our own rules; raise if refused.

    Streaming (iterparse with the schema plugged into the parser), so a 100,000-payment file
    is checked in flat memory. Beyond the XSD: every PmtInf's and the group header's
    NbOfTxs/CtrlSum must match the transactions, amounts must be SEK with at most two
    decimals, and every EndToEndId must be unique (reconciliation matches on it).
    """
    ns = f"{{{PAIN001_NS}}}"
    grp_hdr, pmt_inf, tx_tag = f"{ns}GrpHdr", f"{ns}PmtInf", f"{ns}CdtTrfTxInf"
    errors: list[str] = []
    seen_ids: set[str] = set()
    header: dict[str, str | None] = {}
    total_count = 0
    total_sum = Decimal(0)
    batch_count = 0
    batch_sum = Decimal(0)
    batches = 0

    def error(message: str) -> None:
        if len(errors) < max_errors:
            errors.append(message)

    try:
        for _event, element in etree.iterparse(
            _open_source(source),
            events=("end",),
            tag=(grp_hdr, pmt_inf, tx_tag),
            schema=_schema("pain.001.001.03.xsd"),
            no_network=True,
        ):
            if element.tag == tx_tag:
                e2e = element.findtext(f"{ns}PmtId/{ns}EndToEndId")
                amount_element = element.find(f"{ns}Amt/{ns}InstdAmt")
                if amount_element is None:
                    error(f"{e2e}: only InstdAmt is used for SEK payments")
                else:
                    # The schema error for a malformed amount comes at the end of the parse.
                    amount = _decimal(amount_element.text) or Decimal(0)
                    if amount_element.get("Ccy") != CURRENCY:
                        error(f"{e2e}: currency {amount_element.get('Ccy')} is not {CURRENCY}")
                    if amount != amount.quantize(_CENT):
                        error(f"{e2e}: amount {amount} has more than two decimals")
                    batch_sum += amount
                if e2e in seen_ids:
                    error(f"EndToEndId {e2e} occurs more than once")
                seen_ids.add(e2e or "")
                batch_count += 1
                # Keep memory flat: drop the previous (already read) transaction.
                element.clear(keep_tail=True)
                previous = element.getprevious()
                if previous is not None and previous.tag == tx_tag:
                    element.getparent().remove(previous)
            elif element.tag == pmt_inf:
                batches += 1
                _check_totals(
                    f"PmtInf {element.findtext(f'{ns}PmtInfId')}",
                    element.findtext(f"{ns}NbOfTxs"),
                    element.findtext(f"{ns}CtrlSum"),
                    batch_count,
                    batch_sum,
                    error,
                )
                total_count += batch_count
                total_sum += batch_sum
                batch_count, batch_sum = 0, Decimal(0)
                element.clear(keep_tail=True)
            else:
                header = {
                    "MsgId": element.findtext(f"{ns}MsgId"),
                    "NbOfTxs": element.findtext(f"{ns}NbOfTxs"),
                    "CtrlSum": element.findtext(f"{ns}CtrlSum"),
                }
    except etree.XMLSyntaxError as exc:
        # Streaming schema validation reports the first error only (and no line number).
        raise Pain001ValidationError([*errors, (exc.msg or str(exc)).replace(ns, "")]) from exc
    except OSError as exc:
        raise Pain001ValidationError([f"cannot read the file: {exc}"]) from exc
    _check_totals(
        "GrpHdr", header.get("NbOfTxs"), header.get("CtrlSum"), total_count, total_sum, error
    )
    if errors:
        raise Pain001ValidationError(errors)
    return Pain001Summary(header.get("MsgId") or "", total_count, total_sum, batches)


def _check_totals(
    where: str,
    declared_count: str | None,
    declared_sum: str | None,
    count: int,
    amount_sum: Decimal,
    error: Callable[[str], None],
) -> None:
    if declared_count is not None and declared_count != str(count):
        error(f"{where}: NbOfTxs says {declared_count}, the file holds {count} transactions")
    if declared_sum is not None and _decimal(declared_sum) != amount_sum:
        error(f"{where}: CtrlSum says {declared_sum}, the transactions add up to {amount_sum}")


# --- status reports: data ---------------------------------------------------------------


class PaymentOutcome(StrEnum):
    """What a bank report means for one payment order."""

    PAID = "paid"
    REJECTED = "rejected"
    PENDING = "pending"


# pain.002 transaction/group status codes (ISO 20022 TransactionIndividualStatus3Code and
# TransactionGroupStatus3Code). ACSC = settlement completed on the debtor's account.
_PAIN002_OUTCOMES = {
    "ACSC": PaymentOutcome.PAID,
    "RJCT": PaymentOutcome.REJECTED,
    "ACCP": PaymentOutcome.PENDING,
    "ACSP": PaymentOutcome.PENDING,
    "ACTC": PaymentOutcome.PENDING,
    "ACWC": PaymentOutcome.PENDING,
    "PDNG": PaymentOutcome.PENDING,
    "RCVD": PaymentOutcome.PENDING,
}
# A later or stronger piece of news wins when one EndToEndId is reported twice.
_PRECEDENCE = {PaymentOutcome.PENDING: 0, PaymentOutcome.PAID: 1, PaymentOutcome.REJECTED: 2}

# Swedish explanations of the ISO external status/return reason codes banks use most.
REASON_TEXTS_SV: Mapping[str, str] = {
    "AC01": "Felaktigt kontonummer.",
    "AC03": "Mottagarens kontonummer är ogiltigt.",
    "AC04": "Mottagarens konto är avslutat.",
    "AC06": "Kontot är spärrat.",
    "AG01": "Transaktionen är inte tillåten på kontot.",
    "AG02": "Ogiltig betalningstyp.",
    "AM01": "Beloppet är noll.",
    "AM02": "Beloppet är inte tillåtet.",
    "AM03": "Valutan är inte tillåten.",
    "AM04": "Täckning saknas på kontot.",
    "AM05": "Dubblett: betalningen finns redan.",
    "AM09": "Fel belopp.",
    "BE01": "Mottagarens namn stämmer inte med kontot.",
    "BE04": "Mottagarens adress saknas eller är felaktig.",
    "DT01": "Ogiltigt datum.",
    "DUPL": "Dubblett: betalningen finns redan.",
    "FF01": "Filen har fel format.",
    "MD07": "Kontohavaren är avliden.",
    "MS02": "Avvisad av mottagaren, orsak inte angiven.",
    "MS03": "Avvisad av banken, orsak inte angiven.",
    "NARR": "Se bankens text.",
    "RC01": "Felaktig bankidentitet (BIC eller clearingnummer).",
    "RR01": "Uppgifter om kontot saknas.",
}


@dataclass(frozen=True, slots=True)
class TransactionStatus:
    """The bank's news about one payment, found by its EndToEndId (our order id)."""

    end_to_end_id: str
    outcome: PaymentOutcome
    status_code: str  # pain.002 TxSts (ACSC, RJCT ...) or camt.054 entry status (BOOK, PDNG ...)
    reason_code: str | None = None
    reason_text: str | None = None  # the bank's own words (AddtlInf)
    payment_info_id: str | None = None
    amount: Decimal | None = None
    booking_date: date | None = None

    @property
    def reason_sv(self) -> str | None:
        """A Swedish explanation for staff: our text for a known code, else the bank's."""
        known = REASON_TEXTS_SV.get(self.reason_code or "")
        if known and self.reason_text:
            return f"{known} ({self.reason_text})"
        return known or self.reason_text


@dataclass(frozen=True, slots=True)
class PaymentInformationStatus:
    """A status given for a whole PmtInf (batch) in a pain.002."""

    payment_info_id: str
    status_code: str | None
    reason_code: str | None = None
    reason_text: str | None = None


@dataclass(frozen=True)
class StatusReport:
    """A parsed pain.002 or camt.054. Look payments up with `status_for`."""

    message_type: str
    message_id: str
    created_at: datetime | None = None
    original_message_id: str | None = None
    group_status: str | None = None
    group_reason_code: str | None = None
    group_reason_text: str | None = None
    payment_information: dict[str, PaymentInformationStatus] = field(default_factory=dict)
    transactions: dict[str, TransactionStatus] = field(default_factory=dict)

    def status_for(
        self, end_to_end_id: str, payment_info_id: str | None = None
    ) -> TransactionStatus | None:
        """The payment's own status, else its batch's, else the whole file's; None if unknown."""
        own = self.transactions.get(end_to_end_id)
        if own is not None:
            return own
        batch = self.payment_information.get(payment_info_id or "")
        if batch is not None and batch.status_code in _PAIN002_OUTCOMES:
            return TransactionStatus(
                end_to_end_id,
                _PAIN002_OUTCOMES[batch.status_code],
                batch.status_code,
                batch.reason_code,
                batch.reason_text,
                payment_info_id,
            )
        if self.group_status in _PAIN002_OUTCOMES:
            return TransactionStatus(
                end_to_end_id,
                _PAIN002_OUTCOMES[self.group_status],
                self.group_status,
                self.group_reason_code,
                self.group_reason_text,
                payment_info_id,
            )
        return None


def _record(transactions: dict[str, TransactionStatus], status: TransactionStatus) -> None:
    current = transactions.get(status.end_to_end_id)
    if current is None or _PRECEDENCE[status.outcome] >= _PRECEDENCE[current.outcome]:
        transactions[status.end_to_end_id] = status


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _reason(element: etree._Element, path: str) -> tuple[str | None, str | None]:
    """(code, text) of the first reason block at `path` ("{*}StsRsnInf" or "{*}RtrInf")."""
    info = element.find(path)
    if info is None:
        return None, None
    code = info.findtext("{*}Rsn/{*}Cd") or info.findtext("{*}Rsn/{*}Prtry")
    texts = [t.text.strip() for t in info.findall("{*}AddtlInf") if t.text and t.text.strip()]
    return code, (" ".join(texts) or None)


def _datetime(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip()) if text else None
    except ValueError:
        return None


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None


def _iter_report(source: Source, namespace_prefix: str, what: str) -> Iterator[etree._Element]:
    """Yield every element at its end, after checking the root is the expected message."""
    try:
        for event, element in etree.iterparse(
            _open_source(source),
            events=("start", "end"),
            no_network=True,
        ):
            if event == "start":
                if element.getparent() is None:
                    namespace = etree.QName(element).namespace or ""
                    if not namespace.startswith(namespace_prefix):
                        raise StatusReportError(f"not a {what} (namespace {namespace or 'none'})")
                continue
            yield element
    except (etree.XMLSyntaxError, OSError) as exc:
        raise StatusReportError(f"the {what} cannot be read: {exc}") from exc


def _drop_read(element: etree._Element) -> None:
    """Free an element already read, and its read siblings, to keep memory flat."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    if parent is None:
        return
    previous = element.getprevious()
    while previous is not None and previous.tag == element.tag:
        parent.remove(previous)
        previous = element.getprevious()


# --- pain.002 ---------------------------------------------------------------------------


def parse_pain002(source: Source) -> StatusReport:
    """Read a pain.002 CustomerPaymentStatusReport (any version) into a `StatusReport`."""
    message_type = "pain.002"
    message_id = ""
    created_at = None
    original: dict[str, str | None] = {}
    payment_information: dict[str, PaymentInformationStatus] = {}
    transactions: dict[str, TransactionStatus] = {}
    for element in _iter_report(source, "urn:iso:std:iso:20022:tech:xsd:pain.002.", "pain.002"):
        name = _local(element.tag)
        if name == "TxInfAndSts":
            e2e = element.findtext("{*}OrgnlEndToEndId")
            status = element.findtext("{*}TxSts")
            if e2e and status in _PAIN002_OUTCOMES:
                code, text = _reason(element, "{*}StsRsnInf")
                parent = element.getparent()
                _record(
                    transactions,
                    TransactionStatus(
                        end_to_end_id=e2e,
                        outcome=_PAIN002_OUTCOMES[status],
                        status_code=status,
                        reason_code=code,
                        reason_text=text,
                        payment_info_id=parent.findtext("{*}OrgnlPmtInfId")
                        if parent is not None
                        else None,
                        amount=_decimal(element.findtext("{*}OrgnlTxRef/{*}Amt/{*}InstdAmt")),
                    ),
                )
            _drop_read(element)
        elif name == "OrgnlPmtInfAndSts":
            payment_info_id = element.findtext("{*}OrgnlPmtInfId") or ""
            code, text = _reason(element, "{*}StsRsnInf")
            payment_information[payment_info_id] = PaymentInformationStatus(
                payment_info_id, element.findtext("{*}PmtInfSts"), code, text
            )
            _drop_read(element)
        elif name == "OrgnlGrpInfAndSts":
            code, text = _reason(element, "{*}StsRsnInf")
            original = {
                "id": element.findtext("{*}OrgnlMsgId"),
                "status": element.findtext("{*}GrpSts"),
                "code": code,
                "text": text,
            }
        elif name == "GrpHdr":
            message_id = element.findtext("{*}MsgId") or ""
            created_at = _datetime(element.findtext("{*}CreDtTm"))
        elif element.getparent() is None:
            message_type = etree.QName(element).namespace.rpartition(":")[2]
    return StatusReport(
        message_type=message_type,
        message_id=message_id,
        created_at=created_at,
        original_message_id=original.get("id"),
        group_status=original.get("status"),
        group_reason_code=original.get("code"),
        group_reason_text=original.get("text"),
        payment_information=payment_information,
        transactions=transactions,
    )


def validate_pain002(source: Source) -> None:
    """Check a pain.002.001.03 against the official XSD (for the files we build in tests)."""
    try:
        for _ in etree.iterparse(
            _open_source(source),
            schema=_schema("pain.002.001.03.xsd"),
            no_network=True,
        ):
            pass
    except etree.XMLSyntaxError as exc:
        raise StatusReportError(f"pain.002 does not follow the schema: {exc}") from exc


@dataclass(frozen=True, slots=True)
class SimulatedStatus:
    """One line of a simulated pain.002: what the bank says about one payment."""

    end_to_end_id: str
    status: Literal["ACCP", "ACSC", "ACSP", "ACTC", "ACWC", "PDNG", "RJCT"]
    payment_info_id: str
    reason_code: str | None = None
    reason_text: str | None = None


def _element(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    """A child in the parent's namespace."""
    namespace = etree.QName(parent).namespace
    child = etree.SubElement(parent, f"{{{namespace}}}{tag}" if namespace else tag)
    if text is not None:
        child.text = text
    return child


def _root(namespace: str, tag: str, text: str | None = None) -> etree._Element:
    """A subtree to hand to xmlfile, in the message's namespace."""
    element = etree.Element(f"{{{namespace}}}{tag}", nsmap={None: namespace})
    if text is not None:
        element.text = text
    return element


def _status_reason(parent: etree._Element, code: str | None, text: str | None) -> None:
    if code is None and text is None:
        return
    info = _element(parent, "StsRsnInf")
    if code is not None:
        _element(_element(info, "Rsn"), "Cd", code)
    if text is not None:
        _element(info, "AddtlInf", text[:105])


def build_pain002(
    original_message_id: str,
    statuses: Iterable[SimulatedStatus],
    *,
    message_id: str,
    created_at: datetime,
    group_status: str | None = None,
    group_reason_code: str | None = None,
    group_reason_text: str | None = None,
    batch_statuses: Iterable[PaymentInformationStatus] = (),
) -> bytes:
    """A pain.002.001.03 as a bank would send it, for tests and the demo's simulated bank.

    Transactions are grouped by `payment_info_id` in the order first seen; `batch_statuses`
    give a status for a whole PmtInf (e.g. RJCT for lack of funds). Without `group_status`
    it is derived: one status for every transaction and batch -> that status, else PART.
    """
    by_batch: dict[str, list[SimulatedStatus]] = {}
    for status in statuses:
        by_batch.setdefault(status.payment_info_id, []).append(status)
    batch_info = {b.payment_info_id: b for b in batch_statuses}
    for payment_info_id in batch_info:
        by_batch.setdefault(payment_info_id, [])
    if group_status is None:
        codes: set[str] = {s.status for batch in by_batch.values() for s in batch}
        codes |= {b.status_code for b in batch_info.values() if b.status_code is not None}
        if not codes:
            raise ValueError("give a group_status when no transaction statuses are given")
        group_status = codes.pop() if len(codes) == 1 else "PART"
    buffer = io.BytesIO()
    with etree.xmlfile(buffer, encoding="UTF-8") as xf:
        xf.write_declaration()
        ns = f"{{{PAIN002_NS}}}"
        with (
            xf.element(f"{ns}Document", nsmap={None: PAIN002_NS}),
            xf.element(f"{ns}CstmrPmtStsRpt"),
        ):
            header = _root(PAIN002_NS, "GrpHdr")
            _element(header, "MsgId", message_id)
            _element(header, "CreDtTm", created_at.isoformat(timespec="seconds"))
            xf.write(header)
            group = _root(PAIN002_NS, "OrgnlGrpInfAndSts")
            _element(group, "OrgnlMsgId", original_message_id)
            _element(group, "OrgnlMsgNmId", "pain.001.001.03")
            _element(group, "GrpSts", group_status)
            _status_reason(group, group_reason_code, group_reason_text)
            xf.write(group)
            for payment_info_id, batch in by_batch.items():
                with xf.element(f"{ns}OrgnlPmtInfAndSts"):
                    xf.write(_root(PAIN002_NS, "OrgnlPmtInfId", payment_info_id))
                    info = batch_info.get(payment_info_id)
                    if info is not None and info.status_code is not None:
                        xf.write(_root(PAIN002_NS, "PmtInfSts", info.status_code))
                        reason = _root(PAIN002_NS, "Reason")  # a holder, never written
                        _status_reason(reason, info.reason_code, info.reason_text)
                        for child in reason:
                            xf.write(child)
                    for status in batch:
                        tx = _root(PAIN002_NS, "TxInfAndSts")
                        _element(tx, "OrgnlEndToEndId", status.end_to_end_id)
                        _element(tx, "TxSts", status.status)
                        _status_reason(tx, status.reason_code, status.reason_text)
                        xf.write(tx)
    return buffer.getvalue()


# --- camt.054 ---------------------------------------------------------------------------


def parse_camt054(source: Source) -> StatusReport:
    """Read a camt.054 BankToCustomerDebitCreditNotification into a `StatusReport`.

    Per transaction with an EndToEndId: a booked debit is paid; a pending or information
    entry is pending; a reversal, or a credit that carries our EndToEndId (a returned
    payment, with its return reason), is rejected.
    """
    message_type = "camt.054"
    message_id = ""
    created_at = None
    transactions: dict[str, TransactionStatus] = {}
    for element in _iter_report(source, "urn:iso:std:iso:20022:tech:xsd:camt.054.", "camt.054"):
        name = _local(element.tag)
        if name == "Ntry":
            _read_entry(element, transactions)
            _drop_read(element)
        elif name == "GrpHdr":
            message_id = element.findtext("{*}MsgId") or ""
            created_at = _datetime(element.findtext("{*}CreDtTm"))
        elif element.getparent() is None:
            message_type = etree.QName(element).namespace.rpartition(":")[2]
    return StatusReport(
        message_type=message_type,
        message_id=message_id,
        created_at=created_at,
        transactions=transactions,
    )


def _read_entry(entry: etree._Element, transactions: dict[str, TransactionStatus]) -> None:
    # Sts is plain text up to camt.054.001.07 and Sts/Cd from .08 on.
    status = (entry.findtext("{*}Sts/{*}Cd") or entry.findtext("{*}Sts") or "").strip()
    direction = entry.findtext("{*}CdtDbtInd")
    reversal = (entry.findtext("{*}RvslInd") or "").strip().lower() == "true"
    booked_text = (
        entry.findtext("{*}BookgDt/{*}Dt") or (entry.findtext("{*}BookgDt/{*}DtTm") or "")[:10]
    )
    booking_date = date.fromisoformat(booked_text) if booked_text else None
    details = entry.findall("{*}NtryDtls/{*}TxDtls")
    entry_amount = _decimal(entry.findtext("{*}Amt"))
    for tx in details:
        e2e = (tx.findtext("{*}Refs/{*}EndToEndId") or "").strip()
        if not e2e or e2e == "NOTPROVIDED":
            continue
        amount = _decimal(
            tx.findtext("{*}Amt")
            or tx.findtext("{*}AmtDtls/{*}TxAmt/{*}Amt")
            or tx.findtext("{*}AmtDtls/{*}InstdAmt/{*}Amt")
        )
        if amount is None and len(details) == 1:
            amount = entry_amount
        code, text = _reason(tx, "{*}RtrInf")
        if status in ("PDNG", "INFO"):
            outcome = PaymentOutcome.PENDING
        elif reversal or direction == "CRDT":
            outcome = PaymentOutcome.REJECTED
        elif direction == "DBIT" and status == "BOOK":
            outcome = PaymentOutcome.PAID
        else:
            outcome = PaymentOutcome.PENDING
        _record(
            transactions,
            TransactionStatus(
                end_to_end_id=e2e,
                outcome=outcome,
                status_code=status,
                reason_code=code,
                reason_text=text,
                payment_info_id=tx.findtext("{*}Refs/{*}PmtInfId"),
                amount=amount,
                booking_date=booking_date,
            ),
        )


@dataclass(frozen=True, slots=True)
class SimulatedBooking:
    """One entry of a simulated camt.054 debit notification.

    `status` BOOK (booked) or PDNG (pending). With `return_reason_code` the entry is the
    payment coming back (a credit with return information), e.g. AC04 closed account.
    """

    end_to_end_id: str
    amount: Decimal
    booking_date: date
    status: Literal["BOOK", "PDNG"] = "BOOK"
    payment_info_id: str | None = None
    return_reason_code: str | None = None
    return_reason_text: str | None = None


def build_camt054(
    account_iban: str,
    bookings: Iterable[SimulatedBooking],
    *,
    message_id: str,
    created_at: datetime,
) -> bytes:
    """A camt.054.001.02 debit notification as a bank would send it (tests, demo).

    One entry per booking, each with one TxDtls carrying the EndToEndId, written in the
    element order of the ISO message definition.
    """
    buffer = io.BytesIO()
    with etree.xmlfile(buffer, encoding="UTF-8") as xf:
        xf.write_declaration()
        ns = f"{{{CAMT054_NS}}}"
        with (
            xf.element(f"{ns}Document", nsmap={None: CAMT054_NS}),
            xf.element(f"{ns}BkToCstmrDbtCdtNtfctn"),
        ):
            header = _root(CAMT054_NS, "GrpHdr")
            _element(header, "MsgId", message_id)
            _element(header, "CreDtTm", created_at.isoformat(timespec="seconds"))
            xf.write(header)
            with xf.element(f"{ns}Ntfctn"):
                xf.write(_root(CAMT054_NS, "Id", message_id))
                xf.write(_root(CAMT054_NS, "CreDtTm", created_at.isoformat(timespec="seconds")))
                account = _root(CAMT054_NS, "Acct")
                _element(_element(account, "Id"), "IBAN", account_iban.replace(" ", ""))
                _element(account, "Ccy", CURRENCY)
                xf.write(account)
                for number, booking in enumerate(bookings, start=1):
                    xf.write(_camt_entry(booking, number))
    return buffer.getvalue()


def _camt_entry(booking: SimulatedBooking, number: int) -> etree._Element:
    returned = booking.return_reason_code is not None
    amount = f"{booking.amount:.2f}"
    entry = _root(CAMT054_NS, "Ntry")
    _element(entry, "NtryRef", str(number))
    _element(entry, "Amt", amount).set("Ccy", CURRENCY)
    _element(entry, "CdtDbtInd", "CRDT" if returned else "DBIT")
    _element(entry, "Sts", booking.status)
    if booking.status == "BOOK":
        _element(_element(entry, "BookgDt"), "Dt", booking.booking_date.isoformat())
    _element(_element(entry, "ValDt"), "Dt", booking.booking_date.isoformat())
    _element(entry, "AcctSvcrRef", f"SIM{number:010d}")
    _bank_transaction_code(entry, "RCDT" if returned else "ICDT", "RRTN" if returned else "DMCT")
    tx = _element(_element(entry, "NtryDtls"), "TxDtls")
    refs = _element(tx, "Refs")
    if booking.payment_info_id is not None:
        _element(refs, "PmtInfId", booking.payment_info_id)
    _element(refs, "EndToEndId", booking.end_to_end_id)
    _element(_element(_element(tx, "AmtDtls"), "TxAmt"), "Amt", amount).set("Ccy", CURRENCY)
    if returned:
        info = _element(tx, "RtrInf")
        _element(_element(info, "Rsn"), "Cd", booking.return_reason_code)
        if booking.return_reason_text:
            _element(info, "AddtlInf", booking.return_reason_text[:105])
    return entry


def _bank_transaction_code(entry: etree._Element, family: str, sub_family: str) -> None:
    """BkTxCd (mandatory in camt.054.001.02): domain PMNT, the family and sub-family given."""
    domain = _element(_element(entry, "BkTxCd"), "Domn")
    _element(domain, "Cd", "PMNT")
    family_element = _element(domain, "Fmly")
    _element(family_element, "Cd", family)
    _element(family_element, "SubFmlyCd", sub_family)
