"""The portal's list pages read set-wise: the query count does not grow with the rows."""

from django.urls import reverse
from django.utils import timezone

from bistand.cases import services as case_services
from bistand.core.dates import add_months
from bistand.households.models import Person
from bistand.portal.services import send_message
from tests.conftest import make_household
from tests.factories import ADULT_NUMBERS
from tests.query_budgets import assert_flat, page_queries

from .conftest import portal_login


def _household_with_applications(org, adult, count):
    household = make_household(org.reception, adult=adult)
    month = timezone.localdate().replace(day=1)
    application = case_services.register_application(
        org.reception, household, kind="new", month=month
    )
    for back in range(1, count):
        case_services.register_application(
            org.reception, household, kind="repeat", month=add_months(month, -back)
        )
    return application.case


def test_home_and_case_pages_do_not_grow_with_applications(client, org):
    small_case = _household_with_applications(org, ADULT_NUMBERS[6], 1)
    large_case = _household_with_applications(org, ADULT_NUMBERS[7], 6)
    writer = Person.objects.get(identity_number=ADULT_NUMBERS[7])
    for number in range(4):
        send_message(writer, large_case, text=f"Meddelande {number}")
    portal_login(client, ADULT_NUMBERS[6])
    small_home, _ = page_queries(client, reverse("portal:home"))
    small_page, _ = page_queries(client, reverse("portal:case", args=[small_case.pk]))
    small_thread, _ = page_queries(client, reverse("portal:messages", args=[small_case.pk]))
    client.post(reverse("portal:logout"))
    portal_login(client, ADULT_NUMBERS[7])
    large_home, text = page_queries(client, reverse("portal:home"))
    assert text.count("Ansökan för") == 6
    large_page, _ = page_queries(client, reverse("portal:case", args=[large_case.pk]))
    large_thread, _ = page_queries(client, reverse("portal:messages", args=[large_case.pk]))
    assert_flat(small_home, large_home)
    assert_flat(small_page, large_page)
    assert_flat(small_thread, large_thread)
