"""The SSBTEK adapter: the simulator answers deterministically in the documented shape, and
any reply that is malformed, oversized or about something else is refused with nothing stored."""

import datetime as dt
import json

import pytest
from django.test import override_settings

from bistand.audit.models import AccessLogEntry
from bistand.controls import adapter
from bistand.controls.models import RegisterCheck
from bistand.controls.simulator import SimulatedRegister
from bistand.core.errors import DomainError

from .conftest import ScriptedClient, check

MONTH = dt.date(2026, 11, 1)
pytestmark = pytest.mark.django_db


def _request(source="skatteverket", subject="198309192394"):
    return adapter.new_request(source, subject, dt.date(2026, 10, 1), MONTH)


def test_simulator_answers_the_same_question_the_same_way(db):
    request = _request()
    first = SimulatedRegister().reply(request)
    second = SimulatedRegister().reply(request)
    first.pop("answered_at"), second.pop("answered_at")
    assert first == second
    answer = adapter.validate_reply(json.dumps(SimulatedRegister().reply(request)), request)
    assert answer["source"] == "skatteverket" and answer["period"] == {
        "from": "2026-10",
        "to": "2026-11",
    }


def test_simulator_reports_what_the_application_stated(org, make_application):
    application = make_application(
        MONTH, stated_incomes=[{"type": "unemployment_benefit", "amount": "8000.00"}]
    )
    request = _request("akassa")
    answer = adapter.ask(request, SimulatedRegister())
    amounts = [item["amount"] for item in answer["items"] if item["month"] == "2026-11"]
    assert amounts and amounts[0] in ("8000.00", "10000.00")  # as stated, or a drift upwards
    assert application.pk


@pytest.mark.parametrize(
    "fault, code",
    [
        ("timeout", "register_timeout"),
        ("unavailable", "register_unavailable"),
        ("malformed", "register_malformed_reply"),
        ("oversized", "register_malformed_reply"),
        ("wrong_subject", "register_malformed_reply"),
        ("bad_amount", "register_malformed_reply"),
    ],
)
def test_faults_are_refused_with_a_message_and_nothing_stored(org, make_application, fault, code):
    application = make_application(MONTH)
    faults = {"client": "simulator", "faults": {fault: ["198309192394"]}}
    with override_settings(BISTAND_SSBTEK=faults), pytest.raises(DomainError) as error:
        check(org.social_worker, application)
    assert error.value.code == code
    assert "försök igen" in error.value.message.lower()
    assert not RegisterCheck.objects.exists()
    logged = AccessLogEntry.objects.filter(object_type="controls.registerquery").last()
    assert logged is not None and code in str(logged.detail)


def _valid_reply(request, **changes):
    reply = SimulatedRegister().reply(request)
    reply.update(changes)
    return json.dumps(reply).encode()


@pytest.mark.parametrize(
    "changes",
    [
        {"schema": "other/9"},
        {"request_id": "someone-else"},
        {"source": "csn"},
        {"period": {"from": "2020-01", "to": "2020-02"}},
        {"status": "maybe"},
        {"items": "many"},
        {
            "items": [
                {"month": "2026-11", "kind": "employment_income", "payer": "X", "amount": "1e9"}
            ]
        },
        {
            "items": [
                {"month": "2026-11", "kind": "employment_income", "payer": "X", "amount": "-5.00"}
            ]
        },
        {
            "items": [
                {"month": "2026-11", "kind": "employment_income", "payer": "X", "amount": "1.001"}
            ]
        },
        {
            "items": [
                {"month": "2027-01", "kind": "employment_income", "payer": "X", "amount": "1.00"}
            ]
        },
        {"items": [{"month": "2026-11", "kind": "pension", "payer": "X", "amount": "1.00"}]},
        {
            "items": [
                {
                    "month": "2026-11",
                    "kind": "employment_income",
                    "payer": "X" * 500,
                    "amount": "1.00",
                }
            ]
        },
        {
            "items": [
                {
                    "month": "2026-11",
                    "kind": "employment_income",
                    "payer": "X",
                    "amount": "100.00",
                    "tax": "200.00",
                }
            ]
        },
        {
            "vehicles": [
                {
                    "registration": "<script>",
                    "make": "V",
                    "model_year": 2010,
                    "owned_since": "2019-01-01",
                    "estimated_value": "1.00",
                }
            ]
        },
    ],
)
def test_a_reply_of_the_wrong_shape_is_refused(changes):
    request = _request()
    with pytest.raises(adapter.MalformedReply):
        adapter.ask(request, ScriptedClient(reply=lambda r: _valid_reply(r, **changes)))


def test_a_reply_over_the_size_limit_or_not_json_is_refused():
    request = _request()
    for body in (b"x" * (adapter.MAX_REPLY_BYTES + 1), b"\xff\xfe", b"[1, 2]", b"NaN",
                 b"[" * 5000):  # fmt: skip
        with pytest.raises(adapter.MalformedReply):
            adapter.ask(request, ScriptedClient(reply=body))


def test_a_client_that_crashes_counts_as_an_outage():
    with pytest.raises(adapter.RegisterUnavailable):
        adapter.ask(_request(), ScriptedClient(error=ConnectionResetError("boom")))
    with pytest.raises(adapter.RegisterTimeout):
        adapter.ask(_request(), ScriptedClient(error=TimeoutError()))


def test_only_validated_fields_are_stored():
    request = _request()
    reply = SimulatedRegister().reply(request)
    reply["extra"] = {"secret": "x"}
    reply["subject"] = request.subject
    answer = adapter.validate_reply(json.dumps(reply), request)
    assert "extra" not in answer and "subject" not in answer
