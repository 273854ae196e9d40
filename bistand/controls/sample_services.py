"""Every change of state of the monthly sample review (stickprov) and the review queue.

Each takes the acting user first (None only for the scheduled draw), checks permission and
the rules, writes the audit record and runs in one transaction (docs/controls.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import AuditEvent, record, record_many
from bistand.cases.services import atomic_service
from bistand.core.dates import add_months, month_start
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.core.text import NOTE_TEXT, check_text
from bistand.organisation.models import Unit, User

from . import review_queue, sampling
from .permissions import CAPABILITIES, require
from .sample_checklist import checklist_for_draw, points_of
from .sample_models import (
    DEFAULT_SAMPLE_SIZE,
    MAX_SAMPLE_SIZE,
    ActionStatus,
    Answer,
    CorrectiveAction,
    Finding,
    QueueSignoff,
    SampleDraw,
    SampleItem,
    SampleSettings,
)

ITEM_NOT_FOUND = "Granskningen finns inte eller så saknar du behörighet."


def _own_unit(actor, unit_id: int) -> None:
    if actor.unit_id != unit_id:
        raise PermissionRefused("other_unit", "Du kan bara arbeta med din egen enhets stickprov.")


def _note(value, field: str, *, required: bool = False, message: str = "") -> str:
    value = check_text((value or "").strip() if isinstance(value, str) else "", NOTE_TEXT, field)
    if required and not value:
        raise DomainError(f"{field}_required", message or f"Fyll i {field}.")
    return value


def sample_size_for(unit: Unit) -> int:
    row = SampleSettings.objects.filter(unit=unit).order_by("-id").first()
    return row.size if row else DEFAULT_SAMPLE_SIZE


def _size(size) -> int:
    try:
        size = int(size)
    except (TypeError, ValueError):
        size = 0
    if not 1 <= size <= MAX_SAMPLE_SIZE:
        raise DomainError("bad_size", f"Stickprovet ska vara 1–{MAX_SAMPLE_SIZE} beslut.")
    return size


def _seed(seed) -> tuple[int, bool]:
    if seed is None or seed == "":
        return sampling.new_seed(), False
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        seed = -1
    if not 0 <= seed < sampling.MAX_SEED:
        raise DomainError("bad_seed", "Slumpfröet är ett heltal med högst tolv siffror.")
    return seed, True


def _reviewer(unit_id: int, reviewer) -> User | None:
    if reviewer is None:
        return None
    if (
        not reviewer.is_active
        or reviewer.unit_id != unit_id
        or reviewer.role not in CAPABILITIES["review_sample"]
    ):
        raise DomainError(
            "bad_reviewer", "Granskaren ska vara en aktiv handläggare eller chef på enheten."
        )
    return reviewer


@atomic_service
def set_sample_size(actor, unit: Unit, *, size, note: str = "") -> SampleSettings:
    """The unit's number of decisions per monthly sample from now on (a new row)."""
    require(actor, "draw_sample")
    _own_unit(actor, unit.pk)
    before = sample_size_for(unit)
    row = SampleSettings.objects.create(
        unit=unit, size=_size(size), note=_note(note, "anteckning"), created_by=actor
    )
    record(actor, AuditAction.CREATE, obj=row, detail={"size": {"before": before,
                                                                "after": row.size}})  # fmt: skip
    return row


@dataclass(frozen=True)
class PlannedDraw:
    """A draw computed but not stored (the command's preview; the first step of a draw)."""

    seed: int
    seed_given: bool
    size: int
    candidates: list
    excluded: list[int]
    pool: list[int]
    drawn: list[int]


def plan_draw(unit: Unit, month: dt.date, *, seed=None, size=None, reviewer=None) -> PlannedDraw:
    """The draw as a function of (seed, the month's candidate decision ids): nothing stored."""
    seed, seed_given = _seed(seed)
    size = _size(size if size not in (None, "") else sample_size_for(unit))
    reviewer = _reviewer(unit.pk, reviewer)
    candidates = sampling.candidates(unit.pk, month_start(month))
    excluded = [c.decision_id for c in candidates if reviewer and c.decided_by_id == reviewer.pk]
    pool = [c.decision_id for c in candidates if c.decision_id not in excluded]
    return PlannedDraw(seed, seed_given, size, candidates, excluded, pool,
                       sampling.draw(seed, pool, size))  # fmt: skip


def verify_draw(draw: SampleDraw) -> bool:
    """Does the stored result follow from the stored seed and candidates?"""
    return sampling.draw(draw.seed, draw.candidate_ids, draw.size) == list(draw.drawn_ids)


def _make_draw(actor, unit: Unit, month: dt.date, *, seed, size, reviewer, scheduled, replaces,
               reason) -> SampleDraw:  # fmt: skip
    planned = plan_draw(unit, month, seed=seed, size=size, reviewer=reviewer)
    seed, size, pool, drawn = planned.seed, planned.size, planned.pool, planned.drawn
    now = timezone.now()
    sample = SampleDraw.objects.create(
        unit=unit,
        month=month,
        seed=seed,
        seed_given=planned.seed_given,
        size=size,
        algorithm=sampling.ALGORITHM,
        candidate_ids=pool,
        excluded_ids=planned.excluded,
        drawn_ids=drawn,
        drawn_by=actor,
        scheduled=scheduled,
        drawn_at=now,
        replaces=replaces,
        reason=reason,
        checklist=checklist_for_draw(unit),
    )
    by_id = {c.decision_id: c for c in planned.candidates}
    SampleItem.objects.bulk_create(
        SampleItem(
            draw=sample,
            position=position,
            decision_id=decision_id,
            case_id=by_id[decision_id].case_id,
            decided_by_id=by_id[decision_id].decided_by_id,
            reviewer=reviewer,
            assigned_at=now if reviewer else None,
        )
        for position, decision_id in enumerate(drawn, start=1)
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=sample,
        detail={
            "unit": unit.pk,
            "month": f"{month:%Y-%m}",
            "seed": seed,
            "size": size,
            "algorithm": sampling.ALGORITHM,
            "candidates": len(pool),
            "drawn": drawn,
            "replaces": replaces.pk if replaces else None,
            "scheduled": scheduled,
            "reviewer": reviewer.pk if reviewer else None,
        },
    )
    return sample


def _month(month, today: dt.date) -> dt.date:
    if not isinstance(month, dt.date):
        raise DomainError("bad_month", "Ange månaden som ÅÅÅÅ-MM.")
    month = month_start(month)
    if month >= month_start(today):
        raise DomainError("month_not_over", "Stickprov dras ur en månad som är slut.")
    return month


@atomic_service
def draw_sample(actor, unit: Unit, month: dt.date, *, seed=None, size=None, reviewer=None,
                scheduled: bool = False) -> SampleDraw:  # fmt: skip
    """Draw the month's sample for the unit (one first draw per unit and month; a new look is
    `redraw_sample`). Without a seed one is drawn from `secrets`; it is stored either way.
    With a reviewer, that reviewer's own decisions are left out and the items assigned."""
    if unit is None:
        raise DomainError("no_unit", "Du hör inte till någon enhet.")
    if actor is None:
        if not scheduled:
            raise PermissionRefused("no_actor", "Ett stickprov dras av enhetschefen.")
    else:
        require(actor, "draw_sample")
        _own_unit(actor, unit.pk)
    month = _month(month, timezone.localdate())
    if SampleDraw.objects.filter(unit=unit, month=month).exists():
        raise DomainError(
            "already_drawn",
            f"Stickprovet för {month:%Y-%m} är redan draget. Dra om det med ett skäl i stället.",
        )
    try:
        with transaction.atomic():
            return _make_draw(actor, unit, month, seed=seed, size=size, reviewer=reviewer,
                              scheduled=scheduled, replaces=None, reason="")  # fmt: skip
    except IntegrityError as error:  # a draw for the month was made at the same time
        raise DomainError(
            "already_drawn", f"Stickprovet för {month:%Y-%m} är redan draget."
        ) from error


@atomic_service
def redraw_sample(actor, draw: SampleDraw, *, reason: str, seed=None, size=None,
                  reviewer=None) -> SampleDraw:  # fmt: skip
    """A new draw replacing `draw` (which stays as it was), with the reason recorded. Not once
    a drawn decision has been reviewed: the reviews would otherwise disappear from the report."""
    require(actor, "draw_sample")
    draw = SampleDraw.objects.select_for_update().get(pk=draw.pk)
    _own_unit(actor, draw.unit_id)
    reason = _note(reason, "skäl", required=True, message="Ange skälet till omdragningen.")
    if SampleDraw.objects.filter(replaces=draw).exists():
        raise DomainError("already_replaced", "Stickprovet är redan draget om; utgå från det nya.")
    if draw.items.filter(reviewed_at__isnull=False).exists():
        raise DomainError(
            "already_reviewed", "Beslut i stickprovet är redan granskade; det kan inte dras om."
        )
    return _make_draw(actor, draw.unit, draw.month, seed=seed, size=size, reviewer=reviewer,
                      scheduled=False, replaces=draw, reason=reason)  # fmt: skip


def _item_for_update(item: SampleItem) -> SampleItem:
    return SampleItem.objects.select_for_update().select_related("draw").get(pk=item.pk)


@atomic_service
def assign_reviewer(actor, item: SampleItem, reviewer: User) -> SampleItem:
    """Give a drawn decision to a reviewer, who must not be the one who decided it."""
    require(actor, "draw_sample")
    item = _item_for_update(item)
    _own_unit(actor, item.draw.unit_id)
    if SampleDraw.objects.filter(replaces_id=item.draw_id).exists():
        raise DomainError("replaced", "Stickprovet är draget om; tilldela i det nya.")
    if item.reviewed:
        raise DomainError("already_reviewed", "Beslutet är redan granskat.")
    reviewer = _reviewer(item.draw.unit_id, reviewer)
    if reviewer.pk == item.decided_by_id:
        raise DomainError(
            "reviewer_is_decider", "Granskaren får inte vara den som fattade beslutet."
        )
    before = item.reviewer_id
    item.reviewer, item.assigned_at = reviewer, timezone.now()
    item.save(update_fields=["reviewer", "assigned_at"])
    record(actor, AuditAction.ASSIGN, obj=item, case_id=item.case_id,
           detail={"reviewer": {"before": before, "after": reviewer.pk},
                   "decision": item.decision_id})  # fmt: skip
    return item


@atomic_service
def record_review(actor, item: SampleItem, *, answers: dict, comments: dict | None = None,
                  conclusion: str = "") -> SampleItem:  # fmt: skip
    """The assigned reviewer's answer to every checklist point (once). Each point answered
    "no" becomes a finding, described by its comment."""
    require(actor, "review_sample")
    item = _item_for_update(item)
    if item.reviewer_id != actor.pk:
        raise NotFound("review_not_found", ITEM_NOT_FOUND)
    if actor.pk == item.decided_by_id:
        raise PermissionRefused("reviewer_is_decider", "Du får inte granska ditt eget beslut.")
    if item.reviewed:
        raise DomainError("already_reviewed", "Beslutet är redan granskat.")
    comments = comments or {}
    clean_answers, clean_comments = {}, {}
    points = points_of(item.draw)  # the checklist the draw was drawn with
    labels = {point["key"]: point["label"] for point in points}
    unknown = set(answers or {}) - set(labels)
    if unknown:
        raise DomainError(
            "unknown_point",
            "Svaret gäller punkter som inte finns i stickprovets checklista: "
            + ", ".join(sorted(unknown))
            + ".",
        )
    for point in points:
        key, label = point["key"], point["label"]
        answer = answers.get(key)
        if answer not in Answer.values:
            raise DomainError("answer_missing", f"Svara på punkten: {label}.")
        comment = _note(comments.get(key), "kommentar")
        if answer == Answer.NO and not comment:
            raise DomainError("comment_required", f"Beskriv bristen: {label}.")
        clean_answers[key] = answer
        if comment:
            clean_comments[key] = comment
    item.answers, item.comments = clean_answers, clean_comments
    item.conclusion = _note(conclusion, "sammanfattning")
    item.reviewed_by, item.reviewed_at = actor, timezone.now()
    item.save(update_fields=["answers", "comments", "conclusion", "reviewed_by", "reviewed_at"])
    findings = [
        Finding.objects.create(
            item=item,
            point=point,
            point_label=labels[point],
            description=clean_comments[point],
            created_by=actor,
        )  # fmt: skip
        for point, answer in clean_answers.items()
        if answer == Answer.NO
    ]
    record(actor, AuditAction.SIGN, obj=item, case_id=item.case_id,
           detail={"decision": item.decision_id, "answers": clean_answers,
                   "findings": [f.pk for f in findings]})  # fmt: skip
    return item


@atomic_service
def add_corrective_action(actor, finding: Finding, *, description: str, owner: User,
                          due_on: dt.date) -> CorrectiveAction:  # fmt: skip
    """What is to be done about a finding, with an owner in the unit and a due date."""
    require(actor, "draw_sample")
    finding = Finding.objects.select_related("item__draw").get(pk=finding.pk)
    _own_unit(actor, finding.item.draw.unit_id)
    description = _note(description, "åtgärd", required=True, message="Beskriv åtgärden.")
    if owner is None or not owner.is_active or owner.unit_id != finding.item.draw.unit_id:
        raise DomainError("bad_owner", "Den ansvariga ska vara en aktiv medarbetare på enheten.")
    if not isinstance(due_on, dt.date) or due_on < timezone.localdate():
        raise DomainError("bad_due_date", "Ange ett slutdatum som inte har passerat.")
    action = CorrectiveAction.objects.create(
        finding=finding, description=description, owner=owner, due_on=due_on, created_by=actor
    )
    record(actor, AuditAction.CREATE, obj=action, case_id=finding.item.case_id,
           detail={"finding": finding.pk, "owner": owner.pk,
                   "due_on": due_on.isoformat()})  # fmt: skip
    return action


@atomic_service
def close_corrective_action(actor, action: CorrectiveAction, *, note: str) -> CorrectiveAction:
    """The owner says what was done; the action is then closed (once)."""
    action = (
        CorrectiveAction.objects.select_for_update()
        .select_related("finding__item")
        .get(pk=action.pk)
    )
    if action.owner_id != getattr(actor, "pk", None) or not actor.is_active:
        raise NotFound("action_not_found", "Åtgärden finns inte eller så saknar du behörighet.")
    if action.status == ActionStatus.CLOSED:
        raise DomainError("already_closed", "Åtgärden är redan avslutad.")
    action.closing_note = _note(note, "anteckning", required=True,
                                message="Skriv vad som har gjorts.")  # fmt: skip
    action.status, action.closed_by, action.closed_at = ActionStatus.CLOSED, actor, timezone.now()
    action.save(update_fields=["closing_note", "status", "closed_by", "closed_at"])
    record(actor, AuditAction.UPDATE, obj=action, case_id=action.finding.item.case_id,
           detail={"status": {"before": "open", "after": "closed"}})  # fmt: skip
    return action


# --- The review queue --------------------------------------------------------------------------


def queue_since(given: str) -> dt.date:
    """The queue's first day from a page or API query ("" = three months back)."""
    today = timezone.localdate()
    if not given:
        return add_months(month_start(today), -3)
    try:
        since = dt.date.fromisoformat(given)
    except ValueError:
        raise DomainError("bad_date", "Ange datumet som ÅÅÅÅ-MM-DD.") from None
    if not dt.date(2000, 1, 1) <= since <= today:
        raise DomainError("bad_date", "Datumet ska ligga mellan år 2000 och i dag.")
    return since


@atomic_service
def sign_off_queue_item(actor, kind: str, object_id: int, *, note: str = "") -> QueueSignoff:
    """Sign off one change in the review queue: once, and not by anyone who made it."""
    require(actor, "review_queue")
    source = review_queue.SOURCES.get(kind)
    item = source.get(actor.unit_id, int(object_id)) if source and actor.unit_id else None
    if item is None:
        raise NotFound("queue_item_not_found", "Posten finns inte i din enhets granskningskö.")
    if actor.pk in item.made_by_ids:
        raise PermissionRefused(
            "own_change", "Du får inte signera en ändring som du själv har gjort."
        )
    if QueueSignoff.objects.filter(kind=kind, object_id=item.object_id).exists():
        raise DomainError("already_signed", "Posten är redan granskad och signerad.")
    try:
        with transaction.atomic():
            signoff = QueueSignoff.objects.create(
                unit_id=item.unit_id,
                kind=kind,
                object_id=item.object_id,
                made_by_id=item.made_by_ids[0] if item.made_by_ids else None,
                summary=item.summary[:300],
                note=_note(note, "anteckning"),
                signed_by=actor,
                signed_at=timezone.now(),
            )
    except IntegrityError as error:
        raise DomainError("already_signed", "Posten är redan granskad och signerad.") from error
    record(actor, AuditAction.SIGN, obj=signoff, case_id=item.case_id,
           detail={"kind": kind, "object_id": item.object_id})  # fmt: skip
    return signoff


def log_reads(actor, what: str, items) -> None:
    """One access-log row per listed case (set-wise) for a page or API list of sample items
    or queue entries that shows case data."""
    events = [
        AuditEvent(
            AuditAction.VIEW,
            "controls.sampleitem" if isinstance(i, SampleItem) else f"controls.queue.{i.kind}",
            getattr(i, "pk", None) or i.object_id,
            i.case_id,
            None,
            {"what": what},
        )  # fmt: skip
        for i in items
        if getattr(i, "case_id", None)
    ]
    if events:
        record_many(actor, events)
