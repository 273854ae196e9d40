"""`bistand scheduler`: Celery beat alone, sending each job to the broker when it falls due
(run exactly one per installation, beside any number of `bistand worker --no-beat`)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bistand.jobs.broker import configure


class Command(BaseCommand):
    help = "Schemaläggaren (Celery beat): lägger jobben i kön när de är dags."

    def add_arguments(self, parser):
        parser.add_argument("--loglevel", default=settings.BISTAND_LOG_LEVEL)

    def handle(self, *args, **options):
        if not settings.BISTAND_BROKER_URL:
            raise CommandError(
                "BISTAND_BROKER_URL är inte satt: utan kö schemalägger `bistand worker` själv."
            )
        app = configure()
        settings.BISTAND_BEAT_SCHEDULE_FILE.parent.mkdir(parents=True, exist_ok=True)
        app.start(
            argv=[
                "beat",
                f"--loglevel={options['loglevel']}",
                f"--schedule={settings.BISTAND_BEAT_SCHEDULE_FILE}",
            ]
        )
