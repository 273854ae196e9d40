from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "bistand.portal"
    label = "portal"

    def ready(self) -> None:
        from bistand.jobs.registry import register_job

        from . import checks  # noqa: F401 (registers the system check)
        from .notifications import DELIVERY_JOB
        from .signals_follow import connect

        connect()
        register_job(DELIVERY_JOB)
