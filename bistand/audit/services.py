"""Writing to the access log. Every other app calls `record` (or `record_many` set-wise).

Also the two checks on it: `verify_chain` (keyed hashes, links, anchors) and `write_anchor`.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Count, Max
from django.utils import timezone

from .anchors import Anchor, anchor_line, append_line, read_anchors
from .chain import CHAINED_FIELDS, GENESIS, canonical_detail, entry_hash
from .context import current_context
from .keys import key_ring
from .models import AccessLogEntry, ChainHead

anchor_log = logging.getLogger("bistand.audit.anchor")


@dataclass
class AuditEvent:
    action: str
    object_type: str = ""
    object_id: Any = ""
    case_id: int | None = None
    person_id: int | None = None
    detail: dict | None = None


def _batch_fields(actor, at: dt.datetime) -> dict:
    """The fields every row of one batch shares (computed once per batch, not per row)."""
    context = current_context.get()
    return {
        "at": at.astimezone(dt.UTC).isoformat(),
        "actor_id": getattr(actor, "pk", None),
        "actor_username": getattr(actor, "username", "") or "",
        "ip_address": context.ip_address,
        "channel": context.channel,
    }


def _fields(batch: dict, event: AuditEvent) -> dict:
    return {
        **batch,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": str(event.object_id) if event.object_id not in (None, "") else "",
        "case_id": event.case_id,
        "person_id": event.person_id,
        "detail": canonical_detail(event.detail),
    }


def _lock_head() -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        last = AccessLogEntry.objects.order_by("-id").only("id", "hash").first()
        head = ChainHead.objects.create(
            pk=1, last_id=last.id if last else 0, last_hash=last.hash if last else GENESIS
        )
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


_INSERT_COLUMNS = (*CHAINED_FIELDS, "prev_hash", "key_id", "hash")


@transaction.atomic
def record_many(actor, events: Iterable[AuditEvent]) -> int:
    """Append events in one chained batch (set-wise: one multi-row INSERT, no model objects)."""
    ring = key_ring()
    key_id, signer = ring.current_id, ring.signer()
    head = _lock_head()
    now = timezone.now()
    connection = connections[AccessLogEntry.objects.db]
    at_db = connection.ops.adapt_datetimefield_value(now)
    rows = []
    prev = head.last_hash
    batch = _batch_fields(actor, now)
    for event in events:
        fields = _fields(batch, event)
        digest = entry_hash(signer, prev, key_id, fields)
        rows.append(
            (
                at_db,
                fields["actor_id"],
                fields["actor_username"],
                fields["action"],
                fields["object_type"],
                fields["object_id"],
                fields["case_id"],
                fields["person_id"],
                fields["ip_address"],
                fields["channel"],
                fields["detail"],
                prev,
                key_id,
                digest,
            )
        )
        prev = digest
    if not rows:
        return 0
    table = connection.ops.quote_name(AccessLogEntry._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _INSERT_COLUMNS)
    placeholders = ", ".join(["%s"] * len(_INSERT_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
    head.last_hash = prev
    head.last_id = AccessLogEntry.objects.filter(hash=prev).values_list("id", flat=True).get()
    head.save(update_fields=["last_hash", "last_id"])
    return len(rows)


def record(
    actor,
    action: str,
    *,
    obj=None,
    object_type: str = "",
    object_id: Any = "",
    case_id: int | None = None,
    person_id: int | None = None,
    detail: dict | None = None,
) -> None:
    """Append one access-log row for `actor` doing `action` on `obj` (or the given ids)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    record_many(
        actor,
        [AuditEvent(action, object_type, object_id, case_id, person_id, detail)],
    )


def diff(before: dict, after: dict) -> dict:
    """Before/after values of the fields that changed, for a write's audit detail."""
    keys = sorted(set(before) | set(after))
    return {
        "before": {k: before.get(k) for k in keys if before.get(k) != after.get(k)},
        "after": {k: after.get(k) for k in keys if before.get(k) != after.get(k)},
    }


@dataclass
class ChainReport:
    checked: int
    problems: list[str]
    anchors: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def anchor_file() -> Path:
    return Path(settings.BISTAND_AUDIT_ANCHOR_FILE)


def _row_fields(row: AccessLogEntry) -> dict:
    fields = {k: getattr(row, k) for k in CHAINED_FIELDS}
    fields["at"] = row.at.astimezone(dt.UTC).isoformat()
    if fields["ip_address"] == "":
        fields["ip_address"] = None
    return fields


def verify_chain(anchor_path: Path | None = None) -> ChainReport:
    """Recompute every keyed hash and link in one pass, and hold the log against its anchors.

    Finds altered rows (even re-chained: the hash needs the key), removed rows (a broken
    link), and, through the anchors, a removed tail or an emptied table.
    """
    ring = key_ring()
    path = anchor_path or anchor_file()
    anchors, problems = read_anchors(path, ring)
    notes = [] if anchors else [f"no anchors in {path}: a removed tail cannot be detected"]
    by_last_id: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        if anchor.last_id:
            by_last_id.setdefault(anchor.last_id, []).append(anchor)
    signers: dict[str, Any] = {}
    prev = GENESIS
    count = 0
    for row in AccessLogEntry.objects.order_by("id").iterator(chunk_size=5000):
        count += 1
        if row.prev_hash != prev:
            problems.append(
                f"row {row.id}: previous-hash link broken (a row before it was removed or changed)"
            )
        if row.key_id not in ring.keys:
            problems.append(
                f"row {row.id}: signed with key {row.key_id!r}, which is not configured "
                "(forged, or a retired key is missing from BISTAND_AUDIT_RETIRED_KEYS_FILE)"
            )
        else:
            signer = signers.get(row.key_id) or signers.setdefault(
                row.key_id, ring.signer(row.key_id)
            )
            expected = entry_hash(signer, row.prev_hash, row.key_id, _row_fields(row))
            if not hmac.compare_digest(expected, row.hash):
                problems.append(
                    f"row {row.id}: content does not match its keyed hash "
                    "(row altered, or re-chained without the key)"
                )
        for anchor in by_last_id.pop(row.id, ()):
            if row.hash != anchor.last_hash:
                problems.append(
                    f"row {row.id}: hash differs from the anchor of {anchor.at} ({anchor.source}); "
                    "the row or the chain before it was rewritten after anchoring"
                )
            if count != anchor.rows:
                problems.append(
                    f"row {row.id}: {count} rows up to it, but the anchor of {anchor.at} "
                    f"recorded {anchor.rows} (rows removed or inserted before it)"
                )
        prev = row.hash
    for last_id, missing in sorted(by_last_id.items()):
        anchor = missing[-1]
        if count == 0:
            problems.append(
                f"the access log is empty, but the anchor of {anchor.at} recorded {anchor.rows} "
                "rows: the table was emptied (truncated)"
            )
            break
        problems.append(
            f"anchored row {last_id} is missing (anchor of {anchor.at}, {anchor.rows} rows; "
            f"the log now has {count}): the tail of the log was removed"
        )
    if anchors and count < max(a.rows for a in anchors) and count:
        problems.append(
            f"the access log has {count} rows, fewer than the {max(a.rows for a in anchors)} "
            "an anchor recorded: rows were removed"
        )
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != prev:
        problems.append("the chain head does not match the last row (rows removed at the end)")
    return ChainReport(count, problems, len(anchors), notes)


def write_anchor(anchor_path: Path | None = None) -> str:
    """Append the signed chain head to the anchor file and the anchor log; returns the line.

    Count, last id and last hash come from one consistent read: appends serialise on the
    chain head, so ids commit in order and no row can later appear below `last_id`.
    """
    with transaction.atomic():
        summary = AccessLogEntry.objects.aggregate(rows=Count("id"), last_id=Max("id"))
        last_id = summary["last_id"] or 0
        last_hash = (
            AccessLogEntry.objects.filter(id=last_id).values_list("hash", flat=True).first()
            or GENESIS
        )
    line = anchor_line(
        key_ring(),
        at=timezone.now().astimezone(dt.UTC).isoformat(),
        rows=summary["rows"],
        last_id=last_id,
        last_hash=last_hash,
    )
    append_line(anchor_path or anchor_file(), line)
    anchor_log.info(line)
    return line
