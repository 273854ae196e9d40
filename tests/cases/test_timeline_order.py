"""Issue #13: the case page's timeline newest first, with a toggle kept in the address
(?ordning=aldst / nyast, plain links that work without JavaScript), and a confirmation at the
top of the page after a journal note is saved (full page and htmx)."""

import datetime as dt
import re

import lxml.html
import pytest
from django.urls import reverse

from bistand.cases import services
from tests.conftest import make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(org, today):
    household = make_household(org.reception)
    application = services.register_application(
        org.reception, household, kind="new", month=today.replace(day=1)
    )
    case = application.case
    services.take_case(org.social_worker, case)
    for days_ago, text in ((20, "Första besöket"), (10, "Andra samtalet"), (1, "Senaste mejlet")):
        services.add_journal_entry(
            org.social_worker, case, text=text, occurred_on=today - dt.timedelta(days=days_ago)
        )
    return case


def journal_texts(html: str) -> list[str]:
    document = lxml.html.fromstring(html)
    return [pre.text_content() for pre in document.xpath("//ul[@id='timeline']/li/pre")]


def test_the_timeline_is_newest_first_by_default(client, org, case):
    client.force_login(org.social_worker)
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert journal_texts(html) == ["Senaste mejlet", "Andra samtalet", "Första besöket"]
    toggle = lxml.html.fromstring(html).get_element_by_id("tidslinje")
    assert toggle.xpath(".//strong[@aria-current]")[0].text_content() == "Nyast först"
    assert toggle.xpath(".//a[text()='Äldst först']/@href") == ["?ordning=aldst#tidslinje"]


def test_the_toggle_in_the_address_shows_oldest_first(client, org, case):
    client.force_login(org.social_worker)
    url = reverse("case_detail", args=[case.pk])
    html = client.get(url + "?ordning=aldst").content.decode()
    assert journal_texts(html) == ["Första besöket", "Andra samtalet", "Senaste mejlet"]
    document = lxml.html.fromstring(html)
    assert document.xpath("//*[@data-testid='timeline-order']//strong")[0].text_content() == (
        "Äldst först"
    )
    # The journal form carries the order, so that saving keeps it.
    assert document.xpath("//input[@name='ordning']/@value") == ["aldst"]
    # Anything else is the default.
    assert journal_texts(client.get(url + "?ordning=x").content.decode())[0] == "Senaste mejlet"


def post_note(client, case, *, order="nyast", sign=True, **headers):
    data = {
        "journal-kind": "note",
        "journal-occurred_on": dt.date.today().isoformat(),
        "journal-text": "Nytt telefonsamtal",
        "ordning": order,
    }
    if sign:
        data["journal-sign"] = "on"
    return client.post(reverse("add_journal", args=[case.pk]), data, **headers)


def test_a_saved_note_is_confirmed_at_the_top_of_the_page(client, org, case):
    client.force_login(org.social_worker)
    response = post_note(client, case, order="aldst")
    # Back to the top of the page (no #tidslinje), the order kept.
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("case_detail", args=[case.pk]) + "?ordning=aldst"
    html = client.get(response.headers["Location"]).content.decode()
    document = lxml.html.fromstring(html)
    main = document.xpath("//main")[0]
    first = main.xpath("./*")[0]
    assert first.get("id") == "messages"
    assert "Journalanteckningen är sparad och signerad." in first.text_content()
    assert journal_texts(html)[-1] == "Nytt telefonsamtal"


def test_a_draft_note_is_confirmed_as_a_draft(client, org, case):
    client.force_login(org.social_worker)
    response = post_note(client, case, sign=False)
    assert response.headers["Location"] == reverse("case_detail", args=[case.pk])
    html = client.get(response.headers["Location"]).content.decode()
    assert "Journalanteckningen är sparad som utkast." in html


def test_with_htmx_the_timeline_comes_back_with_the_confirmation_out_of_band(client, org, case):
    client.force_login(org.social_worker)
    response = post_note(client, case, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert journal_texts(f"<div>{html}</div>")[0] == "Nytt telefonsamtal"  # newest first
    oob = re.search(r'<div id="messages"[^>]*hx-swap-oob="true"[^>]*>(.*?)</div>', html, re.S)
    assert oob and "Journalanteckningen är sparad och signerad." in oob.group(1)


def test_with_htmx_oldest_first_the_new_note_comes_last(client, org, case):
    client.force_login(org.social_worker)
    html = post_note(client, case, order="aldst", HTTP_HX_REQUEST="true").content.decode()
    assert journal_texts(f"<div>{html}</div>")[-1] == "Nytt telefonsamtal"


def post_bad_note(client, case, **headers):
    # A date that is no date: refused at the field, the typed text kept.
    data = {
        "journal-kind": "note",
        "journal-occurred_on": "igår",
        "journal-text": "Text som inte får försvinna",
        "journal-sign": "on",
        "ordning": "aldst",
    }
    return client.post(reverse("add_journal", args=[case.pk]), data, **headers)


def test_a_refused_note_keeps_its_text_and_shows_the_error_at_the_field(client, org, case):
    from bistand.cases.models import JournalEntry

    client.force_login(org.social_worker)
    before = JournalEntry.objects.count()
    response = post_bad_note(client, case)
    assert response.status_code == 400
    document = lxml.html.fromstring(response.content.decode())
    card = document.get_element_by_id("journal-form")
    assert card.xpath(".//*[@data-testid='journal-errors']")
    assert card.xpath(".//textarea")[0].text_content().strip() == "Text som inte får försvinna"
    date_field = card.xpath(".//input[@name='journal-occurred_on']")[0]
    assert date_field.getnext() is not None and "errorlist" in date_field.getnext().get("class")
    assert JournalEntry.objects.count() == before
    # The page keeps the order asked for.
    assert journal_texts(response.content.decode())[0] == "Första besöket"


def test_with_htmx_a_refused_note_comes_back_in_its_card(client, org, case):
    client.force_login(org.social_worker)
    response = post_bad_note(client, case, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#journal-form"
    assert response.headers["HX-Reswap"] == "outerHTML"
    html = response.content.decode()
    assert html.count('id="journal-form"') == 1 and 'id="timeline"' not in html
    assert "Text som inte får försvinna" in html
    assert 'name="ordning" value="aldst"' in html
