"""Long-term assistance exactly as Socialstyrelsen defines it: adult recipients with assistance
in 10-12 months of a calendar year, as a share of all adult recipients that year."""

import datetime as dt

from bistand.statistics.access import Filters
from bistand.statistics.figures import long_term_block, long_term_core
from bistand.statistics.models import RecipientMonth, RecipientYear

from .builders import World
from .conftest import months, pay_months

D = dt.date
TODAY = D(2026, 2, 15)


def single(world, born=D(1980, 1, 1), sex="M"):
    person = world.person(born, sex)
    case = world.case(world.household((person, "applicant")), opened_on=D(2024, 12, 1))
    return person, case


def long_term(org, year=2025, **filters):
    return long_term_core(org.unit, year, Filters(**filters), today=TODAY)


def test_long_term_share_is_two_of_five_adults(org):
    w = World(org)
    for first, last in [
        (D(2025, 1, 1), D(2025, 12, 1)),  # 12 months: long-term
        (D(2025, 3, 1), D(2025, 12, 1)),  # 10 months: long-term
        (D(2025, 1, 1), D(2025, 9, 1)),  # 9 months: not
        (D(2025, 4, 1), D(2025, 6, 1)),  # 3 months
        (D(2025, 8, 1), D(2025, 8, 1)),  # 1 month
    ]:
        _, case = single(w)
        pay_months(w, case, first, last, 5000)
    w.refresh(*months(D(2025, 1, 1), D(2025, 12, 1)))
    result = long_term(org)
    assert (result["adults"], result["long_term"]) == (5, 2)
    assert result["share"] == 0.4
    assert result["complete"] is True and result["months_with_data"] == 12


def test_nine_months_is_not_long_term_and_ten_is(org):
    w = World(org)
    _, nine = single(w)
    _, ten = single(w)
    pay_months(w, nine, D(2025, 1, 1), D(2025, 9, 1), 5000)
    # Ten months with a gap: January-May and August-December.
    pay_months(w, ten, D(2025, 1, 1), D(2025, 5, 1), 5000)
    pay_months(w, ten, D(2025, 8, 1), D(2025, 12, 1), 5000)
    w.refresh(*months(D(2025, 1, 1), D(2025, 12, 1)))
    result = long_term(org)
    assert (result["adults"], result["long_term"], result["share"]) == (2, 1, 0.5)
    by_months = {
        r["months"]: r["adults"] for r in long_term_block(org.unit, 2025, Filters())["by_months"]
    }
    assert by_months[9] == 1 and by_months[10] == 1


def test_a_person_moving_households_mid_year_is_counted_once(org):
    w = World(org)
    p = w.person(D(1990, 9, 9), "M")
    q = w.person(D(1992, 2, 2), "F")
    before = w.household((p, "applicant", D(2020, 1, 1), D(2025, 7, 1)))
    after = w.household((q, "applicant", D(2025, 7, 1)), (p, "co_applicant", D(2025, 7, 1)))
    first_case = w.case(before, opened_on=D(2024, 12, 1))
    second_case = w.case(after, opened_on=D(2025, 6, 20), previous_case=first_case)
    pay_months(w, first_case, D(2025, 1, 1), D(2025, 6, 1), 7000)
    pay_months(w, second_case, D(2025, 7, 1), D(2025, 10, 1), 12000)
    w.refresh(*months(D(2025, 1, 1), D(2025, 12, 1)))
    # P: 6 + 4 = 10 months in two households -> long-term, one person. Q: 4 months.
    result = long_term(org)
    assert (result["adults"], result["long_term"]) == (2, 1)
    year_row = RecipientYear.objects.get(person=p, year=2025)
    assert year_row.months == 10 and year_row.is_adult
    assert year_row.household_type == 7  # the couple, his last household in the year


def test_a_person_in_two_households_with_assistance_the_same_month_counts_once(org):
    w = World(org)
    z = w.person(D(1985, 5, 5), "F")
    first = w.household((z, "applicant", D(2020, 1, 1), D(2025, 6, 15)))
    second = w.household((z, "applicant", D(2025, 6, 15)))
    case_one = w.case(first, opened_on=D(2024, 12, 1))
    case_two = w.case(second, opened_on=D(2025, 6, 10))
    pay_months(w, case_one, D(2025, 1, 1), D(2025, 6, 1), 6000)
    pay_months(w, case_two, D(2025, 6, 1), D(2025, 9, 1), 6000)
    w.refresh(*months(D(2025, 1, 1), D(2025, 12, 1)))
    june = RecipientMonth.objects.filter(person=z, month=D(2025, 6, 1))
    assert june.count() == 1
    assert june.get().case_id == case_two.pk  # the household she joined last
    # January-September: nine distinct months, not ten.
    assert RecipientYear.objects.get(person=z, year=2025).months == 9
    assert long_term(org)["long_term"] == 0


def test_children_are_not_adult_recipients_and_a_young_applicant_is(org):
    w = World(org)
    parent = w.person(D(1980, 1, 1), "F")
    child = w.person(D(2007, 1, 1), "M")  # 18 in 2025, still in the household as a child
    young = w.person(D(2006, 12, 1), "M")  # 18, own household
    family = w.case(w.household((parent, "applicant"), (child, "child")), opened_on=D(2024, 12, 1))
    own = w.case(w.household((young, "applicant")), opened_on=D(2024, 12, 1))
    pay_months(w, family, D(2025, 1, 1), D(2025, 12, 1), 9000)
    pay_months(w, own, D(2025, 1, 1), D(2025, 12, 1), 5000)
    w.refresh(*months(D(2025, 1, 1), D(2025, 12, 1)))
    result = long_term(org)
    assert (result["adults"], result["long_term"]) == (2, 2)  # parent and the young applicant
    assert not RecipientYear.objects.get(person=child, year=2025).is_adult


def test_an_applicant_turning_18_during_the_year_counts_from_that_month(org):
    w = World(org)
    person = w.person(D(2007, 6, 15), "F")  # turns 18 on 15 June 2025
    case = w.case(w.household((person, "applicant")), opened_on=D(2024, 12, 1))
    pay_months(w, case, D(2025, 1, 1), D(2025, 12, 1), 5000)
    w.refresh(*months(D(2025, 1, 1), D(2025, 12, 1)))
    row = RecipientYear.objects.get(person=person, year=2025)
    assert row.adult_months == 7  # June (18 on 30 June) to December
    assert row.is_adult and row.months == 12
    assert long_term(org)["long_term"] == 1


def test_a_returned_payment_is_not_assistance(org):
    w = World(org)
    _, case = single(w)
    orders = [w.pay(case, m, 5000, paid_on=m) for m in months(D(2025, 1, 1), D(2025, 10, 1))]
    w.return_payment(orders[-1], D(2025, 10, 20))
    w.refresh(*months(D(2025, 1, 1), D(2025, 12, 1)))
    assert long_term(org)["long_term"] == 0  # nine months paid


def test_very_long_term_needs_three_long_years_in_a_row(lund):
    # A: long-term 2023, 2024 and 2025. D, E, P: only 2025.
    result = long_term_core(lund.unit, 2025, Filters(), today=TODAY)
    assert (result["adults"], result["long_term"], result["very_long_term"]) == (7, 4, 1)
    assert result["share"] == round(4 / 7, 4)
    assert result["very_long_term_share"] == round(1 / 7, 4)


def test_long_term_on_the_lund_data_set(lund):
    # Adults 2025: A 12, B 9, D 10, E 10, P 6 + 4, Q 4, R 1 months -> A, D, E, P long-term.
    block = long_term_block(lund.unit, 2025, Filters(), today=TODAY)
    assert (block["adults"], block["long_term"]) == (7, 4)
    types = {r["code"]: (r["adults"], r["long_term"]) for r in block["by_household_type"]}
    # By the household of the person's last month: A 3, R 5, B 6, P and Q 7, D and E 8.
    assert types == {3: (1, 1), 5: (1, 0), 6: (1, 0), 7: (2, 1), 8: (2, 2)}
    history = {h["year"]: (h["adults"], h["long_term"]) for h in block["history"]}
    assert history[2024] == (1, 1) and history[2023] == (1, 1) and history[2022] == (0, 0)
    assert block["very_long_term_verified"] is False


def test_long_term_filters_use_the_last_month_of_the_year(lund):
    intake = long_term_core(lund.unit, 2025, Filters(section_id=lund.org.intake.pk), today=TODAY)
    assert (intake["adults"], intake["long_term"]) == (3, 2)  # D, E (H3) and R (H5)
    couples = long_term_core(lund.unit, 2025, Filters(household_type=7), today=TODAY)
    assert (couples["adults"], couples["long_term"]) == (2, 1)
    young = long_term_core(lund.unit, 2025, Filters(age_band="18-24"), today=TODAY)
    assert (young["adults"], young["long_term"]) == (1, 0)  # B


def test_an_incomplete_year_says_so(lund):
    result = long_term_core(lund.unit, 2025, Filters(), today=D(2025, 12, 20))
    assert result["complete"] is False
