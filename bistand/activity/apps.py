from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "bistand.activity"
    label = "activity"
    verbose_name = "Aktivitetskrav"

    def ready(self) -> None:
        from bistand.cases import services as case_services
        from bistand.cases import views as case_views
        from bistand.core import navigation as nav
        from bistand.core.navigation import register_nav
        from bistand.decisions import views as decision_views
        from bistand.jobs.registry import register_job
        from bistand.organisation.models import Role

        from . import hooks, services_places
        from .jobs import CERTIFICATES_ENDING_JOB

        register_job(CERTIFICATES_ENDING_JOB)
        register_nav(
            "Aktivitetskrav",
            "activity:becoming_covered",
            {Role.SOCIAL_WORKER, Role.BENEFIT_ADMINISTRATOR, Role.SECTION_HEAD},
            order=45,
            group=nav.CASES,
        )
        register_nav(
            "Aktiviteter",
            "activity:activities",
            {
                Role.SOCIAL_WORKER,
                Role.BENEFIT_ADMINISTRATOR,
                Role.SECTION_HEAD,
                Role.UNIT_HEAD,
                Role.ACTIVITY_COORDINATOR,
            },
            order=46,
            group=nav.CASES,
        )

        for registry, hook in (
            (case_views.CASE_PANELS, hooks.case_panel),
            (case_views.HOME_SECTIONS, hooks.home_section),
            (decision_views.DECIDE_PAGE_NOTICES, hooks.decide_notice),
            (case_services.CASE_CLOSING_HOOKS, services_places.end_placements_of_closed_case),
        ):
            if hook not in registry:
                registry.append(hook)
