"""Deciding an application: the rules a decision must meet, what it records, and that a final
decision is never changed (a correction replaces it and both stay)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction

from bistand.cases import services as case_services
from bistand.cases.models import ApplicationStatus, CaseStatus
from bistand.core.errors import DomainError, PermissionRefused
from bistand.core.models import FinalRecordError
from bistand.decisions import services
from bistand.decisions.letters import letter_text
from bistand.decisions.models import Decision, DecisionLine, DecisionSupportObstacle
from bistand.decisions.selectors import decision_in_force, granted_lines_in_force
from bistand.households.models import Person
from bistand.households.services import move_person

from .conftest import as_proposed, decide, make_household, obstacles_for, saved_calculation

MAY_2023 = dt.date(2023, 5, 1)  # riksnorm 2023 is verified and complete


def test_decision_records_lines_basis_obstacles_letter_and_decides_application(
    org, make_application, this_month
):
    application = make_application(
        this_month,
        co_applicant="199811022384",
        stated_costs=[{"type": "rent", "amount": "7000"}, {"type": "glasses", "amount": "1500"}],
    )
    calculation = services.create_calculation(org.social_worker, application)
    # Riksnorm 2026 (SFS 2025:1046): 7 100 for the couple + 1 410 common costs for two.
    assert calculation.result["norm_total"] == "8510.00"

    application = make_application(
        MAY_2023,
        adult="199109202383",
        co_applicant="197910142392",
        stated_costs=[{"type": "rent", "amount": "7000"}, {"type": "glasses", "amount": "1500"}],
    )
    calculation = saved_calculation(org.social_worker, application)
    decision = decide(org.social_worker, application, calculation)

    assert decision.status == "final" and decision.outcome == "granted"
    assert decision.decided_by == org.social_worker
    assert decision.total_granted == calculation.amount_to_pay
    lines = list(decision.lines.order_by("position"))
    assert [line.kind for line in lines] == ["income_support", "other_living_costs"]
    assert lines[0].legal_basis == "12 kap. 1 § och 12 kap. 7 § socialtjänstlagen (2025:400)"
    assert lines[1].legal_basis == "12 kap. 1 § socialtjänstlagen (2025:400)"
    assert lines[1].cost_type == "glasses" and lines[1].amount_granted == Decimal("1500.00")
    assert lines[0].grant_delegation.point == "1.1" and lines[1].grant_delegation.point == "2.1"
    assert decision.delegation_points == "1.1, 2.1"
    obstacles = DecisionSupportObstacle.objects.filter(decision=decision)
    assert sorted(o.household_role for o in obstacles) == ["applicant", "co_applicant"]
    assert {o.code for o in obstacles} == {"unemployed_no_benefit"}
    assert decision.investigation_version.is_signed
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DECIDED
    assert application.case.status == CaseStatus.ACTIVE
    assert decision.letter.sha256 and len(bytes(decision.letter.pdf)) == decision.letter.size_bytes


def test_reasons_are_required_for_refusal_and_partial_grant(org, make_application, this_month):
    application = make_application(
        this_month, stated_costs=[{"type": "furniture", "amount": "3000"}]
    )
    calculation = saved_calculation(org.social_worker, application)
    obstacles = obstacles_for(calculation)
    for line in (
        services.LineDecision("refused", None, ""),
        services.LineDecision("partly_granted", Decimal("1000"), "  "),
    ):
        with pytest.raises(DomainError) as error:
            services.decide_application(
                org.social_worker,
                application,
                calculation=calculation,
                lines=as_proposed(calculation, **{"other_living:1": line}),
                support_obstacles=obstacles,
            )
        assert error.value.code == "reasons_required"
        assert "Skäl måste anges" in error.value.message
    assert not Decision.objects.exists()
    decision = services.decide_application(
        org.social_worker,
        application,
        calculation=calculation,
        lines=as_proposed(
            calculation,
            **{
                "other_living:1": services.LineDecision(
                    "partly_granted", Decimal("1000"), "Enklare möbler räcker för behovet.", "other"
                )
            },
        ),  # fmt: skip
        support_obstacles=obstacles,
    )
    assert decision.outcome == "partly_granted"
    assert decision.lines.get(kind="other_living_costs").amount_refused == Decimal("2000.00")


def test_amounts_must_fit_outcome_and_calculation(org, make_application, this_month):
    application = make_application(this_month)
    calculation = saved_calculation(org.social_worker, application)
    cases = [
        (services.LineDecision("granted", Decimal("100")), "granted_amount"),
        (services.LineDecision("partly_granted", Decimal("9999"), "x"), "partly_amount"),
        (services.LineDecision("partly_granted", None, "x"), "amount_required"),
        (services.LineDecision("maybe"), "bad_outcome"),
    ]
    for line, code in cases:
        with pytest.raises(DomainError) as error:
            services.decide_application(
                org.social_worker,
                application,
                calculation=calculation,
                lines={"income_support": line},
                support_obstacles=obstacles_for(calculation),
            )
        assert error.value.code == code


def test_every_adult_needs_a_support_obstacle(org, make_application, this_month):
    application = make_application(this_month)
    calculation = saved_calculation(org.social_worker, application)
    with pytest.raises(DomainError) as error:
        services.decide_application(
            org.social_worker,
            application,
            calculation=calculation,
            lines=as_proposed(calculation),
            support_obstacles={},
        )
    assert (
        "försörjningshinder" in error.value.message and "Tolvan Tolvansson" in error.value.message
    )


def test_decision_needs_a_saved_calculation_and_signed_investigation(
    org, household_factory, make_application, this_month
):
    application = make_application(this_month)
    draft = services.create_calculation(org.social_worker, application)
    with pytest.raises(DomainError) as error:
        services.decide_application(
            org.social_worker,
            application,
            calculation=draft,
            lines=as_proposed(draft),
            support_obstacles=obstacles_for(draft),
        )
    assert error.value.code == "calculation_not_saved"

    household = household_factory(org.reception, adult="198801122394")
    other = case_services.register_application(
        org.reception, household, kind="new", month=this_month
    )
    case_services.take_case(org.social_worker, other.case)
    calculation = saved_calculation(org.social_worker, other)
    with pytest.raises(DomainError) as error:
        decide(org.social_worker, other, calculation)
    assert error.value.code == "no_signed_investigation"


def test_children_require_the_child_perspective_in_the_signed_investigation(org):
    household = make_household(org.reception, on=dt.date(2023, 1, 1))
    application = case_services.register_application(
        org.reception, household, kind="new", month=MAY_2023
    )
    case = application.case
    case_services.take_case(org.social_worker, case)
    from .conftest import sign_investigation

    first_version = sign_investigation(org.social_worker, case, children=False)
    # A child moves in after the investigation was signed.
    child = Person.objects.create(
        identity_number="201501102386",
        first_name="Lilla",
        last_name="Tolvansson",
        birth_date=dt.date(2015, 1, 10),
        sex="F",
    )
    move_person(org.reception, child, household, "child", on=dt.date(2023, 2, 1))
    calculation = saved_calculation(org.social_worker, application)
    assert [m["role"] for m in calculation.members] == ["applicant", "child"]

    with pytest.raises(DomainError) as error:
        decide(org.social_worker, application, calculation)
    assert error.value.code == "child_perspective_missing"
    assert "Barnperspektivet" in error.value.message
    assert not Decision.objects.exists()

    second_version = sign_investigation(org.social_worker, case, children=True)
    decision = decide(org.social_worker, application, calculation)
    assert decision.has_children
    assert decision.child_perspective_version == second_version != first_version


def test_a_second_decision_on_the_same_application_is_refused(org, make_application, this_month):
    application = make_application(this_month)
    calculation = saved_calculation(org.social_worker, application)
    decide(org.social_worker, application, calculation)
    with pytest.raises(DomainError) as error:
        decide(org.social_worker, application, calculation)
    assert error.value.code == "already_decided"


def test_replacement_keeps_history_and_both_stay_visible(org, make_application, this_month):
    application = make_application(this_month, stated_costs=[{"type": "rent", "amount": "6000"}])
    first_calculation = saved_calculation(org.social_worker, application)
    first = decide(org.social_worker, application, first_calculation)
    corrected = services.update_calculation(
        org.social_worker,
        services.copy_calculation(org.social_worker, first_calculation),
        costs=[{"type": "rent", "amount": "6400"}],
    )
    corrected = services.save_calculation(org.social_worker, corrected)

    with pytest.raises(DomainError) as error:
        services.replace_decision(
            org.social_worker,
            first,
            reason=" ",
            lines=as_proposed(corrected),
            support_obstacles=obstacles_for(corrected),
            calculation=corrected,
        )
    assert error.value.code == "replacement_reason_required"

    second = services.replace_decision(
        org.social_worker,
        first,
        reason="Hyran var felaktigt registrerad; rätt hyra är 6 400 kr.",
        lines=as_proposed(corrected),
        support_obstacles=obstacles_for(corrected),
        calculation=corrected,
    )
    first.refresh_from_db()
    assert second.replaces == first and second.status == "final"
    assert first.status == "final" and first.total_granted == Decimal("11220.00")
    assert second.total_granted == Decimal("11620.00")
    assert not first.in_force and second.in_force
    assert decision_in_force(application) == second
    assert Decision.objects.filter(application=application).count() == 2
    assert "ersätter beslut " + first.reference in letter_text(bytes(second.letter.pdf))
    # Payments see only the decision in force.
    assert [line.decision_id for line in granted_lines_in_force(month=this_month)] == [second.pk]

    with pytest.raises(DomainError) as error:
        services.replace_decision(
            org.social_worker,
            first,
            reason="Igen",
            lines=as_proposed(corrected),
            support_obstacles=obstacles_for(corrected),
        )
    assert error.value.code == "already_replaced"


def test_final_decision_is_never_changed_or_deleted(org, make_application, this_month):
    decision = decide(org.social_worker, make_application(this_month))
    decision.reasons = "Ändrad i efterhand"
    with pytest.raises(FinalRecordError):
        decision.save()
    with pytest.raises(FinalRecordError):
        decision.delete()
    line = decision.lines.first()
    line.amount_granted = Decimal("1")
    with pytest.raises(FinalRecordError):
        line.save()
    letter = decision.letter
    letter.pdf = b"%PDF-fake"
    with pytest.raises(FinalRecordError):
        letter.save()
    # The database refuses too, even past the model layer.
    for queryset, values in (
        (Decision.objects.filter(pk=decision.pk), {"reasons": "x"}),
        (DecisionLine.objects.filter(decision=decision), {"amount_granted": Decimal("1")}),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            queryset.update(**values)


def test_deciding_needs_a_handler_role(org, make_application, this_month):
    application = make_application(this_month)
    calculation = saved_calculation(org.social_worker, application)
    for user in (org.reception, org.finance, org.fraud, org.sysadmin):
        with pytest.raises(PermissionRefused) as error:
            decide(user, application, calculation)
        assert error.value.code == "role_not_permitted"
    with pytest.raises(PermissionRefused) as error:
        decide(org.other_social_worker, application, calculation)
    assert error.value.code == "case_access_denied"
