from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "bistand.statistics"
    label = "statistics"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from bistand.core import navigation as nav
        from bistand.core.navigation import register_nav
        from bistand.jobs.registry import register_job
        from bistand.payments.models import StatusReportImport

        from . import hooks
        from .jobs import STATS_REFRESH_JOB

        register_job(STATS_REFRESH_JOB)

        register_nav(
            "Jämförelser",
            "statistics:benchmark",
            {"unit_head", "section_head"},
            group=nav.FOLLOW_UP,
        )
        # Monthly follow-up (issue 7).
        register_nav(
            "Statistik",
            "statistics:dashboard",
            {"unit_head", "section_head"},
            order=60,
            group=nav.FOLLOW_UP,
        )
        # After a bank status report is read in, rebuild the months its payments changed.
        post_save.connect(
            hooks.after_reconciliation,
            sender=StatusReportImport,
            dispatch_uid="statistics.after_reconciliation",
        )
