"""Property: the decision lines proposed from a calculation add up to its amount to pay, and
no line proposes more than was applied for or more than the calculation allows."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bistand.calculation import default_norm_tables
from bistand.decisions import calculations as calc
from bistand.decisions.models import Calculation

amounts = st.decimals(min_value=0, max_value=40000, places=2, allow_nan=False, allow_infinity=False)
reasonable = st.sampled_from(["rent", "household_electricity", "home_insurance", "work_travel"])
other_living = st.sampled_from(["glasses", "furniture", "emergency_dental_care", "medicine"])


@settings(max_examples=150, deadline=None)
@given(
    costs=st.lists(st.tuples(st.one_of(reasonable, other_living), amounts), max_size=6),
    incomes=st.lists(amounts, max_size=3),
)
def test_proposals_add_up_to_the_amount_to_pay(costs, incomes):
    calculation = Calculation(
        month=dt.date(2023, 5, 1),
        members=[{"person_id": 1, "name": "A", "birth_date": "1983-09-19", "role": "applicant"}],
        costs=[{"type": t, "amount": f"{a:.2f}", "description": ""} for t, a in costs],
        incomes=[{"type": "wages", "amount": f"{a:.2f}", "person_id": 1} for a in incomes],
        norm_adjustments=[],
        months_on_assistance=0,
    )
    calc.run(calculation, default_norm_tables())  # the seed data, without a database
    proposals = calc.proposals(calculation)
    assert sum((p.proposed_grant for p in proposals), Decimal("0")) == calculation.amount_to_pay
    for proposal in proposals:
        assert (
            Decimal("0") <= proposal.proposed_grant <= proposal.max_grant <= proposal.amount_applied
        )
        assert (proposal.proposed_outcome == "granted") == (
            proposal.proposed_grant == proposal.amount_applied > 0
        )
        if proposal.proposed_outcome != "granted" and proposal.kind == "other_living_costs":
            assert proposal.proposed_reasons
