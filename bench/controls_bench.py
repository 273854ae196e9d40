"""Benchmark of the control runs over the statistics benchmark's data set (not a timed test).

Run (PostgreSQL; the database is dropped and created again unless --reuse):

    .venv/bin/python bench/controls_bench.py                      # 25,000 households a month, 10 years
    .venv/bin/python bench/controls_bench.py --households 2500    # a tenth of it
    .venv/bin/python bench/controls_bench.py --reuse              # time again on the same data
    options: --households N --years Y --seed S --database-url URL (or CONTROLS_BENCH_DATABASE_URL)

What it does:
1. generates the statistics benchmark's cases, decisions and paid orders (bench/stats_bench.py,
   COPY with triggers off);
2. makes the payments look like real ones, set-wise: every applicant a payee with a bank
   account of their own, nine orders in ten paid to that account and the rest as invoices to a
   landlord with an OCR number each; register checks (Skatteverket) for every household-month of
   the last three months, one in fifty with wages the calculation did not count; and plants
   20 shared accounts and 20 duplicate OCR numbers;
3. times each rule on its own, then a whole run (`runs.run_controls`) twice: the second run
   must add no flag.

Goal (issue 12): a whole run over 25,000 households a month and ten years in at most 60 s on
PostgreSQL. Figures are recorded in docs/PERFORMANCE.md, "## Control runs".
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import stats_bench  # noqa: E402


def _enrich(months_with_checks: int = 3) -> dict:
    """Payees, accounts, invoices and register checks on top of the statistics data."""
    from django.db import connection

    from bistand.organisation.models import Role, User
    from bistand.payments import models as payments

    head = User.objects.get(username="enhetschef")
    finance, _ = User.objects.get_or_create(
        username="ekonom", defaults={"role": Role.FINANCE, "unit": head.unit}
    )
    fut, _ = User.objects.get_or_create(
        username="fut", defaults={"role": Role.FRAUD_INVESTIGATOR, "unit": head.unit}
    )
    unit_id = head.unit_id
    income_account = payments.BudgetAccount.objects.get(unit_id=unit_id, code="4710").pk
    counts = {}
    raw = connection.cursor().cursor
    raw.execute("SET session_replication_role = replica")
    t = time.monotonic()
    raw.execute(
        "INSERT INTO payments_payee (unit_id, kind, person_id, name, organisation_number, "
        "created_by_id, created_at) SELECT %s, 'person', m.person_id, 'Mottagare', '', %s, now() "
        "FROM households_householdmembership m WHERE m.role = 'applicant'",
        [unit_id, finance.pk],
    )
    counts["payees"] = raw.rowcount
    raw.execute(
        "INSERT INTO payments_payee (unit_id, kind, name, organisation_number, created_by_id, "
        "created_at) VALUES (%s, 'organisation', 'Bostads AB', '556036-0793', %s, now()) "
        "RETURNING id",
        [unit_id, finance.pk],
    )
    landlord = raw.fetchone()[0]
    raw.execute(
        "INSERT INTO payments_payeeaccount (payee_id, version, kind, bank_name, masked, reason, "
        "registered_by_id, registered_at) SELECT p.id, 1, CASE WHEN p.kind = 'person' THEN "
        "'bank_account' ELSE 'bankgiro' END, '', '**** ' || right(lpad(p.id::text, 4, '0'), 4), "
        "'', %s, now() FROM payments_payee p",
        [finance.pk],
    )
    raw.execute(
        "INSERT INTO payments_accountnumber (account_id, clearing, clearing_check_digit, number) "
        "SELECT a.id, '8327', '', lpad(a.id::text, 10, '0') FROM payments_payeeaccount a"
    )
    raw.execute("UPDATE payments_payee p SET current_account_id = a.id FROM payments_payeeaccount "
                "a WHERE a.payee_id = p.id")  # fmt: skip
    raw.execute(
        "UPDATE payments_paymentorder o SET method = 'account', payee_id = p.id, "
        "payee_account_id = a.id, payee_masked = a.masked, cash_reason = '' "
        "FROM cases_case c, households_householdmembership m, payments_payee p, "
        "payments_payeeaccount a WHERE c.id = o.case_id AND m.household_id = c.household_id "
        "AND m.role = 'applicant' AND p.person_id = m.person_id AND a.payee_id = p.id "
        "AND o.budget_account_id = %s",
        [income_account],
    )
    counts["account_orders"] = raw.rowcount
    raw.execute(
        "UPDATE payments_paymentorder o SET method = 'invoice', payee_id = %s, "
        "payee_account_id = a.id, payee_masked = a.masked, cash_reason = '', due_on = o.pay_on, "
        "ocr_reference = 'OCR' || o.id FROM payments_payeeaccount a "
        "WHERE a.payee_id = %s AND o.budget_account_id <> %s",
        [landlord, landlord, income_account],
    )
    counts["invoice_orders"] = raw.rowcount
    # Planted: 20 pairs of households sharing an account, 20 OCR numbers paid twice.
    raw.execute(
        "UPDATE payments_accountnumber SET number = lpad(((account_id + 1) / 2)::text, 10, '9') "
        "WHERE account_id <= 40"
    )
    raw.execute(
        "UPDATE payments_paymentorder SET ocr_reference = 'OCR' || (id - 1) WHERE id IN ("
        "SELECT o.id FROM payments_paymentorder o WHERE o.method = 'invoice' AND EXISTS ("
        "SELECT 1 FROM payments_paymentorder p WHERE p.id = o.id - 1 AND p.method = 'invoice') "
        "ORDER BY o.id LIMIT 20)"
    )
    print(f"  payees, accounts and invoices in {time.monotonic() - t:.0f} s", flush=True)
    t = time.monotonic()
    raw.execute(
        "SELECT COALESCE(MAX(month), CURRENT_DATE) FROM decisions_decision WHERE status = 'final'"
    )
    last = raw.fetchone()[0]
    raw.execute(
        """
        INSERT INTO controls_registercheck (case_id, person_id, source, channel, period_start,
            period_end, request_id, answer, answer_sha256, summary, comparison, discrepancy,
            checked_by_id, checked_at, assessment, assessment_note)
        SELECT d.case_id, m.person_id, 'skatteverket', 'register', d.month, d.month, '',
            CASE WHEN d.id %% 50 = 0 THEN jsonb_build_object(
                'status', 'ok',
                'period', jsonb_build_object('from', to_char(d.month, 'YYYY-MM'),
                                             'to', to_char(d.month, 'YYYY-MM')),
                'items', jsonb_build_array(jsonb_build_object(
                    'month', to_char(d.month, 'YYYY-MM'), 'kind', 'employment_income',
                    'payer', 'Lagerhuset AB', 'amount', '9000.00', 'tax', '2000.00')))
            ELSE jsonb_build_object(
                'status', 'no_data',
                'period', jsonb_build_object('from', to_char(d.month, 'YYYY-MM'),
                                             'to', to_char(d.month, 'YYYY-MM')),
                'items', jsonb_build_array()) END,
            '', '', '[]'::jsonb, d.id %% 50 = 0, %s, d.decided_at, '', ''
        FROM decisions_decision d
        JOIN cases_case c ON c.id = d.case_id
        JOIN households_householdmembership m ON m.household_id = c.household_id
             AND m.role = 'applicant'
        WHERE d.status = 'final' AND d.month > %s::date - (%s * INTERVAL '1 month')
        """,
        [head.pk, last, months_with_checks],
    )
    counts["register_checks"] = raw.rowcount
    print(f"  register checks in {time.monotonic() - t:.0f} s", flush=True)
    raw.execute("SET session_replication_role = DEFAULT")
    raw.execute("ANALYZE")
    counts["fut_user"] = fut.pk
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=25_000, help="households a month")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="time the existing database again")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "CONTROLS_BENCH_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/bistand_controls_bench",
        ),
    )
    args = parser.parse_args()
    if not args.reuse:
        stats_bench._recreate_database(args.database_url)
    stats_bench._setup(args.database_url)
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from bistand.controls import runs
    from bistand.controls.models import ControlFlag
    from bistand.payments.models import PaymentOrder

    print(f"Control-run benchmark on {connection.vendor} "
          f"{connection.pg_version if connection.vendor == 'postgresql' else ''}, "
          f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs")  # fmt: skip
    if not args.reuse:
        t = time.monotonic()
        call_command("migrate", verbosity=0)
        print(f"migrated in {time.monotonic() - t:.0f} s", flush=True)
        print(f"generating {args.households:,} households a month over {args.years} years ...",
              flush=True)  # fmt: skip
        counts = stats_bench.generate(args)
        counts.update(_enrich())
        print("generated:", ", ".join(f"{k} {v:,}" for k, v in counts.items()), flush=True)
    today = timezone.localdate()
    unit_id = PaymentOrder.objects.values_list("unit_id", flat=True).first()
    print(f"\n{PaymentOrder.objects.count():,} payment orders; run as of {today}, unit {unit_id}")
    print(f"\n{'rule':<24} {'seconds':>8} {'found':>8}")
    for name, rule in runs.RULES.items():
        t = time.monotonic()
        with transaction.atomic():
            runs.tune_for_a_run()
            found = rule(today, unit_id)
        print(f"{name:<24} {time.monotonic() - t:8.2f} {len(found):8,}", flush=True)
    for attempt in (1, 2):
        t = time.monotonic()
        run = runs.run_controls(None, today, unit_id=unit_id)
        print(
            f"whole run {attempt}: {time.monotonic() - t:.2f} s, {sum(run.found.values()):,} found, "
            f"{run.new_flags:,} new flags (flags in the queue: {ControlFlag.objects.count():,})",
            flush=True,
        )
    print("\n(goal: a whole run in at most 60 s at 25,000 households a month over ten years)")


if __name__ == "__main__":
    main()
