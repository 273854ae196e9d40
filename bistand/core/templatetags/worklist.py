"""Template tags for work lists (bistand.core.worklist): sortable column headers."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

ARROWS = {"ascending": "▲", "descending": "▼", "none": ""}


@register.simple_tag
def sort_header(page, key: str, css: str = ""):
    """A <th> whose link sorts the list by `key` (a second click reverses), with aria-sort.
    The link is a plain address; htmx swaps only the results when it can."""
    state = page.sort_state(key)
    label = page.sorts[key].label
    hint = _("sorterad stigande") if state == "ascending" else ""
    if state == "descending":
        hint = _("sorterad fallande")
    url = page.sort_url(key)
    return format_html(
        '<th class="{}" aria-sort="{}"><a href="{}" hx-get="{}" hx-target="#list-results" '
        'hx-push-url="true" data-sort="{}">{}<span class="sort-arrow" aria-hidden="true">{}</span>'
        "{}</a></th>",
        css,
        state,
        url,
        url,
        key,
        label,
        ARROWS[state],
        format_html('<span class="visually-hidden"> ({})</span>', hint) if hint else "",
    )


@register.inclusion_tag("worklist/_pager.html")
def pager(page):
    """Previous, numbered and next links of a work list (none for a single page)."""
    links = [
        {"gap": True}
        if number is None
        else {"number": number, "url": page.page_url(number), "current": number == page.number}
        for number in page.page_numbers()
    ]
    return {
        "page": page,
        "links": links,
        "previous_url": page.page_url(page.number - 1) if page.has_previous else "",
        "next_url": page.page_url(page.number + 1) if page.has_next else "",
    }
