from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "bistand.statistics"
    label = "statistics"
