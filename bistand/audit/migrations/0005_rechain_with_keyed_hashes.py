"""Re-chain the existing access log with keyed hashes (HMAC-SHA256, key outside the database).

Rows written before 0003 carry a plain SHA-256 chain, which anyone with write access to the
table can recompute. This migration first verifies that plain chain (and refuses to go on if
it is broken, so that re-chaining never launders earlier tampering), then signs every row with
the current key in id order.

Rewriting the log is acceptable only because Bistånd has no production install yet: the rows
re-chained here are demo and development data. A real installation would instead keep the
plain rows verifiable up to an anchored boundary (docs/audit.md, "Upgrading").
"""

import datetime as dt
import hashlib
import json

from django.db import migrations

from bistand.audit.chain import GENESIS, entry_hash
from bistand.audit.keys import key_ring
from bistand.audit.triggers import append_only_suspended

BATCH = 5000
FIELDS = (
    "at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "person_id",
    "ip_address",
    "channel",
    "detail",
)


def _legacy_hash(prev_hash, fields):
    """The plain SHA-256 of audit 0001/0002, frozen here."""
    payload = json.dumps(
        [prev_hash, *(fields[k] for k in FIELDS)],
        ensure_ascii=False,
        default=str,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _fields(row):
    fields = {k: getattr(row, k) for k in FIELDS}
    fields["at"] = row.at.astimezone(dt.UTC).isoformat()
    if fields["ip_address"] == "":
        fields["ip_address"] = None
    return fields


def _batches(Entry, alias):
    last = 0
    while True:
        rows = list(Entry.objects.using(alias).filter(id__gt=last).order_by("id")[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _rechain(apps, schema_editor, *, check, sign):
    Entry = apps.get_model("audit", "AccessLogEntry")
    ChainHead = apps.get_model("audit", "ChainHead")
    connection = schema_editor.connection
    alias = connection.alias
    prev = GENESIS
    for rows in _batches(Entry, alias):
        for row in rows:
            if row.prev_hash != prev or not check(row):
                raise RuntimeError(
                    f"audit row {row.id}: the existing chain is broken; refusing to re-chain "
                    "(that would hide the tampering). Investigate with the previous release's "
                    "`bistand verify-audit` before upgrading."
                )
            prev = row.hash
    prev, last_id = GENESIS, 0
    table = connection.ops.quote_name(Entry._meta.db_table)
    with append_only_suspended(connection):
        for rows in _batches(Entry, alias):
            updates = []
            for row in rows:
                key_id, digest = sign(prev, _fields(row))
                updates.append((prev, key_id, digest, row.id))
                prev, last_id = digest, row.id
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET prev_hash = %s, key_id = %s, hash = %s WHERE id = %s",
                    updates,
                )
    ChainHead.objects.using(alias).filter(pk=1).update(last_hash=prev, last_id=last_id)


def forwards(apps, schema_editor):
    ring = key_ring()
    signer = ring.signer()

    def sign(prev_hash, fields):
        return ring.current_id, entry_hash(signer, prev_hash, ring.current_id, fields)

    _rechain(
        apps,
        schema_editor,
        check=lambda row: _legacy_hash(row.prev_hash, _fields(row)) == row.hash,
        sign=sign,
    )


def backwards(apps, schema_editor):
    ring = key_ring()

    def check(row):
        if row.key_id not in ring.keys:
            return False
        return entry_hash(ring.signer(row.key_id), row.prev_hash, row.key_id, _fields(row)) == (
            row.hash
        )

    _rechain(
        apps,
        schema_editor,
        check=check,
        sign=lambda prev_hash, fields: ("", _legacy_hash(prev_hash, fields)),
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_refuse_delete_and_truncate")]
    operations = [migrations.RunPython(forwards, backwards)]
