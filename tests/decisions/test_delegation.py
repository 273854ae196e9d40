"""The delegation order: refused outside it (in Swedish, naming who may decide), referral to
someone who has it, and the point recorded with the decision."""

from decimal import Decimal

import pytest

from bistand.core.errors import DomainError, PermissionRefused
from bistand.core.models import FinalRecordError
from bistand.decisions import services
from bistand.decisions.models import Decision, DelegationRule
from bistand.decisions.selectors import referrals_for
from tests.factories import UnitFactory

from .conftest import as_proposed, decide, obstacles_for, saved_calculation


def _refusal_of_income_support(calculation, ground="surplus"):
    return as_proposed(
        calculation,
        income_support=services.LineDecision(
            "refused", None, "Inkomsterna täcker behovet.", ground
        ),
    )


def _try(user, application, calculation, lines):
    return services.decide_application(
        user,
        application,
        calculation=calculation,
        lines=lines,
        support_obstacles=obstacles_for(calculation),
    )


def test_new_unit_gets_the_default_delegation_order(db):
    unit = UnitFactory()
    rules = DelegationRule.objects.filter(unit=unit)
    assert rules.count() > 10
    assert set(rules.filter(kind="refusal_labour_market").values_list("role", flat=True)) == {
        "unit_head"
    }
    assert services.ensure_default_delegation(unit) == 0  # idempotent


def test_benefit_administrator_may_grant_but_not_refuse_income_support(
    org, make_application, this_month
):
    application = make_application(
        this_month,
        handler=org.benefit_admin,
        stated_incomes=[{"type": "wages", "amount": "9000"}],
    )
    calculation = saved_calculation(org.benefit_admin, application)
    assert calculation.proposed_outcome == "refused"
    with pytest.raises(services.OutsideDelegation) as error:
        _try(org.benefit_admin, application, calculation, as_proposed(calculation))
    message = error.value.message
    assert "utanför din delegation (Bidragshandläggare)" in message
    assert "Försörjningsstöd – avslag" in message
    # Offered: those in the case's section with the delegation, and the unit head.
    assert set(error.value.context["candidates"]) == {
        org.other_social_worker.pk,
        org.labour_head.pk,
        org.unit_head.pk,
    }
    assert not Decision.objects.exists()

    referred = services.refer_decision(
        org.benefit_admin,
        application,
        calculation=calculation,
        lines=as_proposed(calculation),
        support_obstacles=obstacles_for(calculation),
        referred_to=org.labour_head,
        note="Avslag – normöverskott.",
    )
    assert referred.status == "referred" and referred.decided_at is None
    assert list(referrals_for(org.labour_head)) == [referred]
    with pytest.raises(PermissionRefused):
        services.decide_draft(org.other_social_worker, referred)
    decision = services.decide_draft(org.labour_head, referred)
    assert decision.status == "final" and decision.decided_by == org.labour_head
    assert decision.lines.get().refusal_delegation.role == "section_head"
    assert decision.delegation_points == "1.2"
    assert list(referrals_for(org.labour_head)) == []


def test_benefit_administrator_grants_within_ceiling(org, make_application, this_month):
    application = make_application(this_month, handler=org.benefit_admin)
    decision = decide(org.benefit_admin, application)
    assert decision.lines.get().grant_delegation.max_amount == Decimal("30000.00")


def test_social_worker_other_living_costs_above_ceiling_need_section_head(
    org, make_application, this_month
):
    application = make_application(
        this_month, stated_costs=[{"type": "furniture", "amount": "8000"}]
    )
    calculation = saved_calculation(org.social_worker, application)
    with pytest.raises(services.OutsideDelegation) as error:
        _try(org.social_worker, application, calculation, as_proposed(calculation))
    assert "Livsföring i övrigt – bifall 8\u00a0000,00\u00a0kr" in error.value.message
    assert org.intake_head.pk in error.value.context["candidates"]
    decision = _try(org.intake_head, application, calculation, as_proposed(calculation))
    assert decision.lines.get(kind="other_living_costs").grant_delegation.role == "section_head"


def test_section_head_other_living_costs_above_ceiling_need_unit_head(
    org, make_application, this_month
):
    application = make_application(
        this_month, stated_costs=[{"type": "moving_costs", "amount": "40000"}]
    )
    calculation = saved_calculation(org.intake_head, application)
    with pytest.raises(services.OutsideDelegation) as error:
        _try(org.intake_head, application, calculation, as_proposed(calculation))
    assert error.value.context["candidates"] == [org.unit_head.pk]
    decision = _try(org.unit_head, application, calculation, as_proposed(calculation))
    assert decision.delegation_points == "1.1, 2.1"


def test_labour_market_refusal_needs_the_unit_head(org, make_application, this_month):
    application = make_application(this_month)
    calculation = saved_calculation(org.social_worker, application)
    lines = _refusal_of_income_support(calculation, ground="labour_market")
    for user in (org.social_worker, org.intake_head):
        with pytest.raises(services.OutsideDelegation) as error:
            _try(user, application, calculation, lines)
        assert "arbetsmarknadens förfogande" in error.value.message
    decision = _try(org.unit_head, application, calculation, lines)
    assert decision.lines.get().refusal_delegation.point == "3.1"
    assert "2025:400" in decision.lines.get().legal_basis


def test_partial_grant_needs_both_grant_and_refusal_delegation(org, make_application, this_month):
    application = make_application(this_month, handler=org.benefit_admin)
    calculation = saved_calculation(org.benefit_admin, application)
    lines = as_proposed(
        calculation,
        income_support=services.LineDecision(
            "partly_granted", Decimal("5000"), "Del av kostnaden är inte skälig.", "above_guideline"
        ),
    )
    with pytest.raises(services.OutsideDelegation):
        _try(org.benefit_admin, application, calculation, lines)


def test_referral_only_to_someone_with_delegation(org, make_application, this_month):
    application = make_application(this_month, handler=org.benefit_admin)
    calculation = saved_calculation(org.benefit_admin, application)
    with pytest.raises(DomainError) as error:
        services.refer_decision(
            org.benefit_admin,
            application,
            calculation=calculation,
            lines=_refusal_of_income_support(calculation),
            support_obstacles=obstacles_for(calculation),
            referred_to=org.finance,
        )
    assert error.value.code == "referral_target_lacks_delegation"


def test_returned_referral_is_kept_and_can_be_redone(org, make_application, this_month):
    application = make_application(this_month, handler=org.benefit_admin)
    calculation = saved_calculation(org.benefit_admin, application)
    referred = services.refer_decision(
        org.benefit_admin,
        application,
        calculation=calculation,
        lines=_refusal_of_income_support(calculation),
        support_obstacles=obstacles_for(calculation),
        referred_to=org.labour_head,
    )
    with pytest.raises(DomainError):
        services.return_referral(org.labour_head, referred, "")
    returned = services.return_referral(org.labour_head, referred, "Bevilja i stället.")
    assert returned.status == "returned"
    decision = decide(org.benefit_admin, application, calculation)
    assert decision.outcome == "granted"


def test_delegation_order_is_changed_by_new_points_not_edits(org):
    rule = DelegationRule.objects.filter(unit=org.unit, point="2.1", role="social_worker").get()
    with pytest.raises(PermissionRefused):
        services.retire_delegation_rule(org.unit_head, rule)
    rule.max_amount = Decimal("1")
    with pytest.raises(FinalRecordError):
        rule.save()
    rule.refresh_from_db()
    services.retire_delegation_rule(org.sysadmin, rule)
    new = services.add_delegation_rule(
        org.sysadmin,
        org.unit,
        point="2.1",
        kind="other_living_grant",
        role="social_worker",
        max_amount="10 000",
        label="Höjd gräns",
    )
    assert new.max_amount == Decimal("10000.00")
    with pytest.raises(DomainError):
        services.add_delegation_rule(
            org.sysadmin,
            org.unit,
            point="9",
            kind="other_living_grant",
            role="finance",
            max_amount="",
        )
