"""The attacker with database access: raw SQL behind the application's back, with the
append-only triggers suspended for the act (and restored afterwards)."""

import hashlib
import json

from django.db import connection

from bistand.audit.chain import CHAINED_FIELDS, entry_hash, genesis
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
    """Recompute every link and hash of the chains these rows are in, in id order with
    `hasher(prev, key_id, fields)`, and put each chain's head on its new last row: a careful
    attacker covering an edit or a removal."""
    from bistand.audit.models import AccessLogEntry

    prev: dict[int, str] = {}
    last: dict[int, int] = {}
    updates = []
    for row in AccessLogEntry.objects.filter(id__in=[r.id for r in rows]).order_by("id"):
        digest = hasher(prev.get(row.chain, genesis(row.chain)), row.key_id, _row_fields(row))
        updates.append((prev.get(row.chain, genesis(row.chain)), digest, row.id))
        prev[row.chain], last[row.chain] = digest, row.id
    with append_only_suspended(connection), connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {TABLE} SET prev_hash = %s, hash = %s WHERE id = %s", updates)
        for chain, digest in prev.items():
            move_head(chain, digest, last[chain])


def move_head(chain: int, last_hash: str, last_id: int) -> None:
    """Put a chain's head on another row (the head is not append-only; the anchors are why)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_chainhead SET last_hash = %s, last_id = %s WHERE chain = %s",
            [last_hash, last_id, chain],
        )


def hmac_hasher(key: bytes):
    """An attacker who somehow holds `key`."""
    signer = KeyRing("x", {"x": key}).signer()
    return lambda prev, key_id, fields: entry_hash(signer, prev, key_id, fields)
