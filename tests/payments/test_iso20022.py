"""ISO 20022: pain.001 writing and validation, pain.002 and camt.054 reading."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import xmlschema
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from bistand.payments import iso20022
from bistand.payments.bank_accounts import (
    make_ocr,
    validate_bank_account,
    validate_bankgiro,
    validate_plusgiro,
)
from bistand.payments.iso20022 import (
    PAIN001_NS,
    ControlSumMismatch,
    CreditTransfer,
    DebtorAccount,
    Pain001Error,
    Pain001ValidationError,
    PaymentBatch,
    PaymentInformationStatus,
    PaymentOutcome,
    SimulatedBooking,
    SimulatedStatus,
    StatusReportError,
    build_camt054,
    build_pain002,
    parse_camt054,
    parse_pain002,
    validate_pain001,
    validate_pain002,
    write_pain001,
    write_pain001_file,
)

SCHEMA_DIR = Path(iso20022.__file__).parent / "schemas"
NS = {"p": PAIN001_NS}
CREATED = datetime(2025, 3, 20, 9, 30, tzinfo=UTC)
PAY_DAY = date(2025, 3, 25)

# Published example numbers (see test_bank_accounts.py for their sources).
SWEDBANK = validate_bank_account("8327-9", "014 725 892-5")
HANDELSBANKEN = validate_bank_account("6114", "5171 82351")
BANKGIRO = validate_bankgiro("5402-9681")
PLUSGIRO = validate_plusgiro("410 54 68-5")
DEBTOR = DebtorAccount(
    name="Exempelby kommun", bic="NDEASESS", iban="SE45 5000 0000 0583 9825 7466"
)
OTHER_DEBTOR = DebtorAccount(name="Exempelby kommun", bic="ESSESESS", bankgiro=BANKGIRO)


def three_kinds() -> list[CreditTransfer]:
    return [
        CreditTransfer(
            "ORD-1",
            Decimal("6890.00"),
            "Anna Andersson",
            SWEDBANK,
            remittance_text="Försörjningsstöd april & <övrigt>",
        ),
        CreditTransfer(
            "ORD-2",
            Decimal("7450.50"),
            "Bostads AB Hyresvärden",
            BANKGIRO,
            ocr_reference=make_ocr("4711081500", length_digit=True),
        ),
        CreditTransfer("ORD-3", Decimal("412.25"), "Elbolaget i Exempelby", PLUSGIRO),
    ]


def write(batches: list[PaymentBatch], **kwargs) -> bytes:
    out = io.BytesIO()
    write_pain001(
        out,
        message_id=kwargs.pop("message_id", "BIS-2025-03-20-1"),
        created_at=kwargs.pop("created_at", CREATED),
        initiating_party="Exempelby kommun",
        batches=batches,
        **kwargs,
    )
    return out.getvalue()


def batch(transactions, payment_info_id="RUN-1-20250325", debtor=DEBTOR, **kwargs) -> PaymentBatch:
    return PaymentBatch.from_transactions(
        payment_info_id=payment_info_id,
        execution_date=PAY_DAY,
        debtor=debtor,
        transactions=transactions,
        **kwargs,
    )


# --- pain.001 ---------------------------------------------------------------------------


def test_pain001_with_all_three_creditor_kinds_validates_against_the_xsd():
    xml = write([batch(three_kinds(), category_purpose="SSBE")], initiating_party_id="BIS0001")

    summary = validate_pain001(xml)

    assert (summary.message_id, summary.number_of_transactions) == ("BIS-2025-03-20-1", 3)
    assert summary.control_sum == Decimal("14752.75")
    # A second, independent validator agrees with lxml.
    xmlschema.XMLSchema(str(SCHEMA_DIR / "pain.001.001.03.xsd")).validate(io.BytesIO(xml))


def test_pain001_follows_the_swedish_domestic_conventions():
    doc = etree.fromstring(write([batch(three_kinds(), category_purpose="SSBE")]))
    header = doc.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    payment_info = doc.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    bank, giro, plus = payment_info.findall("p:CdtTrfTxInf", NS)

    assert header.findtext("p:NbOfTxs", namespaces=NS) == "3"
    assert header.findtext("p:CtrlSum", namespaces=NS) == "14752.75"
    assert payment_info.findtext("p:PmtTpInf/p:SvcLvl/p:Cd", namespaces=NS) == "NURG"
    assert payment_info.findtext("p:PmtTpInf/p:CtgyPurp/p:Cd", namespaces=NS) == "SSBE"
    assert payment_info.findtext("p:ReqdExctnDt", namespaces=NS) == "2025-03-25"
    assert payment_info.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == (
        "SE4550000000058398257466"
    )
    # Bank account: clearing number as clearing-system member, account (without clearing) BBAN.
    member = "p:CdtrAgt/p:FinInstnId/p:ClrSysMmbId"
    assert bank.findtext(f"{member}/p:ClrSysId/p:Cd", namespaces=NS) == "SESBA"
    assert bank.findtext(f"{member}/p:MmbId", namespaces=NS) == "8327"
    assert bank.findtext("p:CdtrAcct/p:Id/p:Othr/p:Id", namespaces=NS) == "0147258925"
    assert bank.findtext("p:CdtrAcct/p:Id/p:Othr/p:SchmeNm/p:Cd", namespaces=NS) == "BBAN"
    assert bank.findtext("p:RmtInf/p:Ustrd", namespaces=NS) == "Försörjningsstöd april & <övrigt>"
    assert bank.findtext("p:PmtId/p:EndToEndId", namespaces=NS) == "ORD-1"
    assert bank.find("p:Amt/p:InstdAmt", NS).get("Ccy") == "SEK"
    # Bankgiro: proprietary scheme BGNR, OCR as structured SCOR reference.
    assert giro.find("p:CdtrAgt", NS) is None
    assert giro.findtext("p:CdtrAcct/p:Id/p:Othr/p:Id", namespaces=NS) == "54029681"
    assert giro.findtext("p:CdtrAcct/p:Id/p:Othr/p:SchmeNm/p:Prtry", namespaces=NS) == "BGNR"
    reference = "p:RmtInf/p:Strd/p:CdtrRefInf"
    assert giro.findtext(f"{reference}/p:Tp/p:CdOrPrtry/p:Cd", namespaces=NS) == "SCOR"
    assert giro.findtext(f"{reference}/p:Ref", namespaces=NS) == "471108150023"
    # Plusgiro: clearing member 9960 (Nordea/Plusgirot), number as BBAN.
    assert plus.findtext(f"{member}/p:MmbId", namespaces=NS) == "9960"
    assert plus.findtext("p:CdtrAcct/p:Id/p:Othr/p:Id", namespaces=NS) == "41054685"
    assert plus.findtext("p:CdtrAcct/p:Id/p:Othr/p:SchmeNm/p:Cd", namespaces=NS) == "BBAN"


def test_one_payment_information_per_date_and_debtor_account():
    first = batch(three_kinds(), "RUN-1-A")
    second = batch(
        [CreditTransfer("ORD-9", Decimal("100.00"), "Handelsbanken-kund", HANDELSBANKEN)],
        "RUN-1-B",
        debtor=OTHER_DEBTOR,
        category_purpose="SUPP",
    )
    xml = write([first, second])

    summary = validate_pain001(xml)

    assert summary.payment_information_count == 2
    assert summary.number_of_transactions == 4
    assert summary.control_sum == Decimal("14852.75")
    doc = etree.fromstring(xml)
    assert doc.findtext("p:CstmrCdtTrfInitn/p:PmtInf[2]/p:NbOfTxs", namespaces=NS) == "1"
    debtor_account = "p:CstmrCdtTrfInitn/p:PmtInf[2]/p:DbtrAcct/p:Id/p:Othr"
    assert doc.findtext(f"{debtor_account}/p:SchmeNm/p:Prtry", namespaces=NS) == "BGNR"


def test_tampered_group_control_sum_is_refused():
    xml = write([batch(three_kinds())])
    tampered = xml.replace(b"<CtrlSum>14752.75</CtrlSum>", b"<CtrlSum>14752.76</CtrlSum>", 1)

    with pytest.raises(Pain001ValidationError) as refused:
        validate_pain001(tampered)

    assert refused.value.errors == [
        "GrpHdr: CtrlSum says 14752.76, the transactions add up to 14752.75"
    ]


def test_tampered_batch_count_and_sum_are_refused():
    xml = write([batch(three_kinds())])
    start = xml.index(b"<PmtInf>")
    tampered = xml[:start] + xml[start:].replace(
        b"<NbOfTxs>3</NbOfTxs>", b"<NbOfTxs>2</NbOfTxs>", 1
    )
    tampered = tampered.replace(b"7450.50</InstdAmt>", b"7459.50</InstdAmt>")

    with pytest.raises(Pain001ValidationError) as refused:
        validate_pain001(tampered)

    assert refused.value.errors == [
        "PmtInf RUN-1-20250325: NbOfTxs says 2, the file holds 3 transactions",
        "PmtInf RUN-1-20250325: CtrlSum says 14752.75, the transactions add up to 14761.75",
        "GrpHdr: CtrlSum says 14752.75, the transactions add up to 14761.75",
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (b"<EndToEndId>ORD-2</EndToEndId>", b"", "Missing child element(s)"),
        (b'Ccy="SEK">412.25', b'Ccy="sek">412.25', "not accepted by the pattern"),
        (b"<PmtMtd>TRF</PmtMtd>", b"<PmtMtd>XXX</PmtMtd>", "not an element of the set"),
        (b"</Document>\n", b"", "Premature end of data"),
    ],
)
def test_file_that_breaks_the_schema_is_refused(old, new, expected):
    xml = write([batch(three_kinds())])
    assert old in xml

    with pytest.raises(Pain001ValidationError) as refused:
        validate_pain001(xml.replace(old, new, 1))

    assert expected in refused.value.errors[-1]


def test_duplicate_end_to_end_id_in_a_file_is_refused():
    xml = write([batch(three_kinds())]).replace(b">ORD-3<", b">ORD-1<")

    with pytest.raises(Pain001ValidationError) as refused:
        validate_pain001(xml)

    assert refused.value.errors == ["EndToEndId ORD-1 occurs more than once"]


def test_writer_refuses_transactions_that_do_not_add_up_to_the_declared_totals(tmp_path):
    declared = PaymentBatch(
        payment_info_id="RUN-2",
        execution_date=PAY_DAY,
        debtor=DEBTOR,
        number_of_transactions=3,
        control_sum=Decimal("14752.74"),
        transactions=iter(three_kinds()),
    )
    target = tmp_path / "pain001.xml"

    with pytest.raises(ControlSumMismatch) as mismatch:
        write_pain001_file(
            target,
            message_id="BIS-2",
            created_at=CREATED,
            initiating_party="Exempelby kommun",
            batches=[declared],
        )

    assert mismatch.value.actual_sum == Decimal("14752.75")
    assert mismatch.value.declared_sum == Decimal("14752.74")
    assert os.listdir(tmp_path) == []  # neither the file nor its temporary part is left


def test_writer_refuses_a_count_that_does_not_match():
    declared = PaymentBatch("RUN-3", PAY_DAY, DEBTOR, 4, Decimal("14752.75"), three_kinds())

    with pytest.raises(ControlSumMismatch, match="declared 4 transactions"):
        write([declared])


def test_writer_stops_reading_once_a_batch_holds_more_than_declared():
    declared = PaymentBatch("RUN-3", PAY_DAY, DEBTOR, 2, Decimal("14340.50"), three_kinds())

    with pytest.raises(ControlSumMismatch) as mismatch:
        write([declared])

    assert (mismatch.value.declared_count, mismatch.value.actual_count) == (2, 3)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount": Decimal("10.005")}, "more than two decimals"),
        ({"amount": Decimal("-5.00")}, "must be positive"),
        ({"amount": Decimal("0")}, "must be positive"),
        ({"amount": 10.5}, "finite Decimal"),
        ({"end_to_end_id": "X" * 36}, "EndToEndId"),
        ({"end_to_end_id": "ORD_1"}, "EndToEndId"),
        ({"end_to_end_id": ""}, "EndToEndId"),
        ({"creditor_name": "Anna\nAndersson"}, "control characters"),
        ({"creditor_name": "   "}, "empty"),
        ({"creditor_name": "A" * 141}, "longer than 140"),
        ({"remittance_text": "x" * 141}, "longer than 140"),
        ({"ocr_reference": "1230"}, "not both"),
        ({"ocr_reference": "12 30", "remittance_text": None}, "digits"),
    ],
)
def test_writer_refuses_data_no_bank_can_take(change, message):
    fields = {
        "end_to_end_id": "ORD-1",
        "amount": Decimal("100.00"),
        "creditor_name": "Anna Andersson",
        "creditor_account": SWEDBANK,
        "remittance_text": "April",
    }
    fields.update(change)
    transaction = CreditTransfer(**fields)
    declared = PaymentBatch("RUN-4", PAY_DAY, DEBTOR, 1, Decimal("100.00"), [transaction])

    with pytest.raises(Pain001Error, match=message):
        write([declared])


def test_writer_refuses_duplicate_end_to_end_ids():
    twice = [*three_kinds(), three_kinds()[0]]

    with pytest.raises(Pain001Error, match="ORD-1 is used twice"):
        write([batch(twice)])


def test_writer_refuses_a_naive_creation_time():
    with pytest.raises(Pain001Error, match="timezone-aware"):
        write([batch(three_kinds())], created_at=datetime(2025, 3, 20, 9, 30))


def test_debtor_account_needs_exactly_one_identification():
    with pytest.raises(Pain001Error):
        DebtorAccount(name="Exempelby kommun", bic="NDEASESS")


def _many(count: int, out: io.BytesIO | None = None, progress: list | None = None) -> Iterator:
    """Payments made one at a time, as a database cursor would hand them over."""
    kinds = [SWEDBANK, BANKGIRO, PLUSGIRO, HANDELSBANKEN]
    for number in range(count):
        if out is not None and progress is not None and number % 1000 == 0:
            progress.append((number, out.tell()))
        yield CreditTransfer(
            f"ORD-{number:08d}",
            Decimal(number % 5000) + Decimal("0.50"),
            f"Mottagare {number}",
            kinds[number % 4],
            ocr_reference=make_ocr(f"{number:06d}") if number % 4 == 1 else None,
            remittance_text="Försörjningsstöd" if number % 4 == 0 else None,
        )


def _declared(count: int) -> tuple[int, Decimal]:
    """What one SQL aggregate over the same payments would return."""
    return count, sum((Decimal(n % 5000) + Decimal("0.50") for n in range(count)), Decimal(0))


def test_ten_thousand_payments_are_written_streaming_and_validate(tmp_path):
    count, total = _declared(10_000)
    progress: list[tuple[int, int]] = []
    out = io.BytesIO()
    streamed = PaymentBatch("RUN-10K", PAY_DAY, DEBTOR, count, total, _many(count, out, progress))

    write_pain001(
        out,
        message_id="BIS-10K",
        created_at=CREATED,
        initiating_party="Exempelby kommun",
        batches=[streamed],
    )

    # Output grows while payments are still being fetched: nothing waits for the end.
    assert all(written > number * 300 for number, written in progress if number >= 2000)
    path = tmp_path / "pain001-10k.xml"
    path.write_bytes(out.getvalue())
    summary = validate_pain001(path)
    assert summary.number_of_transactions == 10_000
    assert summary.control_sum == total


def test_write_pain001_file_writes_atomically(tmp_path):
    count, total = _declared(500)
    target = tmp_path / "out" / "pain001.xml"
    target.parent.mkdir()

    summary = write_pain001_file(
        target,
        message_id="BIS-500",
        created_at=CREATED,
        initiating_party="Exempelby kommun",
        batches=[PaymentBatch("RUN-500", PAY_DAY, DEBTOR, count, total, _many(count))],
    )

    assert os.listdir(target.parent) == ["pain001.xml"]
    assert validate_pain001(str(target)) == summary


amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("999999.99"), places=2, allow_nan=False
)


@settings(max_examples=30, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=40))
def test_any_list_of_amounts_gives_a_valid_file_with_matching_control_sum(values):
    transactions = [
        CreditTransfer(f"ORD-{n}", value, "Mottagare", [SWEDBANK, BANKGIRO, PLUSGIRO][n % 3])
        for n, value in enumerate(values)
    ]

    summary = validate_pain001(write([batch(transactions)]))

    assert summary.number_of_transactions == len(values)
    assert summary.control_sum == sum(values, Decimal(0))


# --- pain.002 ---------------------------------------------------------------------------


def test_pain002_round_trip_gives_each_payment_its_status():
    sent = [
        SimulatedStatus("ORD-1", "ACSC", "RUN-1"),
        SimulatedStatus("ORD-2", "RJCT", "RUN-1", "AC04", "Kontot är avslutat"),
        SimulatedStatus("ORD-3", "ACSP", "RUN-1"),
        SimulatedStatus("ORD-4", "RJCT", "RUN-2", "MS03"),
        SimulatedStatus("ORD-5", "PDNG", "RUN-2"),
    ]
    xml = build_pain002(
        "BIS-2025-03-20-1",
        sent,
        message_id="BANK-0001",
        created_at=datetime(2025, 3, 21, tzinfo=UTC),
    )
    validate_pain002(xml)
    xmlschema.XMLSchema(str(SCHEMA_DIR / "pain.002.001.03.xsd")).validate(io.BytesIO(xml))

    report = parse_pain002(xml)

    assert report.message_type == "pain.002.001.03"
    assert report.message_id == "BANK-0001"
    assert report.original_message_id == "BIS-2025-03-20-1"
    assert report.group_status == "PART"
    assert report.created_at == datetime(2025, 3, 21, tzinfo=UTC)
    outcomes = {
        e2e: (s.outcome, s.status_code, s.reason_code) for e2e, s in report.transactions.items()
    }
    assert outcomes == {
        "ORD-1": (PaymentOutcome.PAID, "ACSC", None),
        "ORD-2": (PaymentOutcome.REJECTED, "RJCT", "AC04"),
        "ORD-3": (PaymentOutcome.PENDING, "ACSP", None),
        "ORD-4": (PaymentOutcome.REJECTED, "RJCT", "MS03"),
        "ORD-5": (PaymentOutcome.PENDING, "PDNG", None),
    }
    rejected = report.status_for("ORD-2")
    assert rejected.reason_text == "Kontot är avslutat"
    assert rejected.reason_sv == "Mottagarens konto är avslutat. (Kontot är avslutat)"
    assert rejected.payment_info_id == "RUN-1"
    assert report.status_for("ORD-4").reason_sv == "Avvisad av banken, orsak inte angiven."


def test_rejected_file_rejects_every_payment_in_it():
    xml = build_pain002(
        "BIS-7",
        [],
        message_id="BANK-7",
        created_at=CREATED,
        group_status="RJCT",
        group_reason_code="FF01",
        group_reason_text="Ogiltigt filformat",
    )
    validate_pain002(xml)

    status = parse_pain002(xml).status_for("ORD-1", "RUN-7")

    assert status.outcome is PaymentOutcome.REJECTED
    assert (status.reason_code, status.reason_text) == ("FF01", "Ogiltigt filformat")


def test_rejected_batch_rejects_its_payments_but_not_others():
    xml = build_pain002(
        "BIS-8",
        [SimulatedStatus("ORD-1", "ACSC", "RUN-A")],
        message_id="BANK-8",
        created_at=CREATED,
        batch_statuses=[PaymentInformationStatus("RUN-B", "RJCT", "AM04", "Täckning saknas")],
    )
    validate_pain002(xml)
    report = parse_pain002(xml)

    assert report.group_status == "PART"
    assert report.status_for("ORD-1", "RUN-A").outcome is PaymentOutcome.PAID
    in_rejected_batch = report.status_for("ORD-2", "RUN-B")
    assert in_rejected_batch.outcome is PaymentOutcome.REJECTED
    assert in_rejected_batch.reason_code == "AM04"
    assert report.status_for("ORD-3", "RUN-C") is None


@settings(max_examples=25, deadline=None)
@given(
    st.dictionaries(
        st.from_regex(r"ORD-[0-9]{1,8}", fullmatch=True),
        st.sampled_from(["ACCP", "ACSC", "ACSP", "ACTC", "ACWC", "PDNG", "RJCT"]),
        min_size=1,
        max_size=30,
    )
)
def test_pain002_round_trip_keeps_every_status(statuses):
    sent = [SimulatedStatus(e2e, code, "RUN-1") for e2e, code in statuses.items()]
    xml = build_pain002("BIS-H", sent, message_id="BANK-H", created_at=CREATED)
    validate_pain002(xml)

    report = parse_pain002(xml)

    assert {e2e: s.status_code for e2e, s in report.transactions.items()} == statuses


def test_parse_pain002_refuses_other_messages():
    with pytest.raises(StatusReportError, match="not a pain.002"):
        parse_pain002(write([batch(three_kinds())]))
    with pytest.raises(StatusReportError, match="cannot be read"):
        parse_pain002(b"not XML at all")


# --- camt.054 ---------------------------------------------------------------------------


def test_camt054_round_trip_gives_paid_pending_and_returned():
    bookings = [
        SimulatedBooking("ORD-1", Decimal("6890.00"), date(2025, 3, 25), payment_info_id="RUN-1"),
        SimulatedBooking("ORD-2", Decimal("7450.50"), date(2025, 3, 25), status="PDNG"),
        SimulatedBooking("ORD-3", Decimal("412.25"), date(2025, 3, 25)),
        # The bank returns ORD-3 two days later: the account was closed.
        SimulatedBooking(
            "ORD-3",
            Decimal("412.25"),
            date(2025, 3, 27),
            return_reason_code="AC04",
            return_reason_text="Konto avslutat",
        ),
    ]
    xml = build_camt054(
        "SE45 5000 0000 0583 9825 7466", bookings, message_id="CAMT-1", created_at=CREATED
    )

    report = parse_camt054(xml)

    assert report.message_type == "camt.054.001.02"
    assert report.message_id == "CAMT-1"
    paid, pending, returned = (report.transactions[e] for e in ("ORD-1", "ORD-2", "ORD-3"))
    assert (paid.outcome, paid.status_code) == (PaymentOutcome.PAID, "BOOK")
    assert (paid.amount, paid.booking_date) == (Decimal("6890.00"), date(2025, 3, 25))
    assert paid.payment_info_id == "RUN-1"
    assert (pending.outcome, pending.booking_date) == (PaymentOutcome.PENDING, None)
    assert returned.outcome is PaymentOutcome.REJECTED
    assert (returned.reason_code, returned.reason_text) == ("AC04", "Konto avslutat")
    assert returned.booking_date == date(2025, 3, 27)
    assert report.status_for("ORD-9") is None


@settings(max_examples=25, deadline=None)
@given(
    st.dictionaries(
        st.from_regex(r"ORD-[0-9]{1,8}", fullmatch=True),
        st.tuples(amounts, st.sampled_from(["BOOK", "PDNG"])),
        min_size=1,
        max_size=30,
    )
)
def test_camt054_round_trip_keeps_amounts_and_statuses(entries):
    bookings = [
        SimulatedBooking(e2e, amount, date(2025, 3, 25), status=status)
        for e2e, (amount, status) in entries.items()
    ]
    report = parse_camt054(
        build_camt054("SE4550000000058398257466", bookings, message_id="C", created_at=CREATED)
    )

    expected = {
        e2e: (amount, PaymentOutcome.PAID if status == "BOOK" else PaymentOutcome.PENDING)
        for e2e, (amount, status) in entries.items()
    }
    assert {e: (s.amount, s.outcome) for e, s in report.transactions.items()} == expected


def test_camt054_of_later_versions_is_read_too():
    """From camt.054.001.08 on, Sts has a Cd child and TxDtls carries its own Amt."""
    xml = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
 <BkToCstmrDbtCdtNtfctn>
  <GrpHdr><MsgId>N-8</MsgId><CreDtTm>2025-03-25T18:00:00Z</CreDtTm></GrpHdr>
  <Ntfctn><Id>N-8</Id><Acct><Id><IBAN>SE4550000000058398257466</IBAN></Id></Acct>
   <Ntry><Amt Ccy="SEK">300.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
    <BookgDt><DtTm>2025-03-25T06:00:00+01:00</DtTm></BookgDt>
    <NtryDtls><Btch><NbOfTxs>2</NbOfTxs></Btch>
     <TxDtls><Refs><EndToEndId>ORD-A</EndToEndId></Refs><Amt Ccy="SEK">100.00</Amt></TxDtls>
     <TxDtls><Refs><EndToEndId>ORD-B</EndToEndId></Refs><Amt Ccy="SEK">200.00</Amt></TxDtls>
     <TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs></TxDtls>
    </NtryDtls>
   </Ntry>
  </Ntfctn>
 </BkToCstmrDbtCdtNtfctn>
</Document>"""

    report = parse_camt054(xml)

    assert report.message_type == "camt.054.001.08"
    assert set(report.transactions) == {"ORD-A", "ORD-B"}
    assert report.transactions["ORD-B"].amount == Decimal("200.00")
    assert report.transactions["ORD-A"].outcome is PaymentOutcome.PAID
    assert report.transactions["ORD-A"].booking_date == date(2025, 3, 25)


def test_parse_camt054_refuses_a_pain002():
    xml = build_pain002(
        "BIS-1", [SimulatedStatus("ORD-1", "ACSC", "RUN-1")], message_id="B", created_at=CREATED
    )

    with pytest.raises(StatusReportError, match="not a camt.054"):
        parse_camt054(xml)


def test_report_files_are_read_from_paths_too(tmp_path):
    path = tmp_path / "camt054.xml"
    path.write_bytes(
        build_camt054(
            "SE4550000000058398257466",
            [SimulatedBooking("ORD-1", Decimal("1.00"), date(2025, 3, 25))],
            message_id="C",
            created_at=CREATED,
        )
    )

    assert parse_camt054(path).transactions["ORD-1"].outcome is PaymentOutcome.PAID
    assert parse_camt054(str(path)).message_id == "C"
