from django.apps import AppConfig


class ControlsConfig(AppConfig):
    name = "bistand.controls"
    label = "controls"
