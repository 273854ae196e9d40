import pytest
from django.urls import reverse

from tests.conftest import make_household

APPLICANT = "198309192394"
CO_APPLICANT = "199811022384"
OTHER_APPLICANT = "199109202383"


def portal_login(client, number: str):
    return client.post(reverse("portal:test_eid_login"), {"identity_number": number})


@pytest.fixture
def household(org):
    return make_household(org.reception, co_applicant=CO_APPLICANT, children=True)


@pytest.fixture
def other_household(org):
    return make_household(org.reception, adult=OTHER_APPLICANT)


@pytest.fixture(autouse=True)
def _test_eid_on(settings):
    """The test e-ID exists only with debug on (the demo); Django's tests run without debug."""
    settings.DEBUG = True
    settings.BISTAND_PORTAL_TEST_EID = True
