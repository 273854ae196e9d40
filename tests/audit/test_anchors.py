"""Anchors outside the database: a truncated table or a removed tail no longer passes."""

import json
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bistand.audit.models import AccessLogEntry
from bistand.audit.services import record, verify_chain, write_anchor

from . import tampering


def _record(actor, count, start=0):
    for index in range(start, start + count):
        record(actor, "view", object_type="case", object_id=index, case_id=index)


@pytest.fixture
def anchored(org, settings):
    _record(org.social_worker, 6)
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
    _record(org.social_worker, 6)
    tampering.empty_table()
    tampering.execute("DELETE FROM audit_chainhead")
    assert verify_chain().ok


def test_a_removed_tail_with_the_chain_head_moved_back_is_detected(anchored, org):
    _record(org.social_worker, 2, start=10)
    removed = anchored[-2:]
    tampering.execute(
        "DELETE FROM audit_accesslogentry WHERE id >= %s",
        [removed[0].id],
    )
    kept = list(AccessLogEntry.objects.order_by("id"))
    tampering.execute(
        "UPDATE audit_chainhead SET last_hash = %s, last_id = %s", [kept[-1].hash, kept[-1].id]
    )
    report = verify_chain()
    assert any(
        f"anchored row {anchored[-1].id} is missing" in p and "tail" in p for p in report.problems
    )
    assert any(f"fewer than the {len(anchored)}" in p for p in report.problems)
    assert not any("chain head" in p for p in report.problems)


def test_a_removed_tail_passes_without_anchors(org):
    """The control: head moved back, no anchors, nothing to compare with."""
    _record(org.social_worker, 6)
    rows = list(AccessLogEntry.objects.order_by("id"))
    tampering.execute("DELETE FROM audit_accesslogentry WHERE id >= %s", [rows[-2].id])
    tampering.execute(
        "UPDATE audit_chainhead SET last_hash = %s, last_id = %s", [rows[-3].hash, rows[-3].id]
    )
    assert verify_chain().ok


def test_a_row_rewritten_with_the_key_before_an_anchor_is_still_detected(anchored, settings):
    """Even someone holding the key cannot move an anchored hash."""
    key = settings.BISTAND_AUDIT_KEY.encode()
    tampering.execute(
        "UPDATE audit_accesslogentry SET actor_username = 'someone-else' WHERE id = %s",
        [anchored[2].id],
    )
    tampering.rechain(anchored, tampering.hmac_hasher(key))
    report = verify_chain()
    assert len(report.problems) == 1
    assert f"row {anchored[-1].id}: hash differs from the anchor" in report.problems[0]


def test_a_deleted_row_before_an_anchor_shows_in_the_anchored_count(anchored, settings):
    key = settings.BISTAND_AUDIT_KEY.encode()
    tampering.execute("DELETE FROM audit_accesslogentry WHERE id = %s", [anchored[1].id])
    kept = list(AccessLogEntry.objects.order_by("id"))
    tampering.rechain(kept, tampering.hmac_hasher(key))
    problems = verify_chain().problems
    assert any(
        f"{len(anchored) - 1} rows up to it" in p and f"recorded {len(anchored)}" in p
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
