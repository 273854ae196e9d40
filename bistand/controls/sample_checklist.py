"""The unit's checklist for the sample review (stickprov): versions, the change of it, and the
points a draw is reviewed against. docs/controls.md, "The checklist"."""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.services import atomic_service
from bistand.core.errors import DomainError, PermissionRefused
from bistand.core.text import NOTE_TEXT, check_text
from bistand.organisation.models import Unit

from .permissions import require
from .sample_models import (
    MAX_CHECKLIST_POINTS,
    MAX_POINT_LABEL,
    ChecklistVersion,
    SampleDraw,
    default_checklist,
)


def latest_checklist(unit: Unit) -> ChecklistVersion | None:
    return ChecklistVersion.objects.filter(unit=unit).order_by("-number").first()


def checklist_in_force(unit: Unit) -> list[dict]:
    """The points a draw made now would be reviewed against (nothing written)."""
    latest = latest_checklist(unit)
    return list(latest.points) if latest else default_checklist()


def checklist_for_draw(unit: Unit) -> ChecklistVersion:
    """The version a new draw keeps: the latest, or the default written as version 1."""
    return latest_checklist(unit) or _write_version(unit, default_checklist(), None, "Standard")


def points_of(draw: SampleDraw) -> list[dict]:
    """The points `draw` is reviewed against: the version it was drawn with (a draw made before
    checklists were per unit: the default checklist, which it was drawn under)."""
    if draw.checklist_id is None:
        return default_checklist()
    return list(draw.checklist.points)


def _write_version(unit: Unit, points: list[dict], actor, note: str) -> ChecklistVersion:
    latest = latest_checklist(unit)
    try:
        with transaction.atomic():
            return ChecklistVersion.objects.create(
                unit=unit,
                number=(latest.number + 1) if latest else 1,
                points=points,
                note=note,
                created_by=actor,
                created_at=timezone.now(),
            )
    except IntegrityError:
        raise DomainError(
            "checklist_changed", "Checklistan ändrades samtidigt av någon annan. Försök igen."
        ) from None


def _key_for(label: str, known: dict[str, str], taken: set[str]) -> str:
    """A point keeps its key while its wording is unchanged (so the yearly report counts it
    across versions); a new wording gets a key of its own, from the text."""
    key = known.get(label.casefold())
    if key is None:
        key = "p" + hashlib.sha256(label.casefold().encode()).hexdigest()[:10]
    while key in taken:
        key = "p" + hashlib.sha256((key + label).encode()).hexdigest()[:10]
    return key


def parse_points(labels, unit: Unit) -> list[dict]:
    """The points from their wordings, in order: 1–20 points, each 1–200 characters, no two
    alike. Wordings of the default checklist or of the unit's latest version keep their keys."""
    if isinstance(labels, str):
        labels = labels.splitlines()
    cleaned = [check_text(str(label).strip(), NOTE_TEXT, "punkt") for label in labels or []]
    cleaned = [label for label in cleaned if label]
    if not 1 <= len(cleaned) <= MAX_CHECKLIST_POINTS:
        raise DomainError(
            "bad_checklist", f"Checklistan ska ha 1–{MAX_CHECKLIST_POINTS} punkter, en per rad."
        )
    if any(len(label) > MAX_POINT_LABEL for label in cleaned):
        raise DomainError(
            "bad_checklist", f"En punkt får vara högst {MAX_POINT_LABEL} tecken lång."
        )
    if len({label.casefold() for label in cleaned}) != len(cleaned):
        raise DomainError("bad_checklist", "Två punkter i checklistan har samma lydelse.")
    known = {p["label"].casefold(): p["key"] for p in default_checklist()}
    latest = latest_checklist(unit)
    if latest:
        known.update({p["label"].casefold(): p["key"] for p in latest.points})
    points, taken = [], set()
    for label in cleaned:
        key = _key_for(label, known, taken)
        taken.add(key)
        points.append({"key": key, "label": label})
    return points


@atomic_service
def set_checklist(actor, unit: Unit, *, labels, note: str = "") -> ChecklistVersion:
    """A new version of the unit's checklist (unit head, own unit). Draws made before keep
    theirs; the next draw takes this one."""
    require(actor, "draw_sample")
    if unit is None or actor.unit_id != unit.pk:
        raise PermissionRefused("other_unit", "Du kan bara arbeta med din egen enhets stickprov.")
    points = parse_points(labels, unit)
    before = checklist_in_force(unit)
    if [p["label"] for p in points] == [p["label"] for p in before]:
        raise DomainError("checklist_unchanged", "Checklistan är oförändrad.")
    if latest_checklist(unit) is None:  # the default becomes version 1, the change version 2
        _write_version(unit, before, None, "Standard")
    version = _write_version(
        unit, points, actor, check_text((note or "").strip(), NOTE_TEXT, "anledning")
    )
    record(actor, AuditAction.CREATE, obj=version,
           detail={"unit": unit.pk, "number": version.number,
                   "before": [p["label"] for p in before],
                   "after": [p["label"] for p in points]})  # fmt: skip
    return version
