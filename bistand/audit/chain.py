"""Hash computation for the access log chain."""

import hashlib
import json

GENESIS = "0" * 64


def canonical_detail(detail: dict | None) -> str:
    if not detail:
        return ""
    return json.dumps(
        detail, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":")
    )


def entry_hash(prev_hash: str, fields: dict) -> str:
    payload = json.dumps(
        [prev_hash, *(fields[k] for k in CHAINED_FIELDS)],
        ensure_ascii=False,
        default=str,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


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
