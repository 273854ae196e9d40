from django.apps import AppConfig


class WorkplansConfig(AppConfig):
    name = "bistand.workplans"
    label = "workplans"
    verbose_name = "Arbetsplaner"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from bistand.cases import selectors as case_selectors
        from bistand.cases import views as case_views
        from bistand.cases.models import CaseAssignment
        from bistand.core import navigation as nav
        from bistand.core.navigation import register_nav
        from bistand.jobs.registry import register_job
        from bistand.organisation.models import Role

        from . import hooks, selectors
        from .jobs import FOLLOWUPS_DUE_JOB

        register_job(FOLLOWUPS_DUE_JOB)

        # The edit-plan page autosaves what is typed (issue #13). The dates are filled in
        # beforehand, so only the texts count as typed.
        from bistand.core import drafts

        from .services import may_edit_plan_draft

        drafts.register(
            "arbetsplan",
            "arbetsplanen",
            may_edit_plan_draft,
            content=("notes",),
            content_patterns=("goal-*-text", "activity-*-text", "activity-*-partner"),
        )

        for registry, hook in (
            (case_views.CASE_PANELS, hooks.case_panel),
            (case_views.HANDOVER_PANELS, hooks.handover_panel),
            (case_views.HOME_SECTIONS, hooks.home_section),
            (case_selectors.TIMELINE_SOURCES, selectors.timeline_items),
            (case_views.CASE_PAGE_PREFETCH, selectors.case_page_prefetch),
        ):
            if hook not in registry:
                registry.append(hook)
        register_nav(
            "Planer",
            "workplans:overview",
            {Role.SECTION_HEAD, Role.UNIT_HEAD},
            order=40,
            group=nav.CASES,
        )
        register_nav(
            "Planinställningar",
            "workplans:settings",
            {Role.SECTION_HEAD, Role.UNIT_HEAD, Role.SYSTEM_ADMIN},
            order=90,
            group=nav.ADMINISTRATION,
        )
        # A reassignment (cases.services._assign) stores a CaseAssignment: store the handover
        # summary and recompute due dates in the same transaction.
        post_save.connect(
            hooks.on_assignment_saved,
            sender=CaseAssignment,
            dispatch_uid="workplans.on_assignment_saved",
        )

    def plan_followed(self, case, month) -> tuple[bool, str]:
        """Used by decisions' repeat-application support: is the plan followed for `month`?

        Followed = a confirmed plan whose follow-ups are not overdue and no unresolved deviation.
        """
        return self.plans_followed([case], month)[case.pk]

    def plans_followed(self, cases, month) -> dict[int, tuple[bool, str]]:
        """`plan_followed` for many cases at once (three queries for any number), by case id."""
        from .models import PlanState
        from .selectors import plan_states_and_deviations

        found = {}
        for case_id, (state, open_deviations) in plan_states_and_deviations(cases).items():
            if state != PlanState.ON_TRACK:
                found[case_id] = (False, f"Arbetsplanen: {PlanState(state).label.lower()}.")
            elif open_deviations:
                found[case_id] = (False, f"{open_deviations} olöst(a) avvikelse(r) från planen.")
            else:
                found[case_id] = (True, "Arbetsplanen är bekräftad och uppföljningarna sker i tid.")
        return found
