"""The staff pages through HTTP: calculation editor, deciding, refusal outside delegation with
referral, the head's overview, settings, and Swedish errors with nothing half-saved."""

import re

from django.urls import reverse

from bistand.decisions import services
from bistand.decisions.models import Calculation, Decision, LocalGuideline

from .conftest import as_proposed, decide, obstacles_for, saved_calculation


def _decide_post(calculation, **extra):
    data = {"calculation": calculation.pk, "action": "decide", "reasons": "", "confirmed": "1"}
    for index, proposal in enumerate(__import__(
        "bistand.decisions.calculations", fromlist=["proposals"]
    ).proposals(calculation)):  # fmt: skip
        data[f"line-{index}-outcome"] = proposal.proposed_outcome
        data[f"line-{index}-amount"] = str(proposal.proposed_grant).replace(".", ",")
        data[f"line-{index}-reasons"] = proposal.proposed_reasons
        data[f"line-{index}-ground"] = proposal.proposed_ground
    for person_id, code in obstacles_for(calculation).items():
        data[f"obstacle-{person_id}"] = code
    data.update(extra)
    return data


def test_case_page_to_calculation_to_decision(
    logged_in, org, make_application, this_month, unverified_2026
):
    application = make_application(this_month, stated_costs=[{"type": "rent", "amount": "6500"}])
    client = logged_in(org.social_worker)
    page = client.get(reverse("case_detail", args=[application.case_id])).content.decode()
    assert "Beräkning och beslut" in page and 'data-testid="new-calculation"' in page

    response = client.post(reverse("decisions:calculation_create", args=[application.pk]))
    calculation = Calculation.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "decisions:calculation", args=[calculation.pk]
    )
    page = client.get(response.url).content.decode()
    assert "Riksnormen" in page and "inte verifierad" in page  # 2026 table warnings shown
    assert 'name="cost-1-amount" value="6500.00"' in page

    row = client.get(reverse("decisions:calculation_row", args=[calculation.pk]) + "?kind=income")
    assert re.search(r'name="income-[0-9a-f]{8}-amount"', row.content.decode())

    response = client.post(
        reverse("decisions:calculation", args=[calculation.pk]),
        {
            "cost-1-type": "rent",
            "cost-1-amount": "6 500",
            "cost-1-source": "application",
            "cost-x1-type": "household_electricity",
            "cost-x1-amount": "350,50",
            "income-x2-type": "child_allowance",
            "income-x2-amount": "",
            "income-x2-description": "",
            "action": "recalculate",
        },  # fmt: skip
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "12\u00a0070,50\u00a0kr" in response.content.decode()
    response = client.post(
        reverse("decisions:calculation", args=[calculation.pk]),
        {"cost-1-type": "rent", "cost-1-amount": "6500", "action": "save"},
    )
    assert response.status_code == 302
    calculation.refresh_from_db()
    assert calculation.saved_at is not None

    page = client.get(reverse("case_detail", args=[application.case_id])).content.decode()
    assert 'data-testid="decide"' in page
    page = client.get(reverse("decisions:decide", args=[application.pk])).content.decode()
    assert "Försörjningsstöd " + f"{this_month:%Y-%m}" in page
    response = client.post(
        reverse("decisions:decide", args=[application.pk]), _decide_post(calculation)
    )
    decision = Decision.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "decisions:decision", args=[decision.pk]
    )
    page = client.get(response.url).content.decode()
    assert 'data-testid="open-letter"' in page and decision.reference in page
    timeline = client.get(reverse("case_detail", args=[application.case_id])).content.decode()
    assert "Beslut: Bifall" in timeline


def test_bad_amount_in_editor_is_a_swedish_error_and_nothing_changes(
    logged_in, org, make_application, this_month
):
    application = make_application(this_month, stated_costs=[{"type": "rent", "amount": "6500"}])
    calculation = services.create_calculation(org.social_worker, application)
    client = logged_in(org.social_worker)
    response = client.post(
        reverse("decisions:calculation", args=[calculation.pk]),
        {"cost-1-type": "rent", "cost-1-amount": "mycket", "action": "save"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "måste vara ett belopp i kronor" in page and 'value="mycket"' in page
    calculation.refresh_from_db()
    assert calculation.saved_at is None and calculation.costs[0]["amount"] == "6500.00"


def test_refusal_without_reasons_shows_error_and_saves_nothing(
    logged_in, org, make_application, this_month
):
    application = make_application(this_month)
    calculation = saved_calculation(org.social_worker, application)
    client = logged_in(org.social_worker)
    data = _decide_post(calculation, **{"line-0-outcome": "refused", "line-0-reasons": ""})
    response = client.post(reverse("decisions:decide", args=[application.pk]), data)
    assert response.status_code == 400
    assert "Skäl måste anges för avslag och delvis bifall" in response.content.decode()
    assert not Decision.objects.exists()


def test_outside_delegation_page_offers_referral_and_head_decides(
    logged_in, org, make_application, this_month
):
    application = make_application(
        this_month, handler=org.benefit_admin, stated_incomes=[{"type": "wages", "amount": "9000"}]
    )
    calculation = saved_calculation(org.benefit_admin, application)
    client = logged_in(org.benefit_admin)
    url = reverse("decisions:decide", args=[application.pk])
    response = client.post(url, _decide_post(calculation))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Beslutet ligger utanför din delegation" in page
    assert 'data-testid="referral"' in page and str(org.labour_head) in page
    assert not Decision.objects.exists()

    response = client.post(
        url,
        _decide_post(calculation, action="refer", referred_to=org.labour_head.pk, note="Avslag"),
    )
    assert response.status_code == 302
    referred = Decision.objects.get()
    assert referred.status == "referred"

    head = logged_in(org.labour_head)
    assert str(application.case.reference) in head.get(reverse("home")).content.decode()
    overview = head.get(reverse("decisions:overview")).content.decode()
    assert reverse("decisions:decision", args=[referred.pk]) in overview
    response = head.post(reverse("decisions:decide_draft", args=[referred.pk]), {"confirmed": "1"})
    assert response.status_code == 302
    referred.refresh_from_db()
    assert referred.status == "final" and referred.decided_by == org.labour_head


def test_head_overview_shows_appeal_deadlines_and_decision_times(
    logged_in, org, make_application, this_month, today
):
    application = make_application(this_month)
    calculation = saved_calculation(org.social_worker, application)
    decision = services.decide_application(
        org.social_worker,
        application,
        calculation=calculation,
        lines=as_proposed(
            calculation,
            income_support=services.LineDecision(
                "refused", None, "Behovet är inte styrkt.", "need_not_shown"
            ),
        ),
        support_obstacles=obstacles_for(calculation),
    )
    services.register_appeal(org.reception, decision, received_on=today)
    page = logged_in(org.intake_head).get(reverse("decisions:overview")).content.decode()
    assert "Ompröva och överlämna till förvaltningsrätten" in page
    assert "2026-12-01" in page  # forward within a week of 2026-11-24
    assert 'data-testid="decision-times"' in page and "Mottagning" in page
    home = logged_in(org.intake_head).get(reverse("home")).content.decode()
    assert "Överklaganden – frister" in home
    # Not for roles without the overview.
    assert logged_in(org.social_worker).get(reverse("decisions:overview")).status_code == 403


def test_decision_pages_are_refused_to_other_sections(logged_in, org, make_application, this_month):
    decision = decide(org.social_worker, make_application(this_month))
    response = logged_in(org.other_social_worker).get(
        reverse("decisions:decision", args=[decision.pk])
    )
    assert response.status_code == 404
    assert "finns inte eller så saknar du behörighet" in response.content.decode()


def test_system_administrator_edits_guidelines_and_others_are_refused(logged_in, org):
    url = reverse("decisions:settings")
    assert logged_in(org.unit_head).get(url).status_code == 403
    client = logged_in(org.sysadmin)
    page = client.get(url).content.decode()
    assert "Delegationsordning" in page and "1.1" in page
    response = client.post(
        url,
        {"what": "guideline", "g-name": "Nämndbeslut 2026", "g-valid_from": "2026-01-01",
         "g-rent_ceilings": "1: 6 330\n2: 6970", "g-note": "Ny nivå"},
    )  # fmt: skip
    assert response.status_code == 302
    row = LocalGuideline.objects.get()
    assert row.rent_ceilings == {"1": "6330.00", "2": "6970.00"}
    response = client.post(
        url,
        {
            "what": "guideline",
            "g-name": "X",
            "g-valid_from": "2026-01-01",
            "g-rent_ceilings": "ett: tusen",
        },
    )
    assert response.status_code == 400  # refused, shown again (docs/forms.md)
    assert (
        "Skriv en rad per hushållsstorlek" in response.content.decode()
        or "Kontrollera" in response.content.decode()
    )
    assert LocalGuideline.objects.count() == 1


def test_batch_page_lists_repeat_applications(logged_in, org, this_month):
    page = logged_in(org.benefit_admin).get(
        reverse("decisions:batch") + f"?month={this_month:%Y-%m}"
    )
    assert page.status_code == 200
    assert "Inga obeslutade fortsatta ansökningar" in page.content.decode()
    assert logged_in(org.reception).get(reverse("decisions:batch")).status_code == 403


def test_prepared_decision_page_lists_checks_and_confirms_in_one_action(
    logged_in, org, make_application, previous_month, this_month
):
    from bistand.cases import services as case_services
    from tests.workplans.conftest import make_plan

    first = make_application(
        previous_month, stated_costs=[{"type": "rent", "amount": "6000"}], handler=org.benefit_admin
    )
    decide(org.benefit_admin, first)
    make_plan(org.benefit_admin, first.case)
    repeat_application = case_services.register_application(
        org.benefit_admin,
        first.case.household,
        kind="repeat",
        month=this_month,
        stated_costs=[{"type": "rent", "amount": "6000"}],
    )
    prepared = services.prepare_repeat_decision(org.benefit_admin, repeat_application)
    client = logged_in(org.benefit_admin)
    assert str(first.case.reference) in client.get(reverse("home")).content.decode()
    page = client.get(reverse("decisions:decision", args=[prepared.pk])).content.decode()
    assert 'data-testid="checks"' in page and "Arbetsplanen följs" in page
    assert 'data-testid="decide-draft"' in page
    response = client.post(
        reverse("decisions:decide_draft", args=[prepared.pk]), {"confirmed": "1"}
    )
    assert response.status_code == 302
    prepared.refresh_from_db()
    assert prepared.status == "final" and prepared.decided_by == org.benefit_admin
