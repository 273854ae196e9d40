"""Issue #16, the activity requirement as a pure rule (bistand.activity.rules): the counter, a
gap, exemptions, the age boundary and the start date, with hypothesis."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from bistand.activity.rules import (
    RULES_APPLY_FROM,
    UNDER_18,
    ExemptionPeriod,
    coverage,
    exemption_in,
    is_covered,
    months_in_a_row,
)
from bistand.core.dates import add_months

BASE = dt.date(2026, 1, 1)
ADULT = dt.date(1985, 3, 14)

month_index = st.integers(min_value=0, max_value=36)
granted_sets = st.sets(month_index, max_size=30).map(lambda s: {add_months(BASE, i) for i in s})
exemption_periods = st.builds(
    lambda start, length, reason: ExemptionPeriod(
        reason,
        add_months(BASE, start) + dt.timedelta(days=3),
        None if length is None else add_months(BASE, start + length),
    ),
    month_index,
    st.one_of(st.none(), st.integers(min_value=0, max_value=6)),
    st.sampled_from(["full_time_work", "pension_age", "sickness_benefit"]),
)


@given(granted_sets, month_index)
def test_the_counter_is_never_negative_and_never_more_than_the_months_before(granted, index):
    month = add_months(BASE, index)
    count = months_in_a_row(granted, month)
    assert 0 <= count <= len([m for m in granted if m < month])


@given(granted_sets, month_index)
def test_a_gap_resets_the_counter(granted, index):
    month = add_months(BASE, index)
    gap = add_months(month, -1)
    assert months_in_a_row(granted - {gap}, month) == 0
    # ... and the months after the gap count from zero
    for k in range(1, 4):
        run = {add_months(month, j) for j in range(k)}
        assert months_in_a_row((granted - {gap}) | run, add_months(month, k)) == k


@given(granted_sets, month_index)
def test_each_month_in_a_row_adds_one(granted, index):
    month = add_months(BASE, index)
    before = add_months(month, -1)
    with_it = months_in_a_row(granted | {before}, month)
    assert with_it == 1 + months_in_a_row(granted | {before}, before)


@given(st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=6))
def test_the_requirement_starts_exactly_after_three_months_in_a_row(start, length):
    first = add_months(RULES_APPLY_FROM, start)
    granted = {add_months(first, k) for k in range(length)}
    after = add_months(first, length)  # the month after the run
    assert is_covered(after, ADULT, granted) == (length >= 3)
    for k in range(length):
        # within the run: covered from its fourth month on
        assert is_covered(add_months(first, k), ADULT, granted) == (k >= 3)


@given(granted_sets, month_index, exemption_periods)
def test_an_exemption_valid_for_the_month_means_not_covered(granted, index, exemption):
    month = add_months(BASE, index)
    if exemption.holds_in(month):
        assert not is_covered(month, ADULT, granted, [exemption], rules_from=BASE)
        assert coverage(month, ADULT, granted, [exemption], rules_from=BASE).exemption
    else:
        assert is_covered(month, ADULT, granted, [exemption], rules_from=BASE) == is_covered(
            month, ADULT, granted, [], rules_from=BASE
        )


@given(granted_sets, month_index, st.lists(exemption_periods, max_size=3))
def test_never_covered_before_the_rules_apply(granted, index, exemptions):
    month = add_months(BASE, index)
    result = coverage(month, ADULT, granted, exemptions)
    if month < RULES_APPLY_FROM:
        assert not result.covered
    if result.starts_on is not None:
        assert result.starts_on >= RULES_APPLY_FROM
        assert exemption_in(result.starts_on, ADULT, exemptions) is None


@given(granted_sets, month_index, st.lists(exemption_periods, max_size=3))
@settings(max_examples=60)
def test_covered_now_means_the_requirement_started_no_later_than_now(granted, index, exemptions):
    month = add_months(BASE, index)
    result = coverage(month, ADULT, granted, exemptions, rules_from=BASE)
    if result.covered:
        assert result.starts_on is not None and result.starts_on <= month
        assert result.months_in_a_row >= 3


@given(st.integers(min_value=-3, max_value=3), granted_sets)
def test_age_boundary_under_18_on_the_first_day_of_the_month_is_exempt(offset_days, granted):
    month = dt.date(2027, 5, 1)
    granted = granted | {add_months(month, -k) for k in (1, 2, 3)}
    birth = dt.date(2009, 5, 1) + dt.timedelta(days=offset_days)  # 18 on or around 1 May 2027
    eighteen_by_then = birth <= dt.date(2009, 5, 1)
    assert (exemption_in(month, birth, []) == UNDER_18) is (not eighteen_by_then)
    assert is_covered(month, birth, granted) is eighteen_by_then


def test_worked_example_start_date_and_the_first_month_of_the_rules():
    # June, July, August 2026: three months, but the rules apply from October 2026.
    granted = {dt.date(2026, 6, 1), dt.date(2026, 7, 1), dt.date(2026, 8, 1)}
    september = coverage(dt.date(2026, 9, 1), ADULT, granted)
    assert september.months_in_a_row == 3
    assert not september.covered
    assert september.starts_on == dt.date(2026, 10, 1)
    october = coverage(dt.date(2026, 10, 1), ADULT, granted | {dt.date(2026, 9, 1)})
    assert october.covered and october.starts_on == dt.date(2026, 10, 1)
    # A run starting in November 2026 makes the requirement start in February 2027.
    late = {dt.date(2026, 11, 1), dt.date(2026, 12, 1)}
    assert coverage(dt.date(2026, 12, 1), ADULT, late).starts_on == dt.date(2027, 2, 1)
    # An exemption until the end of February pushes the start to March.
    sick = ExemptionPeriod("sickness_benefit", dt.date(2027, 1, 10), dt.date(2027, 2, 28))
    assert coverage(dt.date(2026, 12, 1), ADULT, late, [sick]).starts_on == dt.date(2027, 3, 1)
    # Until further notice: no start date while it holds.
    open_ended = ExemptionPeriod("pension_age", dt.date(2027, 1, 1))
    assert coverage(dt.date(2026, 12, 1), ADULT, late, [open_ended]).starts_on is None
    # No försörjningsstöd in the month or the month before: no run, no start.
    assert coverage(dt.date(2027, 6, 1), ADULT, late).starts_on is None


@given(
    st.integers(min_value=0, max_value=24),
    st.integers(min_value=1, max_value=8),
    st.integers(min_value=1, max_value=3),
    st.integers(min_value=0, max_value=8),
)
def test_after_a_gap_the_requirement_restarts_after_three_new_months(start, before, gap, after):
    first = add_months(RULES_APPLY_FROM, start)
    run_one = {add_months(first, k) for k in range(before)}
    restart = add_months(first, before + gap)
    run_two = {add_months(restart, k) for k in range(after)}
    granted = run_one | run_two
    for k in range(after + 1):
        month = add_months(restart, k)
        assert is_covered(month, ADULT, granted) == (k >= 3)
    if after >= 1:
        assert coverage(add_months(restart, after - 1), ADULT, granted).starts_on == add_months(
            restart, 3
        )
