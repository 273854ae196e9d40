"""The SSBTEK adapter: one documented interface for register questions, a validator that
treats every reply as untrusted input, and the client chosen by settings.

The real service needs the municipality's agreement and certificate; `HttpRegisterClient`
speaks the interface in docs/controls.md over mutual TLS. The demo and the tests use
`controls.simulator.SimulatedRegister`, which answers in the same shape.

    client.fetch(request: RegisterRequest) -> bytes      # the raw reply body (JSON, UTF-8)
    raises RegisterTimeout / RegisterUnavailable

`ask(request, client)` calls the client and returns the validated, normalised answer or
raises a RegisterError with a Swedish message. Nothing of a refused reply is stored.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import ssl
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from .models import REGISTER_SOURCES, Source

SCHEMA = "ssbtek/1"
MAX_REPLY_BYTES = 64 * 1024
MAX_ITEMS = 300
MAX_TEXT = 200
MAX_AMOUNT = Decimal("10000000")
MAX_PERIOD_MONTHS = 13
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REGISTRATION = re.compile(r"^[A-Z0-9]{2,7}$")

# What each source may report (item kinds) and which stated income types they correspond to.
ITEM_KINDS: dict[str, dict[str, tuple[str, ...]]] = {
    Source.SKATTEVERKET: {"employment_income": ("wages",)},
    Source.FORSAKRINGSKASSAN: {
        "sickness_benefit": ("sickness_benefit",),
        "sickness_compensation": ("sickness_compensation",),
        "activity_compensation": ("activity_compensation",),
        "activity_support": ("activity_support",),
        "establishment_allowance": ("establishment_allowance",),
        "parental_benefit": ("parental_benefit",),
        "child_allowance": ("child_allowance",),
        "housing_allowance": ("housing_allowance",),
        "maintenance_support": ("maintenance_support",),
    },
    Source.ARBETSFORMEDLINGEN: {},
    Source.CSN: {"student_aid": ("student_aid",)},
    Source.PENSIONSMYNDIGHETEN: {"pension": ("pension",)},
    Source.AKASSA: {"unemployment_benefit": ("unemployment_benefit",)},
    Source.TRANSPORTSTYRELSEN: {},
}
ITEM_LABELS = {
    "employment_income": "Lön enligt arbetsgivardeklaration (efter skatteavdrag)",
    "sickness_benefit": "Sjukpenning",
    "sickness_compensation": "Sjukersättning",
    "activity_compensation": "Aktivitetsersättning",
    "activity_support": "Aktivitetsstöd",
    "establishment_allowance": "Etableringsersättning",
    "parental_benefit": "Föräldrapenning",
    "child_allowance": "Barnbidrag",
    "housing_allowance": "Bostadsbidrag",
    "maintenance_support": "Underhållsstöd",
    "student_aid": "Studiemedel",
    "pension": "Pension",
    "unemployment_benefit": "Arbetslöshetsersättning",
}
REGISTRATION_STATUSES = ("registered", "not_registered")


@dataclass(frozen=True)
class RegisterRequest:
    source: str
    subject: str  # personnummer, 12 digits
    period_from: dt.date
    period_to: dt.date
    purpose: str = "ekonomiskt bistånd"
    request_id: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "request_id": self.request_id,
            "source": self.source,
            "subject": self.subject,
            "period": {"from": f"{self.period_from:%Y-%m}", "to": f"{self.period_to:%Y-%m}"},
            "purpose": self.purpose,
        }


def new_request(source: str, subject: str, period_from: dt.date, period_to: dt.date):
    return RegisterRequest(source, subject, period_from, period_to, request_id=uuid.uuid4().hex)


class RegisterError(Exception):
    """The register could not give a usable answer; `message` is Swedish for the handler."""

    code = "register_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RegisterTimeout(RegisterError):
    code = "register_timeout"


class RegisterUnavailable(RegisterError):
    code = "register_unavailable"


class MalformedReply(RegisterError):
    code = "register_malformed_reply"


class RegisterClient(Protocol):
    def fetch(self, request: RegisterRequest) -> bytes: ...


class HttpRegisterClient:
    """The real service: POST the request as JSON over mutual TLS (the municipality's
    certificate), read at most MAX_REPLY_BYTES + 1 bytes of the reply."""

    def __init__(self, *, url: str, cert_file: str, key_file: str, ca_file: str | None = None,
                 timeout: float = 10.0) -> None:  # fmt: skip
        self.url, self.timeout = url, timeout
        self.context = ssl.create_default_context(cafile=ca_file)
        self.context.load_cert_chain(cert_file, key_file)

    def fetch(self, request: RegisterRequest) -> bytes:
        body = json.dumps(request.as_json()).encode()
        http_request = urllib.request.Request(
            self.url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(  # noqa: S310 - the configured https URL only
                http_request, timeout=self.timeout, context=self.context
            ) as response:
                return response.read(MAX_REPLY_BYTES + 1)
        except TimeoutError as error:
            raise RegisterTimeout("Registret svarade inte i tid. Försök igen senare.") from error
        except (urllib.error.URLError, OSError) as error:
            raise RegisterUnavailable(
                "Registret gick inte att nå just nu. Försök igen senare."
            ) from error


def get_client() -> RegisterClient:
    """The client named in settings.BISTAND_SSBTEK ("simulator" by default)."""
    config = dict(getattr(settings, "BISTAND_SSBTEK", {}) or {})
    kind = config.pop("client", "simulator")
    if kind == "simulator":
        from .simulator import SimulatedRegister

        return SimulatedRegister(**config)
    if kind == "http":
        return HttpRegisterClient(**config)
    return import_string(kind)(**config)


def ask(request: RegisterRequest, client: RegisterClient | None = None) -> dict[str, Any]:
    """Ask the register and return the validated answer (RegisterError otherwise)."""
    client = client or get_client()
    try:
        raw = client.fetch(request)
    except RegisterError:
        raise
    except TimeoutError as error:
        raise RegisterTimeout("Registret svarade inte i tid. Försök igen senare.") from error
    except Exception as error:  # noqa: BLE001 - any client failure is the register's failure
        raise RegisterUnavailable(
            "Registret gick inte att nå just nu. Försök igen senare."
        ) from error
    return validate_reply(raw, request)


# --- Validation of a reply ------------------------------------------------------------------


def _refuse(what: str) -> MalformedReply:
    return MalformedReply(
        f"Registrets svar kunde inte tas emot ({what}). Inget har sparats; försök igen eller "
        "kontrollera uppgiften på annat sätt."
    )


def _month(value: Any, what: str) -> dt.date:
    if not isinstance(value, str) or not MONTH.match(value):
        raise _refuse(f"{what} är inte en månad")
    return dt.date(int(value[:4]), int(value[5:7]), 1)


def _day(value: Any, what: str) -> str:
    if not isinstance(value, str) or not DAY.match(value):
        raise _refuse(f"{what} är inte ett datum")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise _refuse(f"{what} är inte ett datum") from None
    return value


def _text(value: Any, what: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or len(value) > MAX_TEXT or "\x00" in value:
        raise _refuse(f"{what} är ingen giltig text")
    if required and not value.strip():
        raise _refuse(f"{what} saknas")
    return value.strip()


def _amount(value: Any, what: str) -> Decimal:
    if not isinstance(value, str):
        raise _refuse(f"{what} är inget belopp")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise _refuse(f"{what} är inget belopp") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise _refuse(f"{what} ligger utanför rimliga gränser")
    if amount != amount.quantize(Decimal("0.01")):
        raise _refuse(f"{what} har fler än två decimaler")
    return amount.quantize(Decimal("0.01"))


def _list(value: Any, what: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _refuse(f"{what} är ingen lista")
    if len(value) > MAX_ITEMS:
        raise _refuse(f"för många rader i {what}")
    return value


def validate_reply(raw: bytes | str, request: RegisterRequest) -> dict[str, Any]:
    """Parse and check a reply against the request; return the normalised answer to store."""
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
    if not isinstance(reply, dict):
        raise _refuse("svaret är inget objekt")
    if reply.get("schema") != SCHEMA:
        raise _refuse("okänd svarsversion")
    if reply.get("request_id") != request.request_id:
        raise _refuse("svaret hör inte till frågan")
    if reply.get("source") != request.source or request.source not in REGISTER_SOURCES:
        raise _refuse("svaret kommer från fel källa")
    if reply.get("subject") != request.subject:
        raise _refuse("svaret gäller en annan person")
    period = reply.get("period")
    if not isinstance(period, dict):
        raise _refuse("period saknas")
    start, end = _month(period.get("from"), "perioden"), _month(period.get("to"), "perioden")
    if (start, end) != (request.period_from, request.period_to):
        raise _refuse("svaret gäller en annan period")
    status = reply.get("status")
    if status not in ("ok", "no_data"):
        raise _refuse("okänd status")
    answered_at = _text(reply.get("answered_at"), "svarstid")
    try:
        dt.datetime.fromisoformat(answered_at)
    except ValueError:
        raise _refuse("svarstiden är ingen tidpunkt") from None

    kinds = ITEM_KINDS[request.source]
    items = []
    for raw_item in _list(reply.get("items"), "inkomster"):
        if not isinstance(raw_item, dict):
            raise _refuse("en rad är inget objekt")
        month = _month(raw_item.get("month"), "en rads månad")
        if not start <= month <= end:
            raise _refuse("en rad ligger utanför perioden")
        kind = raw_item.get("kind")
        if kind not in kinds:
            raise _refuse("en rad har en okänd typ för källan")
        item = {
            "month": f"{month:%Y-%m}",
            "kind": kind,
            "payer": _text(raw_item.get("payer"), "utbetalare"),
            "amount": str(_amount(raw_item.get("amount"), "beloppet")),
        }
        if request.source == Source.SKATTEVERKET:
            tax = _amount(raw_item.get("tax", "0.00"), "skatteavdraget")
            if tax > Decimal(item["amount"]):
                raise _refuse("skatteavdraget är större än lönen")
            item["tax"] = str(tax)
        items.append(item)

    vehicles = []
    for raw_vehicle in _list(reply.get("vehicles"), "fordon"):
        if request.source != Source.TRANSPORTSTYRELSEN or not isinstance(raw_vehicle, dict):
            raise _refuse("fordonsuppgift från fel källa")
        registration = raw_vehicle.get("registration")
        if not isinstance(registration, str) or not REGISTRATION.match(registration):
            raise _refuse("registreringsnumret är ogiltigt")
        model_year = raw_vehicle.get("model_year")
        if (
            not isinstance(model_year, int)
            or isinstance(model_year, bool)
            or not (1900 <= model_year <= request.period_to.year + 1)
        ):
            raise _refuse("årsmodellen är ogiltig")
        vehicles.append(
            {
                "registration": registration,
                "make": _text(raw_vehicle.get("make"), "fabrikat"),
                "model_year": model_year,
                "owned_since": _day(raw_vehicle.get("owned_since"), "ägd sedan"),
                "estimated_value": str(_amount(raw_vehicle.get("estimated_value"), "värdet")),
            }
        )

    registrations = []
    for raw_registration in _list(reply.get("registrations"), "inskrivningar"):
        if request.source != Source.ARBETSFORMEDLINGEN or not isinstance(raw_registration, dict):
            raise _refuse("inskrivning från fel källa")
        state = raw_registration.get("status")
        if state not in REGISTRATION_STATUSES:
            raise _refuse("okänd inskrivningsstatus")
        registrations.append(
            {
                "status": state,
                "since": _day(raw_registration.get("since"), "inskriven sedan")
                if state == "registered"
                else "",
                "programme": _text(raw_registration.get("programme"), "program", required=False),
            }
        )
    return {
        "schema": SCHEMA,
        "request_id": request.request_id,
        "source": request.source,
        "period": {"from": f"{start:%Y-%m}", "to": f"{end:%Y-%m}"},
        "status": status,
        "answered_at": answered_at,
        "items": items,
        "vehicles": vehicles,
        "registrations": registrations,
    }
