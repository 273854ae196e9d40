"""The hand-made data set behind most statistics tests ("Lund 2025"), with the right answers
worked out by hand in the tests that use it.

    H1  A (man, b. 1980)                        case 1, labour section, type C, other_social_worker
        paid every month Jan 2023 - Dec 2025, 10 000 kr; obstacle: unemployed_no_benefit
    H2  B (woman, b. 2001-03-01) + child C      case 2, labour, type B, benefit_admin
        paid Jan - Sep 2025, 8 000 kr; closed 2025-09-30 (work), reopened 2025-12-05;
        no obstacle recorded
    H3  D (man, b. 1975) + E (woman, b. 1978)   case 3, intake section, type A, social_worker
        + children F (b. 2010), G (b. 2012)     paid Mar - Dec 2025, 15 000 kr;
                                                obstacles: D sick_certified_no_benefit,
                                                E social_reasons
    H4a P (man, b. 1990), until 2025-07-01       case 4, labour, type A, other_social_worker
        paid Jan - Jun 2025, 7 000 kr; closed 2025-06-30 (changed_household);
        obstacle unemployed_insufficient_benefit; programme Jobbtorg 2025-02-20 - 2025-05-31
    H4b Q (woman, b. 1992, applicant) + P (co-applicant) from 2025-07-01
                                                case 5, opened 2025-06-25 after case 4;
        paid Jul - Oct 2025, 12 000 kr; obstacles P as before, Q parental_benefit_insufficient
    H5  R (woman, b. 1960)                      case 6, intake, type C, social_worker, opened
        paid Nov 2025 only, 5 000 kr               2025-10-20; obstacle pension_insufficient

Every payment is paid out on the 3rd of the month it is for (so the ledger month is the same).
Budget 2025 on account 4711: 500 000 kr.
"""

import datetime as dt
from types import SimpleNamespace

import pytest

from .builders import World

D = dt.date


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, month = [], first
    while month <= last:
        out.append(month)
        month = D(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return out


def pay_months(world, case, first, last, amount, obstacles=None):
    for month in months(first, last):
        world.pay(case, month, amount, paid_on=month.replace(day=3), obstacles=obstacles)


@pytest.fixture
def lund(org):
    w = World(org)
    p = SimpleNamespace(
        A=w.person(D(1980, 4, 10), "M", "A"),
        B=w.person(D(2001, 3, 1), "F", "B"),
        C=w.person(D(2015, 2, 1), "F", "C"),
        D=w.person(D(1975, 7, 1), "M", "D"),
        E=w.person(D(1978, 1, 15), "F", "E"),
        F=w.person(D(2010, 5, 5), "M", "F"),
        G=w.person(D(2012, 8, 8), "F", "G"),
        P=w.person(D(1990, 9, 9), "M", "P"),
        Q=w.person(D(1992, 2, 2), "F", "Q"),
        R=w.person(D(1960, 6, 6), "F", "R"),
    )
    h1 = w.household((p.A, "applicant"))
    h2 = w.household((p.B, "applicant"), (p.C, "child"))
    h3 = w.household((p.D, "applicant"), (p.E, "co_applicant"), (p.F, "child"), (p.G, "child"))
    h4a = w.household((p.P, "applicant", D(2020, 1, 1), D(2025, 7, 1)))
    h4b = w.household((p.Q, "applicant", D(2025, 7, 1)), (p.P, "co_applicant", D(2025, 7, 1)))
    h5 = w.household((p.R, "applicant"))

    c1 = w.case(h1, opened_on=D(2022, 12, 15), case_type="C")
    c2 = w.case(h2, opened_on=D(2024, 12, 20), case_type="B", handler=org.benefit_admin)
    c3 = w.case(
        h3, opened_on=D(2025, 2, 20), section=org.intake, handler=org.social_worker, case_type="A"
    )
    c4 = w.case(h4a, opened_on=D(2024, 12, 1))
    c5 = w.case(h4b, opened_on=D(2025, 6, 25), previous_case=c4)
    c6 = w.case(
        h5, opened_on=D(2025, 10, 20), section=org.intake, handler=org.social_worker, case_type="C"
    )

    pay_months(w, c1, D(2023, 1, 1), D(2025, 12, 1), 10000, {p.A: "unemployed_no_benefit"})
    pay_months(w, c2, D(2025, 1, 1), D(2025, 9, 1), 8000)
    pay_months(
        w,
        c3,
        D(2025, 3, 1),
        D(2025, 12, 1),
        15000,
        {p.D: "sick_certified_no_benefit", p.E: "social_reasons"},
    )
    pay_months(w, c4, D(2025, 1, 1), D(2025, 6, 1), 7000, {p.P: "unemployed_insufficient_benefit"})
    pay_months(
        w,
        c5,
        D(2025, 7, 1),
        D(2025, 10, 1),
        12000,
        {p.P: "unemployed_insufficient_benefit", p.Q: "parental_benefit_insufficient"},
    )
    pay_months(w, c6, D(2025, 11, 1), D(2025, 11, 1), 5000, {p.R: "pension_insufficient"})

    w.close(c4, D(2025, 6, 30), "changed_household")
    w.close(c2, D(2025, 9, 30), "work")
    w.reopen(c2, D(2025, 12, 5))
    w.intervention(
        c4,
        p.P,
        referred_on=D(2025, 2, 10),
        started_on=D(2025, 2, 20),
        ended_on=D(2025, 5, 31),
        result="no_change",
    )
    w.budget(2025, 500000)
    w.refresh(*months(D(2023, 1, 1), D(2025, 12, 1)))
    return SimpleNamespace(
        world=w,
        org=org,
        unit=org.unit,
        persons=p,
        cases=SimpleNamespace(c1=c1, c2=c2, c3=c3, c4=c4, c5=c5, c6=c6),
    )


@pytest.fixture
def today_2026():
    """The tests read 2025 as a complete year."""
    return D(2026, 2, 15)
