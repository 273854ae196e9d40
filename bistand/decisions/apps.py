from django.apps import AppConfig
from django.db.models.signals import post_save


class DecisionsConfig(AppConfig):
    name = "bistand.decisions"
    label = "decisions"
    verbose_name = "Beslut"

    def ready(self) -> None:
        from bistand.cases import selectors as case_selectors
        from bistand.cases import views as case_views
        from bistand.core import navigation as nav
        from bistand.core.navigation import register_nav
        from bistand.organisation.models import Unit

        from . import hooks

        if hooks.case_panel not in case_views.CASE_PANELS:
            case_views.CASE_PANELS.append(hooks.case_panel)
        if hooks.home_section not in case_views.HOME_SECTIONS:
            case_views.HOME_SECTIONS.append(hooks.home_section)
        if hooks.timeline not in case_selectors.TIMELINE_SOURCES:
            case_selectors.TIMELINE_SOURCES.append(hooks.timeline)
        register_nav(
            "Beslut", "decisions:overview", {"section_head", "unit_head"}, order=30, group=nav.CASES
        )
        register_nav(
            "Fortsatta ansökningar",
            "decisions:batch",
            {"benefit_administrator", "section_head", "unit_head"},
            order=31,
            group=nav.CASES,
        )
        register_nav(
            "Delegation och riktlinjer",
            "decisions:settings",
            {"system_admin"},
            order=90,
            group=nav.ADMINISTRATION,
        )
        register_nav(
            "Riktlinjer", "decisions:guidelines", {"unit_head"}, order=92, group=nav.ADMINISTRATION
        )
        from bistand.jobs.registry import register_job

        from .jobs import DECIDE_BATCH_JOB

        register_job(DECIDE_BATCH_JOB)

        # The calculation editor autosaves its lines as they are typed (issue #13).
        from bistand.core import drafts

        from .services import may_edit_calculation_draft

        drafts.register(
            "berakning",
            "beräkningen",
            may_edit_calculation_draft,
            content_patterns=(
                "cost-*-amount",
                "cost-*-description",
                "income-*-amount",
                "income-*-description",
                "adj-*-amount",
                "adj-*-reason",
            ),
        )
        post_save.connect(
            _seed_delegation, sender=Unit, dispatch_uid="decisions_default_delegation"
        )

    # --- What the controls app's monthly sample asks (it may not import decisions) ---

    def sample_candidates(self, unit_id: int, month) -> list[dict]:
        from .sample_source import sample_candidates

        return sample_candidates(unit_id, month)

    def sample_decision_summaries(self, decision_ids: list[int]) -> dict[int, dict]:
        from .sample_source import sample_decision_summaries

        return sample_decision_summaries(decision_ids)


def _seed_delegation(sender, instance, created, raw=False, **kwargs):
    """A new unit gets the default delegation order (the board then adapts it)."""
    if created and not raw:
        from .services import ensure_default_delegation

        ensure_default_delegation(instance)
