"""The edit-plan page autosaves what is typed (issue #13, bistand/core/drafts.py): the goals,
activities and notes come back after a reload with a notice, for the typing user only, are
refused (nothing stored) for a user who may not edit the plan, and are gone once it is saved."""

import pytest
from django.urls import reverse

from bistand.audit.models import AccessLogEntry
from bistand.cases.models import Case, CaseStatus
from bistand.core.models import FormDraft

from .test_views import plan_post

pytestmark = pytest.mark.django_db


def typed(goal="Körkort före sommaren", notes="Klienten vill börja med svenska."):
    data = plan_post(goal=goal)
    data["activity-0-text"] = "Anmäla sig till SFI"
    data["notes"] = notes
    return data


def autosave(client, case, data):
    return client.post(reverse("save_draft", args=["arbetsplan", case.pk]), data)


def test_plan_typing_is_kept_restored_for_the_typist_only_and_gone_once_saved(client, org, case_a):
    client.force_login(org.social_worker)
    logged = AccessLogEntry.objects.count()
    answer = autosave(client, case_a, typed())
    assert answer.status_code == 200 and "Utkast sparat automatiskt" in answer.content.decode()
    # Typing is not reading the case again: the access log is not written per keystroke.
    assert AccessLogEntry.objects.count() == logged
    [draft] = FormDraft.objects.all()
    assert draft.kind == "arbetsplan" and draft.data["goal-0-text"] == ["Körkort före sommaren"]

    url = reverse("workplans:edit_plan", args=[case_a.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="draft-restored"' in page
    assert 'value="Körkort före sommaren"' in page and 'value="Anmäla sig till SFI"' in page
    assert "Klienten vill börja med svenska." in page
    assert 'data-testid="draft-status"' in page

    # The section head may edit the plan too, but sees the plan as saved, not the draft.
    client.force_login(org.intake_head)
    page = client.get(url).content.decode()
    assert "Körkort före sommaren" not in page and "draft-restored" not in page

    # Saving the plan is the record; the draft has done its work.
    client.force_login(org.social_worker)
    assert client.post(url, typed()).status_code == 302
    assert not FormDraft.objects.exists()
    page = client.get(url).content.decode()
    assert "Körkort före sommaren" in page and "draft-restored" not in page


def test_a_plan_that_cannot_be_saved_keeps_the_draft(client, org, case_a):
    client.force_login(org.social_worker)
    autosave(client, case_a, typed())
    bad = typed() | {"valid_to": "2001-01-01"}
    response = client.post(reverse("workplans:edit_plan", args=[case_a.pk]), bad)
    assert response.status_code == 200 and FormDraft.objects.count() == 1


@pytest.mark.parametrize("who", ["other_social_worker", "benefit_admin", "reception", "finance"])
def test_no_plan_draft_for_a_user_who_may_not_edit_the_plan(client, org, case_a, who):
    # Another section's handler, a benefit administrator in an A case (the social worker
    # makes that plan), and roles without the permission: answered as a missing form.
    client.force_login(getattr(org, who))
    answer = autosave(client, case_a, typed())
    assert answer.status_code == 404
    assert not FormDraft.objects.exists()


def test_no_plan_draft_for_a_closed_case_or_a_form_with_only_its_dates(client, org, case_a):
    client.force_login(org.social_worker)
    # The dates and follow-ups are filled in beforehand: without text nothing is typed.
    answer = autosave(client, case_a, typed(goal="", notes="") | {"activity-0-text": ""})
    assert answer.status_code == 200 and not FormDraft.objects.exists()
    # (Closing needs every application decided; the state is what matters here.)
    Case.objects.filter(pk=case_a.pk).update(
        status=CaseStatus.CLOSED, closed_on=case_a.opened_on, closing_reason="work"
    )
    answer = autosave(client, case_a, typed())
    assert "avslutat" in answer.content.decode() and not FormDraft.objects.exists()


def test_throwing_the_plan_draft_away(client, org, case_a):
    client.force_login(org.social_worker)
    autosave(client, case_a, typed())
    url = reverse("workplans:edit_plan", args=[case_a.pk])
    answer = client.post(reverse("discard_draft", args=["arbetsplan", case_a.pk]), {"next": url})
    assert answer.status_code == 302 and answer["Location"] == url
    assert not FormDraft.objects.exists()
    assert "draft-restored" not in client.get(url).content.decode()
