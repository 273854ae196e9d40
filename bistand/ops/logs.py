"""Structured logs: one JSON object a line, with the request id and the acting user's id.

Personal data never reaches the log: fields are an allow-list, a request is named by its URL
pattern (`arende/<int:case_id>/`), never its path or query string, and an exception keeps its
type and frames but not its message (a database error quotes the row: an identity number in a
unique-key violation).
"""

from __future__ import annotations

import json
import logging
import traceback
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.utils.functional import SimpleLazyObject


@dataclass
class RequestLogContext:
    request_id: str
    request: Any = None
    extra: dict = field(default_factory=dict)


current_request: ContextVar[RequestLogContext | None] = ContextVar("bistand_request", default=None)

# Extra fields a log call may add (logger.info(..., extra={...})); anything else is dropped.
ALLOWED_EXTRA = (
    "event",
    "method",
    "route",
    "view",
    "status",
    "duration_ms",
    "db_queries",
    "worker_pid",
    "check",
)


def acting_user_id(request) -> int | None:
    """The logged-in user's id if the request already loaded the user (never loads it: a probe
    or a static file must not read the session table)."""
    if request is None:
        return None
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = getattr(request, "_cached_user", None)  # set once the lazy user was read
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


def route_of(request) -> str:
    """The URL pattern that answered (no ids of persons, no query string)."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return "/" + match.route
    return "<unmatched>"


class RequestContextFilter(logging.Filter):
    """Adds request_id and user_id to every record logged while a request is handled, and
    replaces Django's request path in its own messages (`Not Found: /path`) by the route."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current_request.get()
        record.request_id = context.request_id if context else "-"
        record.user_id = acting_user_id(context.request) if context else None
        request = getattr(record, "request", None)
        if request is not None and isinstance(record.args, tuple):
            path = getattr(request, "path", None)
            record.args = tuple(route_of(request) if arg == path else arg for arg in record.args)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request_id, user_id, the
    allowed extra fields, and for an exception its type and frames."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id and request_id != "-":
            entry["request_id"] = request_id
        user_id = getattr(record, "user_id", None)
        if user_id is not None:
            entry["user_id"] = user_id
        for name in ALLOWED_EXTRA:
            if name in record.__dict__:
                entry[name] = record.__dict__[name]
        if record.exc_info and record.exc_info[0] is not None:
            kind, _, tb = record.exc_info
            entry["exception"] = f"{kind.__module__}.{kind.__qualname__}"
            entry["frames"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(tb)
            ][-15:]
        return json.dumps(entry, ensure_ascii=False, default=str)
