"""Referrals to programmes and partners with their results, the rule that unemployed adults
are referred, tripartite meetings, and re-entry after a closed case or an ended programme."""

import pytest

from bistand.cases import services as case_services
from bistand.core.errors import DomainError
from bistand.core.models import FinalRecordError
from bistand.workplans import selectors, services
from bistand.workplans.models import Intervention, InterventionResult, InterventionStatus

from .conftest import days, make_case


@pytest.fixture
def jobbtorg(org):
    services.add_default_programmes(org.unit_head, org.unit)
    return org.unit.programmes.get(name="Jobbtorg")


@pytest.fixture
def applicant(case_a):
    return selectors.current_adults(case_a)[0]


@pytest.mark.parametrize("result", InterventionResult.values)
def test_referral_start_end_attendance_and_result(org, case_a, jobbtorg, applicant, result):
    referral = services.refer(
        org.social_worker,
        case_a,
        person=applicant,
        target="programme",
        programme=jobbtorg,
        referred_on=days(-60),
        purpose="Coachning mot vårdyrken",
    )
    assert referral.status == InterventionStatus.REFERRED and referral.plan is None
    services.start_intervention(org.social_worker, referral, started_on=days(-50))
    ended = services.end_intervention(
        org.social_worker,
        referral,
        ended_on=days(-5),
        attendance="partial",
        result=result,
        note="Se journal",
    )
    assert ended.status == InterventionStatus.ENDED
    assert ended.get_result_display() == InterventionResult(result).label
    assert ended.attendance == "partial" and ended.started_on == days(-50)
    # Final once ended: no second end, no edits.
    with pytest.raises(DomainError, match="kan inte gå från avslutad"):
        services.end_intervention(org.social_worker, ended, attendance="full", result=result)
    ended.result_note = "ändrad"
    with pytest.raises(FinalRecordError):
        ended.save()


def test_referral_to_a_partner_agency(org, case_a, applicant):
    referral = services.refer(
        org.social_worker, case_a, person=applicant, target="debt_counselling"
    )
    assert referral.target_label == "Budget- och skuldrådgivning"
    services.end_intervention(org.social_worker, referral, attendance="none", result="interrupted")
    assert Intervention.objects.get().result == "interrupted"


def test_referral_input_is_checked_in_swedish(org, case_a, jobbtorg, applicant):
    with pytest.raises(DomainError, match="Välj vilken arbetsmarknadsinsats"):
        services.refer(org.social_worker, case_a, person=applicant, target="programme")
    services.set_programme_active(org.unit_head, jobbtorg, False)
    with pytest.raises(DomainError, match="används inte"):
        services.refer(
            org.social_worker, case_a, person=applicant, target="programme", programme=jobbtorg
        )
    with pytest.raises(DomainError, match="inte en vuxen i hushållet"):
        services.refer(org.social_worker, case_a, person=999999, target="arbetsformedlingen")
    services.refer(org.social_worker, case_a, person=applicant, target="arbetsformedlingen")
    with pytest.raises(DomainError, match="redan en pågående anvisning"):
        services.refer(org.social_worker, case_a, person=applicant, target="arbetsformedlingen")
    referral = Intervention.objects.get()
    with pytest.raises(DomainError, match="Ange resultatet"):
        services.end_intervention(org.social_worker, referral, attendance="full", result="")
    with pytest.raises(DomainError, match="före anvisningen"):
        services.start_intervention(org.social_worker, referral, started_on=days(-400))
    assert Intervention.objects.get().status == "referred"


def test_unemployed_adult_without_referral_is_flagged_until_referred(
    org, case_a, jobbtorg, applicant
):
    assert selectors.unemployed_without_referral(case_a) == [applicant]
    assert any("saknar anvisning" in item for item in selectors.open_items(case_a, None))
    referral = services.refer(
        org.social_worker, case_a, person=applicant, target="programme", programme=jobbtorg
    )
    assert selectors.unemployed_without_referral(case_a) == []
    # An ended referral no longer counts: the rule asks for a current one.
    services.end_intervention(org.social_worker, referral, attendance="none", result="interrupted")
    assert selectors.unemployed_without_referral(case_a) == [applicant]


def test_adult_who_is_not_unemployed_is_not_flagged(org, household_factory):
    case = make_case(org, household_factory, obstacle="sick_certified_no_benefit")
    assert selectors.unemployed_without_referral(case) == []


def test_tripartite_meeting_records_participants_and_agreements(org, case_a):
    with pytest.raises(DomainError, match="deltagarna"):
        services.record_tripartite_meeting(
            org.social_worker,
            case_a,
            held_on=days(-1),
            partner="arbetsformedlingen",
            participants="Tolvan",
            agreements="x",
        )
    meeting = services.record_tripartite_meeting(
        org.social_worker,
        case_a,
        held_on=days(-1),
        partner="arbetsformedlingen",
        partner_name="AF Lund, Eva Ek",
        participants="Tolvan Tolvansson\nAnna Ek, socialsekreterare\nEva Ek, AF",
        agreements="AF erbjuder praktik från mars; Tolvan söker vidare.",
    )
    assert meeting.participants == ["Tolvan Tolvansson", "Anna Ek, socialsekreterare", "Eva Ek, AF"]
    assert selectors.last_contact_on(case_a) == days(-1)


def _close(org, case, reason="work", closed_on=None):
    for application in case.applications.filter(status__in=["received", "complete"]):
        case_services.withdraw_application(org.social_worker, application, "Fick arbete")
    case_services.close_case(org.social_worker, case, reason=reason, closed_on=closed_on)


def test_reentry_after_an_ended_programme_and_a_closed_case(
    org, case_a, jobbtorg, applicant, this_month
):
    referral = services.refer(
        org.social_worker,
        case_a,
        person=applicant,
        target="programme",
        programme=jobbtorg,
        referred_on=days(-150),
    )
    services.start_intervention(org.social_worker, referral, started_on=days(-140))
    services.end_intervention(
        org.social_worker, referral, ended_on=days(-60), attendance="full", result="self_support"
    )
    assert selectors.reentry_for(case_a) == []  # ended while the case was open: not a return
    _close(org, case_a, closed_on=days(-50))
    assert not selectors.returned_within_12_months(Intervention.objects.get())

    case_services.register_application(
        org.reception, case_a.household, kind="new", month=this_month
    )
    case_a.refresh_from_db()
    events = selectors.reentry_for(case_a)
    kinds = [e.kind for e in events]
    assert kinds == ["programme", "closed_case"]
    assert "Jobbtorg avslutades" in events[0].text and "egen försörjning" in events[0].text
    assert "(Arbete)" in events[1].text
    assert selectors.returned_within_12_months(Intervention.objects.get())
    summary = selectors.handover_summary(case_a)
    assert any("Jobbtorg" in text for text in summary["reentry"])
    from bistand.cases.models import Case

    [row] = selectors.overview_rows(Case.objects.filter(pk=case_a.pk))
    assert row.reentry


def test_a_new_case_for_a_person_who_ended_a_programme_elsewhere_is_reentry(
    org, household_factory, jobbtorg, this_month
):
    from bistand.households.services import MemberInput, register_household

    first = make_case(org, household_factory)
    person = selectors.current_adults(first)[0]
    referral = services.refer(
        org.social_worker,
        first,
        person=person,
        target="programme",
        programme=jobbtorg,
        referred_on=days(-100),
    )
    services.end_intervention(
        org.social_worker, referral, ended_on=days(-90), attendance="none", result="no_change"
    )
    _close(org, first, closed_on=days(-80))
    # The person moves into a new household, which applies.
    household = register_household(
        org.reception,
        [
            MemberInput("198309192394", "Tolvan", "Tolvansson", "applicant"),
            MemberInput("199109202383", "Elva", "Elvasson", "co_applicant"),
        ],
    )
    second = case_services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    assert second.previous_case == first
    texts = [e.text for e in selectors.reentry_for(second)]
    assert any("Jobbtorg avslutades" in t for t in texts)
    assert any(first.reference in t for t in texts)
