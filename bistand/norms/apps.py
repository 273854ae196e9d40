from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NormsConfig(AppConfig):
    name = "bistand.norms"
    label = "norms"
    verbose_name = "Regelverk"

    def ready(self) -> None:
        from bistand.core import navigation as nav
        from bistand.core.navigation import register_nav

        register_nav(
            "Regelverk",
            "norms:overview",
            {"system_admin", "unit_head"},
            order=91,
            group=nav.ADMINISTRATION,
        )
        post_migrate.connect(_seed, sender=self, dispatch_uid="norms_seed_rules")


def _seed(sender, using="default", **kwargs):
    """Seed missing rules from the package's data files after every migrate (and flush)."""
    from .seed import seed_rules

    seed_rules()
