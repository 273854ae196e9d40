"""Arbetsförmedlingen's "kan omfattas" notices fetched through an adapter: one interface, a
validator that treats every reply as untrusted input, and the client chosen by settings (the
same pattern as controls.adapter for SSBTEK).

**AF's real interface does not exist yet** (AF and SKR are designing the transfer, issue #16).
The request and reply shapes below are **our own**, spoken only by the local simulator
(`activity.af_simulator.SimulatedAF`); they are not AF's field names. A real client is added
by naming its class in settings once AF publishes the interface:

    BISTAND_AF_NOTICES = {"client": "simulator"}             # the default
    BISTAND_AF_NOTICES = {"client": "dotted.path.Client", ...}  # kwargs passed on

    client.fetch(request: NoticeRequest) -> bytes      # the raw reply body (JSON, UTF-8)
    raises AFUnavailable

`ask(request, client)` returns the validated notices or raises AFError (Swedish message).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

SCHEMA = "bistand-af-notices-sim/1"  # our own, not AF's
MAX_REPLY_BYTES = 512 * 1024
MAX_NOTICES = 2000
MAX_NOTE = 300
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
IDENTITY = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class NoticeRequest:
    since: dt.date
    until: dt.date
    request_id: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "request_id": self.request_id,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
        }


def new_request(since: dt.date, until: dt.date) -> NoticeRequest:
    return NoticeRequest(since, until, request_id=uuid.uuid4().hex)


@dataclass(frozen=True)
class FetchedNotice:
    identity_number: str  # 12 digits
    notice_on: dt.date
    note: str


class AFError(Exception):
    """No usable answer; `message` is Swedish for the user."""

    code = "af_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AFUnavailable(AFError):
    code = "af_unavailable"


class AFMalformedReply(AFError):
    code = "af_malformed_reply"


class NoticeClient(Protocol):
    source_label: str

    def fetch(self, request: NoticeRequest) -> bytes: ...


def get_client() -> NoticeClient:
    """The client named in settings.BISTAND_AF_NOTICES ("simulator" by default)."""
    config = dict(getattr(settings, "BISTAND_AF_NOTICES", {}) or {})
    kind = config.pop("client", "simulator")
    if kind == "simulator":
        from .af_simulator import SimulatedAF

        return SimulatedAF(**config)
    return import_string(kind)(**config)


def ask(request: NoticeRequest, client: NoticeClient) -> list[FetchedNotice]:
    try:
        raw = client.fetch(request)
    except AFError:
        raise
    except Exception as error:  # noqa: BLE001 - any client failure is the service's failure
        raise AFUnavailable(
            "Arbetsförmedlingens tjänst gick inte att nå just nu. Försök igen senare."
        ) from error
    return validate_reply(raw, request)


def _refuse(what: str) -> AFMalformedReply:
    return AFMalformedReply(
        f"Svaret från Arbetsförmedlingens tjänst kunde inte tas emot ({what}). Inget har sparats."
    )


def _day(value: Any, what: str) -> dt.date:
    if not isinstance(value, str) or not DAY.match(value):
        raise _refuse(f"{what} är inte ett datum")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _refuse(f"{what} är inte ett datum") from None


def validate_reply(raw: bytes | str, request: NoticeRequest) -> list[FetchedNotice]:
    """Parse and check a reply against the request; return the notices (each checked)."""
    if isinstance(raw, str):
        raw = raw.encode()
    if not isinstance(raw, bytes | bytearray):
        raise _refuse("svaret är inte text")
    if len(raw) > MAX_REPLY_BYTES:
        raise _refuse(f"svaret är större än {MAX_REPLY_BYTES // 1024} kB")
    try:
        reply = json.loads(raw.decode("utf-8"), parse_constant=lambda name: None)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise _refuse("svaret är inte giltig JSON") from None
    if not isinstance(reply, dict) or reply.get("schema") != SCHEMA:
        raise _refuse("okänd svarsversion")
    if reply.get("request_id") != request.request_id:
        raise _refuse("svaret hör inte till frågan")
    notices = reply.get("notices")
    if not isinstance(notices, list):
        raise _refuse("underrättelser saknas")
    if len(notices) > MAX_NOTICES:
        raise _refuse(f"fler än {MAX_NOTICES} underrättelser")
    found: list[FetchedNotice] = []
    for item in notices:
        if not isinstance(item, dict):
            raise _refuse("en underrättelse är inget objekt")
        identity = item.get("personnummer")
        if not isinstance(identity, str) or not IDENTITY.match(identity):
            raise _refuse("ett personnummer är ogiltigt")
        notice_on = _day(item.get("datum"), "underrättelsens datum")
        if not request.since <= notice_on <= request.until:
            raise _refuse("en underrättelse ligger utanför perioden")
        note = item.get("kommentar", "")
        if not isinstance(note, str) or len(note) > MAX_NOTE or "\x00" in note:
            raise _refuse("en kommentar är ogiltig")
        found.append(FetchedNotice(identity, notice_on, note.strip()))
    return found
