from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "bistand.cases"
    label = "cases"

    def ready(self) -> None:
        # Households sit below cases: the case access rule is handed to them, not imported.
        from bistand.households.services import register_household_change_rule

        from .selectors import may_change_household

        register_household_change_rule(may_change_household)

        # Autosaved drafts of the case's long forms (issue #13).
        from bistand.core import drafts

        from .services import draft_checker

        drafts.register("grundutredning", "grundutredningen", draft_checker("edit_investigation"))
        drafts.register(
            "journal",
            "journalanteckningen",
            draft_checker("write_journal"),
            content=("journal-text",),
        )
