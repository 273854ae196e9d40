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

        from . import hooks, services_places
        from .jobs import CERTIFICATES_ENDING_JOB
        from .permissions import CAPABILITIES

        register_job(CERTIFICATES_ENDING_JOB)
        # The activity pages in the menu (docs/navigation.md), for exactly the roles whose
        # capability opens them: the section list, the activity list (from which an
        # activity's attendance and its CSV import are reached by its coordinators) and the
        # import of Arbetsförmedlingen's "kan omfattas" notices.
        register_nav(
            "Aktivitetskrav",
            "activity:becoming_covered",
            CAPABILITIES["view_section_coverage"],
            order=45,
            group=nav.CASES,
        )
        register_nav(
            "Aktiviteter",
            "activity:activities",
            CAPABILITIES["view_activities"],
            order=46,
            group=nav.CASES,
        )
        register_nav(
            "Underrättelser från AF",
            "activity:import_notices",
            CAPABILITIES["record_coverage_notice"],
            order=47,
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
