"""The documentation backlog per handler and section: unsigned drafts, journal entries written
long after the event (a unit setting), applications without a decision past the target;
section heads see their section, oldest first; the read is logged."""

import datetime as dt
import json

import pytest

from bistand.audit.models import AccessLogEntry
from bistand.cases import services as case_services
from bistand.controls import backlog
from bistand.controls.recovery_models import BacklogSettings
from bistand.core.errors import DomainError, PermissionRefused
from tests.decisions.conftest import clock
from tests.factories import UnitFactory, UserFactory
from tests.query_budgets import person_number

MONTH = dt.date(2026, 11, 1)


@pytest.fixture
def intake_backlog(org, make_application):
    """Intake: a case registered 19 days ago with no decision, a journal entry written 16 days
    after the event, and an unsigned draft. Labour: a fresh case with nothing outstanding."""
    with clock(dt.date(2026, 11, 5)):
        old = make_application(MONTH)
        late = case_services.add_journal_entry(org.social_worker, old.case, text="Besök.",
                                               occurred_on=dt.date(2026, 10, 20))  # fmt: skip
        draft = case_services.add_journal_entry(org.social_worker, old.case, text="Utkast",
                                                sign=False)  # fmt: skip
    fresh = make_application(MONTH, adult="199811022384", handler=org.other_social_worker)
    return old, late, draft, fresh


def test_section_head_sees_own_sections_backlog_oldest_first(org, intake_backlog):
    old, late, draft, fresh = intake_backlog
    items, summary, limits = backlog.backlog(org.intake_head)
    assert (limits.journal_delay_days, limits.decision_target_days) == (7, 7)
    assert [(item.kind, item.since) for item in items] == [
        ("late_journal", dt.date(2026, 10, 20)),
        ("draft_journal", dt.date(2026, 11, 5)),
        ("late_decision", dt.date(2026, 11, 5)),
    ]
    assert {item.case_id for item in items} == {old.case_id}
    assert "16 dagar efter händelsen" in items[0].label
    assert "utan beslut i 19 dagar (mål 7)" in items[2].label
    (row,) = summary
    assert (row.section_name, row.drafts, row.late_journal, row.late_decisions) == (
        old.case.section.name, 1, 1, 1,
    )  # fmt: skip
    labour_items, _, _ = backlog.backlog(org.labour_head)
    assert not labour_items  # another section's backlog is not shown
    unit_items, _, _ = backlog.backlog(org.unit_head)
    assert len(unit_items) == 3
    logged = AccessLogEntry.objects.filter(object_id="documentation_backlog").order_by("-id")
    assert json.loads(logged.first().detail)["case_ids"] == [old.case_id]


def test_the_unit_sets_what_counts_as_late_and_its_decision_target(org, intake_backlog):
    backlog.set_backlog_limits(org.unit_head, org.unit, journal_delay_days=30,
                               decision_target_days=20, note="Nytt mål")  # fmt: skip
    items, _, limits = backlog.backlog(org.intake_head)
    assert (limits.journal_delay_days, limits.decision_target_days) == (30, 20)
    assert [item.kind for item in items] == ["draft_journal"]
    with pytest.raises(PermissionRefused):
        backlog.set_backlog_limits(org.intake_head, org.unit, journal_delay_days=3,
                                   decision_target_days=3)  # fmt: skip
    stranger = UserFactory(username="otherhead2", role="unit_head", unit=UnitFactory())
    with pytest.raises(PermissionRefused):
        backlog.set_backlog_limits(stranger, org.unit, journal_delay_days=3, decision_target_days=3)
    with pytest.raises(DomainError) as error:
        backlog.set_backlog_limits(org.unit_head, org.unit, journal_delay_days=0,
                                   decision_target_days=3)  # fmt: skip
    assert "1–365 dagar" in error.value.message
    assert BacklogSettings.objects.count() == 1


def test_backlog_page_for_heads_only(org, intake_backlog, client):
    client.force_login(org.social_worker)
    assert client.get("/kontroll/dokumentationsskuld/").status_code == 403
    client.force_login(org.intake_head)
    home = client.get("/").content.decode()
    assert 'data-testid="backlog-home"' in home and "Osignerad journalanteckning" in home
    page = client.get("/kontroll/dokumentationsskuld/")
    assert page.status_code == 200
    body = page.content.decode()
    assert body.index("Journalanteckning skriven 16 dagar") < body.index("utan beslut i 19 dagar")
    assert client.post("/kontroll/dokumentationsskuld/granser/",
                       {"journal_delay_days": "3", "decision_target_days": "3"}).status_code == 403  # fmt: skip
    client.force_login(org.unit_head)
    response = client.post("/kontroll/dokumentationsskuld/granser/",
                           {"journal_delay_days": "30", "decision_target_days": "20", "note": ""})  # fmt: skip
    assert response.status_code == 302
    assert BacklogSettings.objects.get().journal_delay_days == 30


def test_late_means_more_than_the_limit_and_the_start_page_card_agrees(
    org, intake_backlog, make_application, django_assert_max_num_queries
):
    """A journal entry written exactly the limit's days after the event is not late, one day
    more is; the start page's card counts what the page lists (in the database, with a budget
    that does not grow with the backlog) and logs only the cases it shows."""
    old, late, draft, fresh = intake_backlog
    with clock(dt.date(2026, 11, 5)):
        on_limit = case_services.add_journal_entry(org.social_worker, old.case, text="I tid.",
                                                   occurred_on=dt.date(2026, 10, 29))  # fmt: skip
        over = case_services.add_journal_entry(org.social_worker, old.case, text="Sent.",
                                               occurred_on=dt.date(2026, 10, 28))  # fmt: skip
    items, summary, _ = backlog.backlog(org.unit_head)
    late_dates = sorted(item.since for item in items if item.kind == "late_journal")
    assert late_dates == [dt.date(2026, 10, 20), dt.date(2026, 10, 28)]
    assert on_limit.occurred_on not in late_dates and over.occurred_on in late_dates

    with django_assert_max_num_queries(16):
        card = backlog.backlog_summary(org.unit_head, shown=2)
    assert card.count == len(items) == 4
    assert card.handlers == len(summary)
    assert [(i.kind, i.since) for i in card.oldest] == [(i.kind, i.since) for i in items[:2]]
    logged = AccessLogEntry.objects.filter(object_id="documentation_backlog_summary").latest("id")
    assert json.loads(logged.detail)["case_ids"] == [old.case_id]

    for number in range(6):  # a larger backlog costs the card no more statements
        make_application(MONTH, adult=person_number(dt.date(1980 + number, 1, 1)),
                         handler=org.social_worker)  # fmt: skip
    with django_assert_max_num_queries(16):
        assert backlog.backlog_summary(org.unit_head).count >= card.count
