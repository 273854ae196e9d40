"""Appeals: the three-week deadline from receipt (weekends and Swedish public holidays move
it), reconsideration, forwarding to the court within the week, and the court's outcome."""

import datetime as dt

import pytest

from bistand.core.errors import DomainError
from bistand.decisions import legal, services
from bistand.decisions.selectors import appeal_deadlines

from .conftest import as_proposed, clock, decide, obstacles_for, saved_calculation


@pytest.mark.parametrize(
    ("received", "deadline", "why"),
    [
        # 2026-12-31 is New Year's Eve (treated as a holiday), 2027-01-01 New Year's Day,
        # then a weekend: the last day is Monday 2027-01-04.
        (dt.date(2026, 12, 10), dt.date(2027, 1, 4), "nyårsafton, nyårsdagen, helg"),
        # Three weeks from a Wednesday is a Wednesday working day: unchanged.
        (dt.date(2026, 11, 4), dt.date(2026, 11, 25), "vanlig onsdag"),
        # Ends on Saturday 2026-11-28: moves to Monday 2026-11-30.
        (dt.date(2026, 11, 7), dt.date(2026, 11, 30), "lördag"),
        # Ends on Christmas Eve 2026-12-24 (Thursday): Christmas Day, Boxing Day and the
        # weekend follow, so Monday 2026-12-28.
        (dt.date(2026, 12, 3), dt.date(2026, 12, 28), "julafton"),
        # Ends on Midsummer Eve 2027-06-25 (Friday): then Midsummer Day and Sunday.
        (dt.date(2027, 6, 4), dt.date(2027, 6, 28), "midsommarafton"),
        # Ends on Ascension Day 2027-05-06 (Thursday): next day Friday.
        (dt.date(2027, 4, 15), dt.date(2027, 5, 7), "Kristi himmelsfärdsdag"),
    ],
)
def test_appeal_deadline_is_three_weeks_moved_past_weekends_and_holidays(received, deadline, why):
    assert legal.appeal_deadline(received) == deadline, why


def test_appeal_in_time_unknown_when_receipt_unknown():
    assert legal.appeal_in_time(None, dt.date(2027, 3, 1)) is None
    assert legal.appeal_in_time(dt.date(2026, 12, 10), dt.date(2027, 1, 4)) is True
    assert legal.appeal_in_time(dt.date(2026, 12, 10), dt.date(2027, 1, 5)) is False


def test_forward_deadline_is_a_week_moved_to_a_working_day():
    # 2026-12-18 + 7 = Christmas Day: next working day is Monday 2026-12-28.
    assert legal.forward_deadline(dt.date(2026, 12, 18)) == dt.date(2026, 12, 28)
    assert legal.forward_deadline(dt.date(2026, 11, 24)) == dt.date(2026, 12, 1)


def _refused_decision(org, make_application, day):
    with clock(day):
        application = make_application(dt.date(day.year, day.month, 1))
        calculation = saved_calculation(org.social_worker, application)
        lines = as_proposed(
            calculation,
            income_support=services.LineDecision(
                "refused", None, "Behovet är inte styrkt: kontoutdrag saknas.", "need_not_shown"
            ),
        )
        return services.decide_application(
            org.social_worker,
            application,
            calculation=calculation,
            lines=lines,
            support_obstacles=obstacles_for(calculation),
        )


def test_late_appeal_is_dismissed_and_one_on_the_last_day_is_in_time(org, make_application):
    decision = _refused_decision(org, make_application, dt.date(2026, 12, 9))
    with clock(dt.date(2026, 12, 11)):
        services.mark_letter_sent(
            org.social_worker,
            decision,
            sent_on=dt.date(2026, 12, 9),
            channel="post",
            received_on=dt.date(2026, 12, 10),
        )
    with clock(dt.date(2027, 1, 5)):
        late = services.register_appeal(
            org.reception, decision, received_on=dt.date(2027, 1, 5), text="Jag vill ha bistånd."
        )
        assert late.decision_received_on == dt.date(2026, 12, 10)  # from the delivery receipt
        assert late.appeal_deadline == dt.date(2027, 1, 4)
        assert late.in_time is False
        with pytest.raises(DomainError) as error:
            services.forward_appeal(org.social_worker, late, opinion="Nämnden vidhåller beslutet.")
        assert error.value.code == "late_appeal"
        late = services.dismiss_late_appeal(org.social_worker, late)
        assert late.status == "dismissed_late"
        assert "2027-01-04" in late.dismissal_reason

    with clock(dt.date(2027, 1, 4)):
        on_time = services.register_appeal(
            org.reception,
            decision,
            received_on=dt.date(2027, 1, 4),
            decision_received_on=dt.date(2026, 12, 10),
            basis="applicant_stated",
        )
        assert on_time.in_time is True
        with pytest.raises(DomainError):
            services.dismiss_late_appeal(org.social_worker, on_time)


def test_appeal_without_known_receipt_is_treated_as_in_time(org, make_application, today):
    decision = _refused_decision(org, make_application, today)
    appeal = services.register_appeal(org.reception, decision, received_on=today)
    assert appeal.decision_received_on is None and appeal.in_time is None
    with pytest.raises(DomainError) as error:
        services.dismiss_late_appeal(org.social_worker, appeal)
    assert "behandlas som inkommet i rätt tid" in error.value.message


def test_reconsidered_unchanged_is_forwarded_with_opinion_and_court_outcome_recorded(
    org, make_application
):
    decision = _refused_decision(org, make_application, dt.date(2026, 12, 9))
    with clock(dt.date(2026, 12, 18)):
        appeal = services.register_appeal(
            org.reception,
            decision,
            received_on=dt.date(2026, 12, 18),
            decision_received_on=dt.date(2026, 12, 10),
            basis="receipt",
        )
        assert appeal.forward_deadline == dt.date(2026, 12, 28)
        rows = appeal_deadlines(org.intake_head)
        assert [(r.appeal, r.due, r.level) for r in rows] == [(appeal, dt.date(2026, 12, 28), "ok")]
        with pytest.raises(DomainError):
            services.forward_appeal(org.social_worker, appeal, opinion="  ")
    with clock(dt.date(2026, 12, 29)):
        assert appeal_deadlines(org.intake_head)[0].level == "red"  # past the week
        appeal = services.forward_appeal(
            org.social_worker,
            appeal,
            opinion="Nämnden har prövat beslutet på nytt och vidhåller det.",
            court="Förvaltningsrätten i Malmö",
        )
        assert appeal.status == "forwarded" and appeal.reconsideration == "unchanged"
        assert appeal.forwarded_on == dt.date(2026, 12, 29)
    with clock(dt.date(2027, 2, 15)):
        appeal = services.record_court_outcome(
            org.social_worker,
            appeal,
            outcome="rejected",
            decided_on=dt.date(2027, 2, 12),
            case_number="1234-27",
        )
    assert appeal.status == "court_decided" and appeal.court_outcome == "rejected"
    with pytest.raises(DomainError):
        services.record_court_outcome(
            org.social_worker, appeal, outcome="granted", decided_on=dt.date(2027, 2, 12)
        )


def test_reconsideration_that_changes_the_decision_replaces_it(org, make_application, today):
    decision = _refused_decision(org, make_application, today)
    appeal = services.register_appeal(
        org.reception, decision, received_on=today, decision_received_on=today, basis="handed_over"
    )
    with pytest.raises(DomainError) as error:
        services.record_reconsideration(org.social_worker, appeal, result="changed_fully")
    assert error.value.code == "new_decision_required"
    calculation = decision.calculation
    new = services.replace_decision(
        org.social_worker,
        decision,
        reason="Omprövning: kontoutdragen har kommit in och styrker behovet.",
        lines=as_proposed(calculation),
        support_obstacles=obstacles_for(calculation),
        appeal=appeal,
    )
    appeal = services.record_reconsideration(org.social_worker, appeal, result="changed_fully")
    assert appeal.status == "satisfied" and appeal.new_decision == new
    assert new.replaces == decision and new.outcome == "granted"


def test_registering_an_appeal_checks_dates(org, make_application, today):
    decision = decide(org.social_worker, make_application(dt.date(today.year, today.month, 1)))
    with pytest.raises(DomainError):
        services.register_appeal(org.reception, decision, received_on=today + dt.timedelta(days=1))
    with pytest.raises(DomainError) as error:
        services.register_appeal(
            org.reception, decision, received_on=today, decision_received_on=today
        )
    assert error.value.code == "basis_required"
