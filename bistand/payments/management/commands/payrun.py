"""`bistand payrun --date YYYY-MM-DD --out FILE.xml`: build (or rebuild) the payment run for
the date and write its pain.001. Idempotent and safe to run again after a crash: an order is
in at most one run, and a run's file is written whole or not at all."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from bistand.audit.context import RequestContext, current_context
from bistand.core.errors import DomainError
from bistand.payments import services

from ._actor import acting_user


class Command(BaseCommand):
    help = "Bygg betalningsfilen (pain.001) för en betalningsdag och skriv den till en fil."

    def add_arguments(self, parser):
        parser.add_argument("--date", required=True, help="Betalningsdag ÅÅÅÅ-MM-DD")
        parser.add_argument("--out", required=True, help="Filen som pain.001 skrivs till")
        parser.add_argument("--user", help="Ekonomens användarnamn (annars BISTAND_USER)")
        parser.add_argument(
            "--send", action="store_true", help="Markera filen som skickad till banken"
        )

    def handle(self, *args, **options):
        try:
            payment_date = dt.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError("Ange datumet som ÅÅÅÅ-MM-DD.")
        user = acting_user(options.get("user"))
        token = current_context.set(RequestContext(channel="command"))
        try:
            result = services.build_run(user, payment_date, out_path=options["out"])
            run = result.run
            if options["send"]:
                services.mark_run_sent(user, run)
        except services.NothingToPay as nothing:
            self.stdout.write(nothing.message)
            return
        except DomainError as error:
            raise CommandError(error.message)
        finally:
            current_context.reset(token)
        summary = result.summary
        self.stdout.write(
            f"{run.reference} ({run.message_id}): {summary.number_of_transactions} "
            f"utbetalningar, {summary.control_sum:.2f} kr, {result.claimed} nya. "
            f"Skriven till {options['out']} och kontrollerad mot pain.001.001.03."
            + (" Markerad som skickad." if options["send"] else "")
        )
