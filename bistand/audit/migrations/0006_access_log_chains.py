"""Several independent chains in the access log (docs/audit.md, "Chains").

Every existing row and the existing chain head become chain 0, which keeps the all-zero genesis,
so the log verifies unchanged and no row is rewritten. On SQLite, adding a column rebuilds the
table, which drops its append-only triggers: they are created again here (as in 0004).
"""

from django.db import migrations, models

SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_update;",
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_delete;",
    "CREATE TRIGGER audit_accesslogentry_no_update BEFORE UPDATE ON audit_accesslogentry "
    "BEGIN SELECT RAISE(ABORT, 'audit_accesslogentry is append-only: UPDATE refused'); END;",
    "CREATE TRIGGER audit_accesslogentry_no_delete BEFORE DELETE ON audit_accesslogentry "
    "BEGIN SELECT RAISE(ABORT, 'audit_accesslogentry is append-only: DELETE refused'); END;",
]


def sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


def refuse_to_merge_chains(apps, schema_editor):
    """Going back to one chain would have to rewrite the log: refused while other chains exist."""
    ChainHead = apps.get_model("audit", "ChainHead")
    AccessLogEntry = apps.get_model("audit", "AccessLogEntry")
    alias = schema_editor.connection.alias
    if AccessLogEntry.objects.using(alias).filter(chain__gt=0).exists():
        raise RuntimeError("The access log has rows in chains other than 0; cannot go back.")
    ChainHead.objects.using(alias).filter(chain__gt=0).delete()
    sqlite_triggers(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_rechain_with_keyed_hashes")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, refuse_to_merge_chains),
        migrations.AddField(
            model_name="accesslogentry",
            name="chain",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="chainhead",
            name="chain",
            field=models.PositiveSmallIntegerField(default=0, unique=True),
        ),
        migrations.RunPython(sqlite_triggers, sqlite_triggers),
    ]
