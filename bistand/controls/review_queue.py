"""The review queue's registry: kinds of change the unit head (or a controller) signs off.

Payments sits above controls and owns the changes (payee account changes, manual payments,
requisitions, decisions above the amount limit), so it registers a source per kind from
`PaymentsConfig.ready()`, as higher apps extend `cases.views.CASE_PANELS`. Without a source a
kind is simply absent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class QueueItem:
    kind: str
    object_id: int
    unit_id: int
    made_at: dt.datetime
    summary: str
    made_by_ids: tuple[int, ...] = ()
    made_by: str = ""
    case_id: int | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class QueueSource:
    kind: str
    label: str
    # items(unit_id, since) -> the unit's changes of this kind made on or after `since`
    items: Callable[[int, dt.date], list[QueueItem]]
    # get(unit_id, object_id) -> one of them, or None (another unit's, or not of this kind)
    get: Callable[[int, int], QueueItem | None]
    order: int = 50


SOURCES: dict[str, QueueSource] = {}


def register_queue_source(source: QueueSource) -> None:
    SOURCES[source.kind] = source


def sources() -> list[QueueSource]:
    return sorted(SOURCES.values(), key=lambda s: (s.order, s.kind))
