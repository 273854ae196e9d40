"""Access-log rows for the bulk history, collected while writing and appended set-wise."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from bistand.audit.services import AuditEvent, record_many

# The loader itself, for rows no staff member wrote (the organisation).
SYSTEM_ACTOR = SimpleNamespace(pk=None, username="system:demo")


class AuditBuffer:
    """Access-log events collected while writing, flushed set-wise per actor."""

    def __init__(self) -> None:
        self.events: dict[Any, tuple[Any, list[AuditEvent]]] = {}

    def add(self, actor, action: str, obj_type: str, obj_id, **kwargs) -> None:
        detail = kwargs.pop("detail", None) or {}
        detail["source"] = "demo"
        key = getattr(actor, "pk", None)
        self.events.setdefault(key, (actor, []))[1].append(
            AuditEvent(action, obj_type, obj_id, detail=detail, **kwargs)
        )

    def flush(self) -> int:
        written = 0
        for actor, events in self.events.values():
            written += record_many(actor, events)
        self.events.clear()
        return written
