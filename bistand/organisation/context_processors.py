from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from bistand.core import navigation as nav
from bistand.core.navigation import NAV_GROUPS, NAV_ITEMS, NavItem

from .models import Role

_CASE_ROLES = frozenset(
    {
        Role.RECEPTION,
        Role.SOCIAL_WORKER,
        Role.BENEFIT_ADMINISTRATOR,
        Role.SECTION_HEAD,
        Role.UNIT_HEAD,
    }
)
# The menu items of the base pages (the same role sets the menu has always had); the apps
# higher up the case flow add theirs with register_nav.
BASE_NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Mina ärenden", "home", frozenset(Role.values), order=0),
    NavItem("Inkorg", "inbox", _CASE_ROLES, order=10),
    NavItem("Ny ansökan", "register_household", _CASE_ROLES, order=11),
    NavItem("Sök person", "search", _CASE_ROLES | {Role.FRAUD_INVESTIGATOR}, order=12),
    NavItem(
        "Arbetsbelastning",
        "caseload",
        frozenset({Role.SECTION_HEAD, Role.UNIT_HEAD}),
        order=70,
        group=nav.FOLLOW_UP,
    ),
    NavItem(
        "Loggkontroll", "access_log", frozenset({Role.UNIT_HEAD}), order=80, group=nav.FOLLOW_UP
    ),
)


def navigation_for(role: str, current_path: str = "") -> list[dict]:
    """The menu of a role: the task groups it has items in, each with its items in order.

    An item whose address is the current page is marked `current` (aria-current="page"); the
    group holding the page, or the deepest item whose address starts the current one, is
    marked `current` so that the menu shows where the user is.
    """
    items: dict[str, list[dict]] = {key: [] for key, _label in NAV_GROUPS}
    for item in sorted((*BASE_NAV_ITEMS, *NAV_ITEMS), key=lambda item: item.order):
        if role not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entry = {"label": gettext(str(item.label)), "url": url, "current": url == current_path}
        items[item.group].append(entry)
    entries = [entry for group in items.values() for entry in group]
    if not any(entry["current"] for entry in entries):
        # A page below a menu item (a queue's row, a plan): the item with the longest address.
        within = [
            entry
            for entry in entries
            if entry["url"] != "/" and current_path.startswith(entry["url"])
        ]
        if within:
            max(within, key=lambda entry: len(entry["url"]))["within"] = True
    groups = []
    for key, label in NAV_GROUPS:
        if items[key]:
            groups.append(
                {
                    "key": key,
                    "label": str(label),
                    "items": items[key],
                    "current": any(e["current"] or e.get("within") for e in items[key]),
                }
            )
    return groups


def staff_navigation(request):
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user is not None and user.is_authenticated else None
    groups = navigation_for(role, request.path) if role else []
    return {
        "municipality_name": settings.MUNICIPALITY_NAME,
        "nav_role": role,
        "Role": Role,
        "nav_groups": groups,
    }
