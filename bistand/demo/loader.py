"""The demo municipality: one unit with sections, staff for every role, about 1,500
households and 18 months of applications, investigations and journal entries.

The organisation is written first; then a few households walk the whole case flow through
the services (register_household, register_application, take_case, the investigation,
reassign, activate, journal, withdraw, close, re-entry), so that the demo exercises the real
rules. The bulk history is written set-wise (bulk_create in one transaction) with one access-log
row per created record through `audit.services.record_many`, keeping the hash chain valid.
Every date is relative to today, so the demo always looks current. Seeded: the same seed on the
same day gives the same data.

people.py makes households and persons, planning.py decides what became of each case,
staff.py writes the organisation, history.py the bulk history, texts.py holds the Swedish texts.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count
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
from bistand.core.dates import month_start
from bistand.households import services as household_services
from bistand.households.models import Household, Person
from bistand.organisation.models import Role, Unit

from . import texts
from .auditing import AuditBuffer
from .history import HistoryWriter
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
    audit_rows: int
    audit_ok: bool
    staff: int
    logins: list[dict[str, Any]]
    password: str
    seconds: float


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
        HistoryWriter(rng, org, planner, audit).write(bulk)
        audit.flush()
    report = verify_chain()
    return summarise(org, time.monotonic() - started, report.ok, report.checked)


def summarise(org: Organisation, seconds: float, audit_ok: bool, audit_rows: int) -> DemoSummary:
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
        audit_rows=audit_rows or AccessLogEntry.objects.count(),
        audit_ok=audit_ok,
        staff=len(org.users),
        logins=logins,
        password=DEMO_PASSWORD,
        seconds=seconds,
    )
