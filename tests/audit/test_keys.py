"""The key lives outside the database, rotates, and is required without debug."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from bistand.audit.checks import check_audit_key
from bistand.audit.keys import DEV_KEY, DEV_KEY_ID, key_ring
from bistand.audit.models import AccessLogEntry
from bistand.audit.services import record, verify_chain

ROOT = Path(__file__).resolve().parents[2]
OLD = "old-audit-key-0123456789-abcdefghijklmnopqrstuvwxyz"
NEW = "new-audit-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def _use_key(settings, key, key_id, retired=""):
    settings.BISTAND_AUDIT_KEY = key
    settings.BISTAND_AUDIT_KEY_FILE = ""
    settings.BISTAND_AUDIT_KEY_ID = key_id
    settings.BISTAND_AUDIT_RETIRED_KEYS_FILE = retired


def _ids(check):
    return [message.id for message in check(None)]


def test_the_key_can_come_from_a_file(settings, tmp_path):
    path = tmp_path / "audit.key"
    path.write_text(NEW + "\n")
    settings.BISTAND_AUDIT_KEY = ""
    settings.BISTAND_AUDIT_KEY_FILE = str(path)
    settings.BISTAND_AUDIT_KEY_ID = "2027"
    ring = key_ring()
    assert ring.current_id == "2027" and ring.current == NEW.encode()


def test_rotated_keys_verify_rows_each_signed_with_its_own_key(org, settings, tmp_path):
    _use_key(settings, OLD, "k1")
    record(org.social_worker, "view", object_type="case", object_id=1, case_id=1)
    retired = tmp_path / "retired"
    retired.write_text(f"# retired keys\nk1:{OLD}\n")
    _use_key(settings, NEW, "k2", str(retired))
    record(org.social_worker, "view", object_type="case", object_id=2, case_id=2)
    rows = list(AccessLogEntry.objects.order_by("-id")[:2])
    assert [row.key_id for row in rows] == ["k2", "k1"]
    assert verify_chain().ok is False  # the organisation's rows used the development key
    both = tmp_path / "retired-both"  # key files are read once per process and path
    both.write_text(f"k1:{OLD}\n{DEV_KEY_ID}:{DEV_KEY}\n")
    settings.BISTAND_AUDIT_RETIRED_KEYS_FILE = str(both)
    assert verify_chain().ok
    _use_key(settings, NEW, "k2")  # the retired key forgotten: its rows cannot be verified
    assert any("'k1', which is not configured" in p for p in verify_chain().problems)


def test_without_debug_the_development_key_is_refused(settings):
    settings.DEBUG = True
    _use_key(settings, DEV_KEY, DEV_KEY_ID)
    assert _ids(check_audit_key) == []
    settings.DEBUG = False
    assert "audit.E002" in _ids(check_audit_key)


def test_without_debug_a_short_key_is_refused(settings):
    settings.DEBUG = False
    _use_key(settings, "short", "k1")
    assert _ids(check_audit_key) == ["audit.E003"]
    _use_key(settings, NEW, "k1")
    assert _ids(check_audit_key) == []


def test_a_missing_key_or_key_file_is_an_error(settings, tmp_path):
    _use_key(settings, "", "k1")
    with pytest.raises(ImproperlyConfigured):
        key_ring()
    assert _ids(check_audit_key) == ["audit.E001"]
    settings.BISTAND_AUDIT_KEY_FILE = str(tmp_path / "absent.key")
    assert _ids(check_audit_key) == ["audit.E001"]


def _start(**env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BISTAND_AUDIT_")}
    environment.update(env, DJANGO_SETTINGS_MODULE="bistand.settings", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_debug_and_without_a_key_the_app_refuses_to_start():
    refused = _start(BISTAND_DEBUG="0")
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr and "BISTAND_AUDIT_KEY" in refused.stderr
    # Debug off also needs the Django secret key (tests/core/test_deployment.py).
    started = _start(BISTAND_DEBUG="0", BISTAND_AUDIT_KEY=NEW, BISTAND_SECRET_KEY=NEW + "-django")
    assert started.returncode == 0 and "started" in started.stdout
    assert _start(BISTAND_DEBUG="1").returncode == 0
