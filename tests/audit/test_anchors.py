"""Anchors outside the database: a truncated table or a removed tail no longer passes."""

import json
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bistand.audit.models import AccessLogEntry
from bistand.audit.services import record, verify_chain, write_anchor

from . import tampering
from .conftest import CHAINS

pytestmark = pytest.mark.usefixtures("three_chains")


def in_chain(rows, number):
    return [row for row in rows if row.chain == number]


def _record(actor, count, start=0):
    for index in range(start, start + count):
        record(actor, "view", object_type="case", object_id=index, case_id=index)


@pytest.fixture
def anchored(org, settings):
    """Nine rows, three in each chain, anchored."""
    _record(org.social_worker, 3 * CHAINS)
    write_anchor()
    return list(AccessLogEntry.objects.order_by("id"))


def test_an_anchor_is_a_signed_line_in_the_file_and_in_the_anchor_log(org, settings, caplog):
    _record(org.social_worker, 3)
    last = AccessLogEntry.objects.order_by("-id").first()
    with caplog.at_level(logging.INFO, logger="bistand.audit.anchor"):
        call_command("audit-anchor")
    lines = settings.BISTAND_AUDIT_ANCHOR_FILE.read_text().splitlines()
    assert len(lines) == 1
    anchor = json.loads(lines[0])
    assert anchor["rows"] == AccessLogEntry.objects.count()
    assert (anchor["last_id"], anchor["last_hash"]) == (last.id, last.hash)
    assert anchor["key_id"] and len(anchor["mac"]) == 64 and anchor["at"]
    rows = list(AccessLogEntry.objects.order_by("id"))
    assert anchor["chains"] == {
        str(number): {
            "rows": len(in_chain(rows, number)),
            "last_id": in_chain(rows, number)[-1].id,
            "last_hash": in_chain(rows, number)[-1].hash,
        }
        for number in range(CHAINS)
    }
    assert [r.getMessage() for r in caplog.records if r.name == "bistand.audit.anchor"] == lines


def test_anchors_are_appended_never_rewritten(anchored, org, settings):
    first = settings.BISTAND_AUDIT_ANCHOR_FILE.read_text()
    _record(org.social_worker, 2, start=10)
    write_anchor()
    text = settings.BISTAND_AUDIT_ANCHOR_FILE.read_text()
    assert text.startswith(first) and len(text.splitlines()) == 2
    report = verify_chain()
    assert report.ok and report.anchors == 2
    call_command("verify-audit")


def test_an_anchor_written_before_there_were_chains_still_holds_chain_0(org, settings):
    """Old anchor lines have no `chains`: they anchored the single chain, now chain 0."""
    from bistand.audit.anchors import anchor_line
    from bistand.audit.keys import key_ring

    _record(org.social_worker, 3 * CHAINS)
    rows = in_chain(list(AccessLogEntry.objects.order_by("id")), 0)
    line = anchor_line(
        key_ring(), at="2026-11-30T00:00:00+00:00", rows=len(rows), last_id=rows[-1].id,
        last_hash=rows[-1].hash,
    )  # fmt: skip
    assert "chains" not in line
    settings.BISTAND_AUDIT_ANCHOR_FILE.write_text(line + "\n")
    assert verify_chain().ok
    tampering.execute("DELETE FROM audit_accesslogentry WHERE id = %s", [rows[-1].id])
    tampering.move_head(0, rows[-2].hash, rows[-2].id)
    assert any(
        f"anchored row {rows[-1].id} of chain 0 is missing" in p for p in verify_chain().problems
    )


def test_a_truncated_table_is_detected(anchored):
    tampering.empty_table()
    tampering.execute("DELETE FROM audit_chainhead")
    report = verify_chain()
    assert report.checked == 0
    assert any(
        "empty" in p and f"{len(anchored)} rows" in p and "truncated" in p for p in report.problems
    )
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("verify-audit")


def test_a_truncated_table_passes_without_anchors_which_is_why_they_exist(org):
    _record(org.social_worker, 3 * CHAINS)
    tampering.empty_table()
    tampering.execute("DELETE FROM audit_chainhead")
    assert verify_chain().ok


@pytest.mark.parametrize("number", range(CHAINS))
def test_a_removed_tail_with_the_chain_head_moved_back_is_detected(anchored, org, number):
    _record(org.social_worker, CHAINS, start=10)
    rows = in_chain(list(AccessLogEntry.objects.order_by("id")), number)
    anchored_rows = in_chain(anchored, number)
    # the chain's last anchored row and the one appended after the anchor
    removed = [anchored_rows[-1], rows[-1]]
    tampering.execute(
        "DELETE FROM audit_accesslogentry WHERE id IN (%s, %s)", [r.id for r in removed]
    )
    tampering.move_head(number, anchored_rows[-2].hash, anchored_rows[-2].id)
    report = verify_chain()
    assert any(
        f"anchored row {anchored_rows[-1].id} of chain {number} is missing" in p and "tail" in p
        for p in report.problems
    )
    assert not any("head of chain" in p for p in report.problems)


@pytest.mark.parametrize("number", range(CHAINS))
def test_a_whole_chain_removed_with_its_head_is_detected(anchored, number):
    rows = in_chain(anchored, number)
    tampering.execute("DELETE FROM audit_accesslogentry WHERE chain = %s", [number])
    tampering.execute("DELETE FROM audit_chainhead WHERE chain = %s", [number])
    report = verify_chain()
    assert any(
        f"anchored row {rows[-1].id} of chain {number} is missing" in p for p in report.problems
    )
    assert any(f"fewer than the {len(anchored)}" in p for p in report.problems)


def test_a_removed_tail_passes_without_anchors(org):
    """The control: head moved back, no anchors, nothing to compare with."""
    _record(org.social_worker, 3 * CHAINS)
    rows = in_chain(list(AccessLogEntry.objects.order_by("id")), 1)
    tampering.execute("DELETE FROM audit_accesslogentry WHERE id = %s", [rows[-1].id])
    tampering.move_head(1, rows[-2].hash, rows[-2].id)
    assert verify_chain().ok


@pytest.mark.parametrize("number", range(CHAINS))
def test_a_row_rewritten_with_the_key_before_an_anchor_is_still_detected(
    anchored, settings, number
):
    """Even someone holding the key cannot move an anchored hash."""
    key = settings.BISTAND_AUDIT_KEY.encode()
    rows = in_chain(anchored, number)
    tampering.execute(
        "UPDATE audit_accesslogentry SET actor_username = 'someone-else' WHERE id = %s",
        [rows[1].id],
    )
    tampering.rechain(anchored, tampering.hmac_hasher(key))
    report = verify_chain()
    assert len(report.problems) == 1
    assert f"row {rows[-1].id}: hash differs from the anchor" in report.problems[0]


@pytest.mark.parametrize("number", range(CHAINS))
def test_a_deleted_row_before_an_anchor_shows_in_the_anchored_count(anchored, settings, number):
    key = settings.BISTAND_AUDIT_KEY.encode()
    rows = in_chain(anchored, number)
    tampering.execute("DELETE FROM audit_accesslogentry WHERE id = %s", [rows[0].id])
    kept = list(AccessLogEntry.objects.order_by("id"))
    tampering.rechain(kept, tampering.hmac_hasher(key))
    problems = verify_chain().problems
    assert any(
        f"{len(rows) - 1} rows up to it in chain {number}" in p and f"recorded {len(rows)}" in p
        for p in problems
    )


def test_an_altered_anchor_line_is_reported(anchored, settings):
    path = settings.BISTAND_AUDIT_ANCHOR_FILE
    anchor = json.loads(path.read_text())
    anchor["rows"] = 3
    path.write_text(json.dumps(anchor) + "\n")
    assert any("signature does not match" in p for p in verify_chain().problems)


def test_anchors_can_be_read_from_a_syslog_copy(anchored, settings, tmp_path):
    line = settings.BISTAND_AUDIT_ANCHOR_FILE.read_text().strip()
    copy = tmp_path / "syslog"
    copy.write_text(f"Dec  1 12:00:00 host bistand: unrelated line\nDec  1 12:00:01 host {line}\n")
    tampering.empty_table()
    report = verify_chain(copy)
    assert report.anchors == 1 and any("truncated" in p for p in report.problems)
