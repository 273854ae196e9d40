"""Incorrect payments, recovery decisions (återkrav) and deductions from payment orders:
through the services, the payment-order path (and its pain.001 text), the pages and the API."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from bistand.audit.models import AccessLogEntry
from bistand.cases import protection
from bistand.controls import recovery
from bistand.controls.recovery_models import IncorrectPayment, RecoveryClaim, RecoveryEntry
from bistand.core.dates import next_working_day
from bistand.core.errors import DomainError, PermissionRefused
from bistand.core.models import FinalRecordError
from bistand.decisions.letters import letter_text
from bistand.payments import services as payments
from bistand.payments.models import PaymentMethod, PaymentOrder
from tests.decisions.conftest import clock
from tests.payments.conftest import World

from .recovery_helpers import ZERO, claim, decide_month, income_line, incorrect_payment


@pytest.fixture
def world(org):
    return World(org)


def _move_to(world, day):
    world.today, world.month = day, day.replace(day=1)
    world.pay_day = next_working_day(day + dt.timedelta(days=1))


def test_recovery_by_deduction_over_several_months_ends_at_zero_balance(org):
    with clock(dt.date(2026, 9, 24)):
        world = World(org)
        payment = incorrect_payment(
            world, "3500.00", period_from=dt.date(2026, 7, 1), period_to=dt.date(2026, 8, 1)
        )
        made = claim(world, payment, monthly_amount="1000.00", minimum_left="5000.00")
        line = income_line(world.decision)
        first = world.order(amount=line.amount_granted)
    # The order is paid net; its message to the bank says what was deducted and why.
    assert first.amount == line.amount_granted - Decimal("1000.00")
    assert "Avräknat 1 000,00 kr återkrav " + made.reference in first.message
    assert payments.remaining_on_line(line) == 0  # the deducted part is granted money too
    balances = [recovery.balance(made)]
    orders = [first]
    for day in (dt.date(2026, 10, 23), dt.date(2026, 11, 24), dt.date(2026, 12, 23)):
        with clock(day):
            _move_to(world, day)
            line = income_line(decide_month(world, world.month))
            orders.append(world.order(amount=line.amount_granted, line=line))
            balances.append(recovery.balance(made))
    assert balances == [Decimal("2500.00"), Decimal("1500.00"), Decimal("500.00"), ZERO]
    assert orders[-1].amount == line.amount_granted - Decimal("500.00")  # only what was left
    deductions = RecoveryEntry.objects.filter(claim=made, kind="deduction").order_by("month")
    assert [e.payment_order_id for e in deductions] == [o.pk for o in orders]
    assert [e.month.month for e in deductions] == [9, 10, 11, 12]
    # Paid off: a later payment is not reduced.
    with clock(dt.date(2026, 12, 23)):
        extra = world.order(amount="500.00", line=world.other_line)
    assert extra.amount == Decimal("500.00")


def test_a_deduction_never_leaves_less_than_the_decided_minimum(world):
    line = income_line(world.decision)
    gross = line.amount_granted
    made = claim(world, monthly_amount="9000.00", minimum_left=str(gross - Decimal("200.00")))
    order = world.order(amount=gross)
    assert order.amount == gross - Decimal("200.00")  # not the 3 000 balance nor the 9 000 cap
    assert recovery.balance(made) == Decimal("2800.00")


def test_a_requested_deduction_over_the_rules_is_refused_in_swedish_and_nothing_is_stored(world):
    line = income_line(world.decision)
    claim(world, monthly_amount="1000.00", minimum_left="5000.00")
    before = PaymentOrder.objects.count()
    with pytest.raises(DomainError) as error:
        world.order(amount=line.amount_granted, deduction="1500.00")
    assert error.value.code == "deduction_refused"
    assert "medger avräkning med högst 1 000,00 kr per månad" in error.value.message
    assert PaymentOrder.objects.count() == before
    assert not RecoveryEntry.objects.exists()
    with pytest.raises(DomainError) as error:
        world.order(PaymentMethod.INVOICE, "1000.00", deduction="100")
    assert "aldrig från en faktura eller rekvisition" in error.value.message
    # A smaller deduction than the plan allows is within the rules.
    order = world.order(amount=line.amount_granted, deduction="250")
    assert order.amount == line.amount_granted - Decimal("250.00")


def test_invoices_are_paid_in_full_and_a_cancelled_order_gives_the_deduction_back(world):
    made = claim(world)
    invoice = world.order(PaymentMethod.INVOICE, "1000.00")
    assert invoice.amount == Decimal("1000.00")
    order = world.order(amount="9000.00")
    assert recovery.balance(made) == Decimal("2000.00")
    payments.cancel_order(world.registrar, order, reason="Fel månad")
    assert recovery.balance(made) == Decimal("3000.00")
    kinds = list(
        RecoveryEntry.objects.filter(payment_order_id=order.pk).values_list("kind", "amount")
    )
    assert kinds == [("deduction", Decimal("1000.00")), ("deduction_reversed", Decimal("-1000.00"))]
    again = world.order(amount="9000.00")  # the month's cap is free again
    assert again.amount == Decimal("8000.00")


def test_repayments_and_write_off_settle_the_balance_and_never_go_below_zero(world, org):
    made = claim(world, plan="repayment", consent_on=None, minimum_left="")
    recovery.record_repayment(org.benefit_admin, made, amount="1000", paid_on=world.today)
    with pytest.raises(DomainError) as error:
        recovery.record_repayment(org.benefit_admin, made, amount="2500", paid_on=world.today)
    assert "större än det som återstår av återkravet (2 000,00 kr)" in error.value.message
    with pytest.raises(DomainError) as error:
        recovery.write_off(org.labour_head, made, reason="")
    assert error.value.code == "reason_required"
    with pytest.raises(PermissionRefused):
        recovery.write_off(org.benefit_admin, made, reason="Kan inte betala.")
    recovery.write_off(org.labour_head, made, reason="Långvarig sjukdom, saknar betalningsförmåga.")
    assert recovery.balance(made) == ZERO
    with pytest.raises(DomainError) as error:
        recovery.write_off(org.labour_head, made, reason="Igen")
    assert error.value.code == "nothing_left"
    # A repayment plan never deducts from payments.
    order = world.order(amount="9000.00")
    assert order.amount == Decimal("9000.00")


def test_the_decision_rests_on_the_verified_law_and_its_letter_says_it_cannot_be_appealed(world):
    made = claim(world)
    assert made.legal_basis == "33 kap. 1 § första stycket socialtjänstlagen (2025:400)"
    assert (made.law_status, made.appealable, made.appeal_status) == ("verified", False, "verified")
    text = " ".join(letter_text(bytes(made.letter_pdf)).split())
    assert "Beslut om återkrav av ekonomiskt bistånd" in text
    assert "3 000,00 kr" in text
    assert "kan inte överklagas" in text
    assert "33 kap. 4 och 5" in text
    assert "minst 5 000,00 kr" in text


def test_assistance_before_july_2025_follows_the_repealed_law_marked_unverified(world):
    old = incorrect_payment(world, period_from=dt.date(2025, 3, 1), period_to=dt.date(2025, 4, 1))
    made = claim(world, old)
    assert made.legal_basis.startswith("9 kap. 1 § socialtjänstlagen (2001:453)")
    assert (made.law_status, made.appealable, made.appeal_status) == (
        "unverified", None, "unverified",
    )  # fmt: skip
    assert "Kontakta din handläggare" in letter_text(bytes(made.letter_pdf))
    spanning = incorrect_payment(
        world, period_from=dt.date(2025, 6, 1), period_to=dt.date(2025, 7, 1)
    )
    with pytest.raises(DomainError) as error:
        claim(world, spanning)
    assert "övergångsbestämmelse 5 a" in error.value.message


def test_swedish_refusals_for_bad_recovery_decisions(world, org):
    payment = incorrect_payment(world)
    cases = [
        ({"amount": "3500"}, "större än det som betalades ut felaktigt"),
        ({"consent_on": None}, "gått med på det"),
        ({"minimum_left": "0"}, "lägsta belopp hushållet alltid ska få behålla"),
        ({"reasoning": " "}, "Motivera beslutet"),
        ({"monthly_amount": "NaN"}, "Ange beloppet per månad i kronor"),
    ]
    for overrides, message in cases:
        with pytest.raises(DomainError) as error:
            claim(world, payment, **overrides)
        assert message in error.value.message
    assert not RecoveryClaim.objects.exists()
    with pytest.raises(PermissionRefused):
        claim(world, payment, by=org.benefit_admin)  # not a decider by default


def test_records_are_never_edited_corrections_are_new_records(world, org):
    payment = incorrect_payment(world)
    made = claim(world, payment)
    entry = recovery.record_repayment(org.benefit_admin, made, amount="500", paid_on=world.today)
    for row in (payment, made, entry):
        with pytest.raises(FinalRecordError):
            row.save()
        with pytest.raises(FinalRecordError):
            row.delete()
    for model, pk in ((IncorrectPayment, payment.pk), (RecoveryClaim, made.pk),
                      (RecoveryEntry, entry.pk)):  # fmt: skip
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.filter(pk=pk).update(amount=Decimal("1.00"))
    # A changed decision is a new claim; a correction a new incorrect payment.
    replacement = claim(world, payment, amount="2000.00", replaces=made)
    assert not recovery.in_force(made)
    assert recovery.balance(replacement) == Decimal("1500.00")  # the 500 paid stays counted
    with pytest.raises(DomainError) as error:
        claim(world, payment, amount="400.00", replaces=replacement)
    assert "redan är återbetalt" in error.value.message
    corrected = incorrect_payment(world, "2800.00", corrects=payment)
    assert corrected.corrects == payment
    with pytest.raises(DomainError):
        incorrect_payment(world, "2700.00", corrects=payment)  # correct the latest instead
    with pytest.raises(DomainError) as error:
        claim(world, payment, amount="100.00")  # the corrected record takes no new decision
    assert error.value.code == "payment_corrected"


def test_only_those_who_may_open_the_case_reach_it_and_reads_are_logged(world, org, client):
    made = claim(world)
    payment = made.incorrect_payment
    outsider = org.social_worker  # intake section, the case is in the labour section
    with pytest.raises(PermissionRefused):
        incorrect_payment(world, by=outsider)
    with pytest.raises(PermissionRefused):
        recovery.record_repayment(outsider, made, amount="100", paid_on=world.today)
    client.force_login(outsider)
    for url in (f"/kontroll/aterkrav/{made.pk}/", f"/kontroll/aterkrav/{made.pk}/brev/",
                f"/kontroll/felaktig-utbetalning/{payment.pk}/"):  # fmt: skip
        assert client.get(url).status_code in (403, 404)
    assert client.get(f"/api/v1/recovery-claims/{made.pk}/").status_code == 404
    assert client.get(f"/api/v1/recovery-claims/?case={world.case.pk}").status_code == 404
    assert client.get(f"/api/v1/incorrect-payments/{payment.pk}/").status_code == 404
    response = client.post(f"/api/v1/recovery-claims/{made.pk}/repayment/",
                           {"amount": "100", "paid_on": "2026-11-20"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 404
    assert recovery.balance(made) == Decimal("3000.00")

    client.force_login(org.other_social_worker)  # holds the case
    before = AccessLogEntry.objects.count()
    page = client.get(f"/kontroll/aterkrav/{made.pk}/")
    assert page.status_code == 200
    assert "Kvar att betala" in page.content.decode()
    letter = client.get(f"/kontroll/aterkrav/{made.pk}/brev/")
    assert letter["Content-Type"] == "application/pdf"
    api = client.get(f"/api/v1/recovery-claims/{made.pk}/")
    assert api.json()["balance"] == "3000.00"
    logged = AccessLogEntry.objects.filter(case_id=world.case.pk).order_by("-id")[:3]
    assert AccessLogEntry.objects.count() >= before + 3
    assert {row.action for row in logged} >= {"view", "download"}
    case_page = client.get(f"/arende/{world.case.pk}/")
    assert "Felaktiga utbetalningar och återkrav" in case_page.content.decode()


def test_pages_and_api_register_and_decide_with_swedish_errors(world, org, client):
    client.force_login(org.other_social_worker)
    response = client.post(
        f"/kontroll/arende/{world.case.pk}/felaktig-utbetalning/",
        {"cause": "applicant_error", "amount": "abc", "period_from": "2026-09",
         "period_to": "2026-10", "description": "Lön ej redovisad."},
        HTTP_REFERER=f"/arende/{world.case.pk}/",
    )  # fmt: skip
    assert response.status_code == 302
    assert not IncorrectPayment.objects.exists()
    response = client.post(
        "/api/v1/incorrect-payments/",
        {"case": world.case.pk, "cause": "applicant_error", "amount": "1200,50",
         "period_from": "2026-09", "period_to": "2026-09", "description": "Lön ej redovisad."},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    payment_id = response.json()["id"]
    refused = client.post(
        "/api/v1/recovery-claims/",
        {"incorrect_payment": payment_id, "amount": "1200.50", "ground": "incorrect_statement",
         "reasoning": "Lönen redovisades inte.", "plan": "repayment", "monthly_amount": "300",
         "first_month": "2026-12"},
        content_type="application/json",
    )  # fmt: skip
    assert refused.status_code == 403  # a social worker does not decide återkrav by default
    assert "fatta beslut om återkrav" in refused.json()["error"]["message"]
    client.force_login(org.labour_head)
    page = client.post(
        f"/kontroll/felaktig-utbetalning/{payment_id}/aterkrav/",
        {"amount": "1200.50", "ground": "incorrect_statement", "reasoning": "Lönen redovisades inte.",
         "plan": "repayment", "monthly_amount": "300", "first_month": "2026-12"},
    )  # fmt: skip
    assert page.status_code == 302
    made = RecoveryClaim.objects.get()
    assert page["Location"] == f"/kontroll/aterkrav/{made.pk}/"
    assert made.amount == Decimal("1200.50")


def test_the_pain001_pays_the_net_amount_and_its_message_names_the_deduction(world, org, tmp_path):
    made = claim(world)
    world.attested(amount="9000.00")
    out = tmp_path / "betalning.xml"
    payments.build_run(org.finance, world.pay_day, out_path=str(out))
    xml = out.read_text(encoding="utf-8")
    assert 'Ccy="SEK">8000.00<' in xml
    assert f"Avräknat 1 000,00 kr återkrav {made.reference}" in xml


def test_heads_follow_open_claims_most_behind_the_plan_first(world, org, client):
    behind = claim(world, plan="repayment", first_month=dt.date(2026, 9, 1), consent_on=None,
                   monthly_amount="500.00")  # fmt: skip
    on_plan = claim(world, incorrect_payment(world, "800.00"), plan="repayment",
                    consent_on=None, monthly_amount="400.00")  # fmt: skip
    recovery.record_repayment(org.benefit_admin, on_plan, amount="400", paid_on=world.today)
    paid = claim(world, incorrect_payment(world, "100.00"), plan="repayment", consent_on=None)
    recovery.record_repayment(org.benefit_admin, paid, amount="100", paid_on=world.today)
    rows = recovery.open_claims(org.labour_head)
    assert [(row.claim, row.expected, row.behind) for row in rows] == [
        (behind, Decimal("1500.00"), Decimal("1500.00")),  # Sep, Oct, Nov: 3 × 500, none paid
        (on_plan, Decimal("400.00"), ZERO),
    ]
    assert recovery.open_claims(org.intake_head) == []  # another section
    with pytest.raises(PermissionRefused):
        recovery.open_claims(org.other_social_worker)
    client.force_login(org.labour_head)
    page = client.get("/kontroll/aterkrav/").content.decode()
    assert page.index(behind.reference) < page.index(on_plan.reference)
    assert paid.reference not in page


def test_a_reissued_order_is_deducted_once_from_the_same_gross(world, org):
    made = claim(world)
    order = world.order(amount="9000.00")
    payments.change_payee_account(org.finance, world.applicant_payee, account_kind="bank_account",
                                  clearing="6114", number="5171 82351", reason="Ny bank")  # fmt: skip
    new = payments.reissue_order(world.registrar, order, reason="Nytt konto")
    assert (new.amount, recovery.balance(made)) == (Decimal("8000.00"), Decimal("2000.00"))
    assert new.message.count("Avräknat") == 1
    assert payments.remaining_on_line(income_line(world.decision)) == (
        income_line(world.decision).amount_granted - Decimal("9000.00")
    )


def test_a_letter_written_before_protected_identity_is_not_handed_out(world, org, client):
    """The claim letter is stored as sent. Once someone in the household has protected
    identity, a letter that carries the address stays stored but is not handed out (as the
    decision letters, docs/ARCHITECTURE.md); one written after the marking is."""
    made = claim(world)
    address = world.case.household.address
    assert address and address in letter_text(bytes(made.letter_pdf))
    person = world.case.household.applicant_on(timezone.localdate())
    protection.mark_protected_identity(
        org.unit_head, world.case, person, kind="protected_registration",
        registered_on=timezone.localdate(),
    )  # fmt: skip
    client.force_login(org.other_social_worker)  # holds the case
    letter = client.get(f"/kontroll/aterkrav/{made.pk}/brev/")
    assert letter.status_code != 200
    assert address not in letter.content.decode("utf-8", "replace")
    stored = RecoveryClaim.objects.get(pk=made.pk)
    assert stored.letter_sha256 == made.letter_sha256  # the record of what was sent is kept

    later = claim(world, incorrect_payment(world, "1000.00"), amount="1000.00", by=org.unit_head)
    text = letter_text(bytes(later.letter_pdf))
    assert address not in text
    letter = client.get(f"/kontroll/aterkrav/{later.pk}/brev/")
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
