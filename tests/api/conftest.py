import pytest
from rest_framework.test import APIClient

from bistand.cases import services
from tests.factories import ADULT_NUMBERS


@pytest.fixture
def client_for():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def intake_case(org, household_factory, this_month):
    """A new application registered by reception: an unassigned case in the intake section."""
    household = household_factory(org.reception, children=True)
    return services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case


@pytest.fixture
def labour_case(org, household_factory, this_month):
    """A case held by the other social worker in the labour-market section."""
    household = household_factory(org.reception, adult=ADULT_NUMBERS[1])
    case = services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    return services.reassign_case(
        org.unit_head,
        case,
        handler=org.other_social_worker,
        section=org.labour,
        case_type="A",
        reason="Arbetsmarknadsinriktat",
    )
