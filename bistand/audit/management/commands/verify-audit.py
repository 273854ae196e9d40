from django.core.management.base import BaseCommand, CommandError

from bistand.audit.services import verify_chain


class Command(BaseCommand):
    help = (
        "Verify the hash chain of the access log; exits non-zero if a row was removed or altered."
    )

    def handle(self, *args, **options):
        report = verify_chain()
        for problem in report.problems:
            self.stderr.write(problem)
        if not report.ok:
            raise CommandError(
                f"Audit chain BROKEN: {len(report.problems)} problem(s) in {report.checked} rows"
            )
        self.stdout.write(f"Audit chain OK: {report.checked} rows verified")
