"""Exports: the monthly accounting export (CSV and SIE 4) and a case's payment list (CSV).

Bookings follow the money: an order is booked (debit its assistance account, credit the
payment bank account) on the day it was paid, and reversed on the day the bank returned it.
No export carries a name or a full account number; the case list shows payees masked.

SIE 4 (SIE-gruppen, "SIE filformat ver 4"): a text file in IBM PC 8-bit codepage 437
(`#FORMAT PC8`), one record per line (CR LF), fields separated by spaces, text in quotes,
amounts with a decimal point, dates as YYYYMMDD, one balanced #VER per booking day and
direction with its #TRANS rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q

from bistand.core.dates import add_months

from .models import BudgetAccount, PaymentOrder, PaymentSettings

SIE_PROGRAM = "Bistånd"
SIE_VERSION = "1.0"
SERIES = "U"  # verification series for assistance payments


def _month_range(month: dt.date) -> tuple[dt.date, dt.date]:
    start = month.replace(day=1)
    return start, add_months(start, 1) - dt.timedelta(days=1)


def booking_rows(unit_id: int, month: dt.date) -> list[dict]:
    """One row per booking in the month: payments (+) and returns (-), by date then order."""
    start, end = _month_range(month)
    orders = (
        PaymentOrder.objects.filter(unit_id=unit_id)
        .filter(Q(paid_on__range=(start, end)) | Q(returned_on__range=(start, end)))
        .select_related("budget_account", "run", "decision", "case")
        .order_by("id")
    )
    rows = []
    for order in orders:
        common = {
            "order": order.reference,
            "account": order.budget_account.code,
            "account_name": order.budget_account.name,
            "run": order.run.reference if order.run_id else "",
            "decision": order.decision.reference,
            "case": order.case.reference,
            "month": f"{order.month:%Y-%m}",
            "method": order.get_method_display(),
            "payee": order.payee_masked or order.get_method_display(),
        }
        if order.paid_on and start <= order.paid_on <= end:
            rows.append({"date": order.paid_on, "amount": order.amount, **common})
        if order.returned_on and start <= order.returned_on <= end:
            rows.append({"date": order.returned_on, "amount": -order.amount, **common})
    rows.sort(key=lambda row: (row["date"], row["order"]))
    return rows


def _decimal_comma(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


CSV_HEADER = [
    "Bokföringsdatum",
    "Konto",
    "Kontonamn",
    "Belopp",
    "Utbetalning",
    "Betalningsfil",
    "Beslut",
    "Ärende",
    "Avser månad",
    "Betalningssätt",
    "Mottagare (maskerat)",
]


def accounting_csv(unit_id: int, month: dt.date) -> bytes:
    """Semicolon-separated, decimal comma, UTF-8 with BOM (opens as-is in Swedish Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in booking_rows(unit_id, month):
        writer.writerow(
            [
                row["date"].isoformat(),
                row["account"],
                row["account_name"],
                _decimal_comma(row["amount"]),
                row["order"],
                row["run"],
                row["decision"],
                row["case"],
                row["month"],
                row["method"],
                row["payee"],
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sie_text(value: str) -> str:
    """A quoted SIE text field: no control characters, quotes escaped."""
    clean = "".join(ch for ch in str(value) if ch.isprintable())
    return '"' + clean.replace("\\", "/").replace('"', '\\"') + '"'


def _sie_amount(amount: Decimal) -> str:
    return f"{amount:.2f}"


def accounting_sie(
    unit_id: int, month: dt.date, settings_row: PaymentSettings, unit_name: str, today: dt.date
) -> bytes:
    """SIE 4 (type 4: verifications) for the month, encoded in CP437 as #FORMAT PC8 says."""
    start, end = _month_range(month)
    rows = booking_rows(unit_id, month)
    bank = settings_row.bank_ledger_account
    lines = [
        "#FLAGGA 0",
        f"#PROGRAM {_sie_text(SIE_PROGRAM)} {SIE_VERSION}",
        "#FORMAT PC8",
        f"#GEN {today:%Y%m%d}",
        "#SIETYP 4",
        f"#ORGNR {settings_row.organisation_number}",
        f"#FNAMN {_sie_text(unit_name)}",
        f"#RAR 0 {start.year}0101 {start.year}1231",
    ]
    accounts = {
        account.code: account.name
        for account in BudgetAccount.objects.filter(
            unit_id=unit_id, code__in={row["account"] for row in rows}
        )
    }
    accounts.setdefault(bank, "Utbetalningskonto ekonomiskt bistånd")
    for code in sorted(accounts):
        lines.append(f"#KONTO {code} {_sie_text(accounts[code])}")
    # One verification per booking day and direction, one #TRANS per budget account.
    groups: dict[tuple[dt.date, bool], dict[str, Decimal]] = defaultdict(
        lambda: defaultdict(Decimal)
    )
    counts: dict[tuple[dt.date, bool], int] = defaultdict(int)
    for row in rows:
        key = (row["date"], row["amount"] > 0)
        groups[key][row["account"]] += row["amount"]
        counts[key] += 1
    for number, (date, is_payment) in enumerate(sorted(groups, key=lambda k: (k[0], not k[1])), 1):
        per_account = groups[(date, is_payment)]
        what = "Utbetalningar" if is_payment else "Returer från banken"
        text = f"{what} ekonomiskt bistånd {date:%Y-%m-%d} ({counts[(date, is_payment)]} st)"
        lines.append(f"#VER {SERIES} {number} {date:%Y%m%d} {_sie_text(text)} {today:%Y%m%d}")
        lines.append("{")
        total = Decimal("0.00")
        for code in sorted(per_account):
            lines.append(f"#TRANS {code} {{}} {_sie_amount(per_account[code])}")
            total += per_account[code]
        lines.append(f"#TRANS {bank} {{}} {_sie_amount(-total)}")
        lines.append("}")
    text = "\r\n".join(lines) + "\r\n"
    return text.encode("cp437", errors="replace")


CASE_CSV_HEADER = [
    "Utbetalning",
    "Registrerad",
    "Avser månad",
    "Betalningssätt",
    "Mottagare",
    "Konto (maskerat)",
    "Belopp",
    "Status",
    "Utbetald",
    "Bankens besked",
    "Beslut",
]


def case_payments_csv(orders) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CASE_CSV_HEADER)
    for order in orders:
        writer.writerow(
            [
                order.reference,
                f"{order.created_at:%Y-%m-%d}",
                f"{order.month:%Y-%m}",
                order.get_method_display(),
                order.payee_name,
                order.payee_masked,
                _decimal_comma(order.amount),
                order.get_status_display(),
                order.paid_on.isoformat() if order.paid_on else "",
                order.bank_reason,
                order.decision.reference,
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
