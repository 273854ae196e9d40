"""The applicant's acts through the e-service (docs/portal.md)."""

from __future__ import annotations

from django.db import transaction

from bistand.cases import services as case_services
from bistand.cases.models import Case, JournalEntry
from bistand.households.models import Person

from .models import StaffNoticeKind
from .session import actor_for
from .staff_notices import notify_staff


def send_message(person: Person, case: Case, *, text: str) -> JournalEntry:
    """The applicant writes to the handler: a received-message journal entry on the case.
    `case` must come from `selectors.open_case` for this person (their household's case)."""
    with transaction.atomic():
        entry = case_services.record_applicant_message(actor_for(person), person, case, text=text)
        notify_staff(case, StaffNoticeKind.MESSAGE, person=person, event=f"message:{entry.pk}")
    return entry
