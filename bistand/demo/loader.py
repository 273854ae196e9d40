"""The demo municipality: one unit with sections, staff for every role, about 1,500
households and 18 months of applications, investigations and journal entries.

The organisation is written first; then a few households walk the whole case flow through
the services (register_household, register_application, take_case, the investigation,
reassign, activate, journal, withdraw, close, re-entry), so that the demo exercises the real
rules. The bulk history is written set-wise (bulk_create in one transaction) with one access-log
row per created record through `audit.services.record_many`, keeping the hash chain valid.
Every date is relative to today, so the demo always looks current. Seeded: the same seed on the
same day gives the same data.

Decisions and payments follow the history (decisions_history.py, payments_history.py): every
application the history marks decided has a saved calculation and a final decision; every
granting decision a payment order, paid in a payment run for past days, attested and waiting
(or awaiting a second attestation) for the last days. Where riksnorm.json lacks the month's
amounts (couples from 2025, children in 2026) the stored calculation is the engine's result on
the nearest earlier verified year's table, with a `demo_substitute_norm` warning in the result
and `norm_year` naming the table used: the Decision row requires a calculation, and no amount
is invented. Applications in cases that never got a signed investigation are withdrawn rather
than decided (a decision rests on a signed investigation). A few current-month applications of
the sample go through the real services (create_calculation, save_calculation,
decide_application, register_person_payee, create_payment_order, attest_order). At the end the
statistics summary tables are rebuilt (statistics.refresh.refresh_all) so the dashboards show
the paid months at once.

people.py makes households and persons, planning.py decides what became of each case,
staff.py writes the organisation, history.py the bulk history, texts.py holds the Swedish texts.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from bistand.audit.models import AccessLogEntry
from bistand.audit.services import verify_chain
from bistand.cases import services as case_services
from bistand.cases.models import (
    Application,
    ApplicationStatus,
    Case,
    CaseReopening,
    CaseStatus,
    Investigation,
    JournalEntry,
)
from bistand.controls import rules as control_rules
from bistand.controls import services as control_services
from bistand.core.dates import month_start
from bistand.decisions import services as decision_services
from bistand.decisions.models import Appeal, Decision, DecisionStatus, Outcome
from bistand.households import services as household_services
from bistand.households.models import Household, Person
from bistand.organisation.models import Role, Unit
from bistand.payments import services as payment_services
from bistand.payments.models import OrderStatus, PaymentMethod, PaymentOrder

from . import texts
from .activities_demo import add_demo_activities
from .auditing import AuditBuffer
from .decisions_history import RENT_CEILINGS, DecisionWriter
from .history import HistoryWriter, historical_timestamps
from .payments_history import PaymentWriter, valid_bank_account
from .people import CITY
from .planning import (
    CLOSED_FROM_INTAKE,
    INTAKE,
    INTAKE_REENTRY,
    INTAKE_TAKEN,
    INTAKE_UNASSIGNED,
    Period,
    PlannedCase,
    Planner,
    plan_households,
    staffing_for,
)
from .plans_history import PlanCounts, PlanWriter
from .portal_demo import demo_applicant
from .sample_review import draw_and_review_last_month
from .staff import DEMO_PASSWORD, Organisation, assign_staff, create_organisation

DEFAULT_SEED = 1281
DEFAULT_HOUSEHOLDS = 1650
DEFAULT_MONTHS = 18
MIN_HOUSEHOLDS = 40


@dataclass
class DemoSummary:
    households: int
    persons: int
    open_by_type: dict[str, int]
    in_intake: int
    closed: int
    reentries: int
    applications: int
    undecided: int
    journal_entries: int
    investigations: int
    decisions: dict[str, int]
    appeals: int
    orders_by_status: dict[str, int]
    amount_paid: Decimal
    paid_months: int
    norm_substituted: int
    audit_rows: int
    audit_ok: bool
    staff: int
    logins: list[dict[str, Any]]
    password: str
    seconds: float
    plans: PlanCounts | None = None
    second_factors: list[dict[str, str]] = field(default_factory=list)
    # The e-service's demo applicant (test e-ID): identity number, name, case reference.
    portal_applicant: dict[str, str] | None = None


# --- The service walk -------------------------------------------------------------------


def _members(case: PlannedCase) -> list[household_services.MemberInput]:
    return [
        household_services.MemberInput(m.identity.canonical, m.first_name, m.last_name, m.role)
        for m in case.household.members
    ]


def _content_for(rng: random.Random, case: PlannedCase, case_row: Case) -> dict:
    persons = case_services.adults_of(case_row)
    by_number = {p.identity_number: p.pk for p in persons}
    ids = [by_number[m.identity.canonical] for m in case.household.adults]
    return texts.investigation_content(rng, case.household, ids, timezone.localdate())


def walk_through_services(rng: random.Random, org: Organisation, cases: list[PlannedCase]) -> None:
    """The sample households go through the real services, as staff would click through them."""
    today = timezone.localdate()
    reception = org.first(INTAKE, Role.RECEPTION)
    intake_worker = org.first(INTAKE, Role.SOCIAL_WORKER)
    intake_head = org.first(INTAKE, Role.SECTION_HEAD)
    social_worker = org.first("arbetsmarknad", Role.SOCIAL_WORKER)
    benefit_admin = org.first("arbetsmarknad", Role.BENEFIT_ADMINISTRATOR)
    for case in cases:
        household = case.household
        received = case.opened_on
        row = household_services.register_household(
            reception,
            _members(case),
            address=household.address,
            postal_code=household.postal_code,
            city=CITY,
            on=received,
        )
        application = case_services.register_application(
            reception,
            row,
            kind="new",
            month=month_start(received),
            received_on=received,
            channel="visit",
            stated_costs=household.stated_costs(),
            stated_incomes=household.stated_incomes(),
        )
        case_row = application.case
        case.pk = case_row.pk
        case_services.add_journal_entry(
            reception,
            case_row,
            kind="note",
            occurred_on=received,
            text=texts.reception_note(rng, household, received),
        )
        if case.fate == INTAKE_UNASSIGNED:
            continue
        case_row = case_services.take_case(intake_worker, case_row)
        visit_on = min(today, received + dt.timedelta(days=1))
        case_services.add_journal_entry(
            intake_worker,
            case_row,
            kind="first_visit",
            occurred_on=visit_on,
            text=texts.first_visit_text(rng, household, visit_on),
        )
        if case.fate in (CLOSED_FROM_INTAKE, INTAKE_REENTRY):
            reason = "work" if case.fate == CLOSED_FROM_INTAKE else "unemployment_benefit"
            case_services.withdraw_application(
                intake_worker,
                application,
                "Sökanden återtar ansökan: " + texts.CLOSING_TEXTS[reason] + ".",
            )
            closed_on = received + dt.timedelta(days=10 if reason == "work" else 15)
            case_services.close_case(intake_worker, case_row, reason=reason, closed_on=closed_on)
            case_services.add_journal_entry(
                intake_worker,
                case_row,
                occurred_on=closed_on,
                text=texts.closing_text(household, reason),
            )
            if case.fate == INTAKE_REENTRY:
                again = today - dt.timedelta(days=2)
                case_services.register_application(
                    reception,
                    row,
                    kind="new",
                    month=month_start(again),
                    received_on=again,
                    channel="e_service",
                    stated_costs=household.stated_costs(),
                )
                case.periods = [Period(received, closed_on, reason), Period(again)]
            continue
        content = _content_for(rng, case, case_row)
        case_services.save_investigation_draft(intake_worker, case_row, content)
        if case.fate == INTAKE_TAKEN:
            continue
        case_services.sign_investigation(intake_worker, case_row)
        handler = benefit_admin if case.case_type == "C" else social_worker
        assistant = benefit_admin if case.case_type == "B" else None
        section = org.sections["arbetsmarknad"]
        case_row = case_services.reassign_case(
            intake_head,
            case_row,
            handler=handler,
            assistant=assistant,
            section=section,
            case_type=case.case_type,
            reason=f"Grundutredning klar – överlämnas till {section.name}",
        )
        case_services.activate_case(handler, case_row)
        case_services.add_journal_entry(
            handler,
            case_row,
            text=texts.handover_text(section.name, case.case_type),
        )


# --- The whole load ---------------------------------------------------------------------


def database_has_demo() -> bool:
    return Unit.objects.exists()


def load_demo(
    *,
    households: int = DEFAULT_HOUSEHOLDS,
    seed: int = DEFAULT_SEED,
    months: int = DEFAULT_MONTHS,
) -> DemoSummary:
    """Load the demo municipality on an empty database, in one transaction."""
    if households < MIN_HOUSEHOLDS:
        raise ValueError(f"The demo needs at least {MIN_HOUSEHOLDS} households.")
    if months < 2:
        raise ValueError("The demo needs at least two months of history.")
    started = time.monotonic()
    rng = random.Random(seed)
    today = timezone.localdate()
    planner = Planner(rng, today, months)

    sample, bulk = plan_households(planner, households)

    with transaction.atomic():
        if database_has_demo():
            raise ValueError(
                "The database already has a unit; the demo loads only on an empty one."
            )
        audit = AuditBuffer()
        staffing = staffing_for(sample + bulk, households)
        org = create_organisation(rng, staffing, audit)
        audit.flush()
        walk_through_services(rng, org, sample)
        assign_staff(rng, org, bulk)
        history = HistoryWriter(rng, org, planner, audit)
        history.write(bulk)
        audit.flush()
        admin = org.first(None, Role.SYSTEM_ADMIN)
        guideline = decision_services.set_local_guidelines(
            admin,
            org.unit,
            valid_from=history.window_start.replace(month=1, day=1),
            name="Riktlinjer för ekonomiskt bistånd (demo)",
            rent_ceilings=RENT_CEILINGS,
            note="Skäliga boendekostnader per hushållsstorlek",
        )
        # Four-eyes: the unit head checks the ceilings against the board's decision.
        guideline = decision_services.verify_local_guidelines(
            org.first(None, Role.UNIT_HEAD), guideline
        )
        payments = PaymentWriter(rng, org, today, audit)
        payments.setup(history.window_start, households)
        decisions = DecisionWriter(
            rng, org, today, audit, history.applications, history.signed_versions, guideline
        )
        with historical_timestamps():
            decisions.write(bulk)
            payments.write(decisions.decisions)
        audit.flush()
        require_checks_from_this_month(org, today)
        decide_sample_through_services(rng, org, sample)
        # Work plans last, with their own random stream: the history above is unchanged.
        plans = PlanWriter(random.Random(f"{seed}-plans"), org, today, audit)
        plans.setup()
        with historical_timestamps():
            plan_counts = plans.write()
        audit.flush()
        # Internal control last, with its own random stream (the history above is unchanged).
        draw_and_review_last_month(random.Random(f"{seed}-sample"), org, today)
        # The activity requirement's activities, placements and attendance (issue #16).
        add_demo_activities(org, today)
    _refresh_statistics()
    report = verify_chain()
    return summarise(
        org,
        time.monotonic() - started,
        report.ok,
        report.checked,
        decisions.calculator.substituted,
        plan_counts,
    )


def _refresh_statistics() -> None:
    """Rebuild the statistics summary tables, so the dashboards show the demo at once."""
    from bistand.statistics.refresh import refresh_all

    refresh_all()


def require_checks_from_this_month(org: Organisation, today: dt.date) -> None:
    """The demo unit requires register checks for new applications from this month on (the
    history before it was decided without them): Skatteverket for every adult, and
    Arbetsförmedlingen for the applicant."""
    control_services.set_check_requirements(
        org.first(None, Role.UNIT_HEAD),
        org.unit,
        valid_from=month_start(today),
        requirements=[
            {"decision_kind": "new", "source": "skatteverket", "persons": "adults"},
            {"decision_kind": "new", "source": "arbetsformedlingen", "persons": "applicant"},
        ],
        note="Kontroller via SSBTEK innan beslut om nyansökan (demo).",
    )


def check_before_deciding(handler, application: Application) -> None:
    """Ask the registers the unit requires (the simulator answers) and assess any discrepancy,
    as a handler would before deciding."""
    for need in control_rules.needs_for(application):
        made = control_services.request_check(
            handler,
            application.case,
            person=need.person,
            source=need.requirement.source,
            period_from=application.month,
            period_to=application.month,
            application=application,
        )
        if made.discrepancy:
            control_services.assess_check(
                handler,
                made,
                assessment="explained",
                note="Sökande har visat lönespecifikation; inkomsten räknas i beräkningen.",
            )


def decide_sample_through_services(
    rng: random.Random, org: Organisation, sample: list[PlannedCase]
) -> None:
    """The sample's active single-adult cases: calculation, decision, payee, order and
    attestation through the real services, as staff would click through them."""
    finance = org.first(None, Role.FINANCE)
    for case in sample:
        if case.pk is None or case.case_type not in ("A", "C"):
            continue
        case_row = Case.objects.get(pk=case.pk)
        application = case_row.applications.order_by("-month").first()
        handler = case_row.handler
        check_before_deciding(handler, application)
        calculation = decision_services.create_calculation(handler, application)
        calculation = decision_services.save_calculation(handler, calculation)
        proposal = decision_services.calc.proposals(calculation)[0]
        obstacle_of = {a.identity.canonical: a.obstacle for a in case.household.adults}
        decider = handler
        if proposal.proposed_outcome != Outcome.GRANTED:
            decider = org.first(case.section, Role.SECTION_HEAD)
        decision = decision_services.decide_application(
            decider,
            application,
            calculation=calculation,
            lines={
                proposal.key: decision_services.LineDecision(
                    proposal.proposed_outcome,
                    proposal.proposed_grant,
                    proposal.proposed_reasons,
                    proposal.proposed_ground,
                )
            },
            support_obstacles={
                p.pk: obstacle_of[p.identity_number] for p in case_services.adults_of(case_row)
            },
        )
        line = decision.lines.first()
        if line is None or line.amount_granted <= 0:
            continue
        applicant = case.household.applicant
        clearing, number = valid_bank_account(rng)
        payment_services.register_person_payee(
            finance,
            identity_number=applicant.identity.canonical,
            clearing=clearing,
            account_number=number,
            reason="Kontouppgift från sökande vid nybesök",
        )
        registrar = next(
            (
                user
                for role in (Role.BENEFIT_ADMINISTRATOR, Role.SOCIAL_WORKER)
                for user in org.of(case.section, role)
                if user.pk != decider.pk
            ),
            org.first(None, Role.UNIT_HEAD),
        )  # the broken chain: whoever decided does not register the payment
        order = payment_services.create_payment_order(
            registrar,
            line,
            payment_services.OrderInput(method=PaymentMethod.ACCOUNT, amount=line.amount_granted),
        )
        head = org.first(case.section, Role.SECTION_HEAD)
        payment_services.attest_order(
            head if head.pk != decider.pk else org.first(None, Role.UNIT_HEAD), order
        )


def summarise(
    org: Organisation,
    seconds: float,
    audit_ok: bool,
    audit_rows: int,
    substituted: int = 0,
    plans: PlanCounts | None = None,
) -> DemoSummary:
    cases = Case.objects.filter(unit=org.unit)
    open_cases = cases.exclude(status=CaseStatus.CLOSED)
    by_type = dict(
        open_cases.exclude(case_type="").values_list("case_type").annotate(n=Count("id")).order_by()
    )
    applications = Application.objects.filter(case__unit=org.unit)
    handler_load = dict(
        open_cases.exclude(handler=None)
        .values_list("handler_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    logins = []
    shown: set[tuple[str | None, str]] = set()
    for user in sorted(org.users, key=lambda u: u.pk):
        key = (user.section.code if user.section else None, user.role)
        if key in shown:
            continue
        shown.add(key)
        logins.append(
            {
                "username": user.username,
                "role": str(Role(user.role).label),
                "section": user.section.name if user.section else "",
                "cases": handler_load.get(user.pk, 0)
                if user.role in (Role.SOCIAL_WORKER, Role.BENEFIT_ADMINISTRATOR)
                else None,
            }
        )
    return DemoSummary(
        households=Household.objects.count(),
        persons=Person.objects.count(),
        open_by_type={t: by_type.get(t, 0) for t in ("A", "B", "C")},
        in_intake=open_cases.filter(status=CaseStatus.INTAKE).count(),
        closed=cases.filter(status=CaseStatus.CLOSED).count(),
        reentries=CaseReopening.objects.filter(case__unit=org.unit).count(),
        applications=applications.count(),
        undecided=applications.filter(
            status__in=[ApplicationStatus.RECEIVED, ApplicationStatus.COMPLETE]
        ).count(),
        journal_entries=JournalEntry.objects.filter(case__unit=org.unit).count(),
        investigations=Investigation.objects.filter(case__unit=org.unit).count(),
        decisions=dict(
            Decision.objects.filter(case__unit=org.unit, status=DecisionStatus.FINAL)
            .values_list("outcome")
            .annotate(n=Count("id"))
            .order_by()
        ),
        appeals=Appeal.objects.filter(case__unit=org.unit).count(),
        orders_by_status=dict(
            PaymentOrder.objects.filter(unit=org.unit)
            .values_list("status")
            .annotate(n=Count("id"))
            .order_by()
        ),
        amount_paid=PaymentOrder.objects.filter(unit=org.unit, status=OrderStatus.PAID).aggregate(
            total=Sum("amount")
        )["total"]
        or Decimal("0"),
        paid_months=PaymentOrder.objects.filter(unit=org.unit, status=OrderStatus.PAID)
        .values("month")
        .distinct()
        .count(),
        norm_substituted=substituted,
        audit_rows=audit_rows or AccessLogEntry.objects.count(),
        audit_ok=audit_ok,
        staff=len(org.users),
        logins=logins,
        password=DEMO_PASSWORD,
        seconds=seconds,
        plans=plans,
        second_factors=org.second_factors,
        portal_applicant=demo_applicant(org.unit),
    )
