"""The documentation backlog counts decision drafts not yet decided (prepared by the system, or
referred to someone with delegation), oldest first, on the head's page, without per-row
queries."""

import datetime as dt

from bistand.controls import backlog
from bistand.decisions import services
from bistand.decisions.models import OPEN_DRAFT_STATUSES, Decision
from tests.decisions.conftest import as_proposed, clock, obstacles_for, saved_calculation
from tests.query_budgets import assert_flat, page_queries, person_number

MONTH = dt.date(2026, 11, 1)


def _referred(org, make_application, *, on: dt.date) -> Decision:
    """A refusal the benefit administrator may not make, referred to the labour head on `on`."""
    with clock(on):
        application = make_application(
            MONTH,
            adult=person_number(),
            handler=org.benefit_admin,
            stated_incomes=[{"type": "wages", "amount": "9000"}],
        )
        calculation = saved_calculation(org.benefit_admin, application)
        return services.refer_decision(
            org.benefit_admin,
            application,
            calculation=calculation,
            lines=as_proposed(calculation),
            support_obstacles=obstacles_for(calculation),
            referred_to=org.labour_head,
            note="Avslag – normöverskott.",
        )


def _prepared(referred: Decision, *, on: dt.date) -> Decision:
    """A draft the system prepared (as `prepare_repeat_decision` leaves it), written directly:
    the backlog only reads its status, case and time."""
    with clock(on):
        return Decision.objects.create(
            case=referred.case, application=referred.application,
            calculation=referred.calculation, month=referred.month, status="prepared",
            outcome=referred.outcome, investigation_version=referred.investigation_version,
        )  # fmt: skip


def test_the_backlogs_draft_statuses_are_the_decisions_open_drafts():
    assert set(backlog.OPEN_DECISION_DRAFTS) == set(OPEN_DRAFT_STATUSES)


def test_decision_drafts_are_in_the_backlog_oldest_first(org, make_application):
    referred = _referred(org, make_application, on=dt.date(2026, 11, 10))
    prepared = _prepared(referred, on=dt.date(2026, 11, 3))
    items, summary, _ = backlog.backlog(org.labour_head)
    drafts = [item for item in items if item.kind == "draft_decision"]
    assert [(item.since, item.handler_id) for item in drafts] == [
        (dt.date(2026, 11, 3), org.benefit_admin.pk),  # prepared: the case's handler confirms
        (dt.date(2026, 11, 10), org.labour_head.pk),  # referred: waits for the one it went to
    ]
    assert drafts[0].label == "Beslutsutkast 2026-11 förberett, inte bekräftat"
    assert "skickat för beslut till" in drafts[1].label and drafts[1].days == 14
    assert items.index(drafts[0]) < items.index(drafts[1])
    drafts_per_handler = {row.handler_name: row.drafts for row in summary}
    assert drafts_per_handler[backlog._name(org.labour_head)] == 1
    assert drafts_per_handler[backlog._name(org.benefit_admin)] == 1
    # The other section's head does not see them; a decided draft leaves the backlog.
    assert not [i for i in backlog.backlog(org.intake_head)[0] if i.kind == "draft_decision"]
    services.decide_draft(org.labour_head, referred)
    Decision.objects.filter(pk=prepared.pk).update(status="superseded")
    items, _, _ = backlog.backlog(org.labour_head)
    assert not [item for item in items if item.kind == "draft_decision"]


def test_the_backlog_page_shows_decision_drafts_without_per_row_queries(
    client, org, make_application
):
    _referred(org, make_application, on=dt.date(2026, 11, 10))
    client.force_login(org.labour_head)
    small, page = page_queries(client, "/kontroll/dokumentationsskuld/")
    assert page.count("skickat för beslut till") == 1
    for day in (4, 6, 8):
        _referred(org, make_application, on=dt.date(2026, 11, day))
    large, page = page_queries(client, "/kontroll/dokumentationsskuld/")
    assert page.count("skickat för beslut till") == 4
    assert_flat(small, large)
    # Oldest first on the page too.
    assert page.index("2026-11-04") < page.index("2026-11-10")
