"""`bistand national-report --month YYYY-MM --user USERNAME [--output FILE] [--check]`

The month's individual-level file for Socialstyrelsen (docs/national-reporting.md). It is
validated first: with errors nothing is written, the errors are printed (in Swedish) and the
exit status is 2. The export is logged as the given user (a unit head); --check only
validates and logs nothing.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from bistand.core.dates import parse_month
from bistand.core.errors import DomainError
from bistand.organisation.models import User
from bistand.statistics import national_report as national
from bistand.statistics.access import require_export_access


class Command(BaseCommand):
    help = "Tar ut (eller kontrollerar) månadens individuppgifter till Socialstyrelsen."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="ÅÅÅÅ-MM")
        parser.add_argument("--user", required=True, help="enhetschefens användarnamn (loggas)")
        parser.add_argument("--output", "-o", help="fil att skriva (standard: stdout)")
        parser.add_argument("--check", action="store_true", help="bara kontroll, ingen fil")

    def handle(self, *args, **options):
        today = timezone.localdate()
        try:
            try:
                month = parse_month(options["month"])
            except (ValueError, TypeError):
                raise DomainError("bad_month", "Ange månaden som ÅÅÅÅ-MM.") from None
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise DomainError("unknown_user", f"Användaren {options['user']} finns inte.")
            require_export_access(user)
            if options["check"]:
                report = national.prepare(user.unit, month, today=today)
                self._summary(report)
                if not report.valid:
                    raise SystemExit(2)
                return
            report, content = national.export_national_report(user, month, today=today)
        except national.NationalReportInvalid as invalid:
            self._summary(invalid.report)
            self.stderr.write(f"error: {invalid.code}: {invalid.message}")
            raise SystemExit(2)
        except DomainError as error:
            self.stderr.write(f"error: {error.code}: {error.message}")
            raise SystemExit(2)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as handle:
                handle.write(content)
            self._summary(report)
        else:
            self.stdout.write(content, ending="")

    def _summary(self, report) -> None:
        counts = report.counts()
        self.stderr.write(
            f"{report.filename}: {counts['persons']} personer i {counts['households']} hushåll, "
            f"{counts['closings']} avslut; {len(report.problems)} fel."
        )
        for problem in report.problems:
            self.stderr.write(f"  {problem}")
