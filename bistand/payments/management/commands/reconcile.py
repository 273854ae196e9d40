"""`bistand reconcile FILE.xml`: read the bank's status report (pain.002 or camt.054)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bistand.audit.context import RequestContext, current_context
from bistand.core.errors import DomainError
from bistand.payments import services

from ._actor import acting_user


class Command(BaseCommand):
    help = "Läs in bankens statusrapport (pain.002 eller camt.054) och stäm av utbetalningarna."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Rapporten från banken (XML)")
        parser.add_argument("--user", help="Ekonomens användarnamn (annars BISTAND_USER)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Filen {path} finns inte.")
        user = acting_user(options.get("user"))
        token = current_context.set(RequestContext(channel="command"))
        try:
            result = services.import_status_report(user, path.read_bytes(), filename=path.name)
        except DomainError as error:
            raise CommandError(error.message)
        finally:
            current_context.reset(token)
        report = result.report
        if result.already_imported:
            self.stdout.write(
                f"Rapporten {report.message_id} är redan inläst "
                f"({report.imported_at:%Y-%m-%d %H:%M}); inget ändrades."
            )
            return
        self.stdout.write(
            f"{report.message_type} {report.message_id}: {report.paid_count} utbetalda, "
            f"{report.rejected_count} avvisade, {report.pending_count} väntande, "
            f"{report.unchanged_count} oförändrade."
        )
        for problem in report.problems:
            self.stdout.write(f"  Avvikelse: {problem}")
