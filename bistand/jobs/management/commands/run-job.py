"""`bistand run-job NAME [--param key=value ...] [--queue]`: run one background job now.

By default here in this process (recorded on /drift/jobb/ as started by hand); with --queue
through the broker, waiting for the worker's answer. `bistand run-job --list` lists them.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bistand.jobs.registry import JOBS, get_job
from bistand.jobs.runner import execute


class Command(BaseCommand):
    help = "Kör ett bakgrundsjobb nu (för hand)."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?")
        parser.add_argument("--param", action="append", default=[], help="nyckel=värde")
        parser.add_argument("--queue", action="store_true", help="genom kön och arbetaren")
        parser.add_argument("--timeout", type=float, default=600)
        parser.add_argument("--list", action="store_true")

    def handle(self, *args, **options):
        if options["list"] or not options["name"]:
            for name, job in sorted(JOBS.items()):
                when = " ".join(job.schedule) if job.schedule else "vid behov"
                self.stdout.write(f"{name:<16} {when:<16} {job.label}")
            return
        try:
            get_job(options["name"])
        except KeyError as error:
            raise CommandError(str(error.args[0])) from None
        params = {}
        for pair in options["param"]:
            key, sep, value = pair.partition("=")
            if not sep:
                raise CommandError(f"--param ska vara nyckel=värde, inte {pair!r}")
            params[key] = value
        if options["queue"]:
            if not settings.BISTAND_BROKER_URL:
                raise CommandError("--queue behöver BISTAND_BROKER_URL.")
            from bistand.jobs.broker import enqueue

            answer = enqueue(options["name"], params, trigger="manual").get(
                timeout=options["timeout"]
            )
            self.stdout.write(f"{options['name']}: {answer['status']} {answer['result']}")
            return
        try:
            run = execute(options["name"], params, trigger="manual")
        except Exception as error:
            raise CommandError(f"{options['name']} misslyckades: {type(error).__name__}") from None
        self.stdout.write(f"{options['name']}: {run.status} {run.result}")
