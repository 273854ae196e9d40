"""Writing to the access log. Every other app calls `record` (or `record_many` set-wise).

Also the two checks on it: `verify_chain` (keyed hashes, links, anchors) and `write_anchor`.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Count, F, Max
from django.db.models.functions import Mod
from django.utils import timezone

from .anchors import Anchor, anchor_line, append_line, read_anchors
from .chain import CHAINED_FIELDS, GENESIS, canonical_detail, entry_hash, genesis
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


def chain_count() -> int:
    return settings.BISTAND_AUDIT_CHAINS


def _preferred_chain(connection, chains: int) -> int:
    """The chain this connection used last (so one transaction keeps to the head it holds),
    else one spread by process and thread."""
    chain = getattr(connection, "bistand_audit_chain", None)
    if chain is None or chain >= chains:
        chain = hash((os.getpid(), threading.get_ident())) % chains
    return chain


def _create_missing_heads(chains: int) -> None:
    """Heads for chains 0..chains-1 that have none yet, each on its chain's last row."""
    existing = set(ChainHead.objects.values_list("chain", flat=True))
    missing = []
    for chain in range(chains):
        if chain in existing:
            continue
        last = AccessLogEntry.objects.filter(chain=chain).order_by("-id").only("id", "hash").first()
        missing.append(
            ChainHead(
                pk=chain + 1,  # chain 0 keeps the id the single head always had
                chain=chain,
                last_id=last.id if last else 0,
                last_hash=last.hash if last else genesis(chain),
            )
        )
    ChainHead.objects.bulk_create(missing, ignore_conflicts=True)


def _lock_head(connection) -> ChainHead:
    """Lock the head of a chain for this transaction: the preferred one if free, else any
    free one (SKIP LOCKED), so that concurrent requests append to different chains instead
    of queueing on one row. Only when every head is held does it wait (for the preferred)."""
    chains = chain_count()
    preferred = _preferred_chain(connection, chains)
    heads = ChainHead.objects.filter(chain__lt=chains)
    head = None
    if chains > 1 and connection.features.has_select_for_update_skip_locked:
        head = (
            heads.select_for_update(skip_locked=True)
            .annotate(turn=Mod(F("chain") + (chains - preferred), chains))
            .order_by("turn")
            .first()
        )
    if head is None:
        head = heads.select_for_update().filter(chain=preferred).first()
    if head is None:
        _create_missing_heads(chains)
        head = heads.select_for_update().get(chain=preferred)
    connection.bistand_audit_chain = head.chain
    return head


_INSERT_COLUMNS = (*CHAINED_FIELDS, "prev_hash", "key_id", "hash", "chain")


def record_many(actor, events: Iterable[AuditEvent]) -> int:
    """Append events in one chained batch (set-wise: one multi-row INSERT, no model objects).

    Inside the caller's transaction when there is one (no savepoint: a failed audit write
    fails the whole act), else in a transaction of its own.
    """
    connection = connections[AccessLogEntry.objects.db]
    with transaction.atomic(using=connection.alias, savepoint=False):
        return _append(connection, actor, events)


def _append(connection, actor, events: Iterable[AuditEvent]) -> int:
    ring = key_ring()
    key_id, signer = ring.current_id, ring.signer()
    events = list(events)
    if not events:
        return 0
    head = _lock_head(connection)
    chain = head.chain
    now = timezone.now()
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
                chain,
            )
        )
        prev = digest
    table = connection.ops.quote_name(AccessLogEntry._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _INSERT_COLUMNS)
    placeholders = ", ".join(["%s"] * len(_INSERT_COLUMNS))
    insert = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        if len(rows) == 1 and connection.features.can_return_columns_from_insert:
            cursor.execute(f"{insert} RETURNING {connection.ops.quote_name('id')}", rows[0])
            last_id = cursor.fetchone()[0]
        else:
            cursor.executemany(insert, rows)
            last_id = None
    if last_id is None:
        last_id = AccessLogEntry.objects.filter(hash=prev).values_list("id", flat=True).get()
    ChainHead.objects.filter(pk=head.pk).update(last_hash=prev, last_id=last_id)
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

    Each chain is checked on its own (rows in id order, each linking to the previous row of
    the same chain, the first to the chain's genesis). Finds altered rows (even re-chained:
    the hash needs the key), removed rows (a broken link), and, through the anchors, a removed
    tail of any chain or an emptied table.
    """
    ring = key_ring()
    path = anchor_path or anchor_file()
    anchors, problems = read_anchors(path, ring)
    notes = [] if anchors else [f"no anchors in {path}: a removed tail cannot be detected"]
    # anchored row id -> (anchor, chain, rows of the chain up to it, its hash)
    by_last_id: dict[int, list[tuple[Anchor, int, int, str]]] = {}
    for anchor in anchors:
        for chain, (rows, last_id, last_hash) in anchor.chains.items():
            if last_id:
                by_last_id.setdefault(last_id, []).append((anchor, chain, rows, last_hash))
    signers: dict[str, Any] = {}
    prev: dict[int, str] = {}
    counts: dict[int, int] = {}
    count = 0
    # Plain named rows, not model instances: a yearly log has millions of rows.
    columns = ("id", "chain", "prev_hash", "key_id", "hash", *CHAINED_FIELDS)
    rows = AccessLogEntry.objects.order_by("id").values_list(*dict.fromkeys(columns), named=True)
    for row in rows.iterator(chunk_size=5000):
        count += 1
        chain = row.chain
        counts[chain] = counts.get(chain, 0) + 1
        if row.prev_hash != prev.get(chain, genesis(chain)):
            problems.append(
                f"row {row.id}: previous-hash link broken in chain {chain} "
                "(a row before it was removed or changed, or the row moved to another chain)"
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
        for anchor, anchored_chain, rows, last_hash in by_last_id.pop(row.id, ()):
            if row.hash != last_hash or chain != anchored_chain:
                problems.append(
                    f"row {row.id}: hash differs from the anchor of {anchor.at} ({anchor.source}); "
                    "the row or the chain before it was rewritten after anchoring"
                )
            if counts[chain] != rows:
                problems.append(
                    f"row {row.id}: {counts[chain]} rows up to it in chain {chain}, but the anchor "
                    f"of {anchor.at} recorded {rows} (rows removed or inserted before it)"
                )
        prev[chain] = row.hash
    reported_chains: set[int] = set()
    for last_id, missing in sorted(by_last_id.items()):
        anchor, chain, rows, _ = missing[-1]
        if count == 0:
            problems.append(
                f"the access log is empty, but the anchor of {anchor.at} recorded {anchor.rows} "
                "rows: the table was emptied (truncated)"
            )
            break
        if chain in reported_chains:
            continue
        reported_chains.add(chain)
        problems.append(
            f"anchored row {last_id} of chain {chain} is missing (anchor of {anchor.at}, "
            f"{rows} rows in the chain; it now has {counts.get(chain, 0)}): the tail of the "
            "log was removed"
        )
    if anchors and count < max(a.rows for a in anchors) and count:
        problems.append(
            f"the access log has {count} rows, fewer than the {max(a.rows for a in anchors)} "
            "an anchor recorded: rows were removed"
        )
    for head in ChainHead.objects.all():
        if head.last_hash != prev.get(head.chain, genesis(head.chain)):
            problems.append(
                f"the head of chain {head.chain} does not match its last row "
                "(rows removed at the end)"
            )
    return ChainReport(count, problems, len(anchors), notes)


def write_anchor(anchor_path: Path | None = None) -> str:
    """Append the signed heads of every chain to the anchor file and the anchor log; returns
    the line.

    Counts, last ids and last hashes come from one statement (one snapshot): appends to a
    chain serialise on its head, so a chain's ids commit in order and no row of it can later
    appear below its anchored last id.
    """
    with transaction.atomic():
        by_chain = list(
            AccessLogEntry.objects.values("chain")
            .annotate(rows=Count("id"), last_id=Max("id"))
            .order_by("chain")
        )
        hashes = dict(
            AccessLogEntry.objects.filter(id__in=[c["last_id"] for c in by_chain]).values_list(
                "id", "hash"
            )
        )
    chains = {
        str(c["chain"]): {
            "rows": c["rows"],
            "last_id": c["last_id"],
            "last_hash": hashes[c["last_id"]],
        }
        for c in by_chain
    }
    last_id = max((c["last_id"] for c in by_chain), default=0)
    line = anchor_line(
        key_ring(),
        at=timezone.now().astimezone(dt.UTC).isoformat(),
        rows=sum(c["rows"] for c in by_chain),
        last_id=last_id,
        last_hash=hashes.get(last_id, GENESIS),
        chains=chains,
    )
    append_line(anchor_path or anchor_file(), line)
    anchor_log.info(line)
    return line
