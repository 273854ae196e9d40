"""Request context (address, channel) for audit rows, set by middleware."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    channel: str = "command"


current_context: ContextVar[RequestContext] = ContextVar("audit_context", default=RequestContext())  # noqa: B039 (frozen)
