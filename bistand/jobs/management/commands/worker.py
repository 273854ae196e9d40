"""`bistand worker`: run the background jobs.

With BISTAND_BROKER_URL: a Celery worker with the beat scheduler embedded (`--no-beat` for a
worker only, when `bistand scheduler` runs elsewhere: exactly one scheduler per installation).
Without: an in-process loop that runs each job when its schedule falls due.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from bistand.jobs.broker import configure


class Command(BaseCommand):
    help = "Kör bakgrundsjobben (Celery-arbetare med schemaläggare, eller i processen utan kö)."

    def add_arguments(self, parser):
        parser.add_argument("--no-beat", action="store_true", help="utan schemaläggaren")
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--loglevel", default=settings.BISTAND_LOG_LEVEL)
        parser.add_argument(
            "--interval", type=int, default=30, help="utan kö: sekunder mellan kontrollerna"
        )

    def handle(self, *args, **options):
        app = configure()
        if settings.BISTAND_BROKER_URL:
            argv = [
                "worker",
                f"--loglevel={options['loglevel']}",
                f"--concurrency={options['concurrency']}",
                "--without-gossip",
                "--without-mingle",
            ]
            if not options["no_beat"]:
                settings.BISTAND_BEAT_SCHEDULE_FILE.parent.mkdir(parents=True, exist_ok=True)
                argv += ["--beat", f"--schedule={settings.BISTAND_BEAT_SCHEDULE_FILE}"]
            app.worker_main(argv=argv)
            return
        from bistand.jobs.scheduler import run_due

        self.stdout.write("Ingen kö (BISTAND_BROKER_URL): jobben körs här när de är dags.")
        started = timezone.now()
        while True:
            for name in run_due(timezone.now(), started):
                self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M:%S} körde {name}")
            time.sleep(options["interval"])
