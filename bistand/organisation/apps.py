from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "bistand.organisation"
    label = "organisation"
