from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bistand.demo.loader import (
    DEFAULT_HOUSEHOLDS,
    DEFAULT_MONTHS,
    DEFAULT_SEED,
    MIN_HOUSEHOLDS,
    DemoSummary,
    database_has_demo,
    load_demo,
)
from bistand.demo.people import MUNICIPALITY_CODE, MUNICIPALITY_NAME
from bistand.demo.staff import UNIT_NAME


class Command(BaseCommand):
    help = (
        "Load the demo municipality (one unit, staff for every role, households and 18 months "
        "of case history) on an empty database, and print the demo logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) if the database already has a unit.",
        )
        parser.add_argument("--households", type=int, default=DEFAULT_HOUSEHOLDS)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--months", type=int, default=DEFAULT_MONTHS)

    def handle(self, *args, **options):
        if database_has_demo():
            if options["if_empty"]:
                self.stdout.write(
                    "The database already has a unit; the demo data is kept as it is."
                )
                return
            raise CommandError(
                "The database already has a unit. The demo loads only on an empty database "
                "(use --if-empty to skip quietly)."
            )
        # Query logging (DEBUG) would keep every one of ~100,000 statements in memory.
        settings.DEBUG = False
        if options["households"] < MIN_HOUSEHOLDS:
            raise CommandError(f"--households must be at least {MIN_HOUSEHOLDS}.")
        if options["months"] < 2:
            raise CommandError("--months must be at least 2.")
        self.stdout.write(
            f"Loading the demo municipality: {options['households']} households, "
            f"{options['months']} months of history, seed {options['seed']} ..."
        )
        summary = load_demo(
            households=options["households"], seed=options["seed"], months=options["months"]
        )
        if connection.vendor == "postgresql":
            # Fresh statistics for the planner: autovacuum analyses a bulk load only some time
            # later, and until then plans assume near-empty tables (a start page's count ran
            # 0.7 s instead of a few ms on a just-loaded demo).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self._print(summary)
        if not summary.audit_ok:
            raise CommandError("The audit chain does not verify after loading; see verify-audit.")

    def _print(self, s: DemoSummary) -> None:
        write = self.stdout.write
        open_total = sum(s.open_by_type.values()) + s.in_intake
        types = ", ".join(f"{t} {n}" for t, n in s.open_by_type.items())
        write("")
        write(f"{UNIT_NAME} ({MUNICIPALITY_NAME}, kommunkod {MUNICIPALITY_CODE})")
        write(f"  Households            {s.households:>7}   ({s.persons} persons)")
        write(f"  Open cases            {open_total:>7}   ({types}; in intake {s.in_intake})")
        write(f"  Closed cases          {s.closed:>7}")
        write(f"  Re-entries            {s.reentries:>7}   (closed cases taken up again)")
        write(f"  Applications          {s.applications:>7}   ({s.undecided} undecided)")
        write(f"  Investigations        {s.investigations:>7}")
        write(f"  Journal entries       {s.journal_entries:>7}")
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(s.decisions.items()))
        write(
            f"  Decisions             {sum(s.decisions.values()):>7}   ({outcomes}; appeals {s.appeals})"
        )
        if s.norm_substituted:
            write(
                f"  Calculations on substitute norm {s.norm_substituted:>5}   (riksnorm lacks the "
                "month's amounts; marked demo_substitute_norm)"
            )
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(s.orders_by_status.items()))
        write(f"  Payment orders        {sum(s.orders_by_status.values()):>7}   ({statuses})")
        write(f"  Amount paid           {s.amount_paid:>12,.2f} kr   ({s.paid_months} months)")
        if s.plans is not None:
            p = s.plans
            write(
                f"  Work plans            {p.confirmed + p.unconfirmed:>7}   (confirmed "
                f"{p.confirmed}, of them overdue {p.overdue}; unconfirmed {p.unconfirmed})"
            )
            write(f"  Follow-ups            {p.follow_ups:>7}")
            referrals = ", ".join(f"{k} {v}" for k, v in sorted(p.referrals_by_status.items()))
            write(f"  Referrals             {p.referrals:>7}   ({referrals})")
        write(f"  Staff                 {s.staff:>7}")
        chain = "OK" if s.audit_ok else "BROKEN"
        write(f"  Access-log rows       {s.audit_rows:>7}   (chain {chain})")
        write(f"  Elapsed               {s.seconds:>7.1f} s")
        write("")
        write(
            "Demo logins (numbered colleagues such as socialsekreterare02 use the same password):"
        )
        width = max(len(row["username"]) for row in s.logins) + 2
        role_width = max(len(row["role"]) for row in s.logins) + 2
        write(f"  {'username':<{width}}{'role':<{role_width}}{'section':<16}open cases")
        for row in s.logins:
            cases = "" if row["cases"] is None else str(row["cases"])
            write(
                f"  {row['username']:<{width}}{row['role']:<{role_width}}{row['section']:<16}{cases}"
            )
        write(f"  password for all: {s.password}")
        write("  (admin is also a Django superuser: /admin/)")
        if s.portal_applicant:
            a = s.portal_applicant
            write("")
            write(
                "E-tjänst for applicants: /e-tjanst/login/ → Test-e-legitimation (debug only). "
                f"Personnummer {a['identity_number']} logs in as {a['name']} (case {a['case']}, "
                "with a decision letter and payments)."
            )
        if s.second_factors:
            write("")
            write(
                "Second factor: chefs, finance and administrators give a TOTP code after the "
                "password. Add a secret to an authenticator app (or scan the otpauth URI as a QR "
                "code), or use the one-time backup code:"
            )
            for row in s.second_factors:
                write(
                    f"  {row['username']:<{width}}secret {row['secret']}  backup {row['backup_code']}"
                )
                write(f"  {'':<{width}}{row['uri']}")
