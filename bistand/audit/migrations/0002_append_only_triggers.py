"""The access log is append-only: the database itself refuses UPDATE (and row DELETE on
PostgreSQL). SQLite keeps DELETE possible because Django's test flush needs it; the hash
chain still detects a removed row there."""

from django.db import migrations

PG_SQL = """
CREATE OR REPLACE FUNCTION audit_accesslogentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_accesslogentry is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_accesslogentry_no_update BEFORE UPDATE OR DELETE ON audit_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION audit_accesslogentry_append_only();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS audit_accesslogentry_no_update ON audit_accesslogentry;
DROP FUNCTION IF EXISTS audit_accesslogentry_append_only();
"""
SQLITE_SQL = """
CREATE TRIGGER audit_accesslogentry_no_update BEFORE UPDATE ON audit_accesslogentry
BEGIN SELECT RAISE(ABORT, 'audit_accesslogentry is append-only'); END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS audit_accesslogentry_no_update;"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_SQL)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_SQL)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
