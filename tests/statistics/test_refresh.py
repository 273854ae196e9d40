"""The summary tables: rebuilt month by month in the database, kept current by triggers and
after reconciliation, spells carried forward, attributes as they were in the month."""

import datetime as dt
import itertools

from django.db import connection

from bistand.core.codes import derive_household_type
from bistand.payments.models import StatusReportImport
from bistand.statistics.models import (
    AccountMonth,
    HouseholdMonth,
    MonthRefresh,
    RecipientMonth,
    StaleMonth,
)
from bistand.statistics.refresh import (
    household_type_case,
    refresh_all,
    refresh_months,
    refresh_stale,
)

from .builders import World

D = dt.date


def single(world, opened_on=D(2025, 1, 5)):
    person = world.person(D(1980, 1, 1), "F")
    return person, world.case(world.household((person, "applicant")), opened_on=opened_on)


def stale():
    return sorted(StaleMonth.objects.values_list("month", flat=True))


def test_a_paid_order_marks_its_months_stale_and_the_refresh_clears_them(org):
    w = World(org)
    _, case = single(w)
    w.pay(case, D(2025, 3, 1), 5000, paid_on=D(2025, 2, 25))
    # The month it is for (March) and the month it was paid out (February, the ledger).
    assert stale() == [D(2025, 2, 1), D(2025, 3, 1)]
    result = refresh_stale()
    assert result.months == [D(2025, 2, 1), D(2025, 3, 1)]
    assert stale() == []
    assert HouseholdMonth.objects.get(case=case).month == D(2025, 3, 1)
    assert AccountMonth.objects.get().month == D(2025, 2, 1)


def test_a_payment_returned_by_the_bank_leaves_the_month(org):
    w = World(org)
    _, case = single(w)
    order = w.pay(case, D(2025, 3, 1), 5000, paid_on=D(2025, 3, 2))
    refresh_stale()
    assert HouseholdMonth.objects.filter(month=D(2025, 3, 1)).count() == 1
    w.return_payment(order, D(2025, 3, 20))
    assert stale() == [D(2025, 3, 1)]
    refresh_stale()
    assert HouseholdMonth.objects.filter(month=D(2025, 3, 1)).count() == 0
    assert RecipientMonth.objects.filter(month=D(2025, 3, 1)).count() == 0
    assert MonthRefresh.objects.get(month=D(2025, 3, 1)).households == 0


def test_orders_not_yet_paid_do_not_count(org):
    w = World(org)
    _, case = single(w)
    decision, line = w.decide(case, D(2025, 3, 1), 5000)
    from bistand.payments.models import PaymentOrder

    PaymentOrder.objects.create(
        unit=org.unit,
        case=case,
        decision=decision,
        decision_line=line,
        month=D(2025, 3, 1),
        budget_account=w.account,
        amount=5000,
        method="cash",
        cash_reason="Test",
        payee_name="Test",
        pay_on=D(2025, 3, 1),
        created_by=org.benefit_admin,
    )
    assert stale() == []
    refresh_months([D(2025, 3, 1)])
    assert HouseholdMonth.objects.count() == 0


def test_refreshing_twice_gives_the_same_rows(lund):
    before = list(HouseholdMonth.objects.order_by("case_id", "month").values())
    refresh_months([D(2025, 6, 1), D(2025, 7, 1)])
    after = list(HouseholdMonth.objects.order_by("case_id", "month").values())
    strip = [{k: v for k, v in row.items() if k != "id"} for row in before]
    assert strip == [{k: v for k, v in row.items() if k != "id"} for row in after]


def test_a_late_payment_for_an_earlier_month_carries_the_spell_forward(org):
    w = World(org)
    _, case = single(w)
    w.pay(case, D(2025, 1, 1), 5000)
    w.pay(case, D(2025, 3, 1), 5000)
    w.pay(case, D(2025, 4, 1), 5000)
    refresh_months([D(2025, 1, 1), D(2025, 2, 1), D(2025, 3, 1), D(2025, 4, 1)])
    assert HouseholdMonth.objects.get(month=D(2025, 4, 1)).spell_months == 2
    w.pay(case, D(2025, 2, 1), 5000)  # February paid late
    result = refresh_months([D(2025, 2, 1)])
    assert result.cascaded == [D(2025, 3, 1), D(2025, 4, 1)]
    spells = dict(HouseholdMonth.objects.values_list("month", "spell_months"))
    assert spells == {D(2025, 1, 1): 1, D(2025, 2, 1): 2, D(2025, 3, 1): 3, D(2025, 4, 1): 4}
    assert RecipientMonth.objects.get(month=D(2025, 4, 1)).spell_months == 4


def test_section_handler_and_case_type_are_those_of_the_month(org):
    w = World(org)
    _, case = single(w)
    w.pay(case, D(2025, 6, 1), 5000)
    w.pay(case, D(2025, 7, 1), 5000)
    w.reassign(case, D(2025, 7, 10), section=org.intake, handler=org.social_worker, case_type="B")
    refresh_months([D(2025, 6, 1), D(2025, 7, 1)])
    june = HouseholdMonth.objects.get(month=D(2025, 6, 1))
    july = HouseholdMonth.objects.get(month=D(2025, 7, 1))
    assert (june.section_id, june.handler_id, june.case_type) == (
        org.labour.pk,
        org.other_social_worker.pk,
        "A",
    )
    assert (july.section_id, july.handler_id, july.case_type) == (
        org.intake.pk,
        org.social_worker.pk,
        "B",
    )


def test_reconciliation_rebuilds_the_months_it_changed(org, django_capture_on_commit_callbacks):
    w = World(org)
    _, case = single(w)
    w.pay(case, D(2025, 5, 1), 5000, paid_on=D(2025, 5, 2))
    assert stale() == [D(2025, 5, 1)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        StatusReportImport.objects.create(
            unit=org.unit,
            sha256="0" * 64,
            message_type="camt.054",
            message_id="M1",
            imported_by=org.finance,
        )
    assert len(callbacks) == 1
    assert stale() == []
    assert HouseholdMonth.objects.filter(month=D(2025, 5, 1)).count() == 1


def test_refresh_all_builds_every_month_with_payments(org):
    w = World(org)
    _, case = single(w)
    w.pay(case, D(2025, 1, 1), 5000, paid_on=D(2024, 12, 28))
    w.pay(case, D(2025, 2, 1), 5000, paid_on=D(2025, 1, 28))
    result = refresh_all()
    assert result.months == [D(2024, 12, 1), D(2025, 1, 1), D(2025, 2, 1)]
    assert result.years == [2024, 2025]
    assert HouseholdMonth.objects.count() == 2
    assert AccountMonth.objects.count() == 2


def test_household_type_in_sql_is_socialstyrelsens_derivation(db):
    """Every composition the SQL sees gives the same code as core.codes."""
    from bistand.core.codes import HOUSEHOLD_TYPES

    cases = []
    for adults, children, others in itertools.product(range(4), range(3), range(2)):
        for men in range(adults + 1):
            cases.append((adults, men, children, others))
    selects = " UNION ALL ".join(
        f"SELECT {i}, {household_type_case(str(a), str(m), str(c), str(o))}"
        for i, (a, m, c, o) in enumerate(cases)
    )
    with connection.cursor() as cursor:
        cursor.execute(selects)
        codes = dict(cursor.fetchall())
    for index, (adults, men, children, others) in enumerate(cases):
        grown = [("M", True)] * men + [("F", True)] * (adults - men)
        expected = HOUSEHOLD_TYPES[derive_household_type(grown, children, others)][0]
        assert codes[index] == expected, (adults, men, children, others)
