"""Suspending the append-only triggers, for the two places allowed to rewrite the log.

Only the re-chaining migration (0005) and the test suite's flush between transactional tests
use this; the application never does. Whoever may ALTER the table can do the same by hand,
which is why the chain is keyed and anchored outside the database (docs/audit.md).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

TABLE = "audit_accesslogentry"


@contextmanager
def append_only_suspended(connection) -> Iterator[None]:
    """Within one transaction: triggers off, the body runs, the same triggers back on."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
            yield
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [TABLE],
            )
            triggers = cursor.fetchall()
            for name, _ in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            yield
            for _, sql in triggers:
                cursor.execute(sql)
        else:
            yield
