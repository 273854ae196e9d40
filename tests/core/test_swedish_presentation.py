"""Issue 13: one amount format, names instead of ids and codes in Loggkontroll, Swedish
plural agreement, households named by their applicant in lists."""

import re
from decimal import Decimal
from types import SimpleNamespace

from django.template import Context, Template
from django.urls import reverse

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases import services
from bistand.core.templatetags.bistand_format import format_sek, join_names


def test_one_amount_format_for_every_kind_of_amount():
    nbsp = "\u00a0"
    for value in (Decimal("1220"), "1220.00", 1220, "1220.0"):
        assert format_sek(value) == f"1{nbsp}220,00{nbsp}kr"
    assert format_sek(Decimal("-6890.5")) == f"-6{nbsp}890,50{nbsp}kr"
    assert format_sek(None) == "" and format_sek("") == ""
    rendered = Template("{{ amount|sek }}").render(Context({"amount": Decimal("1234567.8")}))
    assert rendered == f"1{nbsp}234{nbsp}567,80{nbsp}kr"  # a builtin: no {% load %}


def test_no_template_writes_an_amount_followed_by_kr_by_hand():
    """Amounts go through |sek: '{{ x }} kr' gives '1220.00 kr' (issue 13)."""
    from pathlib import Path

    import bistand

    root = Path(bistand.__file__).parent
    pages = [
        p
        for p in root.rglob("*.html")
        if "statistics" not in p.parts  # figures there are formatted by the statistics app
    ]
    offenders = [
        f"{p.relative_to(root)}: {m.group(0)}"
        for p in pages
        for m in re.finditer(r"\{\{ [a-z_.]+ \}\} kr\b", p.read_text())
    ]
    assert not offenders, offenders


def test_names_are_joined_with_och():
    people = [SimpleNamespace(full_name=n) for n in ("Walter Testsson", "Wilma Testsson")]
    assert join_names(people) == "Walter Testsson och Wilma Testsson"
    assert join_names(people[:1]) == "Walter Testsson"
    three = [*people, SimpleNamespace(full_name="Vera Testsson")]
    assert join_names(three) == "Walter Testsson, Wilma Testsson och Vera Testsson"


def test_access_log_shows_names_case_references_and_words(client, org, household_factory):
    household = household_factory(org.reception)
    case = services.register_application(org.reception, household, kind="new", month="2026-11").case
    record(
        org.intake_head,
        AuditAction.ASSIGN,
        obj=case,
        case_id=case.pk,
        detail={"after": {"handler": org.social_worker.pk, "status": "active"}},
    )
    client.force_login(org.unit_head)
    page = client.get(reverse("access_log")).content.decode()
    table = re.search(r'<table data-testid="access-log">.*?</table>', page, re.S).group(0)
    text = re.sub(r"<[^>]+>", " ", table)
    assert org.social_worker.get_full_name() in text  # the handler's id, as a name
    assert org.intake_head.get_full_name() in text
    assert f"Ärende {case.reference}" in text
    assert "cases.case" not in text and "{" not in text and '"after"' not in text
    assert "Aktuellt" in text  # the status code as its label


def test_inbox_names_households_by_their_applicant(client, org, household_factory):
    household = household_factory(org.reception)
    services.register_application(org.reception, household, kind="new", month="2026-11")
    client.force_login(org.social_worker)
    page = client.get(reverse("inbox")).content.decode()
    assert "Tolvan Tolvansson" in page
    assert f"Hushåll {household.pk}" not in page


def test_unemployed_without_referral_agrees_in_number(client, org, household_factory, monkeypatch):
    from bistand.workplans import selectors as plan_selectors
    from tests.workplans.conftest import make_case

    case = make_case(org, household_factory, case_type="A")
    client.force_login(org.social_worker)
    url = reverse("workplans:case_plan", args=[case.pk])
    page = re.sub(r"\s+", " ", client.get(url).content.decode())
    assert "Tolvan Tolvansson är arbetslös enligt utredningen" in page
    two = [
        SimpleNamespace(full_name="Walter Testsson"),
        SimpleNamespace(full_name="Wilma Testsson"),
    ]
    monkeypatch.setattr(plan_selectors, "unemployed_without_referral", lambda case, today=None: two)
    page = re.sub(r"\s+", " ", client.get(url).content.decode())
    snippet = page[page.find("unreferred") : page.find("unreferred") + 400]
    assert "Walter Testsson och Wilma Testsson är arbetslösa enligt utredningen" in page, snippet
    assert "Wilma Testsson är arbetslös enligt" not in page
