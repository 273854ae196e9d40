"""Autosaved drafts of long forms (issue #13, "never lose work"): what is typed is kept per
user and form, restored when the user comes back, survives a session time-out, and can only
be stored for a form the user could submit."""

import pytest
from django.urls import reverse

from bistand.core.models import FormDraft
from tests.cases.test_list_reads import new_case

pytestmark = pytest.mark.django_db


def autosave(client, kind, case, **fields):
    return client.post(reverse("save_draft", args=[kind, case.pk]), fields)


def test_investigation_typing_is_kept_restored_and_gone_once_saved(client, org):
    case = new_case(org, handler=org.social_worker)
    client.force_login(org.social_worker)
    answer = autosave(client, "grundutredning", case, situation="Hyran är obetald sedan maj.")
    assert answer.status_code == 200 and "Utkast sparat automatiskt" in answer.content.decode()
    # The page comes back with what was typed, and says so.
    page = client.get(reverse("investigation", args=[case.pk])).content.decode()
    assert "Hyran är obetald sedan maj." in page and 'data-testid="draft-restored"' in page
    # Another colleague (the section head) sees the form as saved, not the draft.
    client.force_login(org.intake_head)
    page = client.get(reverse("investigation", args=[case.pk])).content.decode()
    assert "Hyran är obetald" not in page and "draft-restored" not in page
    # Saving the form is the record; the draft has done its work.
    client.force_login(org.social_worker)
    client.post(
        reverse("investigation", args=[case.pk]),
        {"situation": "Hyran är obetald sedan maj.", "save": "1"},
    )
    assert not FormDraft.objects.exists()
    page = client.get(reverse("investigation", args=[case.pk])).content.decode()
    assert "Hyran är obetald sedan maj." in page and "draft-restored" not in page


def test_a_timed_out_session_stores_nothing_and_keeps_the_earlier_draft(client, org):
    case = new_case(org, handler=org.social_worker)
    client.force_login(org.social_worker)
    autosave(client, "grundutredning", case, situation="Första stycket.")
    client.logout()
    answer = autosave(client, "grundutredning", case, situation="Skrivet efter utloggning.")
    body = answer.content.decode()
    assert answer.status_code == 200 and 'data-testid="draft-logged-out"' in body
    assert "finns kvar" in body
    [draft] = FormDraft.objects.all()
    assert draft.data["situation"] == ["Första stycket."]
    client.force_login(org.social_worker)
    page = client.get(reverse("investigation", args=[case.pk])).content.decode()
    assert "Första stycket." in page


@pytest.mark.parametrize(
    ("who", "status"),
    [("other_social_worker", 404), ("benefit_admin", 404), ("reception", 404), ("finance", 404)],
)
def test_no_draft_for_a_form_the_user_may_not_submit(client, org, who, status):
    case = new_case(org, handler=org.social_worker)
    client.force_login(getattr(org, who))
    answer = autosave(client, "grundutredning", case, situation="Hemligt")
    assert answer.status_code == status
    assert not FormDraft.objects.exists()
    answer = autosave(client, "okand-sort", case, situation="x")
    assert answer.status_code == 404 and not FormDraft.objects.exists()


def test_an_empty_form_leaves_no_draft_and_a_huge_one_is_refused(client, org):
    case = new_case(org, handler=org.social_worker)
    client.force_login(org.social_worker)
    autosave(client, "grundutredning", case, situation="Något")
    answer = autosave(client, "grundutredning", case, situation="   ", housing="")
    assert answer.status_code == 200 and not FormDraft.objects.exists()
    autosave(client, "grundutredning", case, situation="Kvar")
    # Each field within its limit (the input guard refuses longer text first), too much in all.
    answer = autosave(client, "grundutredning", case, **{f"f{i}": "x" * 19_000 for i in range(11)})
    assert "för stort" in answer.content.decode()
    assert FormDraft.objects.get().data["situation"] == ["Kvar"]


def test_journal_note_draft_comes_back_on_the_case_page_until_saved(client, org):
    case = new_case(org, handler=org.social_worker)
    client.force_login(org.social_worker)
    fields = {
        "journal-kind": "note",
        "journal-text": "Ringde om elräkningen.",
        "journal-sign": "on",
    }
    autosave(client, "journal", case, **fields)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Ringde om elräkningen." in page and 'data-testid="draft-restored"' in page
    # The kind and date alone are no draft: a fresh or just-saved form leaves none.
    autosave(client, "journal", case, **{"journal-kind": "note", "journal-text": ""})
    assert not FormDraft.objects.exists()
    autosave(client, "journal", case, **fields)
    client.post(reverse("add_journal", args=[case.pk]), fields)
    assert not FormDraft.objects.exists()
    assert case.journal_entries.filter(text="Ringde om elräkningen.").exists()


def test_throwing_a_draft_away(client, org):
    case = new_case(org, handler=org.social_worker)
    client.force_login(org.social_worker)
    autosave(client, "grundutredning", case, situation="Fel ärende")
    back = reverse("investigation", args=[case.pk])
    answer = client.post(reverse("discard_draft", args=["grundutredning", case.pk]), {"next": back})
    assert answer.status_code == 302 and answer["Location"] == back
    assert not FormDraft.objects.exists()
    # Another section's case: refused, and an address elsewhere is never followed.
    other = new_case(org, handler=org.social_worker)
    client.force_login(org.other_social_worker)
    answer = client.post(reverse("discard_draft", args=["grundutredning", other.pk]), {})
    assert answer.status_code == 404
    client.force_login(org.social_worker)
    answer = client.post(
        reverse("discard_draft", args=["grundutredning", case.pk]),
        {"next": "https://evil.example/"},
    )
    assert answer["Location"] == "/"
