"""The keyed chain: intact logs verify; edits, removals and re-chaining without the key do not."""

import hashlib
import hmac

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bistand.audit.chain import GENESIS
from bistand.audit.keys import DEV_KEY
from bistand.audit.models import AccessLogEntry, ChainHead
from bistand.audit.services import AuditEvent, _row_fields, record, record_many, verify_chain

from . import tampering

TEST_KEY = "test-audit-key-0123456789-abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def secret_key(settings):
    settings.BISTAND_AUDIT_KEY = TEST_KEY
    settings.BISTAND_AUDIT_KEY_FILE = ""
    settings.BISTAND_AUDIT_KEY_ID = "t1"
    return TEST_KEY


@pytest.fixture
def chain(secret_key, org):
    for index in range(5):
        record(
            org.social_worker,
            "view",
            object_type="case",
            object_id=index,
            case_id=index,
            detail={"n": index},
        )
    return list(AccessLogEntry.objects.order_by("id"))


def test_intact_chain_verifies(chain):
    report = verify_chain()
    assert report.ok and report.checked == len(chain)
    call_command("verify-audit")


def test_each_row_is_an_hmac_under_the_configured_key_and_names_it(chain):
    assert {row.key_id for row in chain} == {"t1"}
    assert chain[0].prev_hash == GENESIS
    for row in chain:
        plain = tampering.plain_sha256(row.prev_hash, row.key_id, _row_fields(row))
        assert row.hash != plain
        assert row.hash == tampering.hmac_hasher(TEST_KEY.encode())(
            row.prev_hash, row.key_id, _row_fields(row)
        )


def test_an_edited_row_rechained_with_plain_sha256_is_detected(chain):
    tampering.execute(
        "UPDATE audit_accesslogentry SET actor_username = %s WHERE id = %s",
        ["someone-else", chain[1].id],
    )
    tampering.rechain(chain, tampering.plain_sha256)
    report = verify_chain()
    assert any(
        f"row {chain[1].id}:" in p and "re-chained without the key" in p for p in report.problems
    )
    assert not any("link broken" in p for p in report.problems)  # the links are consistent
    with pytest.raises(CommandError, match="Audit chain BROKEN"):
        call_command("verify-audit")


def test_an_edited_row_rechained_with_the_public_development_key_is_detected(chain):
    tampering.execute(
        "UPDATE audit_accesslogentry SET detail = %s WHERE id = %s", ['{"n":99}', chain[2].id]
    )
    tampering.rechain(chain, tampering.hmac_hasher(DEV_KEY.encode()))
    assert any(f"row {chain[2].id}:" in p for p in verify_chain().problems)


def test_rechaining_with_the_key_itself_passes_so_the_key_is_what_protects(chain):
    """The control for the two tests above: the check depends on the secret, nothing else."""
    tampering.execute(
        "UPDATE audit_accesslogentry SET actor_username = %s WHERE id = %s",
        ["someone-else", chain[1].id],
    )
    tampering.rechain(chain, tampering.hmac_hasher(TEST_KEY.encode()))
    assert verify_chain().ok


def test_a_row_relabelled_with_a_key_id_that_is_not_configured_is_reported(chain):
    tampering.execute(
        "UPDATE audit_accesslogentry SET key_id = 'forged' WHERE id = %s", [chain[0].id]
    )
    assert any("'forged', which is not configured" in p for p in verify_chain().problems)


def test_a_deleted_row_is_detected(chain):
    tampering.execute("DELETE FROM audit_accesslogentry WHERE id = %s", [chain[2].id])
    report = verify_chain()
    assert any(f"row {chain[3].id}: previous-hash link broken" in p for p in report.problems)
    with pytest.raises(CommandError):
        call_command("verify-audit")


def test_a_deleted_last_row_is_detected_by_the_chain_head(chain):
    tampering.execute("DELETE FROM audit_accesslogentry WHERE id = %s", [chain[-1].id])
    assert any("chain head" in p for p in verify_chain().problems)


def test_an_altered_row_is_detected(chain):
    tampering.execute(
        "UPDATE audit_accesslogentry SET actor_username = 'someone-else' WHERE id = %s",
        [chain[1].id],
    )
    report = verify_chain()
    assert any(f"row {chain[1].id}" in p and "altered" in p for p in report.problems)


def test_set_wise_batch_continues_the_chain(chain, org):
    count = record_many(org.finance, [AuditEvent("create", "payment", str(n)) for n in range(50)])
    assert count == 50
    head = ChainHead.objects.get(pk=1)
    last = AccessLogEntry.objects.order_by("-id").first()
    assert (head.last_id, head.last_hash) == (last.id, last.hash)
    assert verify_chain().ok


def test_verify_reports_no_anchors_as_a_note_not_a_failure(chain):
    report = verify_chain()
    assert report.ok and report.anchors == 0
    assert any("no anchors" in note for note in report.notes)


def test_hmac_is_not_the_plain_digest_of_the_key_and_payload(chain):
    """Guards against a keyed hash built as sha256(key + payload) (length-extendable)."""
    row = chain[0]
    naive = hashlib.sha256(TEST_KEY.encode() + b"x").hexdigest()
    assert not hmac.compare_digest(naive, row.hash)
