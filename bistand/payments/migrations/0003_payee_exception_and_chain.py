"""The payment chain, closed: order registrant, account registrant, decision maker and attester
are four different people, and a payment to a private person goes only to the case's household
unless the unit head approved an exception (`PayeeException`).

Extends the triggers of 0002 (regenerated from its rule list plus the checks below, for
PostgreSQL and SQLite alike):
- an order is never registered by its decision maker (chain_decider_registers_order) nor by
  whoever registered the account version it pays to (chain_account_registrant_registers_order);
- an attestation (either level) is never by whoever registered the order
  (chain_registrant_attests);
- an attestation of an order to a private person (payee kind 'person') who has no membership in
  the case's household overlapping the decision's month is refused unless the order has a
  `PayeeException` (payee_not_in_household);
- a `PayeeException` is approved by a unit head of the order's unit who did not register the
  order, with a reason, while the order still waits for its first attestation; it is history
  (no UPDATE; no DELETE on PostgreSQL).
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


BASE = importlib.import_module("bistand.payments.migrations.0002_payment_chain_triggers")


def _next_month(vendor, column):
    """The first day of the month after `column` (a date), in the vendor's SQL."""
    if vendor == "postgresql":
        return f"(({column}) + INTERVAL '1 month')::date"
    return f"date({column}, '+1 month')"


def extra_rules(vendor):
    """(table, event, checks) added to 0002's rules; checks as in 0002."""
    outside_household = (
        "EXISTS (SELECT 1 FROM payments_paymentorder o "
        "JOIN payments_payee p ON p.id = o.payee_id "
        "JOIN decisions_decision d ON d.id = o.decision_id "
        "JOIN cases_case c ON c.id = o.case_id "
        "WHERE o.id = NEW.order_id AND p.kind = 'person' "
        "AND NOT EXISTS (SELECT 1 FROM households_householdmembership m "
        "WHERE m.household_id = c.household_id AND m.person_id = p.person_id "
        f"AND m.valid_from < {_next_month(vendor, 'd.month')} "
        "AND (m.valid_to IS NULL OR m.valid_to > d.month)) "
        "AND NOT EXISTS (SELECT 1 FROM payments_payeeexception x WHERE x.order_id = o.id))"
    )
    approver = "(SELECT {col} FROM organisation_user WHERE id = NEW.approved_by_id)"
    order_of = "(SELECT {col} FROM payments_paymentorder WHERE id = NEW.order_id)"
    return {
        ("payments_attestation", "INSERT"): [
            (
                f"NEW.attested_by_id = {order_of.format(col='created_by_id')}",
                "payments: bruten utbetalningskedja - den som registrerat utbetalningen får inte "
                "attestera den (chain_registrant_attests)",
            ),
            (
                outside_household,
                "payments: mottagaren ingår inte i hushållet under beslutets månad och "
                "enhetschefen har inte godkänt undantag (payee_not_in_household)",
            ),
        ],
        ("payments_paymentorder", "INSERT"): [
            (
                "NEW.created_by_id = (SELECT decided_by_id FROM decisions_decision WHERE "
                "id = NEW.decision_id)",
                "payments: bruten utbetalningskedja - den som beslutat får inte registrera "
                "utbetalningen (chain_decider_registers_order)",
            ),
            (
                "NEW.payee_account_id IS NOT NULL AND NEW.created_by_id = (SELECT "
                "registered_by_id FROM payments_payeeaccount WHERE id = NEW.payee_account_id)",
                "payments: bruten utbetalningskedja - den som registrerat kontot får inte "
                "registrera utbetalningen (chain_account_registrant_registers_order)",
            ),
        ],
        ("payments_payeeexception", "INSERT"): [
            (
                f"{approver.format(col='role')} <> 'unit_head' OR {approver.format(col='unit_id')} "
                f"IS NULL OR {approver.format(col='unit_id')} <> {order_of.format(col='unit_id')}",
                "payments: undantag godkänns av enhetschefen för enheten (exception_needs_unit_head)",
            ),
            (
                f"NEW.approved_by_id = {order_of.format(col='created_by_id')}",
                "payments: den som registrerat utbetalningen godkänner inte undantaget "
                "(exception_by_registrant)",
            ),
            (
                f"{order_of.format(col='status')} <> 'registered'",
                "payments: undantag godkänns innan utbetalningen attesteras",
            ),
            ("TRIM(NEW.reason) = ''", "payments: undantaget ska ha en skriftlig motivering"),
            (
                f"NEW.role <> {approver.format(col='role')}",
                "payments: undantagets roll ska vara den godkännandes",
            ),
        ],
        ("payments_payeeexception", "UPDATE"): [
            ("1 = 1", "payments: payments_payeeexception är historik och ändras aldrig"),
        ],
    }


def all_rules(vendor, *, extended=True):
    ne = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    extras = extra_rules(vendor) if extended else {}
    combined = [
        (table, event, [*checks, *extras.get((table, event), [])])
        for table, event, checks in BASE.rules(ne)
    ]
    known = {(table, event) for table, event, _ in combined}
    combined += [(t, e, checks) for (t, e), checks in extras.items() if (t, e) not in known]
    return combined


AFFECTED = set(extra_rules("sqlite"))
NEW_TABLES = {("payments_payeeexception", "INSERT"), ("payments_payeeexception", "UPDATE")}


def _sqlite_trigger(table, event, checks):
    body = " ".join(
        f"SELECT RAISE(ABORT, '{message}') WHERE "
        + (f"({guard}) AND ({condition});" if guard else f"{condition};")
        for guard, condition, message in BASE._checks(checks)
    )
    name = BASE._name(table, event)
    return [
        f"DROP TRIGGER IF EXISTS {name};",
        f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW BEGIN {body} END;",
    ]


def _pg_trigger(table, event, checks, *, create_trigger):
    name = BASE._name(table, event)
    blocks = []
    for guard, condition, message in BASE._checks(checks):
        check = (
            f"IF {condition} THEN RAISE EXCEPTION USING ERRCODE = 'check_violation', "
            f"MESSAGE = '{message}'; END IF;"
        )
        blocks.append(f"    IF {guard} THEN {check} END IF;" if guard else f"    {check}")
    body = "\n".join(blocks)
    statements = [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$\nBEGIN\n{body}\n"
        "    RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;"
    ]
    if create_trigger:
        statements.append(
            f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION {name}();"
        )
    return statements


def _install(schema_editor, *, extended):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    for table, event, checks in all_rules(vendor, extended=extended):
        if (table, event) not in AFFECTED:
            continue
        if (table, event) in NEW_TABLES and not extended:
            continue
        if vendor == "sqlite":
            statements = _sqlite_trigger(table, event, checks)
        else:
            statements = _pg_trigger(
                table, event, checks, create_trigger=(table, event) in NEW_TABLES
            )
        for statement in statements:
            schema_editor.execute(statement)
    if vendor == "postgresql" and extended:
        schema_editor.execute(
            "CREATE TRIGGER payments_payeeexception_no_delete BEFORE DELETE ON "
            "payments_payeeexception FOR EACH ROW EXECUTE FUNCTION payments_refuse_delete();"
        )


def forwards(apps, schema_editor):
    _install(schema_editor, extended=True)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, event in NEW_TABLES:
        name = BASE._name(table, event)
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}();")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")
    if vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS payments_payeeexception_no_delete ON payments_payeeexception;"
        )
    _install(schema_editor, extended=False)


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0002_payment_chain_triggers'),
        ('households', '0001_initial'),
        ('cases', '0002_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PayeeException',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(max_length=32)),
                ('reason', models.TextField(verbose_name='motivering')),
                ('approved_at', models.DateTimeField()),
                ('approved_by', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('order', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='payee_exception', to='payments.paymentorder')),
            ],
            options={
                'constraints': [models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='payee_exception_has_reason')],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
