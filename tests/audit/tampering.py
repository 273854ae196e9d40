"""The attacker with database access: raw SQL behind the application's back, with the
append-only triggers suspended for the act (and restored afterwards)."""

import hashlib
import json

from django.db import connection

from bistand.audit.chain import CHAINED_FIELDS, GENESIS, entry_hash
from bistand.audit.keys import KeyRing
from bistand.audit.services import _row_fields
from bistand.audit.triggers import append_only_suspended

TABLE = "audit_accesslogentry"


def execute(sql: str, params=()) -> None:
    with append_only_suspended(connection), connection.cursor() as cursor:
        cursor.execute(sql, params)


def empty_table() -> None:
    """TRUNCATE on PostgreSQL; SQLite has only DELETE."""
    if connection.vendor == "postgresql":
        execute(f"TRUNCATE {TABLE}")
    else:
        execute(f"DELETE FROM {TABLE}")


def plain_sha256(prev_hash: str, key_id: str, fields: dict) -> str:
    payload = json.dumps(
        [prev_hash, key_id, *(fields[k] for k in CHAINED_FIELDS)],
        ensure_ascii=False,
        default=str,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def rechain(rows, hasher) -> None:
    """Recompute every link and hash in id order with `hasher(prev, key_id, fields)`, and put
    the chain head on the new last row: a careful attacker covering an edit or a removal."""
    from bistand.audit.models import AccessLogEntry

    prev = GENESIS
    updates = []
    for row in AccessLogEntry.objects.filter(id__in=[r.id for r in rows]).order_by("id"):
        digest = hasher(prev, row.key_id, _row_fields(row))
        updates.append((prev, digest, row.id))
        prev = digest
    with append_only_suspended(connection), connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {TABLE} SET prev_hash = %s, hash = %s WHERE id = %s", updates)
        cursor.execute(
            "UPDATE audit_chainhead SET last_hash = %s, last_id = %s",
            [prev, updates[-1][2] if updates else 0],
        )


def hmac_hasher(key: bytes):
    """An attacker who somehow holds `key`."""
    signer = KeyRing("x", {"x": key}).signer()
    return lambda prev, key_id, fields: entry_hash(signer, prev, key_id, fields)
