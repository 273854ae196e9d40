"""A database's schema as comparable data: tables and their columns, indexes, constraints,
foreign keys and triggers, independent of column order (a migration appends a column where
`create_model` writes it in the model's order). Used to prove that `bistand createschema` builds
what the migrations build."""

from __future__ import annotations

import re

# The migration table's rows are compared separately; its own shape is Django's.
IGNORED_TABLES = {"django_migrations"}


def schema_shape(connection) -> dict:
    if connection.vendor == "sqlite":
        return _sqlite(connection)
    if connection.vendor == "postgresql":
        return _postgresql(connection)
    raise NotImplementedError(connection.vendor)


def _sqlite_checks(sql: str) -> list[str]:
    """The CHECK constraints of a CREATE TABLE statement, each as its text."""
    checks, start = [], 0
    while (index := sql.find("CHECK (", start)) != -1:
        depth, position = 0, index + len("CHECK ")
        for position in range(index + len("CHECK "), len(sql)):
            if sql[position] == "(":
                depth += 1
            elif sql[position] == ")":
                depth -= 1
                if depth == 0:
                    break
        name = re.search(r'CONSTRAINT "([^"]+)"\s*$', sql[:index])
        checks.append(f"{name.group(1) if name else ''}: {sql[index : position + 1]}")
        start = position + 1
    return sorted(checks)


def _sqlite(connection) -> dict:
    shape = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
        )
        rows = cursor.fetchall()
        for kind, name, table, sql in rows:
            if table in IGNORED_TABLES:
                continue
            if kind == "table":
                cursor.execute(f'PRAGMA table_info("{name}")')
                columns = sorted(
                    (col[1], col[2].upper(), bool(col[3]), col[4], bool(col[5]))
                    for col in cursor.fetchall()
                )
                cursor.execute(f'PRAGMA foreign_key_list("{name}")')
                foreign_keys = sorted(
                    (fk[3], fk[2], fk[4], fk[5], fk[6]) for fk in cursor.fetchall()
                )
                shape[("table", name)] = {
                    "columns": columns,
                    "foreign_keys": foreign_keys,
                    "checks": _sqlite_checks(sql or ""),
                }
            elif kind == "index":
                shape[("index", name)] = {"table": table, "sql": _normal(sql)}
            elif kind == "trigger":
                shape[("trigger", name)] = {"table": table, "sql": _normal(sql)}
            else:
                shape[(kind, name)] = {"table": table, "sql": _normal(sql)}
    return shape


def _postgresql(connection) -> dict:
    shape = {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name, data_type, is_nullable, column_default,
                   character_maximum_length, numeric_precision, numeric_scale, is_identity
            FROM information_schema.columns WHERE table_schema = 'public'
            """
        )
        for table, *column in cursor.fetchall():
            if table in IGNORED_TABLES:
                continue
            shape.setdefault(("table", table), {"columns": []})["columns"].append(tuple(column))
        for entry in shape.values():
            entry["columns"].sort()
        cursor.execute(
            """
            SELECT con.conname, rel.relname, con.contype, pg_get_constraintdef(con.oid)
            FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
            JOIN pg_namespace nsp ON nsp.oid = rel.relnamespace WHERE nsp.nspname = 'public'
            """
        )
        for name, table, kind, definition in cursor.fetchall():
            if table not in IGNORED_TABLES:
                shape[("constraint", table, name)] = {"kind": kind, "definition": definition}
        cursor.execute(
            "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        )
        for name, table, definition in cursor.fetchall():
            if table not in IGNORED_TABLES:
                shape[("index", name)] = {"table": table, "definition": definition}
        cursor.execute(
            """
            SELECT tg.tgname, rel.relname, pg_get_triggerdef(tg.oid)
            FROM pg_trigger tg JOIN pg_class rel ON rel.oid = tg.tgrelid
            JOIN pg_namespace nsp ON nsp.oid = rel.relnamespace
            WHERE nsp.nspname = 'public' AND NOT tg.tgisinternal
            """
        )
        for name, table, definition in cursor.fetchall():
            shape[("trigger", table, name)] = {"definition": definition}
        cursor.execute(
            """
            SELECT p.proname, pg_get_function_identity_arguments(p.oid), p.prosrc
            FROM pg_proc p JOIN pg_namespace nsp ON nsp.oid = p.pronamespace
            WHERE nsp.nspname = 'public'
            """
        )
        for name, arguments, source in cursor.fetchall():
            shape[("function", name, arguments)] = {"source": _normal(source)}
        cursor.execute(
            "SELECT sequence_name FROM information_schema.sequences "
            "WHERE sequence_schema = 'public'"
        )
        for (name,) in cursor.fetchall():
            shape[("sequence", name)] = {}
    return shape


def _normal(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").strip()


def differences(expected: dict, actual: dict) -> list[str]:
    """What differs, one line each (empty when the two schemas are the same)."""
    lines = []
    for key in sorted(set(expected) | set(actual), key=repr):
        if key not in actual:
            lines.append(f"missing {key}: {expected[key]}")
        elif key not in expected:
            lines.append(f"extra {key}: {actual[key]}")
        elif expected[key] != actual[key]:
            lines.append(
                f"differs {key}:\n  migrations: {expected[key]}\n  createschema: {actual[key]}"
            )
    return lines
