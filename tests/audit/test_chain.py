"""The keyed chain: intact logs verify; edits, removals and re-chaining without the key do not."""

import hashlib
import hmac
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from bistand.audit.chain import GENESIS, genesis
from bistand.audit.keys import DEV_KEY
from bistand.audit.models import AccessLogEntry, ChainHead
from bistand.audit.services import AuditEvent, _row_fields, record, record_many, verify_chain

from . import tampering
from .conftest import CHAINS

pytestmark = pytest.mark.usefixtures("three_chains")
TEST_KEY = "test-audit-key-0123456789-abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def secret_key(settings):
    settings.BISTAND_AUDIT_KEY = TEST_KEY
    settings.BISTAND_AUDIT_KEY_FILE = ""
    settings.BISTAND_AUDIT_KEY_ID = "t1"
    return TEST_KEY


@pytest.fixture
def chain(secret_key, org):
    """Nine rows, three in each chain (appends go to the chains in turn)."""
    for index in range(3 * CHAINS):
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


def in_chain(rows, number):
    return [row for row in rows if row.chain == number]


def test_rows_are_spread_over_the_chains_each_linked_from_its_own_genesis(chain):
    assert {row.chain for row in chain} == set(range(CHAINS))
    for number in range(CHAINS):
        rows = in_chain(chain, number)
        assert rows[0].prev_hash == genesis(number)
        assert [row.prev_hash for row in rows[1:]] == [row.hash for row in rows[:-1]]
    assert genesis(0) == GENESIS and len({genesis(n) for n in range(CHAINS)}) == CHAINS


def test_each_row_is_an_hmac_under_the_configured_key_and_names_it(chain):
    assert {row.key_id for row in chain} == {"t1"}
    for row in chain:
        plain = tampering.plain_sha256(row.prev_hash, row.key_id, _row_fields(row))
        assert row.hash != plain
        assert row.hash == tampering.hmac_hasher(TEST_KEY.encode())(
            row.prev_hash, row.key_id, _row_fields(row)
        )


@pytest.mark.parametrize("number", range(CHAINS))
def test_an_edited_row_rechained_with_plain_sha256_is_detected(chain, number):
    edited = in_chain(chain, number)[1]
    tampering.execute(
        "UPDATE audit_accesslogentry SET actor_username = %s WHERE id = %s",
        ["someone-else", edited.id],
    )
    tampering.rechain(chain, tampering.plain_sha256)
    report = verify_chain()
    assert any(
        f"row {edited.id}:" in p and "re-chained without the key" in p for p in report.problems
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


@pytest.mark.parametrize("number", range(CHAINS))
def test_a_deleted_row_is_detected(chain, number):
    rows = in_chain(chain, number)
    tampering.execute("DELETE FROM audit_accesslogentry WHERE id = %s", [rows[1].id])
    report = verify_chain()
    assert report.problems == [
        f"row {rows[2].id}: previous-hash link broken in chain {number} (a row before it was "
        "removed or changed, or the row moved to another chain)"
    ]
    with pytest.raises(CommandError):
        call_command("verify-audit")


@pytest.mark.parametrize("number", range(CHAINS))
def test_a_deleted_last_row_is_detected_by_the_chain_head(chain, number):
    tampering.execute(
        "DELETE FROM audit_accesslogentry WHERE id = %s", [in_chain(chain, number)[-1].id]
    )
    assert verify_chain().problems == [
        f"the head of chain {number} does not match its last row (rows removed at the end)"
    ]


def test_a_row_moved_to_another_chain_is_detected(chain):
    """The chain column is outside the HMAC; a row is bound to its chain by its links."""
    moved = in_chain(chain, 1)[-1]
    tampering.execute("UPDATE audit_accesslogentry SET chain = 2 WHERE id = %s", [moved.id])
    tampering.move_head(1, in_chain(chain, 1)[-2].hash, in_chain(chain, 1)[-2].id)
    tampering.move_head(2, moved.hash, moved.id)
    problems = verify_chain().problems
    assert any(f"row {moved.id}: previous-hash link broken in chain 2" in p for p in problems)


def test_an_altered_row_is_detected(chain):
    tampering.execute(
        "UPDATE audit_accesslogentry SET actor_username = 'someone-else' WHERE id = %s",
        [chain[1].id],
    )
    report = verify_chain()
    assert any(f"row {chain[1].id}" in p and "altered" in p for p in report.problems)


def test_set_wise_batch_continues_one_chain(chain, org):
    count = record_many(org.finance, [AuditEvent("create", "payment", str(n)) for n in range(50)])
    assert count == 50
    last = AccessLogEntry.objects.order_by("-id").first()
    batch = AccessLogEntry.objects.filter(actor_id=org.finance.pk)
    assert set(batch.values_list("chain", flat=True)) == {last.chain}
    head = ChainHead.objects.get(chain=last.chain)
    assert (head.last_id, head.last_hash) == (last.id, last.hash)
    assert verify_chain().ok


def test_one_transaction_keeps_to_the_chain_whose_head_it_holds(secret_key, org, monkeypatch):
    """Without the round-robin of the tests: the connection's last chain is preferred, so two
    records in one transaction never lock two heads (no waits on a second head, no deadlock)."""
    from bistand.audit import services

    from .conftest import REAL_PREFERRED_CHAIN

    monkeypatch.setattr(services, "_preferred_chain", REAL_PREFERRED_CHAIN)
    with transaction.atomic():
        record(org.social_worker, "view", object_type="case", object_id=1)
        first = services._preferred_chain(connection, CHAINS)
        record(org.social_worker, "view", object_type="case", object_id=2)
    rows = list(AccessLogEntry.objects.order_by("-id")[:2])
    assert {row.chain for row in rows} == {first}


def test_verify_reports_no_anchors_as_a_note_not_a_failure(chain):
    report = verify_chain()
    assert report.ok and report.anchors == 0
    assert any("no anchors" in note for note in report.notes)


def test_hmac_is_not_the_plain_digest_of_the_key_and_payload(chain):
    """Guards against a keyed hash built as sha256(key + payload) (length-extendable)."""
    row = chain[0]
    naive = hashlib.sha256(TEST_KEY.encode() + b"x").hexdigest()
    assert not hmac.compare_digest(naive, row.hash)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_request_does_not_wait_for_a_chain_another_transaction_holds(org, monkeypatch):
    """Two open transactions append to two chains: the second skips the held head instead of
    queueing behind it (the serialisation measured under load, docs/PERFORMANCE.md)."""
    from bistand.audit import services

    from .conftest import REAL_PREFERRED_CHAIN

    monkeypatch.setattr(services, "_preferred_chain", REAL_PREFERRED_CHAIN)
    record(org.social_worker, "view", object_type="case", object_id=0)  # creates the heads
    held = connection.bistand_audit_chain
    holding, release, other = threading.Event(), threading.Event(), {}

    def hold_a_chain():
        from django.db import connections

        theirs = connections["default"]
        theirs.bistand_audit_chain = held
        try:
            with transaction.atomic():
                record(org.reception, "view", object_type="case", object_id=1)
                other["chain"] = theirs.bistand_audit_chain
                holding.set()
                release.wait(10)
        finally:
            theirs.close()

    thread = threading.Thread(target=hold_a_chain)
    thread.start()
    try:
        assert holding.wait(10) and other["chain"] == held
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            record(org.social_worker, "view", object_type="case", object_id=2)
        assert connection.bistand_audit_chain != held
    finally:
        release.set()
        thread.join(10)
    assert verify_chain().ok
