"""Upgrading a log written with the plain SHA-256 chain (audit 0001-0002): migration 0005
verifies it, then re-signs every row with the key; a broken old chain stops the upgrade."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from bistand.audit.chain import GENESIS
from bistand.audit.keys import key_ring
from bistand.audit.models import AccessLogEntry, ChainHead
from bistand.audit.services import _row_fields, record, verify_chain

from . import tampering

rechain = importlib.import_module("bistand.audit.migrations.0005_rechain_with_keyed_hashes")
EDITOR = SimpleNamespace(connection=connection)
# The log 0005 upgraded was a single chain (chain 0 since audit 0006).
pytestmark = pytest.mark.usefixtures("one_chain")


def _legacy_chain_is_valid() -> bool:
    prev = GENESIS
    for row in AccessLogEntry.objects.order_by("id"):
        if row.prev_hash != prev or row.hash != rechain._legacy_hash(prev, _row_fields(row)):
            return False
        prev = row.hash
    return True


@pytest.fixture
def legacy_log(org):
    """The log as audit 0002 wrote it: no key id, plain SHA-256."""
    for index in range(4):
        record(org.social_worker, "view", object_type="case", object_id=index, case_id=index)
    prev, updates = GENESIS, []
    for row in AccessLogEntry.objects.order_by("id"):
        digest = rechain._legacy_hash(prev, _row_fields(row))
        updates.append((prev, digest, row.id))
        prev = digest
    for prev_hash, digest, row_id in updates:
        tampering.execute(
            "UPDATE audit_accesslogentry SET prev_hash = %s, hash = %s, key_id = '' WHERE id = %s",
            [prev_hash, digest, row_id],
        )
    tampering.execute("UPDATE audit_chainhead SET last_hash = %s", [prev])
    assert _legacy_chain_is_valid()
    return list(AccessLogEntry.objects.order_by("id"))


def test_a_legacy_log_does_not_verify_until_re_chained(legacy_log):
    assert not verify_chain().ok
    rechain.forwards(apps, EDITOR)
    report = verify_chain()
    assert report.ok and report.checked == len(legacy_log)
    head = ChainHead.objects.get(pk=1)
    assert head.last_id == legacy_log[-1].id
    assert set(AccessLogEntry.objects.values_list("key_id", flat=True)) == {key_ring().current_id}


def test_re_chaining_refuses_a_tampered_legacy_log(legacy_log):
    tampering.execute(
        "UPDATE audit_accesslogentry SET actor_username = 'someone-else' WHERE id = %s",
        [legacy_log[1].id],
    )
    with pytest.raises(RuntimeError, match=f"audit row {legacy_log[1].id}: the existing chain"):
        rechain.forwards(apps, EDITOR)
    assert not AccessLogEntry.objects.exclude(key_id="").exists()


def test_the_migration_reverses_to_the_plain_chain(legacy_log):
    rechain.forwards(apps, EDITOR)
    rechain.backwards(apps, EDITOR)
    assert _legacy_chain_is_valid()
    assert not AccessLogEntry.objects.exclude(key_id="").exists()


def test_re_chaining_keeps_the_append_only_triggers(legacy_log):
    rechain.forwards(apps, EDITOR)
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.filter(pk=legacy_log[0].pk).delete()
