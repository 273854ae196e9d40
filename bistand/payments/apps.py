from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "bistand.payments"
    label = "payments"
    verbose_name = "Utbetalning"

    def ready(self) -> None:
        from bistand.cases import selectors as case_selectors
        from bistand.cases import views as case_views
        from bistand.core import navigation as nav
        from bistand.core.navigation import register_nav
        from bistand.organisation.models import Role

        from . import hooks, review_queue, selectors

        if hooks.case_panel not in case_views.CASE_PANELS:
            case_views.CASE_PANELS.append(hooks.case_panel)
        if selectors.timeline_items not in case_selectors.TIMELINE_SOURCES:
            case_selectors.TIMELINE_SOURCES.append(selectors.timeline_items)
        R = Role
        register_nav(
            "Attest",
            "payments:attest_queue",
            {R.SOCIAL_WORKER, R.BENEFIT_ADMINISTRATOR, R.SECTION_HEAD, R.UNIT_HEAD},
            order=50,
            group=nav.FINANCE,
        )
        register_nav(
            "Utbetalningar", "payments:queue", {R.FINANCE, R.UNIT_HEAD}, order=51, group=nav.FINANCE
        )
        register_nav("Mottagare", "payments:payees", {R.FINANCE}, order=52, group=nav.FINANCE)
        register_nav("Betalningsfiler", "payments:runs", {R.FINANCE}, order=53, group=nav.FINANCE)
        register_nav("Avstämning", "payments:reconcile", {R.FINANCE}, order=54, group=nav.FINANCE)
        register_nav(
            "Budget", "payments:budget", {R.FINANCE, R.UNIT_HEAD}, order=55, group=nav.FINANCE
        )
        register_nav(
            "Utbetalningsinställningar",
            "payments:settings",
            {R.UNIT_HEAD},
            order=95,
            group=nav.ADMINISTRATION,
        )
        review_queue.register_sources()  # the controls app's review queue (docs/controls.md)
