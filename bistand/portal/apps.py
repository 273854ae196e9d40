from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "bistand.portal"
    label = "portal"
