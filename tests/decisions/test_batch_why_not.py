"""Issue 13: the "Varför inte" column of *Fortsatta ansökningar* says what is wrong, without
contradicting itself ("beviljades helt (Delvis bifall)", "C-ärende (ärendetyp B)") and
without raw codes ("förslag: refused")."""

import re

from django.urls import reverse

from bistand.cases import services as case_services
from bistand.decisions import repeat, services
from bistand.decisions.calculations import proposals
from bistand.decisions.models import Outcome

from .conftest import decide, saved_calculation
from .test_repeat import c_case_repeat  # noqa: F401 - the fixture


def _why_not_cells(page: str) -> list[str]:
    table = re.search(r'<table data-testid="batch">.*?</table>', page, re.S).group(0)
    return [
        re.sub(r"<[^>]+>", " ", cell)
        for cell in re.findall(r'<td class="small">(.*?)</td>', table, re.S)
    ]


def test_why_not_names_what_is_wrong(logged_in, org, c_case_repeat, this_month):  # noqa: F811
    c_case_repeat(adult="199811022384", case_type="B")
    client = logged_in(org.unit_head)
    page = client.get(reverse("decisions:batch") + f"?month={this_month:%Y-%m}").content.decode()
    cells = " ".join(_why_not_cells(page))
    assert "Ärendet är ett B-ärende, inte ett C-ärende" in cells
    assert "Ärendet är ett C-ärende" not in cells
    assert "ärendetyp B" not in cells


def test_failed_checks_never_state_the_condition_they_failed(org, c_case_repeat):  # noqa: F811
    application = c_case_repeat(rent="9000.00", plan=False)
    assessment = repeat.assess(application)
    assert assessment.failed
    for check in assessment.failed:
        assert check.why_not != check.label, check.code
    costs = next(c for c in assessment.failed if c.code == "costs_within_tolerance")
    assert costs.why_not.startswith("Kostnaderna har ändrats mer än")


def test_previous_partial_grant_is_said_plainly(org, make_application, previous_month, this_month):
    first = make_application(
        previous_month,
        stated_costs=[{"type": "rent", "amount": "6000.00"}],
        handler=org.benefit_admin,
        case_type="C",
    )
    calculation = saved_calculation(org.benefit_admin, first)
    proposal = proposals(calculation)[0]
    partly = services.LineDecision(
        Outcome.PARTLY_GRANTED, proposal.proposed_grant / 2, "Halva beloppet.", ""
    )
    decided = decide(org.labour_head, first, calculation, **{proposal.key: partly})
    assert decided.outcome == Outcome.PARTLY_GRANTED
    application = case_services.register_application(
        org.benefit_admin, first.case.household, kind="repeat", month=this_month
    )
    check = next(c for c in repeat.assess(application).checks if c.code == "previous_granted")
    assert not check.ok
    assert "var delvis bifall, inte bifall" in check.why_not
    assert "beviljades helt" not in check.why_not
