"""`bistand followups-due --date YYYY-MM-DD`: the plan follow-ups due on or before a day, per
worker (the handler), overdue ones marked. The listing is written to the access log."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.workplans.selectors import follow_ups_due


class Command(BaseCommand):
    help = "List work-plan follow-ups due on or before a date, per worker."

    def add_arguments(self, parser):
        parser.add_argument("--date", required=True, help="The day, YYYY-MM-DD.")
        parser.add_argument(
            "--within", type=int, default=0, help="Also those due within this many days after."
        )
        parser.add_argument("--unit", type=int, help="Only this unit (id).")
        parser.add_argument("--section", type=int, help="Only this section (id).")

    def handle(self, *args, **options):
        try:
            on = dt.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError("Ange datumet som ÅÅÅÅ-MM-DD, t.ex. --date 2026-03-01.")
        if options["within"] < 0:
            raise CommandError("--within kan inte vara negativt.")
        grouped = follow_ups_due(
            on,
            within_days=options["within"],
            unit_id=options.get("unit"),
            section_id=options.get("section"),
        )
        total = sum(len(rows) for rows in grouped.values())
        record(
            None,
            AuditAction.VIEW,
            object_type="followups_due",
            detail={
                "date": on.isoformat(),
                "cases": sorted(row.case.pk for rows in grouped.values() for row in rows),
            },
        )
        self.stdout.write(f"Uppföljningar att göra per {on:%Y-%m-%d}: {total}")
        order = sorted(
            grouped,
            key=lambda w: (w is None, w.last_name if w else "", w.first_name if w else ""),
        )
        for worker in order:
            rows = grouped[worker]
            name = (
                f"{worker.get_full_name() or worker.username} ({worker.get_role_display().lower()})"
                if worker
                else "Ingen ansvarig handläggare"
            )
            self.stdout.write("")
            self.stdout.write(f"{name}: {len(rows)}")
            for row in rows:
                when = (
                    f"försenad {row.days_overdue} d"
                    if row.days_overdue > 0
                    else ("i dag" if row.days_overdue == 0 else f"om {-row.days_overdue} d")
                )
                self.stdout.write(
                    f"  {row.case.reference}  {row.case.case_type or '-'}  "
                    f"{row.due_on:%Y-%m-%d}  {when:<14}  {row.applicant}  ({row.case.section})"
                )
