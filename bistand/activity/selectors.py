"""Reads for the activity requirement, set-wise: the months with försörjningsstöd per person,
their exemptions, each adult's coverage on the case page, and the section list of people who
become covered next month (docs/activity-requirement.md)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from bistand.cases.models import Case, CaseStatus
from bistand.cases.selectors import cases_visible_to
from bistand.core.codes import SUPPORT_OBSTACLE_BY_CODE, SUPPORT_OBSTACLES
from bistand.core.dates import add_months, month_start
from bistand.decisions.models import Decision, DecisionStatus, LineKind
from bistand.households.models import HouseholdMembership, MemberRole, Person
from bistand.workplans.models import OPEN_INTERVENTION_STATUSES, Intervention

from . import rules
from .models import (
    OPEN_PLACEMENT,
    CoverageNotice,
    Exemption,
    LanguageLevel,
    MedicalCertificate,
    Placement,
)

# Members whose försörjningsstöd is assessed with the household's (not "other adult", who
# has an economy of their own).
ASSESSED_ROLES = (MemberRole.APPLICANT, MemberRole.CO_APPLICANT, MemberRole.CHILD)


def _granted_decisions(month: dt.date | None = None):
    found = Decision.objects.filter(
        status=DecisionStatus.FINAL,
        lines__kind=LineKind.INCOME_SUPPORT,
        lines__amount_granted__gt=0,
    )
    return found.filter(month=month) if month is not None else found


def _overlaps_month(month: dt.date, prefix: str = "") -> Q:
    following = add_months(month, 1)
    return Q(**{f"{prefix}valid_from__lt": following}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": month})
    )


def granted_months_by_person(person_ids: Iterable[int]) -> dict[int, set[dt.date]]:
    """Per person, the months with försörjningsstöd granted by a final decision to a household
    the person belonged to (assessed with it) during that month. One query for any number."""
    ids = list(set(person_ids))
    found: dict[int, set[dt.date]] = {pid: set() for pid in ids}
    if not ids:
        return found
    member = "case__household__memberships__"
    # The cases of the persons' households first: without it the planner walks every final
    # decision of the municipality (80 ms on the demo's case page, 1 ms with it).
    households = HouseholdMembership.objects.filter(
        person_id__in=ids, role__in=ASSESSED_ROLES
    ).values("household_id")
    rows = (
        _granted_decisions()
        .filter(case_id__in=Case.objects.filter(household_id__in=households).values("id"))
        .filter(**{f"{member}person_id__in": ids, f"{member}role__in": ASSESSED_ROLES})
        .values_list(f"{member}person_id", "month", f"{member}valid_from", f"{member}valid_to")
        .order_by()  # the decisions' default ordering would join the DISTINCT
        .distinct()
    )
    for person_id, month, valid_from, valid_to in rows:
        month = month_start(month)
        if valid_from < add_months(month, 1) and (valid_to is None or valid_to > month):
            found[person_id].add(month)
    return found


def exemptions_by_person(person_ids: Iterable[int]) -> dict[int, list[Exemption]]:
    """Per person, every exemption recorded (with its ending), oldest first: one query."""
    found: dict[int, list[Exemption]] = defaultdict(list)
    for exemption in (
        Exemption.objects.filter(person_id__in=list(person_ids))
        .select_related("exemption_ending", "recorded_by")
        .order_by("valid_from", "id")
    ):
        found[exemption.person_id].append(exemption)
    return found


def periods(exemptions: Iterable[Exemption]) -> list[rules.ExemptionPeriod]:
    return [rules.ExemptionPeriod(e.reason, e.valid_from, e.effective_to) for e in exemptions]


@dataclass
class AdultCoverage:
    person: object
    role: str
    now: rules.Coverage
    next_month: rules.Coverage
    exemptions: list[Exemption]
    exemption_now: Exemption | None
    last_granted: dt.date | None


def case_adults(case, today: dt.date) -> list[AdultCoverage]:
    """The case page: each member assessed with the household and 18 or older next month."""
    month = month_start(today)
    following = add_months(month, 1)
    members = [
        m
        for m in case.household.members_list_on(today)
        if m.role in ASSESSED_ROLES and m.person.age_on(following) >= rules.ADULT_AGE
    ]
    ids = [m.person_id for m in members]
    granted = granted_months_by_person(ids)
    exemptions = exemptions_by_person(ids)
    adults = []
    for m in members:
        own = exemptions.get(m.person_id, [])
        spans = periods(own)
        holding = [e for e, span in zip(own, spans, strict=True) if span.holds_in(month)]
        adults.append(
            AdultCoverage(
                person=m.person,
                role=m.get_role_display(),
                now=rules.coverage(month, m.person.birth_date, granted[m.person_id], spans),
                next_month=rules.coverage(
                    following, m.person.birth_date, granted[m.person_id], spans
                ),
                exemptions=own,
                exemption_now=holding[0] if holding else None,
                last_granted=max(granted[m.person_id], default=None),
            )
        )
    return adults


# --- The section list: who becomes covered next month --------------------------------------


def _granted_in(month: dt.date) -> Exists:
    """The row's person received försörjningsstöd for `month` (as in
    granted_months_by_person, written as a subquery)."""
    return Exists(
        HouseholdMembership.objects.filter(
            _overlaps_month(month),
            person_id=OuterRef("person_id"),
            role__in=ASSESSED_ROLES,
            household_id__in=_granted_decisions(month).values("case__household_id"),
        )
    )


def _exempt_in(month: dt.date) -> Exists:
    first = month_start(month)
    return Exists(
        Exemption.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=first),
            Q(exemption_ending__isnull=True) | Q(exemption_ending__ends_on__gte=first),
            person_id=OuterRef("person_id"),
            valid_from__lt=add_months(first, 1),
        )
    )


def _born_after(day: dt.date) -> dt.date:
    """The last birth date of someone 18 on `day` (18 years earlier; 29 Feb -> 28 Feb)."""
    try:
        return day.replace(year=day.year - rules.ADULT_AGE)
    except ValueError:
        return day.replace(year=day.year - rules.ADULT_AGE, day=28)


def becoming_covered(user, month: dt.date) -> QuerySet[HouseholdMembership]:
    """Members of households with an open case of the user's section (as far as the user may
    open it) who become covered by the activity requirement in `month` and have no open
    referral or activity: rules.is_covered(month) and not rules.is_covered(month - 1), in SQL.
    """
    month = month_start(month)
    previous = add_months(month, -1)
    if month < rules.RULES_APPLY_FROM or not user.section_id:
        return HouseholdMembership.objects.none()
    open_cases = (
        cases_visible_to(user).filter(section_id=user.section_id).exclude(status=CaseStatus.CLOSED)
    )
    covered_now = (
        _granted_in(add_months(month, -1))
        & _granted_in(add_months(month, -2))
        & _granted_in(add_months(month, -3))
        & ~_exempt_in(month)
        & Q(person__birth_date__lte=_born_after(month))
    )
    # Not covered the month before: the rules did not apply yet, or the run was shorter, or
    # an exemption held, or the person was under 18.
    if previous < rules.RULES_APPLY_FROM:
        not_covered_before = Q()
    else:
        not_covered_before = (
            ~_granted_in(add_months(month, -4))
            | _exempt_in(previous)
            | Q(person__birth_date__gt=_born_after(previous))
        )
    without_activity = ~Exists(
        Intervention.objects.filter(
            person_id=OuterRef("person_id"), status__in=OPEN_INTERVENTION_STATUSES
        )
    ) & ~Exists(
        # placed, offered a place or on an activity's waiting list
        Placement.objects.filter(person_id=OuterRef("person_id"), status__in=OPEN_PLACEMENT)
    )
    case = Case.objects.filter(household_id=OuterRef("household_id")).exclude(
        status=CaseStatus.CLOSED
    )
    return (
        HouseholdMembership.objects.filter(
            _overlaps_month(month),
            role__in=ASSESSED_ROLES,
            household_id__in=open_cases.values("household_id"),
        )
        .filter(covered_now & not_covered_before & without_activity)
        .annotate(
            case_id=Subquery(case.values("pk")[:1]),
            case_opened_on=Subquery(case.values("opened_on")[:1]),
            handler_id=Subquery(case.values("handler_id")[:1]),
            # Arbetsförmedlingen's latest "kan omfattas" notice about the person, if any
            af_notice_on=Subquery(
                CoverageNotice.objects.filter(person_id=OuterRef("person_id"))
                .order_by("-notice_on")
                .values("notice_on")[:1]
            ),
        )
        .select_related("person")
    )


# --- Medical certificates (läkarintyg) ------------------------------------------------------

ILLNESS_CODES = frozenset(o.code for o in SUPPORT_OBSTACLES if o.main_category == "ill_health")
CERTIFICATE_ENDING_DAYS = 14  # a certificate ending within this many days is a follow-up


def certificates_by_person(person_ids: Iterable[int]) -> dict[int, list[MedicalCertificate]]:
    """Per person, the certificates in force (not replaced by a correction), oldest first."""
    found: dict[int, list[MedicalCertificate]] = defaultdict(list)
    for certificate in MedicalCertificate.objects.filter(
        person_id__in=list(person_ids), replaced_by__isnull=True
    ).order_by("valid_from", "id"):
        found[certificate.person_id].append(certificate)
    return found


def signed_obstacles(case) -> dict[int, str]:
    """Each adult's support obstacle in the case's latest signed investigation."""
    investigation = getattr(case, "investigation", None)
    version = investigation.latest_signed() if investigation is not None else None
    if version is None:
        return {}
    return {
        int(adult["person_id"]): adult["support_obstacle"]
        for adult in version.content.get("adults", [])
        if adult.get("person_id") and adult.get("support_obstacle")
    }


@dataclass
class MissingCertificate:
    person: object
    obstacle: str
    obstacle_label: str
    latest: MedicalCertificate | None  # the last certificate on record, if any


def illness_without_certificate(
    case,
    first: dt.date,
    last: dt.date,
    obstacles: dict[int, str] | None = None,
    *,
    certificates: dict[int, list[MedicalCertificate]] | None = None,
    persons: dict[int, Person] | None = None,
) -> list[MissingCertificate]:
    """Adults whose support obstacle is illness (main category *ohälsa*) with no certificate
    in force for any day from `first` to `last` (inclusive). At most two queries (none for
    what the caller has read already: `certificates`, `persons` by id)."""
    obstacles = signed_obstacles(case) if obstacles is None else obstacles
    ill = {pid: code for pid, code in obstacles.items() if code in ILLNESS_CODES}
    if not ill:
        return []
    if certificates is None:
        certificates = certificates_by_person(ill)
    if persons is None or not set(ill) <= set(persons):
        persons = {p.pk: p for p in Person.objects.filter(pk__in=list(ill))}
    missing = []
    for person_id, code in sorted(ill.items()):
        own = certificates.get(person_id, [])
        if any(c.valid_from <= last and c.valid_to >= first for c in own):
            continue
        if person_id in persons:
            missing.append(
                MissingCertificate(
                    person=persons[person_id],
                    obstacle=code,
                    obstacle_label=SUPPORT_OBSTACLE_BY_CODE[code].label,
                    latest=own[-1] if own else None,
                )
            )
    return missing


def _ending(today: dt.date, within_days: int):
    later = MedicalCertificate.objects.filter(
        person_id=OuterRef("person_id"),
        replaced_by__isnull=True,
        valid_to__gt=OuterRef("valid_to"),
    )
    return (
        MedicalCertificate.objects.filter(
            replaced_by__isnull=True,
            valid_to__gte=today,
            valid_to__lte=today + dt.timedelta(days=within_days),
        )
        .exclude(case__status=CaseStatus.CLOSED)
        .filter(~Exists(later))
    )


def certificates_ending(user, today: dt.date, within_days: int = CERTIFICATE_ENDING_DAYS):
    """The user's follow-up: certificates in force ending from today within `within_days`
    days, in open cases the user holds (handler or assistant), where no later certificate for
    the person starts after it. One query."""
    return (
        _ending(today, within_days)
        .filter(Q(case__handler_id=user.pk) | Q(case__assistant_id=user.pk))
        .select_related("person", "case")
        .order_by("valid_to", "id")
    )


def certificates_ending_for_all(today: dt.date, within_days: int = CERTIFICATE_ENDING_DAYS):
    """For the reminder job: every such certificate with its case and handler. One query."""
    return (
        _ending(today, within_days)
        .select_related("case", "case__handler")
        .order_by("case__handler_id", "valid_to", "id")
    )


def coverage_notices(case) -> list[CoverageNotice]:
    """Arbetsförmedlingen's "kan omfattas" notices recorded on the case, newest first."""
    return list(
        CoverageNotice.objects.filter(case=case)
        .select_related("person", "batch")
        .order_by("-notice_on", "-id")
    )


def language_levels_by_person(person_ids) -> dict[int, list[LanguageLevel]]:
    """Each person's recorded language levels, newest first (the first counts)."""
    found: dict[int, list[LanguageLevel]] = {}
    for level in LanguageLevel.objects.filter(person_id__in=list(person_ids)).order_by(
        "-level_on", "-id"
    ):
        found.setdefault(level.person_id, []).append(level)
    return found
