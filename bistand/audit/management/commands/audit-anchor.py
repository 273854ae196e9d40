from pathlib import Path

from django.core.management.base import BaseCommand

from bistand.audit.services import anchor_file, write_anchor


class Command(BaseCommand):
    help = (
        "Append the signed head of the access log (time, row count, last id, last hash) to the "
        "append-only anchor file and the 'bistand.audit.anchor' log. Run it periodically (cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--anchor-file", type=Path, help="default BISTAND_AUDIT_ANCHOR_FILE")

    def handle(self, *args, **options):
        path = options["anchor_file"] or anchor_file()
        line = write_anchor(path)
        self.stdout.write(f"Anchored in {path}: {line}")
