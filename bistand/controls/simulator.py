"""A local stand-in for SSBTEK (and the vehicle register) with the same request and reply
shape as the real service (docs/controls.md). The demo and the tests use it.

Answers are deterministic, derived from the person's identity number, the month and the
source: what the person stated in their applications for the month is what the registers
mostly know, and about one person-month in seven differs (an income not stated, a benefit
higher than stated, a car). Faults are injected by identity number (`faults`) or by a share
of requests (`fault_rate`, deterministic per request subject and month), for demos of the
error handling:

    BISTAND_SSBTEK = {"client": "simulator",
                      "faults": {"timeout": ["198309192394"], "malformed": [...]},
                      "fault_rate": 0.0}

Fault kinds: timeout, unavailable, malformed (not JSON), oversized (over the size limit),
wrong_subject (an answer about someone else), bad_amount (NaN as an amount).
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from django.utils import timezone

from bistand.cases.models import Application
from bistand.core.dates import add_months
from bistand.households.models import HouseholdMembership, MemberRole

from .adapter import (
    MAX_REPLY_BYTES,
    SCHEMA,
    RegisterRequest,
    RegisterTimeout,
    RegisterUnavailable,
)
from .models import Source

FAULT_KINDS = ("timeout", "unavailable", "malformed", "oversized", "wrong_subject", "bad_amount")
EMPLOYERS = ("Städbolaget Ren AB", "Lagerhuset i Mälardalen AB", "Vård & Omsorg Syd AB",
             "Byggservice Nord AB", "Restaurang Gläntan HB")  # fmt: skip
MAKES = ("Volvo", "Toyota", "Volkswagen", "Ford", "Opel")
PAYERS = {
    Source.FORSAKRINGSKASSAN: "Försäkringskassan",
    Source.CSN: "CSN",
    Source.PENSIONSMYNDIGHETEN: "Pensionsmyndigheten",
    Source.AKASSA: "Arbetslöshetskassan Alfa",
}
KIND_OF_STATED = {
    "wages": (Source.SKATTEVERKET, "employment_income"),
    "unemployment_benefit": (Source.AKASSA, "unemployment_benefit"),
    "student_aid": (Source.CSN, "student_aid"),
    "pension": (Source.PENSIONSMYNDIGHETEN, "pension"),
    **{
        kind: (Source.FORSAKRINGSKASSAN, kind)
        for kind in (
            "sickness_benefit", "sickness_compensation", "activity_compensation",
            "activity_support", "establishment_allowance", "parental_benefit",
            "child_allowance", "housing_allowance", "maintenance_support",
        )
    },
}  # fmt: skip


def _draw(*parts: object) -> int:
    """A stable number 0..9999 from the parts (same question, same answer)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()
    return int(digest[:8], 16) % 10000


def _months(start, end):
    month = start
    while month <= end:
        yield month
        month = add_months(month, 1)


class SimulatedRegister:
    """The simulated service. `fetch` returns the reply body as bytes, as the real one does."""

    def __init__(self, *, faults: dict | None = None, fault_rate: float = 0.0, **_ignored) -> None:
        self.faults = {kind: set(faults.get(kind, ())) for kind in FAULT_KINDS} if faults else {}
        self.fault_rate = float(fault_rate)

    def _fault(self, request: RegisterRequest) -> str:
        for kind, subjects in self.faults.items():
            if request.subject in subjects:
                return kind
        if self.fault_rate > 0:
            draw = _draw("fault", request.subject, request.source, request.period_to)
            if draw < self.fault_rate * 10000:
                return FAULT_KINDS[draw % 2]  # timeouts and outages, as in real life
        return ""

    def fetch(self, request: RegisterRequest) -> bytes:
        fault = self._fault(request)
        if fault == "timeout":
            raise RegisterTimeout("Registret svarade inte i tid. Försök igen senare.")
        if fault == "unavailable":
            raise RegisterUnavailable("Registret gick inte att nå just nu. Försök igen senare.")
        if fault == "malformed":
            return b'{"schema": "ssbtek/1", "items": [<html>'
        reply = self.reply(request)
        if fault == "oversized":
            reply["items"] = reply["items"] + [
                {"month": reply["period"]["to"], "kind": "x", "payer": "x" * 190, "amount": "1.00"}
            ] * (MAX_REPLY_BYTES // 150)
        if fault == "wrong_subject":
            reply["subject"] = "191212121212"
        if fault == "bad_amount":
            reply["items"] = [
                {"month": reply["period"]["to"], "kind": next(iter(_kinds(request.source)), "x"),
                 "payer": "Okänd", "amount": "NaN"}
            ]  # fmt: skip
        return json.dumps(reply, ensure_ascii=False).encode()

    def reply(self, request: RegisterRequest) -> dict:
        items, vehicles, registrations = [], [], []
        stated = _stated_incomes(request.subject, request.period_from, request.period_to)
        for month in _months(request.period_from, request.period_to):
            drift = _draw(request.subject, f"{month:%Y-%m}")
            for kind, amount in stated.get(month, {}).items():
                source, item_kind = KIND_OF_STATED.get(kind, (None, None))
                if source != request.source:
                    continue
                if drift % 7 == 1:
                    amount = (amount * Decimal("1.25")).quantize(Decimal("1"))  # more than stated
                items.append(_item(request, month, item_kind, amount))
            undeclared = drift % 7 == 3
            if undeclared and request.source == Source.SKATTEVERKET:
                items.append(
                    _item(request, month, "employment_income", Decimal(2000 + drift % 4000))
                )
        if request.source == Source.TRANSPORTSTYRELSEN:
            draw = _draw("vehicle", request.subject)
            if draw % 9 == 0:
                vehicles.append(
                    {
                        "registration": f"{'ABCDEFGHJK'[draw % 10]}{'LMNOPRSTUW'[draw // 10 % 10]}"
                        f"{'XYZABCDEFG'[draw // 100 % 10]}{draw % 900 + 100}",
                        "make": MAKES[draw % len(MAKES)],
                        "model_year": 2004 + draw % 15,
                        "owned_since": f"{2015 + draw % 8}-0{1 + draw % 9}-15",
                        "estimated_value": f"{8000 + (draw % 30) * 1000}.00",
                    }
                )
        if request.source == Source.ARBETSFORMEDLINGEN:
            draw = _draw("af", request.subject)
            if draw % 5:
                registrations.append(
                    {"status": "registered", "since": f"{request.period_from.year - 1}-0{1 + draw % 9}-01",
                     "programme": "Jobbgarantin" if draw % 3 == 0 else ""}
                )  # fmt: skip
            else:
                registrations.append({"status": "not_registered", "since": "", "programme": ""})
        return {
            "schema": SCHEMA,
            "request_id": request.request_id,
            "source": request.source,
            "subject": request.subject,
            "period": {"from": f"{request.period_from:%Y-%m}", "to": f"{request.period_to:%Y-%m}"},
            "status": "ok" if items or vehicles or registrations else "no_data",
            "answered_at": timezone.now().isoformat(),
            "items": items,
            "vehicles": vehicles,
            "registrations": registrations,
        }


def _kinds(source: str):
    from .adapter import ITEM_KINDS

    return ITEM_KINDS.get(source, {})


def _item(request: RegisterRequest, month, kind: str, amount: Decimal) -> dict:
    item = {"month": f"{month:%Y-%m}", "kind": kind, "amount": f"{amount:.2f}"}
    if request.source == Source.SKATTEVERKET:
        # Employer declaration per payee: gross pay and the tax withheld (about 24 %).
        gross = (amount / Decimal("0.76")).quantize(Decimal("0.01"))
        item.update(
            payer=EMPLOYERS[_draw(request.subject) % len(EMPLOYERS)],
            amount=f"{gross:.2f}",
            tax=f"{gross - amount:.2f}",
        )
    else:
        item["payer"] = PAYERS.get(request.source, "Myndigheten")
    return item


def _stated_incomes(identity_number: str, start, end) -> dict:
    """{month: {income type: amount}} the person stated in applications for these months."""
    memberships = HouseholdMembership.objects.filter(
        person__identity_number=identity_number
    ).values_list("household_id", "person_id", "role")
    households = {household for household, _person, _role in memberships}
    if not households:
        return {}
    person_id = next(person for _household, person, _role in memberships)
    applicant = any(role == MemberRole.APPLICANT for _h, _p, role in memberships)
    stated: dict = {}
    for month, incomes in Application.objects.filter(
        case__household_id__in=households, month__gte=start, month__lte=end
    ).values_list("month", "stated_incomes"):
        for income in incomes or []:
            owner = income.get("person_id")
            if owner not in (None, "") and str(owner) != str(person_id):
                continue
            if owner in (None, "") and not applicant:
                continue
            try:
                amount = Decimal(str(income.get("amount")))
            except ArithmeticError:
                continue
            if not amount.is_finite() or amount <= 0:
                continue
            kinds = stated.setdefault(month, {})
            kinds[income.get("type")] = kinds.get(income.get("type"), Decimal("0")) + amount
    return stated
