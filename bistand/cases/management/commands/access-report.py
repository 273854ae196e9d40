"""`bistand access-report --month YYYY-MM`: the month's unusual reads per unit and reader
(cases.access_review), as text or JSON, for batch use. The report itself is logged."""

import json

from django.core.management.base import BaseCommand, CommandError

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.core.errors import DomainError
from bistand.organisation.models import Unit

from ...access_review import CATEGORIES, month_report, parse_month


class Command(BaseCommand):
    help = (
        "Unusual reads of a month (outside own work, emergency access, mass reads, protected "
        "identity) per unit, grouped by reader."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="The month, YYYY-MM.")
        parser.add_argument("--unit", type=int, help="Only this unit (id); default every unit.")
        parser.add_argument(
            "--threshold", type=int, help="Mass read: more than this many cases or persons a day."
        )
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, **options):
        try:
            month = parse_month(options["month"])
        except DomainError as error:
            raise CommandError(error.message)
        if options["threshold"] is not None and options["threshold"] < 0:
            raise CommandError("--threshold kan inte vara negativt.")
        units = Unit.objects.order_by("id")
        if options["unit"] is not None:
            units = units.filter(pk=options["unit"])
            if not units.exists():
                raise CommandError(f"Enheten {options['unit']} finns inte.")
        reports = [month_report(u, month, threshold=options["threshold"]) for u in units]
        record(
            None,
            AuditAction.VIEW,
            object_type="access_report",
            detail={"month": f"{month:%Y-%m}", "units": [r.unit.pk for r in reports]},
        )
        if options["json"]:
            self.stdout.write(
                json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2)
            )
            return
        for report in reports:
            self.stdout.write(f"{report.unit.name} {month:%Y-%m}")
            for key, label in CATEGORIES.items():
                self.stdout.write(f"  {label}: {report.totals[key]}")
            for reader in report.readers:
                self.stdout.write(f"  {reader.name}:")
                for item in reader.items:
                    where = f"ärende {item.case_id}" if item.case_id else ""
                    if item.person_id:
                        where = f"{where} person {item.person_id}".strip()
                    extra = f" ({item.count})" if item.count else ""
                    self.stdout.write(
                        f"    {item.at:%Y-%m-%d %H:%M} {item.label}{extra} {item.action} {where}"
                    )
