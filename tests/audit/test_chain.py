import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bistand.audit.models import AccessLogEntry
from bistand.audit.services import AuditEvent, record, record_many, verify_chain


def _disable_append_only_trigger():
    """Simulate a database administrator tampering with the table behind the app's back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE audit_accesslogentry DISABLE TRIGGER audit_accesslogentry_no_update"
            )
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_accesslogentry_no_update")


@pytest.fixture
def chain(org):
    for index in range(5):
        record(
            org.social_worker,
            "view",
            object_type="case",
            object_id=index,
            case_id=index,
            detail={"n": index},
        )
    return list(AccessLogEntry.objects.order_by("id"))


def test_intact_chain_verifies(chain):
    report = verify_chain()
    assert report.ok and report.checked == len(chain)
    call_command("verify-audit")


def test_a_deleted_row_is_detected(chain):
    _disable_append_only_trigger()
    AccessLogEntry.objects.filter(pk=chain[2].pk).delete()
    report = verify_chain()
    assert not report.ok
    assert any(f"row {chain[3].pk}" in p for p in report.problems)
    with pytest.raises(CommandError):
        call_command("verify-audit")


def test_a_deleted_last_row_is_detected(chain):
    _disable_append_only_trigger()
    AccessLogEntry.objects.filter(pk=chain[-1].pk).delete()
    assert not verify_chain().ok


def test_an_altered_row_is_detected(chain):
    _disable_append_only_trigger()
    AccessLogEntry.objects.filter(pk=chain[1].pk).update(actor_username="someone-else")
    report = verify_chain()
    assert any(f"row {chain[1].pk}" in p and "altered" in p for p in report.problems)


def test_the_database_refuses_to_update_a_log_row(chain):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.filter(pk=chain[0].pk).update(action="search")


def test_set_wise_batch_continues_the_chain(org, chain):
    count = record_many(org.finance, [AuditEvent("create", "payment", str(n)) for n in range(50)])
    assert count == 50
    assert verify_chain().ok
