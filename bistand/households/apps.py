from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "bistand.households"
    label = "households"
