"""Writing to the access log. Every other app calls `record` (or `record_many` set-wise)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connections, transaction
from django.utils import timezone

from .chain import CHAINED_FIELDS, GENESIS, canonical_detail, entry_hash
from .context import current_context
from .models import AccessLogEntry, ChainHead


@dataclass
class AuditEvent:
    action: str
    object_type: str = ""
    object_id: Any = ""
    case_id: int | None = None
    person_id: int | None = None
    detail: dict | None = None


def _fields(actor, event: AuditEvent, at: dt.datetime) -> dict:
    context = current_context.get()
    return {
        "at": at.astimezone(dt.UTC).isoformat(),
        "actor_id": getattr(actor, "pk", None),
        "actor_username": getattr(actor, "username", "") or "",
        "action": event.action,
        "object_type": event.object_type,
        "object_id": str(event.object_id) if event.object_id not in (None, "") else "",
        "case_id": event.case_id,
        "person_id": event.person_id,
        "ip_address": context.ip_address,
        "channel": context.channel,
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


_INSERT_COLUMNS = (
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
    "prev_hash",
    "hash",
)


@transaction.atomic
def record_many(actor, events: Iterable[AuditEvent]) -> int:
    """Append events in one chained batch (set-wise: one multi-row INSERT, no model objects)."""
    head = _lock_head()
    now = timezone.now()
    connection = connections[AccessLogEntry.objects.db]
    at_db = connection.ops.adapt_datetimefield_value(now)
    rows = []
    prev = head.last_hash
    for event in events:
        fields = _fields(actor, event, now)
        digest = entry_hash(prev, fields)
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

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain() -> ChainReport:
    """Recompute every hash; report deleted, inserted or altered rows."""
    problems: list[str] = []
    prev = GENESIS
    count = 0
    for row in AccessLogEntry.objects.order_by("id").iterator(chunk_size=5000):
        fields = {
            "at": row.at.astimezone(dt.UTC).isoformat(),
            **{k: getattr(row, k) for k in CHAINED_FIELDS if k != "at"},
        }
        if fields["ip_address"] == "":
            fields["ip_address"] = None
        if row.prev_hash != prev:
            problems.append(
                f"row {row.id}: previous-hash link broken (a row before it was removed or changed)"
            )
        if entry_hash(row.prev_hash, fields) != row.hash:
            problems.append(f"row {row.id}: content does not match its hash (row altered)")
        prev = row.hash
        count += 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != prev:
        problems.append("the chain head does not match the last row (rows removed at the end)")
    return ChainReport(count, problems)
