"""Over-long texts and NUL are refused on pages and in the services (issue #11, item 8)."""

import pytest
from django.urls import reverse

from bistand.cases import services
from bistand.cases.forms import ApplicationFieldsForm, JournalForm
from bistand.cases.models import EmergencyAccess, InvestigationVersion, JournalEntry
from bistand.core.errors import DomainError
from bistand.core.text import LONG_TEXT, NOTE_TEXT


@pytest.fixture
def case(org, household_factory, this_month):
    household = household_factory(org.reception, children=True)
    case = services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    services.take_case(org.social_worker, case)
    return case


def post_journal(client, case, text):
    return client.post(
        reverse("add_journal", args=[case.pk]),
        {"journal-kind": "note", "journal-text": text, "journal-sign": "on"},
        follow=True,
    )


def test_journal_page_refuses_text_over_the_limit(client, org, case):
    client.force_login(org.social_worker)
    response = post_journal(client, case, "x" * (LONG_TEXT + 1))
    assert response.status_code == 400
    assert f"Texten får vara högst {LONG_TEXT} tecken." in response.content.decode()
    assert not JournalEntry.objects.exists()
    post_journal(client, case, "x" * LONG_TEXT)
    assert JournalEntry.objects.count() == 1


def test_journal_page_refuses_nul_with_a_swedish_400(client, org, case):
    client.force_login(org.social_worker)
    response = post_journal(client, case, "Besök\x00hos klienten")
    assert response.status_code == 400
    assert "otillåtet tecken (NUL)" in response.content.decode()
    assert not JournalEntry.objects.exists()


def test_nul_in_a_query_string_is_a_400_not_a_database_error(client, org, case):
    client.force_login(org.social_worker)
    response = client.get(reverse("search"), {"q": "Tolvan\x00"})
    assert response.status_code == 400


def test_forms_limit_texts_with_the_swedish_message():
    form = JournalForm({"kind": "note", "text": "x" * (LONG_TEXT + 1)})
    assert not form.is_valid()
    assert form.errors["text"] == [f"Texten får vara högst {LONG_TEXT} tecken."]
    form = ApplicationFieldsForm({"month": "2026-01", "channel": "paper", "notes": "x" * 4001})
    assert not form.is_valid()
    assert form.errors["notes"] == [f"Texten får vara högst {NOTE_TEXT} tecken."]
    assert 'maxlength="4000"' in str(form["notes"])


def test_journal_service_refuses_over_long_text_and_nul(org, case):
    for text in ("x" * (LONG_TEXT + 1), "a\x00b"):
        with pytest.raises(DomainError):
            services.add_journal_entry(org.social_worker, case, text=text)
    assert not JournalEntry.objects.exists()


def test_journal_draft_keeps_its_text_when_a_change_is_refused(org, case):
    draft = services.add_journal_entry(org.social_worker, case, text="Utkast", sign=False)
    with pytest.raises(DomainError) as refused:
        services.update_journal_draft(org.social_worker, draft, text="y" * (LONG_TEXT + 1))
    assert refused.value.code == "text_too_long"
    draft.refresh_from_db()
    assert draft.text == "Utkast"


def test_investigation_service_refuses_an_over_long_section(org, case):
    services.save_investigation_draft(org.social_worker, case, {"situation": "Kort"})
    with pytest.raises(DomainError) as refused:
        services.save_investigation_draft(
            org.social_worker, case, {"situation": "x" * (LONG_TEXT + 1)}
        )
    assert "Hushållets situation: Texten får vara högst" in refused.value.message
    assert InvestigationVersion.objects.get(investigation__case=case).content["situation"] == "Kort"


def test_emergency_access_reason_is_limited(org, case):
    with pytest.raises(DomainError):
        services.take_emergency_access(org.other_social_worker, case, "x" * (NOTE_TEXT + 1))
    assert not EmergencyAccess.objects.exists()
