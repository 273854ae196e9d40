from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "bistand.decisions"
    label = "decisions"
