"""Browser walk for the activity requirement (issue #16): the handler writes the activity plan
of a person placed in an activity; the activity's coordinator records the week's attendance
(an absence without valid reason); the handler finds it on the start page and assesses it
with a proposed consequence. The attendance form and the assessment are checked at a phone's
width (390 px). Preconditions are set up with services."""

import datetime as dt

import pytest
from django.utils import timezone

from bistand.activity.models import AbsenceAssessment, ActivityPlan, AttendanceRecord, Placement
from bistand.activity.services_attendance import week_monday
from tests.activity.helpers import activity, adult_case, assign, coordinator
from tests.browser.support import login, logout, page, shot  # noqa: F401 - page is a fixture
from tests.browser.test_controls_walk import fits_narrow
from tests.statistics.builders import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_attendance_absence_assessment_walk(page, live_server, org):  # noqa: F811
    world = World(org)
    person, case = adult_case(world, name="Walter")
    boss = coordinator(org)
    act = activity(org, places=2, coordinators=[boss], name="Jobbtorg Centrum")
    placement = assign(org, case, person, act)
    week = week_monday(timezone.localdate()) - dt.timedelta(days=7)
    Placement.objects.filter(pk=placement.pk).update(placed_on=week - dt.timedelta(days=7))
    base = live_server.url

    # The handler writes the activity plan from the case page.
    login(page, base, org.other_social_worker.username)
    page.goto(f"{base}/arende/{case.pk}/")
    page.click("[data-testid=write-activity-plan]")
    page.select_option("#id_person", str(person.pk))
    page.fill("#id_goals", "Praktik inom handel; svenska B.")
    page.check(f"input[name=placements][value='{placement.pk}']")
    page.fill("#id_job_search_hours", "10")
    page.fill("#id_follow_up_on", (timezone.localdate() + dt.timedelta(days=30)).isoformat())
    page.click("[data-testid=activity-plan-form] button[type=submit]")
    page.wait_for_selector("[data-testid=activity-plans]")
    assert "Praktik inom handel" in page.inner_text("[data-testid=activity-plans]")
    assert ActivityPlan.objects.filter(case=case).count() == 1
    logout(page)

    # The coordinator records last week's attendance on a phone.
    login(page, base, boss.username)
    page.goto(f"{base}/aktivitetskrav/aktiviteter/{act.pk}/narvaro/?vecka={week:%G-W%V}")
    page.select_option(f"#id_p{placement.pk}-status", "unexcused")
    page.fill(f"#id_p{placement.pk}-note", "Uteblev utan anmälan")
    fits_narrow(page, "[data-testid=attendance-form]", "[data-testid=attendance-form] button")
    shot(page, "activity-attendance-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("[data-testid=attendance-form] button[type=submit]")
    page.wait_for_selector(".messages, [role=status], [data-testid=attendance-form]")
    record = AttendanceRecord.objects.get()
    assert record.status == "unexcused"
    page.goto(f"{base}/arende/{case.pk}/")
    assert "Ärendet finns inte" in page.content() or "behörighet" in page.content()
    logout(page)

    # The handler sees it on the start page and assesses it, on a phone.
    login(page, base, org.other_social_worker.username)
    page.goto(f"{base}/")
    page.click(f"[data-testid=absences-to-assess] a[href$='/franvaro/{record.pk}/']")
    page.select_option("#id_outcome", "not_acceptable")
    page.fill("#id_reasoning", "Ingen kontakt under veckan; inget godtagbart skäl.")
    page.select_option("#id_consequence", "reduce")
    page.fill("#id_month", f"{timezone.localdate():%Y-%m}")
    fits_narrow(page, "[data-testid=assess-form]", "[data-testid=assess-form] button")
    shot(page, "activity-assess-390")
    page.click("[data-testid=assess-form] button[type=submit]")
    page.wait_for_selector("[data-testid=assessments]")
    assessment = AbsenceAssessment.objects.get()
    assert assessment.consequence == "reduce"
    assert "Förslag: försörjningsstödet sätts ned" in page.inner_text("[data-testid=assessments]")
    shot(page, "activity-case-panel")
