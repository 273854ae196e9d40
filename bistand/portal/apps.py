from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "bistand.portal"
    label = "portal"

    def ready(self) -> None:
        from bistand.cases import selectors as case_selectors
        from bistand.cases import views as case_views
        from bistand.jobs.registry import register_job

        from . import (
            checks,  # noqa: F401 (registers the system check)
            hooks_apply,
            selectors_apply,
        )
        from .notifications import DELIVERY_JOB
        from .signals_follow import connect

        connect()
        register_job(DELIVERY_JOB)
        for registry, hook in (
            (case_views.CASE_PANELS, hooks_apply.case_panel),
            (case_views.HOME_SECTIONS, hooks_apply.home_section),
            (case_selectors.TIMELINE_SOURCES, selectors_apply.timeline_items),
            (case_views.CASE_PAGE_PREFETCH, selectors_apply.case_page_prefetch),
        ):
            if hook not in registry:
                registry.append(hook)
