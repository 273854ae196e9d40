"""Who may do what with plans: refusals through the services and through HTTP, for a user
from another section and for roles the plan work does not need."""

import pytest
from django.urls import reverse

from bistand.audit.models import AccessLogEntry
from bistand.cases import services as case_services
from bistand.core.errors import PermissionRefused
from bistand.workplans import selectors, services
from bistand.workplans.models import FollowUp, Intervention, WorkPlan, WorkPlanVersion

from .conftest import days, make_case, make_plan, plan_content


def test_user_from_another_section_is_refused_by_every_service(org, case_a):
    make_plan(org.social_worker, case_a)
    stranger = org.other_social_worker  # social worker in the labour section
    applicant = selectors.current_adults(case_a)[0]
    acts = [
        lambda: services.save_plan_draft(stranger, case_a, content=plan_content()),
        lambda: services.confirm_plan(stranger, case_a, method="in_person"),
        lambda: services.record_follow_up(
            stranger, case_a, held_on=days(0), method="visit", outcome="x", next_on=days(10)
        ),
        lambda: services.refer(stranger, case_a, person=applicant, target="arbetsformedlingen"),
        lambda: services.record_tripartite_meeting(
            stranger,
            case_a,
            held_on=days(0),
            partner="arbetsformedlingen",
            participants="a\nb",
            agreements="x",
        ),
    ]
    for act in acts:
        with pytest.raises(PermissionRefused) as error:
            act()
        assert error.value.code == "case_access_denied"
    assert AccessLogEntry.objects.filter(
        actor_id=stranger.pk, action="access_denied", case_id=case_a.pk
    ).count() == len(acts)
    assert (
        WorkPlanVersion.objects.count() == 1
        and not FollowUp.objects.exists()
        and not Intervention.objects.exists()
    )


def test_section_head_of_another_section_is_refused(org, case_a):
    with pytest.raises(PermissionRefused):
        services.save_plan_draft(org.labour_head, case_a, content=plan_content())
    # ... and does not see the case on their overview.
    assert not selectors.overview_cases(org.labour_head).filter(pk=case_a.pk).exists()
    assert selectors.overview_cases(org.intake_head).filter(pk=case_a.pk).exists()


def test_benefit_administrator_assisting_a_b_case_may_not_make_the_plan(org, household_factory):
    case = make_case(org, household_factory, case_type="B")
    case_services.reassign_case(
        org.unit_head,
        case,
        handler=org.social_worker,
        assistant=org.benefit_admin,
        case_type="B",
        reason="Biträde",
    )
    with pytest.raises(PermissionRefused) as error:
        services.save_plan_draft(org.benefit_admin, case, content=plan_content())
    assert error.value.code == "social_worker_act"
    assert "socialsekreteraren" in error.value.message
    make_plan(org.social_worker, case)
    # The assistant may record a follow-up of the plan.
    services.record_follow_up(
        org.benefit_admin,
        case,
        held_on=days(0),
        method="phone",
        outcome="Samtal om ekonomin",
        next_on=days(20),
    )


@pytest.mark.parametrize("role_attr", ["reception", "fraud", "finance", "sysadmin"])
def test_roles_without_plan_work_are_refused(org, case_a, role_attr):
    user = getattr(org, role_attr)
    with pytest.raises(PermissionRefused):
        services.save_plan_draft(user, case_a, content=plan_content())
    with pytest.raises(PermissionRefused):
        selectors.overview_cases(user)


def test_only_heads_and_system_admin_change_unit_settings(org):
    kwargs = dict(
        contact_interval_days=10,
        follow_up_interval_days=20,
        plan_period_months=6,
        income_change_limit="500",
    )
    with pytest.raises(PermissionRefused):
        services.set_case_type_setting(org.social_worker, org.unit, "A", **kwargs)
    with pytest.raises(PermissionRefused):
        services.add_programme(org.benefit_admin, org.unit, name="Jobbtorg")
    services.set_case_type_setting(org.sysadmin, org.unit, "A", **kwargs)
    from tests.factories import UnitFactory

    other_unit = UnitFactory(name="Annan enhet")
    with pytest.raises(PermissionRefused, match="egen enhet"):
        services.set_case_type_setting(org.unit_head, other_unit, "A", **kwargs)


def test_http_refusals_for_a_user_from_another_section(client, org, case_a):
    version = make_plan(org.social_worker, case_a)
    client.force_login(org.other_social_worker)
    for url in (
        reverse("workplans:case_plan", args=[case_a.pk]),
        reverse("workplans:edit_plan", args=[case_a.pk]),
        reverse("workplans:version_pdf", args=[case_a.pk, version.number]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "inte behörighet" in response.content.decode()
    response = client.post(
        reverse("workplans:record_follow_up", args=[case_a.pk]),
        {
            "held_on": days(0).isoformat(),
            "method": "visit",
            "took_place": "1",
            "outcome": "x",
            "next_on": days(10).isoformat(),
            "next_method": "visit",
        },
    )
    assert response.status_code == 403
    assert not FollowUp.objects.exists()
    response = client.post(
        reverse("workplans:confirm_plan", args=[case_a.pk]),
        {"consent_on": days(0).isoformat(), "method": "in_person"},
    )
    assert response.status_code == 403
    assert AccessLogEntry.objects.filter(
        actor_id=org.other_social_worker.pk, action="access_denied"
    ).exists()


def test_http_overview_and_settings_refused_for_workers(client, org):
    client.force_login(org.social_worker)
    response = client.get(reverse("workplans:overview"))
    assert (
        response.status_code == 403 and "får inte se sektionens planer" in response.content.decode()
    )
    response = client.get(reverse("workplans:settings"))
    assert response.status_code == 403
    client.force_login(org.sysadmin)
    assert client.get(reverse("workplans:settings")).status_code == 200


def test_http_benefit_administrator_cannot_open_plan_form_of_an_a_case(
    client, org, household_factory
):
    case = make_case(org, household_factory, case_type="B")
    case_services.reassign_case(
        org.unit_head,
        case,
        handler=org.social_worker,
        assistant=org.benefit_admin,
        case_type="B",
        reason="Biträde",
    )
    client.force_login(org.benefit_admin)
    assert client.get(reverse("workplans:case_plan", args=[case.pk])).status_code == 200
    response = client.get(reverse("workplans:edit_plan", args=[case.pk]))
    assert response.status_code == 403
    assert not WorkPlan.objects.exists()
