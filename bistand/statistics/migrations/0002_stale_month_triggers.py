"""Mark a month stale in the statistics whenever a paid payment order appears, changes or stops
being paid (returned by the bank), whatever wrote it: a service, the bank reconciliation, the
admin or SQL. Both the month the assistance is for and the month it was paid out are marked
(the summary tables use the first, the budget accounts the second). The refresh
(bistand.statistics.refresh) clears the marks it has dealt with.

PostgreSQL: statement-level triggers with transition tables, so a reconciliation that updates
25,000 orders in one statement marks its months in one INSERT. SQLite: row-level triggers.
"""

from django.db import migrations

# What makes a row count: it is (or was) paid.
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION statistics_mark_stale_months() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO statistics_stalemonth (month, marked_at)
        SELECT DISTINCT date_trunc('month', m)::date, now()
        FROM (
            SELECT n.month AS m FROM statistics_new_rows n WHERE n.status = 'paid'
            UNION ALL
            SELECT n.paid_on FROM statistics_new_rows n WHERE n.status = 'paid'
        ) changed
        WHERE m IS NOT NULL
        ON CONFLICT (month) DO NOTHING;
    ELSE
        INSERT INTO statistics_stalemonth (month, marked_at)
        SELECT DISTINCT date_trunc('month', m)::date, now()
        FROM (
            SELECT unnest(ARRAY[n.month, n.paid_on, o.month, o.paid_on]) AS m
            FROM statistics_new_rows n JOIN statistics_old_rows o ON o.id = n.id
            WHERE (n.status = 'paid' OR o.status = 'paid')
              AND (n.status IS DISTINCT FROM o.status
                   OR n.amount IS DISTINCT FROM o.amount
                   OR n.month IS DISTINCT FROM o.month
                   OR n.paid_on IS DISTINCT FROM o.paid_on
                   OR n.case_id IS DISTINCT FROM o.case_id
                   OR n.budget_account_id IS DISTINCT FROM o.budget_account_id)
        ) changed
        WHERE m IS NOT NULL
        ON CONFLICT (month) DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
PG_TRIGGERS = [
    "CREATE TRIGGER statistics_paymentorder_stale_insert AFTER INSERT ON payments_paymentorder "
    "REFERENCING NEW TABLE AS statistics_new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION statistics_mark_stale_months();",
    "CREATE TRIGGER statistics_paymentorder_stale_update AFTER UPDATE ON payments_paymentorder "
    "REFERENCING OLD TABLE AS statistics_old_rows NEW TABLE AS statistics_new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION statistics_mark_stale_months();",
]
PG_DROP = [
    "DROP TRIGGER IF EXISTS statistics_paymentorder_stale_insert ON payments_paymentorder;",
    "DROP TRIGGER IF EXISTS statistics_paymentorder_stale_update ON payments_paymentorder;",
    "DROP FUNCTION IF EXISTS statistics_mark_stale_months();",
]


def _sqlite_marks(*columns: str) -> str:
    return " ".join(
        "INSERT OR IGNORE INTO statistics_stalemonth (month) "
        f"SELECT date({column}, 'start of month') WHERE {column} IS NOT NULL;"
        for column in columns
    )


SQLITE_TRIGGERS = [
    "CREATE TRIGGER statistics_paymentorder_stale_insert AFTER INSERT ON payments_paymentorder "
    "FOR EACH ROW WHEN NEW.status = 'paid' BEGIN "
    + _sqlite_marks("NEW.month", "NEW.paid_on")
    + " END;",
    "CREATE TRIGGER statistics_paymentorder_stale_update AFTER UPDATE ON payments_paymentorder "
    "FOR EACH ROW WHEN (NEW.status = 'paid' OR OLD.status = 'paid') AND ("
    "NEW.status IS NOT OLD.status OR NEW.amount IS NOT OLD.amount OR NEW.month IS NOT OLD.month "
    "OR NEW.paid_on IS NOT OLD.paid_on OR NEW.case_id IS NOT OLD.case_id "
    "OR NEW.budget_account_id IS NOT OLD.budget_account_id) BEGIN "
    + _sqlite_marks("NEW.month", "NEW.paid_on", "OLD.month", "OLD.paid_on")
    + " END;",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS statistics_paymentorder_stale_insert;",
    "DROP TRIGGER IF EXISTS statistics_paymentorder_stale_update;",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        for statement in PG_TRIGGERS:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = PG_DROP if vendor == "postgresql" else SQLITE_DROP if vendor == "sqlite" else []
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("statistics", "0001_initial"),
        ("payments", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
