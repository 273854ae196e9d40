"""Benchmark: a payment run of 100,000 attested orders on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bistand_bench .venv/bin/python bench/payrun_bench.py
    (options: --orders N; --keep leaves the database; --seed-only stops after the setup)

Creates a fresh database, migrates it, bulk-creates N attested orders (tests/payments/bulk.py:
every row through the payment-chain triggers), then times what finance does:
build the run (one claim UPDATE, one aggregate, set-wise audit, the streamed pain.001, XSD
validation, seal), rebuild it (idempotent: nothing new, file rewritten and checked), mark it
sent, and read the bank's pain.002 for all N. Goal for the build: <= 30 s; failure line 60 s.
Prints the figures; docs/PERFORMANCE.md ("## Payments") records them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bistand_bench"
GOAL, FAILURE = 30.0, 60.0
TIMES: dict[str, float] = {}


@contextmanager
def timed(label: str):
    start = time.perf_counter()
    yield
    TIMES[label] = TIMES.get(label, 0.0) + time.perf_counter() - start
    print(f"  {label:<44} {TIMES[label]:8.2f} s", flush=True)


def wrap(module, name: str, label: str) -> None:
    """Time every call of module.name under `label` (bench-only instrumentation)."""
    original = getattr(module, name)

    def timed_call(*args, **kwargs):
        with timed(label):
            return original(*args, **kwargs)

    setattr(module, name, timed_call)


def fresh_database(url: str) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    with psycopg.connect(
        dbname="postgres",
        user=config["USER"],
        host=config["HOST"],
        port=config["PORT"] or 5432,
        password=config["PASSWORD"] or None,
        autocommit=True,
    ) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument(
        "--seed-only", action="store_true", help="stop after creating the orders (for profiling)"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        print("The payment-run benchmark runs on PostgreSQL (DATABASE_URL=postgres://...).")
        return 2
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bistand.settings")
    print(f"Payment run benchmark: {args.orders:,} orders on {url.rsplit('@', 1)[-1]}")
    fresh_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bistand.audit.models import AccessLogEntry
    from bistand.payments import iso20022, services
    from bistand.payments.iso20022 import SimulatedStatus, build_pain002
    from bistand.payments.models import OrderStatus, PaymentOrder
    from tests.payments import bulk

    print("Setup (not part of the goal):")
    with timed("migrate"):
        call_command("migrate", verbosity=0)
    with timed("world through the services"):
        world = bulk.make_world()
    with timed(f"bulk {args.orders:,} attested orders"):
        bulk.add_attested_orders(world, args.orders)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    if args.seed_only:
        print(f"Seeded; payment day {world.pay_day}. Database kept.")
        return 0
    finance = world.org.finance
    audit_before = AccessLogEntry.objects.count()

    wrap(services, "_prepare_run", "claim + aggregate + audit (1 transaction)")
    wrap(services, "write_run_file", "stream pain.001 to file")
    wrap(services, "validate_pain001", "validate against pain.001.001.03 XSD")
    out = Path(tempfile.mkdtemp()) / "betalningsfil.xml"
    print("Build the run:")
    with timed("build_run total"):
        result = services.build_run(finance, world.pay_day, out_path=str(out))
    build_total = TIMES["build_run total"]
    run = result.run
    audit_rows = AccessLogEntry.objects.count() - audit_before
    summary = iso20022.validate_pain001(out)
    assert summary.number_of_transactions == args.orders == run.order_count
    assert run.orders.count() == args.orders
    size_mb = out.stat().st_size / 1e6

    print("Rebuild (idempotent, nothing new):")
    TIMES.pop("claim + aggregate + audit (1 transaction)", None)
    TIMES.pop("stream pain.001 to file", None)
    TIMES.pop("validate against pain.001.001.03 XSD", None)
    with timed("build_run again"):
        again = services.build_run(finance, world.pay_day, out_path=str(out))
    assert again.claimed == 0 and again.run.pk == run.pk

    print("Send and reconcile:")
    with timed("mark sent"):
        services.mark_run_sent(finance, run)
    batch = {"account": f"{run.message_id}-P", "invoice": f"{run.message_id}-F"}
    statuses = [
        SimulatedStatus(
            f"BU{order_id}",
            "RJCT" if order_id % 100 == 0 else "ACSC",
            batch[method],
            "AC04" if order_id % 100 == 0 else None,
        )
        for order_id, method in PaymentOrder.objects.filter(run=run).values_list("id", "method")
    ]
    report = build_pain002(
        run.message_id, statuses, message_id="BENCH-PAIN002", created_at=timezone.now()
    )
    with timed("import pain.002 for every order"):
        imported = services.import_status_report(finance, report).report
    with timed("import the same pain.002 again"):
        assert services.import_status_report(finance, report).already_imported
    paid = PaymentOrder.objects.filter(run=run, status=OrderStatus.PAID).count()

    print()
    print(f"orders in the file        {summary.number_of_transactions:,}")
    print(f"control sum               {summary.control_sum:,.2f} SEK")
    print(f"file size                 {size_mb:.1f} MB")
    print(f"audit rows for the build  {audit_rows:,} (one per run event, listing the order ids)")
    print(f"paid / rejected           {paid:,} / {imported.rejected_count:,}")
    verdict = "OK" if build_total <= GOAL else ("SLOW" if build_total <= FAILURE else "FAILED")
    print(
        f"build_run: {build_total:.1f} s (goal <= {GOAL:.0f} s, failure {FAILURE:.0f} s): {verdict}"
    )
    if not args.keep:
        connection.close()
        fresh_database(url)  # leave an empty database behind
    return 0 if build_total <= FAILURE else 1


if __name__ == "__main__":
    sys.exit(main())
