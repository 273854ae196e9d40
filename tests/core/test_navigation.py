"""Issue #13: the main menu grouped by task (Ärenden, Ekonomi, Uppföljning, Administration),
only the links a role may use, the current page marked with aria-current."""

import re

import pytest
from django.urls import reverse

from bistand.core.navigation import GROUP_KEYS, NAV_ITEMS, register_nav
from bistand.organisation.context_processors import BASE_NAV_ITEMS, navigation_for
from bistand.organisation.models import Role

pytestmark = pytest.mark.django_db

GROUP_ORDER = ["Ärenden", "Ekonomi", "Uppföljning", "Administration"]


def menu(client, user, path="/"):
    client.force_login(user)
    html = client.get(path).content.decode()
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    assert nav, "the page has no main menu"
    return nav.group(0)


def groups_of(nav_html: str) -> dict[str, list[str]]:
    groups = {}
    for label, body in re.findall(r"<summary>([^<]+)</summary>\s*<ul>(.*?)</ul>", nav_html, re.S):
        groups[label.strip()] = re.findall(r"<a [^>]*>([^<]+)</a>", body)
    return groups


def test_every_menu_item_belongs_to_one_of_the_four_groups():
    for item in (*BASE_NAV_ITEMS, *NAV_ITEMS):
        assert item.group in GROUP_KEYS, item


def test_an_item_with_an_unknown_group_is_refused():
    with pytest.raises(ValueError):
        register_nav("Något", "home", {Role.UNIT_HEAD}, group="misc")


def test_unit_head_menu_is_grouped_by_task_in_order(client, org):
    groups = groups_of(menu(client, org.unit_head))
    assert list(groups) == GROUP_ORDER
    assert {"Mina ärenden", "Inkorg", "Ny ansökan", "Sök person", "Beslut"} <= set(
        groups["Ärenden"]
    )
    assert {"Attest", "Utbetalningar", "Budget"} <= set(groups["Ekonomi"])
    assert {"Arbetsbelastning", "Loggkontroll", "Statistik"} <= set(groups["Uppföljning"])
    assert {"Regelverk", "Riktlinjer"} <= set(groups["Administration"])


def test_reception_sees_only_what_it_may_use(client, org):
    groups = groups_of(menu(client, org.reception))
    assert list(groups) == ["Ärenden"]
    assert groups["Ärenden"] == ["Mina ärenden", "Inkorg", "Ny ansökan", "Sök person"]


def test_section_head_has_no_unit_head_links(client, org):
    links = {link for items in groups_of(menu(client, org.labour_head)).values() for link in items}
    assert "Arbetsbelastning" in links
    assert "Loggkontroll" not in links
    assert "Utbetalningsinställningar" not in links
    assert "Mottagare" not in links


def test_finance_menu_is_the_money_pages(client, org):
    groups = groups_of(menu(client, org.finance))
    assert set(groups["Ekonomi"]) >= {"Utbetalningar", "Mottagare", "Betalningsfiler"}
    assert "Inkorg" not in groups["Ärenden"]
    assert "Sök person" not in groups["Ärenden"]


@pytest.mark.parametrize("role", Role.values)
def test_every_link_in_a_roles_menu_is_open_to_that_role(client, org, role):
    from tests.factories import UserFactory

    user = UserFactory(role=role, unit=org.unit, section=org.labour)
    for group in navigation_for(role):
        for item in group["items"]:
            client.force_login(user)
            response = client.get(item["url"])
            assert response.status_code == 200, (role, item["url"], response.status_code)


def test_the_current_page_is_marked_with_aria_current(client, org):
    nav = menu(client, org.unit_head, reverse("inbox"))
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', nav)
    assert current == [reverse("inbox")]
    # The group holding the page is marked too.
    assert re.search(r'class="nav-group current"[^>]*data-testid="nav-group-cases"', nav)
    assert nav.count('aria-current="page"') == 1


def test_a_page_below_a_menu_item_marks_that_item(client, org):
    groups = navigation_for(Role.FINANCE, reverse("payments:payees") + "123/")
    economy = next(group for group in groups if group["key"] == "finance")
    assert economy["current"]
    assert [item["label"] for item in economy["items"] if item.get("within")] == ["Mottagare"]


def test_the_menu_has_a_disclosure_button_for_phones(client, org):
    nav = menu(client, org.social_worker)
    assert '<details class="nav-toggle"><summary aria-controls="nav-groups">' in nav
