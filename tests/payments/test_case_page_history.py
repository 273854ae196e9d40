"""Issue #15: the case page shows the last six months by default (cases.history) and the whole
history one click away (?historik=alla); what still needs doing stays whatever its age, and
sums over the whole history stay whole. "Later" is simulated by moving the window's today."""

import datetime as dt

import lxml.html
import pytest
from django.urls import reverse

from bistand.cases import history
from bistand.cases import services as case_services
from bistand.core.dates import add_months
from bistand.payments.models import PaymentOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def later(monkeypatch, today):
    """The case page as seen eight months from now: everything of today is old history."""

    class Later:
        @staticmethod
        def localdate():
            return add_months(today, 8)

    monkeypatch.setattr(history, "timezone", Later)


def page(client, case, query=""):
    response = client.get(reverse("case_detail", args=[case.pk]) + query)
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def timeline_texts(document) -> list[str]:
    return [pre.text_content() for pre in document.xpath("//ul[@id='timeline']/li/pre")]


def test_recent_history_has_no_window_note(client, world):
    client.force_login(world.org.other_social_worker)
    document = page(client, world.case)
    assert document.xpath("//*[@data-testid='decision-history']")
    assert not document.xpath("//*[@data-testid='history-window']")


def test_old_signed_notes_leave_the_timeline_unsigned_ones_stay(client, world, today, later):
    worker = world.org.other_social_worker
    case_services.add_journal_entry(worker, world.case, text="Gammalt samtal", sign=True)
    case_services.add_journal_entry(worker, world.case, text="Osignerat utkast", sign=False)
    client.force_login(worker)

    document = page(client, world.case)
    assert timeline_texts(document) == ["Osignerat utkast"]
    card = document.get_element_by_id("tidslinje")
    link = card.xpath(".//a[@data-testid='history-show-all']")[0]
    assert link.get("href") == "?historik=alla#tidslinje"
    assert link.text_content() == "Visa hela historiken"

    document = page(client, world.case, "?historik=alla")
    assert set(timeline_texts(document)) == {"Gammalt samtal", "Osignerat utkast"}
    assert document.xpath("//*[@data-testid='history-all']")
    # The order toggle and the journal form keep the whole history.
    assert "?ordning=aldst&historik=alla#tidslinje" in card_links(document)
    assert document.xpath("//input[@name='historik']/@value") == ["alla"]
    # Oldest first, the window still applies unless asked for.
    document = page(client, world.case, "?ordning=aldst")
    assert timeline_texts(document) == ["Osignerat utkast"]


def card_links(document) -> list[str]:
    return document.get_element_by_id("tidslinje").xpath(".//a/@href")


def test_settled_payments_leave_the_panel_open_ones_stay_and_the_total_is_whole(
    client, world, today, later
):
    paid = world.attested(amount="700.00")
    PaymentOrder.objects.filter(pk=paid.pk).update(status="paid", paid_on=today)
    waiting = world.order(amount="300.00")
    client.force_login(world.org.other_social_worker)

    panel = page(client, world.case).xpath("//*[@data-testid='payments-panel']")[0]
    shown = panel.xpath(".//table//a/text()")
    assert waiting.reference in shown and paid.reference not in shown
    assert "700" in panel.xpath(".//p[strong]/strong")[0].text_content()  # paid so far: all
    assert panel.xpath(".//a[@data-testid='history-show-all']/@href") == [
        "?historik=alla#utbetalningar"
    ]

    panel = page(client, world.case, "?historik=alla").xpath("//*[@data-testid='payments-panel']")[
        0
    ]
    assert {paid.reference, waiting.reference} <= set(panel.xpath(".//table//a/text()"))


def test_decided_months_leave_the_decision_panel_undecided_ones_stay(client, world, today, later):
    month = world.case.applications.get().month
    following = add_months(month, 1)
    case_services.register_application(
        world.org.reception, world.case.household, kind="repeat", month=following
    )
    client.force_login(world.org.other_social_worker)

    panel = page(client, world.case).xpath("//*[@data-testid='decisions-panel']")[0]
    assert not panel.xpath(f".//*[@data-testid='decision-row-{month:%Y-%m}']")
    assert panel.xpath(f".//*[@data-testid='decision-row-{following:%Y-%m}']")
    assert not panel.xpath(".//*[@data-testid='decision-history']")
    assert panel.xpath(".//a[@data-testid='history-show-all']/@href") == ["?historik=alla#beslut"]

    panel = page(client, world.case, "?historik=alla").xpath("//*[@data-testid='decisions-panel']")[
        0
    ]
    assert panel.xpath(f".//*[@data-testid='decision-row-{month:%Y-%m}']")
    assert panel.xpath(".//*[@data-testid='decision-history']")


def test_the_window_is_six_months_from_the_start_of_a_month():
    assert history.window_start({}, dt.date(2026, 12, 7)) == dt.date(2026, 7, 1)
    assert history.window_start({"historik": "alla"}, dt.date(2026, 12, 7)) is None
    assert history.window_start({"historik": "x"}, dt.date(2026, 1, 31)) == dt.date(2025, 8, 1)
