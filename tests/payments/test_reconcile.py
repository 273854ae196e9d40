"""Reconciliation: the bank's pain.002 or camt.054 makes orders paid or rejected; rejected ones
go back to finance with the bank's reason; the case shows what was actually paid; the same
report twice changes nothing the second time."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bistand.payments import selectors, services
from bistand.payments.iso20022 import (
    PaymentInformationStatus,
    SimulatedBooking,
    SimulatedStatus,
    build_camt054,
    build_pain002,
)
from bistand.payments.models import (
    OrderStatus,
    PaymentMethod,
    PaymentOrder,
    ReconciliationLine,
    RunStatus,
    StatusReportImport,
)

from .conftest import DEBTOR_IBAN

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(world, org):
    orders = [
        world.attested(PaymentMethod.ACCOUNT, "6890.00"),
        world.attested(PaymentMethod.INVOICE, "745.50"),
        world.attested(PaymentMethod.INVOICE, "412.25", payee=world.utility),
    ]
    run = services.build_run(org.finance, world.pay_day).run
    services.mark_run_sent(org.finance, run)
    run.refresh_from_db()
    return run, orders


def batch(run, order):
    return f"{run.message_id}-{'P' if order.method == 'account' else 'F'}"


def pain002(run, statuses, message_id="PAIN002-1", **kwargs):
    return build_pain002(
        run.message_id,
        statuses,
        message_id=message_id,
        created_at=timezone.now(),
        **kwargs,
    )


def state(order):
    order.refresh_from_db()
    return order.status


def test_pain002_round_trip_paid_and_rejected_with_reason(world, org, sent):
    run, (applicant, landlord, utility) = sent
    report = pain002(
        run,
        [
            SimulatedStatus(applicant.reference, "ACSC", batch(run, applicant)),
            SimulatedStatus(landlord.reference, "ACSC", batch(run, landlord)),
            SimulatedStatus(
                utility.reference, "RJCT", batch(run, utility), "AC04", "Kontot avslutat"
            ),
        ],
    )
    result = services.import_status_report(org.finance, report, filename="svar.xml")
    assert not result.already_imported
    assert (result.report.paid_count, result.report.rejected_count) == (2, 1)
    assert state(applicant) == OrderStatus.PAID and applicant.paid_on == run.payment_date
    assert state(landlord) == OrderStatus.PAID
    assert state(utility) == OrderStatus.REJECTED
    assert utility.bank_reason_code == "AC04"
    assert "Mottagarens konto är avslutat" in utility.bank_reason
    run.refresh_from_db()
    assert run.status == RunStatus.RECONCILED
    # rejected back to finance, with the bank's reason
    queue = selectors.payment_queue(org.finance)
    assert [o.pk for o in queue.rejected] == [utility.pk]


def test_same_report_twice_changes_nothing(world, org, sent):
    run, (applicant, landlord, utility) = sent
    report = pain002(
        run,
        [
            SimulatedStatus(applicant.reference, "ACSC", batch(run, applicant)),
            SimulatedStatus(utility.reference, "RJCT", batch(run, utility), "AC01"),
        ],
    )
    services.import_status_report(org.finance, report)
    before = list(PaymentOrder.objects.order_by("id").values())
    lines = ReconciliationLine.objects.count()
    again = services.import_status_report(org.finance, report)
    assert again.already_imported
    assert list(PaymentOrder.objects.order_by("id").values()) == before
    assert ReconciliationLine.objects.count() == lines
    assert StatusReportImport.objects.count() == 1
    # the same message (same MsgId) with other bytes is also recognised
    reformatted = report.replace(b"><", b">\n<")
    assert services.import_status_report(org.finance, reformatted).already_imported


def test_whole_file_rejected_rejects_every_order(world, org, sent):
    run, orders = sent
    report = pain002(
        run, [], group_status="RJCT", group_reason_code="AM04", group_reason_text="Täckning saknas"
    )
    services.import_status_report(org.finance, report)
    assert {state(o) for o in orders} == {OrderStatus.REJECTED}
    assert all("Täckning saknas" in o.bank_reason for o in orders)


def test_batch_status_applies_to_its_orders(world, org, sent):
    run, (applicant, landlord, utility) = sent
    report = pain002(
        run,
        [SimulatedStatus(applicant.reference, "ACSC", batch(run, applicant))],
        batch_statuses=[PaymentInformationStatus(f"{run.message_id}-F", "RJCT", "RC01")],
    )
    services.import_status_report(org.finance, report)
    assert state(applicant) == OrderStatus.PAID
    assert state(landlord) == state(utility) == OrderStatus.REJECTED


def test_camt054_round_trip_with_return(world, org, sent):
    run, (applicant, landlord, utility) = sent
    booked = run.payment_date
    camt = build_camt054(
        DEBTOR_IBAN,
        [
            SimulatedBooking(applicant.reference, applicant.amount, booked),
            SimulatedBooking(landlord.reference, landlord.amount, booked),
            SimulatedBooking(utility.reference, utility.amount, booked, status="PDNG"),
        ],
        message_id="CAMT-1",
        created_at=timezone.now(),
    )
    result = services.import_status_report(org.finance, camt)
    assert (result.report.paid_count, result.report.pending_count) == (2, 1)
    assert state(applicant) == state(landlord) == OrderStatus.PAID
    assert state(utility) == OrderStatus.SENT
    # later the applicant's payment comes back: account closed
    back = build_camt054(
        DEBTOR_IBAN,
        [
            SimulatedBooking(
                applicant.reference,
                applicant.amount,
                booked + dt.timedelta(days=2),
                return_reason_code="AC04",
            ),
            SimulatedBooking(utility.reference, utility.amount, booked + dt.timedelta(days=1)),
        ],
        message_id="CAMT-2",
        created_at=timezone.now(),
    )
    services.import_status_report(org.finance, back)
    assert state(applicant) == OrderStatus.REJECTED
    assert applicant.returned_on == booked + dt.timedelta(days=2)
    assert applicant.paid_on == booked
    assert state(utility) == OrderStatus.PAID
    assert services.import_status_report(org.finance, back).already_imported


def test_amount_mismatch_is_reported_not_applied(world, org, sent):
    run, (applicant, *_rest) = sent
    camt = build_camt054(
        DEBTOR_IBAN,
        [SimulatedBooking(applicant.reference, Decimal("1.00"), run.payment_date)],
        message_id="CAMT-X",
        created_at=timezone.now(),
    )
    result = services.import_status_report(org.finance, camt)
    assert state(applicant) == OrderStatus.SENT
    assert "stämmer inte" in result.report.problems[0]


def test_report_for_an_unknown_file_is_refused(world, org, sent):
    report = build_pain002(
        "OKAND-1",
        [SimulatedStatus("BU1", "ACSC", "OKAND-1-P")],
        message_id="P-9",
        created_at=timezone.now(),
    )
    with pytest.raises(services.DomainError) as error:
        services.import_status_report(org.finance, report)
    assert "som inte finns här" in error.value.message
    with pytest.raises(services.DomainError) as error:
        services.import_status_report(org.finance, b"<inte xml")
    assert "inte en statusrapport" in error.value.message
    assert not StatusReportImport.objects.exists()


def test_rejected_order_is_reissued_by_a_handler_after_finance_changed_the_account(
    world, org, sent
):
    run, (applicant, *_rest) = sent
    services.import_status_report(
        org.finance,
        pain002(
            run,
            [SimulatedStatus(applicant.reference, "RJCT", batch(run, applicant), "AC04")],
            group_status="PART",
        ),
    )
    services.change_payee_account(
        org.finance,
        world.applicant_payee,
        account_kind="bank_account",
        clearing="6114",
        number="5171 82351",
        reason="Nytt konto efter att banken avvisat",
    )
    new = services.reissue_order(world.registrar, applicant, reason="Nytt konto")
    assert new.amount == applicant.amount and new.status == OrderStatus.REGISTERED
    assert state(applicant) == OrderStatus.CANCELLED
    new = services.attest_order(org.benefit_admin, new)
    assert new.status in (OrderStatus.ATTESTED, OrderStatus.AWAITING_SECOND)


def test_case_page_shows_what_was_actually_paid(client, world, org, sent):
    run, (applicant, landlord, utility) = sent
    services.import_status_report(
        org.finance,
        pain002(
            run,
            [
                SimulatedStatus(applicant.reference, "ACSC", batch(run, applicant)),
                SimulatedStatus(utility.reference, "RJCT", batch(run, utility), "AC04"),
            ],
        ),
    )
    client.force_login(org.other_social_worker)
    text = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert "Utbetald" in text and "6\u00a0890,00\u00a0kr" in text
    assert "Avvisad av banken" in text and "Mottagarens konto är avslutat" in text
    assert world.decision.reference in text
    assert "Utbetalt hittills: <strong>6\u00a0890,00\u00a0kr</strong>" in text


def test_reconcile_command_and_page(client, world, org, sent, tmp_path):
    run, (applicant, landlord, utility) = sent
    path = tmp_path / "pain002.xml"
    path.write_bytes(
        pain002(
            run,
            [SimulatedStatus(applicant.reference, "ACSC", batch(run, applicant))],
            group_status="PART",
        )
    )
    out = io.StringIO()
    call_command("reconcile", str(path), stdout=out)
    assert "1 utbetalda" in out.getvalue()
    out = io.StringIO()
    call_command("reconcile", str(path), stdout=out)
    assert "redan inläst" in out.getvalue()
    client.force_login(org.finance)
    with open(path, "rb") as handle:
        response = client.post(reverse("payments:reconcile"), {"file": handle}, follow=True)
    assert "redan inläst" in response.content.decode()
    client.force_login(org.benefit_admin)
    assert client.get(reverse("payments:reconcile")).status_code == 403
