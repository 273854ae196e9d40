"""The whole site plus the payment API under /api/v1/ (the lead wires payments.api.register
into bistand/api_urls.py; the tests use this urlconf until then)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from bistand.payments.api import register
from bistand.urls import urlpatterns as site

router = DefaultRouter()
register(router)

urlpatterns = [path("api/v1/", include(router.urls)), *site]
