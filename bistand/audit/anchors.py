"""Anchors: the chain head written where someone with database access cannot rewrite it.

`bistand audit-anchor` appends one signed JSON line {time, row count, last id, last hash} to an
append-only file (BISTAND_AUDIT_ANCHOR_FILE) and logs the same line to the
`bistand.audit.anchor` logger (a SysLogHandler when BISTAND_AUDIT_SYSLOG is set).
`verify-audit` then proves that every anchored row is still there, unchanged.
"""

from __future__ import annotations

import hmac
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from .chain import ANCHOR_TYPE, anchor_mac
from .keys import KeyRing


@dataclass(frozen=True)
class Anchor:
    at: str
    rows: int
    last_id: int
    last_hash: str
    key_id: str
    source: str  # file and line, for messages
    # chain -> (rows in the chain, its last id, its last hash). An anchor written before there
    # were several chains covers chain 0 alone (every row then was in chain 0).
    chains: dict[int, tuple[int, int, str]] = field(default_factory=dict)


def anchor_line(
    ring: KeyRing,
    *,
    at: str,
    rows: int,
    last_id: int,
    last_hash: str,
    chains: dict[str, dict] | None = None,
) -> str:
    anchor = {
        "type": ANCHOR_TYPE,
        "at": at,
        "rows": rows,
        "last_id": last_id,
        "last_hash": last_hash,
        "key_id": ring.current_id,
    }
    if chains is not None:
        anchor["chains"] = chains
    anchor["mac"] = anchor_mac(ring.signer(), anchor)
    return json.dumps(anchor, sort_keys=True, separators=(",", ":"))


def append_line(path: Path, line: str) -> None:
    """Append one line with O_APPEND and fsync; never truncates or rewrites the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, (line + "\n").encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_anchors(path: Path, ring: KeyRing) -> tuple[list[Anchor], list[str]]:
    """Anchors from a file (the anchor file or a syslog copy: the JSON may follow a prefix)."""
    anchors: list[Anchor] = []
    problems: list[str] = []
    if not path.exists():
        return anchors, problems
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if ANCHOR_TYPE not in line:
                continue
            source = f"{path}:{number}"
            try:
                data = json.loads(line[line.index("{") :])
                anchor = Anchor(
                    at=str(data["at"]),
                    rows=int(data["rows"]),
                    last_id=int(data["last_id"]),
                    last_hash=str(data["last_hash"]),
                    key_id=str(data["key_id"]),
                    source=source,
                )
                mac = str(data["mac"])
                if "chains" in data:
                    chains = {
                        int(chain): (int(c["rows"]), int(c["last_id"]), str(c["last_hash"]))
                        for chain, c in data["chains"].items()
                    }
                else:
                    chains = {0: (anchor.rows, anchor.last_id, anchor.last_hash)}
                anchor = replace(anchor, chains=chains)
            except (ValueError, KeyError, TypeError, AttributeError):
                problems.append(f"anchor {source}: not a readable anchor line")
                continue
            if anchor.key_id not in ring.keys:
                problems.append(
                    f"anchor {source}: signed with key {anchor.key_id!r}, which is not configured"
                )
                continue
            if not hmac.compare_digest(mac, anchor_mac(ring.signer(anchor.key_id), data)):
                problems.append(f"anchor {source}: signature does not match (line altered)")
                continue
            anchors.append(anchor)
    return anchors, problems
