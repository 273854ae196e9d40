"""Every app's API under /api/v1/. Each app registers its viewsets on the router."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from bistand.cases.api import (
    ApplicationViewSet,
    CaseViewSet,
    HouseholdViewSet,
    JournalEntryViewSet,
    PersonViewSet,
)
from bistand.controls.api import register as register_controls
from bistand.controls.api_fut import register as register_fut
from bistand.decisions.api import register as register_decisions
from bistand.households.api import HouseholdRegistrationViewSet
from bistand.norms.api import register as register_norms
from bistand.payments.api import register as register_payments
from bistand.workplans.api import register as register_workplans

router = DefaultRouter()
# Two viewsets share /households/: registering is the households app's, reading follows the
# case access rules and so lives with the cases (see bistand/cases/api.py).
router.register("households", HouseholdRegistrationViewSet, basename="household-registration")
router.register("households", HouseholdViewSet, basename="household")
router.register("persons", PersonViewSet, basename="person")
router.register("cases", CaseViewSet, basename="case")
router.register("applications", ApplicationViewSet, basename="application")
router.register("journal-entries", JournalEntryViewSet, basename="journal-entry")
register_workplans(router)
register_decisions(router)
register_controls(router)
register_fut(router)
register_payments(router)
register_norms(router)

urlpatterns = [
    *router.urls,
    # Statistics may read every app but nothing imports it: its API is mounted by URL only.
    path("statistics/", include("bistand.statistics.api")),
]
