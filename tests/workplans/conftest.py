"""Builders for the workplans tests: a current case with a signed investigation, a plan."""

import datetime as dt

import pytest
from django.utils import timezone

from bistand.cases import services as case_services
from bistand.households.services import MemberInput, register_household
from bistand.workplans import services


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def make_case(
    org,
    household_factory,
    *,
    case_type="A",
    obstacle="unemployed_no_benefit",
    opened_days_ago=200,
    children=False,
    adult="198309192394",
):
    """A current case in the intake section held by org.social_worker (C: by the benefit
    administrator in the labour section), with a signed investigation."""
    today = timezone.localdate()
    received_on = today - dt.timedelta(days=opened_days_ago)
    members = [MemberInput(adult, "Tolvan", "Tolvansson", "applicant")]
    if children:
        members.append(MemberInput("201501102386", "Lilla", "Tolvansson", "child"))
    household = register_household(org.reception, members, city="Lund", on=received_on)
    application = case_services.register_application(
        org.reception,
        household,
        kind="new",
        month=dt.date(received_on.year, received_on.month, 1),
        received_on=received_on,
    )
    case = application.case
    case_services.take_case(org.social_worker, case)
    applicant = household.applicant_on(today)
    content = {
        "situation": "Ensamstående, söker arbete.",
        "household_economy": "Saknar inkomst.",
        "child_perspective": "Barnet går i skolan." if children else "",
        "adults": [{"person_id": applicant.pk, "support_obstacle": obstacle}],
    }
    case_services.save_investigation_draft(org.social_worker, case, content)
    case_services.sign_investigation(org.social_worker, case)
    case_services.activate_case(org.social_worker, case)
    if case_type == "C":
        case_services.reassign_case(
            org.unit_head,
            case,
            handler=org.benefit_admin,
            section=org.labour,
            case_type="C",
            reason="Förenklad handläggning",
        )
    elif case_type:
        case_services.set_case_type(org.social_worker, case, case_type)
    case.refresh_from_db()
    return case


def plan_content(
    first_follow_up: dt.date | None = None, goals=("Få ett arbete som undersköterska",)
):
    return {
        "goals": [{"text": g, "target_on": ""} for g in goals],
        "activities": [
            {"text": "Söka fem jobb i veckan", "party": "client"},
            {"text": "Anvisa till Jobbtorg", "party": "handler"},
            {"text": "Kartlägga kompetens", "party": "partner", "partner": "Jobbtorg"},
        ],
        "follow_ups": [{"on": (first_follow_up or days(14)).isoformat(), "method": "visit"}],
        "notes": "",
    }


def make_plan(
    actor,
    case,
    *,
    confirm=True,
    consent_on=None,
    valid_from=None,
    first_follow_up=None,
    goals=("Få ett arbete som undersköterska",),
):
    version = services.save_plan_draft(
        actor,
        case,
        content=plan_content(first_follow_up, goals),
        valid_from=valid_from or timezone.localdate(),
        valid_to=None,
    )
    if confirm:
        version = services.confirm_plan(actor, case, consent_on=consent_on, method="in_person")
    return version


@pytest.fixture
def case_a(org, household_factory):
    return make_case(org, household_factory, case_type="A")


@pytest.fixture
def case_c(org, household_factory):
    return make_case(org, household_factory, case_type="C", adult="199811022384")
