"""The main menu: items grouped by task (issue #13).

Apps higher up the case flow contribute their items in AppConfig.ready (`register_nav`); the
context processor (organisation.context_processors.staff_navigation) picks the items a role may
use and groups them. Each item names one of the four task groups below.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# The four task groups, in menu order (docs/navigation.md).
CASES = "cases"
FINANCE = "finance"
FOLLOW_UP = "follow_up"
ADMINISTRATION = "administration"
NAV_GROUPS: tuple[tuple[str, str], ...] = (
    (CASES, _("Ärenden")),
    (FINANCE, _("Ekonomi")),
    (FOLLOW_UP, _("Uppföljning")),
    (ADMINISTRATION, _("Administration")),
)
GROUP_KEYS = frozenset(key for key, _label in NAV_GROUPS)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]
    order: int = 100
    group: str = CASES


NAV_ITEMS: list[NavItem] = []


def register_nav(
    label: str,
    url_name: str,
    roles: set[str] | frozenset[str],
    order: int = 100,
    group: str = CASES,
) -> None:
    if group not in GROUP_KEYS:
        raise ValueError(f"Unknown menu group {group!r}; one of {sorted(GROUP_KEYS)}")
    if not any(item.url_name == url_name for item in NAV_ITEMS):
        NAV_ITEMS.append(NavItem(label, url_name, frozenset(roles), order, group))
        NAV_ITEMS.sort(key=lambda item: item.order)
