"""`manage.py calc FILE.json` (or `-`): the calculation CLI inside Django; prints JSON."""

import sys

from django.core.management.base import BaseCommand

from bistand.calculation.cli import run
from bistand.norms.selectors import rulebook


class Command(BaseCommand):
    help = "Beräkna försörjningsstöd för ett hushåll och en månad; skriver resultatet som JSON."
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("file", help="indatafil i JSON, eller - för stdin")

    def handle(self, *args, **options):
        stdin = options.get("stdin") or sys.stdin
        status = run([options["file"]], stdin, self.stdout, self.stderr, rulebook())
        if status:
            raise SystemExit(status)
