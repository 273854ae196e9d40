"""The project's URLs with the workplans API registered (until bistand/api_urls.py calls
bistand.workplans.api.register)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from bistand.urls import urlpatterns as project_urlpatterns
from bistand.workplans.api import register

router = DefaultRouter()
register(router)

urlpatterns = [path("api/v1/", include(router.urls)), *project_urlpatterns]
