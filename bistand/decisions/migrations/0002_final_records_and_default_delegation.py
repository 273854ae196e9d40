"""Records of authority are immutable in the database too: a final decision, its lines and
support obstacles, its letter and dispatches, and a saved calculation refuse UPDATE (and
DELETE on PostgreSQL; SQLite keeps DELETE because Django's test flush needs it). Existing
units get the default delegation order."""

from django.db import migrations

FINAL_TABLES_SQLITE = [
    ("decisions_decision", "OLD.decided_at IS NOT NULL"),
    ("decisions_calculation", "OLD.saved_at IS NOT NULL"),
    ("decisions_decisionletter", "1"),
    ("decisions_letterdispatch", "1"),
    (
        "decisions_decisionline",
        "(SELECT decided_at FROM decisions_decision WHERE id = OLD.decision_id) IS NOT NULL",
    ),
    (
        "decisions_decisionsupportobstacle",
        "(SELECT decided_at FROM decisions_decision WHERE id = OLD.decision_id) IS NOT NULL",
    ),
]

PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION decisions_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '%: a final record of authority is never changed or deleted', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION decisions_refuse_part_change() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM decisions_decision WHERE id = OLD.decision_id
               AND decided_at IS NOT NULL) THEN
        RAISE EXCEPTION '%: part of a final decision is never changed or deleted', TG_TABLE_NAME;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""
PG_TRIGGERS = [
    ("decisions_decision", "WHEN (OLD.decided_at IS NOT NULL)", "decisions_refuse_change"),
    ("decisions_calculation", "WHEN (OLD.saved_at IS NOT NULL)", "decisions_refuse_change"),
    ("decisions_decisionletter", "", "decisions_refuse_change"),
    ("decisions_letterdispatch", "", "decisions_refuse_change"),
    ("decisions_decisionline", "", "decisions_refuse_part_change"),
    ("decisions_decisionsupportobstacle", "", "decisions_refuse_part_change"),
]


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table, condition in FINAL_TABLES_SQLITE:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_final_no_update BEFORE UPDATE ON {table} "
                f"WHEN {condition} BEGIN SELECT RAISE(ABORT, '{table}: a final record of "
                "authority is never changed'); END;"
            )
    elif vendor == "postgresql":
        schema_editor.execute(PG_FUNCTIONS, params=None)
        for table, condition, function in PG_TRIGGERS:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_final BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW {condition} EXECUTE FUNCTION {function}();"
            )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table, _ in FINAL_TABLES_SQLITE:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_final_no_update;")
    elif vendor == "postgresql":
        for table, _, _ in PG_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_final ON {table};")
        schema_editor.execute("DROP FUNCTION IF EXISTS decisions_refuse_change();")
        schema_editor.execute("DROP FUNCTION IF EXISTS decisions_refuse_part_change();")


def seed_default_delegation(apps, schema_editor):
    from bistand.decisions.delegation import DEFAULT_DELEGATION

    Unit = apps.get_model("organisation", "Unit")
    DelegationRule = apps.get_model("decisions", "DelegationRule")
    for unit in Unit.objects.all():
        if DelegationRule.objects.filter(unit=unit).exists():
            continue
        DelegationRule.objects.bulk_create(
            DelegationRule(
                unit=unit, point=point, kind=kind, role=role, max_amount=ceiling, label=label
            )
            for point, kind, role, ceiling, label in DEFAULT_DELEGATION
        )


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]
    operations = [
        migrations.RunPython(add_triggers, drop_triggers),
        migrations.RunPython(seed_default_delegation, migrations.RunPython.noop),
    ]
