"""Rendered pages hold no inline script or style, so the strict Content-Security-Policy
(script-src and style-src 'self') loses nothing: behaviour lives in static/bistand/site.js.

Each role walks the pages it can reach from its start page and the case pages (links followed
breadth-first, one page per URL shape), and every HTML answer is read with an HTML parser.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import reverse

from bistand.cases import services
from tests.factories import ADULT_NUMBERS, UserFactory

PAGES_PER_ROLE = 30
NOT_FOLLOWED = ("/logout/", "/i18n/", "/static/", "/admin/logout/")
# <script type="application/json"> (json_script) is data the browser never runs.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class InlineCode(HTMLParser):
    """Collects what a strict CSP would refuse, and the links to walk on."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.links: list[str] = []
        self._open_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on") or name.startswith("hx-on"):
                self.problems.append(f"<{tag} {name}=...> (inline event handler)")
            if name == "style":
                self.problems.append(f"<{tag} style={value!r}> (inline style)")
            if name in {"hx-vals", "hx-headers", "hx-vars"} and (value or "").startswith("js:"):
                self.problems.append(f"<{tag} {name}='js:...'> (htmx eval)")
            if name in {"href", "src", "action"} and (value or "").lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}='javascript:...'>")
        if tag == "script":
            kind = (attributes.get("type") or "").lower()
            if not attributes.get("src") and kind not in DATA_SCRIPT_TYPES:
                self.problems.append("<script> without src (inline script)")
        if tag == "style":
            self.problems.append("<style> element (inline style)")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])


def inline_code(html: str) -> InlineCode:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser


def test_the_checker_finds_each_kind_of_inline_code():
    """The walk below can fail: each forbidden form is caught."""
    found = inline_code(
        '<script>alert(1)</script><script type="application/json">{}</script>'
        '<script src="/static/x.js"></script><button onclick="x()">b</button>'
        '<div style="width:2px"></div><style>p{}</style><a href="javascript:x()">a</a>'
        "<form hx-on::after-request=\"x\" hx-vals='js:{a: 1}'></form>"
    ).problems
    assert len(found) == 7, found


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def walk(client, starts: list[str]) -> dict[str, list[str]]:
    """Visit up to PAGES_PER_ROLE pages (one per URL shape); {url: problems} for HTML pages."""
    queue, seen_shapes, visited = list(starts), set(), {}
    while queue and len(visited) < PAGES_PER_ROLE:
        url = queue.pop(0)
        path = urlsplit(url).path
        if _shape(path) in seen_shapes or path.startswith(NOT_FOLLOWED):
            continue
        seen_shapes.add(_shape(path))
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code in {301, 302}:
            queue.append(response.headers["Location"])
            continue
        if not response.headers.get("Content-Type", "").startswith("text/html"):
            continue
        parsed = inline_code(response.content.decode())
        visited[url] = parsed.problems
        for href in parsed.links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc in {"", "testserver"} and not parts.fragment.startswith("javascript"):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return visited


@pytest.fixture
def cases(org, household_factory, this_month):
    household = household_factory(org.reception, children=True)
    intake = services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    services.take_case(org.social_worker, intake)
    other = household_factory(org.reception, adult=ADULT_NUMBERS[1])
    labour = services.register_application(org.reception, other, kind="new", month=this_month).case
    services.reassign_case(
        org.unit_head,
        labour,
        handler=org.benefit_admin,
        section=org.labour,
        case_type="C",
        reason="Arbetsmarknadsinriktat",
    )
    return [intake, labour]


ROLES = [
    "reception",
    "social_worker",
    "other_social_worker",
    "benefit_admin",
    "intake_head",
    "unit_head",
    "fraud",
    "finance",
    "sysadmin",
]


@pytest.mark.parametrize("role", ROLES)
def test_no_page_a_role_reaches_holds_inline_script_or_style(client, org, cases, role):
    user = getattr(org, role)
    client.force_login(user)
    starts = [reverse("home"), *(reverse("case_detail", args=[case.pk]) for case in cases)]
    if role == "sysadmin":
        starts += ["/admin/", "/api/docs/"]
    visited = walk(client, starts)

    assert len(visited) >= 3, visited.keys()
    problems = {url: found for url, found in visited.items() if found}
    assert not problems, problems


def test_the_admin_holds_no_inline_script_or_style(client, org):
    admin = UserFactory(username="superadmin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    visited = walk(client, ["/admin/"])

    assert len(visited) >= 10, visited.keys()
    problems = {url: found for url, found in visited.items() if found}
    assert not problems, problems


def test_the_login_page_holds_no_inline_script_or_style(client, db):
    assert not inline_code(client.get(reverse("login")).content.decode()).problems
