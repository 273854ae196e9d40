"""The plan pages through HTTP: making a plan, consent, follow-ups, referrals, the section
head's overview, and the handover summary when a case is reassigned."""

import pytest
from django.urls import reverse

from bistand.audit.models import AccessLogEntry
from bistand.cases import services as case_services
from bistand.workplans import services
from bistand.workplans.models import FollowUp, HandoverRecord, Intervention, WorkPlanVersion
from tests.cases.test_list_reads import list_reads

from .conftest import days, make_case, make_plan


def _formset(prefix, rows, extra=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + extra),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def plan_post(goal="Få arbete inom lager", follow_up_on=None):
    data = {"valid_from": days(0).isoformat(), "valid_to": days(150).isoformat(), "notes": ""}
    data |= _formset("goal", [{"text": goal, "target_on": ""}], extra=1)
    data |= _formset(
        "activity",
        [{"text": "Söka jobb via Platsbanken", "party": "client", "partner": "", "due_on": ""}],
        extra=1,
    )
    data |= _formset(
        "fu", [{"on": (follow_up_on or days(14)).isoformat(), "method": "visit"}], extra=1
    )
    return data


def test_case_page_shows_the_plan_panel(client, org, case_a):
    client.force_login(org.social_worker)
    body = client.get(reverse("case_detail", args=[case_a.pk])).content.decode()
    assert 'data-testid="plan-panel"' in body and "Saknas" in body
    assert "saknar anvisning till arbetsmarknadsinsats" in body
    assert reverse("workplans:edit_plan", args=[case_a.pk]) in body


def test_worker_makes_plan_records_consent_and_follow_up(client, org, case_a):
    client.force_login(org.social_worker)
    assert client.get(reverse("workplans:edit_plan", args=[case_a.pk])).status_code == 200
    response = client.post(reverse("workplans:edit_plan", args=[case_a.pk]), plan_post())
    assert response.status_code == 302
    page = client.get(reverse("workplans:case_plan", args=[case_a.pk])).content.decode()
    assert "Ej bekräftad" in page and "Få arbete inom lager" in page

    response = client.post(
        reverse("workplans:confirm_plan", args=[case_a.pk]),
        {
            "consent_on": days(0).isoformat(),
            "method": "in_person",
            "note": "Underskriven på papper",
        },
    )
    assert response.status_code == 302
    version = WorkPlanVersion.objects.get()
    assert version.is_confirmed and version.consent_note == "Underskriven på papper"

    response = client.post(
        reverse("workplans:record_follow_up", args=[case_a.pk]),
        {
            "held_on": days(0).isoformat(),
            "method": "phone",
            "took_place": "1",
            "outcome": "Har sökt sex jobb.",
            "next_on": days(21).isoformat(),
            "next_method": "visit",
            "income_change": "",
            "new_support_obstacle": "",
        },
    )
    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert follow_up.outcome == "Har sökt sex jobb." and follow_up.next_on == days(21)
    page = client.get(reverse("workplans:case_plan", args=[case_a.pk])).content.decode()
    assert "Följs enligt plan" in page and "Har sökt sex jobb." in page
    # The timeline of the case shows the plan's records.
    body = client.get(reverse("case_detail", args=[case_a.pk])).content.decode()
    assert "Arbetsplan bekräftad" in body and "Har sökt sex jobb." in body

    pdf = client.get(reverse("workplans:version_pdf", args=[case_a.pk, 1]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert AccessLogEntry.objects.filter(action="download", case_id=case_a.pk).exists()


def test_bad_follow_up_input_gives_swedish_message_and_saves_nothing(client, org, case_a):
    make_plan(org.social_worker, case_a)
    client.force_login(org.social_worker)
    response = client.post(
        reverse("workplans:record_follow_up", args=[case_a.pk]),
        {
            "held_on": days(0).isoformat(),
            "method": "visit",
            "took_place": "1",
            "outcome": "Bra",
            "next_on": days(60).isoformat(),
            "next_method": "visit",
        },
        HTTP_REFERER=reverse("workplans:case_plan", args=[case_a.pk]),
        follow=True,
    )
    assert "följs upp minst var 30:e dag" in response.content.decode()
    response = client.post(
        reverse("workplans:record_follow_up", args=[case_a.pk]),
        {
            "held_on": "igår",
            "method": "visit",
            "took_place": "1",
            "outcome": "Bra",
            "next_on": days(10).isoformat(),
            "next_method": "visit",
        },
        follow=True,
    )
    assert "Uppföljningen kunde inte registreras" in response.content.decode()
    assert not FollowUp.objects.exists()


def test_incomplete_plan_cannot_be_confirmed_over_http(client, org, case_a):
    client.force_login(org.social_worker)
    data = plan_post()
    data["goal-0-text"] = ""
    client.post(reverse("workplans:edit_plan", args=[case_a.pk]), data)
    response = client.post(
        reverse("workplans:confirm_plan", args=[case_a.pk]),
        {"consent_on": days(0).isoformat(), "method": "in_person"},
        follow=True,
    )
    assert "Ange minst ett mål mot egen försörjning." in response.content.decode()
    assert not WorkPlanVersion.objects.filter(confirmed_at__isnull=False).exists()


def test_referral_and_result_over_http(client, org, case_a):
    services.add_default_programmes(org.unit_head, org.unit)
    jobbtorg = org.unit.programmes.get(name="Jobbtorg")
    applicant = case_a.household.applicant_on(days(0))
    client.force_login(org.social_worker)
    client.post(
        reverse("workplans:refer", args=[case_a.pk]),
        {
            "person": applicant.pk,
            "target": "programme",
            "programme": jobbtorg.pk,
            "referred_on": days(-10).isoformat(),
            "purpose": "Coachning",
        },
    )
    referral = Intervention.objects.get()
    client.post(
        reverse("workplans:start_intervention", args=[case_a.pk, referral.pk]),
        {"started_on": days(-5).isoformat()},
    )
    client.post(
        reverse("workplans:end_intervention", args=[case_a.pk, referral.pk]),
        {
            "ended_on": days(0).isoformat(),
            "attendance": "full",
            "result": "studies",
            "note": "Börjar Komvux",
        },
    )
    referral.refresh_from_db()
    assert referral.status == "ended" and referral.result == "studies"
    body = client.get(reverse("workplans:case_plan", args=[case_a.pk])).content.decode()
    assert "Jobbtorg" in body and "Studier" in body


def test_assessment_form_over_http(client, org, case_a):
    applicant = case_a.household.applicant_on(days(0))
    client.force_login(org.social_worker)
    assert client.get(reverse("workplans:assessment", args=[case_a.pk])).status_code == 200
    data = {
        "person": applicant.pk,
        "assessed_on": days(0).isoformat(),
        "summary": "Står nära arbetsmarknaden.",
    }
    for area in (
        "health",
        "language",
        "education",
        "work_experience",
        "social_situation",
        "daily_structure",
        "motivation",
    ):
        data[f"rating_{area}"] = "3"
        data[f"comment_{area}"] = ""
    response = client.post(reverse("workplans:assessment", args=[case_a.pk]), data)
    assert response.status_code == 302
    body = client.get(reverse("workplans:case_plan", args=[case_a.pk])).content.decode()
    assert "Står nära arbetsmarknaden." in body and "Litet hinder" in body


def test_section_head_overview_lists_every_plan_with_its_state(client, org, household_factory):
    missing = make_case(org, household_factory, adult="198309192394")
    on_track = make_case(org, household_factory, adult="199811022384")
    overdue = make_case(org, household_factory, adult="199109202383")
    unconfirmed = make_case(org, household_factory, adult="197910142392")
    make_plan(org.social_worker, on_track)
    make_plan(
        org.social_worker,
        overdue,
        consent_on=days(-30),
        valid_from=days(-30),
        first_follow_up=days(-3),
    )
    make_plan(org.social_worker, unconfirmed, confirm=False)
    client.force_login(org.intake_head)
    body = client.get(reverse("workplans:overview")).content.decode()
    for case, label in (
        (missing, "Saknas"),
        (on_track, "Följs enligt plan"),
        (overdue, "Försenad uppföljning"),
        (unconfirmed, "Ej bekräftad"),
    ):
        row = body.split(f'data-case="{case.pk}"')[1].split("</tr>")[0]
        assert label in row, (case.pk, label)
    assert "Saknas: 1" in body and "Försenad uppföljning: 1" in body
    [logged] = list_reads(org.intake_head, "plan_overview")
    assert set(logged["case_ids"]) == {missing.pk, on_track.pk, overdue.pk, unconfirmed.pk}
    filtered = client.get(reverse("workplans:overview") + "?state=overdue").content.decode()
    assert f'data-case="{overdue.pk}"' in filtered and f'data-case="{missing.pk}"' not in filtered
    # The unit head sees the whole unit and can pick a section.
    client.force_login(org.unit_head)
    body = client.get(reverse("workplans:overview") + f"?section={org.labour.pk}").content.decode()
    assert f'data-case="{overdue.pk}"' not in body
    body = client.get(reverse("workplans:overview")).content.decode()
    assert f'data-case="{overdue.pk}"' in body
    # The menu has the entry for heads.
    assert reverse("workplans:overview") in client.get(reverse("home")).content.decode()


def test_reassignment_shows_and_stores_a_handover_summary(client, org, case_a):
    make_plan(org.social_worker, case_a)
    services.record_follow_up(
        org.social_worker,
        case_a,
        held_on=days(0),
        method="visit",
        outcome="Har fått praktik på lager.",
        next_on=days(20),
    )
    client.force_login(org.intake_head)
    body = client.get(reverse("reassign", args=[case_a.pk])).content.decode()
    assert 'data-testid="handover-summary"' in body
    assert "Få ett arbete som undersköterska" in body and "Har fått praktik på lager." in body
    case_services.reassign_case(
        org.unit_head,
        case_a,
        handler=org.other_social_worker,
        section=org.labour,
        case_type="A",
        reason="Ny sektion",
    )
    record = HandoverRecord.objects.get()
    assert record.from_handler == org.social_worker and record.to_handler == org.other_social_worker
    assert record.summary["plan"]["goals"] == ["Få ett arbete som undersköterska"]
    assert record.summary["follow_ups"][0]["outcome"] == "Har fått praktik på lager."
    assert any("saknar anvisning" in item for item in record.summary["open_items"])
    client.force_login(org.other_social_worker)
    body = client.get(reverse("workplans:case_plan", args=[case_a.pk])).content.decode()
    assert "Överlämningar" in body and "Har fått praktik på lager." in body


def test_settings_page_for_heads(client, org):
    client.force_login(org.intake_head)
    response = client.post(
        reverse("workplans:settings"),
        {
            "s-case_type": "A",
            "s-contact_interval_days": "7",
            "s-follow_up_interval_days": "21",
            "s-plan_period_months": "3",
            "s-income_change_limit": "500",
            "s-reason": "Tätare",
            "save_setting": "1",
        },
        follow=True,
    )
    assert "Inställningen är sparad" in response.content.decode()
    client.post(reverse("workplans:settings"), {"add_defaults": "1"})
    body = client.get(reverse("workplans:settings")).content.decode()
    assert "Jobbtorg" in body and "Lärcentrum" in body and "Jobbaktiv" in body
    response = client.post(
        reverse("workplans:settings"),
        {
            "p-name": "Jobbtorg",
            "p-kind": "labour_market",
            "p-description": "",
            "add_programme": "1",
        },
    )
    assert "Det finns redan en insats som heter Jobbtorg" in response.content.decode()


@pytest.mark.parametrize("url_name", ["workplans:case_plan", "workplans:edit_plan"])
def test_unknown_case_looks_like_refusal(client, org, url_name):
    client.force_login(org.social_worker)
    response = client.get(reverse(url_name, args=[999999]))
    assert response.status_code == 404


OVERVIEW_NUMBERS = [
    "198309192394",
    "199811022384",
    "199109202383",
    "197910142392",
    "198801122394",
    "196504203792",
]


def test_overview_page_costs_the_same_for_few_and_many_plans(
    client, org, household_factory, django_assert_max_num_queries
):
    """Counts and the per-worker table are counted in SQL and the list is paged: the page
    asks the same number of statements for 2 plans as for 6 (issue #15)."""
    for number in OVERVIEW_NUMBERS[:2]:
        make_plan(org.social_worker, make_case(org, household_factory, adult=number))
    client.force_login(org.unit_head)
    url = reverse("workplans:overview")
    client.get(url)  # warm the session and the per-process caches
    with django_assert_max_num_queries(40) as few:
        assert client.get(url).status_code == 200
    for number in OVERVIEW_NUMBERS[2:]:
        make_plan(
            org.social_worker,
            make_case(org, household_factory, adult=number),
            consent_on=days(-30),
            valid_from=days(-30),
            first_follow_up=days(-3),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(url).content.decode()
    assert body.count("data-case=") == 6
    assert "Försenad uppföljning: 4" in body and "Följs enligt plan: 2" in body


def test_overview_pages_filters_and_counts_the_whole_section(
    client, org, household_factory, monkeypatch
):
    from bistand.core import worklist

    cases = [make_case(org, household_factory, adult=number) for number in OVERVIEW_NUMBERS]
    for case in cases[:4]:
        make_plan(org.social_worker, case)
    client.force_login(org.intake_head)
    url = reverse("workplans:overview")
    monkeypatch.setitem(worklist.work_list.__kwdefaults__, "per_page", 4)
    body = client.get(url + "?sort=case").content.decode()
    page2 = client.get(url + "?sort=case&page=2").content.decode()
    monkeypatch.undo()
    # The per-state counts are the section's, not the page's.
    assert "Följs enligt plan: 4" in body and "Saknas: 2" in body
    shown = [case.pk for case in cases if f'data-case="{case.pk}"' in body]
    shown2 = [case.pk for case in cases if f'data-case="{case.pk}"' in page2]
    assert len(shown) == 4 and len(shown2) == 2 and not set(shown) & set(shown2)
    # Filters narrow the list and stay in the URL; a bad value is named, not a failure.
    body = client.get(url + "?state=missing").content.decode()
    assert body.count("data-case=") == 2
    body = client.get(url + "?state=nonsense").content.decode()
    assert "finns inte bland valen" in body and body.count("data-case=") == 6
    body = client.get(url + f"?handler={org.social_worker.pk}").content.decode()
    assert body.count("data-case=") == 6
    body = client.get(url + "?handler=none").content.decode()
    assert body.count("data-case=") == 0 and "Inga planer matchar filtret." in body
    # A handler of another section is not a choice for this section head.
    body = client.get(url + f"?handler={org.other_social_worker.pk}").content.decode()
    assert "finns inte bland valen" in body
    # A section head has no section choice: another section's id is no filter at all.
    body = client.get(url + f"?section={org.labour.pk}").content.decode()
    assert body.count("data-case=") == 6


def test_unit_head_cannot_widen_the_overview_to_another_unit(client, org, household_factory):
    make_plan(org.social_worker, make_case(org, household_factory, adult=OVERVIEW_NUMBERS[0]))
    client.force_login(org.unit_head)
    url = reverse("workplans:overview")
    assert client.get(url).content.decode().count("data-case=") == 1
    body = client.get(url + "?section=999999").content.decode()
    assert "finns inte bland valen" in body and body.count("data-case=") == 1
    body = client.get(url + f"?section={org.labour.pk}").content.decode()
    assert body.count("data-case=") == 0 and "Saknas: 0" in body


def test_flagged_c_case_is_visible_to_worker_and_head(client, org, household_factory):
    case = make_case(org, household_factory, case_type="C")
    make_plan(org.benefit_admin, case, first_follow_up=days(30))
    services.record_follow_up(
        org.benefit_admin,
        case,
        held_on=days(0),
        method="visit",
        took_place=False,
        outcome="Uteblev",
        next_on=days(7),
    )
    client.force_login(org.benefit_admin)
    body = client.get(reverse("workplans:case_plan", args=[case.pk])).content.decode()
    assert 'data-testid="handover-flag"' in body and "Uppföljning missad" in body
    body = client.get(reverse("home")).content.decode()
    assert "C-ärenden som avviker från planen" in body and case.reference in body
    client.force_login(org.labour_head)
    body = client.get(reverse("workplans:overview")).content.decode()
    row = body.split(f'data-case="{case.pk}"')[1].split("</tr>")[0]
    assert "C: överlämna" in row
    deviation = case.plan_deviations.get()
    response = client.post(
        reverse("workplans:resolve_deviation", args=[case.pk, deviation.pk]),
        {"resolution": "stays_c", "note": "Sjuk den dagen, nytt besök bokat"},
        follow=True,
    )
    assert "Avvikelsen är hanterad." in response.content.decode()
    deviation.refresh_from_db()
    assert deviation.resolution == "stays_c" and deviation.resolved_by == org.labour_head
