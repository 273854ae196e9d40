"""Text limits and NUL through the API (issue #11, item 8)."""

from bistand.cases.models import EmergencyAccess, JournalEntry
from bistand.core.text import LONG_TEXT, NOTE_TEXT


def test_journal_api_refuses_text_over_the_limit(org, client_for, intake_case):
    client = client_for(org.social_worker)
    url = f"/api/v1/cases/{intake_case.pk}/journal/"
    response = client.post(url, {"text": "x" * (LONG_TEXT + 1)}, format="json")
    assert response.status_code == 400
    assert f"Texten får vara högst {LONG_TEXT} tecken." in response.json()["error"]["message"]
    assert not JournalEntry.objects.exists()


def test_journal_api_refuses_nul(org, client_for, intake_case):
    client = client_for(org.social_worker)
    url = f"/api/v1/cases/{intake_case.pk}/journal/"
    response = client.post(url, {"text": "Besök\u0000"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "nul_character"
    assert not JournalEntry.objects.exists()


def test_api_text_without_a_declared_limit_gets_the_note_limit(org, client_for, intake_case):
    client = client_for(org.other_social_worker)
    response = client.post(
        f"/api/v1/cases/{intake_case.pk}/emergency-access/",
        {"reason": "x" * (NOTE_TEXT + 1)},
        format="json",
    )
    assert response.status_code == 400
    assert f"Texten får vara högst {NOTE_TEXT} tecken." in response.json()["error"]["message"]
    assert not EmergencyAccess.objects.exists()
