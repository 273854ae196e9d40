"""Writing off a recovery claim produces a letter to the debtor: a PDF stored as a final record
with the write-off, reachable from the claim page (logged), withheld when it carries the address
of a household that has since got protected identity, and never shown to someone who may not
open the case."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from bistand.audit.models import AccessLogEntry
from bistand.cases import protection
from bistand.controls import recovery
from bistand.controls.recovery_models import WriteOffLetter
from bistand.core.errors import DomainError, PermissionRefused
from bistand.core.models import FinalRecordError
from bistand.decisions.letters import letter_text
from tests.payments.conftest import World

from .recovery_helpers import claim, incorrect_payment

REASON = "Långvarig sjukdom, saknar betalningsförmåga."


@pytest.fixture
def world(org):
    return World(org)


def _text(letter: WriteOffLetter) -> str:
    return " ".join(letter_text(bytes(letter.pdf)).split())


def test_a_write_off_stores_its_letter_as_a_final_record(world, org):
    made = claim(world, plan="repayment", consent_on=None, minimum_left="")
    part = recovery.write_off(org.labour_head, made, amount="1000", reason=REASON)
    letter = part.write_off_letter
    text = _text(letter)
    assert "Beslut om avskrivning av återkrav" in text
    assert "avstår från att kräva tillbaka 1 000,00 kr av återkravet" in text
    assert REASON in text
    assert "Kvar att betala av återkravet är 2 000,00 kr" in text
    assert "33 kap. 6 § socialtjänstlagen (2025:400)" in text
    assert world.case.household.address in text
    rest = recovery.write_off(org.labour_head, made, reason="Avstår från resten.")
    assert "Du behöver inte betala något mer av återkravet." in _text(rest.write_off_letter)
    assert WriteOffLetter.objects.count() == 2
    assert AccessLogEntry.objects.filter(
        object_type="controls.recoveryentry", object_id=str(rest.pk), action="create"
    ).exists()
    # Written once: neither the model nor the database lets it change or go.
    with pytest.raises(FinalRecordError):
        letter.save()
    with pytest.raises(FinalRecordError):
        letter.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        WriteOffLetter.objects.filter(pk=letter.pk).update(pdf=b"%PDF-forged")


def test_a_refused_write_off_leaves_no_letter(world, org):
    made = claim(world)
    with pytest.raises(PermissionRefused):
        recovery.write_off(org.benefit_admin, made, reason=REASON)
    with pytest.raises(DomainError) as error:
        recovery.write_off(org.labour_head, made, amount="5000", reason=REASON)
    assert error.value.code == "over_balance"
    assert not WriteOffLetter.objects.exists()


def test_a_claim_under_the_repealed_law_names_no_unverified_paragraph(world, org):
    old = incorrect_payment(world, period_from=dt.date(2025, 3, 1), period_to=dt.date(2025, 4, 1))
    made = claim(world, old)
    text = _text(recovery.write_off(org.labour_head, made, reason=REASON).write_off_letter)
    assert "den upphävda socialtjänstlagen (2001:453)" in text
    assert "33 kap. 6 §" not in text


def test_the_letter_is_reached_from_the_claim_page_and_logged(world, org, client):
    made = claim(world)
    entry = recovery.write_off(org.labour_head, made, amount="500", reason=REASON)
    url = f"/kontroll/aterkrav/avskrivning/{entry.pk}/brev/"
    client.force_login(org.other_social_worker)  # holds the case
    page = client.get(f"/kontroll/aterkrav/{made.pk}/").content.decode()
    assert 'data-testid="write-off-letter"' in page and url in page
    before = AccessLogEntry.objects.filter(case_id=world.case.pk, action="download").count()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert bytes(response.content) == bytes(entry.write_off_letter.pdf)
    assert (
        AccessLogEntry.objects.filter(case_id=world.case.pk, action="download").count()
        == before + 1
    )
    # Someone who may not open the case, and ids that are not a write-off, answer as missing.
    client.force_login(org.social_worker)  # intake section; the case is in labour
    refused = client.get(url)
    assert refused.status_code in (403, 404) and b"%PDF" not in refused.content
    repayment = recovery.record_repayment(
        org.other_social_worker, made, amount="100", paid_on=world.today
    )
    client.force_login(org.other_social_worker)
    assert client.get(f"/kontroll/aterkrav/avskrivning/{repayment.pk}/brev/").status_code == 404
    assert client.get("/kontroll/aterkrav/avskrivning/999999/brev/").status_code == 404


def test_a_letter_with_the_address_is_withheld_after_protected_identity(world, org, client):
    made = claim(world)
    before = recovery.write_off(org.labour_head, made, amount="500", reason=REASON)
    address = world.case.household.address
    person = world.case.household.applicant_on(timezone.localdate())
    protection.mark_protected_identity(
        org.unit_head, world.case, person, kind="protected_registration",
        registered_on=timezone.localdate(),
    )  # fmt: skip
    client.force_login(org.other_social_worker)
    withheld = client.get(f"/kontroll/aterkrav/avskrivning/{before.pk}/brev/")
    assert withheld.status_code != 200
    assert address not in withheld.content.decode("utf-8", "replace")
    assert WriteOffLetter.objects.get(entry=before).sha256 == before.write_off_letter.sha256
    after = recovery.write_off(org.unit_head, made, amount="500", reason=REASON)
    assert address not in _text(after.write_off_letter)
    response = client.get(f"/kontroll/aterkrav/avskrivning/{after.pk}/brev/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
