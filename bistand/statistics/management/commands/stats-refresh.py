"""`bistand stats-refresh`: rebuild the statistics summary tables (docs/statistics.md).

bistand stats-refresh                      months marked stale + this and last month (nightly)
bistand stats-refresh --month 2026-03      one month (and what depends on it)
bistand stats-refresh --from 2025-01 --to 2025-12
bistand stats-refresh --year 2025
bistand stats-refresh --stale              only the months the payment triggers marked
bistand stats-refresh --all                everything, from scratch, in calendar order
"""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from bistand.core.dates import add_months, month_start
from bistand.core.errors import DomainError
from bistand.statistics.periods import Period, month_key
from bistand.statistics.refresh import refresh_all, refresh_months, stale_months


class Command(BaseCommand):
    help = "Beräknar om statistikens sammanställningar (per månad, med INSERT ... SELECT)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="ÅÅÅÅ-MM")
        parser.add_argument("--from", dest="start")
        parser.add_argument("--to", dest="end")
        parser.add_argument("--year", type=int)
        parser.add_argument("--stale", action="store_true")
        parser.add_argument("--all", action="store_true")

    def handle(self, *args, **options):
        today = timezone.localdate()
        try:
            if options["all"]:
                result = refresh_all()
            else:
                months: list[dt.date] = []
                if options["year"]:
                    months += Period.year(options["year"]).months
                if options["month"] or options["start"] or options["end"]:
                    months += Period.parse(
                        options["month"], options["start"], options["end"], today
                    ).months
                if options["stale"] or not months:
                    months += stale_months()
                if not any(options[k] for k in ("month", "start", "end", "year", "stale")):
                    current = month_start(today)
                    months += [add_months(current, -1), current]
                result = refresh_months(months)
        except DomainError as error:
            self.stderr.write(f"error: {error.code}: {error.message}")
            raise SystemExit(2)
        self.stdout.write(
            f"Beräknade {len(result.months)} månader "
            f"({', '.join(month_key(m) for m in result.months) or 'inga'}), "
            f"förde biståndstider vidare till {len(result.cascaded)}, år {result.years or '–'}: "
            f"{result.households} hushållsmånader, {result.recipients} personmånader "
            f"på {result.seconds:.1f} s."
        )
