"""Who logs in to the e-service in the demo (docs/portal.md): an applicant of an open case
with a decision letter and payments, through the test e-ID."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from bistand.cases.models import Case, CaseStatus
from bistand.decisions.models import Decision, DecisionLetter, DecisionStatus
from bistand.households.models import HouseholdMembership, MemberRole
from bistand.payments.models import PaymentOrder


def demo_applicant(unit) -> dict | None:
    """The first open case (by id) with a final decision, its letter and a payment, and its
    applicant: {"identity_number", "name", "case"}; None when the demo has no such case."""
    today = timezone.localdate()
    letters = DecisionLetter.objects.filter(
        decision__case=OuterRef("pk"), decision__status=DecisionStatus.FINAL
    )
    case = (
        Case.objects.filter(unit=unit)
        .exclude(status=CaseStatus.CLOSED)
        .filter(
            Exists(letters),
            Exists(PaymentOrder.objects.filter(case=OuterRef("pk"))),
            Exists(Decision.objects.filter(case=OuterRef("pk"), status=DecisionStatus.FINAL)),
        )
        .order_by("id")
        .first()
    )
    if case is None:
        return None
    membership = (
        HouseholdMembership.objects.filter(
            household_id=case.household_id, role=MemberRole.APPLICANT, valid_from__lte=today
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
        .select_related("person")
        .first()
    )
    if membership is None:
        return None
    person = membership.person
    return {
        "identity_number": f"{person.identity_number[:8]}-{person.identity_number[8:]}",
        "name": f"{person.first_name} {person.last_name}",
        "case": case.reference,
    }
