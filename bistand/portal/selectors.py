"""What an applicant may read: their household's cases, and nothing else (docs/portal.md).

A person sees a case while they are the applicant or co-applicant in its household today (a
membership valid today: `valid_from` <= today < `valid_to`). A person who left the household no
longer sees it; children and other adults in the household see nothing. Every read is an
access-log row (channel e-tjanst, the applicant as actor), as staff reads are. A case or
record outside this answers 404, the same as a missing id.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bistand.audit.models import AuditAction
from bistand.audit.services import AuditEvent, record, record_many
from bistand.cases.models import Application, ApplicationStatus, Case, JournalEntry, JournalKind
from bistand.decisions.models import Decision, DecisionStatus
from bistand.households.models import ADULT_ROLES, HouseholdMembership, Person
from bistand.payments.models import OrderStatus, PaymentOrder

from .session import actor_for

# Application status in plain Swedish (klarspråk): received, being handled, decided.
APPLICATION_STATUS_TEXT = {
    ApplicationStatus.RECEIVED: _("Vi har tagit emot din ansökan"),
    ApplicationStatus.COMPLETE: _("Vi handlägger din ansökan"),
    ApplicationStatus.DECIDED: _("Beslut är fattat"),
    ApplicationStatus.WITHDRAWN: _("Du har tagit tillbaka ansökan"),
    ApplicationStatus.WRITTEN_OFF: _("Ansökan är avslutad utan beslut"),
}
PAYMENT_STATUS_TEXT = {
    OrderStatus.REGISTERED: _("Planerad"),
    OrderStatus.AWAITING_SECOND: _("Planerad"),
    OrderStatus.ATTESTED: _("Planerad"),
    OrderStatus.IN_RUN: _("Planerad"),
    OrderStatus.SENT: _("Skickad till banken"),
    OrderStatus.PAID: _("Utbetald"),
    OrderStatus.REJECTED: _("Inte utbetald – vi kontaktar dig"),
}


def application_status_text(application: Application) -> str:
    return str(APPLICATION_STATUS_TEXT.get(application.status, ""))


def payment_status_text(order: PaymentOrder) -> str:
    return str(PAYMENT_STATUS_TEXT.get(order.status, ""))


def _households_of(person: Person) -> QuerySet:
    return _households_of_id(person.pk)


def _households_of_id(person_id: int) -> QuerySet:
    """The households where the person is applicant or co-applicant today."""
    today = timezone.localdate()
    return (
        HouseholdMembership.objects.filter(
            person_id=person_id, role__in=ADULT_ROLES, valid_from__lte=today
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
        .values("household_id")
    )


def _cases_of(person: Person) -> QuerySet[Case]:
    return Case.objects.filter(household_id__in=_households_of(person))


def has_case(person: Person) -> bool:
    """Whether the person is applicant or co-applicant of a case today (not logged: no case
    data is read)."""
    return _cases_of(person).exists()


def cases_of(person: Person) -> list[Case]:
    """The person's household's cases with their applications, newest first; one log row per
    case shown (set-wise)."""
    cases = list(
        _cases_of(person)
        .select_related("unit")
        .prefetch_related(
            Prefetch(
                "applications",
                queryset=Application.objects.order_by("-month", "-received_on", "-id"),
            )
        )
        .order_by("-opened_on", "-id")
    )
    record_many(
        actor_for(person),
        [
            AuditEvent(AuditAction.VIEW, "cases.case", case.pk, case.pk, person.pk, None)
            for case in cases
        ]
        or [AuditEvent(AuditAction.VIEW, "portal.home", "", None, person.pk, None)],
    )
    return cases


def open_case(person: Person, case_id: int, *, action: str = AuditAction.VIEW, what="case"):
    """The person's case, logged as a read; 404 for any other id."""
    case = _cases_of(person).select_related("unit", "handler").filter(pk=case_id).first()
    if case is None:
        raise Http404
    record(
        actor_for(person),
        action,
        obj=case,
        case_id=case.pk,
        person_id=person.pk,
        detail={"what": what},
    )
    return case


def decisions_of(case: Case) -> list[Decision]:
    """The decisions made on the case (final ones; drafts are the handler's)."""
    return list(
        Decision.objects.filter(case=case, status=DecisionStatus.FINAL)
        .select_related("letter", "application")
        .order_by("-decided_on", "-id")
    )


def payments_of(case: Case) -> list[PaymentOrder]:
    return list(
        PaymentOrder.objects.filter(case=case)
        .exclude(status=OrderStatus.CANCELLED)
        .order_by("-pay_on", "-id")
    )


def letter_of(person: Person, case_id: int, decision_id: int):
    """The decision's stored letter (the same PDF staff hand out), logged as a download; the
    letter code's protected-identity rule applies (a letter showing a protected address is
    not handed out)."""
    from bistand.decisions.selectors import _refuse_letter_showing_protected_address

    case = open_case(person, case_id, action=AuditAction.DOWNLOAD, what=f"letter:{decision_id}")
    decision = (
        Decision.objects.filter(pk=decision_id, case=case, status=DecisionStatus.FINAL)
        .select_related("letter", "case__household")
        .first()
    )
    letter = getattr(decision, "letter", None) if decision is not None else None
    if letter is None:
        raise Http404
    _refuse_letter_showing_protected_address(decision, letter)
    return decision, letter


MESSAGE_KINDS = (JournalKind.RECEIVED_MESSAGE, JournalKind.SENT_MESSAGE)


def messages_of(case: Case) -> list[JournalEntry]:
    """The case's e-service messages, oldest first: what the household sent and what the
    handler sent back (signed entries only; the journal's other entries are the unit's)."""
    return list(
        JournalEntry.objects.filter(case=case, kind__in=MESSAGE_KINDS, signed_at__isnull=False)
        .select_related("from_person")
        .order_by("created_at", "id")
    )
