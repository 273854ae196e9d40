"""Reads of case data, always through the access rules, and logged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Concat
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.core.errors import NotFound, PermissionRefused
from bistand.core.models import prefetched
from bistand.households.models import Household, HouseholdMembership, MemberRole, Person
from bistand.households.selectors import attach_applicants
from bistand.organisation.models import Role, User
from bistand.organisation.permissions import require

from .models import (
    CONTACT_KINDS,
    UNDECIDED_STATUSES,
    Application,
    Case,
    CaseStatus,
    Document,
    JournalEntry,
)
from .rules import (
    CONFLICT_MESSAGE,
    can_open_case,
    has_conflict,
    is_protected_case,
    protected_case_ids,
    protected_cases_q,
    read_detail,
    visible_cases_q,
)

__all__ = ["can_open_case"]


def cases_visible_to(user) -> QuerySet[Case]:
    """The cases `user` may open, each once (the rule joins nothing: no DISTINCT needed; a
    caller filtering across a to-many relation adds its own)."""
    return Case.objects.filter(visible_cases_q(user))


def open_case(user, case_id: int, *, action: str = AuditAction.VIEW, what: str = "case") -> Case:
    """Fetch a case for `user`, refusing (and logging the refusal) if they may not open it.

    Refusal and not-found look the same from outside, so an id cannot be probed.
    """
    case = (
        Case.objects.select_related("household", "section", "unit", "handler", "assistant")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("case_not_found", "Ärendet finns inte eller så saknar du behörighet.")
    if has_conflict(user, case):
        record(
            user,
            AuditAction.ACCESS_DENIED,
            obj=case,
            case_id=case.pk,
            detail={"what": what, "conflict_of_interest": True},
        )
        raise PermissionRefused(
            "case_conflict_of_interest",
            CONFLICT_MESSAGE,
            case_id=case.pk,
            conflict_of_interest=True,
        )
    # Read once: the access rule, the log row's flag and the case page's protection panel
    # (`protected_on_open`, this request's answer) all need it.
    protected = is_protected_case(case)
    if not can_open_case(user, case, protected=protected):
        record(user, AuditAction.ACCESS_DENIED, obj=case, case_id=case.pk, detail={"what": what})
        raise PermissionRefused(
            "case_access_denied",
            "Du har inte behörighet att öppna det här ärendet. Du kan ta nödåtkomst om du har ett "
            "tjänsteärende; ange då skälet, det loggas och granskas av enhetschefen.",
            case_id=case.pk,
        )
    record(
        user,
        action,
        obj=case,
        case_id=case.pk,
        detail=read_detail(user, case, what, protected=protected),
    )
    case.protected_on_open = protected
    return case


LIST_OBJECT_TYPE = "list"


def _ids(values: Iterable[int | None]) -> list[int]:
    return sorted({value for value in values if value is not None})


def log_list_read(
    user,
    what: str,
    *,
    case_ids: Iterable[int | None] = (),
    person_ids: Iterable[int | None] = (),
    known_protected: set[int] | None = None,
    **extra: Any,
) -> None:
    """One access-log row for one render of a list page, naming every case and person it
    shows (set-wise: one row per page, not one per line; docs/audit.md "List pages").

    A listed case or person with protected identity flags the row, so the unit head's
    monthly review finds it: `known_protected` when the list read it already
    (`with_protection`), else one query, only when something is listed.
    """
    cases = _ids(case_ids)
    persons = _ids(person_ids)
    if not cases and not persons:
        return  # nothing about a client on the page (an empty list, or only organisations)
    detail: dict[str, Any] = {"what": what, "case_ids": cases, "person_ids": persons, **extra}
    if cases:
        if known_protected is None:
            known_protected = protected_case_ids(cases)
        protected_cases = sorted(known_protected)
        if protected_cases:
            detail["protected_identity"] = True
            detail["protected_case_ids"] = protected_cases
    elif persons:
        protected_people = sorted(
            Person.objects.filter(
                pk__in=persons, protected_identities__removed_at__isnull=True
            ).values_list("pk", flat=True)
        )
        if protected_people:
            detail["protected_identity"] = True
            detail["protected_person_ids"] = protected_people
    record(user, AuditAction.VIEW, object_type=LIST_OBJECT_TYPE, object_id=what, detail=detail)


def log_case_list_read(user, what: str, cases: Iterable[Case], **extra: Any) -> None:
    """`log_list_read` for a list of cases whose households' applicants were attached
    (`attach_applicants`): the cases and the applicants named on the page."""
    today = dt.date.today()  # as Household.__str__ and attach_applicants
    cases = list(cases)
    applicants = (case.household.applicant_on(today) for case in cases if case.household_id)
    known_protected = None
    if all(hasattr(case, "listed_protected") for case in cases):
        known_protected = {case.pk for case in cases if case.listed_protected}
    log_list_read(
        user,
        what,
        case_ids=[case.pk for case in cases],
        person_ids=[person.pk for person in applicants if person is not None],
        known_protected=known_protected,
        **extra,
    )


def with_protection(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Read with the list whether each case is protected (`listed_protected`), so that
    logging the list asks nothing more."""
    return cases.annotate(
        listed_protected=ExpressionWrapper(protected_cases_q(), output_field=BooleanField())
    )


def may_change_household(user, household: Household) -> bool:
    """Moving a person into or out of a household with an open case needs access to that case
    (emergency access counts). Registered with the households app (CasesConfig.ready)."""
    open_cases = Case.objects.filter(household=household).exclude(status=CaseStatus.CLOSED)
    return all(can_open_case(user, case) for case in open_cases)


def open_household(user, household_id: int, *, what: str) -> Household:
    """Fetch a household for `user`, who must be able to open its case, logging the read.

    The household's open cases decide; if all are closed, any of its cases the user may open
    will do; a household without a case is open to those who may register applications. A
    forbidden household answers like a missing one (and the refusal is logged).
    """
    missing = NotFound("household_not_found", "Hushållet finns inte eller så saknar du behörighet.")
    household = Household.objects.filter(pk=household_id).first()
    if household is None:
        raise missing
    cases = list(household.cases.order_by("-opened_on", "-id"))
    deciding = [c for c in cases if c.status != CaseStatus.CLOSED] or cases
    visible = [c for c in deciding if can_open_case(user, c)]
    if deciding and not visible:
        record(user, AuditAction.ACCESS_DENIED, obj=household, detail={"what": what})
        raise missing
    case = visible[0] if visible else None
    detail: dict[str, Any] = read_detail(user, case, what) if case else {"what": what}
    record(
        user,
        AuditAction.VIEW,
        obj=household,
        case_id=case.pk if case else None,
        detail=detail,
    )
    return household


def annotate_caseload(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.annotate(
        last_contact_on=Max(
            "journal_entries__occurred_on", filter=Q(journal_entries__kind__in=CONTACT_KINDS)
        )
    )


def my_cases(user) -> QuerySet[Case]:
    """'Mina ärenden': cases the user holds or assists on and may open, not closed (an
    assistant on a case that later got protected identity no longer sees it listed)."""
    return annotate_caseload(
        with_protection(Case.objects.filter(Q(handler=user) | Q(assistant=user)))
        .filter(pk__in=cases_visible_to(user).values("id"))
        .exclude(status=CaseStatus.CLOSED)
        .select_related("household", "section")
        .order_by("next_follow_up_on", "id")
    )


def _current_memberships(household_path: str, day: dt.date) -> QuerySet[HouseholdMembership]:
    return HouseholdMembership.objects.filter(
        household_id=OuterRef(household_path), valid_from__lte=day
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))


def case_search_q(text: str, case_path: str = "") -> Q:
    """Work-list search: a case reference ("2026-00123"), part of a personnummer (6+ digits),
    or the names of a member of the household today (every word must match the same person).
    `case_path` leads from the listed model to its case ("case__" for applications)."""
    text = text.strip()
    reference = text.split("-")
    if len(reference) == 2 and all(part.isdigit() for part in reference) and len(reference[0]) == 4:
        return Q(
            **{
                f"{case_path}pk": int(reference[1]),
                f"{case_path}opened_on__year": int(reference[0]),
            }
        )
    members = _current_memberships(f"{case_path}household_id", dt.date.today())
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 6:
        return Q(Exists(members.filter(person__identity_number__contains=digits)))
    if text.isdigit():
        return Q(**{f"{case_path}pk": int(text)})
    for term in text.split():
        members = members.filter(
            Q(person__first_name__icontains=term) | Q(person__last_name__icontains=term)
        )
    return Q(Exists(members))


def applicant_sort_name(household_path: str = "household_id") -> Subquery:
    """The household's applicant today as "Last First", to sort a list by (one subquery)."""
    return Subquery(
        _current_memberships(household_path, dt.date.today())
        .filter(role=MemberRole.APPLICANT)
        .order_by("person__birth_date")
        .annotate(sort_name=Concat("person__last_name", Value(" "), "person__first_name"))
        .values("sort_name")[:1]
    )


def inbox_applications(user) -> QuerySet[Application]:
    """Undecided applications among the cases the user may see: the inbox's rows, which the
    inbox narrows to one section and the user's filters."""
    require(user, "view_inbox")
    return (
        Application.objects.filter(status__in=UNDECIDED_STATUSES)
        .filter(case__in=cases_visible_to(user))
        .select_related("case", "case__household", "case__handler")
    )


@dataclass
class InboxRow:
    application: Application
    days_waiting: int

    @property
    def level(self) -> str:
        # Decision target: within a week; flag after 5 days, red after 7.
        if self.days_waiting > 7:
            return "red"
        if self.days_waiting > 5:
            return "warn"
        return "ok"


def section_inbox(
    user, section_id: int | None = None, today: dt.date | None = None
) -> list[InboxRow]:
    """Undecided applications of a section with days waiting, oldest first."""
    today = today or timezone.localdate()
    section_id = section_id or user.section_id
    applications = list(
        inbox_applications(user).filter(case__section_id=section_id).order_by("received_on", "id")
    )
    attach_applicants(app.case.household for app in applications)
    return [InboxRow(app, (today - app.received_on).days) for app in applications]


@dataclass
class WorkerLoad:
    worker: User
    open_cases: int
    by_type: dict[str, int]
    limit: int

    @property
    def over_limit(self) -> bool:
        return self.open_cases > self.limit

    @property
    def untyped(self) -> int:
        return self.by_type.get("-", 0)

    @property
    def share(self) -> int:
        return round(100 * self.open_cases / self.limit) if self.limit else 0


def caseload_overview(user) -> list[WorkerLoad]:
    """Every worker's open cases against their limit, in the head's section (unit head: unit)."""
    require(user, "view_caseload")
    workers = User.objects.filter(
        is_active=True,
        role__in=[Role.SOCIAL_WORKER, Role.BENEFIT_ADMINISTRATOR],
        unit_id=user.unit_id,
    ).select_related("unit", "section")
    if user.role == Role.SECTION_HEAD:
        workers = workers.filter(section_id=user.section_id)
    counts = (
        Case.objects.exclude(status=CaseStatus.CLOSED)
        .filter(handler__in=workers)
        .values("handler_id", "case_type")
        .annotate(n=Count("id"))
    )
    per: dict[int, dict[str, int]] = {}
    for row in counts:
        per.setdefault(row["handler_id"], {})[row["case_type"] or "-"] = row["n"]
    return [
        WorkerLoad(
            w, sum(per.get(w.pk, {}).values()), per.get(w.pk, {}), w.effective_caseload_limit
        )
        for w in workers.order_by("section__name", "last_name")
    ]


@dataclass
class TimelineItem:
    on: dt.date
    at: dt.datetime
    kind: str
    label: str
    obj: Any
    text: str = ""
    url: str = ""


# Other apps (decisions, payments, workplans ...) add their records to the case timeline:
# callables (case) -> list[TimelineItem].
TIMELINE_SOURCES: list = []


def case_timeline(
    case: Case, *, newest_first: bool = False, since: dt.date | None = None
) -> list[TimelineItem]:
    """One list of everything on the case, oldest first or (the case page's default) newest
    first. With `since` (the case page's history window, cases.history) the sources may leave
    out rows dated before it, except what is still to do (an unsigned note): the caller still
    filters the items by date, so a source reading more is never wrong, only slower."""
    items: list[TimelineItem] = []
    journal = case.journal_entries.select_related("written_by", "from_person", "corrects")
    documents = case.documents.select_related("uploaded_by")
    assignments = case.assignments.select_related("handler", "assigned_by")
    if since is not None:
        journal = journal.filter(Q(occurred_on__gte=since) | Q(signed_at__isnull=True))
        documents = documents.filter(received_on__gte=since)
        assignments = assignments.filter(started_at__gte=_day_start(since))
    for app in case.applications.all():
        items.append(
            TimelineItem(
                app.received_on, app.registered_at, "application", app.get_kind_display(), app
            )
        )
    for entry in journal:
        items.append(
            TimelineItem(
                entry.occurred_on, entry.created_at, "journal", entry.get_kind_display(), entry
            )
        )
    for doc in documents:
        items.append(
            TimelineItem(doc.received_on, doc.uploaded_at, "document", doc.get_kind_display(), doc)
        )
    investigation = getattr(case, "investigation", None)
    if investigation is not None:
        versions = prefetched(investigation, "versions")
        if versions is None:
            versions = investigation.versions.filter(signed_at__isnull=False).select_related(
                "signed_by"
            )
        for version in (v for v in versions if v.signed_at is not None):
            on = timezone.localdate(version.signed_at)
            items.append(
                TimelineItem(on, version.signed_at, "investigation", "Utredning signerad", version)
            )
    for assignment in assignments:
        on = timezone.localdate(assignment.started_at)
        items.append(
            TimelineItem(
                on, assignment.started_at, "assignment", "Ansvarig handläggare", assignment
            )
        )
    for reopening in case.reopenings.all():
        items.append(
            TimelineItem(
                reopening.reopened_on,
                reopening.created_at,
                "reentry",
                "Återaktualisering",
                reopening,
            )
        )
    for source in TIMELINE_SOURCES:
        items.extend(source(case, since=since))
    items.sort(key=lambda item: (item.on, item.at), reverse=newest_first)
    return items


def _day_start(day: dt.date) -> dt.datetime:
    """The first instant of `day` in the municipality's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def person_search_q(query: str) -> Q:
    """Persons by part of the identity number (6+ digits) or by name (every word must match)."""
    query = (query or "").strip()
    digits = "".join(ch for ch in query if ch.isdigit())
    if digits and len(digits) >= 6:
        return Q(identity_number__contains=digits)
    condition = Q()
    for term in query.split():
        condition &= Q(first_name__icontains=term) | Q(last_name__icontains=term)
    return condition


def search_persons(user, query: str, limit: int = 25) -> list[dict]:
    """Find persons by identity number or name. The search itself is logged."""
    require(user, "search_person")
    query = (query or "").strip()
    if len(query) < 2:
        return []
    persons = list(
        Person.objects.filter(person_search_q(query)).order_by("last_name", "first_name")[:limit]
    )
    return describe_person_hits(user, persons, query)


def describe_person_hits(user, persons: list[Person], query: str, **log: Any) -> list[dict]:
    """Each found person with their cases (which the user may open) and last household, read
    set-wise; the search is logged with its hits (`log` adds e.g. the page shown)."""
    require(user, "search_person")
    protected = set(
        Person.objects.filter(
            pk__in=[p.pk for p in persons], protected_identities__removed_at__isnull=True
        ).values_list("pk", flat=True)
    )
    # Every hit's households and cases in two queries, not two per hit.
    memberships: dict[int, list[HouseholdMembership]] = {p.pk: [] for p in persons}
    for membership in HouseholdMembership.objects.filter(person__in=persons).order_by(
        "valid_from", "id"
    ):
        memberships[membership.person_id].append(membership)
    household_ids = {m.household_id for found in memberships.values() for m in found}
    cases_found = list(
        Case.objects.filter(household_id__in=household_ids)
        .select_related("section")
        .order_by("-opened_on")
    )
    visible = set(
        cases_visible_to(user)
        .filter(pk__in=[c.pk for c in cases_found])
        .values_list("id", flat=True)
    )
    results = []
    for person in persons:
        own = {m.household_id for m in memberships[person.pk]}
        results.append(
            {
                "person": person,
                "protected": person.pk in protected,
                "cases": [
                    {"case": c, "visible": c.pk in visible}
                    for c in cases_found
                    if c.household_id in own
                ],
                "last_membership": memberships[person.pk][-1] if memberships[person.pk] else None,
            }
        )
    detail: dict[str, Any] = {"query": query, "hits": [p.pk for p in persons], **log}
    if protected:
        detail["protected_identity"] = True
        detail["protected_hits"] = sorted(protected)
    record(user, AuditAction.SEARCH, object_type="person_search", detail=detail)
    return results


def visible_document(user, document_id: int) -> Document:
    """A document of a case the user may open (logged as a download). A missing document and one
    on a case the user may not open (without emergency access to offer) answer alike."""
    not_found = NotFound(
        "document_not_found", "Handlingen finns inte eller så saknar du behörighet."
    )
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        raise not_found
    try:
        open_case(
            user, document.case_id, action=AuditAction.DOWNLOAD, what=f"document:{document.pk}"
        )
    except NotFound:
        raise not_found from None
    return document


def journal_entries_for(
    user, case_id: int, *, action: str = AuditAction.VIEW, what: str = "journal"
) -> QuerySet[JournalEntry]:
    """The case journal, oldest first (the read is logged; `action`/`what` name it, e.g. a
    download of the journal PDF)."""
    case = open_case(user, case_id, action=action, what=what)
    return journal_of(case)


def journal_of(case: Case) -> QuerySet[JournalEntry]:
    """The journal of a case already opened (open_case) by the caller, oldest first."""
    return case.journal_entries.select_related("written_by", "corrects__written_by").order_by(
        "occurred_on", "created_at"
    )
