"""Autosaved form drafts (issue #13, "never lose work").

A long form (the investigation, a journal note, ...) posts what has been typed to
`/utkast/<kind>/<id>/` with htmx as the user types (a plain form without JavaScript simply
has no autosave). The draft is the user's own: nobody else reads it, it is not a record of
authority and it is not audited as one; the record is written when the user saves the form,
and then the draft is deleted. Each kind is registered by the app that owns the form, with
the check that the user may edit that object (`register`): a draft can only be stored for a
form the user could submit.

A draft survives a session time-out: the server keeps the last one it received, the page
says so when the session has ended, and the form is filled from it the next time the user
opens the page (with a notice and a way to throw it away).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from django.http import QueryDict
from django.utils import timezone

from .errors import DomainError, NotFound
from .models import FormDraft

MAX_BYTES = 200_000  # a long investigation is some 30,000 characters
SKIPPED = {"csrfmiddlewaretoken"}


@dataclass(frozen=True)
class DraftKind:
    label: str  # Swedish: what the form is ("grundutredningen")
    may_edit: Callable  # (user, object_id) -> None; raises PermissionRefused / NotFound
    content: tuple[str, ...] = ()  # the fields that hold what was typed (empty: every field)
    # Or patterns for fields named per row (formsets, editor rows): "goal-*-text".
    content_patterns: tuple[str, ...] = ()

    def _typed_in(self, name: str) -> bool:
        if not self.content and not self.content_patterns:
            return True
        return name in self.content or any(
            fnmatchcase(name, pattern) for pattern in self.content_patterns
        )

    def has_content(self, data: dict[str, list[str]]) -> bool:
        """A form holding nothing typed (a fresh or just-saved form) leaves no draft."""
        return any(
            str(value).strip()
            for name, values in data.items()
            if self._typed_in(name)
            for value in values
        )


KINDS: dict[str, DraftKind] = {}


def register(
    kind: str,
    label: str,
    may_edit: Callable,
    content: tuple[str, ...] = (),
    content_patterns: tuple[str, ...] = (),
) -> None:
    KINDS[kind] = DraftKind(label, may_edit, content, content_patterns)


def _kind(kind: str) -> DraftKind:
    if kind not in KINDS:
        raise NotFound("draft_kind_unknown", "Formuläret finns inte.")
    return KINDS[kind]


def save(user, kind: str, object_id: int, posted: QueryDict) -> FormDraft | None:
    """Store what the form holds now (replacing the user's earlier draft of it); a form with
    nothing typed in it removes the draft instead (None)."""
    spec = _kind(kind)
    spec.may_edit(user, object_id)
    data = {name: posted.getlist(name) for name in posted if name not in SKIPPED}
    if not spec.has_content(data):
        discard(user, kind, object_id)
        return None
    if len(json.dumps(data)) > MAX_BYTES:
        raise DomainError("draft_too_large", "Utkastet är för stort för att sparas automatiskt.")
    draft, _ = FormDraft.objects.update_or_create(
        user=user,
        kind=kind,
        object_id=object_id,
        defaults={"data": data, "saved_at": timezone.now()},
    )
    return draft


def load(user, kind: str, object_id: int) -> FormDraft | None:
    return FormDraft.objects.filter(user=user, kind=kind, object_id=object_id).first()


def discard(user, kind: str, object_id: int) -> None:
    """After the form was saved: the draft has done its work."""
    FormDraft.objects.filter(user=user, kind=kind, object_id=object_id).delete()


def throw_away(user, kind: str, object_id: int) -> None:
    """The user's own choice on the page ("Släng utkastet"), for a form they may use."""
    _kind(kind).may_edit(user, object_id)
    discard(user, kind, object_id)


def as_querydict(draft: FormDraft) -> QueryDict:
    """The draft as the form's POST data (to bind the form with)."""
    data = QueryDict(mutable=True)
    for name, values in draft.data.items():
        data.setlist(name, [str(value) for value in values])
    return data
