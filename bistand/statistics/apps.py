from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "bistand.statistics"
    label = "statistics"

    def ready(self) -> None:
        from bistand.core.navigation import register_nav

        register_nav("Jämförelser", "statistics:benchmark", {"unit_head", "section_head"})
