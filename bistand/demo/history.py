"""Writing the planned history set-wise: households, cases, assignments, re-entries,
applications, investigations and journal entries, each with its access-log row."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.cases.models import (
    Application,
    ApplicationStatus,
    Case,
    CaseAssignment,
    CaseReopening,
    CaseStatus,
    ClosingReason,
    Investigation,
    InvestigationVersion,
    JournalEntry,
)
from bistand.core.dates import add_months, month_start
from bistand.decisions.models import Appeal, Calculation, Decision
from bistand.households.models import Household, HouseholdMembership, Person
from bistand.organisation.models import Role, User
from bistand.payments.models import Payee, PayeeAccount, PaymentRun
from bistand.workplans.models import FollowUp, Intervention, WorkPlan, WorkPlanVersion

from . import texts
from .auditing import AuditBuffer
from .people import CITY
from .planning import (
    ACTIVE,
    ACTIVE_REENTRY,
    CLOSED,
    CLOSED_FROM_INTAKE,
    INTAKE,
    INTAKE_REENTRY,
    INTAKE_TAKEN,
    INTAKE_UNASSIGNED,
    TYPED_FATES,
    PlannedCase,
    Planner,
    random_days,
    weighted_choice,
)
from .staff import Organisation

# Days from arrival to decision (target: within a week); a few wait longer.
DECISION_LAG_WEIGHTS = (
    (1, 8), (2, 14), (3, 16), (4, 14), (5, 12), (6, 9), (7, 8), (9, 6), (10, 4), (14, 3), (20, 2),
)  # fmt: skip
CHANNEL_WEIGHTS_REPEAT = {"e_service": 60, "paper": 35, "visit": 5}
CHANNEL_WEIGHTS_NEW = {"visit": 50, "e_service": 30, "paper": 20}
CONTACT_PLAN = {
    # case type: (days between contacts, {journal kind: weight})
    "A": (
        (12, 28),
        {"visit": 45, "phone": 30, "tripartite_meeting": 8, "message": 12, "home_visit": 5},
    ),
    "B": ((28, 70), {"phone": 45, "visit": 30, "message": 20, "letter": 5}),
    "C": ((60, 120), {"phone": 45, "message": 45, "letter": 10}),
}


def _at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A local working-hours time on `day`, never later than now."""
    return min(_local_time(day, hour, minute), timezone.now())


@lru_cache(maxsize=65536)
def _local_time(day: dt.date, hour: int, minute: int) -> dt.datetime:
    # The history asks for the same few thousand day-hour-minutes about 150,000 times.
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@contextmanager
def historical_timestamps() -> Iterator[None]:
    """Let the bulk history carry its own creation times instead of the time of loading.

    auto_now/auto_now_add would stamp 18 months of history with today's time, which would look
    like documentation written months late. Switched off only around the bulk inserts.
    """
    fields = [
        (Person, "created_at"),
        (Household, "created_at"),
        (HouseholdMembership, "created_at"),
        (Case, "created_at"),
        (CaseReopening, "created_at"),
        (Application, "registered_at"),
        (Investigation, "created_at"),
        (InvestigationVersion, "created_at"),
        (InvestigationVersion, "updated_at"),
        (JournalEntry, "created_at"),
        (Calculation, "created_at"),
        (Calculation, "updated_at"),
        (Decision, "created_at"),
        (Appeal, "registered_at"),
        (Payee, "created_at"),
        (PayeeAccount, "registered_at"),
        (PaymentRun, "created_at"),
        (WorkPlan, "created_at"),
        (WorkPlanVersion, "created_at"),
        (WorkPlanVersion, "updated_at"),
        (FollowUp, "recorded_at"),
        (Intervention, "created_at"),
    ]
    saved = []
    for model, name in fields:
        model_field = model._meta.get_field(name)
        saved.append((model_field, model_field.auto_now, model_field.auto_now_add))
        model_field.auto_now = model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field, auto_now, auto_now_add in saved:
            model_field.auto_now, model_field.auto_now_add = auto_now, auto_now_add


class HistoryWriter:
    """Writes the planned households and cases set-wise, with their access-log rows."""

    def __init__(
        self, rng: random.Random, org: Organisation, planner: Planner, audit: AuditBuffer
    ) -> None:
        self.rng = rng
        self.org = org
        self.today = planner.today
        self.window_start = planner.window_start
        self.audit = audit
        self.intake_head = org.first(INTAKE, Role.SECTION_HEAD)
        # What the decisions and payments writers build on: per case pk.
        self.applications: dict[int, list[Application]] = defaultdict(list)
        self.signed_versions: dict[int, list[tuple[dt.date, InvestigationVersion]]] = defaultdict(
            list
        )

    def write(self, cases: list[PlannedCase]) -> None:
        rng, today = self.rng, self.today
        for case in cases:
            start = case.opened_on
            if case.fate != INTAKE_UNASSIGNED:
                case.taken_on = min(today, start + random_days(rng, 0, 2))
            if case.fate in TYPED_FATES:
                limit = case.periods[0].end or today
                case.transferred_on = min(
                    start + random_days(rng, 7, 20), limit - dt.timedelta(days=1), today
                )
        with historical_timestamps():
            self._persons_and_households(cases)
            self._cases(cases)
            self._assignments_and_reopenings(cases)
            self._applications(cases)
            self._investigations(cases)
            self._journal(cases)

    # Households --------------------------------------------------------------------------

    def _persons_and_households(self, cases: list[PlannedCase]) -> None:
        persons = []
        for case in cases:
            for member in case.household.members:
                persons.append(
                    Person(
                        identity_number=member.identity.canonical,
                        is_coordination_number=member.identity.is_coordination_number,
                        first_name=member.first_name,
                        last_name=member.last_name,
                        birth_date=member.identity.birth_date,
                        sex=member.identity.sex,
                        created_at=_at(member.valid_from, 9, 5),
                    )
                )
        Person.objects.bulk_create(persons)
        iterator = iter(persons)
        for case in cases:
            for member in case.household.members:
                member.pk = next(iterator).pk
                self.audit.add(
                    case.registrar,
                    AuditAction.CREATE,
                    "households.person",
                    member.pk,
                    person_id=member.pk,
                )
        households = [
            Household(
                address=case.household.address,
                postal_code=case.household.postal_code,
                city=CITY,
                created_at=_at(case.household.since, 9, 10),
            )
            for case in cases
        ]
        Household.objects.bulk_create(households)
        memberships = []
        for case, household in zip(cases, households, strict=True):
            planned = case.household
            planned.pk = household.pk
            self.audit.add(
                case.registrar,
                AuditAction.CREATE,
                "households.household",
                household.pk,
                detail={
                    "after": {
                        "members": [(m.role, m.identity.canonical) for m in planned.members],
                        "address": planned.address,
                    }
                },
            )
            for member in planned.members:
                memberships.append(
                    HouseholdMembership(
                        household_id=household.pk,
                        person_id=member.pk,
                        role=member.role,
                        valid_from=member.valid_from,
                        created_at=_at(member.valid_from, 9, 10),
                    )
                )
        HouseholdMembership.objects.bulk_create(memberships)
        registrar_of = {case.household.pk: case.registrar for case in cases}
        for membership in memberships:
            self.audit.add(
                registrar_of[membership.household_id],
                AuditAction.CREATE,
                "households.householdmembership",
                membership.pk,
                person_id=membership.person_id,
                detail={"after": {"household": membership.household_id, "role": membership.role}},
            )

    # Cases -------------------------------------------------------------------------------

    def _follow_up(self, case: PlannedCase) -> dt.date | None:
        if case.fate not in (ACTIVE, ACTIVE_REENTRY):
            return None
        low, high = {"A": (-10, 30), "B": (-10, 75), "C": (0, 150)}[case.case_type]
        return self.today + random_days(self.rng, low, high)

    def _cases(self, cases: list[PlannedCase]) -> None:
        rows = []
        for case in cases:
            last = case.periods[-1]
            status = (
                CaseStatus.CLOSED
                if last.end is not None
                else CaseStatus.ACTIVE
                if case.fate in (ACTIVE, ACTIVE_REENTRY)
                else CaseStatus.INTAKE
            )
            rows.append(
                Case(
                    household_id=case.household.pk,
                    unit=self.org.unit,
                    section=self.org.sections[case.section],
                    handler=case.handler,
                    assistant=case.assistant,
                    case_type=case.case_type,
                    status=status,
                    opened_on=case.opened_on,
                    closed_on=last.end,
                    closing_reason=last.reason if last.end else "",
                    next_follow_up_on=self._follow_up(case),
                    created_at=_at(case.opened_on, 9, 15),
                )
            )
        Case.objects.bulk_create(rows)
        for case, row in zip(cases, rows, strict=True):
            case.pk = row.pk
            after = {"section": row.section_id, "status": row.status, "case_type": row.case_type}
            if row.closed_on:
                after |= {
                    "closed_on": row.closed_on.isoformat(),
                    "closing_reason": row.closing_reason,
                }
            self.audit.add(
                case.registrar,
                AuditAction.CREATE,
                "cases.case",
                row.pk,
                case_id=row.pk,
                detail={"after": after},
            )

    def _assignments_and_reopenings(self, cases: list[PlannedCase]) -> None:
        org, rng = self.org, self.rng
        intake_section = org.sections[INTAKE]
        assignments: list[CaseAssignment] = []
        reopenings: list[CaseReopening] = []
        for case in cases:
            rows = [
                CaseAssignment(
                    case_id=case.pk,
                    handler=None,
                    section=intake_section,
                    started_at=_at(case.opened_on, 9, 15),
                    assigned_by=case.registrar,
                    reason="Nyansökan registrerad",
                )
            ]
            if case.taken_on:
                rows.append(
                    CaseAssignment(
                        case_id=case.pk,
                        handler=case.intake_worker,
                        section=intake_section,
                        started_at=_at(case.taken_on, 10, rng.randint(0, 59)),
                        assigned_by=case.intake_worker,
                        reason="Tog ärendet",
                    )
                )
            if case.transferred_on:
                section = org.sections[case.section]
                rows.append(
                    CaseAssignment(
                        case_id=case.pk,
                        handler=case.handler,
                        assistant=case.assistant,
                        section=section,
                        case_type=case.case_type,
                        started_at=_at(case.transferred_on, 14, rng.randint(0, 59)),
                        assigned_by=self.intake_head,
                        reason=f"Grundutredning klar – överlämnas till {section.name}",
                    )
                )
            first = case.periods[0]
            if first.end is not None:
                # close_case ends the open assignment; the reopening leaves the case as it was.
                for row in rows:
                    row.ended_at = row.ended_at or _at(first.end, 16)
            if case.fate == ACTIVE_REENTRY:
                second = case.periods[1]
                section = org.sections[case.section]
                rows.append(
                    CaseAssignment(
                        case_id=case.pk,
                        handler=case.handler,
                        assistant=case.assistant,
                        section=section,
                        case_type=case.case_type,
                        started_at=_at(second.start + dt.timedelta(days=1), 11),
                        assigned_by=org.first(case.section, Role.SECTION_HEAD),
                        reason="Återaktualiserat – samma handläggare",
                    )
                )
            for earlier, later in zip(rows, rows[1:], strict=False):
                if earlier.ended_at is None:
                    earlier.ended_at = later.started_at
            if case.fate in (CLOSED, CLOSED_FROM_INTAKE) and rows[-1].ended_at is None:
                rows[-1].ended_at = _at(case.periods[-1].end, 16)
            assignments.extend(rows)
            if len(case.periods) > 1:
                reopenings.append(
                    CaseReopening(
                        case_id=case.pk,
                        reopened_on=case.periods[1].start,
                        previous_closed_on=first.end,
                        previous_closing_reason=first.reason,
                        reopened_by=case.registrar,
                        created_at=_at(case.periods[1].start, 9, 20),
                    )
                )
        CaseAssignment.objects.bulk_create(assignments)
        for row in assignments:
            self.audit.add(
                row.assigned_by,
                AuditAction.ASSIGN,
                "cases.caseassignment",
                row.pk,
                case_id=row.case_id,
                detail={
                    "after": {
                        "handler": row.handler_id,
                        "assistant": row.assistant_id,
                        "section": row.section_id,
                        "case_type": row.case_type,
                    },
                    "reason": row.reason,
                },
            )
        CaseReopening.objects.bulk_create(reopenings)
        for row in reopenings:
            self.audit.add(
                row.reopened_by,
                AuditAction.CREATE,
                "cases.casereopening",
                row.pk,
                case_id=row.case_id,
                detail={
                    "after": {
                        "previous_closed_on": row.previous_closed_on.isoformat(),
                        "previous_closing_reason": row.previous_closing_reason,
                    }
                },
            )

    # Applications ------------------------------------------------------------------------

    def _money_handler(self, case: PlannedCase, on: dt.date) -> User:
        if case.transferred_on and on >= case.transferred_on and case.handler:
            return case.assistant or case.handler
        return case.intake_worker if case.taken_on and on >= case.taken_on else case.registrar

    def _applications_of(self, case: PlannedCase) -> list[Application]:
        rng, today = self.rng, self.today
        apps: list[Application] = []
        last_month = add_months(month_start(today), 1)
        for period_index, period in enumerate(case.periods):
            ongoing = period.end is None
            in_intake = ongoing and case.fate in (INTAKE_UNASSIGNED, INTAKE_TAKEN, INTAKE_REENTRY)
            month = month_start(period.start)
            first = True
            while month <= last_month:
                if first:
                    received, kind = period.start, "new"
                else:
                    # Monthly applications arrive from about three weeks before the month.
                    received, kind = month + random_days(rng, -20, 8), "repeat"
                    received = max(received, period.start + dt.timedelta(days=3))
                if received > today or (period.end is not None and received >= period.end):
                    break
                skip = not first and rng.random() < 0.06
                if month >= self.window_start and not skip:
                    apps.append(
                        self._application(
                            case, period_index, kind, month, received, ongoing, in_intake
                        )
                    )
                first = False
                month = add_months(month, 1)
        if not case.transferred_on:
            # No signed investigation, so nothing a decision could rest on: the applicant
            # withdrew (as in the service walk) before the intake closed the case.
            for app in apps:
                if app.status == ApplicationStatus.DECIDED:
                    app.status = ApplicationStatus.WITHDRAWN
        return apps

    def _application(
        self,
        case: PlannedCase,
        period_index: int,
        kind: str,
        month: dt.date,
        received: dt.date,
        ongoing: bool,
        in_intake: bool,
    ) -> Application:
        rng, today = self.rng, self.today
        waited = (today - received).days
        lag = weighted_choice(rng, DECISION_LAG_WEIGHTS)
        if in_intake and kind == "new":
            decided = False
        elif ongoing:
            decided = waited > lag
        else:
            decided = True
        complete_on = None
        if decided:
            status = ApplicationStatus.DECIDED
            if rng.random() < 0.01:
                status = ApplicationStatus.WITHDRAWN
            complete_on = min(today, received + random_days(rng, 0, min(lag, 3)))
        elif rng.random() < 0.35:
            status = ApplicationStatus.COMPLETE
            complete_on = received + random_days(rng, 0, waited)
        else:
            status = ApplicationStatus.RECEIVED
        channel = weighted_choice(
            rng, CHANNEL_WEIGHTS_NEW if kind == "new" else CHANNEL_WEIGHTS_REPEAT
        )
        registered_by = case.registrar if kind == "new" else self._money_handler(case, received)
        return Application(
            case_id=case.pk,
            kind=kind,
            month=month,
            received_on=received,
            channel=channel,
            status=status,
            complete_on=complete_on,
            stated_costs=case.household.stated_costs(),
            stated_incomes=case.household.stated_incomes(),
            registered_by=registered_by,
            registered_at=_at(received, rng.randint(8, 16), rng.randint(0, 59)),
        )

    def _applications(self, cases: list[PlannedCase]) -> None:
        rows = [app for case in cases for app in self._applications_of(case)]
        Application.objects.bulk_create(rows, batch_size=2000)
        for app in rows:
            self.applications[app.case_id].append(app)
            self.audit.add(
                app.registered_by,
                AuditAction.CREATE,
                "cases.application",
                app.pk,
                case_id=app.case_id,
                detail={
                    "after": {
                        "kind": app.kind,
                        "month": app.month.isoformat(),
                        "received_on": app.received_on.isoformat(),
                        "status": app.status,
                    }
                },
            )

    # Investigations ----------------------------------------------------------------------

    def _signer(self, case: PlannedCase) -> User:
        if case.handler and case.handler.role == Role.SOCIAL_WORKER:
            return case.handler
        return self.org.first(case.section, Role.SECTION_HEAD)

    def _investigations(self, cases: list[PlannedCase]) -> None:
        rng, today = self.rng, self.today
        planned: list[tuple[PlannedCase, list[tuple[dt.date, User, bool]]]] = []
        for case in cases:
            versions: list[tuple[dt.date, User, bool]] = []
            if case.transferred_on:
                versions.append((case.transferred_on, case.intake_worker, True))
                if case.fate == ACTIVE_REENTRY:
                    revised = min(today, case.periods[1].start + random_days(rng, 3, 12))
                    versions.append((revised, self._signer(case), True))
                elif (
                    case.fate == ACTIVE
                    and case.case_type != "C"
                    and (today - case.transferred_on).days > 400
                    and rng.random() < 0.3
                ):
                    revised = case.transferred_on + random_days(rng, 330, 400)
                    versions.append((revised, self._signer(case), True))
            elif case.fate == INTAKE_TAKEN:
                versions.append(
                    (min(today, case.taken_on + random_days(rng, 0, 4)), case.intake_worker, False)
                )
            if versions:
                planned.append((case, versions))
        investigations = [
            Investigation(case_id=case.pk, created_at=_at(versions[0][0], 11))
            for case, versions in planned
        ]
        Investigation.objects.bulk_create(investigations)
        by_number: dict[int, list[tuple[InvestigationVersion, int]]] = defaultdict(list)
        for (case, versions), investigation in zip(planned, investigations, strict=True):
            self.audit.add(
                versions[0][1],
                AuditAction.CREATE,
                "cases.investigation",
                investigation.pk,
                case_id=case.pk,
            )
            person_ids = [p.pk for p in case.household.adults]
            previous: InvestigationVersion | None = None
            for number, (on, author, signed) in enumerate(versions, start=1):
                content = texts.investigation_content(
                    rng, case.household, person_ids, on, revision=number > 1
                )
                at = _at(on, 13, rng.randint(0, 59))
                version = InvestigationVersion(
                    investigation_id=investigation.pk,
                    number=number,
                    content=content,
                    based_on=previous,
                    created_by=author,
                    created_at=at - dt.timedelta(hours=2),
                    updated_at=at,
                    signed_by=author if signed else None,
                    signed_at=at if signed else None,
                    changes=texts.content_changes(previous.content if previous else {}, content),
                )
                by_number[number].append((version, case.pk))
                previous = version
        for number in sorted(by_number):
            rows = by_number[number]
            # Versions are written number by number, so `based_on` is saved before it is used.
            InvestigationVersion.objects.bulk_create([row for row, _ in rows])
            for row, case_id in rows:
                if row.signed_at:
                    self.signed_versions[case_id].append((timezone.localdate(row.signed_at), row))
                self.audit.add(
                    row.created_by,
                    AuditAction.SIGN if row.signed_at else AuditAction.CREATE,
                    "cases.investigationversion",
                    row.pk,
                    case_id=case_id,
                    detail={"version": row.number},
                )

    # Journal -----------------------------------------------------------------------------

    def _journal_of(self, case: PlannedCase) -> list[tuple[dt.date, str, User, str]]:
        rng, today = self.rng, self.today
        household = case.household
        entries: list[tuple[dt.date, str, User, str]] = []

        def add(on: dt.date, kind: str, author: User, text: str) -> None:
            if self.window_start <= on <= today:
                entries.append((on, kind, author, text))

        first = case.periods[0]
        add(first.start, "note", case.registrar, texts.reception_note(rng, household, first.start))
        if case.taken_on:
            visit_on = min(today, case.taken_on + random_days(rng, 0, 5))
            if first.end is None or visit_on < first.end:
                add(
                    visit_on,
                    "first_visit",
                    case.intake_worker,
                    texts.first_visit_text(rng, household, visit_on),
                )
        if case.transferred_on:
            section_name = self.org.sections[case.section].name
            add(
                case.transferred_on,
                "note",
                case.handler,
                texts.handover_text(section_name, case.case_type),
            )
            self._contacts(case, case.transferred_on, first.end or today, add)
        if first.end is not None:
            author = case.handler or case.intake_worker
            add(first.end, "note", author, texts.closing_text(household, first.reason))
        if len(case.periods) > 1:
            second = case.periods[1]
            label = ClosingReason(first.reason).label
            add(
                second.start,
                "note",
                case.registrar,
                texts.reentry_text(household, first.end, str(label)),
            )
            if case.fate == ACTIVE_REENTRY:
                visit_on = min(today, second.start + random_days(rng, 1, 6))
                add(
                    visit_on,
                    "visit",
                    case.handler,
                    texts.contact_text(rng, "visit", household, visit_on),
                )
                self._contacts(case, visit_on, today, add)
        return entries

    def _contacts(self, case: PlannedCase, start: dt.date, end: dt.date, add) -> None:
        rng = self.rng
        (low, high), kinds = CONTACT_PLAN[case.case_type]
        on = start + random_days(rng, low, high)
        while on < end:
            kind = weighted_choice(rng, kinds)
            author = case.handler
            if case.assistant and kind in ("phone", "message") and rng.random() < 0.35:
                author = case.assistant
            add(on, kind, author, texts.contact_text(rng, kind, case.household, on))
            on += random_days(rng, low, high)

    def _journal(self, cases: list[PlannedCase]) -> None:
        rng = self.rng
        rows = []
        for case in cases:
            for on, kind, author, text in self._journal_of(case):
                at = _at(on, rng.randint(8, 16), rng.randint(0, 59))
                rows.append(
                    JournalEntry(
                        case_id=case.pk,
                        kind=kind,
                        occurred_on=on,
                        text=text,
                        written_by=author,
                        created_at=at,
                        signed_at=at,
                    )
                )
        JournalEntry.objects.bulk_create(rows, batch_size=2000)
        for row in rows:
            self.audit.add(
                row.written_by,
                AuditAction.SIGN,
                "cases.journalentry",
                row.pk,
                case_id=row.case_id,
                detail={"after": {"kind": row.kind, "occurred_on": row.occurred_on.isoformat()}},
            )
