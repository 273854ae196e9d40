"""Issue #16: the activity plan signed like the work plan. Staff record the person's consent
(on paper at a meeting, or digitally once the person has signed with e-ID on Mina sidor); the
person signs their own plan in the e-service. The plan keeps the hours of its activities as
written, and shows the sum against "normally full time" (40 h/week) with a warning when under
it without an adaptation reason."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bistand.activity import services_followup, services_places
from bistand.activity.models import ActivityPlanConsent, ActivityPlanSignature
from bistand.audit.models import AccessLogEntry, AuditAction
from bistand.core.errors import DomainError
from tests.activity.helpers import activity
from tests.factories import ADULT_NUMBERS
from tests.payments.conftest import World
from tests.portal.conftest import portal_login

pytestmark = pytest.mark.django_db

APPLICANT = ADULT_NUMBERS[0]  # the World's decided case
OTHER = ADULT_NUMBERS[2]


@pytest.fixture(autouse=True)
def _test_eid_on(settings):
    settings.DEBUG = True
    settings.BISTAND_PORTAL_TEST_EID = True


@pytest.fixture
def world(org):
    return World(org)


def _person(case):
    return case.household.applicant_on(timezone.localdate())


def _plan(org, case, *, hours="20", job_search="10", adaptation="", act=None):
    person = _person(case)
    act = act or activity(org, hours=hours, places=5)
    placement = services_places.assign_to_activity(
        org.other_social_worker, case, person_id=person.pk, activity=act, today=timezone.localdate()
    )
    return services_followup.record_activity_plan(
        org.other_social_worker,
        case,
        person_id=person.pk,
        goals="Arbete inom handeln",
        follow_up_on=timezone.localdate() + dt.timedelta(days=30),
        job_search_hours=Decimal(job_search),
        adaptation=adaptation,
        placement_ids=[placement.pk],
        today=timezone.localdate(),
    )


def test_the_plan_sums_its_hours_and_warns_under_full_time_without_a_reason(org, world):
    plan = _plan(org, world.case, hours="20", job_search="10")
    assert plan.activity_hours == Decimal("20") and plan.total_hours == Decimal("30")
    assert plan.under_full_time and plan.lacks_adaptation_reason
    adapted = _plan(org, world.case, hours="25", job_search="5", adaptation="Halvtid enligt intyg")
    assert adapted.under_full_time and not adapted.lacks_adaptation_reason
    full = _plan(org, world.case, hours="30", job_search="10")
    assert not full.under_full_time and not full.lacks_adaptation_reason

    client_page = _staff_panel(org, world)
    assert f'data-testid="plan-hours-{full.pk}"' in client_page
    assert "Totalt 40.0 h/v" in client_page or "Totalt 40,0 h/v" in client_page


def _staff_panel(org, world):
    from django.test import Client

    client = Client()
    client.force_login(org.other_social_worker)
    return client.get(reverse("case_detail", args=[world.case.pk])).content.decode()


def test_the_panel_warns_under_full_time_without_adaptation(org, world):
    plan = _plan(org, world.case, hours="20", job_search="0")
    page = _staff_panel(org, world)
    assert f'data-testid="plan-under-full-time-{plan.pk}"' in page
    assert "Under heltid (40 h/v) utan skäl för anpassning efter förmåga" in page


def test_a_later_change_of_the_activity_does_not_change_the_written_plan(org, world):
    act = activity(org, hours="20", places=5)
    plan = _plan(org, world.case, act=act)
    services_places.edit_activity(
        org.unit_head,
        act,
        name=act.name,
        provider=act.provider,
        places=act.places,
        hours_per_week=Decimal("35"),
    )
    plan.refresh_from_db()
    assert plan.activity_hours == Decimal("20")


def test_staff_record_the_consent_on_paper_once(client, org, world):
    plan = _plan(org, world.case)
    client.force_login(org.other_social_worker)
    url = reverse("activity:confirm_activity_plan", args=[world.case.pk, plan.pk])
    assert client.get(url).status_code == 200

    future = client.post(
        url,
        {"consent_on": str(timezone.localdate() + dt.timedelta(days=2)), "method": "in_person"},
    )
    assert future.status_code == 400
    assert "kan inte ligga i framtiden" in future.content.decode()
    digital = client.post(url, {"consent_on": str(timezone.localdate()), "method": "digital"})
    assert digital.status_code == 400
    assert "har inte skrivit under planen med e-legitimation" in digital.content.decode()
    assert not ActivityPlanConsent.objects.exists()

    done = client.post(
        url, {"consent_on": str(timezone.localdate()), "method": "in_person", "note": "Möte"}
    )
    assert done.status_code == 302
    consent = ActivityPlanConsent.objects.get()
    assert consent.plan == plan and consent.recorded_by == org.other_social_worker
    assert AccessLogEntry.objects.filter(
        action=AuditAction.SIGN, object_type="activity.activityplanconsent"
    ).exists()
    again = client.post(url, {"consent_on": str(timezone.localdate()), "method": "in_person"})
    assert again.status_code == 400 and "redan godkänd" in again.content.decode()
    assert f'data-testid="plan-consent-{plan.pk}"' in _staff_panel(org, world)


def test_the_applicant_signs_in_the_portal_then_staff_record_digital_consent(client, org, world):
    plan = _plan(org, world.case)
    assert portal_login(client, APPLICANT).status_code == 302
    page = client.get(reverse("portal:activity_plan", args=[world.case.pk])).content.decode()
    assert "Arbete inom handeln" in page and 'data-testid="activity-plan-hours"' in page
    sign = reverse("portal:activity_plan_sign", args=[world.case.pk, plan.pk])
    refused = client.post(sign, {})
    assert refused.status_code == 400 and not ActivityPlanSignature.objects.exists()
    assert client.post(sign, {"confirm": "1"}).status_code == 302
    signature = ActivityPlanSignature.objects.get()
    assert signature.plan == plan and signature.method == "test-eid"
    assert signature.person == _person(world.case) and len(signature.content_sha256) == 64
    assert client.post(sign, {"confirm": "1"}).status_code == 400  # signed once
    assert AccessLogEntry.objects.filter(
        action=AuditAction.SIGN, object_type="activity.activityplansignature", channel="e-tjanst"
    ).exists()

    client.post(reverse("portal:logout"))
    client.force_login(org.other_social_worker)
    url = reverse("activity:confirm_activity_plan", args=[world.case.pk, plan.pk])
    assert 'data-testid="plan-signature"' in client.get(url).content.decode()
    done = client.post(url, {"consent_on": str(timezone.localdate()), "method": "digital"})
    assert done.status_code == 302
    assert ActivityPlanConsent.objects.get().method == "digital"


def test_a_replaced_plan_is_neither_signed_nor_confirmed(org, world):
    first = _plan(org, world.case)
    _plan(org, world.case)  # the new version replaces the first
    with pytest.raises(DomainError, match="ersatts"):
        services_followup.sign_activity_plan_as_person(
            org.other_social_worker, _person(world.case), first, method="test-eid"
        )
    with pytest.raises(DomainError, match="ersatts"):
        services_followup.confirm_activity_plan(
            org.other_social_worker,
            world.case,
            first,
            consent_on=timezone.localdate(),
            method="in_person",
        )


def test_another_household_and_foreign_ids_get_404(client, org, world):
    plan = _plan(org, world.case)
    other_case, _decision = world.decided_case(OTHER)
    assert portal_login(client, OTHER).status_code == 302
    assert client.get(reverse("portal:activity_plan", args=[world.case.pk])).status_code == 404
    sign = reverse("portal:activity_plan_sign", args=[other_case.pk, plan.pk])
    assert client.post(sign, {"confirm": "1"}).status_code == 404
    assert not ActivityPlanSignature.objects.exists()
    # Staff: the plan's id under another case is missing.
    client.post(reverse("portal:logout"))
    client.force_login(org.other_social_worker)
    url = reverse("activity:confirm_activity_plan", args=[other_case.pk, plan.pk])
    assert client.get(url).status_code == 404
