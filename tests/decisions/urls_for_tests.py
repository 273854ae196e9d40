"""The project's URLs with the decisions API on /api/v1/ (the lead wires decisions.api
into bistand/api_urls.py; until then these tests put it in front)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from bistand.decisions.api import register

router = DefaultRouter()
register(router)

urlpatterns = [path("api/v1/", include(router.urls))]

try:
    from bistand.urls import urlpatterns as project_urlpatterns
except ImportError:  # another app's views are being written
    project_urlpatterns = []
urlpatterns += project_urlpatterns
