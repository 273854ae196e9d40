"""Issue #13, accessibility basics: every page has a skip link to <main> and the landmarks
(header, nav, main, footer); the stylesheet gives every control a visible focus ring; and on the
ten most used staff pages every form field has a label (<label for>, a wrapping <label>,
aria-label or aria-labelledby)."""

from pathlib import Path

import lxml.html
import pytest
from django.conf import settings
from django.urls import reverse

from bistand.cases.models import Case
from bistand.decisions.models import Calculation
from tests.core.test_no_raw_codes import world_with_history  # noqa: F401

pytestmark = pytest.mark.django_db

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


def unlabelled_fields(html: str) -> list[str]:
    """The input/select/textarea elements a screen reader would announce without a name."""
    document = lxml.html.fromstring(html)
    label_targets = {label.get("for") for label in document.iter("label") if label.get("for")}
    ids = {element.get("id") for element in document.xpath("//*[@id]")}
    missing = []
    for field in document.xpath("//input|//select|//textarea"):
        if field.tag == "input" and (field.get("type") or "text").lower() in UNLABELLED_TYPES:
            continue
        if (field.get("aria-label") or "").strip():
            continue
        labelledby = (field.get("aria-labelledby") or "").split()
        if labelledby and all(target in ids for target in labelledby):
            continue
        if field.get("id") and field.get("id") in label_targets:
            continue
        if any(ancestor.tag == "label" for ancestor in field.iterancestors()):
            continue
        missing.append(
            f"<{field.tag} name={field.get('name')!r} id={field.get('id')!r} "
            f"type={field.get('type')!r}>"
        )
    return missing


def test_the_checker_finds_an_unlabelled_field():
    html = (
        "<form><label for=a>A</label><input id=a name=a>"
        "<label>B <select name=b></select></label>"
        "<textarea name=c aria-label='C'></textarea>"
        "<span id=dl>D</span><input name=d aria-labelledby=dl>"
        "<input type=hidden name=x><button type=submit>Spara</button>"
        "<input name=lonely><select name=alone aria-labelledby=nowhere></select></form>"
    )
    assert unlabelled_fields(html) == [
        "<input name='lonely' id=None type=None>",
        "<select name='alone' id=None type=None>",
    ]


def most_used_pages(org) -> list[tuple[object, str]]:
    """(user, address) of the ten pages staff open most: start page, inbox, new application,
    person search, case page, investigation, calculation, plan, attest queue, payment queue."""
    case = Case.objects.order_by("pk").first()
    calculation = Calculation.objects.filter(case=case).order_by("pk").first()
    handler = org.other_social_worker  # the decided case's handler (tests/payments World)
    return [
        (handler, reverse("home")),
        (org.social_worker, reverse("inbox")),
        (org.reception, reverse("register_household")),
        (org.social_worker, reverse("search") + "?q=Tolvan"),
        (handler, reverse("case_detail", args=[case.pk])),
        (handler, reverse("investigation", args=[case.pk])),
        (handler, reverse("decisions:calculation", args=[calculation.pk])),
        (handler, reverse("workplans:case_plan", args=[case.pk])),
        (handler, reverse("payments:attest_queue")),
        (org.finance, reverse("payments:queue")),
        (org.labour_head, reverse("decisions:overview")),
        (org.labour_head, reverse("caseload")),
    ]


def test_the_most_used_staff_pages_label_every_field(client, org, world_with_history):  # noqa: F811
    found = {}
    for user, url in most_used_pages(org):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        html = response.content.decode()
        assert "<form" in html or url == reverse("home"), url
        if missing := unlabelled_fields(html):
            found[url] = missing
    assert not found, found


def test_every_page_has_a_skip_link_and_the_landmarks(client, org):
    client.force_login(org.social_worker)
    document = lxml.html.fromstring(client.get(reverse("inbox")).content.decode())
    body = document.find("body")
    skip = body.xpath(".//a")[0]
    assert skip.get("href") == "#main" and "skip-link" in skip.get("class")
    main = document.xpath("//main")
    assert len(main) == 1 and main[0].get("id") == "main"
    assert document.xpath("/html/body/header") and document.xpath("/html/body/footer")
    nav = document.xpath("//header//nav[@aria-label]")
    assert len(nav) == 1


def test_the_stylesheet_shows_keyboard_focus_and_the_skip_link():
    css = (Path(settings.BASE_DIR) / "static" / "bistand" / "site.css").read_text()
    assert ":focus-visible" in css
    assert ".skip-link:focus" in css
    assert "outline:none" not in css.replace("main:focus { outline:none; }", "")
