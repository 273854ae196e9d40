"""Property: the decision lines proposed from a calculation add up to its amount to pay, and
no line proposes more than was applied for or more than the calculation allows."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bistand.calculation import default_norm_tables
from bistand.decisions import calculations as calc
from bistand.decisions.models import Calculation, LocalGuideline

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


def _calculation(costs, incomes=(), *, rent_ceiling=None, cost_ceilings=None):
    guideline = None
    if rent_ceiling is not None or cost_ceilings:
        guideline = LocalGuideline(
            valid_from=dt.date(2023, 1, 1),
            name="Riktlinjer",
            rent_ceilings={"1": str(rent_ceiling)} if rent_ceiling is not None else {},
            cost_ceilings={k: str(v) for k, v in (cost_ceilings or {}).items()},
        )
    calculation = Calculation(
        month=dt.date(2023, 5, 1),
        members=[{"person_id": 1, "name": "A", "birth_date": "1983-09-19", "role": "applicant"}],
        costs=[{"type": t, "amount": f"{a:.2f}", "description": ""} for t, a in costs],
        incomes=[{"type": "wages", "amount": f"{a:.2f}", "person_id": 1} for a in incomes],
        norm_adjustments=[],
        months_on_assistance=0,
        local_guideline=guideline,
    )
    calc.run(calculation, default_norm_tables())
    return calculation


@settings(max_examples=150, deadline=None)
@given(
    costs=st.lists(st.tuples(st.one_of(reasonable, other_living), amounts), max_size=6),
    incomes=st.lists(amounts, max_size=3),
    rent_ceiling=amounts,
    medicine_ceiling=amounts,
)
def test_proposals_add_up_to_the_amount_to_pay_under_ceilings(
    costs, incomes, rent_ceiling, medicine_ceiling
):
    calculation = _calculation(
        costs, incomes, rent_ceiling=rent_ceiling, cost_ceilings={"medicine": medicine_ceiling}
    )
    proposals = calc.proposals(calculation)
    assert sum((p.proposed_grant for p in proposals), Decimal("0")) == calculation.amount_to_pay
    for proposal in proposals:
        assert (
            Decimal("0") <= proposal.proposed_grant <= proposal.max_grant <= proposal.amount_applied
        )
    medicine = [p for p in proposals if p.cost_type == "medicine"]
    assert sum((p.max_grant for p in medicine), Decimal("0")) <= max(medicine_ceiling, Decimal("0"))


def test_reasons_explain_the_total_of_rent_rows_against_the_ceiling_once():
    calculation = _calculation(
        [("rent", Decimal("8450")), ("rent", Decimal("450"))], rent_ceiling=Decimal("7550")
    )
    (support,) = calc.proposals(calculation)

    assert support.proposed_outcome == "partly_granted"
    assert support.amount_applied - support.max_grant == Decimal("1350")
    assert support.proposed_reasons.replace("\xa0", " ") == (
        "Boendekostnad (hyra eller avgift) sammanlagt 8 900,00 kr över kommunens högsta "
        "godtagbara nivå 7 550,00 kr för 1 person räknas inte (1 350,00 kr)."
    )


def test_items_of_one_cost_type_share_its_ceiling_in_order():
    calculation = _calculation(
        [("medicine", Decimal("400")), ("medicine", Decimal("300"))],
        cost_ceilings={"medicine": Decimal("500")},
    )
    first, second = calc.proposals(calculation)[1:]

    assert (first.max_grant, first.proposed_outcome) == (Decimal("400"), "granted")
    assert (second.max_grant, second.proposed_outcome) == (Decimal("100"), "partly_granted")
    assert "sammanlagt 700,00" in second.proposed_reasons.replace("\xa0", " ")
