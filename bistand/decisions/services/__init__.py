"""Every change of state in decisions, named for the act, one module per act: unit settings
(local guidelines and decision settings), delegation rules, saved calculations, decide
(decide, preview, replace), referral, letter dispatch, appeals, repeat decisions (prepared,
automatic, the batch) and reviews of automatic decisions. What several acts share lives in
common (access checks) and decision_common (the rules of a decision and what follows a final
one).

Each service takes the acting user first, checks permission and the rules, writes the audit
record and runs in one transaction: a refused or invalid act leaves nothing half-saved.
Callers import from `bistand.decisions.services`; the names below are the public surface.
"""

from .. import calculations as calc
from .appeals import (
    decision_receipt,
    dismiss_late_appeal,
    forward_appeal,
    record_court_outcome,
    record_reconsideration,
    register_appeal,
    register_applicant_appeal,
    withdraw_appeal,
)
from .common import ZERO
from .decide import DecisionPreview, decide_application, preview_decision, replace_decision
from .decision_common import LineDecision, OutsideDelegation
from .delegation_rules import add_delegation_rule, ensure_default_delegation, retire_delegation_rule
from .letter_dispatch import mark_letter_sent
from .referral import (
    check_draft_decidable,
    confirm_prepared_decision,
    decide_draft,
    refer_decision,
    refer_prepared_decision,
    return_referral,
)
from .repeat_decisions import BatchReport, BatchRow, prepare_repeat_decision, run_decide_batch
from .reviews import draw_review_sample, review_automatic_decision
from .saved_calculations import (
    copy_calculation,
    create_calculation,
    may_edit_calculation_draft,
    preview_calculation,
    save_calculation,
    update_calculation,
)
from .unit_settings import (
    change_decision_settings,
    current_decision_settings,
    may_verify_guidelines,
    set_local_guidelines,
    verify_local_guidelines,
)

__all__ = [
    "BatchReport",
    "BatchRow",
    "DecisionPreview",
    "LineDecision",
    "OutsideDelegation",
    "ZERO",
    "add_delegation_rule",
    "calc",
    "change_decision_settings",
    "confirm_prepared_decision",
    "copy_calculation",
    "create_calculation",
    "may_edit_calculation_draft",
    "current_decision_settings",
    "decide_application",
    "decision_receipt",
    "decide_draft",
    "dismiss_late_appeal",
    "draw_review_sample",
    "ensure_default_delegation",
    "forward_appeal",
    "mark_letter_sent",
    "may_verify_guidelines",
    "prepare_repeat_decision",
    "preview_decision",
    "record_court_outcome",
    "record_reconsideration",
    "refer_decision",
    "refer_prepared_decision",
    "register_appeal",
    "register_applicant_appeal",
    "replace_decision",
    "retire_delegation_rule",
    "return_referral",
    "check_draft_decidable",
    "preview_calculation",
    "review_automatic_decision",
    "run_decide_batch",
    "save_calculation",
    "set_local_guidelines",
    "update_calculation",
    "verify_local_guidelines",
    "withdraw_appeal",
]
