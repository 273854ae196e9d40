"""Issue #16: AF's "kan omfattas" notices fetched through an adapter chosen by setting (the
local simulator by default; AF's real interface is not published) and stored idempotently
by a management command."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from bistand.activity import af_adapter, services_notices
from bistand.activity.af_simulator import SOURCE_LABEL, SimulatedAF
from bistand.activity.models import CoverageNotice
from bistand.audit.models import AccessLogEntry
from bistand.core.errors import PermissionRefused
from tests.activity.helpers import adult_case, coordinator
from tests.statistics.builders import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    return World(org)


def today():
    return timezone.localdate()


def notice(person, days_ago=1, note=""):
    return {
        "personnummer": person.identity_number.replace("-", ""),
        "datum": (today() - dt.timedelta(days=days_ago)).isoformat(),
        "kommentar": note,
    }


def fetch(org, client, *, days=14, user=None):
    return services_notices.fetch_notices(
        user or org.other_social_worker,
        since=today() - dt.timedelta(days=days),
        until=today(),
        today=today(),
        client=client,
    )


def test_fetched_notices_are_stored_once_with_the_simulators_name(org, world):
    anna, anna_case = adult_case(world, name="Anna")
    bo, _bo_case = adult_case(world, name="Bo")
    client = SimulatedAF(notices=[notice(anna, note="Inskriven"), notice(bo, days_ago=3)])
    first = fetch(org, client)
    assert len(first.stored) == 2 and first.already == 0 and first.not_found == 0
    stored = CoverageNotice.objects.get(person=anna)
    assert stored.case == anna_case and stored.note == "Inskriven"
    assert stored.batch.source == SOURCE_LABEL == "Arbetsförmedlingen (simulator)"
    logged = AccessLogEntry.objects.filter(object_type="activity.coveragenotice")
    assert logged.count() == 2
    assert json.loads(logged.first().detail)["after"]["source"] == SOURCE_LABEL

    again = fetch(org, client)
    assert again.stored == [] and again.already == 2 and again.batch is None
    assert CoverageNotice.objects.count() == 2


def test_a_person_without_a_case_the_reader_may_open_is_counted_not_stored(org, world):
    anna, _ = adult_case(world, name="Anna", section=org.intake)
    stranger = world.person(dt.date(1990, 5, 5), name="Okänd")
    client = SimulatedAF(notices=[notice(anna), notice(stranger)])
    result = fetch(org, client, user=org.labour_head)
    assert result.stored == [] and result.not_found == 2
    assert not CoverageNotice.objects.exists()


@pytest.mark.parametrize(
    "reply, message",
    [
        (b"<html>", "inte giltig JSON"),
        (b'{"schema": "annat/1", "notices": []}', "okänd svarsversion"),
        ("wrong_request", "hör inte till frågan"),
        ("bad_identity", "personnummer är ogiltigt"),
        ("outside", "utanför perioden"),
        ("long_note", "kommentar är ogiltig"),
        ("oversized", "större än"),
    ],
)
def test_a_bad_reply_is_refused_and_nothing_stored(org, world, reply, message):
    anna, _ = adult_case(world, name="Anna")
    request = af_adapter.new_request(today() - dt.timedelta(days=14), today())

    def body(items, request_id=request.request_id):
        return json.dumps(
            {"schema": af_adapter.SCHEMA, "request_id": request_id, "notices": items}
        ).encode()

    good = notice(anna)
    raw = {
        "wrong_request": body([good], request_id="x"),
        "bad_identity": body([good | {"personnummer": "19850314-1234"}]),
        "outside": body([good | {"datum": (today() + dt.timedelta(days=1)).isoformat()}]),
        "long_note": body([good | {"kommentar": "x" * 301}]),
        "oversized": body([good | {"kommentar": "x" * 300}] * 2000),
    }.get(reply, reply)
    with pytest.raises(af_adapter.AFMalformedReply, match=message):
        af_adapter.validate_reply(raw, request)
    assert af_adapter.validate_reply(body([good]), request)[0].note == ""


def test_faults_of_the_simulated_service_store_nothing(org, world):
    adult_case(world, name="Anna")
    with pytest.raises(af_adapter.AFUnavailable, match="gick inte att nå"):
        fetch(org, SimulatedAF(fault="unavailable"))
    with pytest.raises(af_adapter.AFMalformedReply):
        fetch(org, SimulatedAF(fault="malformed"))
    assert not CoverageNotice.objects.exists()


def test_the_derived_simulation_is_deterministic_and_overlapping_periods_agree(org, world):
    people = [adult_case(world, name=f"P{i}")[0] for i in range(12)]
    client = SimulatedAF(share=0.5)
    request = af_adapter.new_request(today() - dt.timedelta(days=60), today())
    first = af_adapter.ask(request, client)
    assert first == af_adapter.ask(request, client)
    assert {n.identity_number for n in first} <= {p.identity_number for p in people}
    assert first, "a share of one half over two months gives some notices"
    later = af_adapter.new_request(today() - dt.timedelta(days=30), today())
    overlap = {n for n in first if n.notice_on >= later.since}
    assert set(af_adapter.ask(later, client)) == overlap


def test_only_the_roles_that_read_notices_may_fetch(org, world):
    with pytest.raises(PermissionRefused):
        fetch(org, SimulatedAF(notices=[]), user=coordinator(org))


@override_settings(BISTAND_AF_NOTICES={"client": "simulator", "share": 1.0})
def test_the_command_uses_the_configured_client_and_is_idempotent(org, world):
    anna, _ = adult_case(world, name="Anna")
    assert isinstance(af_adapter.get_client(), SimulatedAF)
    since = (today() - dt.timedelta(days=70)).isoformat()
    out = io.StringIO()
    call_command("fetch-af-notices", user=org.other_social_worker.username, since=since, stdout=out)
    stored = CoverageNotice.objects.filter(person=anna).count()
    assert stored >= 1  # a share of 1: a notice each month touched by the period
    assert f"{stored} nya underrättelser sparade, 0 fanns redan" in out.getvalue()
    out = io.StringIO()
    call_command("fetch-af-notices", user=org.other_social_worker.username, since=since, stdout=out)
    assert f"0 nya underrättelser sparade, {stored} fanns redan" in out.getvalue()
    assert CoverageNotice.objects.filter(person=anna).count() == stored
    with pytest.raises(CommandError, match="ÅÅÅÅ-MM-DD"):
        call_command("fetch-af-notices", user=org.other_social_worker.username, since="igår")
    with pytest.raises(CommandError, match="finns inte"):
        call_command("fetch-af-notices", user="ingen")


@override_settings(BISTAND_AF_NOTICES={"client": "simulator", "fault": "unavailable"})
def test_the_command_reports_a_fault_in_swedish(org):
    with pytest.raises(CommandError, match="gick inte att nå"):
        call_command("fetch-af-notices", user=org.other_social_worker.username)
