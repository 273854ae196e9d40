"""Keyed hashes (HMAC-SHA256) for the access-log chain and its anchors.

A row's hash covers the previous row's hash, the key id and every chained field, keyed with a
secret outside the database: whoever can write the table cannot recompute a valid chain.
"""

import hashlib
import json

GENESIS = "0" * 64
ANCHOR_TYPE = "bistand-audit-anchor"

CHAINED_FIELDS = (
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


def genesis(chain: int) -> str:
    """The `prev_hash` of a chain's first row: chain 0 keeps the original all-zero genesis
    (rows written before there were several chains verify unchanged); every other chain has
    its own, so a chain's first row cannot pass for another chain's."""
    if chain == 0:
        return GENESIS
    return hashlib.sha256(f"bistand-audit-chain:{chain}".encode()).hexdigest()


def canonical_detail(detail: dict | None) -> str:
    if not detail:
        return ""
    return json.dumps(
        detail, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":")
    )


def entry_hash(signer, prev_hash: str, key_id: str, fields: dict) -> str:
    """HMAC of one row; `signer` is a keyed HMAC state from `KeyRing.signer` (copied here)."""
    payload = json.dumps(
        [prev_hash, key_id, *(fields[k] for k in CHAINED_FIELDS)],
        ensure_ascii=False,
        default=str,
        separators=(",", ":"),
    )
    mac = signer.copy()
    mac.update(payload.encode("utf-8"))
    return mac.hexdigest()


def anchor_payload(anchor: dict) -> bytes:
    """The signed bytes of an anchor line: every field but the signature, canonical JSON."""
    body = {k: v for k, v in anchor.items() if k != "mac"}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def anchor_mac(signer, anchor: dict) -> str:
    mac = signer.copy()
    mac.update(anchor_payload(anchor))
    return mac.hexdigest()
