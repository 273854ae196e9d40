"""Decision support for simple repeat applications: every check listed, a prepared decision
confirmed in one action, `decide-batch --dry-run`, and the automatic mode with its daily sample."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bistand.cases import services as case_services
from bistand.core.errors import DomainError
from bistand.decisions import repeat, services
from bistand.decisions.models import AutomaticDecisionReview, Decision
from tests.workplans.conftest import make_plan

from .conftest import decide

RENT = [{"type": "rent", "amount": "6000.00"}]


@pytest.fixture
def c_case_repeat(org, make_application, previous_month, this_month):
    """A C case held by the benefit administrator: last month granted, this month a repeat
    application with the same rent."""

    def make(*, adult="198309192394", rent="6000.00", case_type="C", months=None, plan=True):
        first_month, repeat_month = months or (previous_month, this_month)
        handler = org.benefit_admin if case_type == "C" else org.social_worker
        first = make_application(
            first_month,
            adult=adult,
            stated_costs=[{"type": "rent", "amount": "6000.00"}],
            handler=handler,
            case_type=case_type,
        )
        decide(handler, first)
        if plan:
            make_plan(handler, first.case)
        return case_services.register_application(
            handler,
            first.case.household,
            kind="repeat",
            month=repeat_month,
            stated_costs=[{"type": "rent", "amount": rent}],
        )

    return make


def test_matching_repeat_application_qualifies_with_every_check_listed(org, c_case_repeat):
    application = c_case_repeat()
    assessment = repeat.assess(application)
    assert assessment.qualifies, [c for c in assessment.failed]
    codes = [c.code for c in assessment.checks]
    for expected in (
        "case_type_c",
        "repeat_application",
        "previous_granted",
        "same_household",
        "signed_investigation",
        "support_obstacles",
        "plan_followed",
        "costs_within_tolerance",
        "incomes_within_tolerance",
        "calculated",
        "amount_within_tolerance",
    ):
        assert expected in codes
    plan = next(c for c in assessment.checks if c.code == "plan_followed")
    assert plan.ok and "bekräftad" in plan.note


def test_repeat_application_without_a_confirmed_plan_does_not_qualify(org, c_case_repeat):
    application = c_case_repeat(plan=False)
    assessment = repeat.assess(application)
    assert not assessment.qualifies
    assert [c.code for c in assessment.failed] == ["plan_followed"]


def test_prepared_decision_is_confirmed_in_one_action(org, c_case_repeat):
    application = c_case_repeat()
    prepared = services.prepare_repeat_decision(org.benefit_admin, application)
    assert prepared.status == "prepared" and prepared.decided_at is None
    assert prepared.calculation.saved_at is not None
    assert {c["code"] for c in prepared.checks} >= {"costs_within_tolerance", "plan_followed"}
    assert prepared.rule_version.startswith("upprepad-2/")
    decision = services.confirm_prepared_decision(org.benefit_admin, prepared)
    assert decision.status == "final" and decision.decided_by == org.benefit_admin
    assert decision.total_granted == Decimal("11220.00")
    application.refresh_from_db()
    assert application.status == "decided"


def test_changed_costs_or_other_case_type_do_not_qualify(org, c_case_repeat):
    changed = c_case_repeat(rent="7000.00")
    assessment = repeat.assess(changed)
    assert not assessment.qualifies
    failed = {c.code: c.note for c in assessment.failed}
    assert (
        "costs_within_tolerance" in failed
        and "6\u00a0000,00\u00a0kr" in failed["costs_within_tolerance"]
    )
    with pytest.raises(DomainError) as error:
        services.prepare_repeat_decision(org.benefit_admin, changed)
    assert "Kostnaderna" in error.value.message


def test_decide_batch_dry_run_lists_who_qualifies_and_why_not(org, c_case_repeat, this_month):
    c_case_repeat()
    c_case_repeat(adult="199811022384", case_type="A")
    out = io.StringIO()
    call_command("decide-batch", "--month", f"{this_month:%Y-%m}", "--dry-run", stdout=out)
    text = out.getvalue()
    assert f"Fortsatta ansökningar {this_month:%Y-%m} (provkörning – inget sparas)" in text
    assert "KAN FÖRBEREDAS" in text and "11\u00a0220,00\u00a0kr" in text
    assert "KAN INTE" in text
    assert "✗ Ärendet är ett A-ärende, inte ett C-ärende" in text
    assert "Summa: 1 av 2 kan förberedas." in text
    assert not Decision.objects.filter(status="prepared").exists()

    with pytest.raises(CommandError):
        call_command("decide-batch", "--month", f"{this_month:%Y-%m}")
    with pytest.raises(CommandError):
        call_command("decide-batch", "--month", "2026-13", "--dry-run")

    out = io.StringIO()
    call_command(
        "decide-batch", "--month", f"{this_month:%Y-%m}", "--user", "labourhead", stdout=out
    )
    assert "FÖRBERETT" in out.getvalue()
    assert Decision.objects.filter(status="prepared").count() == 1


def test_automatic_mode_records_rule_version_and_checks_and_samples_for_review(
    org, c_case_repeat, this_month, unverified_2026
):
    services.change_decision_settings(
        org.sysadmin,
        org.unit,
        automatic_repeat_decisions=True,
        cost_tolerance_percent=Decimal("5"),
        cost_tolerance_amount=Decimal("200"),
        income_tolerance_percent=Decimal("5"),
        income_tolerance_amount=Decimal("200"),
        review_sample_size=1,
    )
    # Rent checked against the municipality's ceiling (else a warning stops automation).
    guideline = services.set_local_guidelines(
        org.sysadmin,
        org.unit,
        valid_from=dt.date(2020, 1, 1),
        name="Riktlinjer",
        rent_ceilings={"1": "8000"},
    )
    services.verify_local_guidelines(org.unit_head, guideline)
    c_case_repeat()
    c_case_repeat(adult="199811022384")
    # The 2026 table in force is not verified against the statute: no automatic decision.
    report = services.run_decide_batch(org.unit_head, this_month, dry_run=False)
    assert not any(row.decision for row in report.rows)
    assert all("no_warnings" in {c.code for c in row.assessment.failed} for row in report.rows)

    # With a verified norm year (2023) the decisions are made automatically; one is sampled.
    months = (dt.date(2023, 4, 1), dt.date(2023, 5, 1))
    first = c_case_repeat(adult="199109202383", months=months)
    second = c_case_repeat(adult="197910142392", months=months)
    report = services.run_decide_batch(org.unit_head, months[1], dry_run=False)
    decisions = [row.decision for row in report.rows if row.decision]
    assert len(decisions) == 2
    for decision in decisions:
        assert decision.automatic and decision.status == "final" and decision.decided_by is None
        assert decision.rule_version.startswith("upprepad-2/berakning-")
        assert decision.settings_used.automatic_repeat_decisions
        assert {c["code"] for c in decision.checks} >= {"no_warnings", "costs_within_tolerance"}
        assert "automatiskt" in decision.delegation_points.lower()
    assert AutomaticDecisionReview.objects.count() == 1
    assert {first.pk, second.pk} == {d.application_id for d in decisions}


def test_automatic_decisions_need_a_daily_human_sample(org):
    with pytest.raises(DomainError) as error:
        services.change_decision_settings(
            org.sysadmin,
            org.unit,
            automatic_repeat_decisions=True,
            cost_tolerance_percent=Decimal("5"),
            cost_tolerance_amount=Decimal("200"),
            income_tolerance_percent=Decimal("5"),
            income_tolerance_amount=Decimal("200"),
            review_sample_size=0,
        )
    assert "granskas" in error.value.message


def test_plan_followed_check_is_pluggable_from_the_workplans_app(org, c_case_repeat, monkeypatch):
    from django.apps import apps

    config = apps.get_app_config("workplans")
    monkeypatch.setattr(
        config,
        "plans_followed",
        lambda cases, month: {case.pk: (False, "Uppföljningen är försenad") for case in cases},
        raising=False,
    )
    assessment = repeat.assess(c_case_repeat())
    plan = next(c for c in assessment.checks if c.code == "plan_followed")
    assert not plan.ok and plan.note == "Uppföljningen är försenad"
    assert not assessment.qualifies


def test_a_plans_app_with_only_the_per_case_check_is_still_asked(org, c_case_repeat, monkeypatch):
    from django.apps import apps

    config = apps.get_app_config("workplans")
    monkeypatch.setattr(config, "plans_followed", None, raising=False)
    monkeypatch.setattr(
        config,
        "plan_followed",
        lambda case, month: (False, "Uppföljningen är försenad"),
        raising=False,
    )
    assessment = repeat.assess(c_case_repeat())
    plan = next(c for c in assessment.checks if c.code == "plan_followed")
    assert not plan.ok and plan.note == "Uppföljningen är försenad"


def test_repeat_after_an_automatic_decision_found_wrong_in_review_does_not_qualify(
    org, c_case_repeat, previous_month
):
    application = c_case_repeat()
    previous = Decision.objects.get(case=application.case, month=previous_month, status="final")
    review = AutomaticDecisionReview.objects.create(
        decision=previous, unit=org.unit, sampled_on=previous.decided_on
    )
    services.review_automatic_decision(
        org.unit_head, review, result="needs_correction", note="Fel hyra."
    )
    assessment = repeat.assess(application)
    assert [c.code for c in assessment.failed] == ["previous_review"]
