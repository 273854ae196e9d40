"""`bistand backup --out DIR`: database, media files, audit anchors and a manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bistand.jobs.backup import BackupError, backup


class Command(BaseCommand):
    help = "Säkerhetskopiera databasen (pg_dump eller SQLite), media och ankarfilen till DIR."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path)

    def handle(self, *args, **options):
        try:
            manifest = backup(options["out"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Säkerhetskopia i {options['out']}: {len(manifest['tables'])} tabeller, {rows} rader, "
            f"{manifest['media_files']} mediafiler, åtkomstloggen till rad "
            f"{manifest['audit_head']['last_id']}."
        )
