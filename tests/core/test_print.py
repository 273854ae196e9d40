"""Issue #13, printing: every staff page links the print stylesheet for print media only, and
the stylesheet leaves out the menu, buttons, filters and action forms (the browser check with
print media is tests/browser/test_print_walk.py)."""

import re
from pathlib import Path

import lxml.html
import pytest
from django.conf import settings
from django.urls import reverse

PRINT_CSS = Path(settings.BASE_DIR) / "static" / "bistand" / "print.css"


def hidden_selectors(css: str) -> set[str]:
    """The selectors that a rule inside `@media print` sets to display:none."""
    block = css[css.index("@media print") :]
    hidden = set()
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", block):
        if re.search(r"display\s*:\s*none", body):
            hidden |= {selector.strip() for selector in selectors.split(",")}
    return hidden


def test_the_print_stylesheet_hides_menu_buttons_filters_and_forms():
    hidden = hidden_selectors(PRINT_CSS.read_text())
    for selector in (".main-nav", ".skip-link", "button", ".btn", "form.filters", ".pager"):
        assert selector in hidden, selector
    assert "main form:not(.print-keep)" in hidden


def test_the_checker_reads_only_the_print_block():
    css = ".main-nav { display:none; } @media print { .pager { display: none } .x { color:red } }"
    assert hidden_selectors(css) == {".pager"}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "inbox"])
def test_pages_link_the_print_stylesheet_for_print_only(client, org, name):
    client.force_login(org.social_worker)
    document = lxml.html.fromstring(client.get(reverse(name)).content.decode())
    links = [
        link
        for link in document.xpath("//head/link[@rel='stylesheet']")
        if link.get("href").endswith("bistand/print.css")
    ]
    assert len(links) == 1
    assert links[0].get("media") == "print"
