from django.apps import AppConfig


class WorkplansConfig(AppConfig):
    name = "bistand.workplans"
    label = "workplans"
