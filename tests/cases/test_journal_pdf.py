"""The journal PDF: the whole case journal oldest first, with signatures and corrections; the
download is logged; a protected household's address and identity number are not printed;
who may not open the case gets no PDF. The text is read back with pypdf."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from bistand.audit.models import AccessLogEntry
from bistand.cases import protection, services
from bistand.cases.journal_pdf import PROTECTED_MARK, journal_text
from bistand.households.services import MemberInput, register_household

ADDRESS = "Hemliga vägen 7"


@pytest.fixture
def case(org, this_month):
    household = register_household(
        org.reception,
        [MemberInput("198309192394", "Tolvan", "Tolvansson", "applicant")],
        address=ADDRESS,
        postal_code="22100",
        city="Lund",
    )
    case = services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    services.take_case(org.social_worker, case)
    case.refresh_from_db()
    return case


@pytest.fixture
def journal(org, case, today):
    """Written out of order: the PDF sorts by the day the thing happened."""
    worker = org.social_worker
    later = services.add_journal_entry(
        worker,
        case,
        text="Telefonsamtal om hyran, sökande skickar avi.",
        kind="phone",
        occurred_on=today - dt.timedelta(days=2),
    )
    first = services.add_journal_entry(
        worker,
        case,
        text="Nybesök, sökande berättar om arbetslösheten.",
        kind="first_visit",
        occurred_on=today - dt.timedelta(days=10),
    )
    correction = services.add_journal_entry(
        worker,
        case,
        text="Rättat: samtalet gällde elräkningen, inte hyran.",
        kind="note",
        occurred_on=today - dt.timedelta(days=1),
        corrects=later,
    )
    draft = services.add_journal_entry(
        worker, case, text="Utkast om hembesöket.", kind="home_visit", occurred_on=today, sign=False
    )
    return first, later, correction, draft


def _flat(pdf: bytes) -> str:
    return " ".join(journal_text(pdf).split())


def _download(client, user, case):
    client.force_login(user)
    return client.get(reverse("journal_pdf", args=[case.pk]))


def test_the_pdf_holds_every_entry_oldest_first_with_signatures(client, org, case, journal):
    first, later, correction, draft = journal
    response = _download(client, org.social_worker, case)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="journal-{case.reference}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    text = _flat(response.content)
    positions = [
        text.index("Nybesök, sökande berättar"),
        text.index("Telefonsamtal om hyran"),
        text.index("Rättat: samtalet gällde elräkningen"),
        text.index("Utkast om hembesöket"),
    ]
    assert positions == sorted(positions)
    assert f"Journal, ärende {case.reference}" in text
    assert "Tolvan Tolvansson, 19830919-2394" in text
    # kind labels in Swedish, never the codes
    for label in ("Nybesök", "Telefonsamtal", "Anteckning", "Hembesök"):
        assert label in text
    assert "first_visit" not in text and "home_visit" not in text
    signed = f"Signerad {first.signed_at.astimezone().strftime('%Y-%m-%d')}"
    assert signed in text
    assert text.count(f"av {org.social_worker.get_full_name()}") >= 3
    # the draft is printed as unsigned, right after its text
    assert "Utkast om hembesöket. osignerad · skriven" in text
    assert text.count("osignerad") == 1
    # the correction says what it corrects
    correction_at = text.index("Rättat: samtalet")
    before = text[text.index("Rättelse av anteckning") : correction_at]
    assert f"Rättelse av anteckning {later.occurred_on:%Y-%m-%d}" in before
    assert "Telefonsamtal om hyran" in before
    # ... and the corrected entry points to its correction
    corrected = text[text.index(f"{later.occurred_on:%Y-%m-%d} · Telefonsamtal") :]
    assert corrected.index(f"Rättad genom anteckning {correction.occurred_on:%Y-%m-%d}") < (
        corrected.index("Telefonsamtal om hyran")
    )
    # footer: who printed it and the page count
    assert f"av {org.social_worker.get_full_name()}" in text and "Sida 1 av 1" in text
    assert "utskriven" in text


def test_the_download_is_logged_as_a_download(client, org, case, journal):
    _download(client, org.unit_head, case)
    row = AccessLogEntry.objects.filter(
        actor_id=org.unit_head.pk, case_id=case.pk, action="download"
    ).get()
    assert json.loads(row.detail)["what"] == "journal_pdf"
    assert "protected_identity" not in json.loads(row.detail)


def test_a_protected_household_has_no_address_and_a_masked_number(client, org, case, journal):
    person = case.household.memberships.get(role="applicant").person
    protection.mark_protected_identity(
        org.social_worker,
        case,
        person,
        kind="protected_registration",
        registered_on=dt.date(2026, 1, 1),
    )
    response = _download(client, org.social_worker, case)
    assert response.status_code == 200
    text = _flat(response.content)
    assert ADDRESS not in text and "22100" not in text
    assert "19830919-2394" not in text and "2394" not in text
    assert "Tolvan Tolvansson, 19830919-****" in text
    assert " ".join(PROTECTED_MARK.split()) in text
    row = AccessLogEntry.objects.filter(
        actor_id=org.social_worker.pk, case_id=case.pk, action="download"
    ).get()
    assert json.loads(row.detail)["protected_identity"] is True


def test_an_unprotected_journal_has_no_address_either(client, org, case, journal):
    text = _flat(_download(client, org.social_worker, case).content)
    assert ADDRESS not in text and PROTECTED_MARK not in text


@pytest.mark.parametrize(
    ("who", "status"),
    [("other_social_worker", 403), ("labour_head", 403), ("fraud", 403), ("finance", 404)],
)
def test_who_may_not_open_the_case_gets_no_pdf(client, org, case, journal, who, status):
    user = getattr(org, who)
    response = _download(client, user, case)
    assert response.status_code == status
    assert response.get("Content-Type", "") != "application/pdf"
    assert not AccessLogEntry.objects.filter(
        actor_id=user.pk, case_id=case.pk, action="download"
    ).exists()


def test_the_case_page_links_to_the_pdf(client, org, case):
    client.force_login(org.social_worker)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert reverse("journal_pdf", args=[case.pk]) in page
    assert "Journal som PDF" in page


def test_an_empty_journal_says_so(client, org, case):
    text = _flat(_download(client, org.social_worker, case).content)
    assert "Journalen har inga anteckningar." in text


def test_a_long_journal_runs_over_pages_numbered_of_the_total(client, org, case, today):
    for day in range(30):
        services.add_journal_entry(
            org.social_worker,
            case,
            text=f"Anteckning nummer {day:02d}. " + "Sökande berättar om sin situation. " * 12,
            occurred_on=today - dt.timedelta(days=60 - day),
        )
    text = _flat(_download(client, org.social_worker, case).content)
    pages = int(text.split("Sida 1 av ")[1].split()[0])
    assert pages > 1
    assert f"Sida {pages} av {pages}" in text
    numbers = [text.index(f"Anteckning nummer {day:02d}.") for day in range(30)]
    assert numbers == sorted(numbers)
