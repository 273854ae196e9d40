"""The role × URL matrix: for every named URL, what each role gets from a GET.

One row per URL name (namespaced; the API's router names). A rule is one answer per column,
in the order of `COLUMNS`: anonymous, then every `Role`. "L" is a redirect to the login page,
a number the status code. `own` is the answer for the URL naming section A's objects (the
staff's own section; URLs without an object use `own` alone); `other` for section B's objects
(another section's ids, where the world has them). tests/security/test_access_matrix.py fails
for a URL without a rule and for a rule naming a URL that no longer exists: a new URL needs a
row here (docs/ARCHITECTURE.md, "Confidentiality and audit").

Statuses are what the product's access model asks (ARCHITECTURE.md). Two refusals exist by
design: case pages (the case and what hangs on it: plan, checks) answer 403 with the page that
offers emergency access, and records reached by their own id (decision, calculation, appeal,
payment order, the API) answer 404, the same as a missing id.
"""

from __future__ import annotations

from dataclasses import dataclass

from bistand.organisation.models import Role

ANONYMOUS = "anonymous"
COLUMNS = (ANONYMOUS, *Role.values)


@dataclass(frozen=True)
class Rule:
    own: str
    other: str | None = None
    # For a form's target: the columns whose work is the whole unit's, not a section's (the
    # fraud investigators' FUT queue; the unit head and the controller's internal control).
    # Only they may act on section B's object; everyone else, the unit head included unless
    # named, is refused. Empty: the unit head alone acts on both sections.
    unit_wide: tuple[str, ...] = ()

    def expected(self, section: str) -> dict[str, str]:
        line = self.own if section == "a" or self.other is None else self.other
        tokens = line.split()
        if len(tokens) == len(COLUMNS) - 1:
            tokens.append(_coordinator_answer(dict(zip(COLUMNS, tokens, strict=False))))
        assert len(tokens) == len(COLUMNS), line
        return dict(zip(COLUMNS, tokens, strict=True))


def _coordinator_answer(answers: dict[str, str]) -> str:
    """The activity coordinator's answer where a line does not give it (lines written before
    the role existed): the coordinator has no case access and no capability outside the
    activity pages, so they answer as the roles without case access (finance, system
    administrator, controller) answer where at least two of them agree: a capability one of
    them holds (200 on its own pages) is not the coordinator's. Activity rows name it."""
    votes = [answers[Role.FINANCE], answers[Role.SYSTEM_ADMIN], answers[Role.CONTROLLER]]
    common = max(set(votes), key=votes.count)
    assert votes.count(common) >= 2, f"name the coordinator's answer: {votes}"
    return common


# Columns:       anonymous, reception, social worker, benefit administrator, section head,
#                unit head, fraud investigator (FUT), finance, system administrator,
#                controller (internkontrollant: internal control, no case access),
#                activity coordinator (aktivitetssamordnare; a line of ten tokens derives
#                it: `_coordinator_answer`).
# a form's target: GET is refused as a method, anonymous is sent to log in
POST_ONLY_PAGE = "L 405 405 405 405 405 405 405 405 405"
# an API action: POST only
POST_ONLY_API = "403 405 405 405 405 405 405 405 405 405"
# the case's section and the unit head; others as if it did not exist
CASE_API = "403 200 200 200 200 200 404 404 404 404"
# another section's case: only the unit head over both
CASE_API_OTHER = "403 404 404 404 404 200 404 404 404 404"
# a record of a case (decision, calculation, appeal): 404 outside
CASE_RECORD = "L 200 200 200 200 200 404 404 404 404"
CASE_RECORD_OTHER = "L 404 404 404 404 200 404 404 404 404"
# the case's pages: 403 is the refusal page offering emergency access (nödåtkomst) to the
# roles that may take it; finance and the system administrator, who may not, get a 404 as for
# a missing case
CASE_PAGE = "L 200 200 200 200 200 403 404 404 404"
CASE_PAGE_OTHER = "L 403 403 403 403 200 403 404 404 404"
# the case's social worker and the heads write the investigation and the plan's assessments
CASE_WRITERS = "L 403 200 403 200 200 403 404 404 404"
# pages of every case role (no object: lists, registration)
CASE_ROLES = "L 200 200 200 200 200 403 403 403 403"
# the applicant's e-service pages: staff are refused, anonymous is sent to the portal's login
PORTAL_PAGE = "L 403 403 403 403 403 403 403 403 403"
# capabilities of one role (organisation/permissions.py and each app's permissions.py)
UNIT_HEAD_ONLY = "L 403 403 403 403 200 403 403 403 403"
# section and unit heads
HEADS = "L 403 403 403 200 200 403 403 403 403"
HEADS_API = "403 403 403 403 200 200 403 403 403 403"
# lists filtered to what each user may open
ANY_STAFF_API = "403 200 200 200 200 200 200 200 200 200"
ANY_STAFF = "L 200 200 200 200 200 200 200 200 200"
# needs query parameters (answered 400 without)
NEEDS_QUERY_API = "403 400 400 400 400 400 400 400 400 400"
SYSADMIN_ONLY = "L 403 403 403 403 403 403 403 200 403"
FINANCE_ONLY_API = "403 403 403 403 403 403 403 200 403 403"
# the unit's FUT queue and control runs: fraud investigators only (docs/controls.md, "The FUT
# queue and investigations"); a flag of either section of the unit is theirs
FUT_ONLY = "L 403 403 403 403 403 200 403 403 403"
FUT_ONLY_API = "403 403 403 403 403 403 200 403 403 403"
FUT_ACT = Rule(POST_ONLY_PAGE, POST_ONLY_PAGE, unit_wide=(Role.FRAUD_INVESTIGATOR.value,))
FUT_ACT_API = Rule(POST_ONLY_API, POST_ONLY_API, unit_wide=(Role.FRAUD_INVESTIGATOR.value,))
# investigations: fraud investigators and the unit head read them on the pages; the API is
# fraud investigators only
FUT_INVESTIGATIONS = "L 403 403 403 403 200 200 403 403 403"
# legal figures: section and unit heads read them, the system administrator keeps them
LEGAL_FIGURES_API = "403 403 403 403 200 200 403 403 200 403"
# a sample item: its assigned reviewer (section A's: the benefit administrator), the unit
# head and the controller; anyone else as if it did not exist (docs/controls.md, "Who may do
# what")
SAMPLE_ITEM = "L 404 404 200 404 200 404 404 404 200"
SAMPLE_ITEM_OTHER = "L 404 404 404 404 200 404 404 404 200"
SAMPLE_ITEM_API = "403 404 404 200 404 200 404 404 404 200"
SAMPLE_ITEM_API_OTHER = "403 404 404 404 404 200 404 404 404 200"
# internal control: the sample draws, the review queue, the yearly report (draw_sample,
# review_queue in controls/permissions.py): the unit head and the controller
INTERNAL_CONTROL = "L 403 403 403 403 200 403 403 403 200"
INTERNAL_CONTROL_API = "403 403 403 403 403 200 403 403 403 200"
# a form's target acted on by the unit head or the controller for the whole unit
INTERNAL_CONTROL_ACT = Rule(
    POST_ONLY_PAGE, POST_ONLY_PAGE, unit_wide=(Role.UNIT_HEAD.value, Role.CONTROLLER.value)
)
INTERNAL_CONTROL_ACT_API = Rule(
    POST_ONLY_API, POST_ONLY_API, unit_wide=(Role.UNIT_HEAD.value, Role.CONTROLLER.value)
)
# the control runs' flags as a list: fraud investigators, and the controller reading only
FLAG_LIST = "L 403 403 403 403 403 200 403 403 200"

RULES: dict[str, Rule] = {
    "access_log": Rule(UNIT_HEAD_ONLY),
    "access_review": Rule(UNIT_HEAD_ONLY, UNIT_HEAD_ONLY),
    "access_review_latest": Rule("L 403 403 403 403 302 403 403 403 403"),
    "accounting-export-list": Rule(NEEDS_QUERY_API),
    "add_journal": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    # autosaved drafts (core/drafts.py): POST only; the save answers a timed-out session with
    # a notice instead of a login redirect (tests/core/test_drafts.py covers the refusals)
    "save_draft": Rule("405 405 405 405 405 405 405 405 405 405"),
    "discard_draft": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "add_review_note": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "api-docs": Rule(ANY_STAFF),
    "api-root": Rule(ANY_STAFF_API),
    "api-schema": Rule(ANY_STAFF_API),
    "appeal-court-outcome": Rule(POST_ONLY_API, POST_ONLY_API),
    "appeal-detail": Rule(CASE_API, CASE_API_OTHER),
    "appeal-dismiss": Rule(POST_ONLY_API, POST_ONLY_API),
    "appeal-forward": Rule(POST_ONLY_API, POST_ONLY_API),
    "appeal-list": Rule(ANY_STAFF_API),
    "appeal-reconsider": Rule(POST_ONLY_API, POST_ONLY_API),
    "application-complete": Rule(POST_ONLY_API, POST_ONLY_API),
    "application-detail": Rule(CASE_API, CASE_API_OTHER),
    "application-list": Rule(POST_ONLY_API),
    "application-withdraw": Rule(POST_ONLY_API, POST_ONLY_API),
    "authorise_staff": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "calculation-copy": Rule(POST_ONLY_API, POST_ONLY_API),
    "calculation-detail": Rule(CASE_API, CASE_API_OTHER),
    "calculation-list": Rule(POST_ONLY_API),
    "calculation-proposals": Rule(CASE_API, CASE_API_OTHER),
    "calculation-save": Rule(POST_ONLY_API, POST_ONLY_API),
    "case-applications": Rule(CASE_API, CASE_API_OTHER),
    "case-close": Rule(POST_ONLY_API, POST_ONLY_API),
    "case-detail": Rule(CASE_API, CASE_API_OTHER),
    "case-emergency-access": Rule(POST_ONLY_API, POST_ONLY_API),
    "case-investigation": Rule(CASE_API, CASE_API_OTHER),
    "case-journal": Rule(CASE_API, CASE_API_OTHER),
    "case-list": Rule(ANY_STAFF_API),
    "case-protection": Rule(CASE_API, CASE_API_OTHER),
    "case-reassign": Rule(POST_ONLY_API, POST_ONLY_API),
    "case-remove-protection": Rule(POST_ONLY_API, POST_ONLY_API),
    "case-set-type": Rule(POST_ONLY_API, POST_ONLY_API),
    "case-sign-investigation": Rule(POST_ONLY_API, POST_ONLY_API),
    "case-take": Rule(POST_ONLY_API, POST_ONLY_API),
    "case_detail": Rule(CASE_PAGE, CASE_PAGE_OTHER),
    "caseload": Rule(HEADS),
    "close_case": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "complete_application": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    # Begär komplettering (portal/views_staff.py): who handles applications, in the case's
    # section (the unit head over both); the others are refused before the case is read.
    "request_completion": Rule(
        "L 403 200 200 200 200 403 403 403 403", "L 403 403 403 403 200 403 403 403 403"
    ),
    # Nytt från sökande, mark a case's notices read (portal/views_staff.py): POST only; a
    # case the user may not open answers 404.
    "applicant_news_read": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "control-flag-detail": Rule(FUT_ONLY_API, FUT_ONLY_API),
    "control-flag-dismiss": FUT_ACT_API,
    "control-flag-investigate": FUT_ACT_API,
    "control-flag-list": Rule(FUT_ONLY_API),
    "control-run-detail": Rule(FUT_ONLY_API),
    "control-run-list": Rule(FUT_ONLY_API),
    "controls:action": Rule(
        "L 404 404 404 200 404 404 404 404 404", "L 404 404 404 404 404 404 404 404 404"
    ),
    "controls:add_action": INTERNAL_CONTROL_ACT,
    "controls:assess": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "controls:backlog": Rule(HEADS),
    "controls:backlog_settings": Rule(POST_ONLY_PAGE),
    "controls:check": Rule(CASE_PAGE, CASE_PAGE_OTHER),
    "controls:claim": Rule(CASE_PAGE, CASE_PAGE_OTHER),
    "controls:claim_letter": Rule(CASE_PAGE, CASE_PAGE_OTHER),
    "controls:write_off_letter": Rule(CASE_PAGE, CASE_PAGE_OTHER),
    "controls:decide_recovery": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "controls:fut_dismiss": FUT_ACT,
    "controls:fut_flag": Rule(FUT_ONLY, FUT_ONLY),
    "controls:fut_investigate": FUT_ACT,
    "controls:fut_investigation": Rule(FUT_INVESTIGATIONS, FUT_INVESTIGATIONS),
    "controls:fut_investigations": Rule(FUT_INVESTIGATIONS),
    "controls:fut_note": FUT_ACT,
    "controls:fut_outcome": FUT_ACT,
    "controls:fut_queue": Rule(FLAG_LIST),
    "controls:fut_report": FUT_ACT,
    "controls:fut_run": Rule(POST_ONLY_PAGE),
    "controls:incorrect_payment": Rule(CASE_PAGE, CASE_PAGE_OTHER),
    "controls:manual": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "controls:my_reviews": Rule(ANY_STAFF),
    "controls:open_claims": Rule(HEADS),
    "controls:register_incorrect_payment": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "controls:repayment": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "controls:request": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "controls:requirements": Rule("L 403 403 403 403 200 403 403 200 403"),
    "controls:review": Rule(SAMPLE_ITEM, SAMPLE_ITEM_OTHER),
    "controls:review_queue": Rule(INTERNAL_CONTROL),
    "controls:sample": Rule(INTERNAL_CONTROL),
    "controls:sample_assign": INTERNAL_CONTROL_ACT,
    "controls:sample_redraw": Rule(POST_ONLY_PAGE),
    "controls:sample_report": Rule(INTERNAL_CONTROL),
    "controls:sample_report_pdf": Rule(INTERNAL_CONTROL),
    "controls:sample_checklist": Rule(POST_ONLY_PAGE),
    "controls:sample_size": Rule(POST_ONLY_PAGE),
    "controls:samples": Rule(INTERNAL_CONTROL),
    "controls:write_off": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "corrective-action-close": Rule(POST_ONLY_API, POST_ONLY_API),
    "corrective-action-list": Rule(ANY_STAFF_API),
    "decision-decide": Rule(POST_ONLY_API, POST_ONLY_API),
    "decision-detail": Rule(CASE_API, CASE_API_OTHER),
    "decision-letter": Rule(CASE_API, CASE_API_OTHER),
    "decision-list": Rule(NEEDS_QUERY_API),
    "decision-mark-sent": Rule(POST_ONLY_API, POST_ONLY_API),
    "decision-refer": Rule(POST_ONLY_API),
    "decision-replace": Rule(POST_ONLY_API, POST_ONLY_API),
    "decision-return-referral": Rule(POST_ONLY_API, POST_ONLY_API),
    "decisions:appeal": Rule(CASE_RECORD, CASE_RECORD_OTHER),
    "decisions:appeal_court": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "decisions:appeal_dismiss": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "decisions:appeal_forward": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "decisions:appeal_reconsider": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "decisions:appeal_withdraw": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "decisions:batch": Rule("L 403 403 200 200 200 403 403 403 403"),
    "decisions:calculation": Rule(CASE_RECORD, CASE_RECORD_OTHER),
    "decisions:calculation_copy": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "decisions:calculation_create": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "decisions:calculation_row": Rule(CASE_RECORD, CASE_RECORD_OTHER),
    "decisions:decide": Rule(
        "L 403 200 200 200 200 403 403 403 403", "L 403 404 404 404 200 403 403 403 403"
    ),
    "decisions:decide_draft": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "decisions:decision": Rule(CASE_RECORD, CASE_RECORD_OTHER),
    "decisions:guidelines": Rule("L 403 403 403 403 200 403 403 200 403"),
    "decisions:letter": Rule(CASE_RECORD, CASE_RECORD_OTHER),
    "decisions:mark_sent": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "decisions:overview": Rule(HEADS),
    "decisions:refer_prepared": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "decisions:register_appeal": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "decisions:replace": Rule(
        "L 403 200 200 200 200 403 403 403 403", "L 403 404 404 404 200 403 403 403 403"
    ),
    "decisions:return_referral": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "decisions:review": Rule(
        "L 403 403 403 302 302 403 403 403 403", "L 403 403 403 302 302 403 403 403 403"
    ),
    "decisions:settings": Rule(SYSADMIN_ONLY),
    "download_document": Rule(CASE_PAGE, CASE_PAGE_OTHER),
    "emergency_access": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "end_application": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "follow-up-detail": Rule(CASE_API, CASE_API_OTHER),
    "follow-up-list": Rule(NEEDS_QUERY_API),
    "fraud-investigation-detail": Rule(FUT_ONLY_API, FUT_ONLY_API),
    "fraud-investigation-list": Rule(FUT_ONLY_API),
    "fraud-investigation-notes": FUT_ACT_API,
    "fraud-investigation-outcome": FUT_ACT_API,
    "fraud-investigation-reports": FUT_ACT_API,
    "home": Rule(ANY_STAFF),
    "household-detail": Rule(CASE_API, CASE_API_OTHER),
    "household-registration-list": Rule(POST_ONLY_API),
    "household_application": Rule(CASE_ROLES, "L 404 404 404 404 200 403 403 403 403"),
    "inbox": Rule(CASE_ROLES),
    "incorrect-payment-detail": Rule(CASE_API, CASE_API_OTHER),
    "incorrect-payment-list": Rule(NEEDS_QUERY_API),
    "intervention-detail": Rule(CASE_API, CASE_API_OTHER),
    "intervention-end": Rule(POST_ONLY_API, POST_ONLY_API),
    "intervention-list": Rule(ANY_STAFF_API),
    "intervention-start": Rule(POST_ONLY_API, POST_ONLY_API),
    "investigation": Rule(CASE_WRITERS, CASE_PAGE_OTHER),
    "investigation_version": Rule(CASE_PAGE, CASE_PAGE_OTHER),
    "jobs:overview": Rule(SYSADMIN_ONLY),
    "journal-entry-correct": Rule(POST_ONLY_API, POST_ONLY_API),
    "journal-entry-detail": Rule(CASE_API, CASE_API_OTHER),
    "journal-entry-sign": Rule(POST_ONLY_API, POST_ONLY_API),
    "journal_pdf": Rule(CASE_PAGE, CASE_PAGE_OTHER),
    "legal-parameter-list": Rule("403 403 403 403 200 200 403 403 200 403"),
    "legal-parameter-verify": Rule(POST_ONLY_API),
    "legal-period-detail": Rule(LEGAL_FIGURES_API),
    "legal-period-list": Rule(LEGAL_FIGURES_API),
    "legal-period-verify": Rule(POST_ONLY_API),
    "legal-period-withdraw": Rule(POST_ONLY_API),
    "login": Rule("200 302 302 302 302 302 302 302 302 302"),
    "logout": Rule("405 405 405 405 405 405 405 405 405 405"),
    # The applicant's e-service (docs/portal.md): no staff role uses it; its pages need an
    # applicant session (tests/portal). The test e-ID exists only with debug on: 404 here.
    "portal:case": Rule(PORTAL_PAGE, PORTAL_PAGE),
    "portal:home": Rule(PORTAL_PAGE),
    "portal:letter": Rule(PORTAL_PAGE, PORTAL_PAGE),
    "portal:messages": Rule(PORTAL_PAGE, PORTAL_PAGE),
    # Following the case (portal/views_follow.py): the applicant session is checked before
    # the method, so staff get 403 on the POST-only targets too.
    "portal:decision": Rule(PORTAL_PAGE, PORTAL_PAGE),
    "portal:appeal": Rule(PORTAL_PAGE, PORTAL_PAGE),
    "portal:plan": Rule(PORTAL_PAGE, PORTAL_PAGE),
    "portal:plan_sign": Rule(PORTAL_PAGE, PORTAL_PAGE),
    "portal:activity_plan": Rule(PORTAL_PAGE, PORTAL_PAGE),
    "portal:activity_plan_sign": Rule(PORTAL_PAGE, PORTAL_PAGE),
    "portal:contact": Rule(PORTAL_PAGE),
    # Applying online (docs/portal.md): applicant pages; tests/portal/test_apply.py covers
    # the applicant's answers (another household's ids: 404).
    "portal:apply": Rule(PORTAL_PAGE),
    "portal:apply_new": Rule(PORTAL_PAGE),
    "portal:apply_done": Rule(PORTAL_PAGE, PORTAL_PAGE),
    # Co-applicant signing (tests/portal/test_co_signing.py covers the applicants' answers).
    "portal:apply_cosign": Rule(PORTAL_PAGE, PORTAL_PAGE),
    "portal:apply_cosign_decline": Rule(PORTAL_PAGE, PORTAL_PAGE),
    "portal:apply_withdraw": Rule(PORTAL_PAGE, PORTAL_PAGE),
    "portal:apply_attachment": Rule(PORTAL_PAGE, PORTAL_PAGE),
    "portal:apply_remove_attachment": Rule(PORTAL_PAGE, PORTAL_PAGE),
    "portal:apply_repeat": Rule(PORTAL_PAGE, PORTAL_PAGE),
    "portal:send_documents": Rule(PORTAL_PAGE, PORTAL_PAGE),
    "portal:answer_request": Rule(PORTAL_PAGE, PORTAL_PAGE),
    "portal:login": Rule("200 403 403 403 403 403 403 403 403 403"),
    "portal:logout": Rule("405 405 405 405 405 405 405 405 405 405"),
    "portal:test_eid_login": Rule("404 404 404 404 404 404 404 404 404 404"),
    # The e-ID login over OpenID Connect exists only when configured (not in the matrix): 404;
    # configured, staff get 403 (tests/portal/test_oidc_login.py).
    "portal:oidc_login": Rule("404 404 404 404 404 404 404 404 404 404"),
    "portal:oidc_callback": Rule("404 404 404 404 404 404 404 404 404 404"),
    "mark_protected": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "member_row": Rule(ANY_STAFF),
    "norm-table-comparison": Rule("403 403 403 403 200 200 403 403 200 403"),
    "norm-table-detail": Rule("403 403 403 403 200 200 403 403 200 403"),
    "norm-table-import-": Rule(POST_ONLY_API),
    "norm-table-list": Rule("403 403 403 403 200 200 403 403 200 403"),
    "norm-table-verify": Rule(POST_ONLY_API),
    "norm-table-withdraw": Rule(POST_ONLY_API),
    "norms:import": Rule(POST_ONLY_PAGE),
    "norms:norm_detail": Rule("L 403 403 403 200 200 403 403 200 403"),
    "norms:norm_entry": Rule(SYSADMIN_ONLY),
    "norms:overview": Rule("L 403 403 403 200 200 403 403 200 403"),
    "norms:parameter_entry": Rule(POST_ONLY_PAGE),
    "norms:period_entry": Rule(POST_ONLY_PAGE),
    "norms:verify": Rule(POST_ONLY_PAGE),
    "norms:withdraw": Rule(POST_ONLY_PAGE),
    "oidc_authentication_callback": Rule("404 404 404 404 404 404 404 404 404 404"),
    "oidc_authentication_init": Rule("404 404 404 404 404 404 404 404 404 404"),
    "payee-account-number": Rule(FINANCE_ONLY_API, FINANCE_ONLY_API),
    "payee-change-account": Rule(POST_ONLY_API, POST_ONLY_API),
    "payee-detail": Rule(
        "403 403 200 200 200 200 403 200 403 403", "403 403 404 404 404 200 403 200 403 403"
    ),
    "payee-history": Rule(
        "403 403 200 200 200 200 403 200 403 403", "403 403 404 404 404 200 403 200 403 403"
    ),
    "payee-list": Rule("403 403 200 200 200 200 403 200 403 403"),
    "payment-order-approve-exception": Rule(POST_ONLY_API),
    "payment-order-attest": Rule(POST_ONLY_API),
    "payment-order-cancel": Rule(POST_ONLY_API),
    "payment-order-detail": Rule("403 404 200 200 200 200 404 200 404 404"),
    "payment-order-list": Rule(ANY_STAFF_API),
    "payment-order-record-paid": Rule(POST_ONLY_API),
    "payment-order-reissue": Rule(POST_ONLY_API),
    "payment-run-cancel": Rule(POST_ONLY_API),
    "payment-run-detail": Rule("403 403 403 403 403 200 403 200 403 403"),
    "payment-run-file": Rule(FINANCE_ONLY_API),
    "payment-run-list": Rule("403 403 403 403 403 200 403 200 403 403"),
    "payment-run-send": Rule(POST_ONLY_API),
    "payments:attest_queue": Rule("L 403 200 200 200 200 403 403 403 403"),
    "payments:budget": Rule("L 403 403 403 403 200 403 200 403 403"),
    "payments:budget_export": Rule("L 400 400 400 400 400 400 400 400 400"),
    "payments:case_export": Rule(CASE_PAGE, CASE_PAGE_OTHER),
    "payments:index": Rule("L 403 302 302 302 302 403 302 403 403"),
    "payments:order": Rule("L 404 200 200 200 200 404 200 404 404"),
    "payments:order_attest": Rule(POST_ONLY_PAGE),
    "payments:order_cancel": Rule(POST_ONLY_PAGE),
    "payments:order_exception": Rule(POST_ONLY_PAGE),
    "payments:order_new": Rule(
        "L 403 200 200 200 200 403 404 403 403", "L 403 403 403 403 200 403 404 403 403"
    ),
    "payments:order_paid": Rule(POST_ONLY_PAGE),
    "payments:order_reissue": Rule(POST_ONLY_PAGE),
    "payments:payee": Rule(
        "L 403 200 200 200 200 403 200 403 403", "L 403 404 404 404 200 403 200 403 403"
    ),
    "payments:payees": Rule("L 403 200 200 200 200 403 200 403 403"),
    "payments:queue": Rule("L 403 403 403 403 200 403 200 403 403"),
    "payments:reconcile": Rule("L 403 403 403 403 403 403 200 403 403"),
    "payments:requisition": Rule("L 404 200 200 200 200 404 200 404 404"),
    "payments:run": Rule("L 403 403 403 403 200 403 200 403 403"),
    "payments:run_cancel": Rule(POST_ONLY_PAGE),
    "payments:run_file": Rule("L 403 403 403 403 403 403 200 403 403"),
    "payments:run_send": Rule(POST_ONLY_PAGE),
    "payments:runs": Rule("L 403 403 403 403 200 403 200 403 403"),
    "payments:settings": Rule(UNIT_HEAD_ONLY),
    "person-detail": Rule(CASE_API, CASE_API_OTHER),
    "person-list": Rule("403 400 400 400 400 400 400 403 403 403"),
    "reassign": Rule(HEADS, UNIT_HEAD_ONLY),
    "recovery-claim-detail": Rule(CASE_API, CASE_API_OTHER),
    "recovery-claim-list": Rule(NEEDS_QUERY_API),
    "recovery-claim-repayment": Rule(POST_ONLY_API, POST_ONLY_API),
    "recovery-claim-write-off": Rule(POST_ONLY_API, POST_ONLY_API),
    "register-check-assess": Rule(POST_ONLY_API, POST_ONLY_API),
    "register-check-detail": Rule(CASE_API, CASE_API_OTHER),
    "register-check-list": Rule(NEEDS_QUERY_API),
    "register-check-manual": Rule(POST_ONLY_API),
    "register-check-status": Rule(NEEDS_QUERY_API),
    "register_household": Rule(CASE_ROLES),
    "register_repeat_application": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "remove_protected": Rule(POST_ONLY_PAGE),
    "review-queue-list": Rule(INTERNAL_CONTROL_API),
    "review-queue-sign-off": Rule(POST_ONLY_API),
    "review_emergency": Rule(POST_ONLY_PAGE),
    "revoke_authorisation": Rule(POST_ONLY_PAGE),
    "sample-draw-detail": Rule(INTERNAL_CONTROL_API),
    "sample-draw-list": Rule(INTERNAL_CONTROL_API),
    "sample-draw-redraw": Rule(POST_ONLY_API),
    "sample-review-assign": INTERNAL_CONTROL_ACT_API,
    "sample-review-detail": Rule(SAMPLE_ITEM_API, SAMPLE_ITEM_API_OTHER),
    "sample-review-list": Rule(ANY_STAFF_API),
    "sample-review-review": Rule(POST_ONLY_API, POST_ONLY_API),
    "search": Rule("L 200 200 200 200 200 200 403 403 403"),
    "second_factor_enrol": Rule("L 302 302 302 302 302 302 302 302 302"),
    "second_factor_verify": Rule("L 302 302 302 302 302 302 302 302 302"),
    "set_case_type": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "set_language": Rule("302 302 302 302 302 302 302 302 302 302"),
    "sign_access_review": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "sign_journal": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "staff_list": Rule("L 403 403 403 200 200 403 403 200 403"),
    "staff_second_factor": Rule(SYSADMIN_ONLY, SYSADMIN_ONLY),
    "statistics-long-term": Rule(HEADS_API),
    "statistics-month": Rule(HEADS_API),
    "statistics-national-report": Rule("403 403 403 403 403 200 403 403 403 403"),
    "statistics-outcomes": Rule(HEADS_API),
    "statistics-refresh": Rule(POST_ONLY_API),
    "statistics-risk-group": Rule(HEADS_API),
    "statistics-risk-groups": Rule(HEADS_API),
    "statistics-year": Rule(HEADS_API),
    "statistics:benchmark": Rule(HEADS),
    "statistics:benchmark_csv": Rule("L 403 403 403 302 302 403 403 403 403"),
    "statistics:benchmark_template": Rule(HEADS),
    "statistics:dashboard": Rule(HEADS),
    "statistics:dashboard_download": Rule(HEADS, HEADS),
    "statistics:national_report": Rule(UNIT_HEAD_ONLY),
    "statistics:outcomes": Rule(HEADS),
    "statistics:refresh": Rule(POST_ONLY_PAGE),
    "statistics:risk_list": Rule(HEADS),
    "statistics:year": Rule(HEADS),
    "statistics:year_download": Rule(HEADS, HEADS),
    "status-report-list": Rule(FINANCE_ONLY_API),
    "take_case": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "upload_document": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "worker_cases": Rule(HEADS, HEADS),
    "workplan-confirm": Rule(POST_ONLY_API, POST_ONLY_API),
    "workplan-detail": Rule(CASE_API, CASE_API_OTHER),
    "workplan-list": Rule(ANY_STAFF_API),
    # the activity requirement (docs/activity-requirement.md): the section list for the
    # section's handlers and head; exemptions recorded by handlers and heads on the case
    "activity:becoming_covered": Rule("L 403 200 200 200 403 403 403 403 403"),
    # Arbetsförmedlingen's "kan omfattas" file: handlers and heads, onto cases they may open
    "activity:import_notices": Rule("L 403 200 200 200 200 403 403 403 403 403"),
    "activity:end_exemption": Rule("L 403 200 200 200 200 403 404 404 404", CASE_PAGE_OTHER),
    "activity:record_certificate": Rule("L 403 200 200 200 200 403 404 404 404", CASE_PAGE_OTHER),
    "activity:record_exemption": Rule("L 403 200 200 200 200 403 404 404 404", CASE_PAGE_OTHER),
    "activity:record_language_level": Rule(
        "L 403 200 200 200 200 403 404 404 404", CASE_PAGE_OTHER
    ),
    # activities, placements, attendance (docs/activity-requirement.md, "Who sees what"): the
    # activity pages are the unit's (another section's activity shows only the participants
    # of cases the reader may open); the coordinator reaches only the activities they
    # coordinate and no case; placing, ending, assessing and the plan are case pages
    "activity:activities": Rule("L 403 200 200 200 200 403 403 403 403 200"),
    "activity:create_activity": Rule("L 403 403 403 200 200 403 403 403 403 403"),
    # an activity is the unit's (no section): the heads of either section edit it
    "activity:edit_activity": Rule("L 403 403 403 200 200 403 403 403 403 403"),
    "activity:participants_for_af": Rule("L 403 403 403 200 200 403 403 403 403 403"),
    "activity:activity_detail": Rule(
        "L 403 200 200 200 200 403 403 403 403 200", "L 403 200 200 200 200 403 403 403 403 404"
    ),
    "activity:attendance": Rule(
        "L 403 403 403 403 403 403 403 403 403 200", "L 403 403 403 403 403 403 403 403 403 404"
    ),
    "activity:import_attendance": Rule(
        "L 403 403 403 403 403 403 403 403 403 200", "L 403 403 403 403 403 403 403 403 403 404"
    ),
    "activity:assign": Rule("L 403 200 200 200 200 403 404 404 404 404", CASE_PAGE_OTHER),
    "activity:accept_offer": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "activity:end_placement": Rule("L 403 200 200 200 200 403 404 404 404 404", CASE_PAGE_OTHER),
    "activity:waive_criteria": Rule("L 403 200 200 200 200 403 404 404 404 404", CASE_PAGE_OTHER),
    "activity:assess_absence": Rule("L 403 200 200 200 200 403 404 404 404 404", CASE_PAGE_OTHER),
    "activity:activity_plan": Rule("L 403 200 200 200 200 403 404 404 404 404", CASE_PAGE_OTHER),
    "activity:confirm_activity_plan": Rule(
        "L 403 200 200 200 200 403 404 404 404 404", CASE_PAGE_OTHER
    ),
    "workplans:assessment": Rule(CASE_WRITERS, CASE_PAGE_OTHER),
    "workplans:case_plan": Rule(CASE_PAGE, CASE_PAGE_OTHER),
    "workplans:confirm_plan": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "workplans:edit_plan": Rule(CASE_WRITERS, CASE_PAGE_OTHER),
    "workplans:end_intervention": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "workplans:overview": Rule(HEADS),
    "workplans:record_follow_up": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "workplans:record_meeting": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "workplans:refer": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "workplans:resolve_deviation": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "workplans:settings": Rule("L 403 403 403 200 200 403 403 200 403"),
    "workplans:start_intervention": Rule(POST_ONLY_PAGE, POST_ONLY_PAGE),
    "workplans:version": Rule(CASE_PAGE, CASE_PAGE_OTHER),
    "workplans:version_pdf": Rule(CASE_PAGE, CASE_PAGE_OTHER),
}
