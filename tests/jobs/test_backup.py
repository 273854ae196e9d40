"""The backup and restore drill: `bistand backup`, then `bistand restore` into a fresh database
in another process, which verifies the access log and every table's row count. SQLite always;
PostgreSQL when the suite runs on it (DATABASE_URL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from bistand.audit.services import write_anchor
from bistand.jobs.backup import BackupError, backup, restore
from tests.conftest import make_household

PROJECT = Path(__file__).resolve().parents[2]


def _some_content(org, settings) -> None:
    make_household(org.reception)
    make_household(org.reception, adult="199811022384")
    media = Path(settings.MEDIA_ROOT)
    (media / "documents" / "2026").mkdir(parents=True)
    (media / "documents" / "2026" / "intyg.pdf").write_bytes(b"%PDF-1.4 test\n")
    write_anchor()


def _bistand(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bistand", *args],
        cwd=PROJECT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _restore_elsewhere(backup_dir: Path, database_url: str, tmp_path: Path, *extra: str):
    media = tmp_path / "restored-media"
    result = _bistand(
        "restore",
        str(backup_dir),
        *extra,
        env={
            "DATABASE_URL": database_url,
            "BISTAND_MEDIA_ROOT": str(media),
            "BISTAND_AUDIT_ANCHOR_FILE": str(tmp_path / "live-anchors.jsonl"),
            "BISTAND_DB_POOL_MAX": "0",
        },
    )
    return result, media


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database_with_every_row_and_a_verified_log(
    org, settings, tmp_path
):
    _some_content(org, settings)
    out = tmp_path / "backup"
    call_command("backup", "--out", str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"]["households_person"] == 2
    assert 0 < manifest["tables"]["audit_accesslogentry"] <= manifest["audit_head"]["last_id"]
    assert manifest["media_files"] == 1 and "anchors" in manifest["files"]

    if connection.vendor == "postgresql":
        name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:6]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        db = connection.settings_dict
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    else:
        url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    try:
        result, media = _restore_elsewhere(out, url, tmp_path)
        assert result.returncode == 0, result.stderr
        assert "åtkomstloggen verifierad" in result.stdout
        assert (media / "documents" / "2026" / "intyg.pdf").read_bytes() == b"%PDF-1.4 test\n"
        # A second restore onto the now filled database is refused without --force ...
        again, _ = _restore_elsewhere(out, url, tmp_path)
        assert again.returncode != 0 and "inte tom" in again.stderr
        # ... and with it, replaces the content and checks it again.
        forced, _ = _restore_elsewhere(out, url, tmp_path, "--force")
        assert forced.returncode == 0, forced.stderr
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_restore_that_does_not_match_its_manifest_fails(org, settings, tmp_path):
    _some_content(org, settings)
    out = tmp_path / "backup"
    backup(out)
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["tables"]["households_person"] += 1
    manifest_path.write_text(json.dumps(manifest))
    from bistand.jobs.backup import check_restored

    report = check_restored(manifest, out / "audit-anchors.jsonl")
    assert not report.ok and any("households_person" in p for p in report.problems)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(org, settings, tmp_path):
    _some_content(org, settings)
    out = tmp_path / "backup"
    backup(out)
    with pytest.raises(BackupError, match="inte tom"):
        restore(out)
    with pytest.raises(CommandError, match="inte tom"):
        call_command("restore", str(out))


@pytest.mark.django_db(transaction=True)
def test_a_changed_backup_file_is_refused(org, settings, tmp_path):
    _some_content(org, settings)
    out = tmp_path / "backup"
    backup(out)
    with (out / "media.tar.gz").open("ab") as handle:
        handle.write(b"x")
    with pytest.raises(BackupError, match="kontrollsumma"):
        restore(out, force=True)
