"""The calculation editor autosaves its lines as they are typed (issue #13,
bistand/core/drafts.py): they come back after a reload with a notice, for the typing user
only, are refused (nothing stored) for a user who may not change the calculation, and are gone
once the lines are stored (recalculated or saved)."""

import pytest
from django.urls import reverse

from bistand.audit.models import AccessLogEntry
from bistand.core.models import FormDraft
from bistand.decisions import services

pytestmark = pytest.mark.django_db

TYPED = {
    "cost-1-type": "rent",
    "cost-1-amount": "7100",
    "cost-1-description": "Hyra december",
    "cost-1-source": "application",
    "income-ab12-type": "child_allowance",
    "income-ab12-amount": "",
    "income-ab12-description": "",
}


@pytest.fixture
def calculation(org, make_application, this_month):
    application = make_application(this_month, stated_costs=[{"type": "rent", "amount": "6500"}])
    return services.create_calculation(org.social_worker, application)


def autosave(client, calculation, data):
    return client.post(reverse("save_draft", args=["berakning", calculation.pk]), data)


def test_calculation_typing_is_kept_restored_for_the_typist_only_and_gone_once_saved(
    logged_in, org, calculation, unverified_2026
):
    client = logged_in(org.social_worker)
    logged = AccessLogEntry.objects.count()
    answer = autosave(client, calculation, TYPED)
    assert answer.status_code == 200 and "Utkast sparat automatiskt" in answer.content.decode()
    # Typing is not reading the case again: the access log is not written per keystroke.
    assert AccessLogEntry.objects.count() == logged

    url = reverse("decisions:calculation", args=[calculation.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="draft-restored"' in page and 'data-testid="draft-status"' in page
    assert 'name="cost-1-amount" value="7100"' in page and 'value="Hyra december"' in page
    # The blank income row is no line; the stored line (6500) is not what the form shows.
    assert 'value="6500.00"' not in page

    # Another handler who may open the case sees the calculation as stored.
    client = logged_in(org.intake_head)
    page = client.get(url).content.decode()
    assert 'value="6500.00"' in page and "Hyra december" not in page
    assert "draft-restored" not in page

    client = logged_in(org.social_worker)
    response = client.post(url, {**TYPED, "action": "save"})
    assert response.status_code == 302
    calculation.refresh_from_db()
    assert calculation.saved_at is not None and calculation.costs[0]["amount"] == "7100.00"
    assert not FormDraft.objects.exists()
    # A saved calculation cannot be changed, so nothing is autosaved for it any more.
    answer = autosave(client, calculation, TYPED)
    assert "sparad och kan inte ändras" in answer.content.decode()
    assert not FormDraft.objects.exists()


def test_recalculating_stores_the_lines_and_ends_the_draft(logged_in, org, calculation):
    client = logged_in(org.social_worker)
    autosave(client, calculation, TYPED)
    url = reverse("decisions:calculation", args=[calculation.pk])
    response = client.post(url, {**TYPED, "action": "recalculate"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "draft-restored" not in response.content.decode()
    assert not FormDraft.objects.exists()
    calculation.refresh_from_db()
    assert calculation.costs[0]["amount"] == "7100.00"


def test_a_bad_amount_keeps_the_draft(logged_in, org, calculation):
    client = logged_in(org.social_worker)
    bad = {**TYPED, "cost-1-amount": "mycket"}
    autosave(client, calculation, bad)
    url = reverse("decisions:calculation", args=[calculation.pk])
    assert client.post(url, {**bad, "action": "save"}).status_code == 400
    assert FormDraft.objects.get().data["cost-1-amount"] == ["mycket"]
    assert 'value="mycket"' in client.get(url).content.decode()


@pytest.mark.parametrize("who", ["other_social_worker", "reception", "finance", "controller"])
def test_no_calculation_draft_for_a_user_who_may_not_calculate_here(
    logged_in, org, calculation, who
):
    # Another section's handler, and roles without the permission: a missing form.
    client = logged_in(getattr(org, who))
    answer = autosave(client, calculation, TYPED)
    assert answer.status_code == 404
    assert not FormDraft.objects.exists()


def test_an_empty_editor_leaves_no_draft_and_it_can_be_thrown_away(logged_in, org, calculation):
    client = logged_in(org.social_worker)
    answer = autosave(client, calculation, {"cost-1-type": "rent", "cost-1-amount": " "})
    assert answer.status_code == 200 and not FormDraft.objects.exists()
    autosave(client, calculation, TYPED)
    url = reverse("decisions:calculation", args=[calculation.pk])
    answer = client.post(
        reverse("discard_draft", args=["berakning", calculation.pk]), {"next": url}
    )
    assert answer.status_code == 302 and answer["Location"] == url
    assert not FormDraft.objects.exists()
    assert 'value="6500.00"' in client.get(url).content.decode()


def test_a_childs_lunch_choice_comes_back_with_the_draft(
    logged_in, org, make_application, this_month
):
    application = make_application(this_month, children=True)
    calculation = services.create_calculation(org.social_worker, application)
    [child] = [m for m in calculation.members if m["role"] == "child"]
    assert not child.get("meals_outside_home")
    box = f'name="meals-{child["person_id"]}" form="calc-form" checked'
    client = logged_in(org.social_worker)
    url = reverse("decisions:calculation", args=[calculation.pk])
    assert box not in client.get(url).content.decode()
    autosave(client, calculation, {**TYPED, f"meals-{child['person_id']}": "on"})
    assert box in client.get(url).content.decode()
