"""`bistand import-af-notices FILE --user USERNAME [--source TEXT]`: read Arbetsförmedlingen's
"kan omfattas" notices from a CSV file (docs/activity-requirement.md, "The reverse notice"),
as the named staff user (their case access decides which persons are found). All or
nothing: any wrong row stores nothing and every error is printed with its row number."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bistand.core.errors import DomainError
from bistand.organisation.models import User

from ...services_attendance import MAX_CSV_BYTES
from ...services_notices import DEFAULT_SOURCE, import_notices


class Command(BaseCommand):
    help = "Read Arbetsförmedlingen's 'kan omfattas' notices from a CSV file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file: personnummer;datum;kommentar")
        parser.add_argument("--user", required=True, help="The staff user who reads it in.")
        parser.add_argument("--source", default=DEFAULT_SOURCE, help="Where the file came from.")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError("Användaren finns inte eller är inte aktiv.")
        path = Path(options["file"])
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_CSV_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Filen kan inte läsas: {error.strerror}.")
        try:
            result = import_notices(
                user,
                data,
                today=timezone.localdate(),
                source=options["source"],
                file_name=path.name,
            )
        except DomainError as error:
            raise CommandError(error.message)
        if result.errors:
            for number, message in result.errors:
                self.stderr.write(f"Rad {number}: {message}")
            raise CommandError("Inget är sparat. Rätta filen och läs in den igen.")
        self.stdout.write(f"{len(result.stored)} underrättelser sparade.")
