from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bistand.audit.services import anchor_file, verify_chain

SHOWN = 50


class Command(BaseCommand):
    help = (
        "Verify the access log: every keyed hash and link, and every anchor written by "
        "`bistand audit-anchor`. Exits non-zero if a row was altered, removed or the tail cut."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor-file",
            type=Path,
            help="anchors to check against (default BISTAND_AUDIT_ANCHOR_FILE; a syslog copy works)",
        )

    def handle(self, *args, **options):
        report = verify_chain(options["anchor_file"])
        for note in report.notes:
            self.stdout.write(f"Note: {note}")
        for problem in report.problems[:SHOWN]:
            self.stderr.write(problem)
        if len(report.problems) > SHOWN:
            self.stderr.write(f"... and {len(report.problems) - SHOWN} more problem(s)")
        if not report.ok:
            raise CommandError(
                f"Audit chain BROKEN: {len(report.problems)} problem(s) in {report.checked} rows"
                f" checked against {report.anchors} anchor(s)"
            )
        self.stdout.write(
            f"Audit chain OK: {report.checked} rows verified against {report.anchors} anchor(s)"
            f" in {options['anchor_file'] or anchor_file()}"
        )
