"""Payment runs: one pain.001 in SEK per payment date from the attested orders, valid against
the official XSD with control sums; idempotent; an unsent run can be cancelled; a sent run is
frozen. Set-based: one claim UPDATE, one aggregate, a streamed file."""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
import xmlschema
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import etree

from bistand.core.dates import next_working_day
from bistand.payments import iso20022, services
from bistand.payments.models import OrderStatus, PaymentMethod, PaymentOrder, PaymentRun, RunStatus

pytestmark = pytest.mark.django_db

XSD = Path(iso20022.__file__).parent / "schemas" / "pain.001.001.03.xsd"
NS = {"p": iso20022.PAIN001_NS}


def paid_ids(path) -> list[str]:
    tree = etree.parse(str(path))
    return tree.xpath("//p:CdtTrfTxInf/p:PmtId/p:EndToEndId/text()", namespaces=NS)


def three_kinds(world):
    return [
        world.attested(PaymentMethod.ACCOUNT, "6890.00"),
        world.attested(PaymentMethod.INVOICE, "412.25", payee=world.utility),
        world.attested(PaymentMethod.INVOICE, "745.50", ocr_reference="1234567897"),
    ]


def test_run_file_validates_against_the_official_xsd(world, org, tmp_path):
    orders = three_kinds(world)
    out = tmp_path / "betalning.xml"
    result = services.build_run(org.finance, world.pay_day, out_path=str(out))
    run = result.run
    assert run.status == RunStatus.BUILT and result.claimed == 3
    assert run.order_count == 3 and run.control_sum == Decimal("8047.75")
    xmlschema.XMLSchema(str(XSD)).validate(str(out))  # an independent validator
    summary = iso20022.validate_pain001(out)
    assert summary.number_of_transactions == 3 and summary.control_sum == Decimal("8047.75")
    tree = etree.parse(str(out))
    assert tree.xpath("string(//p:GrpHdr/p:CtrlSum)", namespaces=NS) == "8047.75"
    assert set(tree.xpath("//p:InstdAmt/@Ccy", namespaces=NS)) == {"SEK"}
    assert tree.xpath("//p:CdtrAcct//p:Prtry/text()", namespaces=NS) == ["BGNR"]
    members = tree.xpath("//p:CdtrAgt//p:MmbId/text()", namespaces=NS)
    assert sorted(members) == ["8327", "9960"]  # bank account clearing, plusgiro
    assert tree.xpath("//p:CdtrRefInf/p:Ref/text()", namespaces=NS) == ["1234567897"]
    assert sorted(paid_ids(out)) == sorted(o.reference for o in orders)
    for order in orders:
        order.refresh_from_db()
        assert order.status == OrderStatus.IN_RUN and order.run == run


def test_claim_is_one_update_and_totals_one_aggregate(world, org, tmp_path):
    for _ in range(5):
        world.attested(PaymentMethod.INVOICE, "10.00")
    with CaptureQueriesContext(connection) as queries:
        services.build_run(org.finance, world.pay_day, out_path=str(tmp_path / "f.xml"))
    sql = [q["sql"] for q in queries.captured_queries]
    claims = [s for s in sql if s.startswith("UPDATE") and "payments_paymentorder" in s]
    assert len(claims) == 1 and '"run_id" IS NULL' in claims[0]
    assert not [
        s
        for s in sql
        if s.startswith("UPDATE")
        and "WHERE" in s
        and '"id" = ' in s
        and "payments_paymentorder" in s
    ]


def test_building_twice_never_pays_an_order_twice(world, org, tmp_path):
    first = three_kinds(world)
    one = services.build_run(org.finance, world.pay_day, out_path=str(tmp_path / "1.xml"))
    again = services.build_run(org.finance, world.pay_day, out_path=str(tmp_path / "2.xml"))
    assert again.run.pk == one.run.pk and again.claimed == 0
    assert (tmp_path / "1.xml").read_bytes() == (tmp_path / "2.xml").read_bytes()
    late = world.attested(PaymentMethod.INVOICE, "99.00")
    third = services.build_run(org.finance, world.pay_day, out_path=str(tmp_path / "3.xml"))
    assert third.run.pk == one.run.pk and third.claimed == 1
    assert third.run.revision == 2 and third.run.message_id != one.run.message_id
    ids = paid_ids(tmp_path / "3.xml")
    assert sorted(ids) == sorted(o.reference for o in [*first, late])
    assert PaymentRun.objects.count() == 1


def test_nothing_to_pay_is_said_in_swedish(world, org, tmp_path):
    with pytest.raises(services.NothingToPay) as error:
        services.build_run(org.finance, world.pay_day, out_path=str(tmp_path / "x.xml"))
    assert "inga attesterade utbetalningar" in error.value.message
    assert not PaymentRun.objects.exists() and not (tmp_path / "x.xml").exists()


def test_payment_date_must_be_a_banking_day(world, org):
    saturday = world.today + dt.timedelta(days=(5 - world.today.weekday()) % 7 or 7)
    with pytest.raises(services.DomainError) as error:
        services.build_run(org.finance, saturday)
    assert "ingen bankdag" in error.value.message


def test_orders_due_later_wait_for_their_date(world, org, tmp_path):
    later = next_working_day(world.pay_day + dt.timedelta(days=10))
    now = world.attested(PaymentMethod.INVOICE, "10.00")
    wait = world.attested(PaymentMethod.INVOICE, "20.00", due_on=later, pay_on=later)
    run = services.build_run(org.finance, world.pay_day).run
    assert list(run.orders.all()) == [now]
    wait.refresh_from_db()
    assert wait.run is None and wait.status == OrderStatus.ATTESTED


def test_cash_requisitions_and_unattested_orders_stay_out(world, org):
    world.order(PaymentMethod.INVOICE, "10.00")  # not attested
    world.attested(PaymentMethod.CASH, "10.00")
    world.attested(PaymentMethod.REQUISITION, "10.00")
    with pytest.raises(services.NothingToPay):
        services.build_run(org.finance, world.pay_day)


def test_unsent_run_can_be_cancelled_and_its_orders_return(world, org, tmp_path):
    orders = three_kinds(world)
    run = services.build_run(org.finance, world.pay_day).run
    services.cancel_run(org.finance, run, reason="Fel betalningsdag")
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    for order in orders:
        order.refresh_from_db()
        assert order.status == OrderStatus.ATTESTED and order.run is None
    second = services.build_run(org.finance, world.pay_day).run
    assert second.pk != run.pk and second.order_count == 3


def test_sent_run_is_frozen(world, org):
    orders = three_kinds(world)
    run = services.build_run(org.finance, world.pay_day).run
    services.mark_run_sent(org.finance, run)
    run.refresh_from_db()
    assert run.status == RunStatus.SENT
    assert {o.status for o in PaymentOrder.objects.filter(run=run)} == {OrderStatus.SENT}
    with pytest.raises(services.DomainError) as error:
        services.cancel_run(org.finance, run, reason="x")
    assert "kan inte makuleras" in error.value.message
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentOrder.objects.filter(pk=orders[0].pk).update(run=None, status=OrderStatus.ATTESTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentRun.objects.filter(pk=run.pk).update(control_sum=Decimal("1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentRun.objects.filter(pk=run.pk).update(status=RunStatus.CANCELLED)
    # and after sending, a new build for the date takes only new orders
    late = world.attested(PaymentMethod.INVOICE, "1.00")
    new = services.build_run(org.finance, world.pay_day).run
    assert new.pk != run.pk and list(new.orders.all()) == [late]


def test_database_refuses_moving_an_order_between_runs(world, org):
    three_kinds(world)
    run = services.build_run(org.finance, world.pay_day).run
    order = run.orders.first()
    other = PaymentRun.objects.create(
        unit=org.unit,
        payment_date=next_working_day(world.pay_day + dt.timedelta(days=3)),
        created_by=org.finance,
    )
    with pytest.raises(IntegrityError, match="lämnar bara"), transaction.atomic():
        PaymentOrder.objects.filter(pk=order.pk).update(run=other)


def test_only_finance_builds_runs(world, org):
    three_kinds(world)
    for user in (org.unit_head, org.benefit_admin, org.other_social_worker):
        with pytest.raises(services.PermissionRefused):
            services.build_run(user, world.pay_day)


def test_runs_through_the_pages(client, world, org):
    three_kinds(world)
    client.force_login(org.finance)
    response = client.post(
        reverse("payments:runs"),
        {"payment_date": world.pay_day.isoformat(), "confirmed": "1"},
        follow=True,
    )
    text = response.content.decode()
    assert "är byggd och kontrollerad mot schemat" in text
    run = PaymentRun.objects.get()
    download = client.get(reverse("payments:run_file", args=[run.pk]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert iso20022.validate_pain001(body).number_of_transactions == 3
    import hashlib

    assert hashlib.sha256(body).hexdigest() == run.file_sha256
    client.post(reverse("payments:run_send", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.SENT
    client.force_login(org.benefit_admin)
    assert client.get(reverse("payments:run_file", args=[run.pk])).status_code == 403


def test_payrun_command_writes_the_file(world, org, tmp_path):
    three_kinds(world)
    out = tmp_path / "fil.xml"
    stdout = io.StringIO()
    call_command("payrun", "--date", world.pay_day.isoformat(), "--out", str(out), stdout=stdout)
    assert "3 utbetalningar" in stdout.getvalue()
    assert iso20022.validate_pain001(out).number_of_transactions == 3
    stdout = io.StringIO()
    call_command(
        "payrun", "--date", world.pay_day.isoformat(), "--out", str(out), "--send", stdout=stdout
    )
    assert "0 nya" in stdout.getvalue() and "Markerad som skickad" in stdout.getvalue()
    stdout = io.StringIO()
    call_command("payrun", "--date", world.pay_day.isoformat(), "--out", str(out), stdout=stdout)
    assert "redan skickad" in stdout.getvalue()
