"""The applicant's acts when following a case: appeal a decision, sign the work plan, choose
how to be told about news (docs/portal.md). Each takes the person and a record the portal's
selectors have already opened for that person (their household's case today)."""

from __future__ import annotations

from django.db import transaction

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.decisions.models import Appeal, Decision
from bistand.decisions.services import register_applicant_appeal
from bistand.households.models import Person
from bistand.workplans.models import PlanSignature, WorkPlanVersion
from bistand.workplans.services import sign_plan_as_applicant

from .models import ContactPreference, StaffNoticeKind
from .session import actor_for
from .staff_notices import notify_staff


def send_appeal(person: Person, decision: Decision, *, text: str) -> Appeal:
    """The applicant's appeal of a decision: registered on the decision as staff register one
    (decisions.services.register_applicant_appeal), arriving today."""
    with transaction.atomic():
        appeal = register_applicant_appeal(actor_for(person), person, decision, text=text)
        notify_staff(
            decision.case, StaffNoticeKind.APPEAL, person=person, event=f"appeal:{appeal.pk}"
        )
    return appeal


def sign_plan(person: Person, version: WorkPlanVersion, *, method: str) -> PlanSignature:
    """The applicant signs a plan version with the e-ID of this session."""
    return sign_plan_as_applicant(actor_for(person), person, version, method=method)


def set_contact_preference(
    person: Person, *, email: str, phone: str, by_email: bool, by_sms: bool
) -> ContactPreference:
    """A new row of the person's contact choices (the latest applies)."""
    preference = ContactPreference.objects.create(
        person=person, email=email, phone=phone, by_email=by_email, by_sms=by_sms
    )
    record(
        actor_for(person),
        AuditAction.CREATE,
        obj=preference,
        person_id=person.pk,
        detail={"by_email": by_email, "by_sms": by_sms},
    )
    return preference
