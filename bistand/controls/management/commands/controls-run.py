"""`bistand controls-run [--date YYYY-MM-DD] [--unit ID] [--rule RULE ...]`: run the controls as
of a day (default today) for one unit, or for every unit one run each, and add what is new to
each unit's FUT queue (docs/controls.md). Running the same day again adds no flag."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from bistand.controls.models import ControlRule, RunTrigger
from bistand.controls.runs import run_controls
from bistand.core.errors import DomainError
from bistand.organisation.models import Unit


class Command(BaseCommand):
    help = "Kör kontrollerna av utbetalningar och lägger nya flaggor i enhetens FUT-kö."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="ÅÅÅÅ-MM-DD (standard: i dag)")
        parser.add_argument("--unit", type=int, help="enhetens id (standard: alla enheter)")
        parser.add_argument("--rule", action="append", choices=ControlRule.values)

    def _fail(self, message: str):
        self.stderr.write(message)
        raise SystemExit(2) from None

    def handle(self, *args, **options):
        try:
            day = (
                dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
            )
        except ValueError:
            self._fail("error: bad_date: ange datumet som ÅÅÅÅ-MM-DD.")
        units = Unit.objects.order_by("pk")
        if options["unit"] is not None:
            units = units.filter(pk=options["unit"])
            if not units.exists():
                self._fail(f"error: unknown_unit: enheten {options['unit']} finns inte.")
        for unit in units:
            try:
                run = run_controls(
                    None, day, unit_id=unit.pk, trigger=RunTrigger.ON_DEMAND, rules=options["rule"]
                )
            except DomainError as error:
                self._fail(f"error: {error.code}: {error.message}")
            self.stdout.write(f"{unit.name} (enhet {unit.pk}):")
            for rule, count in run.found.items():
                self.stdout.write(f"  {ControlRule(rule).label}: {count}")
            self.stdout.write(
                f"Kontrollkörning {run.pk} per {day}: {sum(run.found.values())} träffar, "
                f"{run.new_flags} nya flaggor i FUT-kön, {run.duration_ms / 1000:.1f} s."
            )
