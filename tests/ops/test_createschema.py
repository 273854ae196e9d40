"""`bistand createschema` builds on an empty database the schema the migrations build: the
suite's own test database was built by `migrate`, and a scratch database built by
`createschema` must match it table by table (columns, indexes, constraints, foreign keys,
triggers and trigger functions) and record the same migrations as applied. `migrate` after it
has nothing left to do; a database with tables is refused."""

from __future__ import annotations

import dj_database_url
import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import ConnectionHandler

from tests.scratch_databases import Databases, run

from .schema_shape import differences, schema_shape

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A scratch database built by `createschema` (and nothing else)."""
    databases = Databases(tmp_path_factory.mktemp("createschema"))
    try:
        result = run(["-m", "bistand", "createschema"], databases.seed_url)
        assert result.returncode == 0, result.stderr
        assert "recorded" in result.stdout
        databases.output = result.stdout
        yield databases
    finally:
        databases.drop_all()


def _open(url: str):
    config = dj_database_url.parse(url)
    default = {**settings.DATABASES["default"], **config}
    default["OPTIONS"] = {
        k: v for k, v in default.get("OPTIONS", {}).items() if k not in {"pool", "options"}
    }
    return ConnectionHandler({"default": default})["default"]


def _applied(conn) -> set[tuple[str, str]]:
    return set(MigrationRecorder(conn).applied_migrations())


def test_builds_the_schema_the_migrations_build(built):
    scratch = _open(built.seed_url)
    try:
        built_shape, built_applied = schema_shape(scratch), _applied(scratch)
    finally:
        scratch.close()
    migrated_shape = schema_shape(connection)
    assert len(migrated_shape) > 400  # tables, indexes, triggers: the comparison has content
    assert any(key[0] == "trigger" for key in migrated_shape)
    assert differences(migrated_shape, built_shape) == []
    assert built_applied == _applied(connection)


def test_migrate_after_it_has_nothing_to_apply(built):
    url = built.fresh()
    result = run(["-m", "bistand", "migrate", "--check", "--noinput"], url)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_database_with_tables_is_refused_and_left_as_it_was(built):
    url = built.fresh()
    refused = run(["-m", "bistand", "createschema"], url)
    assert refused.returncode != 0
    assert "createschema builds only an empty one" in refused.stderr
    skipped = run(["-m", "bistand", "createschema", "--if-empty"], url)
    assert skipped.returncode == 0, skipped.stderr
    assert "left to `migrate`" in skipped.stdout
    scratch = _open(url)
    try:
        assert _applied(scratch) == _applied(connection)
    finally:
        scratch.close()
