"""Issue 13: the Swedish pages show every code through its Swedish label. Each role walks the
staff pages it reaches (start page, the case pages, the pages linked from them) in Swedish,
and no value of the models' TextChoices, nor a cost or income type code, may appear as a word
in the visible text. Attributes (option values, names, data-*), scripts and hidden inputs are
not visible text and are not read.
"""

from __future__ import annotations

import importlib
import inspect
import re
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from bistand.calculation import COST_TYPES, INCOME_TYPES
from bistand.cases import services as case_services
from bistand.cases.models import Case
from bistand.payments import services as payment_services
from bistand.payments.models import PaymentMethod
from tests.payments.conftest import World

PAGES_PER_ROLE = 40
NOT_FOLLOWED = (
    "/logout/", "/i18n/", "/static/", "/admin/", "/api/", "/login/", "/oidc/", "/e-tjanst/",
)  # fmt: skip
# Code values that are also ordinary Swedish words (or names written the same way), which a
# Swedish page may rightly contain: "post" (mail), "sent" (late), "person", "pension" ...
SWEDISH_WORDS = {
    "bankgiro", "plusgiro", "digital", "export", "full", "manual", "motivation",
    "organisation", "partner", "pension", "person", "post", "register", "rent", "sent", "sms",
}  # fmt: skip


def code_values() -> dict[str, str]:
    """{code value: where it comes from}: every TextChoices of the project's models, and the
    calculation's cost and income types. Single letters (case types A/B/C) are shown as
    they are and are left out, as are codes that are Swedish words."""
    codes: dict[str, str] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("bistand."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.models")
        except ImportError:
            continue
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, models.TextChoices)
                and obj.__module__ == module.__name__
            ):
                for value in obj.values:
                    codes.setdefault(value, f"{config.label}.{name}")
    for value in COST_TYPES:
        codes.setdefault(value, "calculation.COST_TYPES")
    for value in INCOME_TYPES:
        codes.setdefault(value, "calculation.INCOME_TYPES")
    return {
        value: where
        for value, where in codes.items()
        if len(value) > 2 and value not in SWEDISH_WORDS
    }


def visible_text(html: str) -> str:
    """The page's text as a reader sees it: no attributes, scripts, styles or hidden inputs."""
    document = lxml.html.fromstring(html)
    for element in document.xpath("//script|//style|//template|//noscript|//head"):
        element.drop_tree()
    for element in document.xpath('//input[@type="hidden"]|//*[@hidden]'):
        element.drop_tree()
    return " ".join(document.itertext())


def raw_codes_in(text: str, codes: dict[str, str]) -> list[str]:
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    return sorted(f"{word} ({codes[word]})" for word in words if word in codes)


def test_the_checker_finds_codes_in_text_and_ignores_attributes():
    codes = {"household_electricity": "x", "in_run": "y", "invoice": "z"}
    html = (
        '<html><body><select name="method"><option value="invoice">Faktura</option></select>'
        '<input type="hidden" name="type" value="in_run"><script>var a = "in_run";</script>'
        '<p data-kind="invoice">Hushållsel</p><td>household_electricity</td></body></html>'
    )
    assert raw_codes_in(visible_text(html), codes) == ["household_electricity (x)"]


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def walk(client, starts: list[str]) -> dict[str, str]:
    """Visit up to PAGES_PER_ROLE HTML pages (one per URL shape): {url: visible text}."""
    queue, seen, visited = list(starts), set(), {}
    while queue and len(visited) < PAGES_PER_ROLE:
        url = queue.pop(0)
        path = urlsplit(url).path
        if _shape(path) in seen or path.startswith(NOT_FOLLOWED):
            continue
        seen.add(_shape(path))
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code in {301, 302}:
            queue.append(response.headers["Location"])
            continue
        if response.status_code != 200 or not response.headers.get("Content-Type", "").startswith(
            "text/html"
        ):
            continue
        html = response.content.decode()
        visited[url] = visible_text(html)
        for href in lxml.html.fromstring(html).xpath("//a/@href"):
            parts = urlsplit(urljoin(url, href))
            if parts.netloc in {"", "testserver"} and parts.scheme in {"", "http"}:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return visited


@pytest.fixture
def world_with_history(org, this_month):
    """A decided case with payments of each kind in a built run, a repeat application with
    wages and electricity, and a case in intake."""
    world = World(org)
    world.attested(PaymentMethod.ACCOUNT, "6890.00")
    world.attested(PaymentMethod.INVOICE, "412.25", payee=world.utility)
    world.order(PaymentMethod.INVOICE, "745.50", ocr_reference="1234567897")
    payment_services.build_run(org.finance, world.pay_day)
    next_month = (this_month + timedelta(days=32)).replace(day=1)
    case_services.register_application(
        org.other_social_worker,
        world.case.household,
        kind="repeat",
        month=next_month,
        stated_costs=[
            {"type": "rent", "amount": "6500.00"},
            {"type": "household_electricity", "amount": "420.00"},
        ],
        stated_incomes=[{"type": "wages", "amount": "1220.00"}],
    )
    from tests.conftest import make_household
    from tests.factories import ADULT_NUMBERS

    intake = make_household(org.reception, adult=ADULT_NUMBERS[2], children=True)
    case_services.register_application(org.reception, intake, kind="new", month=this_month)
    return world


ROLES = [
    "reception",
    "social_worker",
    "other_social_worker",
    "benefit_admin",
    "labour_head",
    "unit_head",
    "fraud",
    "finance",
    "sysadmin",
]


@pytest.mark.parametrize("role", ROLES)
def test_swedish_pages_show_no_raw_code(client, org, world_with_history, role):
    user = getattr(org, role)
    client.force_login(user)
    client.cookies["django_language"] = "sv"
    cases = Case.objects.order_by("pk")
    starts = [reverse("home"), *(reverse("case_detail", args=[case.pk]) for case in cases)]
    visited = walk(client, starts)
    assert len(visited) >= 2, visited.keys()
    codes = code_values()
    found = {url: raw for url, text in visited.items() if (raw := raw_codes_in(text, codes))}
    assert not found, found
