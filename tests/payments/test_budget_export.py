"""Budget: payments book to the assistance-payment accounts, apart from the operating budget;
the monthly export for the accounting system as CSV and SIE 4 (CP437, #FORMAT PC8)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bistand.audit.models import AccessLogEntry
from bistand.payments import selectors, services
from bistand.payments.iso20022 import SimulatedBooking, build_camt054
from bistand.payments.models import PaymentMethod

from .conftest import DEBTOR_IBAN

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(world, org):
    """Three payments paid on the payment day; one later returned by the bank."""
    orders = [
        world.attested(PaymentMethod.ACCOUNT, "6890.00"),
        world.attested(PaymentMethod.INVOICE, "745.50"),
        world.attested(PaymentMethod.INVOICE, "412.25", payee=world.utility),
    ]
    run = services.build_run(org.finance, world.pay_day).run
    services.mark_run_sent(org.finance, run)
    paid_on = world.pay_day
    services.import_status_report(
        org.finance,
        build_camt054(
            DEBTOR_IBAN,
            [SimulatedBooking(o.reference, o.amount, paid_on) for o in orders],
            message_id="C1",
            created_at=timezone.now(),
        ),
    )
    services.import_status_report(
        org.finance,
        build_camt054(
            DEBTOR_IBAN,
            [
                SimulatedBooking(
                    orders[2].reference, orders[2].amount, paid_on, return_reason_code="AC04"
                )
            ],
            message_id="C2",
            created_at=timezone.now(),
        ),
    )
    return orders, paid_on


def test_budget_keeps_assistance_and_operating_apart(world, org, booked):
    year = booked[1].year
    services.set_yearly_budget(org.unit_head, world.income_account, year=year, amount="1000000")
    services.set_yearly_budget(
        org.finance, world.income_account, year=year, amount="1200000", note="Tilläggsbudget"
    )
    services.set_yearly_budget(org.unit_head, world.operating_account, year=year, amount="500000")
    overview = selectors.budget_overview(org.finance, year)
    income = next(r for r in overview["assistance"] if r.account == world.income_account)
    other = next(r for r in overview["assistance"] if r.account == world.other_account)
    assert income.budget == Decimal("1200000.00")  # the latest row applies; the old one stays
    assert income.paid == Decimal("6890.00")
    assert other.paid == Decimal("745.50")  # 745.50 + 412.25 paid, 412.25 returned
    assert [r.account for r in overview["operating"]] == [world.operating_account]
    assert overview["operating"][0].paid == 0
    assert world.income_account.amounts.count() == 2
    with pytest.raises(services.PermissionRefused):
        services.set_yearly_budget(org.benefit_admin, world.income_account, year=year, amount="1")


def test_operating_account_cannot_be_a_default_for_decision_lines(org, world):
    with pytest.raises(services.DomainError):
        services.create_budget_account(
            org.finance, code="6120", name="Drift", kind="operating", line_kind="income_support"
        )


def test_monthly_csv_export(world, org, booked):
    orders, paid_on = booked
    data, filename, content_type = services.export_accounting(org.finance, paid_on, "csv")
    assert filename == f"utbetalningar-{paid_on:%Y-%m}.csv" and "csv" in content_type
    text = data.decode("utf-8-sig")
    lines = text.strip().split("\r\n")
    assert lines[0].startswith("Bokföringsdatum;Konto;Kontonamn;Belopp")
    rows = [line.split(";") for line in lines[1:]]
    assert len(rows) == 4  # three payments and one return
    assert [r[1] for r in rows].count("4562") == 3
    assert sorted(r[3] for r in rows) == sorted(["6890,00", "745,50", "412,25", "-412,25"])
    assert "0147258925" not in text and "54029681" not in text
    assert AccessLogEntry.objects.filter(action="export", actor_id=org.finance.pk).exists()


def test_monthly_sie4_export_in_cp437(world, org, booked):
    orders, paid_on = booked
    data, filename, _ = services.export_accounting(org.finance, paid_on, "sie")
    assert filename.endswith(".se")
    assert b"\r\n" in data
    text = data.decode("cp437")
    lines = text.split("\r\n")
    assert lines[:5] == [
        "#FLAGGA 0",
        '#PROGRAM "Bistånd" 1.0',
        "#FORMAT PC8",
        f"#GEN {timezone.localdate():%Y%m%d}",
        "#SIETYP 4",
    ]
    assert "#ORGNR 212000-0142" in lines
    assert any(line.startswith("#FNAMN ") for line in lines)
    assert f"#RAR 0 {paid_on.year}0101 {paid_on.year}1231" in lines
    assert '#KONTO 4561 "Försörjningsstöd"' in lines
    assert "Försörjningsstöd".encode("cp437") in data  # ö as CP437 0x94, not UTF-8
    assert "ö".encode() not in data
    # Balanced verifications: each #VER block's #TRANS rows sum to zero.
    blocks, current = [], None
    for line in lines:
        if line.startswith("#VER"):
            current = {"head": line, "trans": []}
            blocks.append(current)
        elif line.startswith("#TRANS"):
            current["trans"].append(Decimal(line.split()[3]))
    assert len(blocks) == 2  # payments and the return, same day
    assert all(sum(b["trans"]) == 0 for b in blocks)
    payment = next(b for b in blocks if "Utbetalningar" in b["head"])
    assert Decimal("8047.75") in [-t for t in payment["trans"]]
    returned = next(b for b in blocks if "Returer" in b["head"])
    assert sorted(returned["trans"]) == [Decimal("-412.25"), Decimal("412.25")]
    assert f"#VER U 1 {paid_on:%Y%m%d}" in payment["head"]


def test_export_through_the_page_for_finance_and_unit_head_only(client, world, org, booked):
    _, paid_on = booked
    url = reverse("payments:budget_export") + f"?month={paid_on:%Y-%m}&format=sie"
    for user in (org.finance, org.unit_head):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response.content.startswith(b"#FLAGGA 0\r\n")
    client.force_login(org.benefit_admin)
    assert client.get(url).status_code == 403
    client.force_login(org.finance)
    page = client.get(reverse("payments:budget")).content.decode()
    assert "Enhetens driftbudget" in page and "4561 Försörjningsstöd" in page


def test_export_of_an_empty_month_is_valid(world, org):
    month = dt.date(2020, 1, 1)
    data, _, _ = services.export_accounting(org.finance, month, "sie")
    assert data.count(b"#VER") == 0 and data.startswith(b"#FLAGGA 0")
    assert services.export_accounting(org.finance, month, "csv")[0].count(b"\r\n") == 1
