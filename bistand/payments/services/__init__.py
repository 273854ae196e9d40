"""Every change of state in payments, named for the act, one module per act: payees,
orders, attestation, runs, reconciliation, budget (settings and budget accounts) and
accounting (exports). Each act takes the acting user first, checks permission and the rules
(the broken payment chain above all), writes the audit record and runs in one transaction; a
refusal is logged after the rollback.

The database checks the chain again (migrations 0002 and later), so a forgotten check here,
or a direct ORM write, is refused there. Callers import from `bistand.payments.services`;
the names below are the public surface.
"""

from bistand.core.errors import DomainError, NotFound, PermissionRefused

from .accounting import export_accounting, export_case_payments
from .attestation import (
    ChainFacts,
    approve_payee_exception,
    attest_order,
    chain_facts,
    check_chain,
    has_payee_exception,
)
from .budget import (
    change_payment_settings,
    create_budget_account,
    current_settings,
    set_yearly_budget,
)
from .common import (
    AUDIT_CHUNK,
    CENT,
    ORDER_TYPE,
    PAYEE_TYPE,
    RUN_TYPE,
    ChainRefused,
    id_ranges,
    parse_amount,
    payment_service,
    sek,
)
from .orders import (
    GRANTING_OUTCOMES,
    OrderInput,
    cancel_order,
    check_decision_payable,
    committed_on_line,
    create_payment_order,
    household_members_in_month,
    order_is_held,
    orders_held,
    payee_outside_household,
    payees_outside_household,
    record_manual_payment,
    reissue_order,
    remaining_on_line,
    replaced_decision_ids,
)
from .payees import (
    ValidatedAccount,
    change_payee_account,
    mask_giro,
    register_organisation_payee,
    register_person_payee,
    validate_account,
)
from .reconciliation import ImportResult, import_status_report, read_status_report
from .runs import (
    BATCH_SUFFIX,
    CATEGORY_PURPOSE,
    NothingToPay,
    RunResult,
    build_run,
    cancel_run,
    claimable_orders,
    file_sha256,
    mark_run_sent,
    rewrite_run_file,
    write_run_file,
)

__all__ = [
    "AUDIT_CHUNK",
    "BATCH_SUFFIX",
    "CATEGORY_PURPOSE",
    "CENT",
    "GRANTING_OUTCOMES",
    "ORDER_TYPE",
    "PAYEE_TYPE",
    "RUN_TYPE",
    "ChainRefused",
    "DomainError",
    "ImportResult",
    "NotFound",
    "NothingToPay",
    "OrderInput",
    "PermissionRefused",
    "RunResult",
    "ValidatedAccount",
    "approve_payee_exception",
    "attest_order",
    "build_run",
    "cancel_order",
    "cancel_run",
    "change_payee_account",
    "change_payment_settings",
    "ChainFacts",
    "chain_facts",
    "check_chain",
    "check_decision_payable",
    "claimable_orders",
    "committed_on_line",
    "create_budget_account",
    "create_payment_order",
    "current_settings",
    "export_accounting",
    "export_case_payments",
    "file_sha256",
    "has_payee_exception",
    "household_members_in_month",
    "id_ranges",
    "import_status_report",
    "mark_run_sent",
    "mask_giro",
    "order_is_held",
    "orders_held",
    "parse_amount",
    "payee_outside_household",
    "payees_outside_household",
    "payment_service",
    "read_status_report",
    "record_manual_payment",
    "register_organisation_payee",
    "register_person_payee",
    "reissue_order",
    "remaining_on_line",
    "replaced_decision_ids",
    "rewrite_run_file",
    "sek",
    "set_yearly_budget",
    "validate_account",
    "write_run_file",
]
