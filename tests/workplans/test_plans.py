"""Plan lifecycle: draft, client consent, versions that are final, the PDF for the client."""

import io

import pytest
from pypdf import PdfReader

from bistand.audit.models import AccessLogEntry
from bistand.core.errors import DomainError, PermissionRefused
from bistand.core.models import FinalRecordError
from bistand.workplans import selectors, services
from bistand.workplans.models import PlanState, WorkPlan, WorkPlanVersion
from bistand.workplans.pdf import plan_pdf

from .conftest import days, make_plan, plan_content


def test_a_case_without_plan_is_missing(case_a):
    assert selectors.plan_state(case_a, selectors.plan_of(case_a)) == PlanState.MISSING


def test_plan_lifecycle_draft_consent_and_new_version(org, case_a):
    draft = services.save_plan_draft(org.social_worker, case_a, content=plan_content())
    plan = draft.plan
    assert selectors.plan_state(case_a, plan) == PlanState.UNCONFIRMED
    assert draft.number == 1 and not draft.is_confirmed

    v1 = services.confirm_plan(org.social_worker, case_a, method="in_person")
    plan.refresh_from_db()
    assert (
        v1.is_confirmed
        and v1.consent_method == "in_person"
        and v1.confirmed_by == org.social_worker
    )
    assert selectors.plan_state(case_a, plan) == PlanState.ON_TRACK
    assert plan.due_on == days(14)
    case_a.refresh_from_db()
    assert case_a.next_follow_up_on == days(14)  # 'Mina ärenden' cache
    assert v1.support_obstacles  # the investigation's obstacles at consent

    # A confirmed version is final: never edited.
    v1.content["goals"] = []
    with pytest.raises(FinalRecordError):
        v1.save()
    with pytest.raises(FinalRecordError):
        WorkPlanVersion.objects.get(pk=v1.pk).delete()

    # A change is a new version based on the confirmed one; the old one stays.
    v2 = services.save_plan_draft(
        org.social_worker,
        case_a,
        content=plan_content(goals=("Börja på Lärcentrum", "Klara SFI D")),
    )
    assert v2.number == 2 and v2.based_on == v1 and "goals" in v2.changes
    assert plan.latest_confirmed() == v1  # still the one in force
    assert selectors.plan_state(case_a, plan) == PlanState.ON_TRACK
    services.confirm_plan(org.social_worker, case_a, method="digital")
    assert plan.latest_confirmed().number == 2
    assert [g["text"] for g in WorkPlanVersion.objects.get(pk=v1.pk).goals] == [
        "Få ett arbete som undersköterska"
    ]
    assert (
        AccessLogEntry.objects.filter(
            action="sign", object_type="workplans.workplanversion"
        ).count()
        == 2
    )


def test_saving_the_draft_again_updates_it_without_a_new_version(org, case_a):
    services.save_plan_draft(org.social_worker, case_a, content=plan_content())
    again = services.save_plan_draft(
        org.social_worker, case_a, content=plan_content(goals=("Annat mål",))
    )
    assert again.number == 1 and WorkPlanVersion.objects.count() == 1
    assert again.goals[0]["text"] == "Annat mål"


def test_consent_refused_until_plan_is_complete(org, case_a):
    services.save_plan_draft(
        org.social_worker, case_a, content={"goals": [], "activities": [], "follow_ups": []}
    )
    with pytest.raises(DomainError) as error:
        services.confirm_plan(org.social_worker, case_a, method="in_person")
    problems = error.value.context["problems"]
    assert "Ange minst ett mål mot egen försörjning." in problems
    assert any("aktivitet" in p for p in problems)
    assert any("uppföljning" in p for p in problems)
    assert not WorkPlanVersion.objects.filter(confirmed_at__isnull=False).exists()


def test_consent_refused_without_case_type(org, household_factory):
    from .conftest import make_case

    case = make_case(org, household_factory, case_type="")
    services.save_plan_draft(org.social_worker, case, content=plan_content())
    with pytest.raises(DomainError) as error:
        services.confirm_plan(org.social_worker, case, method="in_person")
    assert "Sätt ärendetyp" in error.value.message


def test_planned_follow_up_later_than_case_type_allows_is_refused(org, case_a):
    # A: followed up at least every 30th day (default).
    services.save_plan_draft(
        org.social_worker, case_a, content=plan_content(first_follow_up=days(45))
    )
    with pytest.raises(DomainError) as error:
        services.confirm_plan(org.social_worker, case_a, method="in_person")
    assert "minst var 30:e dag" in error.value.message


def test_consent_method_and_future_date_refused_in_swedish(org, case_a):
    services.save_plan_draft(org.social_worker, case_a, content=plan_content())
    with pytest.raises(DomainError, match="Ange hur klienten godkände"):
        services.confirm_plan(org.social_worker, case_a, method="telepathy")
    with pytest.raises(DomainError, match="framtiden"):
        services.confirm_plan(org.social_worker, case_a, method="in_person", consent_on=days(1))


def test_bad_input_gives_swedish_error_and_nothing_is_saved(org, case_a):
    bad = plan_content()
    bad["goals"][0]["target_on"] = "31/12"
    with pytest.raises(DomainError) as error:
        services.save_plan_draft(org.social_worker, case_a, content=bad)
    assert "ÅÅÅÅ-MM-DD" in error.value.message
    bad = plan_content()
    bad["activities"].append({"text": "Praktik", "party": "partner", "partner": ""})
    with pytest.raises(DomainError, match="samarbetspart"):
        services.save_plan_draft(org.social_worker, case_a, content=bad)
    with pytest.raises(DomainError, match="slutdatum"):
        services.save_plan_draft(
            org.social_worker, case_a, content=plan_content(), valid_from=days(0), valid_to=days(0)
        )
    assert not WorkPlan.objects.exists() and not WorkPlanVersion.objects.exists()


def test_benefit_administrator_makes_plans_only_in_c_cases(org, case_a, case_c):
    with pytest.raises(PermissionRefused) as error:
        services.save_plan_draft(org.benefit_admin, case_a, content=plan_content())
    assert error.value.code in ("social_worker_act", "case_access_denied")
    version = make_plan(org.benefit_admin, case_c)
    assert version.is_confirmed


def test_pdf_for_the_client_contains_the_goals(org, case_a):
    version = make_plan(
        org.social_worker, case_a, goals=("Få ett arbete som undersköterska", "Ta körkort B")
    )
    content = plan_pdf(version, client_name="Tolvan Tolvansson", handler_name="Anna Ek")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Din arbetsplan" in text
    assert "Få ett arbete som undersköterska" in text
    assert "Ta körkort B" in text
    assert "Söka fem jobb i veckan" in text
    assert "Du godkände planen" in text
    assert "Tolvan Tolvansson" in text


def test_pdf_of_a_draft_says_it_is_not_yet_approved(org, case_a):
    version = make_plan(org.social_worker, case_a, confirm=False)
    content = plan_pdf(version, client_name="Tolvan", handler_name="")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "inte godkänd av dig ännu" in text


def test_assessment_rates_every_area_and_is_final(org, case_a):
    applicant = selectors.current_adults(case_a)[0]
    areas = {
        a: {"rating": 3, "comment": ""}
        for a in (
            "health",
            "language",
            "education",
            "work_experience",
            "social_situation",
            "daily_structure",
        )
    }
    with pytest.raises(DomainError, match="motivation"):
        services.record_assessment(
            org.social_worker, case_a, person=applicant, areas=areas, summary="Nära arbete."
        )
    areas["motivation"] = {"rating": 4, "comment": "Mycket motiverad"}
    assessment = services.record_assessment(
        org.social_worker, case_a, person=applicant, areas=areas, summary="Nära arbetsmarknaden."
    )
    assert assessment.plan.case == case_a and assessment.signed_at
    assert assessment.area_rows()[-1]["rating_label"] == "Inget hinder – en styrka"
    assessment.summary = "ändrad"
    with pytest.raises(FinalRecordError):
        assessment.save()
    with pytest.raises(PermissionRefused):
        services.record_assessment(
            org.benefit_admin, case_a, person=applicant, areas=areas, summary="x"
        )
