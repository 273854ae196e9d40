from django.apps import AppConfig


class ControlsConfig(AppConfig):
    name = "bistand.controls"
    label = "controls"
    verbose_name = "Kontroller"

    def ready(self) -> None:
        from bistand.cases import views as case_views
        from bistand.core import navigation as nav
        from bistand.core.navigation import register_nav
        from bistand.organisation.models import Role

        from . import hooks

        if hooks.case_panel not in case_views.CASE_PANELS:
            case_views.CASE_PANELS.append(hooks.case_panel)
        register_nav(
            "Kontrollkrav",
            "controls:requirements",
            {Role.UNIT_HEAD, Role.SYSTEM_ADMIN},
            order=93,
            group=nav.ADMINISTRATION,
        )
        self._ready_sample_review()
        self._ready_recovery()
        self._ready_fut()

    def _ready_sample_review(self) -> None:
        """Monthly sample review (stickprov) and the review queue: pages and the job."""
        from bistand.core import navigation as nav
        from bistand.core.navigation import register_nav
        from bistand.jobs.registry import register_job

        from .permissions import CAPABILITIES
        from .sample_jobs import SAMPLE_DRAW_JOB

        register_nav(
            "Stickprov",
            "controls:samples",
            CAPABILITIES["draw_sample"],
            order=60,
            group=nav.FOLLOW_UP,
        )
        register_nav(
            "Granskningskö",
            "controls:review_queue",
            CAPABILITIES["review_queue"],
            order=61,
            group=nav.FOLLOW_UP,
        )
        register_nav("Mina granskningar", "controls:my_reviews", CAPABILITIES["review_sample"],
                     order=62, group=nav.FOLLOW_UP)  # fmt: skip
        register_job(SAMPLE_DRAW_JOB)

    # --- The hook decisions asks (an app-registry lookup: decisions may not import controls) ---

    def decision_checks(self, application, *, automatic: bool = False) -> dict:
        """May a decision on `application` be made, as far as register checks go?
        {"ok", "message", "missing": [str], "sources": [str], "check_ids": [int]}."""
        from .rules import status_for

        status = status_for(application, automatic=automatic)
        return {
            "ok": status.ok,
            "message": status.message,
            "missing": [need.label for need in status.missing],
            "sources": status.sources,
            "check_ids": [check.pk for check in status.checks],
        }

    def decision_checks_many(self, applications, *, automatic: bool = False) -> dict:
        """`decision_checks` for many applications with a few queries: {application id: ...}."""
        from .rules import status_for_many

        return {
            application_id: {
                "ok": status.ok,
                "message": status.message,
                "missing": [need.label for need in status.missing],
                "sources": status.sources,
                "check_ids": [check.pk for check in status.checks],
            }
            for application_id, status in status_for_many(applications, automatic=automatic).items()
        }

    def bind_decision_checks(self, actor, application, decision_id: int, *, automatic=False):
        """In the decision's transaction: refuse (DomainError) or record the checks it rests on."""
        from .services import bind_decision_checks

        status = bind_decision_checks(actor, application, decision_id, automatic=automatic)
        return {"ok": True, "sources": status.sources, "check_ids": [c.pk for c in status.checks]}

    def consulted_sources(self, decision_id: int) -> list[str]:
        """For the letter: the sources of the checks the decision rests on, with periods."""
        from .selectors import consulted_sources

        return consulted_sources(decision_id)

    def decision_form_panel(self, request, application) -> dict | None:
        from .hooks import decision_form_panel

        return decision_form_panel(request, application)

    def _ready_recovery(self) -> None:
        """Incorrect payments and recovery on the case page; the backlog for the heads."""
        from bistand.cases import views as case_views
        from bistand.core import navigation as nav
        from bistand.core.navigation import register_nav
        from bistand.organisation.models import Role

        from .recovery_views import backlog_home_section, recovery_panel

        if recovery_panel not in case_views.CASE_PANELS:
            case_views.CASE_PANELS.append(recovery_panel)
        if backlog_home_section not in case_views.HOME_SECTIONS:
            case_views.HOME_SECTIONS.append(backlog_home_section)
        register_nav(
            "Dokumentationsskuld",
            "controls:backlog",
            {Role.SECTION_HEAD, Role.UNIT_HEAD},
            order=94,
            group=nav.FOLLOW_UP,
        )
        register_nav(
            "Återkrav",
            "controls:open_claims",
            {Role.SECTION_HEAD, Role.UNIT_HEAD},
            order=95,
            group=nav.FINANCE,
        )

    def _ready_fut(self) -> None:
        """Control runs and the FUT queue: the nightly job (replacing the jobs app's
        placeholder) and the pages in the menu."""
        from bistand.core import navigation as nav
        from bistand.core.navigation import register_nav
        from bistand.jobs.registry import register_job
        from bistand.organisation.models import Role

        from .jobs import CONTROL_RUN_JOB
        from .permissions import CAPABILITIES

        register_job(CONTROL_RUN_JOB)
        register_nav(
            "FUT-kö",
            "controls:fut_queue",
            CAPABILITIES["read_flag_list"],
            order=45,
            group=nav.CASES,
        )
        register_nav(
            "FUT-utredningar",
            "controls:fut_investigations",
            {Role.FRAUD_INVESTIGATOR, Role.UNIT_HEAD},
            order=46,
            group=nav.CASES,
        )
