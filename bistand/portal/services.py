"""The applicant's acts through the e-service (docs/portal.md)."""

from __future__ import annotations

from bistand.cases import services as case_services
from bistand.cases.models import Case, JournalEntry
from bistand.households.models import Person

from .session import actor_for


def send_message(person: Person, case: Case, *, text: str) -> JournalEntry:
    """The applicant writes to the handler: a received-message journal entry on the case.
    `case` must come from `selectors.open_case` for this person (their household's case)."""
    return case_services.record_applicant_message(actor_for(person), person, case, text=text)
