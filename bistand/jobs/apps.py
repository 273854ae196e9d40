from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "bistand.jobs"
    label = "jobs"
    verbose_name = "Bakgrundsjobb"

    def ready(self) -> None:
        from bistand.core import navigation as nav
        from bistand.core.navigation import register_nav
        from bistand.organisation.models import Role

        from .builtin import BUILTIN_JOBS
        from .registry import JOBS, register_job

        for job in BUILTIN_JOBS:
            # An app higher up may already have replaced a placeholder (control-run).
            if job.name not in JOBS:
                register_job(job)
        register_nav(
            "Drift", "jobs:overview", {Role.SYSTEM_ADMIN}, order=95, group=nav.ADMINISTRATION
        )
