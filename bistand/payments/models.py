"""Payees and their account versions, payment orders with attestations, payment runs, bank
status reports, budget accounts and the unit's payment settings.

Records of authority (orders, attestations, account versions, runs, report imports and their
lines, settings and budget rows) are never deleted, and never edited in place once final: the
database refuses it through triggers (migration 0002), and `delete()` here refuses it too.
Full account numbers live only in `AccountNumber`, a table no reverse accessor leads to, so a
payee or an order read for a case handler carries nothing but the masked form.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bistand.core.models import FinalRecordError
from bistand.organisation.models import Unit


def money(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


class NeverDeleted(models.Model):
    """A record of authority: refuses deletion (the database refuses it too)."""

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise FinalRecordError("Posten är en allmän handling och kan inte tas bort.")


class ImmutableRow(NeverDeleted):
    """A history row: written once, never changed (a change is a new row)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and type(self).objects.filter(pk=self.pk).exists():
            raise FinalRecordError("Posten är sparad och kan inte ändras; lägg till en ny rad.")
        super().save(*args, **kwargs)


# --- Unit settings and budget ----------------------------------------------------------------


class PaymentSettings(ImmutableRow):
    """A unit's payment settings. Each change is a new row; the latest row applies.

    `amount_limit` is the beloppsspärr: an order above it needs a second attestation by a
    section or unit head. The debtor account is the unit's own payment account (kept apart
    from the operating budget's accounts).
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="payment_settings")
    amount_limit = money(_("beloppsspärr"))
    debtor_name = models.CharField(_("betalarens namn"), max_length=140)
    debtor_iban = models.CharField(_("utbetalningskontots IBAN"), max_length=34)
    debtor_bic = models.CharField(_("bankens BIC"), max_length=11)
    initiating_party_id = models.CharField(_("kundnummer hos banken"), max_length=35, blank=True)
    organisation_number = models.CharField(_("organisationsnummer"), max_length=11)
    bank_ledger_account = models.CharField(
        _("bokföringskonto för utbetalningskontot"), max_length=10, default="1930"
    )
    note = models.TextField(_("anledning till ändringen"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_limit__gte=0), name="payment_amount_limit_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"Beloppsspärr {self.amount_limit} kr ({self.created_at:%Y-%m-%d})"


class BudgetKind(models.TextChoices):
    ASSISTANCE = "assistance", _("Utbetalning av ekonomiskt bistånd")
    OPERATING = "operating", _("Enhetens driftbudget")


class BudgetAccount(NeverDeleted):
    """An account in the municipality's chart: the assistance-payment accounts that orders
    book to, and the operating accounts they must never touch."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="budget_accounts")
    code = models.CharField(_("kontonummer"), max_length=10)
    name = models.CharField(_("namn"), max_length=100)
    kind = models.CharField(_("slag"), max_length=16, choices=BudgetKind.choices)
    line_kind = models.CharField(
        _("förval för beslutsrader av slaget"),
        max_length=24,
        blank=True,
        help_text=_("Försörjningsstöd eller livsföring i övrigt; tomt = alla."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="budget_account_code_unique"),
            models.CheckConstraint(
                condition=Q(kind="assistance") | Q(line_kind=""),
                name="operating_account_takes_no_lines",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BudgetAmount(ImmutableRow):
    """The year's budget for an account. A change is a new row; the latest row applies."""

    account = models.ForeignKey(BudgetAccount, on_delete=models.PROTECT, related_name="amounts")
    year = models.PositiveSmallIntegerField(_("år"))
    amount = money(_("budget"))
    note = models.TextField(_("anledning"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["account", "year"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_not_negative")
        ]


# --- Payees ----------------------------------------------------------------------------------


class PayeeKind(models.TextChoices):
    PERSON = "person", _("Sökande (privatperson)")
    ORGANISATION = "organisation", _("Hyresvärd, elbolag eller annan mottagare")


class AccountKind(models.TextChoices):
    BANK_ACCOUNT = "bank_account", _("Bankkonto")
    BANKGIRO = "bankgiro", _("Bankgiro")
    PLUSGIRO = "plusgiro", _("Plusgiro")


class Payee(NeverDeleted):
    """Someone the unit pays: an applicant (a person) or an organisation with an org. number.

    The account is kept in versions (`PayeeAccount`); `current_account` points at the latest.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="payees")
    kind = models.CharField(_("slag"), max_length=16, choices=PayeeKind.choices)
    person = models.ForeignKey(
        "households.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("namn"), max_length=140)
    organisation_number = models.CharField(_("organisationsnummer"), max_length=11, blank=True)
    current_account = models.OneToOneField(
        "PayeeAccount", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "person"],
                condition=Q(person__isnull=False),
                name="one_payee_per_person_in_unit",
            ),
            models.CheckConstraint(
                condition=(Q(kind="person") & Q(person__isnull=False) & Q(organisation_number=""))
                | (Q(kind="organisation") & Q(person__isnull=True) & ~Q(organisation_number="")),
                name="payee_person_or_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PayeeAccount(ImmutableRow):
    """One version of a payee's account: who entered it, when and why. Holds only the masked
    form; the full number is in `AccountNumber`, readable only by the finance role."""

    payee = models.ForeignKey(
        Payee, on_delete=models.PROTECT, related_name="account_versions", db_index=False
    )  # the unique (payee, version) index serves
    version = models.PositiveIntegerField()
    kind = models.CharField(_("kontoslag"), max_length=16, choices=AccountKind.choices)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    masked = models.CharField(_("konto (maskerat)"), max_length=120)
    reason = models.TextField(_("anledning"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["payee_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["payee", "version"], name="payee_account_version")
        ]

    def __str__(self) -> str:
        return self.masked


class AccountNumber(ImmutableRow):
    """The full number of one account version. No reverse accessor: only finance selectors and
    the payment-file writer query this table."""

    account = models.OneToOneField(
        PayeeAccount,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="+",
        related_query_name="sealed_number",
    )
    clearing = models.CharField(max_length=4, blank=True)
    clearing_check_digit = models.CharField(max_length=1, blank=True)
    number = models.CharField(max_length=15)

    def __repr__(self) -> str:
        return f"<AccountNumber for account {self.account_id}>"

    def __str__(self) -> str:
        return f"konto {self.account_id}"


# --- Payment orders ----------------------------------------------------------------------


class PaymentMethod(models.TextChoices):
    ACCOUNT = "account", _("Till sökandens konto")
    INVOICE = "invoice", _("Till mottagare mot faktura")
    REQUISITION = "requisition", _("Rekvisition")
    CASH = "cash", _("Kontant (undantag)")


BANK_METHODS = (PaymentMethod.ACCOUNT, PaymentMethod.INVOICE)


class OrderStatus(models.TextChoices):
    REGISTERED = "registered", _("Registrerad – väntar på attest")
    AWAITING_SECOND = "awaiting_second", _("Väntar på andra attest (över beloppsspärren)")
    ATTESTED = "attested", _("Attesterad")
    IN_RUN = "in_run", _("I betalningsfil")
    SENT = "sent", _("Skickad till banken")
    PAID = "paid", _("Utbetald")
    REJECTED = "rejected", _("Avvisad av banken")
    CANCELLED = "cancelled", _("Makulerad")


ORDER_STATUS_TRANSITIONS: dict[str, set[str]] = {
    OrderStatus.REGISTERED: {
        OrderStatus.AWAITING_SECOND,
        OrderStatus.ATTESTED,
        OrderStatus.CANCELLED,
    },
    OrderStatus.AWAITING_SECOND: {OrderStatus.ATTESTED, OrderStatus.CANCELLED},
    # PAID straight from ATTESTED: cash handed out, requisition redeemed (recorded by finance).
    OrderStatus.ATTESTED: {OrderStatus.IN_RUN, OrderStatus.PAID, OrderStatus.CANCELLED},
    OrderStatus.IN_RUN: {OrderStatus.ATTESTED, OrderStatus.SENT},  # run cancelled / sent
    OrderStatus.SENT: {OrderStatus.PAID, OrderStatus.REJECTED},
    OrderStatus.PAID: {OrderStatus.REJECTED},  # the bank returned the money later
    OrderStatus.REJECTED: {OrderStatus.CANCELLED},
    OrderStatus.CANCELLED: set(),
}
# Orders that hold part of a decision line's granted amount.
COMMITTED_STATUSES = (
    OrderStatus.REGISTERED,
    OrderStatus.AWAITING_SECOND,
    OrderStatus.ATTESTED,
    OrderStatus.IN_RUN,
    OrderStatus.SENT,
    OrderStatus.PAID,
)
UNSENT_STATUSES = (OrderStatus.REGISTERED, OrderStatus.AWAITING_SECOND, OrderStatus.ATTESTED)


class PaymentOrder(NeverDeleted):
    """One payment from a granted decision line: to whom, how, how much, for which month, on
    which budget account. Its facts never change after registration; only its status moves
    (ORDER_STATUS_TRANSITIONS), each step by a service that records who and when."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="payment_orders", db_index=False
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="payment_orders", db_index=False
    )
    decision = models.ForeignKey(
        "decisions.Decision",
        on_delete=models.PROTECT,
        related_name="payment_orders",
        db_index=False,
    )
    decision_line = models.ForeignKey(
        "decisions.DecisionLine",
        on_delete=models.PROTECT,
        related_name="payment_orders",
        db_index=False,
    )
    month = models.DateField(_("avser månad"))
    budget_account = models.ForeignKey(
        BudgetAccount, on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    amount = money(_("belopp"))
    method = models.CharField(_("betalningssätt"), max_length=16, choices=PaymentMethod.choices)
    payee = models.ForeignKey(
        Payee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        db_index=False,
    )
    payee_account = models.ForeignKey(
        PayeeAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        db_index=False,
    )
    payee_name = models.CharField(_("mottagare"), max_length=140)
    payee_masked = models.CharField(_("konto (maskerat)"), max_length=120, blank=True)
    ocr_reference = models.CharField(_("OCR-nummer"), max_length=25, blank=True)
    message = models.CharField(_("meddelande till mottagaren"), max_length=140, blank=True)
    invoice_number = models.CharField(_("fakturanummer"), max_length=40, blank=True)
    due_on = models.DateField(_("förfallodag"), null=True, blank=True)
    pay_on = models.DateField(_("betalningsdag"))
    requisition_number = models.CharField(
        _("rekvisitionsnummer"), max_length=20, null=True, blank=True, unique=True
    )
    requisition_supplier = models.CharField(_("butik/leverantör"), max_length=140, blank=True)
    requisition_valid_until = models.DateField(_("giltig till och med"), null=True, blank=True)
    cash_reason = models.TextField(_("skäl till kontant utbetalning"), blank=True)
    note = models.TextField(_("anteckning"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.REGISTERED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    run = models.ForeignKey(
        "PaymentRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        db_index=False,
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(_("utbetald"), null=True, blank=True)
    returned_on = models.DateField(_("återförd av banken"), null=True, blank=True)
    bank_status_code = models.CharField(max_length=8, blank=True)
    bank_reason_code = models.CharField(max_length=8, blank=True)
    bank_reason = models.CharField(_("bankens besked"), max_length=300, blank=True)
    manual_payment_note = models.CharField(_("kvitto/anteckning"), max_length=300, blank=True)
    paid_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(_("skäl till makulering"), blank=True)
    reissue_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reissued_as"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        # Few indexes, on purpose: claiming and reconciling update 100,000 rows at a time and
        # every index is written again per row. Foreign keys rely on these composites.
        indexes = [
            # Partial: the queue of attested orders (what a run claims), and orders waiting
            # for attestation. Orders in other states are not indexed by status at all, so a
            # reconciliation's "these ids, if still sent" always goes by primary key.
            models.Index(
                fields=["unit", "pay_on"],
                condition=Q(status="attested"),
                name="order_claimable_idx",
            ),
            models.Index(
                fields=["unit"],
                condition=Q(status__in=["registered", "awaiting_second"]),
                name="order_awaiting_attest_idx",
            ),
            models.Index(fields=["run", "method"]),
            models.Index(fields=["decision_line", "status"]),
            models.Index(fields=["case", "created_at"]),
            models.Index(fields=["unit", "paid_on"]),
            models.Index(fields=["unit", "returned_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="order_amount_positive"),
            models.CheckConstraint(
                condition=~Q(method__in=BANK_METHODS)
                | (Q(payee__isnull=False) & Q(payee_account__isnull=False)),
                name="bank_order_has_account",
            ),
            models.CheckConstraint(
                condition=~Q(method="invoice") | Q(due_on__isnull=False),
                name="invoice_order_has_due_date",
            ),
            models.CheckConstraint(
                condition=Q(ocr_reference="") | Q(message=""),
                name="order_ocr_or_message",
            ),
            models.CheckConstraint(
                condition=~Q(method="requisition")
                | (
                    Q(requisition_number__isnull=False)
                    & Q(requisition_valid_until__isnull=False)
                    & ~Q(requisition_supplier="")
                ),
                name="requisition_is_numbered",
            ),
            models.CheckConstraint(
                condition=Q(method="requisition") | Q(requisition_number__isnull=True),
                name="only_requisitions_numbered",
            ),
            models.CheckConstraint(
                condition=~Q(method="cash") | ~Q(cash_reason=""),
                name="cash_order_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(run__isnull=True)
                | Q(status__in=["in_run", "sent", "paid", "rejected", "cancelled"]),
                name="order_in_run_has_run_status",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["in_run", "sent"]) | Q(run__isnull=False),
                name="order_run_status_has_run",
            ),
            models.CheckConstraint(
                condition=Q(run__isnull=True) | Q(method__in=BANK_METHODS),
                name="only_bank_orders_in_runs",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled")
                | (Q(cancelled_at__isnull=False) & ~Q(cancel_reason="")),
                name="cancelled_order_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False),
                name="paid_order_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Utbetalning {self.reference}"

    @property
    def reference(self) -> str:
        """Our id for the order, also the EndToEndId in the payment file."""
        return end_to_end_id(self.pk) if self.pk else "ny"

    @property
    def is_bank_payment(self) -> bool:
        return self.method in BANK_METHODS


END_TO_END_PREFIX = "BU"


def end_to_end_id(order_id: int) -> str:
    return f"{END_TO_END_PREFIX}{order_id}"


def order_id_from_end_to_end(value: str) -> int | None:
    if value.startswith(END_TO_END_PREFIX) and value[len(END_TO_END_PREFIX) :].isdigit():
        return int(value[len(END_TO_END_PREFIX) :])
    return None


class RequisitionSeries(models.Model):
    """The last requisition number used per unit and year (gapless numbering)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="requisition_series_unique")
        ]


class Attestation(ImmutableRow):
    """An attestation of an order (for a requisition: its countersignature; for cash: the unit
    head's approval). Level 2 is the second attestation above the amount limit."""

    order = models.ForeignKey(
        PaymentOrder, on_delete=models.PROTECT, related_name="attestations", db_index=False
    )  # the unique (order, level) index serves
    level = models.PositiveSmallIntegerField(choices=[(1, _("Attest")), (2, _("Andra attest"))])
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    role = models.CharField(max_length=32)
    amount_limit = money(_("beloppsspärr vid attesten"), null=True, blank=True)
    attested_at = models.DateTimeField()

    class Meta:
        ordering = ["order_id", "level"]
        constraints = [
            models.UniqueConstraint(fields=["order", "level"], name="one_attestation_per_level"),
            models.CheckConstraint(
                condition=~Q(level=1) | Q(amount_limit__isnull=False),
                name="first_attestation_records_limit",
            ),
        ]


class PayeeException(ImmutableRow):
    """The unit head's approval, with a written reason, of a payment to a private person who is
    not in the case's household in the decision's month. Without it such an order is never
    attested (service and database)."""

    order = models.OneToOneField(
        PaymentOrder, on_delete=models.PROTECT, related_name="payee_exception"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    role = models.CharField(max_length=32)
    reason = models.TextField(_("motivering"))
    approved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="payee_exception_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Undantag för utbetalning {self.order_id}"


# --- Payment runs ----------------------------------------------------------------------------


class RunStatus(models.TextChoices):
    BUILDING = "building", _("Byggs")
    BUILT = "built", _("Klar att skicka")
    SENT = "sent", _("Skickad till banken")
    RECONCILED = "reconciled", _("Avstämd")
    CANCELLED = "cancelled", _("Makulerad")


RUN_STATUS_TRANSITIONS: dict[str, set[str]] = {
    RunStatus.BUILDING: {RunStatus.BUILT, RunStatus.CANCELLED},
    RunStatus.BUILT: {RunStatus.BUILDING, RunStatus.SENT, RunStatus.CANCELLED},
    RunStatus.SENT: {RunStatus.RECONCILED},
    RunStatus.RECONCILED: set(),
    RunStatus.CANCELLED: set(),
}
OPEN_RUN_STATUSES = (RunStatus.BUILDING, RunStatus.BUILT)


class PaymentRun(NeverDeleted):
    """One payment file (pain.001) for a payment date: the attested bank orders claimed into it.

    While open (building/built) new attested orders may be added (a new revision and message
    id); once sent its orders and totals are frozen. The file is a rendering of the run and is
    rebuilt byte for byte from the database (`file_sha256` proves it).
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="payment_runs")
    payment_date = models.DateField(_("betalningsdag"))
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.BUILDING
    )
    revision = models.PositiveIntegerField(default=0)
    message_id = models.CharField(max_length=35, blank=True)
    file_created_at = models.DateTimeField(null=True, blank=True)
    order_count = models.PositiveIntegerField(default=0)
    control_sum = money(_("summa"), default=Decimal("0"))
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    settings_used = models.ForeignKey(
        PaymentSettings, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    built_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    reconciled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-payment_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "payment_date"],
                condition=Q(status__in=["building", "built"]),
                name="one_open_run_per_date",
            ),
            models.UniqueConstraint(
                fields=["message_id"], condition=~Q(message_id=""), name="run_message_id_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["built", "sent", "reconciled"])
                | (~Q(file_sha256="") & Q(order_count__gt=0)),
                name="built_run_has_file",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["sent", "reconciled"]) | Q(sent_at__isnull=False),
                name="sent_run_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Betalningsfil {self.reference}"

    @property
    def reference(self) -> str:
        return f"BF{self.payment_date:%Y%m%d}-{self.pk}" if self.pk else "ny"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_RUN_STATUSES


# --- Bank status reports -----------------------------------------------------------------


class StatusReportImport(NeverDeleted):
    """A bank status report (pain.002 or camt.054) read in. The same file twice is found by its
    sha256 (and message id) and changes nothing the second time."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64)
    message_type = models.CharField(max_length=20)
    message_id = models.CharField(max_length=35)
    original_message_id = models.CharField(max_length=35, blank=True)
    run = models.ForeignKey(
        PaymentRun, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    filename = models.CharField(max_length=255, blank=True)
    paid_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    pending_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "sha256"], name="status_report_once"),
            models.UniqueConstraint(
                fields=["unit", "message_type", "message_id"],
                condition=~Q(message_id=""),
                name="status_report_message_once",
            ),
        ]


class ReconciliationLine(ImmutableRow):
    """What one report changed for one order (only changes are recorded)."""

    report = models.ForeignKey(StatusReportImport, on_delete=models.PROTECT, related_name="lines")
    order = models.ForeignKey(
        PaymentOrder, on_delete=models.PROTECT, related_name="reconciliations"
    )
    previous_status = models.CharField(max_length=16, choices=OrderStatus.choices)
    new_status = models.CharField(max_length=16, choices=OrderStatus.choices)
    status_code = models.CharField(max_length=8, blank=True)
    reason_code = models.CharField(max_length=8, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    booked_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "order"], name="one_reconciliation_per_order_and_report"
            )
        ]
