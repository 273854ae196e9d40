"""`bistand birth-country-import FILE --registered-on YYYY-MM-DD [--user USERNAME]`: store born in
Sweden or abroad from a population-register extract (statistics/birth_country.py)."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand

from bistand.core.errors import DomainError
from bistand.organisation.models import User
from bistand.statistics.birth_country import import_register_extract


class Command(BaseCommand):
    help = "Läser in född i Sverige/utomlands från ett utdrag ur folkbokföringen."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--registered-on", required=True, help="utdragets datum ÅÅÅÅ-MM-DD")
        parser.add_argument("--user", help="vem som läser in (användarnamn)")

    def handle(self, *args, **options):
        try:
            try:
                registered_on = dt.date.fromisoformat(options["registered_on"])
            except ValueError:
                raise DomainError("bad_date", "Ange utdragets datum som ÅÅÅÅ-MM-DD.") from None
            actor = None
            if options["user"]:
                actor = User.objects.filter(username=options["user"]).first()
                if actor is None:
                    raise DomainError("unknown_user", "Användaren finns inte.")
            text = Path(options["file"]).read_text(encoding="utf-8")
            result = import_register_extract(actor, text, registered_on)
        except (DomainError, OSError, UnicodeDecodeError) as error:
            code = getattr(error, "code", "bad_file")
            self.stderr.write(f"error: {code}: {getattr(error, 'message', error)}")
            raise SystemExit(2) from None
        if result.errors:
            for message in result.errors:
                self.stderr.write(f"error: bad_line: {message}")
            self.stderr.write("Ingenting är inläst.")
            raise SystemExit(2)
        self.stdout.write(
            f"Inläst för {result.recorded} personer; {result.unknown_persons} personnummer "
            "finns inte i Bistånd och hoppades över."
        )
