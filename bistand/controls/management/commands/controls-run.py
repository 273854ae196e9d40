"""`bistand controls-run [--date YYYY-MM-DD] [--rule RULE ...]`: run the controls as of a day
(default today) and add what is new to the FUT queue (docs/controls.md). Running the same day
again adds no flag."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from bistand.controls.models import ControlRule, RunTrigger
from bistand.controls.runs import run_controls
from bistand.core.errors import DomainError


class Command(BaseCommand):
    help = "Kör kontrollerna av utbetalningar och lägger nya flaggor i FUT-kön."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="ÅÅÅÅ-MM-DD (standard: i dag)")
        parser.add_argument("--rule", action="append", choices=ControlRule.values)

    def handle(self, *args, **options):
        try:
            day = (
                dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
            )
        except ValueError:
            self.stderr.write("error: bad_date: ange datumet som ÅÅÅÅ-MM-DD.")
            raise SystemExit(2) from None
        try:
            run = run_controls(None, day, trigger=RunTrigger.ON_DEMAND, rules=options["rule"])
        except DomainError as error:
            self.stderr.write(f"error: {error.code}: {error.message}")
            raise SystemExit(2) from None
        for rule, count in run.found.items():
            self.stdout.write(f"  {ControlRule(rule).label}: {count}")
        self.stdout.write(
            f"Kontrollkörning {run.pk} per {day}: {sum(run.found.values())} träffar, "
            f"{run.new_flags} nya flaggor i FUT-kön, {run.duration_ms / 1000:.1f} s."
        )
