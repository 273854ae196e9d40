"""The project's URLs with the statistics API mounted where the lead will put it
(/api/v1/statistics/, until bistand/api_urls.py includes bistand.statistics.api)."""

from django.urls import include, path

from bistand.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("api/v1/statistics/", include("bistand.statistics.api")),
    *project_urlpatterns,
]
