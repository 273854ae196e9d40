"""Backup and restore: the database (pg_dump -Fc, or SQLite's online backup API), the media
files and the audit anchors, with a manifest of row counts per table and the audit chain head,
so that a restore can prove itself: verify-audit passes and every table has its rows.

docs/OPERATIONS.md, "Backup and restore".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    pass


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _pg_env() -> dict:
    db = connection.settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    env["PGDATABASE"] = db["NAME"]
    return env


def _tables(cursor_connection=None) -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _count(cursor, table: str) -> int:
    cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
    return cursor.fetchone()[0]


def _audit_head(cursor) -> dict:
    cursor.execute("SELECT id, hash FROM audit_accesslogentry ORDER BY id DESC LIMIT 1")
    row = cursor.fetchone()
    return {"last_id": row[0], "last_hash": row[1]} if row else {"last_id": 0, "last_hash": ""}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tar_media(out: Path) -> int:
    media = Path(settings.MEDIA_ROOT)
    files = 0
    with tarfile.open(out, "w:gz") as archive:
        if media.is_dir():
            for path in sorted(media.rglob("*")):
                if path.is_file():
                    archive.add(path, arcname=str(path.relative_to(media)))
                    files += 1
    return files


def backup(out_dir: Path) -> dict:
    """Write database, media, anchors and manifest into `out_dir` (new or empty)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.iterdir()):
        raise BackupError(f"{out_dir} är inte tom.")
    manifest: dict = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "engine": connection.vendor,
        "files": {},
    }
    if _is_postgres():
        dump = out_dir / "database.dump"
        # One snapshot for the counts and the dump: what the manifest says is what is dumped.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = connection.introspection.table_names(cursor)
            manifest["tables"] = {t: _count(cursor, t) for t in sorted(tables)}
            manifest["audit_head"] = _audit_head(cursor)
            result = subprocess.run(
                [
                    "pg_dump",
                    "-Fc",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "-f",
                    str(dump),
                ],
                env=_pg_env(),
                capture_output=True,
                text=True,
            )
        if result.returncode != 0:
            raise BackupError(f"pg_dump misslyckades: {result.stderr.strip()[:500]}")
        manifest["files"]["database"] = dump.name
    else:
        copy = out_dir / "database.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(copy)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        # Count in the copy: the online backup is one consistent state.
        snapshot = sqlite3.connect(copy)
        try:
            names = [
                r[0]
                for r in snapshot.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            manifest["tables"] = {
                n: snapshot.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names
            }
            row = snapshot.execute(
                "SELECT id, hash FROM audit_accesslogentry ORDER BY id DESC LIMIT 1"
            ).fetchone()
            manifest["audit_head"] = (
                {"last_id": row[0], "last_hash": row[1]} if row else {"last_id": 0, "last_hash": ""}
            )
        finally:
            snapshot.close()
        manifest["files"]["database"] = copy.name
    media = out_dir / "media.tar.gz"
    manifest["media_files"] = _tar_media(media)
    manifest["files"]["media"] = media.name
    anchors = Path(settings.BISTAND_AUDIT_ANCHOR_FILE)
    if anchors.is_file():
        shutil.copyfile(anchors, out_dir / "audit-anchors.jsonl")
        manifest["files"]["anchors"] = "audit-anchors.jsonl"
    manifest["sha256"] = {name: _sha256(out_dir / name) for name in manifest["files"].values()}
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def read_manifest(backup_dir: Path) -> dict:
    path = backup_dir / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} saknas: ingen säkerhetskopia.")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Okänt format {manifest.get('format')!r}.")
    for name, digest in manifest["sha256"].items():
        if _sha256(backup_dir / name) != digest:
            raise BackupError(f"{name} stämmer inte med manifestets kontrollsumma.")
    return manifest


def database_is_empty() -> bool:
    return not _tables()


def restore(backup_dir: Path, *, force: bool = False) -> dict:
    """Load a backup into this (empty) database and MEDIA_ROOT; refuses a database that has
    tables, or a MEDIA_ROOT with files, unless `force` (which replaces them)."""
    manifest = read_manifest(backup_dir)
    if manifest["engine"] != connection.vendor:
        raise BackupError(
            f"Säkerhetskopian är från {manifest['engine']}, databasen är {connection.vendor}."
        )
    media = Path(settings.MEDIA_ROOT)
    has_media = media.is_dir() and any(media.iterdir())
    if not force and (not database_is_empty() or has_media):
        raise BackupError(
            "Databasen eller MEDIA_ROOT är inte tom: återställ till en tom databas "
            "(eller ange --force för att ersätta innehållet)."
        )
    source = backup_dir / manifest["files"]["database"]
    if _is_postgres():
        with connection.cursor() as cursor:
            if force:
                cursor.execute("DROP SCHEMA public CASCADE")
                cursor.execute("CREATE SCHEMA public")
        connection.close()
        result = subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "-d",
                connection.settings_dict["NAME"],
                str(source),
            ],
            env=_pg_env(),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore misslyckades: {result.stderr.strip()[:500]}")
    else:
        connection.ensure_connection()
        backup_copy = sqlite3.connect(source)
        try:
            backup_copy.backup(connection.connection)
        finally:
            backup_copy.close()
        connection.close()
    if force and media.is_dir():
        shutil.rmtree(media)
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(backup_dir / manifest["files"]["media"], "r:gz") as archive:
        archive.extractall(media, filter="data")
    return manifest


@dataclass
class DrillReport:
    problems: list[str] = field(default_factory=list)
    tables: int = 0
    rows: int = 0
    audit_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def check_restored(manifest: dict, anchor_path: Path | None = None) -> DrillReport:
    """After a restore: every table has the manifest's rows, the chain head matches and the
    access log verifies (against the anchors in the backup, if any)."""
    from bistand.audit.services import verify_chain

    report = DrillReport()
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        for table, expected in sorted(manifest["tables"].items()):
            if table not in present:
                report.problems.append(f"tabellen {table} saknas")
                continue
            actual = _count(cursor, table)
            report.tables += 1
            report.rows += actual
            if actual != expected:
                report.problems.append(f"{table}: {actual} rader, manifestet säger {expected}")
        head = _audit_head(cursor)
    if head != manifest["audit_head"]:
        report.problems.append(
            f"åtkomstloggens huvud {head} ≠ manifestets {manifest['audit_head']}"
        )
    chain = verify_chain(anchor_path)
    report.audit_rows = chain.checked
    report.problems += [f"verify-audit: {problem}" for problem in chain.problems]
    return report
