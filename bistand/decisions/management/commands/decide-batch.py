"""`bistand decide-batch --month YYYY-MM [--dry-run]`: which repeat applications of the month
qualify for a prepared decision, and why the others do not. Without --dry-run (and with
--user), prepares the decisions, or decides them automatically where the unit allows it."""

from django.core.management.base import BaseCommand, CommandError

from bistand.calculation.money import format_sek
from bistand.core.dates import parse_month
from bistand.core.errors import DomainError
from bistand.decisions.services import run_decide_batch
from bistand.organisation.models import Unit, User


class Command(BaseCommand):
    help = "Förbered beslut för enkla fortsatta ansökningar (C-ärenden) för en månad."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="månaden, ÅÅÅÅ-MM")
        parser.add_argument(
            "--dry-run", action="store_true", help="visa bara vilka som kan förberedas"
        )
        parser.add_argument("--unit", type=int, help="bara den här enheten (id)")
        parser.add_argument("--user", help="användarnamn för den som kör (krävs utan --dry-run)")

    def handle(self, *args, **options):
        try:
            month = parse_month(options["month"])
        except (ValueError, TypeError):
            raise CommandError("Ange månaden som ÅÅÅÅ-MM, till exempel 2026-11.")
        unit = None
        if options.get("unit"):
            unit = Unit.objects.filter(pk=options["unit"]).first()
            if unit is None:
                raise CommandError(f"Enheten {options['unit']} finns inte.")
        actor = None
        if options.get("user"):
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"Användaren {options['user']} finns inte.")
        dry_run = options["dry_run"]
        if not dry_run and actor is None:
            raise CommandError("Ange --user (den som kör) eller kör med --dry-run.")
        try:
            report = run_decide_batch(actor, month, unit=unit, dry_run=dry_run)
        except DomainError as error:
            raise CommandError(error.message)
        verbose = options.get("verbosity", 1) > 1
        mode = "provkörning – inget sparas" if dry_run else "körning"
        self.stdout.write(f"Fortsatta ansökningar {month:%Y-%m} ({mode})")
        for row in report.rows:
            application = row.application
            household = application.case.household
            applicant = household.applicant_on(application.month)
            who = applicant.full_name if applicant else f"hushåll {household.pk}"
            head = f"ärende {application.case.reference}  ansökan {application.pk}  {who}"
            if row.assessment.qualifies:
                amount = row.assessment.calculation.amount_to_pay
                status = "KAN FÖRBEREDAS"
                if row.decision is not None:
                    status = "AUTOMATISKT BESLUT" if row.decision.automatic else "FÖRBERETT"
                elif row.error:
                    status = "FEL"
                self.stdout.write(f"{status:<18} {head}  {format_sek(amount)}")
                if row.error:
                    self.stdout.write(f"  ! {row.error}")
            else:
                self.stdout.write(f"{'KAN INTE':<18} {head}")
            for check in row.assessment.checks:
                if verbose or not check.ok:
                    mark = "✓" if check.ok else "✗"
                    note = f": {check.note}" if check.note else ""
                    text = check.label if check.ok else check.why_not
                    self.stdout.write(f"  {mark} {text}{note}")
        qualifying = len(report.qualifying)
        self.stdout.write(f"Summa: {qualifying} av {len(report.rows)} kan förberedas.")
        if report.sampled:
            self.stdout.write(f"{len(report.sampled)} automatiska beslut lagda för granskning.")
