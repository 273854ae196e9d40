"""The database checks the payment rules again, so that neither a forgotten check in a service
nor a direct ORM or SQL write can bypass them:

- the broken payment chain on every attestation: the attester is neither the decision maker
  nor whoever registered or changed the payee account (and those two differ); a second
  attestation is by another person, a section or unit head; cash is approved by a unit head;
  a requisition is countersigned by someone other than its issuer; the first attestation
  records the amount limit in force;
- an order comes only from a final, granting decision in force, on a line of that decision,
  books to an assistance (never an operating) account of its unit, and the orders on a line
  never add up to more than it grants;
- an order's facts never change; its status moves only along the allowed transitions, and
  into 'attested' only with the attestations it needs;
- an order joins only a run being built, leaves only a run not yet sent (so it belongs to at
  most one sent run), and a sent run's figures never change;
- history rows (account versions and numbers, attestations, settings, budgets, bank reports and
  their lines) refuse UPDATE.
Checks that read other tables sit behind cheap guards, so claiming or sending 100,000 orders
costs simple comparisons per row (PostgreSQL runs a guarded check only when its guard holds).
Rows refuse DELETE on PostgreSQL; SQLite keeps DELETE possible because Django's test flush
needs it (as audit 0002 and decisions 0002 do), and the models refuse `delete()`.
Each refusal is a check_violation (PostgreSQL) or a constraint abort (SQLite): IntegrityError.
"""

from django.db import migrations

ORDER_TRANSITIONS = [
    ("registered", "awaiting_second"),
    ("registered", "attested"),
    ("registered", "cancelled"),
    ("awaiting_second", "attested"),
    ("awaiting_second", "cancelled"),
    ("attested", "in_run"),
    ("attested", "paid"),
    ("attested", "cancelled"),
    ("in_run", "attested"),
    ("in_run", "sent"),
    ("sent", "paid"),
    ("sent", "rejected"),
    ("paid", "rejected"),
    ("rejected", "cancelled"),
]
RUN_TRANSITIONS = [
    ("building", "built"),
    ("building", "cancelled"),
    ("built", "building"),
    ("built", "sent"),
    ("built", "cancelled"),
    ("sent", "reconciled"),
]
ORDER_FACTS = [
    "unit_id", "case_id", "decision_id", "decision_line_id", "month", "budget_account_id",
    "amount", "method", "payee_id", "payee_account_id", "payee_name", "payee_masked",
    "ocr_reference", "message", "invoice_number", "due_on", "pay_on", "requisition_number",
    "requisition_supplier", "requisition_valid_until", "cash_reason", "note", "created_by_id",
    "created_at", "reissue_of_id",
]  # fmt: skip
RUN_FACTS = ["unit_id", "payment_date", "created_by_id", "created_at"]
SENT_RUN_FACTS = [
    "revision", "message_id", "file_created_at", "order_count", "control_sum", "file_sha256",
    "file_size", "settings_used_id", "sent_by_id", "sent_at",
]  # fmt: skip
PAYEE_FACTS = ["unit_id", "kind", "person_id", "organisation_number", "created_by_id", "created_at"]
BUDGET_ACCOUNT_FACTS = ["unit_id", "code", "kind", "created_by_id", "created_at"]
HISTORY_TABLES = [
    "payments_payeeaccount",
    "payments_accountnumber",
    "payments_attestation",
    "payments_paymentsettings",
    "payments_budgetamount",
    "payments_statusreportimport",
    "payments_reconciliationline",
]
NO_DELETE_TABLES = [
    *HISTORY_TABLES,
    "payments_payee",
    "payments_budgetaccount",
    "payments_paymentorder",
    "payments_paymentrun",
]


# A cheap test (no table read) in front of a check that reads tables: on PostgreSQL the check
# runs only when the guard holds, so the hot path (claiming, sending) stays simple expressions.
ATTESTED_GUARD = "NEW.status <> OLD.status AND NEW.status IN ('attested', 'awaiting_second')"


def _pairs(pairs):
    return ", ".join(f"'{a}>{b}'" for a, b in pairs)


def _changed(columns, ne):
    return " OR ".join(f"NEW.{c} {ne} OLD.{c}" for c in columns)


def rules(ne):
    """(table, event, [([guard,] condition, message)]) with `ne` the null-safe 'differs'
    operator; a row breaks the rule when guard and condition hold."""
    order_of = "(SELECT {col} FROM payments_paymentorder WHERE id = NEW.order_id)"
    decider = (
        "(SELECT d.decided_by_id FROM decisions_decision d JOIN payments_paymentorder o "
        "ON o.decision_id = d.id WHERE o.id = NEW.order_id)"
    )
    registrant = (
        "(SELECT a.registered_by_id FROM payments_payeeaccount a JOIN payments_paymentorder o "
        "ON o.payee_account_id = a.id WHERE o.id = NEW.order_id)"
    )
    attester_role = "(SELECT role FROM organisation_user WHERE id = NEW.attested_by_id)"
    level_one = (
        "(SELECT {col} FROM payments_attestation WHERE order_id = {order} AND level = 1)"
    )
    limit_in_force = (
        "(SELECT s.amount_limit FROM payments_paymentsettings s WHERE s.unit_id = "
        f"{order_of.format(col='unit_id')} ORDER BY s.id DESC LIMIT 1)"
    )
    return [
        (
            "payments_attestation",
            "INSERT",
            [
                (
                    f"NEW.level = 1 AND {order_of.format(col='status')} <> 'registered'",
                    "payments: attest av en utbetalning som inte väntar på attest",
                ),
                (
                    f"NEW.level = 2 AND {order_of.format(col='status')} <> 'awaiting_second'",
                    "payments: andra attest av en utbetalning som inte väntar på den",
                ),
                (
                    f"NEW.attested_by_id = {decider}",
                    "payments: bruten utbetalningskedja - den som beslutat får inte attestera "
                    "(chain_decider_attests)",
                ),
                (
                    f"NEW.attested_by_id = {registrant}",
                    "payments: bruten utbetalningskedja - den som registrerat eller ändrat kontot "
                    "får inte attestera (chain_account_registrant_attests)",
                ),
                (
                    f"{decider} = {registrant}",
                    "payments: bruten utbetalningskedja - samma person har beslutat och "
                    "registrerat kontot (chain_decider_registered_account)",
                ),
                (
                    "NEW.level = 2 AND NEW.attested_by_id = "
                    + level_one.format(col="attested_by_id", order="NEW.order_id"),
                    "payments: andra attesten av samma person som den första "
                    "(chain_second_attest_same_person)",
                ),
                (
                    f"NEW.level = 2 AND {attester_role} NOT IN ('section_head', 'unit_head')",
                    "payments: andra attest görs av sektionschef eller enhetschef "
                    "(second_attest_needs_head)",
                ),
                (
                    f"NEW.level = 1 AND {order_of.format(col='method')} = 'cash' "
                    f"AND {attester_role} <> 'unit_head'",
                    "payments: kontant utbetalning kräver enhetschefens godkännande "
                    "(cash_needs_unit_head)",
                ),
                (
                    f"NEW.level = 1 AND {order_of.format(col='method')} = 'requisition' "
                    f"AND NEW.attested_by_id = {order_of.format(col='created_by_id')}",
                    "payments: rekvisition kontrasigneras av annan än utfärdaren "
                    "(chain_requisition_countersign)",
                ),
                (
                    f"NEW.level = 1 AND NEW.amount_limit {ne} {limit_in_force}",
                    "payments: attesten ska ange den beloppsspärr som gäller",
                ),
                (
                    f"NEW.role {ne} {attester_role}",
                    "payments: attestens roll ska vara attestantens",
                ),
            ],
        ),
        (
            "payments_paymentorder",
            "INSERT",
            [
                (
                    "NEW.status <> 'registered' OR NEW.run_id IS NOT NULL",
                    "payments: en ny utbetalning är registrerad och i ingen betalningsfil",
                ),
                (
                    "NOT EXISTS (SELECT 1 FROM decisions_decision d WHERE d.id = NEW.decision_id "
                    "AND d.status = 'final' AND d.decided_at IS NOT NULL "
                    "AND d.outcome IN ('granted', 'partly_granted') AND d.case_id = NEW.case_id)",
                    "payments: utbetalning bara från ett fattat beslut om bifall i ärendet "
                    "(decision_not_granted)",
                ),
                (
                    "EXISTS (SELECT 1 FROM decisions_decision r WHERE r.replaces_id = "
                    "NEW.decision_id AND r.status = 'final')",
                    "payments: beslutet är ersatt och gäller inte (decision_replaced)",
                ),
                (
                    "NOT EXISTS (SELECT 1 FROM decisions_decisionline l WHERE "
                    "l.id = NEW.decision_line_id AND l.decision_id = NEW.decision_id)",
                    "payments: beslutsraden hör inte till beslutet",
                ),
                (
                    "ROUND(COALESCE((SELECT SUM(o.amount) FROM payments_paymentorder o WHERE "
                    "o.decision_line_id = NEW.decision_line_id AND o.status NOT IN "
                    "('cancelled', 'rejected')), 0) + NEW.amount, 2) > ROUND((SELECT "
                    "l.amount_granted FROM decisions_decisionline l WHERE "
                    "l.id = NEW.decision_line_id), 2)",
                    "payments: summan av utbetalningarna överstiger det beviljade beloppet "
                    "(over_granted)",
                ),
                (
                    "NOT EXISTS (SELECT 1 FROM payments_budgetaccount b WHERE "
                    "b.id = NEW.budget_account_id AND b.kind = 'assistance' "
                    "AND b.unit_id = NEW.unit_id)",
                    "payments: utbetalning bokförs på enhetens konto för ekonomiskt bistånd, "
                    "aldrig på driftbudgeten (operating_budget)",
                ),
                (
                    "NEW.payee_account_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                    "payments_payeeaccount a WHERE a.id = NEW.payee_account_id "
                    "AND a.payee_id = NEW.payee_id)",
                    "payments: kontot hör inte till mottagaren",
                ),
                (
                    "NEW.payee_account_id IS NOT NULL AND (SELECT registered_by_id FROM "
                    "payments_payeeaccount WHERE id = NEW.payee_account_id) = (SELECT "
                    "decided_by_id FROM decisions_decision WHERE id = NEW.decision_id)",
                    "payments: bruten utbetalningskedja - samma person har beslutat och "
                    "registrerat kontot (chain_decider_registered_account)",
                ),
            ],
        ),
        (
            "payments_paymentorder",
            "UPDATE",
            [
                (
                    _changed(ORDER_FACTS, ne),
                    "payments: en utbetalnings uppgifter ändras aldrig; makulera och registrera "
                    "om",
                ),
                (
                    "NEW.status <> OLD.status AND OLD.status || '>' || NEW.status NOT IN "
                    f"({_pairs(ORDER_TRANSITIONS)})",
                    "payments: otillåten statusändring för utbetalningen",
                ),
                (
                    ATTESTED_GUARD,
                    "NOT EXISTS (SELECT 1 FROM payments_attestation WHERE order_id = NEW.id "
                    "AND level = 1)",
                    "payments: utbetalningen är inte attesterad",
                ),
                (
                    ATTESTED_GUARD,
                    "NEW.status = 'attested' AND NEW.amount > "
                    + level_one.format(col="amount_limit", order="NEW.id")
                    + " AND NOT EXISTS (SELECT 1 FROM payments_attestation WHERE "
                    "order_id = NEW.id AND level = 2)",
                    "payments: beloppet är över beloppsspärren och kräver en andra attest",
                ),
                (
                    ATTESTED_GUARD,
                    "NEW.status = 'awaiting_second' AND NEW.amount <= "
                    + level_one.format(col="amount_limit", order="NEW.id"),
                    "payments: beloppet är inte över beloppsspärren",
                ),
                (
                    f"OLD.run_id IS NOT NULL AND NEW.run_id {ne} OLD.run_id",
                    "NEW.run_id IS NOT NULL OR (SELECT status FROM payments_paymentrun WHERE "
                    "id = OLD.run_id) NOT IN ('building', 'built')",
                    "payments: en utbetalning lämnar bara en betalningsfil som inte är skickad "
                    "(och flyttas aldrig direkt till en annan)",
                ),
                (
                    "OLD.run_id IS NULL AND NEW.run_id IS NOT NULL",
                    "OLD.status <> 'attested' OR (SELECT status FROM payments_paymentrun WHERE "
                    "id = NEW.run_id) <> 'building'",
                    "payments: bara attesterade utbetalningar tas in, och bara i en "
                    "betalningsfil som byggs",
                ),
            ],
        ),
        (
            "payments_paymentrun",
            "UPDATE",
            [
                ("OLD.status = 'cancelled'", "payments: en makulerad betalningsfil ändras inte"),
                (_changed(RUN_FACTS, ne), "payments: betalningsfilens datum och enhet ändras inte"),
                (
                    "OLD.status IN ('sent', 'reconciled') AND (" + _changed(SENT_RUN_FACTS, ne) + ")",
                    "payments: en skickad betalningsfil ändras inte",
                ),
                (
                    "NEW.status <> OLD.status AND OLD.status || '>' || NEW.status NOT IN "
                    f"({_pairs(RUN_TRANSITIONS)})",
                    "payments: otillåten statusändring för betalningsfilen",
                ),
            ],
        ),
        (
            "payments_payee",
            "UPDATE",
            [
                (_changed(PAYEE_FACTS, ne), "payments: mottagarens identitet ändras inte"),
                (
                    "NEW.current_account_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                    "payments_payeeaccount a WHERE a.id = NEW.current_account_id "
                    "AND a.payee_id = NEW.id)",
                    "payments: kontot hör inte till mottagaren",
                ),
            ],
        ),
        (
            "payments_budgetaccount",
            "UPDATE",
            [(_changed(BUDGET_ACCOUNT_FACTS, ne), "payments: budgetkontots nummer och slag ändras inte")],
        ),
        *[
            (table, "UPDATE", [("1 = 1", f"payments: {table} är historik och ändras aldrig")])
            for table in HISTORY_TABLES
        ],
    ]


def _name(table, event):
    return f"{table}_{event.lower()}_rules"


def _checks(checks):
    """(guard, condition, message) for every check; guard '' when there is none."""
    return [check if len(check) == 3 else ("", *check) for check in checks]


def _sqlite_sql():
    statements = []
    for table, event, checks in rules("IS NOT"):
        body = " ".join(
            f"SELECT RAISE(ABORT, '{message}') WHERE "
            + (f"({guard}) AND ({condition});" if guard else f"{condition};")
            for guard, condition, message in _checks(checks)
        )
        statements.append(
            f"CREATE TRIGGER {_name(table, event)} BEFORE {event} ON {table} "
            f"FOR EACH ROW BEGIN {body} END;"
        )
    return statements


def _pg_sql():
    statements = []
    for table, event, checks in rules("IS DISTINCT FROM"):
        name = _name(table, event)
        blocks = []
        for guard, condition, message in _checks(checks):
            check = (
                f"IF {condition} THEN RAISE EXCEPTION USING ERRCODE = 'check_violation', "
                f"MESSAGE = '{message}'; END IF;"
            )
            blocks.append(f"    IF {guard} THEN {check} END IF;" if guard else f"    {check}")
        body = "\n".join(blocks)
        statements.append(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$\nBEGIN\n{body}\n"
            "    RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;"
        )
        statements.append(
            f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION {name}();"
        )
    statements.append(
        "CREATE OR REPLACE FUNCTION payments_refuse_delete() RETURNS trigger AS $$\nBEGIN\n"
        "    RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = "
        "TG_TABLE_NAME || ': en allmän handling tas aldrig bort';\nEND;\n$$ LANGUAGE plpgsql;"
    )
    for table in NO_DELETE_TABLES:
        statements.append(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
            "EXECUTE FUNCTION payments_refuse_delete();"
        )
    return statements


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in _pg_sql():
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        for statement in _sqlite_sql():
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    names = [(table, _name(table, event)) for table, event, _ in rules("IS NOT")]
    if vendor == "postgresql":
        for table, name in names:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}();")
        for table in NO_DELETE_TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete ON {table};")
        schema_editor.execute("DROP FUNCTION IF EXISTS payments_refuse_delete();")
    elif vendor == "sqlite":
        for _, name in names:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
        ("decisions", "0001_initial"),
        ("organisation", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
