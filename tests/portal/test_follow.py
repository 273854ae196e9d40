"""Following the case on Mina sidor (issue #14): a decision with its calculation in plain
Swedish, the appeal sent online and registered as staff register one, the work plan signed
with e-ID; another household's ids and staff sessions get nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bistand.audit.models import AccessLogEntry, AuditAction
from bistand.decisions import legal
from bistand.decisions import services as decision_services
from bistand.decisions.models import Appeal, AppealStatus, Outcome
from bistand.workplans import services as plan_services
from bistand.workplans.models import PlanSignature
from tests.factories import ADULT_NUMBERS
from tests.payments.conftest import World
from tests.workplans.conftest import plan_content

from .conftest import decided_new_case, portal_login

APPLICANT = ADULT_NUMBERS[0]  # World's decided case
OTHER = ADULT_NUMBERS[2]


@pytest.fixture
def world(org):
    return World(org)


@pytest.fixture
def other(world):
    return world.decided_case(OTHER)


def _logged_in(client, number=APPLICANT):
    response = portal_login(client, number)
    assert response.status_code == 302, response.content.decode()
    return client


def _decision_url(case, decision):
    return reverse("portal:decision", args=[case.pk, decision.pk])


def _appeal_url(case, decision):
    return reverse("portal:appeal", args=[case.pk, decision.pk])


# --- The decision explained --------------------------------------------------------------


def test_the_decision_page_explains_outcome_month_amount_and_calculation(client, world):
    _logged_in(client)
    page = client.get(_decision_url(world.case, world.decision))
    assert page.status_code == 200
    text = page.content.decode().replace("\xa0", " ")
    assert "Det ert hushåll behöver till vardagen (riksnormen)" in text
    assert "Boende och andra kostnader vi har räknat med" in text
    assert "Hushållets behov" in text and "Summa behov" in text
    assert "Resultat" in text and "Ekonomiskt bistånd enligt beräkningen" in text
    # The handler's proposal line and the checksum are not the applicant's.
    assert "Förslag till beslut" not in text and "kontrollsumma" not in text
    granted = sum(line.amount_granted for line in world.decision.lines.all())
    assert f"{int(granted):,}".replace(",", " ") in text
    assert reverse("portal:letter", args=[world.case.pk, world.decision.pk]) in text
    # Without a recorded receipt the deadline is the rule, and nothing more is claimed.
    assert "tre veckor på dig att överklaga" in text
    assert AccessLogEntry.objects.filter(
        action=AuditAction.VIEW, channel="e-tjanst", case_id=world.case.pk
    ).exists()


def test_the_case_page_links_each_decision(client, world):
    _logged_in(client)
    page = client.get(reverse("portal:case", args=[world.case.pk]))
    assert _decision_url(world.case, world.decision) in page.content.decode()


def test_a_refused_line_shows_its_reasons(client, world, org):
    case, decision = _decided_with_refusal(world, org, ADULT_NUMBERS[4])
    _logged_in(client, ADULT_NUMBERS[4])
    text = client.get(_decision_url(case, decision)).content.decode()
    assert "Inte beviljat" in text
    assert "Glasögon är inte en nödvändig kostnad den här månaden." in text
    assert "Beslutet grundar sig på" in text


def _decided_with_refusal(world, org, number):
    """A decision whose other-living line (the glasses, "other_living:1") is refused."""
    refused = decision_services.LineDecision(
        Outcome.REFUSED,
        None,
        "Glasögon är inte en nödvändig kostnad den här månaden.",
        "need_not_shown",
    )
    return decided_new_case(world, org, number, **{"other_living:1": refused})


def test_a_recorded_receipt_gives_the_deadline(client, world, org):
    today = timezone.localdate()
    decision_services.mark_letter_sent(
        org.other_social_worker, world.decision, sent_on=today, channel="post", received_on=today
    )
    _logged_in(client)
    text = client.get(_decision_url(world.case, world.decision)).content.decode()
    deadline = legal.appeal_deadline(today)
    assert "senast" in text and f"{deadline.day} " in text
    assert 'data-testid="appeal-late"' not in text


# --- Appeals ------------------------------------------------------------------------------


def test_an_appeal_sent_online_is_registered_on_the_decision(client, world):
    _logged_in(client)
    response = client.post(
        _appeal_url(world.case, world.decision), {"text": "Jag behöver glasögonen för jobbet."}
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get(decision=world.decision)
    assert appeal.from_person.identity_number == APPLICANT
    assert appeal.registered_by is None
    assert appeal.received_on == timezone.localdate()
    assert appeal.status == AppealStatus.REGISTERED
    assert appeal.in_time is None  # no recorded receipt: treated as in time
    assert appeal.forward_deadline == legal.forward_deadline(appeal.received_on)
    row = AccessLogEntry.objects.get(action=AuditAction.CREATE, object_type="decisions.appeal")
    assert row.channel == "e-tjanst" and row.actor_username.startswith("sokande:")
    page = client.get(response["Location"])
    assert "Ditt överklagande har kommit in" in page.content.decode()


def test_staff_see_the_online_appeal_on_its_page_and_the_case_timeline(client, world, org):
    _logged_in(client)
    client.post(_appeal_url(world.case, world.decision), {"text": "Ändra beslutet."})
    appeal = Appeal.objects.get(decision=world.decision)
    client.logout()
    client.force_login(org.other_social_worker)
    page = client.get(reverse("decisions:appeal", args=[appeal.pk])).content.decode()
    assert "via e-tjänsten, från sökande" in page and "Ändra beslutet." in page
    timeline = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert reverse("decisions:appeal", args=[appeal.pk]) in timeline
    # In the appeal list the heads work from, with its deadline to forward it.
    from bistand.decisions.selectors import appeal_deadlines

    rows = appeal_deadlines(org.unit_head)
    assert any(getattr(row, "appeal", None) == appeal for row in rows), rows


def test_a_late_appeal_is_received_and_flagged(client, world, org, monkeypatch):
    today = timezone.localdate()
    decision_services.mark_letter_sent(
        org.other_social_worker, world.decision, sent_on=today, channel="post", received_on=today
    )
    later = today + dt.timedelta(days=40)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: later)
    _logged_in(client)
    page = client.get(_decision_url(world.case, world.decision)).content.decode()
    assert 'data-testid="appeal-late"' in page
    response = client.post(_appeal_url(world.case, world.decision), {"text": "För sent?"})
    assert response.status_code == 302
    appeal = Appeal.objects.get(decision=world.decision)
    assert appeal.in_time is False and appeal.received_on == later
    assert appeal.appeal_deadline == legal.appeal_deadline(today)


def test_an_empty_appeal_is_refused_at_the_field_and_nothing_is_stored(client, world):
    _logged_in(client)
    response = client.post(_appeal_url(world.case, world.decision), {"text": "  "})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Skriv vad du vill ändra i beslutet och varför." in text
    assert 'aria-invalid="true"' in text
    assert not Appeal.objects.exists()


def test_the_appeal_service_refuses_an_empty_text(world):
    from bistand.core.errors import DomainError
    from bistand.portal import services_follow

    person = world.case.household.applicant_on(timezone.localdate())
    with pytest.raises(DomainError):
        services_follow.send_appeal(person, world.decision, text=" ")
    assert not Appeal.objects.exists()


# --- Plan signing -------------------------------------------------------------------------


def _draft(world, org):
    return plan_services.save_plan_draft(
        org.other_social_worker,
        world.case,
        content=plan_content(),
        valid_from=timezone.localdate(),
        valid_to=None,
    )


def test_the_applicant_signs_the_plan_and_staff_see_it(client, world, org):
    version = _draft(world, org)
    _logged_in(client)
    page = client.get(reverse("portal:plan", args=[world.case.pk])).content.decode()
    assert "Få ett arbete som undersköterska" in page
    sign = reverse("portal:plan_sign", args=[world.case.pk, version.pk])
    refused = client.post(sign, {})
    assert refused.status_code == 400 and not PlanSignature.objects.exists()
    response = client.post(sign, {"confirm": "1"})
    assert response.status_code == 302
    signature = PlanSignature.objects.get()
    assert signature.version == version and signature.method == "test-eid"
    assert signature.person.identity_number == APPLICANT and signature.matches(version)
    version.refresh_from_db()
    assert version.confirmed_at is None and version.consent_on is None  # the plan is unchanged
    assert client.post(sign, {"confirm": "1"}).status_code == 400  # signed once
    assert PlanSignature.objects.count() == 1
    assert AccessLogEntry.objects.filter(
        action=AuditAction.SIGN, object_type="workplans.plansignature", channel="e-tjanst"
    ).exists()
    client.post(reverse("portal:logout"))
    client.force_login(org.other_social_worker)
    staff = client.get(reverse("workplans:case_plan", args=[world.case.pk])).content.decode()
    assert 'data-testid="plan-signatures"' in staff
    assert "gäller planen som den ser ut nu" in staff
    assert 'value="digital" selected' in staff or 'value="digital" checked' in staff


def test_a_draft_changed_after_signing_asks_for_a_new_signature(client, world, org):
    version = _draft(world, org)
    _logged_in(client)
    client.post(reverse("portal:plan_sign", args=[world.case.pk, version.pk]), {"confirm": "1"})
    plan_services.save_plan_draft(
        org.other_social_worker,
        world.case,
        content=plan_content(goals=("Börja på Komvux",)),
        valid_from=timezone.localdate(),
        valid_to=None,
    )
    page = client.get(reverse("portal:plan", args=[world.case.pk])).content.decode()
    assert "Planen har ändrats sedan du skrev under" in page
    response = client.post(
        reverse("portal:plan_sign", args=[world.case.pk, version.pk]), {"confirm": "1"}
    )
    assert response.status_code == 302
    assert PlanSignature.objects.count() == 2


# --- Access -------------------------------------------------------------------------------


def test_another_household_gets_404_everywhere(client, world, other, org):
    other_case, other_decision = other
    version = _draft(world, org)
    _logged_in(client, OTHER)
    assert client.get(_decision_url(world.case, world.decision)).status_code == 404
    assert client.post(_appeal_url(world.case, world.decision), {"text": "x"}).status_code == 404
    assert client.get(reverse("portal:plan", args=[world.case.pk])).status_code == 404
    sign = reverse("portal:plan_sign", args=[world.case.pk, version.pk])
    assert client.post(sign, {"confirm": "1"}).status_code == 404
    # Own case id with a foreign decision or plan version: 404 too.
    assert client.get(_decision_url(other_case, world.decision)).status_code == 404
    assert client.post(_appeal_url(other_case, world.decision), {"text": "x"}).status_code == 404
    foreign_sign = reverse("portal:plan_sign", args=[other_case.pk, version.pk])
    assert client.post(foreign_sign, {"confirm": "1"}).status_code == 404
    assert not Appeal.objects.exists() and not PlanSignature.objects.exists()
    assert client.get(_decision_url(other_case, other_decision)).status_code == 200


def test_staff_sessions_get_403_and_anonymous_the_login(client, world, org):
    url = _decision_url(world.case, world.decision)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and reverse("portal:login") in anonymous["Location"]
    assert client.post(_appeal_url(world.case, world.decision), {"text": "x"}).status_code == 302
    client.force_login(org.other_social_worker)
    assert client.get(url).status_code == 403
    assert client.post(_appeal_url(world.case, world.decision), {"text": "x"}).status_code == 403
    assert client.get(reverse("portal:plan", args=[world.case.pk])).status_code == 403
    assert client.get(reverse("portal:contact")).status_code == 403
    assert not Appeal.objects.exists()


def test_the_appeal_and_sign_urls_take_post_only(client, world, org):
    version = _draft(world, org)
    _logged_in(client)
    assert client.get(_appeal_url(world.case, world.decision)).status_code == 405
    sign = reverse("portal:plan_sign", args=[world.case.pk, version.pk])
    assert client.get(sign).status_code == 405
