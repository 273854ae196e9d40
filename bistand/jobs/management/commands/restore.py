"""`bistand restore DIR [--force]`: load a backup into an empty database and MEDIA_ROOT, then
verify the access log and compare every table's rows with the manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bistand.jobs.backup import BackupError, check_restored, restore


class Command(BaseCommand):
    help = "Återställ en säkerhetskopia till en tom databas och kontrollera den."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="ersätt en databas som inte är tom"
        )

    def handle(self, *args, **options):
        directory = options["directory"]
        try:
            manifest = restore(directory, force=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        anchors = directory / "audit-anchors.jsonl"
        # The anchors taken with the backup (none: a note), never the live file, which may
        # already anchor rows written after the backup.
        report = check_restored(manifest, anchors)
        for problem in report.problems:
            self.stderr.write(problem)
        if not report.ok:
            raise CommandError(f"Återställningen stämmer inte: {len(report.problems)} fel.")
        self.stdout.write(
            f"Återställt och kontrollerat: {report.tables} tabeller, {report.rows} rader som i "
            f"manifestet, åtkomstloggen verifierad ({report.audit_rows} rader), "
            f"{manifest['media_files']} mediafiler."
        )
