"""The database itself refuses to change or remove access-log rows, on both databases."""

import pytest
from django.db import DatabaseError, connection, transaction

from bistand.audit.models import AccessLogEntry
from bistand.audit.services import record, verify_chain


@pytest.fixture
def rows(org):
    for index in range(3):
        record(org.social_worker, "view", object_type="case", object_id=index, case_id=index)
    return list(AccessLogEntry.objects.order_by("id"))


def _refused(sql: str, params=()) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_the_database_refuses_to_update_a_log_row(rows):
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.filter(pk=rows[0].pk).update(action="search")
    _refused("UPDATE audit_accesslogentry SET actor_username = 'x' WHERE id = %s", [rows[0].pk])


def test_the_database_refuses_to_delete_a_log_row(rows):
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.filter(pk=rows[1].pk).delete()
    _refused("DELETE FROM audit_accesslogentry WHERE id = %s", [rows[1].pk])


def test_the_database_refuses_to_empty_the_log(rows):
    _refused("DELETE FROM audit_accesslogentry")
    assert AccessLogEntry.objects.count() == len(rows)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
def test_postgresql_refuses_truncate(rows):
    _refused("TRUNCATE audit_accesslogentry")
    _refused("TRUNCATE audit_accesslogentry, audit_chainhead")
    assert AccessLogEntry.objects.count() == len(rows)
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_can_still_flush_the_log_between_tests(org):
    """Teardown of this test flushes every table (TRUNCATE / DELETE): conftest suspends the
    triggers for the flush only. If that breaks, this test errors in teardown."""
    record(org.social_worker, "view", object_type="case", object_id=1, case_id=1)
    assert AccessLogEntry.objects.exists()
    _refused("DELETE FROM audit_accesslogentry")


@pytest.mark.django_db(transaction=True)
def test_the_log_is_empty_again_after_a_transactional_test():
    assert not AccessLogEntry.objects.exists()
