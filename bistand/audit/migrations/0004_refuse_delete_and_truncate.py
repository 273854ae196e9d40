"""The access log is append-only on both databases: UPDATE, DELETE and (PostgreSQL) TRUNCATE
are refused by the database itself. Replaces the triggers of 0002 (which let SQLite DELETE and
PostgreSQL TRUNCATE through). The test suite's flush suspends them (tests/audit/tampering.py).

SQLite has no TRUNCATE; its `DELETE FROM t` fires the DELETE trigger. On SQLite, 0003 rebuilt
the table, which drops its triggers; they are (re)created here."""

from django.db import migrations

PG_SQL = [
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_update ON audit_accesslogentry;",
    """
CREATE OR REPLACE FUNCTION audit_accesslogentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = 'audit_accesslogentry is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
""",
    "CREATE TRIGGER audit_accesslogentry_no_update BEFORE UPDATE ON audit_accesslogentry "
    "FOR EACH ROW EXECUTE FUNCTION audit_accesslogentry_append_only();",
    "CREATE TRIGGER audit_accesslogentry_no_delete BEFORE DELETE ON audit_accesslogentry "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_accesslogentry_append_only();",
    "CREATE TRIGGER audit_accesslogentry_no_truncate BEFORE TRUNCATE ON audit_accesslogentry "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_accesslogentry_append_only();",
]
PG_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_truncate ON audit_accesslogentry;",
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_delete ON audit_accesslogentry;",
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_update ON audit_accesslogentry;",
    "CREATE TRIGGER audit_accesslogentry_no_update BEFORE UPDATE OR DELETE ON audit_accesslogentry "
    "FOR EACH ROW EXECUTE FUNCTION audit_accesslogentry_append_only();",
]
SQLITE_SQL = [
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_update;",
    "CREATE TRIGGER audit_accesslogentry_no_update BEFORE UPDATE ON audit_accesslogentry "
    "BEGIN SELECT RAISE(ABORT, 'audit_accesslogentry is append-only: UPDATE refused'); END;",
    "CREATE TRIGGER audit_accesslogentry_no_delete BEFORE DELETE ON audit_accesslogentry "
    "BEGIN SELECT RAISE(ABORT, 'audit_accesslogentry is append-only: DELETE refused'); END;",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_delete;",
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_update;",
    "CREATE TRIGGER audit_accesslogentry_no_update BEFORE UPDATE ON audit_accesslogentry "
    "BEGIN SELECT RAISE(ABORT, 'audit_accesslogentry is append-only'); END;",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_SQL)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_SQL)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_REVERSE)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_accesslogentry_key_id")]
    operations = [migrations.RunPython(forwards, backwards)]
