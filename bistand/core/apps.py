from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bistand.core"
    label = "core"
