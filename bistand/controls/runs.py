"""Control runs (kontrollkörningar): set-wise queries over payments, cases and register checks
that flag likely incorrect payments into the FUT queue, each flag with its evidence.

Every rule is one query (or two: find the groups, then read their members), never a Python
loop over all payments. The payment and decision tables are reached through the app registry
(`apps.get_model`): payments sits above controls and decisions beside it, so neither may be
imported here (import-linter). A flag is keyed by what it is about, so a second run of the same
date adds nothing (`ControlFlag` is unique on rule and key; inserts ignore conflicts).
docs/controls.md, "Control runs and the FUT queue".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import Case, CaseReopening, CaseStatus
from bistand.core.errors import DomainError, NotFound
from bistand.households.models import HouseholdMembership

from .adapter import ITEM_KINDS, ITEM_LABELS
from .models import ControlFlag, ControlRule, ControlRun, RegisterCheck, RunTrigger
from .rules import TOLERANCE

# Orders that are, or are on their way to being, paid. A cancelled order never left; a rejected
# one came back from the bank.
DEAD_ORDER_STATUSES = ("cancelled", "rejected")
GRANTING = ("granted", "partly_granted")
INCOME_SUPPORT = "income_support"


def _model(label: str):
    return apps.get_model(label)


def _sek(value) -> str:
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",") + " kr"


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _digest(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:24]


@dataclass
class Finding:
    """One flag to be: what it is about (key), where, and the evidence FUT reads."""

    rule: str
    key: str
    unit_id: int
    summary: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    refs: dict = field(default_factory=dict)
    case_id: int | None = None
    person_id: int | None = None
    month: dt.date | None = None
    amount: Decimal | None = None

    def evidence(self) -> dict:
        return {
            "facts": [[label, value] for label, value in self.facts],
            "columns": self.columns,
            "rows": self.rows,
            "refs": self.refs,
        }


def _end_of(day: dt.date) -> dt.datetime:
    """The first moment after `day` (Stockholm), for "created on or before the run date"."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def live_orders(run_on: dt.date, unit_id: int):
    """The unit's orders registered by the end of `run_on` that are paid or on their way to
    be."""
    order = _model("payments.PaymentOrder")
    return order.objects.filter(created_at__lt=_end_of(run_on), unit_id=unit_id).exclude(
        status__in=DEAD_ORDER_STATUSES
    )


def _decisions_in_force():
    decision = _model("decisions.Decision")
    replaced = decision.objects.filter(replaces=OuterRef("pk"), status="final")
    return decision.objects.filter(status="final").exclude(Exists(replaced))


def _status_label(status: str) -> str:
    choices = dict(_model("payments.PaymentOrder")._meta.get_field("status").choices)
    return str(choices.get(status, status))


def _order_row(order: dict) -> list[str]:
    return [
        f"BU{order['id']}",
        f"{order['month']:%Y-%m}",
        _sek(order["amount"]),
        str(order.get("paid_on") or order.get("pay_on") or ""),
        _status_label(order.get("status", "")),
    ]


ORDER_COLUMNS = ["Utbetalning", "Avser månad", "Belopp", "Utbetald/betalningsdag", "Status"]
ORDER_FIELDS = ("id", "case_id", "month", "amount", "paid_on", "pay_on", "status", "unit_id")


def _members(orders, groups: list[dict], keys: tuple[str, ...], fields, order_by) -> dict:
    """The orders of every group found, in one query: narrowed by IN lists on each key, then
    sorted into their groups here (only the few rows found). {group key tuple: [rows]}."""
    if not groups:
        return {}
    wanted = {tuple(group[k] for k in keys) for group in groups}
    narrowed = orders
    for position, key in enumerate(keys):
        narrowed = narrowed.filter(**{f"{key}__in": sorted({w[position] for w in wanted})})
    found: dict[tuple, list[dict]] = {}
    for row in narrowed.values(*dict.fromkeys([*fields, *keys])).order_by(*order_by):
        slot = tuple(row[k] for k in keys)
        if slot in wanted:
            found.setdefault(slot, []).append(row)
    return found


# --- The rules ------------------------------------------------------------------------------


def shared_account(run_on: dt.date, unit_id: int) -> list[Finding]:
    """The same bank account (full number, any payee) receiving money for several households."""
    orders = live_orders(run_on, unit_id).filter(method="account", payee_account__isnull=False)
    clearing = "payee_account__sealed_number__clearing"
    number = "payee_account__sealed_number__number"
    groups = (
        orders.values("unit_id", clearing, number)
        # "more than one household": MIN <> MAX aggregates by hashing, COUNT(DISTINCT) sorts.
        .annotate(first=Min("case__household_id"), last=Max("case__household_id"))
        .filter(first__lt=F("last"))
        .order_by()
    )
    findings = []
    groups = list(groups)
    keys = ("unit_id", clearing, number)
    found = _members(orders, groups, keys,
                     (*ORDER_FIELDS, "case__household_id", "payee_id", "payee_masked"),
                     ("case__household_id", "month", "id"))  # fmt: skip
    for group in groups:
        members = found[tuple(group[k] for k in keys)]
        households = sorted({m["case__household_id"] for m in members})
        masked = members[0]["payee_masked"]
        total = sum((_money(m["amount"]) for m in members), Decimal("0"))
        findings.append(
            Finding(
                ControlRule.SHARED_ACCOUNT,
                f"acct:{_digest(group[clearing], group[number])}:h:" + _digest(*households),
                group["unit_id"],
                f"Kontot {masked} har fått utbetalningar för {len(households)} hushåll.",
                facts=[
                    ("Konto (maskerat)", masked),
                    ("Hushåll", ", ".join(str(h) for h in households)),
                    ("Ärenden", ", ".join(str(c) for c in sorted({m["case_id"] for m in members}))),
                    (
                        "Mottagare (id)",
                        ", ".join(str(p) for p in sorted({m["payee_id"] for m in members})),
                    ),
                    ("Utbetalningar", str(len(members))),
                ],
                columns=["Hushåll", "Ärende", *ORDER_COLUMNS],
                rows=[
                    [str(m["case__household_id"]), str(m["case_id"]), *_order_row(m)]
                    for m in members[:200]
                ],  # fmt: skip
                refs={"orders": [m["id"] for m in members], "households": households},
                amount=total,
            )
        )
    return findings


def paid_after_closing(run_on: dt.date, unit_id: int) -> list[Finding]:
    """Orders paid (or to be paid) on a day the case was closed: after its closing date, or
    between a closing and the re-entry (återaktualisering) that followed it."""
    when = Coalesce("paid_on", "pay_on")
    in_gap = CaseReopening.objects.filter(
        case_id=OuterRef("case_id"),
        previous_closed_on__lt=OuterRef("when"),
        reopened_on__gt=OuterRef("when"),
    )
    orders = (
        live_orders(run_on, unit_id)
        .annotate(when=when)
        .filter(
            Q(case__status=CaseStatus.CLOSED, case__closed_on__lt=F("when")) | Q(Exists(in_gap))
        )
        .values(*ORDER_FIELDS, "when", "case__closed_on", "case__status")
        .order_by("id")
    )
    findings = []
    for order in orders:
        closed = order["case__closed_on"] if order["case__status"] == CaseStatus.CLOSED else None
        findings.append(
            Finding(
                ControlRule.PAID_AFTER_CLOSING,
                f"order:{order['id']}",
                order["unit_id"],
                f"Utbetalning BU{order['id']} ({_sek(order['amount'])}) {order['when']} "
                "när ärendet var avslutat.",
                facts=[
                    ("Ärende", str(order["case_id"])),
                    ("Utbetalningsdag", str(order["when"])),
                    ("Ärendet avslutat", str(closed) if closed else "avslutat under perioden"),
                ],
                columns=ORDER_COLUMNS,
                rows=[_order_row(order)],
                refs={"orders": [order["id"]]},
                case_id=order["case_id"],
                month=order["month"],
                amount=_money(order["amount"]),
            )
        )
    return findings


def overlapping_payments(run_on: dt.date, unit_id: int) -> list[Finding]:
    """Income support (försörjningsstöd) for the same household and month from more than one
    decision in force: two applications decided for one month, or two cases of one household.
    A replaced decision is not in force; its replacement nets off what was paid."""
    # Only households and months with more than one final decision can have two in force:
    # found in the decisions table (one row a decision) before the orders are read.
    several = list(
        _model("decisions.Decision")
        .objects.filter(status="final", case__unit_id=unit_id)
        .values("case__household_id", "month")
        .annotate(first=Min("id"), last=Max("id"))
        .filter(first__lt=F("last"))
        .values_list("case__household_id", "month")
        .order_by()
    )
    if not several:
        return []
    in_force = _decisions_in_force().filter(pk=OuterRef("decision_id"))
    orders = (
        live_orders(run_on, unit_id)
        .filter(case__household_id__in={h for h, _ in several}, month__in={m for _, m in several})
        .filter(decision_line__kind=INCOME_SUPPORT)
        .filter(Exists(in_force))
    )
    groups = (
        orders.values("unit_id", "case__household_id", "month")
        .annotate(first=Min("decision_id"), last=Max("decision_id"))
        .filter(first__lt=F("last"))
        .order_by()
    )
    findings = []
    groups = list(groups)
    keys = ("unit_id", "case__household_id", "month")
    found = _members(orders, groups, keys, (*ORDER_FIELDS, "decision_id"), ("id",))
    for group in groups:
        members = found[tuple(group[k] for k in keys)]
        decisions = sorted({m["decision_id"] for m in members})
        cases = sorted({m["case_id"] for m in members})
        total = sum((_money(m["amount"]) for m in members), Decimal("0"))
        findings.append(
            Finding(
                ControlRule.OVERLAPPING_PAYMENTS,
                f"h:{group['case__household_id']}:{group['month']:%Y-%m}:d:"
                + ",".join(str(d) for d in decisions),
                group["unit_id"],
                f"Försörjningsstöd för {group['month']:%Y-%m} betalas enligt {len(decisions)} "
                f"beslut ({_sek(total)}).",
                facts=[
                    ("Hushåll", str(group["case__household_id"])),
                    ("Ärenden", ", ".join(str(c) for c in cases)),
                    ("Beslut", ", ".join(str(d) for d in decisions)),
                ],
                columns=["Beslut", *ORDER_COLUMNS],
                rows=[[str(m["decision_id"]), *_order_row(m)] for m in members],
                refs={"orders": [m["id"] for m in members], "decisions": decisions},
                case_id=cases[0] if len(cases) == 1 else None,
                month=group["month"],
                amount=total,
            )
        )
    return findings


def person_in_two_cases(run_on: dt.date, unit_id: int) -> list[Finding]:
    """A person who, on the run's date, belongs to the households of two open cases of the
    unit. Another unit's cases are that unit's run (a person with one open case in each unit
    is found by neither: naming the other unit's case would show one unit another's data)."""
    open_case = Case.objects.filter(
        household_id=OuterRef("household_id"), opened_on__lte=run_on, unit_id=unit_id
    ).exclude(status=CaseStatus.CLOSED)
    current = (
        HouseholdMembership.objects.filter(valid_from__lte=run_on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=run_on))
        .filter(Exists(open_case))
    )
    people = (
        current.values("person_id")
        .annotate(households=Count("household_id", distinct=True))
        .filter(households__gt=1)
        .values_list("person_id", flat=True)
        .order_by()
    )
    cases = list(
        Case.objects.filter(
            household__memberships__in=current.filter(person_id__in=people),
            opened_on__lte=run_on,
            unit_id=unit_id,
        )
        .exclude(status=CaseStatus.CLOSED)
        .values(
            "id",
            "unit_id",
            "household_id",
            "opened_on",
            "status",
            person_id=F("household__memberships__person_id"),
            role=F("household__memberships__role"),
            valid_from=F("household__memberships__valid_from"),
            valid_to=F("household__memberships__valid_to"),
        )
        .order_by("id")
    )
    by_person: dict[int, list[dict]] = {}
    for row in cases:
        by_person.setdefault(row["person_id"], []).append(row)
    findings = []
    for person_id, rows in sorted(by_person.items()):
        case_ids = sorted({r["id"] for r in rows})
        if len(case_ids) < 2:
            continue
        findings.append(
            Finding(
                ControlRule.PERSON_IN_TWO_CASES,
                f"p:{person_id}:c:" + ",".join(str(c) for c in case_ids),
                rows[0]["unit_id"],
                f"Personen ingår i hushållen i {len(case_ids)} öppna ärenden.",
                facts=[
                    ("Person (id)", str(person_id)),
                    ("Ärenden", ", ".join(str(c) for c in case_ids)),
                ],  # fmt: skip
                columns=["Ärende", "Hushåll", "Öppnat", "Roll i hushållet", "Medlem från", "till"],
                rows=[
                    [
                        str(r["id"]),
                        str(r["household_id"]),
                        str(r["opened_on"]),
                        r["role"],
                        str(r["valid_from"]),
                        str(r["valid_to"] or ""),
                    ]
                    for r in rows
                ],  # fmt: skip
                refs={"cases": case_ids},
                person_id=person_id,
            )
        )
    return findings


def income_not_counted(run_on: dt.date, unit_id: int) -> list[Finding]:
    """A register check's answer with more income in a month than the calculation behind the
    month's decision in force counted for that person (over `rules.TOLERANCE`, 100 kr).

    The candidates are found in the database (checks made by the run date whose case has a
    decision in force for a month of the check's period); only those answers are compared."""
    decision_model = _model("decisions.Decision")
    in_force = _decisions_in_force().filter(
        case_id=OuterRef("case_id"),
        month__gte=OuterRef("period_start"),
        month__lte=OuterRef("period_end"),
        outcome__in=GRANTING,
    )
    checks = list(
        RegisterCheck.objects.filter(
            checked_at__lt=_end_of(run_on), source__in=list(ITEM_KINDS), case__unit_id=unit_id
        )
        .filter(answer__items__0__isnull=False)
        .filter(Exists(in_force))
        .values("id", "case_id", "case__unit_id", "person_id", "source", "answer",
                "period_start", "period_end")
    )  # fmt: skip
    if not checks:
        return []
    decisions: dict[tuple[int, dt.date], list[dict]] = {}
    for row in (
        _decisions_in_force()
        .filter(pk__in=decision_model.objects.filter(
            case_id__in={c["case_id"] for c in checks}, outcome__in=GRANTING).values("pk"))
        .values("id", "case_id", "month", "calculation_id", "calculation__incomes")
    ):  # fmt: skip
        decisions.setdefault((row["case_id"], row["month"]), []).append(row)
    findings = []
    for check in checks:
        kinds = ITEM_KINDS.get(check["source"], {})
        register: dict[tuple[str, str], Decimal] = {}
        for item in (check["answer"] or {}).get("items", []):
            if item.get("kind") not in kinds:
                continue
            net = Decimal(item["amount"]) - Decimal(item.get("tax") or "0")
            slot = (item["month"], item["kind"])
            register[slot] = register.get(slot, Decimal("0")) + net
        for (month_text, kind), found in sorted(register.items()):
            month = dt.date.fromisoformat(month_text + "-01")
            for decision in decisions.get((check["case_id"], month), []):
                counted = Decimal("0")
                for income in decision["calculation__incomes"] or []:
                    owner = income.get("person_id")
                    if owner not in (None, "", check["person_id"], str(check["person_id"])):
                        continue
                    if income.get("type") in kinds[kind]:
                        counted += Decimal(str(income.get("amount") or "0"))
                if found - counted <= TOLERANCE:
                    continue
                findings.append(
                    Finding(
                        ControlRule.INCOME_NOT_COUNTED,
                        f"check:{check['id']}:{month_text}:{kind}:d:{decision['id']}",
                        check["case__unit_id"],
                        f"{ITEM_LABELS[kind]} {month_text}: {_sek(found)} enligt registret, "
                        f"{_sek(counted)} räknat i beslutet.",
                        facts=[
                            ("Kontroll", str(check["id"])),
                            ("Källa", check["source"]),
                            ("Beslut", str(decision["id"])),
                            ("Beräkning", str(decision["calculation_id"])),
                        ],
                        columns=[
                            "Månad",
                            "Inkomst",
                            "Enligt registret",
                            "Räknat i beslutet",
                            "Skillnad",
                        ],  # fmt: skip
                        rows=[
                            [
                                month_text,
                                ITEM_LABELS[kind],
                                _sek(found),
                                _sek(counted),
                                _sek(found - counted),
                            ]
                        ],  # fmt: skip
                        refs={"check": check["id"], "decision": decision["id"]},
                        case_id=check["case_id"],
                        person_id=check["person_id"],
                        month=month,
                        amount=(found - counted).quantize(Decimal("0.01")),
                    )
                )
    return findings


def paid_above_decision(run_on: dt.date, unit_id: int) -> list[Finding]:
    """More paid for a case and month than the decisions in force grant for it (a replacement
    that lowered the amount after payment, or orders on a replaced decision on top).

    Only case-months with more than one final decision are summed: within one decision the
    database already refuses orders above a line's grant (payments migration 0002), so the run
    looks where that trigger cannot, across decisions."""
    order = _model("payments.PaymentOrder")
    line = _model("decisions.DecisionLine")
    decision = _model("decisions.Decision")
    o, ln, d = order._meta.db_table, line._meta.db_table, decision._meta.db_table
    ops = connection.ops
    sql = f"""
        WITH several AS (
            SELECT d.case_id, d.month FROM {d} d WHERE d.status = 'final'
            GROUP BY d.case_id, d.month HAVING MIN(d.id) < MAX(d.id)
        ),
        paid AS (
            SELECT o.case_id, o.month, o.unit_id, SUM(o.amount) AS paid, COUNT(*) AS orders
            FROM {o} o JOIN several s ON s.case_id = o.case_id AND s.month = o.month
            WHERE o.status NOT IN (%s, %s) AND o.created_at < %s AND o.unit_id = %s
            GROUP BY o.case_id, o.month, o.unit_id
        ),
        granted AS (
            SELECT d.case_id, d.month, SUM(l.amount_granted) AS granted
            FROM {ln} l JOIN {d} d ON d.id = l.decision_id
            JOIN several s ON s.case_id = d.case_id AND s.month = d.month
            WHERE d.status = 'final' AND l.outcome IN ('granted', 'partly_granted')
              AND NOT EXISTS (
                  SELECT 1 FROM {d} r WHERE r.replaces_id = d.id AND r.status = 'final')
            GROUP BY d.case_id, d.month
        )
        SELECT paid.case_id, paid.month, paid.unit_id, paid.paid, paid.orders,
               COALESCE(granted.granted, 0)
        FROM paid LEFT JOIN granted
          ON granted.case_id = paid.case_id AND granted.month = paid.month
        WHERE paid.paid > COALESCE(granted.granted, 0) + 0.005
        ORDER BY paid.case_id, paid.month
    """  # noqa: S608 - table names from the models, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [*DEAD_ORDER_STATUSES, ops.adapt_datetimefield_value(_end_of(run_on)), unit_id],
        )
        groups = cursor.fetchall()
    findings = []
    groups = [
        {"case_id": case_id, "month": dt.date.fromisoformat(month) if isinstance(month, str)
         else month, "unit_id": unit_id, "paid": paid, "granted": granted}
        for case_id, month, unit_id, paid, _orders, granted in groups
    ]  # fmt: skip
    keys = ("case_id", "month")
    found = _members(
        live_orders(run_on, unit_id), groups, keys, (*ORDER_FIELDS, "decision_id"), ("id",)
    )
    for group in groups:
        case_id, month, unit_id = group["case_id"], group["month"], group["unit_id"]
        paid, granted = _money(group["paid"]), _money(group["granted"])
        members = found[(case_id, month)]
        findings.append(
            Finding(
                ControlRule.PAID_ABOVE_DECISION,
                f"c:{case_id}:{month:%Y-%m}:o:" + _digest(*(m["id"] for m in members)),
                unit_id,
                f"{month:%Y-%m}: {_sek(paid)} utbetalt men {_sek(granted)} beviljat "
                f"({_sek(paid - granted)} för mycket).",
                facts=[
                    ("Ärende", str(case_id)),
                    ("Utbetalt", _sek(paid)),
                    ("Beviljat enligt gällande beslut", _sek(granted)),
                ],  # fmt: skip
                columns=["Beslut", *ORDER_COLUMNS],
                rows=[[str(m["decision_id"]), *_order_row(m)] for m in members],
                refs={"orders": [m["id"] for m in members]},
                case_id=case_id,
                month=month,
                amount=paid - granted,
            )
        )
    return findings


def duplicate_invoice(run_on: dt.date, unit_id: int) -> list[Finding]:
    """The same payee paid twice for one invoice: the same OCR number, or the same invoice
    number."""
    findings = []
    for column, label in (("ocr_reference", "OCR-nummer"), ("invoice_number", "Fakturanummer")):
        orders = live_orders(run_on, unit_id).exclude(**{column: ""}).filter(payee__isnull=False)
        groups = (
            orders.values("unit_id", "payee_id", column)
            .annotate(count=Count("id"))
            .filter(count__gt=1)
            .order_by()
        )
        groups = list(groups)
        keys = ("unit_id", "payee_id", column)
        found = _members(orders, groups, keys, (*ORDER_FIELDS, "payee_name"), ("id",))
        for group in groups:
            members = found[tuple(group[k] for k in keys)]
            total = sum((_money(m["amount"]) for m in members), Decimal("0"))
            cases = sorted({m["case_id"] for m in members})
            findings.append(
                Finding(
                    ControlRule.DUPLICATE_INVOICE,
                    f"p:{group['payee_id']}:{column}:{_digest(group[column])}:o:"
                    + ",".join(str(m["id"]) for m in members)[:100],
                    group["unit_id"],
                    f"{label} {group[column]} till {members[0]['payee_name']} finns i "
                    f"{len(members)} utbetalningar ({_sek(total)}).",
                    facts=[
                        (label, group[column]),
                        ("Mottagare", members[0]["payee_name"]),
                        ("Ärenden", ", ".join(str(c) for c in cases)),
                    ],  # fmt: skip
                    columns=["Ärende", *ORDER_COLUMNS],
                    rows=[[str(m["case_id"]), *_order_row(m)] for m in members],
                    refs={"orders": [m["id"] for m in members]},
                    case_id=cases[0] if len(cases) == 1 else None,
                    amount=total,
                )
            )
    return findings


RULES: dict[str, Callable[[dt.date, int], list[Finding]]] = {
    ControlRule.SHARED_ACCOUNT: shared_account,
    ControlRule.PAID_AFTER_CLOSING: paid_after_closing,
    ControlRule.OVERLAPPING_PAYMENTS: overlapping_payments,
    ControlRule.PERSON_IN_TWO_CASES: person_in_two_cases,
    ControlRule.INCOME_NOT_COUNTED: income_not_counted,
    ControlRule.PAID_ABOVE_DECISION: paid_above_decision,
    ControlRule.DUPLICATE_INVOICE: duplicate_invoice,
}


# --- The run --------------------------------------------------------------------------------


def tune_for_a_run() -> None:
    """Inside the run's transaction on PostgreSQL: room for the hash aggregates over all
    orders (a run groups every order by case and month) without spilling to disk."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '128MB'")


def run_controls(
    actor, run_on: dt.date, *, unit_id: int, trigger: str = RunTrigger.ON_DEMAND, rules=None
) -> ControlRun:
    """Run every rule over one unit's data as of `run_on` and add what is new to the unit's FUT
    queue, in one transaction.

    `actor` is the fraud investigator who asked (checked by the caller: `fut.start_run`, which
    passes the actor's own unit), or None for the nightly job and the command. The run and its
    counts are one access-log row."""
    started = time.monotonic()
    if run_on > timezone.localdate():
        raise DomainError("future_date", "En kontrollkörning kan inte göras för en framtida dag.")
    if actor is not None and actor.unit_id != unit_id:
        raise NotFound("not_found", "Enheten finns inte eller så saknar du behörighet.")
    found: dict[str, int] = {}
    with transaction.atomic():
        tune_for_a_run()
        run = ControlRun.objects.create(
            unit_id=unit_id,
            run_on=run_on,
            trigger=trigger,
            started_by=actor,
            started_at=timezone.now(),
        )
        flags = []
        for rule, query in RULES.items():
            if rules is not None and rule not in rules:
                continue
            findings = query(run_on, unit_id)
            found[rule] = len(findings)
            flags += [
                ControlFlag(
                    rule=f.rule,
                    key=f.key[:200],
                    unit_id=f.unit_id,
                    case_id=f.case_id,
                    person_id=f.person_id,
                    month=f.month,
                    amount=f.amount,
                    summary=f.summary[:300],
                    evidence=f.evidence(),
                    first_run=run,
                    found_on=run_on,
                )
                for f in findings
            ]
        before = ControlFlag.objects.filter(first_run=run).count()
        ControlFlag.objects.bulk_create(flags, ignore_conflicts=True, batch_size=500)
        run.new_flags = ControlFlag.objects.filter(first_run=run).count() - before
        run.found = found
        run.finished_at = timezone.now()
        run.duration_ms = int((time.monotonic() - started) * 1000)
        run.save()
        record(
            actor,
            AuditAction.CREATE,
            obj=run,
            detail={
                "run_on": run_on.isoformat(),
                "unit": unit_id,
                "found": found,
                "new_flags": run.new_flags,
            },
        )
    return run
