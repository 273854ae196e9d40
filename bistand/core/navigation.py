"""Menu items contributed by apps higher up the case flow (registered in AppConfig.ready)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]
    order: int = 100


NAV_ITEMS: list[NavItem] = []


def register_nav(
    label: str, url_name: str, roles: set[str] | frozenset[str], order: int = 100
) -> None:
    if not any(item.url_name == url_name for item in NAV_ITEMS):
        NAV_ITEMS.append(NavItem(label, url_name, frozenset(roles), order))
        NAV_ITEMS.sort(key=lambda item: item.order)
