from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "bistand.ops"
    label = "ops"
