"""Issue #16: the activity pages in the main menu for exactly the roles that may use them,
and every activity page reachable by following links from the menu."""

import re

import pytest
from django.urls import reverse

from bistand.activity.permissions import CAPABILITIES
from bistand.organisation.context_processors import navigation_for
from bistand.organisation.models import Role
from tests.activity.helpers import activity, coordinator

pytestmark = pytest.mark.django_db

ACTIVITY_ITEMS = {
    "Aktivitetskrav": ("activity:becoming_covered", "view_section_coverage"),
    "Aktiviteter": ("activity:activities", "view_activities"),
    "Underrättelser från AF": ("activity:import_notices", "record_coverage_notice"),
}


def menu_items(role: str) -> dict[str, str]:
    return {
        item["label"]: item["url"]
        for group in navigation_for(role)
        for item in group["items"]
        if group["key"] == "cases"
    }


@pytest.mark.parametrize("role", Role.values)
def test_each_activity_page_is_in_the_menu_of_exactly_the_roles_that_may_use_it(role):
    items = menu_items(role)
    for label, (url_name, capability) in ACTIVITY_ITEMS.items():
        if role in CAPABILITIES[capability]:
            assert items.get(label) == reverse(url_name), (role, label)
        else:
            assert label not in items, (role, label)


def test_the_menu_link_opens_for_each_role_that_has_it(client, org):
    users = {
        org.social_worker: {"Aktivitetskrav", "Aktiviteter", "Underrättelser från AF"},
        org.labour_head: {"Aktivitetskrav", "Aktiviteter", "Underrättelser från AF"},
        org.unit_head: {"Aktiviteter", "Underrättelser från AF"},
        org.reception: set(),
    }
    for user, expected in users.items():
        client.force_login(user)
        nav = re.search(
            r'<nav class="main-nav".*?</nav>', client.get("/").content.decode(), re.S
        ).group(0)
        found = {label for label in ACTIVITY_ITEMS if f">{label}</a>" in nav}
        assert found == expected, user.role
        for label in expected:
            assert client.get(menu_items(user.role)[label]).status_code == 200, (user, label)


def links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def test_a_coordinator_reaches_attendance_and_its_import_from_the_menu(client, org):
    samordnare = coordinator(org)
    mine = activity(org, coordinators=[samordnare])
    other = activity(org)
    client.force_login(samordnare)
    start = client.get("/").content.decode()
    assert reverse("activity:activities") in links(start)
    listing = client.get(reverse("activity:activities")).content.decode()
    assert reverse("activity:activity_detail", args=[mine.pk]) in links(listing)
    assert reverse("activity:activity_detail", args=[other.pk]) not in links(listing)
    detail = client.get(reverse("activity:activity_detail", args=[mine.pk])).content.decode()
    for url in (
        reverse("activity:attendance", args=[mine.pk]),
        reverse("activity:import_attendance", args=[mine.pk]),
    ):
        assert url in links(detail)
        assert client.get(url).status_code == 200
    # Nothing of the case side is in the coordinator's menu.
    assert set(menu_items(Role.ACTIVITY_COORDINATOR)) == {"Mina ärenden", "Aktiviteter"}


def test_the_heads_reach_new_activity_edit_and_the_af_export_from_the_activity_list(client, org):
    act = activity(org)
    client.force_login(org.labour_head)
    listing = client.get(reverse("activity:activities")).content.decode()
    for url in (
        reverse("activity:create_activity"),
        reverse("activity:participants_for_af"),
        reverse("activity:import_notices"),
        reverse("activity:activity_detail", args=[act.pk]),
    ):
        assert url in links(listing)
    detail = client.get(reverse("activity:activity_detail", args=[act.pk])).content.decode()
    assert reverse("activity:edit_activity", args=[act.pk]) in links(detail)
